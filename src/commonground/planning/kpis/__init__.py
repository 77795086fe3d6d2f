"""KPIs of objectives: checking a definition, computing a value, the rows behind it, and
the daily snapshots that feed the burn-up (``definition`` reads, ``services`` writes)."""

from .definition import kpi_check, kpi_day, kpi_query, kpi_rows, kpi_value
from .services import kpi_history_fill, kpi_snapshots_take

__all__ = ["kpi_check", "kpi_day", "kpi_history_fill", "kpi_query", "kpi_rows",
           "kpi_snapshots_take", "kpi_value"]
