"""``commonground kpis catalogue|value|snapshot|rows|fill --association SLUG …``.

``catalogue`` lists the metrics with their filters; ``value`` computes one metric for a
period (``--metric membership.joins --start 2026-01-01 --end 2026-06-30 --filter
plan=gold``); ``snapshot`` takes today's snapshots of the active objectives (all, or
``--objective ID`` repeated); ``rows`` prints the rows behind an objective's number (or a
metric's, with ``--metric``) as CSV; ``fill`` backfills an objective's history.
"""

from __future__ import annotations

import json as jsonlib
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.planning.kpis import kpi_day, kpi_history_fill, kpi_rows, kpi_snapshots_take
from commonground.planning.kpis.listing import drilldown_csv
from commonground.planning.kpis.reading import catalogue_data, metric_question
from commonground.planning.models import Objective
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.clock import association_today


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{raw!r} is not a date like 2026-01-31") from None


class Command(BaseCommand):
    help = "KPIs: the metric catalogue, a metric's value, snapshots, drill-down rows, history."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        p = sub.add_parser("catalogue", help="List the metrics and their filters")
        p.add_argument("--json", action="store_true", help="Print JSON")
        p = sub.add_parser("value", help="One metric's value for a period")
        p.add_argument("--metric", required=True)
        p.add_argument("--start", required=True, help="YYYY-MM-DD")
        p.add_argument("--end", help="YYYY-MM-DD (default: today)")
        p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE")
        p = sub.add_parser("snapshot", help="Snapshot the active objectives for today")
        p.add_argument("--objective", type=int, action="append", help="Only these ids")
        p = sub.add_parser("rows", help="The rows behind an objective's number, as CSV")
        p.add_argument("--objective", type=int, help="Objective id")
        p.add_argument("--on", help="YYYY-MM-DD (default: its latest snapshot's day)")
        p.add_argument("--metric", help="Or a metric, with --start/--end/--filter")
        p.add_argument("--start")
        p.add_argument("--end")
        p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE")
        p.add_argument("--limit", type=int, default=0, help="At most this many rows")
        p = sub.add_parser("fill", help="Backfill an objective's history up to today")
        p.add_argument("--objective", type=int, required=True)
        for p in sub.choices.values():
            p.add_argument("--association", required=True, help="Slug")

    def handle(self, *args, what: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{what}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options={"metric": "--metric", "start": "--start",
                                            "end": "--end"}) from None

    def _params(self, assoc, metric: str, start: str | None, end: str | None,
                filters: list[str]) -> dict[str, str]:
        params = {"metric": metric, "start": start or "",
                  "end": end or association_today(assoc).isoformat()}
        for item in filters:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter {item!r}: write NAME=VALUE, e.g. plan=gold")
            params[name.strip()] = value.strip()
        return params

    def _catalogue(self, assoc, json: bool = False, **_) -> None:
        data = catalogue_data(assoc)
        if json:
            self.stdout.write(jsonlib.dumps(data, indent=2))
            return
        for m in data:
            filters = ", ".join(f["name"] for f in m["filters"]) or "no filters"
            self.stdout.write(f"{m['key']:<36} {m['kind']:<5} {m['side']:<8} {m['label']} "
                              f"({filters})")

    def _value(self, assoc, metric: str, start: str, end: str | None, filter: list[str],
               **_) -> None:
        m, query = metric_question(assoc, self._params(assoc, metric, start, end, filter))
        self.stdout.write(f"{m.key} {query.start}..{query.end} "
                          f"{query.filters or ''}".rstrip())
        self.stdout.write(f"value={m.compute(assoc, query)}")

    def _snapshot(self, assoc, objective: list[int] | None = None, **_) -> None:
        n = kpi_snapshots_take(association=assoc, today=association_today(assoc),
                               objective_ids=objective)
        self.stdout.write(f"snapshots={n}")

    def _objective(self, objective_id: int | None) -> Objective:
        o = Objective.objects.filter(pk=objective_id).first() if objective_id else None
        if o is None:
            raise CommandError(f"No objective {objective_id} in this association")
        return o

    def _rows(self, assoc, objective: int | None, on: str | None, metric: str | None,
              start: str | None, end: str | None, filter: list[str], limit: int, **_) -> None:
        if metric:
            m, query = metric_question(assoc, self._params(assoc, metric, start, end, filter))
            drilldown = m.rows(assoc, query)
        else:
            o = self._objective(objective)
            day = kpi_day(o, _date(on)) if on else (o.current_on
                                                     or kpi_day(o, association_today(assoc)))
            drilldown = kpi_rows(assoc, o, day)
        if limit > 0:
            drilldown = type(drilldown)(queryset=drilldown.queryset[:limit],
                                        columns=drilldown.columns, link=drilldown.link,
                                        noun=drilldown.noun)
        for chunk in drilldown_csv(drilldown):
            self.stdout.write(chunk, ending="")

    def _fill(self, assoc, objective: int, **_) -> None:
        o = self._objective(objective)
        n = kpi_history_fill(association=assoc, objective=o, through=association_today(assoc))
        self.stdout.write(f"snapshots={n}")
