"""The metric catalogue: numbers computed from live data that planning turns into KPIs.

A metric is registered by the app that owns its data, in that app's ``metrics.py`` (found
by ``autodiscover`` when the app registry is ready, as ``nav.py`` and ``filters.py`` are),
so the catalogue is code every new app extends and core names no app. Planning's
objectives and the balance view pick metrics by key; their definitions are checked here
(unknown metric, unknown filter, a filter value that names nothing) before anything is
stored.

A metric is either a **flow** (how many joined between two dates: summed over a period)
or a **stock** (how many members are active on a day: read at the period's end). Every
metric can list the rows behind its figure (``rows``): the drill-down.
"""

from .registry import (
    Drilldown,
    FilterSpec,
    Metric,
    MetricQuery,
    autodiscover,
    catalogue,
    compute_all,
    get,
    register_family,
    register_metric,
    validate,
)

__all__ = ["Drilldown", "FilterSpec", "Metric", "MetricQuery", "autodiscover", "catalogue",
           "compute_all", "get", "register_family", "register_metric", "validate"]
