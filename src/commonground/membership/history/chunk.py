"""One chunk of whole members: match and create people, then the memberships."""

from __future__ import annotations

from typing import Any

import polars as pl


def process(run: Any, rows: pl.DataFrame, errors: list[list]) -> dict[str, int]:
    raise NotImplementedError
