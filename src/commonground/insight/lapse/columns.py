"""The activity, engagement-score and chapter columns of the lapse features, each as of
its row's cutoff (see ``dataset`` for the point-in-time rule they keep).

Two readings give the same columns: month by month (``sql.monthly_activity``, any cutoff:
running counts joined as of ``c - back`` months) and, for scoring today, per window
(``sql.activity_windows``, one row per person and bucket). ``h`` is a ``dataset.History``
(typed loosely: that module imports this one).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from . import features as F


def month_index(col: str) -> pl.Expr:
    """A date's month as a running index (year × 12 + month − 1)."""
    return (pl.col(col).dt.year().cast(pl.Int32) * 12 + pl.col(col).dt.month().cast(pl.Int32) - 1)


def _cumulative(act: pl.DataFrame, buckets: list[str]) -> pl.DataFrame:
    """Per person and month with activity: the running count per bucket up to that month
    and the last month each bucket was active (forward-filled), sorted by month."""
    wide = (act.with_columns(mi=month_index("month"))
            .pivot(on="bucket", index=["person_id", "mi"], values="n", aggregate_function="sum")
            .fill_null(0))
    # A bucket some other chunk's people have: zero here.
    wide = wide.with_columns(pl.lit(0, dtype=pl.Int32).alias(b) for b in buckets
                             if b not in wide.columns)
    member = [b for b in buckets if b not in F.RATE_ONLY]
    wide = wide.with_columns(all=pl.sum_horizontal([pl.col(b) for b in member])
                             if member else pl.lit(0)).sort(["person_id", "mi"])
    cols = [*buckets, "all"]
    wide = wide.with_columns(
        *[pl.col(b).cum_sum().over("person_id").alias(f"cum_{b}") for b in cols],
        *[pl.when(pl.col(b) > 0).then(pl.col("mi")).forward_fill().over("person_id")
          .alias(f"last_{b}") for b in cols],
        first_mi=pl.col("mi").min().over("person_id"))
    return wide.select("person_id", "mi", "first_mi", *[f"cum_{b}" for b in cols],
                       *[f"last_{b}" for b in cols]).sort("mi")


def _asof(base: pl.DataFrame, right: pl.DataFrame, *, by: str, back: int,
          cols: list[str], suffix: str) -> pl.DataFrame:
    """Each base row joined to ``right``'s latest row of the same ``by`` at month
    ``c - back`` or earlier (``cols`` renamed with ``suffix``)."""
    left = base.select("rid", by, t=(pl.col("c") - back).cast(pl.Int32)).sort("t")
    r = right.select(by, pl.col("mi").cast(pl.Int32), *cols).sort("mi")
    j = left.join_asof(r, left_on="t", right_on="mi", by=by, strategy="backward",
                       check_sortedness=False)
    return base.join(j.select("rid", *[pl.col(c).alias(c + suffix) for c in cols]), on="rid",
                     how="left")


def _windowed(act: pl.DataFrame, buckets: list[str]) -> pl.DataFrame:
    """The columns ``activity_columns``'s as-of joins give, from ``sql.activity_windows`` (every
    row's cutoff today): per person ``cum_<b>_<back>`` — the activities up to ``back``
    months before the cutoff's month of those read (the last ``dataset.RECENT_MONTHS``), the
    count of all read less the ``back - 1`` months after — ``last_<b>_0`` and
    ``first_mi_0``."""
    member = [b for b in buckets if b not in F.RATE_ONLY]
    act = act.with_columns(first=month_index("first_month"), last=month_index("last_month"))
    wide = act.pivot(on="bucket", index="person_id",
                     values=["n3", "n6", "n12", "n14", "last"], aggregate_function="first")
    # pivot names columns <value>_<bucket> when there are several values.
    for b in buckets:
        for v in ("n3", "n6", "n12", "n14"):
            if f"{v}_{b}" not in wide.columns:
                wide = wide.with_columns(pl.lit(0, dtype=pl.Int32).alias(f"{v}_{b}"))
        if f"last_{b}" not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Int32).alias(f"last_{b}"))
    wide = wide.with_columns(pl.col(f"{v}_{b}").fill_null(0) for b in buckets
                             for v in ("n3", "n6", "n12", "n14"))

    def total(v: str) -> pl.Expr:
        return pl.sum_horizontal([pl.col(f"{v}_{b}") for b in member]) if member \
            else pl.lit(0)
    wide = wide.with_columns(
        *[total(v).alias(f"{v}_all") for v in ("n3", "n6", "n12", "n14")],
        (pl.max_horizontal([pl.col(f"last_{b}") for b in member]) if member
         else pl.lit(None, dtype=pl.Int32)).alias("last_all"))
    first = act.group_by("person_id").agg(first_mi_0=pl.col("first").min())
    out = []
    for b in [*buckets, "all"]:
        n14 = pl.col(f"n14_{b}")
        out += [n14.alias(f"cum_{b}_0"), (n14 - pl.col(f"n3_{b}")).alias(f"cum_{b}_4"),
                (n14 - pl.col(f"n6_{b}")).alias(f"cum_{b}_7"),
                (n14 - pl.col(f"n12_{b}")).alias(f"cum_{b}_13"),
                pl.col(f"last_{b}").alias(f"last_{b}_0")]
    return wide.select("person_id", *out).join(first, on="person_id")


def activity_columns(base: pl.DataFrame, act: pl.DataFrame, buckets: list[str], *,
              windows: bool = False) -> pl.DataFrame:
    cols_b = [*buckets, "all"]
    if not len(act):
        return base
    if windows:
        base = base.join(_windowed(act, buckets), on="person_id", how="left")
    else:
        cum = _cumulative(act, buckets)
        cums = [f"cum_{b}" for b in cols_b]
        base = _asof(base, cum, by="person_id", back=1,
                     cols=[*cums, *[f"last_{b}" for b in cols_b], "first_mi"], suffix="_0")
        for back in (4, 7, 13):
            base = _asof(base, cum, by="person_id", back=back, cols=cums, suffix=f"_{back}")
    start = pl.min_horizontal(pl.col("first_mi_0"), pl.col("join_mi"))
    obs = (pl.col("c") - start).fill_null(0).clip(lower_bound=1).cast(pl.Float64)
    exprs = []

    def count(b: str, back: int) -> pl.Expr:
        return (pl.col(f"cum_{b}_0").fill_null(0) - pl.col(f"cum_{b}_{back}").fill_null(0)) \
            .cast(pl.Float64)

    for b in cols_b:
        if b in F.RATE_ONLY:
            continue
        r3 = count(b, 4) / pl.min_horizontal(pl.lit(3.0), obs)
        r12 = count(b, 13) / pl.min_horizontal(pl.lit(12.0), obs)
        r9 = (count(b, 13) - count(b, 4)) / pl.min_horizontal(pl.lit(9.0), (obs - 3)
                                                              .clip(lower_bound=1))
        exprs += [
            r3.alias(f"act_{b}_rate_3m"), r12.alias(f"act_{b}_rate_12m"),
            (pl.col("c") - 1 - pl.col(f"last_{b}_0")).cast(pl.Float64).fill_null(F.NEVER)
            .clip(upper_bound=F.NEVER).alias(f"act_{b}_since"),
            pl.when(obs >= 4).then((r3 + 0.05) / (r9 + 0.05)).alias(f"act_{b}_trend"),
        ]
    if "email_sent" in buckets:
        sent = count("email_sent", 7)
        for kind in ("open", "click"):
            if f"email_{kind}" in buckets:
                exprs.append(pl.when(sent > 0).then((count(f"email_{kind}", 7) / sent)
                                                    .clip(upper_bound=1.0))
                             .alias(f"email_{kind}_rate_6m"))
    base = base.with_columns(exprs)
    return base.drop([c for c in base.columns if c.startswith(("cum_", "last_", "first_mi"))])


def score_columns(base: pl.DataFrame, snaps: pl.DataFrame) -> pl.DataFrame:
    s = snaps.with_columns(mi=month_index("month")).with_columns(snap=pl.col("mi"))
    base = _asof(base, s, by="person_id", back=1, cols=["total", "snap"], suffix="_s0")
    base = _asof(base, s, by="person_id", back=4, cols=["total"], suffix="_s3")
    # A snapshot older than a year says little about the member now.
    fresh = (pl.col("c") - pl.col("snap_s0")) <= 12
    return base.with_columns(
        score_total=pl.when(fresh).then(pl.col("total_s0")),
        score_change_3m=pl.when(fresh).then(pl.col("total_s0") - pl.col("total_s3")),
    ).drop("total_s0", "snap_s0", "total_s3")


def chapter_columns(base: pl.DataFrame, h: Any) -> pl.DataFrame:
    """The activity of the person's chapter's members (chapter as recorded today)."""
    chapters = h.people.select("person_id", "chapter_id").filter(pl.col("chapter_id").is_not_null())
    if not len(chapters) or not len(h.activity):
        return base
    if h.windows:
        return _chapters_windowed(base, h, chapters)
    cache = getattr(h, "_chapter_cum", None)
    if cache is None:
        member = [b for b in h.buckets if b not in F.RATE_ONLY]
        monthly = (h.activity.filter(pl.col("bucket").is_in(member))
                   .join(chapters, on="person_id")
                   .with_columns(mi=month_index("month"))
                   .group_by("chapter_id", "mi").agg(n=pl.col("n").sum())
                   .sort(["chapter_id", "mi"])
                   .with_columns(cum=pl.col("n").cum_sum().over("chapter_id")))
        size = chapters.group_by("chapter_id").agg(size=pl.len())
        cache = (monthly.join(size, on="chapter_id"), chapters)
        h._chapter_cum = cache  # type: ignore[attr-defined]
    monthly, chapters = cache
    b = base.join(chapters, on="person_id", how="left")
    b = b.with_columns(chapter_id=pl.col("chapter_id").fill_null(-1))
    for back in (1, 4, 13):
        b = _asof(b, monthly, by="chapter_id", back=back, cols=["cum", "size"],
                  suffix=f"_ch{back}")
    size = pl.col("size_ch1").cast(pl.Float64)
    r3 = (pl.col("cum_ch1").fill_null(0) - pl.col("cum_ch4").fill_null(0)) / 3 / size
    r9 = (pl.col("cum_ch4").fill_null(0) - pl.col("cum_ch13").fill_null(0)) / 9 / size
    b = b.with_columns(chapter_rate_3m=r3, chapter_trend=(r3 + 0.01) / (r9 + 0.01))
    return b.drop([c for c in b.columns if "_ch" in c and c.endswith(("ch1", "ch4", "ch13"))]
                  + ["chapter_id"])


def _chapters_windowed(base: pl.DataFrame, h: Any, chapters: pl.DataFrame) -> pl.DataFrame:
    """``chapter_columns`` from activity windows (every cutoff today): the same sums, a chapter
    with no activity in the months read unknown as there."""
    cache = getattr(h, "_chapter_windows", None)
    if cache is None:
        member = [b for b in h.buckets if b not in F.RATE_ONLY]
        sums = (h.activity.filter(pl.col("bucket").is_in(member))
                .join(chapters, on="person_id")
                .group_by("chapter_id").agg(s3=pl.col("n3").sum(), s12=pl.col("n12").sum(),
                                            s14=pl.col("n14").sum())
                .filter(pl.col("s14") > 0))
        size = chapters.group_by("chapter_id").agg(size=pl.len())
        cache = sums.join(size, on="chapter_id")
        h._chapter_windows = cache  # type: ignore[attr-defined]
    b = base.join(chapters, on="person_id", how="left").join(cache, on="chapter_id",
                                                             how="left")
    size = pl.col("size").cast(pl.Float64)
    r3 = pl.col("s3") / 3 / size
    r9 = (pl.col("s12") - pl.col("s3")) / 9 / size
    b = b.with_columns(chapter_rate_3m=r3, chapter_trend=(r3 + 0.01) / (r9 + 0.01))
    return b.drop("chapter_id", "s3", "s12", "s14", "size")
