"""A mapping applied to a frame of text cells, column-wise (polars).

``apply`` returns the rows that read well as activity values (still without a person:
identities are resolved against the database in ``write``) and the rows that did not,
each with the first reason found. Nothing is dropped: every row of the input comes out in
exactly one of the two frames (blank rows excepted).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from commonground.core.batches.readers import LINE

from .dates import parse_datetimes

EMAIL_RE = r"^[^@\s]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,63}$"
HASH_RE = r"^[0-9a-f]{64}$"
QUANTITY_RE = r"^-?\d{1,11}(\.\d{1,3})?$"
AMOUNT_RE = r"^-?\d{1,12}(\.\d{1,2})?$"
IDENTITY_ORDER = ("email", "hash", "ext", "anon")
OUT_COLUMNS = ("line", "occurred_at", "kind", "category", "quantity", "amount", "currency",
               "offering_id", "metadata", "external_id", "email", "hash", "ext", "anon")


@dataclass
class Context:
    mapping: dict[str, Any]
    offerings: dict[str, int] = field(default_factory=dict)  # lower-cased slug/name → id


def _col(frame: pl.DataFrame, column: str | None) -> pl.Expr:
    """A text column, blank → null, or all nulls when the file lacks it."""
    if not column or column not in frame.columns:
        return pl.lit(None, dtype=pl.Utf8)
    c = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return pl.when(c == "").then(None).otherwise(c)


def _slug_kind(expr: pl.Expr) -> pl.Expr:
    return (expr.str.to_lowercase().str.replace_all(r"[^a-z0-9_.\-]+", "_")
            .str.strip_chars("_").str.slice(0, 40))


def apply(frame: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(activities, rejects). Rejects carry ``line``, ``reason`` and ``raw`` (JSON)."""
    m = ctx.mapping
    fields, ident, consts = m["fields"], m["identity"], m["constants"]
    data_cols = [c for c in frame.columns if c != LINE and not c.startswith("__")]
    # Blank rows (a trailing empty line, a spacer row) are not data.
    keep = [pl.col(c).is_not_null() & (pl.col(c) != "") for c in data_cols]
    if "__error" in frame.columns:
        keep.append(pl.col("__error").is_not_null())
    frame = frame.filter(pl.any_horizontal(keep)) if keep else frame.head(0)
    when_col = fields["occurred_at"]
    occurred = parse_datetimes(frame.with_columns(_col(frame, when_col).alias("__t")).get_column("__t"),
                               formats=m["date_formats"], timezone=m["timezone"],
                               unit=m["timestamp_unit"])

    raw_kind = _col(frame, fields.get("kind"))
    kinds = m["kinds"]
    lowered = raw_kind.str.to_lowercase()
    known = lowered.replace_strict(kinds, default=None, return_dtype=pl.Utf8) if kinds else \
        pl.lit(None, dtype=pl.Utf8)
    unknown = pl.lit(None, dtype=pl.Utf8) if m["unknown_kinds"] == "reject" else _slug_kind(raw_kind)
    kind = pl.coalesce(known, unknown, pl.lit(consts.get("kind") or None, dtype=pl.Utf8))

    default_cat = consts.get("category") or m["category"] or None
    category = _col(frame, fields.get("category")).str.to_lowercase()
    by_kind = (kind.replace_strict(m["categories"], default=None, return_dtype=pl.Utf8)
               if m["categories"] else pl.lit(None, dtype=pl.Utf8))
    category = pl.coalesce(by_kind, category, pl.lit(default_cat, dtype=pl.Utf8))

    quantity = pl.coalesce(_col(frame, fields.get("quantity")).str.replace_all(",", ""),
                           pl.lit(consts.get("quantity") or "1"))
    amount = _col(frame, fields.get("amount")).str.replace_all(r"[,\s$€£¥]", "")
    currency = pl.coalesce(_col(frame, fields.get("currency")).str.to_uppercase(),
                           pl.lit(consts.get("currency") or "", dtype=pl.Utf8))
    offering_text = pl.coalesce(_col(frame, fields.get("offering")),
                                pl.lit(consts.get("offering") or None, dtype=pl.Utf8))
    offering_id = (offering_text.str.to_lowercase().replace_strict(
        ctx.offerings, default=None, return_dtype=pl.Int64) if ctx.offerings
        else pl.lit(None, dtype=pl.Int64))

    email = _col(frame, ident.get("email")).str.to_lowercase()
    hashed = _col(frame, ident.get("hash")).str.to_lowercase()
    ext = _col(frame, ident.get("ext")).str.slice(0, 200)
    anon = _col(frame, ident.get("anon")).str.slice(0, 200)
    out = frame.select(
        pl.col(LINE).alias("line"),
        occurred.alias("occurred_at"),
        kind.alias("kind"), raw_kind.alias("_raw_kind"),
        category.alias("category"),
        quantity.alias("quantity"), amount.alias("amount"), currency.alias("currency"),
        offering_id.alias("offering_id"), offering_text.alias("_offering"),
        _metadata(frame, m["metadata"]).alias("metadata"),
        _external(frame, fields.get("external_id")).alias("external_id"),
        email.alias("_email_raw"), hashed.alias("_hash_raw"), ext.alias("ext"), anon.alias("anon"),
        _col(frame, when_col).alias("_when"),
        (pl.col("__error") if "__error" in frame.columns else pl.lit(None, dtype=pl.Utf8)).alias("_err"),
    )
    out = out.with_columns(
        pl.when(pl.col("_email_raw").str.contains(EMAIL_RE) & (pl.col("_email_raw").str.len_chars() <= 240))
        .then(pl.col("_email_raw")).alias("email"),
        pl.when(pl.col("_hash_raw").str.contains(HASH_RE)).then(pl.col("_hash_raw")).alias("hash"),
    )
    out = out.with_columns(_reason(m).alias("reason"))
    good = out.filter(pl.col("reason").is_null())
    bad = out.filter(pl.col("reason").is_not_null())
    good = _digest_missing_ids(good)
    activities = good.with_columns(
        pl.col("amount").cast(pl.Decimal(14, 2), strict=False),
        pl.col("quantity").cast(pl.Decimal(14, 3), strict=False),
    ).select(OUT_COLUMNS)
    rejects = bad.select("line", pl.col("reason").str.slice(0, 500))
    return activities, _with_raw(rejects, frame)


def _metadata(frame: pl.DataFrame, metadata: dict[str, str]) -> pl.Expr:
    """A JSON object of the non-blank metadata cells, built column-wise."""
    parts = []
    for key, column in metadata.items():
        c = _col(frame, column)
        # json_encode of a one-field struct escapes the value; drop its braces.
        encoded = pl.struct(c.alias(key)).struct.json_encode()
        parts.append(pl.when(c.is_not_null()).then(encoded.str.slice(1, encoded.str.len_chars() - 2)))
    if not parts:
        return pl.lit("{}")
    return pl.concat_str([pl.lit("{"), pl.concat_str(parts, separator=",", ignore_nulls=True),
                          pl.lit("}")])


def _external(frame: pl.DataFrame, spec: str | list[str] | None) -> pl.Expr:
    if not spec:
        return pl.lit(None, dtype=pl.Utf8)
    columns = spec if isinstance(spec, list) else [spec]
    if len(columns) == 1:
        return _col(frame, columns[0]).str.slice(0, 200)
    parts = [_col(frame, c) for c in columns]
    joined = pl.concat_str([p.fill_null("") for p in parts], separator=":")
    return pl.when(pl.any_horizontal([p.is_not_null() for p in parts])).then(joined.str.slice(0, 200))


def _reason(m: dict[str, Any]) -> pl.Expr:
    """The first problem of each row, or null."""
    when_col = m["fields"]["occurred_at"]
    kind_col = m["fields"].get("kind") or "kind"
    ident_cols = ", ".join(m["identity"].values())

    def quoted(c: str) -> pl.Expr:
        return pl.concat_str([pl.lit("'"), pl.col(c).str.slice(0, 80), pl.lit("'")])

    no_identity = (pl.col("email").is_null() & pl.col("hash").is_null() & pl.col("ext").is_null()
                   & pl.col("anon").is_null())
    return (
        pl.when(pl.col("_err").is_not_null()).then(pl.col("_err"))
        .when(pl.col("_when").is_null()).then(pl.lit(f"{when_col}: empty (when it happened is required)"))
        .when(pl.col("occurred_at").is_null()).then(
            pl.concat_str([pl.lit(f"{when_col}: "), quoted("_when"), pl.lit(" is not a date and time")]))
        .when(pl.col("kind").is_null() & pl.col("_raw_kind").is_not_null()).then(
            pl.concat_str([pl.lit(f"{kind_col}: "), quoted("_raw_kind"),
                           pl.lit(" is not a kind this mapping knows")]))
        .when(pl.col("kind").is_null() | (pl.col("kind") == "")).then(pl.lit(f"{kind_col}: empty"))
        .when(pl.col("category").is_null()).then(pl.lit("no category for this kind"))
        .when(~pl.col("quantity").str.contains(QUANTITY_RE)).then(
            pl.concat_str([pl.lit("quantity: "), quoted("quantity"), pl.lit(" is not a number")]))
        .when(pl.col("amount").is_not_null() & ~pl.col("amount").str.contains(AMOUNT_RE)).then(
            pl.concat_str([pl.lit("amount: "), quoted("amount"),
                           pl.lit(" is not an amount (up to 2 decimals)")]))
        .when((pl.col("currency") != "") & ~pl.col("currency").str.contains(r"^[A-Z]{3}$")).then(
            pl.concat_str([pl.lit("currency: "), quoted("currency"), pl.lit(" is not a currency code")]))
        .when(no_identity & pl.col("_email_raw").is_not_null()).then(
            pl.concat_str([pl.lit("email: "), quoted("_email_raw"), pl.lit(" is not an email address")]))
        .when(no_identity & pl.col("_hash_raw").is_not_null()).then(
            pl.concat_str([pl.lit("hashed email: "), quoted("_hash_raw"),
                           pl.lit(" is not a sha256 hex digest")]))
        .when(no_identity).then(pl.lit(f"no identity: {ident_cols} all empty"))
        .otherwise(None)
    )


def _digest_missing_ids(good: pl.DataFrame) -> pl.DataFrame:
    """Rows without an id of their own get a stable digest of the mapped row ("~" + 39 hex):
    re-ingesting the same export then adds nothing."""
    if good.height == 0 or good.get_column("external_id").null_count() == 0:
        return good
    parts = [pl.col("occurred_at").dt.epoch("us").cast(pl.Utf8), pl.col("kind"), pl.col("email"),
             pl.col("hash"), pl.col("ext"), pl.col("anon"), pl.col("quantity"), pl.col("amount"),
             pl.col("currency"), pl.col("_offering"), pl.col("metadata")]
    key = pl.concat_str([p.fill_null("") for p in parts], separator="\x1f")
    # Only the rows lacking an id are hashed, from keys polars builds as bytes: the Python
    # loop is sha1 and one format (polars has no stable cryptographic hash, and the digests
    # must stay those already stored, or a re-ingest would add every row again).
    # The digest starts with the time (hex seconds): exports come roughly in time order, so
    # new keys land together in the unique index instead of all over it.
    missing = good.get_column("external_id").is_null()
    todo = good.filter(missing).select(
        key.cast(pl.Binary).alias("k"), pl.col("occurred_at").dt.epoch("s").clip(0).alias("s"))
    sha1 = hashlib.sha1
    digests = [f"~{s:09x}{sha1(k).hexdigest()[:30]}" for k, s in zip(
        todo.get_column("k").to_list(), todo.get_column("s").to_list(), strict=True)]
    ids = good.get_column("external_id").scatter(missing.arg_true(), digests)
    return good.with_columns(ids.alias("external_id"))


def _with_raw(rejects: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """The rejected rows as read, as JSON objects (column → cell), for ``ActivityReject.raw``."""
    if rejects.height == 0:
        return rejects.with_columns(pl.lit("{}").alias("raw"), pl.lit("").alias("row_digest"))
    cols = [c for c in frame.columns if c != LINE and c not in ("__error",)]
    rows = frame.join(rejects.select("line"), left_on=LINE, right_on="line", how="semi")
    raw = rows.select(pl.col(LINE).alias("line"),
                      (pl.struct([pl.col(c).alias("__raw" if c == "__raw" else c) for c in cols])
                       .struct.json_encode() if cols else pl.lit("{}")).alias("raw"))
    out = rejects.join(raw, on="line", how="left").with_columns(pl.col("raw").fill_null("{}"))
    digests = [hashlib.sha1(r.encode()).hexdigest() for r in out.get_column("raw").to_list()]
    return out.with_columns(pl.Series("row_digest", digests, dtype=pl.Utf8))
