"""Registry and the checks of a metric definition (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.utils.module_loading import autodiscover_modules

from commonground.core.errors import ValidationFailed

Kind = Literal["flow", "stock"]
Unit = Literal["count", "money", "percent", "score"]
SideName = Literal["mission", "business", "both"]


@dataclass(frozen=True)
class FilterSpec:
    """One filter a metric takes (``plan``, ``chapter``, ``source``, ``offering``, ``kind``…).

    ``resolve(association, raw)`` returns the value the metric's ``compute`` gets (a model
    id, a slug, a string) or raises ``ValueError`` with a message for the user, e.g.
    "no plan 'gold'". ``choices(association)`` lists ``(value, label)`` for the picker.
    """

    name: str
    label: str
    resolve: Callable[[Any, str], Any]
    choices: Callable[[Any], Iterable[tuple[str, str]]] | None = None
    help: str = ""


@dataclass(frozen=True)
class MetricQuery:
    """What a metric is asked: the period (both days inclusive, in the association's
    dates) and the resolved filter values by name. A flow counts what happened from
    ``start`` to ``end``; a stock is read on ``end``."""

    start: date
    end: date
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Drilldown:
    """The rows behind a figure: a queryset (people, activities, invoices…), the columns
    to show as ``(header, accessor)`` where the accessor is a field path for
    ``values_list`` or a callable on the row object, and a link per row when one exists."""

    queryset: Any
    columns: Sequence[tuple[str, str | Callable[[Any], Any]]]
    link: Callable[[Any], str] | None = None
    noun: str = "rows"


@dataclass(frozen=True)
class Metric:
    """One entry of the catalogue.

    ``compute(association, query) -> Decimal`` runs one set-based query (no per-row loop:
    a plan's thirty KPIs are computed in about two seconds over 10M activities).
    ``series(association, query, days) -> {day: Decimal}``, when given, computes the
    value at each of ``days`` in one pass (used to fill a new objective's history);
    without it each day is computed on its own. ``rows(association, query)`` is the
    drill-down. ``side`` is where the balance view puts it by default.
    """

    key: str
    label: str
    kind: Kind
    compute: Callable[[Any, MetricQuery], Decimal]
    rows: Callable[[Any, MetricQuery], Drilldown]
    unit: Unit = "count"
    side: SideName = "both"
    filters: tuple[FilterSpec, ...] = ()
    series: Callable[[Any, MetricQuery, Sequence[date]], dict[date, Decimal]] | None = None
    group: str = "Membership"
    help: str = ""
    order: int = 100
    # Metrics of one family (e.g. every count over the activity table) can be computed
    # together by the family's ``compute_many`` (``register_family``): one pass over the
    # rows for a whole plan's KPIs instead of one scan each.
    family: str = ""

    def filter_spec(self, name: str) -> FilterSpec | None:
        return next((f for f in self.filters if f.name == name), None)


_metrics: dict[str, Metric] = {}
ComputeMany = Callable[[Any, Sequence[tuple[Metric, MetricQuery]]], list[Decimal]]
_families: dict[str, ComputeMany] = {}


def register_metric(metric: Metric) -> Metric:
    """Add a metric; registering the same key again replaces it (module reloads)."""
    if "." not in metric.key:
        raise ValueError(f"metric keys are '<app>.<name>', not {metric.key!r}")
    _metrics[metric.key] = metric
    return metric


def register_family(name: str, compute_many: ComputeMany) -> None:
    """``compute_many(association, [(metric, query), …])`` returns each pair's value, in
    order, as ``metric.compute`` would (the family's metrics name ``family=name``)."""
    _families[name] = compute_many


def compute_all(association: Any, items: Sequence[tuple[Metric, MetricQuery]], *,
                workers: int = 1) -> list[Decimal]:
    """Every pair's value: a family's pairs in one ``compute_many`` call, the rest one by
    one. With ``workers`` > 1 the calls run on that many threads, each with its own
    database connection (closed after), so a family's one long read overlaps the many
    short ones; only for reads of committed data outside a transaction (another
    connection cannot see this one's uncommitted rows)."""
    calls: list[tuple[list[int], Callable[[], list[Decimal]]]] = []
    grouped: dict[str, list[int]] = {}
    for i, (metric, query) in enumerate(items):
        if metric.family and metric.family in _families:
            grouped.setdefault(metric.family, []).append(i)
        else:
            calls.append(([i], lambda m=metric, q=query: [m.compute(association, q)]))
    for family, indexes in grouped.items():
        pairs = [items[i] for i in indexes]
        # The families' single long reads first, so the short ones fill in around them.
        calls.insert(0, (indexes, lambda f=family, p=pairs: _families[f](association, p)))
    out: list[Decimal] = [Decimal(0)] * len(items)
    if workers <= 1 or len(calls) <= 1:
        results = [call() for _, call in calls]
    else:
        from concurrent.futures import ThreadPoolExecutor  # only the parallel path needs it

        from django.db import connections
        from django_scopes import scope

        def on_thread(call: Callable[[], list[Decimal]]) -> list[Decimal]:
            try:
                with scope(association=association):
                    return call()
            finally:
                connections.close_all()  # this thread's own connections

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(on_thread, [call for _, call in calls]))
    for (indexes, _), values in zip(calls, results, strict=True):
        for i, value in zip(indexes, values, strict=True):
            out[i] = value
    return out


def autodiscover() -> None:
    autodiscover_modules("metrics")


def catalogue() -> list[Metric]:
    return sorted(_metrics.values(), key=lambda m: (m.group, m.order, m.label))


def get(key: str) -> Metric | None:
    return _metrics.get(key)


def validate(*, association: Any, metric_key: str, filters: dict[str, Any] | None,
             start: date, end: date, field_prefix: str = "") -> tuple[Metric, MetricQuery]:
    """Check a definition and return the metric with its resolved query, or raise
    ``ValidationFailed`` naming each bad part (``metric``, ``filters.<name>``, ``end``)."""
    errors: dict[str, list[str]] = {}
    p = field_prefix
    metric = _metrics.get((metric_key or "").strip())
    if metric is None:
        known = ", ".join(sorted(_metrics)) or "none registered"
        raise ValidationFailed(f"Unknown metric {metric_key!r}",
                               fields={f"{p}metric": [f"unknown metric; one of: {known}"]})
    resolved: dict[str, Any] = {}
    for name, raw in (filters or {}).items():
        spec = metric.filter_spec(name)
        if spec is None:
            allowed = ", ".join(f.name for f in metric.filters) or "none"
            errors[f"{p}filters.{name}"] = [
                f"{metric.label} takes no filter {name!r} (it takes: {allowed})"]
            continue
        if raw in (None, ""):
            continue
        try:
            resolved[name] = spec.resolve(association, str(raw))
        except ValueError as exc:
            errors[f"{p}filters.{name}"] = [str(exc)]
    if end < start:
        errors[f"{p}end"] = ["the period ends before it starts"]
    if errors:
        raise ValidationFailed("Please correct the KPI definition", fields=errors)
    return metric, MetricQuery(start=start, end=end, filters=resolved)
