"""Membership plans from the command line.

    commonground plan list --association SLUG [--json]
    commonground plan create --association SLUG --name NAME --term TERM --price AMOUNT
        [--kind individual|organisational] [--currency XXX] [--renewal-window DAYS|default]
        [--grace DAYS|default] [--description TEXT] [--slug SLUG] [--inactive] [--json]
    commonground plan update PLAN --association SLUG [--name …] [--term …] [--price …]
        [--kind …] [--currency …] [--renewal-window DAYS|default] [--grace DAYS|default]
        [--description …] [--active | --inactive] [--json]

A term is months ("1", "12"), a word ("monthly", "quarterly", "annual", "biennial") or
"lifetime". A renewal window or grace of "default" (or left out on create) follows the
term: 7 days of a monthly term, 30 of an annual one. ``update`` finds the plan by slug or
name. Every write goes through ``membership.services.plan_save``; a refused value prints
the option and the reason, and the command exits non-zero.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.text import slugify
from django_scopes import scope

from commonground.core.errors import ValidationFailed
from commonground.membership import selectors
from commonground.membership.models import Plan, PlanKind
from commonground.membership.services import plan_save
from commonground.tenancy.cli import association_named
from commonground.tenancy.models import Association

# plan_save's field → the option that sets it, for error messages.
OPTIONS = {"name": "--name", "kind": "--kind", "term_months": "--term", "price": "--price",
           "currency": "--currency", "renewal_window_days": "--renewal-window",
           "grace_days": "--grace", "description": "--description", "slug": "--slug"}
# option dest → plan_save keyword, for the options ``update`` may change.
CHANGES = {"name": "name", "kind": "kind", "term": "term_months", "price": "price",
           "currency": "currency", "renewal_window": "renewal_window_days", "grace": "grace_days",
           "description": "description"}
SAVED = ("name", "kind", "term_months", "price", "currency", "renewal_window_days", "grace_days",
         "description", "is_active")




def _days(text: str) -> str | None:
    """``--grace``/``--renewal-window``: days, or "default" (None: the term's default)."""
    return None if text.strip().lower() == "default" else text


def plan_row(plan: Plan) -> dict[str, Any]:
    """A plan as ``list --json`` (and ``--json`` of create/update) prints it."""
    return {"name": plan.name, "slug": plan.slug, "kind": plan.kind,
            "term_months": plan.term_months, "term": plan.term_label,
            "lifetime": plan.is_lifetime, "price": str(plan.price), "currency": plan.currency,
            "renewal_window_days": plan.renewal_window_days, "window_days": plan.window_days,
            "grace_days": plan.grace_days, "grace": plan.grace,
            "description": plan.description, "active": plan.is_active,
            **({"live_members": plan.live_members} if hasattr(plan, "live_members") else {})}


def _window_text(plan: Plan) -> str:
    if plan.is_lifetime:
        return "never"
    own = plan.renewal_window_days is not None
    return f"last {plan.window_days} day{'s' if plan.window_days != 1 else ''}" \
           f"{'' if own else ' (default)'}"


def _grace_text(plan: Plan) -> str:
    if plan.is_lifetime:
        return "none"
    own = plan.grace_days is not None
    return f"{plan.grace} day{'s' if plan.grace != 1 else ''}{'' if own else ' (default)'}"


def table(plans: list[Plan]) -> str:
    header = ("Name", "Slug", "Kind", "Term", "Price", "Renewal due", "Grace", "Active",
              "Members")
    rows = [(p.name, p.slug, p.kind, p.term_label, f"{p.price} {p.currency}", _window_text(p),
             _grace_text(p), "yes" if p.is_active else "no", str(getattr(p, "live_members", "")))
            for p in plans]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True))
                     .rstrip() for row in [header, *rows])


def describe(plan: Plan) -> str:
    """One line: what the plan is now."""
    window = "never due" if plan.is_lifetime else f"renewal due in the {_window_text(plan)}"
    return (f"{plan.name} ({plan.slug}): {plan.kind}, {plan.term_label}, {plan.price} "
            f"{plan.currency}, {window}, grace {_grace_text(plan)}, "
            f"{'open for new members' if plan.is_active else 'closed to new members'}")


def refused(exc: ValidationFailed) -> CommandError:
    """The service's field messages, by the options that set them."""
    lines = [f"  {OPTIONS.get(field, field)}: {'; '.join(messages)}"
             for field, messages in exc.fields.items()]
    return CommandError("Plan not saved:\n" + "\n".join(lines) if lines else exc.message)


class Command(BaseCommand):
    help = "List, create and change membership plans (term, price, renewal window, grace)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="The association's plans")
        lst.add_argument("--association", required=True, help="Association slug")
        lst.add_argument("--json", action="store_true", dest="as_json", help="Print JSON")

        create = sub.add_parser("create", help="Create a plan")
        create.add_argument("--association", required=True, help="Association slug")
        create.add_argument("--name", required=True)
        create.add_argument("--term", required=True,
                            help="Months (1, 3, 12 …), monthly, quarterly, annual, biennial, "
                                 "or lifetime")
        create.add_argument("--price", required=True, help="Price per term, e.g. 120.00")
        create.add_argument("--slug", help="Default: from the name")
        create.add_argument("--inactive", action="store_true",
                            help="Closed to new members (existing members keep it)")
        self._plan_options(create)

        update = sub.add_parser("update", help="Change a plan (only the options given)")
        update.add_argument("plan", help="The plan's slug or name")
        update.add_argument("--association", required=True, help="Association slug")
        update.add_argument("--name")
        update.add_argument("--term", help="Months, monthly, annual … or lifetime")
        update.add_argument("--price")
        state = update.add_mutually_exclusive_group()
        state.add_argument("--active", action="store_const", const=True, dest="is_active",
                           help="Open to new members")
        state.add_argument("--inactive", action="store_const", const=False, dest="is_active",
                           help="Closed to new members (existing members keep it)")
        self._plan_options(update)

    @staticmethod
    def _plan_options(parser) -> None:
        parser.add_argument("--kind", choices=PlanKind.values,
                            help="Who joins it (create: default individual)")
        parser.add_argument("--currency", help="Three-letter code; default the association's")
        parser.add_argument("--renewal-window", metavar="DAYS",
                            help="Days before the term ends when renewal is due, or default "
                                 "(the term's: 7 for monthly, 30 for annual)")
        parser.add_argument("--grace", metavar="DAYS",
                            help="Days after the term ends before the membership lapses, or "
                                 "default (the term's: 7 for monthly, 30 for annual)")
        parser.add_argument("--description")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Print the plan as JSON")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except ValidationFailed as exc:
                raise refused(exc) from None

    def _print(self, plan: Plan, *, as_json: bool, verb: str) -> None:
        self.stdout.write(json.dumps(plan_row(plan)) if as_json else f"{verb} {describe(plan)}")

    def _list(self, assoc: Association, *, as_json: bool = False, **_: Any) -> None:
        plans = selectors.plan_list()
        if as_json:
            self.stdout.write(json.dumps([plan_row(p) for p in plans]))
        elif not plans:
            self.stdout.write(f"No plans yet. Create one: commonground plan create --association "
                              f"{assoc.slug} --name NAME --term 12 --price 0")
        else:
            self.stdout.write(table(plans))

    def _create(self, assoc: Association, *, name: str, term: str, price: str, slug=None,
                inactive: bool = False, kind=None, currency=None, renewal_window=None,
                grace=None, description=None, as_json: bool = False, **_: Any) -> None:
        key = slugify(slug or name)[:64]
        if key and Plan.objects.filter(slug=key).exists():
            raise CommandError(f"A plan {key!r} exists already; change it with: commonground "
                               f"plan update {key} --association {assoc.slug} …")
        plan = plan_save(association=assoc, name=name, term_months=term, price=price,
                         kind=kind or PlanKind.INDIVIDUAL, currency=currency,
                         renewal_window_days=_days(renewal_window) if renewal_window else None,
                         grace_days=_days(grace) if grace else None,
                         description=description or "", is_active=not inactive, slug=slug)
        self._print(plan, as_json=as_json, verb="Created plan")

    def _update(self, assoc: Association, *, plan: str, is_active=None, as_json: bool = False,
                **options: Any) -> None:
        found = _find(plan)
        given = {CHANGES[k]: v for k, v in options.items() if k in CHANGES and v is not None}
        if not given and is_active is None:
            raise CommandError("Nothing to change: give --name, --term, --price, --kind, "
                               "--currency, --renewal-window, --grace, --description, "
                               "--active or --inactive")
        for days in ("renewal_window_days", "grace_days"):
            if days in given:
                given[days] = _days(given[days])
        if is_active is not None:
            given["is_active"] = is_active
        before = {f: getattr(found, f) for f in SAVED}
        saved = plan_save(association=assoc, plan=found, **{**before, **given})
        changed = any(getattr(saved, f) != before[f] for f in SAVED)
        self._print(saved, as_json=as_json, verb="Updated plan" if changed else "Unchanged:")


def _find(text: str) -> Plan:
    """A plan by slug, else by name (any case)."""
    plan = Plan.objects.filter(slug=text).first() or \
        Plan.objects.filter(Q(name__iexact=text.strip()) | Q(slug=slugify(text))).first()
    if plan is None:
        known = ", ".join(Plan.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No plan {text!r} (plans: {known})")
    return plan
