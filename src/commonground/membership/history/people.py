"""The people of a chunk's rows: matched by email key (else member id), or created.

One member key (``clean._keys``) is one person. A key with an email matches the person
with that email, else the person with the key's member id; a key that matches nobody
creates the person when it has an email (first and last name from its first row that
names them, through the roster's bulk insert) and is rejected when it has none.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from commonground.core import bulk
from commonground.membership import sql
from commonground.membership.roster.frame import PERSON_GIVEN
from commonground.membership.roster.newpeople import insert_people, search_texts
from commonground.people.models import Person
from commonground.people.signals import person_emails_added

FETCH = ["id", "email_key", "external_id", "first_name", "last_name", "address_line1", "city",
         "country"]
_SCHEMA = {"id": pl.Int64, **{c: pl.Utf8 for c in FETCH[1:]}, "custom": pl.Utf8,
           "erased": pl.Boolean}
ERASED = "this person was erased and cannot be re-imported"


def _fetch(run: Any, field: str, values: list[str]) -> pl.DataFrame:
    rows = sql.roster_people(association_id=run.association.pk, field=field, values=values,
                             fields=FETCH)
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row").drop("custom")


def _billed(first: pl.Expr, last: pl.Expr, *parts: pl.Expr) -> pl.Expr:
    """``billing._billed_to`` of a person as an expression: name, street, city, country."""
    name = pl.concat_str([first, pl.lit(" "), last]).str.strip_chars()
    return pl.concat_list([name, *parts]).list.eval(
        pl.element().filter(pl.element() != "")).list.join(", ").str.slice(0, 250)


def resolve(run: Any, df: pl.DataFrame, now: str) -> tuple[pl.DataFrame, int]:
    """``df`` with ``pid``, ``billed_to`` and ``reason`` (for rows whose member cannot be
    found or made); creates the new people. Returns (rows, people created)."""
    keys = (df.sort("line").group_by("mkey", maintain_order=True).agg(
        email_key=pl.col("email_key").filter(pl.col("email_key") != "").first(),
        email=pl.col("email").filter(pl.col("email_key") != "").first(),
        external_id=pl.col("external_id").filter(pl.col("external_id") != "").first(),
        named=pl.struct("first_name", "last_name").filter(
            (pl.col("first_name") != "") | (pl.col("last_name") != "")).first())
        .with_columns(email_key=pl.col("email_key").fill_null(""),
                      email=pl.col("email").fill_null(""),
                      external_id=pl.col("external_id").fill_null(""),
                      first_name=pl.col("named").struct.field("first_name").fill_null(""),
                      last_name=pl.col("named").struct.field("last_name").fill_null(""))
        .drop("named"))
    by_email = _fetch(run, "email_key", keys.filter(pl.col("email_key") != "")
                      .get_column("email_key").to_list())
    keys = keys.join(by_email.select(email_key="email_key", pid_e="id", erased_e="erased"),
                     on="email_key", how="left", maintain_order="left")
    want_ext = keys.filter(pl.col("pid_e").is_null() & (pl.col("external_id") != ""))
    by_ext = _fetch(run, "external_id", want_ext.get_column("external_id").unique().to_list())
    by_ext = by_ext.filter(~pl.col("erased")).unique("external_id", keep="first",
                                                      maintain_order=True)
    keys = keys.join(by_ext.select("external_id", pid_x="id"), on="external_id", how="left",
                     maintain_order="left")
    keys = keys.with_columns(pid=pl.coalesce("pid_e", "pid_x"), reason=pl.when(
        pl.col("erased_e").fill_null(False)).then(pl.lit(ERASED)).when(
        pl.col("pid_e").is_null() & pl.col("pid_x").is_null() & (pl.col("email_key") == ""))
        .then(pl.lit("no member with id ") + pl.col("external_id")
              + pl.lit("; import the roster first: commonground import people FILE")))
    # New people take their ids in name order, as the roster's do (neighbours in the
    # name-ordered index).
    new = keys.filter(pl.col("pid").is_null() & pl.col("reason").is_null()).sort(
        "last_name", "first_name", maintain_order=True)
    ids = bulk.reserve_ids(Person, new.height)
    new = new.with_columns(pid=pl.Series(ids, dtype=pl.Int64))
    _create(run, new, now)
    known = pl.concat([by_email, by_ext]).unique("id").select(
        pid="id", billed_to=_billed(pl.col("first_name").fill_null(""),
                                    pl.col("last_name").fill_null(""),
                                    pl.col("address_line1").fill_null(""),
                                    pl.col("city").fill_null(""), pl.col("country").fill_null("")))
    keys = keys.join(new.select("mkey", new_pid="pid"), on="mkey", how="left",
                     maintain_order="left").with_columns(pid=pl.coalesce("pid", "new_pid"),
                                                         is_new=pl.col("new_pid").is_not_null())
    billed = pl.concat([known, new.select("pid", billed_to=_billed(pl.col("first_name"),
                                                                    pl.col("last_name")))])
    keys = keys.join(billed, on="pid", how="left", maintain_order="left")
    out = df.drop("reason").join(keys.select("mkey", "pid", "is_new", "billed_to", "reason"), on="mkey",
                                 how="left", maintain_order="left")
    return out, new.height


def _create(run: Any, new: pl.DataFrame, now: str) -> None:
    if new.height == 0:
        return
    frame = new.select(
        "pid", new_first_name="first_name", new_last_name="last_name", new_email="email",
        new_external_id="external_id",
        **{f"new_{f}": pl.lit("") for f in PERSON_GIVEN
           if f not in ("first_name", "last_name", "email", "external_id")},
        new_email_key="email_key", new_chapter_id=pl.lit(None, dtype=pl.Int64),
        new_custom=pl.lit("{}"))
    frame = frame.with_columns(new_search_text=search_texts(
        frame, "new_first_name", "new_last_name", "new_email"))
    insert_people(association_id=run.association.pk, actor_id=run.actor_id, new=frame, now=now)
    gained = new.filter(pl.col("email_key") != "").select("pid", "email_key")
    if gained.height:
        person_emails_added.send(sender=Person, association=run.association,
                                 people=gained.rows())
