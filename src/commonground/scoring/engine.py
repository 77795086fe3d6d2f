"""Computing scores: the items a person's score is made of, their points, the sub-scores.

One implementation for everything (the full recompute, an incremental update of a few
people, explaining one person, scoring "as of" a past renewal decision): ``items`` gathers
``(person_id, key, category, events, decayed)`` rows set-based — activities through
``sql.activity_items``, verified contributions and outcomes through the ORM — and
``score_items`` turns them into points with one configuration, column-wise (polars).

An item's points are ``min(decayed events × weight, cap)``; a side's raw points are the
sum of its items plus ``breadth_bonus`` per extra category it draws on; its sub-score is
``100 × (1 − e^(−raw / saturation))`` (0–100, diminishing returns); the total is the
shares' weighted mean of the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import polars as pl
from django.db.models import Q

from commonground.engagement.models import Contribution, ContributionStatus, Outcome
from commonground.people.models import Person
from commonground.tenancy.clock import association_zone
from commonground.tenancy.models import Association, StaffMember

from . import sql

ITEM_SCHEMA = {"person_id": pl.Int64, "key": pl.Utf8, "category": pl.Utf8, "kind": pl.Utf8,
               "source": pl.Utf8, "n": pl.Int64, "decayed": pl.Float64}
SCORE_COLUMNS = ("person_id", "derived", "created", "total", "level")


def moment(association: Association, as_of: date) -> datetime:
    """The end of ``as_of`` in the association's time zone: what "as of that day" counts."""
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=association_zone(association))


def staff_person_ids(association: Association) -> set[int]:
    """People who are staff of the association (their user holds a role, or their email is
    a staff user's): their activity is work, not engagement, and never scores."""
    staff = StaffMember.objects.filter(association=association).values_list("user_id", "user__email")
    users = {u for u, _ in staff}
    emails = {e.strip().lower() for _, e in staff if e}
    if not users and not emails:
        return set()
    return set(Person.objects.filter(Q(user_id__in=users) | Q(email_key__in=emails))
               .values_list("id", flat=True))


def _frame(rows: list[tuple], source: str) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=ITEM_SCHEMA)
    if source == "a":
        f = pl.DataFrame(rows, schema={"person_id": pl.Int64, "category": pl.Utf8, "kind": pl.Utf8,
                                       "n": pl.Int64, "decayed": pl.Float64}, orient="row")
        f = f.with_columns(pl.lit("a").alias("source"))
    else:
        f = pl.DataFrame(rows, schema={"person_id": pl.Int64, "kind": pl.Utf8, "n": pl.Int64,
                                       "decayed": pl.Float64}, orient="row")
        f = f.with_columns(pl.lit(source).alias("source"),
                           pl.lit("contributions" if source == "c" else "outcomes").alias("category"))
    key = pl.concat_str([pl.col("source"), pl.lit(":"),
                         *([pl.col("category"), pl.lit(":")] if source == "a" else []),
                         pl.col("kind")])
    # Keys go into components JSON written column-wise: keep them to a safe alphabet.
    safe = key.str.to_lowercase().str.replace_all(r"[^a-z0-9_.:-]", "_").str.slice(0, 80)
    return f.with_columns(safe.alias("key")).select(list(ITEM_SCHEMA))


def dated_items(model: type, *, association: Association, as_of: date, cfg: dict[str, Any],
                lo: int | None = None, hi: int | None = None,
                person_ids: Sequence[int] | None = None) -> pl.DataFrame:
    """Verified contributions (``Contribution``) or outcomes (``Outcome``) per person and
    kind, decayed by their date, for people in ``(lo, hi]`` or among ``person_ids``."""
    since = as_of - timedelta(days=cfg["lookback_days"])
    qs = model.objects.filter(occurred_on__gt=since, occurred_on__lte=as_of)
    if model is Contribution:
        qs = qs.filter(status=ContributionStatus.VERIFIED)
    if lo is not None:
        qs = qs.filter(person_id__gt=lo)
    if hi is not None:
        qs = qs.filter(person_id__lte=hi)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    half = cfg["half_life_days"]
    acc: dict[tuple[int, str], list[float]] = {}
    for pid, kind, on in qs.values_list("person_id", "kind", "occurred_on").iterator():
        slot = acc.setdefault((pid, kind), [0, 0.0])
        slot[0] += 1
        slot[1] += 0.5 ** ((as_of - on).days / half)
    rows = [(pid, kind, int(n), d) for (pid, kind), (n, d) in acc.items()]
    return _frame(rows, "c" if model is Contribution else "o")


def activity_chunks(*, association: Association, as_of: date, cfg: dict[str, Any],
                    person_ids: Sequence[int] | None = None, after_person_id: int = 0
                    ) -> Iterator[pl.DataFrame]:
    """The activity items, a fetch at a time, ordered by person."""
    for rows in sql.activity_items(association_id=association.pk, now=moment(association, as_of),
                                   lookback_days=cfg["lookback_days"],
                                   half_life_days=cfg["half_life_days"], person_ids=person_ids,
                                   after_person_id=after_person_id):
        yield _frame(rows, "a")


def items_for(*, association: Association, as_of: date, cfg: dict[str, Any],
              person_ids: Sequence[int]) -> pl.DataFrame:
    """Every item of these people (incremental updates, explain, scoring as of a date)."""
    ids = list(person_ids)
    parts = [*activity_chunks(association=association, as_of=as_of, cfg=cfg, person_ids=ids),
             dated_items(Contribution, association=association, as_of=as_of, cfg=cfg, person_ids=ids),
             dated_items(Outcome, association=association, as_of=as_of, cfg=cfg, person_ids=ids)]
    return pl.concat(parts, how="vertical")


def _rules(cfg: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    cats = pl.DataFrame(
        [(c, r["side"], float(r["weight"])) for c, r in cfg["categories"].items()],
        schema={"category": pl.Utf8, "c_side": pl.Utf8, "c_weight": pl.Float64}, orient="row")
    kinds = pl.DataFrame(
        [(k, r.get("side"), r.get("weight"), r.get("cap")) for k, r in cfg["kinds"].items()],
        schema={"kind": pl.Utf8, "k_side": pl.Utf8, "k_weight": pl.Float64, "k_cap": pl.Float64},
        orient="row")
    dated = pl.DataFrame(
        [(src, k, float(w)) for src, part in (("c", "contributions"), ("o", "outcomes"))
         for k, w in cfg[part].items() if k != "default"],
        schema={"source": pl.Utf8, "kind": pl.Utf8, "d_weight": pl.Float64}, orient="row")
    return cats, kinds, dated


def weigh(items: pl.DataFrame, cfg: dict[str, Any], *, staff: set[int] | None = None
          ) -> pl.DataFrame:
    """Items with their ``side``, ``weight``, ``cap``, ``raw`` (decayed × weight) and
    ``points`` (capped); ignored kinds and staff people left out."""
    cats, kinds, dated = _rules(cfg)
    if staff:
        items = items.filter(~pl.col("person_id").is_in(list(staff)))
    f = (items.join(cats, on="category", how="left")
         .join(kinds, on="kind", how="left")
         .join(dated, on=["source", "kind"], how="left"))
    is_a = pl.col("source") == "a"
    side = (pl.when(is_a).then(pl.coalesce("k_side", "c_side", pl.lit("derived")))
            .when(pl.col("source") == "c").then(pl.lit("created")).otherwise(pl.lit("derived")))
    weight = (pl.when(is_a).then(pl.col("c_weight").fill_null(0.0) * pl.col("k_weight").fill_null(1.0))
              .when(pl.col("source") == "c")
              .then(pl.col("d_weight").fill_null(float(cfg["contributions"]["default"])))
              .otherwise(pl.col("d_weight").fill_null(float(cfg["outcomes"]["default"]))))
    cap = pl.when(is_a).then(pl.col("k_cap")).otherwise(None).fill_null(float(cfg["cap_per_kind"]))
    f = f.with_columns(side.alias("side"), weight.alias("weight"), cap.alias("cap"))
    f = f.filter(pl.col("side") != "ignore").with_columns(
        (pl.col("decayed") * pl.col("weight")).alias("raw"))
    f = f.with_columns(pl.min_horizontal("raw", "cap").alias("points"))
    return f.select("person_id", "key", "category", "kind", "source", "side", "n", "decayed",
                    "weight", "cap", "raw", "points")


def sides(weighed: pl.DataFrame, cfg: dict[str, Any]) -> pl.DataFrame:
    """Per person: raw points, categories and breadth per side, the sub-scores and total."""
    bonus = float(cfg["breadth_bonus"])
    scoring = weighed.filter(pl.col("points") > 0)
    per = (scoring.group_by("person_id", "side")
           .agg(pl.col("points").sum().alias("items"), pl.col("category").n_unique().alias("cats")))
    per = per.with_columns(((pl.col("cats") - 1).clip(lower_bound=0) * bonus).alias("breadth"))
    per = per.with_columns((pl.col("items") + pl.col("breadth")).alias("raw"))
    wide = per.pivot(on="side", index="person_id", values=["raw", "breadth", "cats"]) \
        if per.height else pl.DataFrame(schema={"person_id": pl.Int64})
    for side in ("derived", "created"):
        for col in ("raw", "breadth", "cats"):
            name = f"{col}_{side}"
            if name not in wide.columns:
                wide = wide.with_columns(pl.lit(0.0).alias(name))
        sat = float(cfg["saturation"][side])
        wide = wide.with_columns(
            pl.col(f"raw_{side}").fill_null(0.0), pl.col(f"breadth_{side}").fill_null(0.0),
            pl.col(f"cats_{side}").fill_null(0).cast(pl.Int64))
        wide = wide.with_columns(
            (100.0 * (1.0 - (-pl.col(f"raw_{side}") / sat).exp())).alias(side))
    ds, cs = float(cfg["shares"]["derived"]), float(cfg["shares"]["created"])
    return wide.with_columns(
        ((pl.col("derived") * ds + pl.col("created") * cs) / (ds + cs)).alias("total"))


@dataclass
class Prior:
    """What the person's current score holds that slow demotion needs."""

    level: int
    level_since: date | None
    below_since: date | None


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def hold_level(*, computed: int, prior: Prior | None, as_of: date, months: int
               ) -> tuple[int, date, date | None]:
    """Slow demotion: ``(level, level_since, below_since)``. Promotion is at once; a lower
    level only once the total has stayed below the held one for ``months`` months."""
    if prior is None:
        return computed, as_of, None
    if computed >= prior.level:
        since = prior.level_since if computed == prior.level and prior.level_since else as_of
        return computed, since, None
    below = prior.below_since or as_of
    if months_between(below, as_of) >= months:
        return computed, as_of, None
    return prior.level, prior.level_since or as_of, below


def components_json(weighed: pl.DataFrame) -> pl.DataFrame:
    """``person_id, components`` (JSON text: key → [events, decayed events]), column-wise."""
    if weighed.height == 0:
        return pl.DataFrame(schema={"person_id": pl.Int64, "components": pl.Utf8})
    item = pl.format('"{}":[{},{}]', pl.col("key"), pl.col("n"), pl.col("decayed").round(4))
    return (weighed.group_by("person_id").agg(item.str.join(",").alias("c"))
            .select("person_id", pl.concat_str([pl.lit("{"), pl.col("c"), pl.lit("}")]).alias("components")))


def score_people(*, people: Sequence[int], items: pl.DataFrame, cfg: dict[str, Any],
                 staff: set[int], priors: dict[int, Prior], as_of: date) -> pl.DataFrame:
    """The score rows of ``people`` (everyone listed gets one; no items: 0)."""
    weighed = weigh(items, cfg, staff=staff)
    per = sides(weighed, cfg)
    base = pl.DataFrame({"person_id": [p for p in people if p not in staff]},
                        schema={"person_id": pl.Int64})
    out = base.join(per.select("person_id", "derived", "created", "total"), on="person_id",
                    how="left").with_columns(pl.col("derived", "created", "total").fill_null(0.0))
    out = out.join(components_json(weighed), on="person_id", how="left").with_columns(
        pl.col("components").fill_null("{}"))
    thresholds = [m for _, m in cfg["levels"]]
    # The level the total reaches: the count of minimums at or under it, less one.
    computed = sum((pl.col("total") >= m).cast(pl.Int64) for m in thresholds) - 1
    out = out.with_columns(computed.alias("computed"))
    months = int(cfg["demotion_months"])
    levels, since, below = [], [], []
    for pid, level in zip(out.get_column("person_id").to_list(), out.get_column("computed").to_list(),
                          strict=True):
        lv, ls, bs = hold_level(computed=level, prior=priors.get(pid), as_of=as_of, months=months)
        levels.append(lv)
        since.append(ls)
        below.append(bs)
    return out.with_columns(pl.Series("level", levels, dtype=pl.Int64),
                            pl.Series("level_since", since, dtype=pl.Date),
                            pl.Series("below_since", below, dtype=pl.Date)).drop("computed")


def explain_items(components: dict[str, list], cfg: dict[str, Any]) -> dict[str, Any]:
    """A stored score's items with the weights of ``cfg`` (its own version): the rows of
    "why 72?", the breadth bonus and the sub-scores, recomputed from what was counted."""
    rows = []
    for key, (n, decayed) in components.items():
        source, _, rest = key.partition(":")
        category, _, kind = rest.rpartition(":") if source == "a" else (
            "contributions" if source == "c" else "outcomes", "", rest)
        rows.append((0, key, category, kind, source, int(n), float(decayed)))
    items = pl.DataFrame(rows, schema=ITEM_SCHEMA, orient="row")
    weighed = weigh(items, cfg)
    per = sides(weighed, cfg)
    summary = per.row(0, named=True) if per.height else {}
    out = {"items": weighed.sort("points", descending=True).drop("person_id").to_dicts(),
           "sides": {}}
    for side in ("derived", "created"):
        out["sides"][side] = {
            "score": round(float(summary.get(side, 0.0)), 1),
            "raw": round(float(summary.get(f"raw_{side}", 0.0)), 2),
            "breadth": round(float(summary.get(f"breadth_{side}", 0.0)), 2),
            "categories": int(summary.get(f"cats_{side}", 0) or 0),
            "saturation": cfg["saturation"][side], "share": cfg["shares"][side]}
    out["total"] = round(float(summary.get("total", 0.0)), 1)
    return out


def parse_components(value: Any) -> dict[str, list]:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return value or {}
