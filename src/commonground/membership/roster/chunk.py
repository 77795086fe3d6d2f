"""One chunk of an import, column-wise: clean, dedupe, match existing people, write people.

Memberships and organisations follow in ``members``. Every step works on whole columns
(polars); Python runs per distinct value (addresses, chapters) or only for the few rows a
fast path does not cover (odd emails and phones, custom fields, non-ASCII search text).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from commonground.core import bulk
from commonground.core.errors import ValidationFailed
from commonground.membership import sql
from commonground.people.models import Person
from commonground.people.signals import person_emails_added

from . import members
from .fastnorm import fast_address
from .frame import PERSON_GIVEN
from .newpeople import history_extra, insert_people, person_frame, search_text
from .state import RunState
from .vector import first_message, phones

ADDRESS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")
FETCH = ["id", *PERSON_GIVEN, "email_key", "chapter_id", "custom", "erased_at"]
_UPDATE = ["first_name", "last_name", "email", "email_key", "phone", *ADDRESS, "external_id",
           "chapter_id", "custom", "search_text"]


def _is_blank(row: list[Any]) -> bool:
    return not any(c not in (None, "") for c in row)


def process(run: RunState, offset: int, rows: list[list[Any]], errors: list[list[Any]]
            ) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0,
              "memberships_created": 0, "memberships_renewed": 0, "memberships_lapsed": 0}
    kept, lines = [], []
    typed = run.cleaner.typed  # CSV cells are all strings: a blank row is all ""
    for i, row in enumerate(rows):
        if (not _is_blank(row)) if typed else any(row):
            kept.append(row)
            lines.append(offset + i + 2)  # the header is line 1
    if not kept:
        return counts
    df, custom = run.cleaner.clean(kept, lines)

    def reject(frame: pl.DataFrame) -> None:
        for idx, line, reason in frame.select("idx", "line", "reason").iter_rows():
            run.reject(errors, kept[idx], line, reason)
        counts["rejected"] += frame.height

    reject(df.filter(pl.col("reason").is_not_null()))
    df = _dedupe(run, df.filter(pl.col("reason").is_null()))
    reject(df.filter(pl.col("reason").is_not_null()))
    df = df.filter(pl.col("reason").is_null())
    if df.height == 0:
        return counts
    df = _match(run, df)
    df = _values(run, df, custom)
    reject(df.filter(pl.col("reason").is_not_null()))
    df = df.filter(pl.col("reason").is_null())
    df = _chapters(run, df)
    reject(df.filter(pl.col("reason").is_not_null()))
    df = df.filter(pl.col("reason").is_null())
    if df.height == 0:
        return counts
    df = _changes(df)
    now = run.now()
    # New people take their ids in name order: the rows then reach the name-ordered
    # list index (and the table) as runs of neighbours instead of at random places.
    new = df.filter(pl.col("pid").is_null()).sort("new_last_name", "new_first_name",
                                                   maintain_order=True)
    ids = bulk.reserve_ids(Person, new.height)
    new = members.with_summary(run, new.with_columns(pid=pl.Series(ids, dtype=pl.Int64)))
    _insert_new(run, new, now)
    changed = df.filter(pl.col("pid").is_not_null() & pl.col("changed"))
    if changed.height:
        _update(run, changed, now)
    _identities_added(run, new, changed)
    people = pl.concat([new.with_columns(is_new=pl.lit(True)),
                        df.filter(pl.col("pid").is_not_null()).with_columns(is_new=pl.lit(False))],
                       how="diagonal_relaxed")  # only new people carry the summary columns
    touched = set(changed.get_column("pid").to_list())
    touched |= members.relationships(run, people, now)
    mcounts, renewed = members.memberships(run, people, now)
    touched |= renewed
    counts["memberships_created"] += mcounts["created"]
    counts["memberships_renewed"] += mcounts["renewed"]
    counts["memberships_lapsed"] += mcounts["lapsed"]
    counts["created"] += new.height
    existing = df.filter(pl.col("pid").is_not_null()).get_column("pid").to_list()
    updated = sum(1 for pk in existing if pk in touched)
    counts["updated"] += updated
    counts["unchanged"] += len(existing) - updated
    return counts


def _identities_added(run: RunState, new: pl.DataFrame, changed: pl.DataFrame) -> None:
    """Tell the apps above (activity: the timeline backfill) which people gained an email:
    new people with one, and changed people whose email key changed."""
    if new.height == 0 and changed.height == 0:
        return
    gained = pl.concat([
        new.select("pid", "new_email_key"),
        changed.filter(pl.col("new_email_key") != pl.col("db_email_key").fill_null(""))
        .select("pid", "new_email_key"),
    ]).filter(pl.col("new_email_key") != "")
    if gained.height:
        person_emails_added.send(sender=Person, association=run.association,
                              people=gained.rows())


def _dedupe(run: RunState, df: pl.DataFrame) -> pl.DataFrame:
    """Duplicates within the file (across chunks too): the first row of an email (or of an
    external id, for rows without email) wins."""
    reasons: list[str | None] = []
    seen_e, seen_x = run.seen_emails, run.seen_external
    ext_header = run.cleaner.header("external_id")
    for line, key, ext in df.select("line", "email_key", "external_id").iter_rows():
        reason = None
        if key:
            first = seen_e.setdefault(key, line)
            if first != line:
                reason = f"duplicate email in this file (first on line {first})"
        elif ext:
            first = seen_x.setdefault(ext, line)
            if first != line:
                reason = f"duplicate {ext_header} in this file (first on line {first})"
        reasons.append(reason)
    return df.with_columns(reason=pl.Series(reasons, dtype=pl.Utf8))


def fetch_people(run: RunState, column: str, values: list[str]) -> list[tuple]:
    """People whose ``column`` is in ``values`` (the FETCH columns; custom values as JSON
    text, then whether they were erased): one plain query, no ORM rows."""
    return sql.roster_people(association_id=run.association.pk, field=column, values=values,
                             fields=FETCH[:-2])


_DB_SCHEMA = {**{f"db_{c}": pl.Utf8 for c in FETCH}, "db_id": pl.Int64, "db_chapter_id": pl.Int64,
              "db_erased_at": pl.Boolean}


def _match(run: RunState, df: pl.DataFrame) -> pl.DataFrame:
    """Join the people the rows match (by email key, else by external id) as db_* columns."""
    keys = df.filter(pl.col("email_key") != "").get_column("email_key").to_list()
    exts = (df.filter((pl.col("email_key") == "") & (pl.col("external_id") != ""))
            .get_column("external_id").unique().to_list())
    by_email = pl.DataFrame(fetch_people(run, "email_key", keys), schema=_DB_SCHEMA, orient="row")
    by_ext = pl.DataFrame(fetch_people(run, "external_id", exts), schema=_DB_SCHEMA, orient="row")
    # Without email, the first (by id) person not erased with the external id.
    by_ext = by_ext.filter(~pl.col("db_erased_at")).unique("db_external_id", keep="first",
                                                             maintain_order=True)
    db = pl.concat([by_email, by_ext]).unique("db_id", maintain_order=True)
    df = (df.join(by_email.select(email_key="db_email_key", pid_e="db_id"), on="email_key",
                  how="left", maintain_order="left")
          .join(by_ext.select(external_id="db_external_id", pid_x="db_id"), on="external_id",
                how="left", maintain_order="left")
          .with_columns(pid=pl.when(pl.col("email_key") != "").then(pl.col("pid_e"))
                        .otherwise(pl.col("pid_x")))
          .join(db, left_on="pid", right_on="db_id", how="left", maintain_order="left"))
    return df.rename({"db_erased_at": "db_erased"})


def _values(run: RunState, df: pl.DataFrame, custom: list[dict]) -> pl.DataFrame:
    """The person's values after each row (blank cells keep what is on file), and the
    reasons the per-person checks reject a row for, in the per-row engine's order."""
    home = str(run.association.country)
    old = {f: pl.col(f"db_{f}").fill_null("") for f in PERSON_GIVEN}
    df = df.with_columns(**{f"new_{f}": pl.when(pl.col(f) != "").then(pl.col(f)).otherwise(old[f])
                            for f in PERSON_GIVEN})
    # Phones: validated for the row's country, else the person's, else the association's.
    region = pl.when(pl.col("country") != "").then(pl.col("country")) \
        .when(old["country"] != "").then(old["country"]).otherwise(pl.lit(home))
    given_phone = df.filter(pl.col("phone") != "")
    checked = phones(given_phone.get_column("phone"), given_phone.select(region).to_series())
    phone_header = run.cleaner.header("phone")
    df = df.join(given_phone.select("idx").with_columns(
        checked_phone=checked.get_column("phone"), phone_error=checked.get_column("error")),
        on="idx", how="left", maintain_order="left")
    df = df.with_columns(new_phone=pl.when(pl.col("phone") != "").then(pl.col("checked_phone"))
                         .otherwise(old["phone"]))
    df = _addresses(run, df, home)
    reasons = [pl.when(pl.col("db_erased").fill_null(False))
               .then(pl.lit("this person was erased and cannot be re-imported")),
               pl.when(pl.col("phone_error").is_not_null())
               .then(pl.lit(f"{phone_header}: ") + pl.col("phone_error")),
               pl.col("address_error")]
    # Custom values: merged over what is on file, per row — only rows that give some (or
    # new rows when a field is required); the others keep the JSON on file as it is.
    required = run.cleaner.required_custom
    df = df.with_columns(new_custom=pl.col("db_custom").fill_null("{}"),
                         custom_changed=pl.lit(False), custom_missing=pl.lit(None, pl.Utf8))
    todo = [i for i, (idx, pid) in enumerate(df.select("idx", "pid").iter_rows())
            if (custom and custom[idx]) or (pid is None and required)]
    if todo:
        part = df[todo]
        text, changed, missing = [], [], []
        for idx, pid, on_file in part.select("idx", "pid", "new_custom").iter_rows():
            given = custom[idx] if custom else {}
            before = json.loads(on_file) if on_file not in ("{}", "") else {}
            merged = {**before, **given} if given else before
            lack = None
            if pid is None and required:
                names = [d.label for d in required if d.key not in merged]
                lack = f"{', '.join(names)}: required" if names else None
            missing.append(lack)
            changed.append(merged != before)
            text.append(run.cleaner.custom_json(merged))
        df = df.with_columns(_scatter(df, "new_custom", todo, text),
                             _scatter(df, "custom_changed", todo, changed),
                             _scatter(df, "custom_missing", todo, missing))
    reasons.append(pl.col("custom_missing"))
    return df.with_columns(reason=pl.coalesce(reasons))


def _scatter(df: pl.DataFrame, name: str, rows: list[int], values: list[Any]) -> pl.Series:
    """Column ``name`` with ``values`` at positions ``rows``."""
    column = df.get_column(name).clone()
    return column.scatter(rows, pl.Series(values, dtype=column.dtype))


def _addresses(run: RunState, df: pl.DataFrame, home: str) -> pl.DataFrame:
    """Addresses validated once per distinct (country, region, city, postal code, has
    street, has line 2): validation depends on the street only through its presence."""
    given = pl.any_horizontal([pl.col(f) != "" for f in ADDRESS])
    df = df.with_columns(address_given=given,
                         m_country=pl.when(pl.col("new_country") != "").then(pl.col("new_country"))
                         .otherwise(pl.lit(home)),
                         m_has1=pl.col("new_address_line1") != "",
                         m_has2=pl.col("new_address_line2") != "")
    keys = ["m_country", "new_region", "new_city", "new_postal_code", "m_has1", "m_has2"]
    combos = df.filter(pl.col("address_given")).select(keys).unique()
    results = []
    for combo in combos.iter_rows():
        result = run.addresses.get(combo)
        if result is None:
            result = run.addresses[combo] = _address(run, *combo)
        results.append(result)
    checked = pl.concat([combos, pl.DataFrame(results, orient="row", schema={
        "a_region": pl.Utf8, "a_postal": pl.Utf8, "a_country": pl.Utf8, "address_error": pl.Utf8})],
        how="horizontal")
    df = df.join(checked, on=keys, how="left", maintain_order="left", nulls_equal=True)
    ok = pl.col("address_given") & pl.col("address_error").is_null()
    empty = ok & (pl.col("a_country") == "") & (pl.col("a_region") == "") \
        & (pl.col("a_postal") == "")
    return df.with_columns(
        new_region=pl.when(ok).then(pl.col("a_region")).otherwise(pl.col("new_region")),
        new_postal_code=pl.when(ok).then(pl.col("a_postal")).otherwise(pl.col("new_postal_code")),
        new_country=pl.when(ok).then(pl.col("a_country")).otherwise(pl.col("new_country")),
        new_city=pl.when(empty).then(pl.lit("")).otherwise(pl.col("new_city")),
        address_error=pl.when(pl.col("address_given")).then(pl.col("address_error")))


def _address(run: RunState, country: str, region: str, city: str, postal: str, has1: bool,
             has2: bool) -> tuple[str | None, str | None, str | None, str | None]:
    try:
        out = fast_address({"address_line1": "x" if has1 else "",
                            "address_line2": "x" if has2 else "", "city": city,
                            "region": region, "postal_code": postal, "country": country})
    except ValidationFailed as exc:
        field = next(iter(exc.fields), "address")
        return None, None, None, f"{run.cleaner.header(field)}: {first_message(exc)}"
    return out["region"], out["postal_code"], out["country"], None


def _chapters(run: RunState, df: pl.DataFrame) -> pl.DataFrame:
    names = df.filter(pl.col("chapter") != "").get_column("chapter").unique().to_list()
    found: list[tuple[str, int | None, str | None]] = []
    for name in names:
        try:
            found.append((name, run.chapter_id(name), None))
        except ValueError as exc:
            found.append((name, None, str(exc)))
    table = pl.DataFrame(found, orient="row", schema={"chapter": pl.Utf8, "chapter_id": pl.Int64,
                                                      "reason": pl.Utf8})
    return df.drop("reason").join(table, on="chapter", how="left", maintain_order="left")


def _changes(df: pl.DataFrame) -> pl.DataFrame:
    fields = [f for f in PERSON_GIVEN if f != "email"]
    diff = [pl.col(f"new_{f}") != pl.col(f"db_{f}").fill_null("") for f in fields]
    email_changed = pl.col("new_email") != pl.col("db_email").fill_null("")
    chapter = pl.when(pl.col("chapter_id").is_not_null()).then(pl.col("chapter_id")) \
        .otherwise(pl.col("db_chapter_id"))
    df = df.with_columns(
        new_chapter_id=chapter,
        new_email_key=pl.when(email_changed).then(pl.col("email_key"))
        .otherwise(pl.col("db_email_key").fill_null("")),
        new_search_text=search_text(pl.col("new_first_name"), pl.col("new_last_name"),
                                    pl.col("new_email")),
        changed=pl.any_horizontal([*diff, email_changed, pl.col("custom_changed"),
                                   pl.col("chapter_id").is_not_null()
                                   & (pl.col("chapter_id") != pl.col("db_chapter_id"))
                                   .fill_null(True)]))
    odd = df.select(pl.concat_str([pl.col("new_first_name"), pl.col("new_last_name"),
                                   pl.col("new_email")]).str.contains(r"[^\x00-\x7f]")).to_series()
    if odd.any():  # Python's lower() is the reference for non-ASCII text
        values = df.get_column("new_search_text").to_list()
        for i in odd.arg_true().to_list():
            row = df.row(i, named=True)
            values[i] = Person.make_search_text(row["new_first_name"], row["new_last_name"],
                                                row["new_email"])
        df = df.with_columns(new_search_text=pl.Series(values, dtype=pl.Utf8))
    return df


def _insert_new(run: RunState, new: pl.DataFrame, now) -> None:
    insert_people(association_id=run.association.pk, actor_id=run.actor_id, new=new,
                  now=run.now_text(now))


def _update(run: RunState, changed: pl.DataFrame, now) -> None:
    now_text = run.now_text(now)
    people = person_frame(changed)
    rows = people.select(*_UPDATE, pl.lit(now_text).alias("updated_at"), "id").rows()
    sql.roster_people_update(association_id=run.association.pk, fields=[*_UPDATE, "updated_at"],
                             rows=rows)
    ids = sorted(people.get_column("id").to_list())
    bulk.insert_select(Person.history.model, bulk.history_columns(Person), Person,
                       history_extra(run.actor_id, "~", now_text), ids, association_id=run.association.pk)
