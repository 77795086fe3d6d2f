"""The balance view from the command line.

    commonground balance show --association SLUG [--months N] [--period YYYY-MM]
        [--economic margin|revenue] [--json]
    commonground balance metric list|add|remove|move --association SLUG …
        add --side mission|business --metric KEY [--filter NAME=VALUE …] [--label TEXT]
        remove ID
        move ID (--side mission|business | --up | --down)
    commonground balance cost list|add|remove --association SLUG …
        add --offering ID|SLUG --from DATE --to DATE --amount N [--note TEXT]
        remove ID
    commonground balance snapshot --association SLUG [--months N] [--today DATE] [--all]

``show`` prints the two sides one after the other — each metric's monthly values — and
the offerings with their quadrant; it never adds the sides together. ``snapshot`` computes
what the daily job computes and prints ``snapshots=N`` last.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from ...balance import selectors, services
from ...models import BalanceMetric, OfferingCost

SIDES = ("mission", "business")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _filters(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CommandError(f"--filter {pair!r}: write NAME=VALUE, e.g. plan=individual")
        out[name.strip()] = value.strip()
    return out


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


class Command(BaseCommand):
    help = "The balance view: mission and business side by side, offerings on both axes, costs."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="part", required=True)
        show = sub.add_parser("show", help="Both sides per month and the offerings' quadrants")
        show.add_argument("--months", type=int, default=12)
        show.add_argument("--period", default="", help="YYYY-MM for the offerings (default: "
                                                       "the whole window)")
        show.add_argument("--economic", choices=["margin", "revenue"], default="margin")
        metric = sub.add_parser("metric", help="Which metrics sit on which side")
        ops = metric.add_subparsers(dest="op", required=True)
        m_list = ops.add_parser("list")
        m_add = ops.add_parser("add")
        m_add.add_argument("--side", choices=SIDES, required=True)
        m_add.add_argument("--metric", required=True, help="A catalogue key (kpis catalogue)")
        m_add.add_argument("--filter", action="append", dest="filters", metavar="NAME=VALUE")
        m_add.add_argument("--label", default="")
        m_rm = ops.add_parser("remove")
        m_rm.add_argument("id", type=int)
        m_mv = ops.add_parser("move")
        m_mv.add_argument("id", type=int)
        way = m_mv.add_mutually_exclusive_group(required=True)
        way.add_argument("--side", choices=SIDES)
        way.add_argument("--up", action="store_const", const="up", dest="direction")
        way.add_argument("--down", action="store_const", const="down", dest="direction")
        cost = sub.add_parser("cost", help="What offerings cost to deliver")
        cops = cost.add_subparsers(dest="op", required=True)
        c_list = cops.add_parser("list")
        c_add = cops.add_parser("add")
        c_add.add_argument("--offering", required=True)
        c_add.add_argument("--from", dest="start", required=True, type=_date)
        c_add.add_argument("--to", dest="end", required=True, type=_date)
        c_add.add_argument("--amount", required=True)
        c_add.add_argument("--note", default="")
        c_rm = cops.add_parser("remove")
        c_rm.add_argument("id", type=int)
        snap = sub.add_parser("snapshot", help="Compute the monthly figures now (the daily job)")
        snap.add_argument("--months", type=int, default=12)
        snap.add_argument("--today", type=_date)
        snap.add_argument("--all", action="store_true", dest="recompute_all",
                          help="Recompute every month, not only the last two")
        for p in (show, m_list, m_add, m_rm, m_mv, c_list, c_add, c_rm, snap):
            p.add_argument("--association", required=True)
            p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, part: str, association: str, **options) -> None:
        assoc = association_named(association)
        op = options.pop("op", None)
        with scope(association=assoc):
            try:
                getattr(self, f"_{part}" + (f"_{op}" if op else ""))(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options={"period_start": "--from", "period_end": "--to",
                                            "filters": "--filter"}) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _show(self, assoc: Association, *, months=12, period="", economic="margin",
              as_json=False, **_: Any) -> None:
        if not 2 <= months <= 36:
            raise CommandError("--months: between 2 and 36")
        view = selectors.balance_view(assoc, today=association_today(assoc), months=months,
                                      period=period, economic=economic)
        payload = {"months": [p.key for p in view.months], "configured": view.configured,
                   **{side: [{"metric": s.metric, "label": s.label, "values": s.values}
                             for s in view.sides[side]] for side in SIDES},
                   "offerings": [{"offering": o.offering.slug, "reach": o.reach,
                                  "revenue": o.revenue, "margin": o.margin,
                                  "cost": o.cost if o.has_cost else None,
                                  "quadrant": o.quadrant} for o in view.offerings]}
        lines = []
        for side in SIDES:
            lines.append(f"{view.side_label(side)}:")
            for s in view.sides[side] or ():
                values = "  ".join(_num(v) for v in s.values[-6:])
                lines.append(f"  {s.label:<40} {values}")
            if not view.sides[side]:
                lines.append("  (no metric)")
        lines.append(f"Offerings ({view.period.start} to {view.period.end}; "
                     f"reach / {view.economic}):")
        for o in view.offerings:
            lines.append(f"  {o.offering.name:<32} {o.reach:>7}  {_num(o.economic(view.economic)):>12}"
                         f"  {o.quadrant}")
        if not view.offerings:
            lines.append("  (no figures yet: run `commonground balance snapshot`)")
        self._say(payload, "\n".join(lines), as_json)

    def _metric_list(self, assoc: Association, *, as_json=False, **_: Any) -> None:
        rows, configured = selectors.balance_metrics(assoc)
        payload = [{"id": m.pk, "side": m.side, "metric": m.metric, "filters": m.filters,
                    "label": selectors.label_of(m)} for m in rows]
        note = [] if configured else ["(defaults from the catalogue: nothing chosen yet)"]
        self._say(payload, "\n".join(note + [f"{m['id'] or '-':>6}  {m['side']:<8}  {m['metric']:<32}"
                                             f"  {m['label']}" for m in payload]), as_json)

    def _metric_add(self, assoc: Association, *, side, metric, filters=None, label="",
                    as_json=False, **_: Any) -> None:
        row = services.balance_metric_add(association=assoc, side=side, metric=metric,
                                          filters=_filters(filters), label=label)
        self._say({"id": row.pk, "side": row.side, "metric": row.metric},
                  f"Added {row.metric} to the {row.side} side (id {row.pk}).", as_json)

    def _metric_row(self, pk: int) -> BalanceMetric:
        row = BalanceMetric.objects.filter(pk=pk).first()
        if row is None:
            raise CommandError(f"No balance metric {pk} (see `commonground balance metric list`)")
        return row

    def _metric_remove(self, assoc: Association, *, id, as_json=False, **_: Any) -> None:  # noqa: A002
        services.balance_metric_remove(association=assoc, balance_metric=self._metric_row(id))
        self._say({"removed": id}, f"Removed balance metric {id}.", as_json)

    def _metric_move(self, assoc: Association, *, id, side=None, direction=None,  # noqa: A002
                     as_json=False, **_: Any) -> None:
        row = services.balance_metric_move(association=assoc, balance_metric=self._metric_row(id),
                                           side=side, direction=direction)
        self._say({"id": row.pk, "side": row.side, "position": row.position},
                  f"Balance metric {row.pk} is on the {row.side} side, position {row.position}.",
                  as_json)

    def _cost_list(self, assoc: Association, *, as_json=False, **_: Any) -> None:
        costs = selectors.costs(assoc)
        payload = [{"id": c.pk, "offering": c.offering.slug, "from": c.period_start,
                    "to": c.period_end, "amount": c.amount, "note": c.note} for c in costs]
        self._say(payload, "\n".join(f"{c['id']:>6}  {c['offering']:<32} {c['from']} – {c['to']}"
                                     f"  {c['amount']:>12}  {c['note']}" for c in payload)
                  or "No costs recorded.", as_json)

    def _cost_add(self, assoc: Association, *, offering, start, end, amount, note="",
                  as_json=False, **_: Any) -> None:
        cost = services.offering_cost_record(association=assoc, offering=offering,
                                             period_start=start, period_end=end, amount=amount,
                                             note=note)
        self._say({"id": cost.pk, "amount": cost.amount},
                  f"Recorded a cost of {cost.amount} for {cost.offering.name} (id {cost.pk}).",
                  as_json)

    def _cost_remove(self, assoc: Association, *, id, as_json=False, **_: Any) -> None:  # noqa: A002
        cost = OfferingCost.objects.filter(pk=id).first()
        if cost is None:
            raise CommandError(f"No cost {id} (see `commonground balance cost list`)")
        services.offering_cost_delete(association=assoc, cost=cost)
        self._say({"removed": id}, f"Removed cost {id}.", as_json)

    def _snapshot(self, assoc: Association, *, months=12, today=None, recompute_all=False,
                  as_json=False, **_: Any) -> None:
        if not 2 <= months <= 36:
            raise CommandError("--months: between 2 and 36")
        n = services.balance_snapshots_take(association=assoc, months=months,
                                            today=today or association_today(assoc),
                                            recompute_all=recompute_all)
        self._say({"snapshots": n}, f"snapshots={n}", as_json)
