"""Column-wise (polars) versions of the import's normalisation fast paths.

Each function takes a whole column and returns what ``fastnorm`` returns per value. The
vectorised test accepts only a strict subset of what the per-value fast path accepts
(ASCII shapes, checked with the same rules); every other non-blank value goes through the
per-value function itself, so the results are the same value for value (the property
tests in ``tests/test_import_vector.py`` check it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import phonenumbers
import polars as pl
from email_validator import SPECIAL_USE_DOMAIN_NAMES

from commonground.core.errors import ValidationFailed

from .fastnorm import NANP_REGIONS, TYPE_DESCS, fast_email, fast_phone

# What Python's str.strip() removes (Rust's trim lacks e.g. \x1c-\x1f).
PY_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
            "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

_EMAIL = (r"^([A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*)@"
          r"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})$")
_SPECIAL = "(?:^|\\.)(?:" + "|".join(re.escape(d) for d in SPECIAL_USE_DOMAIN_NAMES) + ")$"


def strip(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars(PY_SPACE)


def first_message(exc: ValidationFailed) -> str:
    for messages in exc.fields.values():
        if messages:
            return str(messages[0])
    return exc.message


def _fallback(values: list[str | None], todo: Iterable[int], fn: Callable[[int, str], str]
              ) -> tuple[dict[int, str], dict[int, str]]:
    done: dict[int, str] = {}
    errors: dict[int, str] = {}
    for i in todo:
        try:
            done[i] = fn(i, values[i])
        except ValidationFailed as exc:
            errors[i] = first_message(exc)
    return done, errors


def _patch(fast: pl.Series, done: dict[int, str], name: str) -> pl.Series:
    if not done:
        return fast.rename(name)
    out = fast.to_list()
    for i, v in done.items():
        out[i] = v
    return pl.Series(name, out, dtype=pl.Utf8)


def _errors(n: int, errors: dict[int, str]) -> pl.Series:
    out: list[str | None] = [None] * n
    for i, v in errors.items():
        out[i] = v
    return pl.Series("error", out, dtype=pl.Utf8)


def emails(values: pl.Series) -> pl.DataFrame:
    """Stripped cells → columns email (normalised, "" if blank or bad), email_key (lower
    case) and error (the reason, or null) — exactly what ``fast_email`` gives per value."""
    df = pl.DataFrame({"v": values.cast(pl.Utf8).fill_null("")})
    df = df.with_columns(m=pl.col("v").str.extract_groups(_EMAIL)).unnest("m")
    local, domain = pl.col("1"), pl.col("2").str.to_lowercase()
    fast = df.select(
        ok=(local.is_not_null() & (pl.col("v").str.len_bytes() <= 200)
            & (local.str.len_bytes() <= 64) & ~domain.str.contains("--", literal=True)
            & ~domain.str.contains(_SPECIAL)).fill_null(False),
        email=pl.concat_str([local, pl.lit("@"), domain]),
    ).with_columns(email=pl.when(pl.col("ok")).then(pl.col("email")).otherwise(pl.lit("")))
    ok = fast.get_column("ok")
    raw = df.get_column("v").to_list()
    todo = [i for i in (~ok & (df.get_column("v") != "")).arg_true().to_list()]
    done, errors = _fallback(raw, todo, lambda i, v: fast_email(v))
    email = _patch(fast.get_column("email").fill_null(""), done, "email")
    key = _patch(fast.get_column("email").fill_null("").str.to_lowercase(),
                 {i: v.lower() for i, v in done.items()}, "email_key")
    return pl.DataFrame([email, key, _errors(len(df), errors)])


@lru_cache(maxsize=64)
def _region_exprs(region: str) -> pl.Expr | None:
    """phonenumbers' validity for one region (see ``fastnorm._region_rules``) as an
    expression on the 10-digit national number column ``n``."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None \
            or metadata.general_desc.national_number_pattern is None:
        return None

    def check(desc) -> pl.Expr:
        lengths = set(desc.possible_length or ())
        expr = pl.col("n").str.contains(f"^(?:{desc.national_number_pattern})$")
        return expr if not lengths or 10 in lengths else pl.lit(False)

    types = [check(d) for d in (getattr(metadata, t) for t in TYPE_DESCS)
             if d is not None and d.national_number_pattern is not None]
    return check(metadata.general_desc) & pl.any_horizontal(types or [pl.lit(False)])


def phones(values: pl.Series, regions: pl.Series) -> pl.DataFrame:
    """Stripped cells and the row's region → columns phone (E.164, "" if blank) and error,
    exactly what ``fast_phone`` gives per value."""
    df = pl.DataFrame({"v": values.cast(pl.Utf8).fill_null(""), "r": regions.cast(pl.Utf8)})
    df = df.with_columns(c=pl.col("v").str.replace_all(r"[\s().\-/]", ""))
    df = df.with_columns(n=pl.coalesce(
        pl.col("c").str.extract(r"^\+1([2-9][0-9]{9})$"),
        pl.when(pl.col("r").is_in(list(NANP_REGIONS)))
        .then(pl.col("c").str.extract(r"^1?([2-9][0-9]{9})$"))))
    ok = pl.lit(False)
    for region in df.get_column("r").unique().to_list():
        if region in NANP_REGIONS and (rule := _region_exprs(region)) is not None:
            ok = ok | ((pl.col("r") == region) & rule)
    df = df.with_columns(ok=(pl.col("n").is_not_null() & ok).fill_null(False))
    raw, region = df.get_column("v").to_list(), df.get_column("r").to_list()
    todo = (~df.get_column("ok") & (df.get_column("v") != "")).arg_true().to_list()
    done, errors = _fallback(raw, todo, lambda i, v: fast_phone(v, region=region[i]))
    fast = df.select(pl.when(pl.col("ok")).then(pl.lit("+1") + pl.col("n")).otherwise(pl.lit("")))
    return pl.DataFrame([_patch(fast.to_series(), done, "phone"), _errors(len(df), errors)])


def map_distinct(values: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """``fn`` once per distinct value (dates, plans, countries… repeat a lot)."""
    cache: dict[Any, Any] = {}
    out = []
    for v in values:
        try:
            out.append(cache[v])
        except KeyError:
            cache[v] = r = fn(v)
            out.append(r)
        except TypeError:  # unhashable cell
            out.append(fn(v))
    return out
