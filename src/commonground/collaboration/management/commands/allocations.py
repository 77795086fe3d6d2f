"""Shared services and their cost allocation from the command line.

    commonground allocations list --association SLUG            the services of our consortia
    commonground allocations create --association SLUG --consortium ID --name NAME
        [--description …] [--service-level …] [--usage-unit …]
    commonground allocations subscribe SERVICE_ID --association SLUG
    commonground allocations rule SERVICE_ID --association SLUG --method equal|fixed|members|usage
        --from DATE [--source SLUG] [--kinds a,b] [--share SLUG=PERCENT …] [--note …]
    commonground allocations period SERVICE_ID --association SLUG --label "2026 Q3" --from DATE --to DATE
    commonground allocations periods --association SLUG [--service ID]
    commonground allocations cost PERIOD_ID --association SLUG --description … --amount N [--on DATE]
    commonground allocations run PERIOD_ID --association SLUG
    commonground allocations close PERIOD_ID --association SLUG
    commonground allocations adjust PERIOD_ID --association SLUG --reason …
        [--cost-description … --cost-amount N]
    commonground allocations show PERIOD_ID --association SLUG
    commonground allocations ours --association SLUG             our allocations and invoices

Every subcommand takes ``--by EMAIL`` (the staff member acting: their roles decide) and
``--json``. A refused write prints the reason and each field's message and exits 1.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError, NotFound
from commonground.tenancy.cli import association_named, refused, staff_named
from commonground.tenancy.models import Association

from ... import selectors_services as selectors
from ...crossing import services as crossing
from ...models import AllocationMethod, CostPeriod, SharedService
from ...services import allocations, shared

OPTIONS = {"valid_from": "--from", "starts_on": "--from", "ends_on": "--to",
           "shares": "--share", "usage_source": "--source", "usage_kinds": "--kinds",
           "incurred_on": "--on"}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _shares(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--share {pair!r}: write SLUG=PERCENT, e.g. allied-health=30")
        out[key.strip()] = value.strip()
    return out


class Command(BaseCommand):
    help = "Shared services: catalogue, rules, cost periods, allocation runs, invoices."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="part", required=True)
        parsers = [sub.add_parser("list", help="The services of our consortia")]
        create = sub.add_parser("create", help="Offer a service to a consortium")
        create.add_argument("--consortium", type=int, required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--description", default="")
        create.add_argument("--service-level", default="")
        create.add_argument("--usage-unit", default="")
        subscribe = sub.add_parser("subscribe", help="Subscribe to a service")
        rule = sub.add_parser("rule", help="Choose the allocation rule from a date")
        rule.add_argument("--method", choices=AllocationMethod.values, required=True)
        rule.add_argument("--from", dest="valid_from", type=_date, required=True)
        rule.add_argument("--source", default="", help="Usage rule: the source slug")
        rule.add_argument("--kinds", default="", help="Usage rule: only these kinds (a,b)")
        rule.add_argument("--share", action="append", dest="shares", metavar="SLUG=PERCENT")
        rule.add_argument("--note", default="")
        period = sub.add_parser("period", help="Open a cost period")
        period.add_argument("--label", required=True)
        period.add_argument("--from", dest="starts_on", type=_date, required=True)
        period.add_argument("--to", dest="ends_on", type=_date, required=True)
        periods = sub.add_parser("periods", help="Cost periods of the services we provide")
        periods.add_argument("--service", type=int)
        cost = sub.add_parser("cost", help="Record a cost in an open period")
        cost.add_argument("--description", required=True)
        cost.add_argument("--amount", required=True)
        cost.add_argument("--on", dest="incurred_on", type=_date)
        run = sub.add_parser("run", help="Run a period's allocation")
        close = sub.add_parser("close", help="Close a period and invoice the participants")
        adjust = sub.add_parser("adjust", help="Adjust a closed period")
        adjust.add_argument("--reason", required=True)
        adjust.add_argument("--cost-description", default="")
        adjust.add_argument("--cost-amount")
        show = sub.add_parser("show", help="A period: costs, runs, lines, invoices")
        ours = sub.add_parser("ours", help="Our allocations and invoices")
        for p in (subscribe, rule, period):
            p.add_argument("service_id", type=int)
        for p in (cost, run, close, adjust, show):
            p.add_argument("period_id", type=int)
        for p in (*parsers, create, subscribe, rule, period, periods, cost, run, close, adjust,
                  show, ours):
            p.add_argument("--association", required=True)
            p.add_argument("--by", default=None, help="EMAIL of the staff member acting")
            p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, part: str, association: str, by: str | None, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            actor = staff_named(assoc, by)
            try:
                getattr(self, f"_{part}")(assoc, actor=actor, **options)
            except NotFound as exc:
                raise CommandError(exc.message) from None
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _service(self, assoc: Association, service_id: int) -> SharedService:
        service = SharedService.objects.filter(pk=service_id).first()
        if service is None:
            raise CommandError(f"No shared service {service_id} provided by {assoc.slug}")
        return service

    def _get_period(self, assoc: Association, period_id: int) -> CostPeriod:
        period = CostPeriod.objects.select_related("service").filter(pk=period_id).first()
        if period is None:
            raise CommandError(f"No cost period {period_id} of {assoc.slug}")
        return period

    def _list(self, assoc, *, as_json=False, **_) -> None:
        rows = selectors.catalogue(assoc)
        payload = [{"id": r.service.pk, "name": r.service.name,
                    "provider": r.service.association.slug, "consortium": r.service.consortium.name,
                    "provided": r.provided, "subscribed": r.subscribed} for r in rows]
        def state(r: dict) -> str:
            return ("we provide it" if r["provided"] else
                    "subscribed" if r["subscribed"] else "not subscribed")

        text = "\n".join(f"{r['id']:>6}  {r['name']}  (provider {r['provider']}; {state(r)})"
                         for r in payload) or "No shared services in our consortia."
        self._say(payload, text, as_json)

    def _create(self, assoc, *, actor, consortium, name, description, service_level, usage_unit,
                as_json=False, **_) -> None:
        s = shared.shared_service_create(association=assoc, consortium_id=consortium, name=name,
                                         description=description, service_level=service_level,
                                         usage_unit=usage_unit, actor=actor)
        self._say({"id": s.pk, "name": s.name}, f"Service {s.pk} offered: {s.name}", as_json)

    def _subscribe(self, assoc, *, actor, service_id, as_json=False, **_) -> None:
        sub = shared.shared_service_subscribe(association=assoc, service_id=service_id,
                                              actor=actor)
        self._say({"id": sub.pk, "service_id": service_id, "starts_on": sub.starts_on},
                  f"Subscribed to service {service_id} from {sub.starts_on}", as_json)

    def _rule(self, assoc, *, actor, service_id, method, valid_from, source, kinds, shares,
              note, as_json=False, **_) -> None:
        rule = shared.allocation_rule_create(
            association=assoc, service=self._service(assoc, service_id), method=method,
            valid_from=valid_from, usage_source=source,
            usage_kinds=[k for k in kinds.split(",") if k.strip()], shares=_shares(shares),
            note=note, actor=actor)
        self._say({"id": rule.pk, "method": rule.method, "valid_from": rule.valid_from},
                  f"Rule {rule.pk}: {rule.get_method_display()} from {rule.valid_from}", as_json)

    def _period(self, assoc, *, actor, service_id, label, starts_on, ends_on, as_json=False,
                **_) -> None:
        p = shared.cost_period_create(association=assoc, service=self._service(assoc, service_id),
                                      label=label, starts_on=starts_on, ends_on=ends_on,
                                      actor=actor)
        self._say({"id": p.pk, "label": p.label}, f"Period {p.pk} opened: {p.label}", as_json)

    def _periods(self, assoc, *, service=None, as_json=False, **_) -> None:
        qs = selectors.periods(assoc).order_by("service__name", "-starts_on")
        if service:
            qs = qs.filter(service_id=service)
        payload = [{"id": p.pk, "service": p.service.name, "label": p.label,
                    "starts_on": p.starts_on, "ends_on": p.ends_on, "status": p.status,
                    "pool": allocations.pool_of(p)} for p in qs]
        text = "\n".join(f"{p['id']:>6}  {p['service']}  {p['label']}  {p['starts_on']} – "
                         f"{p['ends_on']}  {p['status']}  pool {p['pool']}" for p in payload) \
            or "No cost periods."
        self._say(payload, text, as_json)

    def _cost(self, assoc, *, actor, period_id, description, amount, incurred_on=None,
              as_json=False, **_) -> None:
        item = shared.cost_item_add(association=assoc, period=self._get_period(assoc, period_id),
                                    description=description, amount=amount,
                                    incurred_on=incurred_on, actor=actor)
        self._say({"id": item.pk, "amount": item.amount},
                  f"Cost {item.pk} recorded: {item.amount}", as_json)

    def _run_payload(self, run) -> dict[str, Any]:
        names = dict(Association.objects.filter(
            pk__in=[line.participant_id for line in run.lines.all()]).values_list("pk", "slug"))
        return {"run": run.pk, "kind": run.kind, "sequence": run.sequence,
                "pool": run.pool_total, "reason": run.reason,
                "invoicing": (run.inputs or {}).get("invoicing", {}),
                "lines": [{"participant": names[line.participant_id], "basis": line.basis,
                           "amount": line.amount, "total_after": line.total_after,
                           "invoice": line.invoice.number if line.invoice else None}
                          for line in run.lines.select_related("invoice").order_by("participant_id")]}

    def _run_text(self, payload: dict[str, Any]) -> str:
        head = f"{payload['kind']} run {payload['sequence']}: pool {payload['pool']}"
        lines = [f"  {line['participant']:<24} basis {line['basis']:>12}  {line['amount']:>12}  "
                 f"total {line['total_after']:>12}  {line['invoice'] or ''}"
                 for line in payload["lines"]]
        return "\n".join([head, *lines])

    def _run(self, assoc, *, actor, period_id, as_json=False, **_) -> None:
        run, created = allocations.allocation_run(association=assoc,
                                                  period=self._get_period(assoc, period_id),
                                                  actor=actor)
        payload = {**self._run_payload(run), "created": created}
        note = "" if created else "\n(nothing changed: the standing run)"
        self._say(payload, self._run_text(payload) + note, as_json)

    def _close(self, assoc, *, actor, period_id, as_json=False, **_) -> None:
        period = allocations.cost_period_close(association=assoc,
                                               period=self._get_period(assoc, period_id), actor=actor)
        run = period.runs.order_by("-sequence").first()
        payload = {"period": period.pk, "status": period.status, **self._run_payload(run)}
        self._say(payload, f"{period.label} closed.\n" + self._run_text(payload), as_json)

    def _adjust(self, assoc, *, actor, period_id, reason, cost_description="", cost_amount=None,
                as_json=False, **_) -> None:
        run = allocations.allocation_adjust(association=assoc,
                                            period=self._get_period(assoc, period_id), reason=reason,
                                            cost_description=cost_description,
                                            cost_amount=cost_amount, actor=actor)
        payload = self._run_payload(run)
        treat = ", ".join(f"{k}: {v}" for k, v in payload["invoicing"].items())
        self._say(payload, self._run_text(payload) + (f"\ninvoicing: {treat}" if treat else ""),
                  as_json)

    def _show(self, assoc, *, period_id, as_json=False, **_) -> None:
        period = self._get_period(assoc, period_id)
        page = selectors.period_page(period)
        runs = [self._run_payload(rv.run) for rv in page.runs]
        payload = {"period": period.pk, "label": period.label, "status": period.status,
                   "pool": page.pool, "items": [{"description": i.description, "amount": i.amount,
                                                 "incurred_on": i.incurred_on} for i in page.items],
                   "runs": runs}
        text = "\n".join([f"{period.service.name}, {period.label} ({period.status}): pool "
                          f"{page.pool}", *(self._run_text(r) for r in runs)])
        self._say(payload, text, as_json)

    def _ours(self, assoc, *, as_json=False, **_) -> None:
        lines = crossing.our_lines(association=assoc)
        payload = [{"service": line.run.period.service.name,
                    "provider": line.run.period.service.association.slug,
                    "period": line.run.period.label, "kind": line.run.kind,
                    "amount": line.amount, "total_after": line.total_after,
                    "invoice": line.invoice.number if line.invoice else None,
                    "invoice_status": line.invoice.status if line.invoice else None}
                   for line in lines]
        text = "\n".join(f"{p['service']} ({p['provider']}) {p['period']} {p['kind']}: "
                         f"{p['amount']} → {p['total_after']} {p['invoice'] or ''}"
                         for p in payload) or "Nothing allocated to us yet."
        self._say(payload, text, as_json)
