"""The demo's services part of collaboration (see ``collaboration_seed``): the demo
association provides two shared services to the "Health Professions Alliance" — its
events team, allocated by usage (each association's own event check-ins, the
``event-check-ins`` source every seeded association has), and its email platform,
allocated by member count — both allies subscribe (their administrators, on their own
side), last quarter's costs are allocated, closed and invoiced in the demo's books, and
this quarter's are recorded (the events team's run but still open; the email
platform's not run yet). All through the services, as staff would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django_scopes import scope

from commonground.collaboration.models import Consortium, SharedService
from commonground.collaboration.services import allocations, shared

from .steps import staff_email

CONSORTIUM = "Health Professions Alliance"
EVENTS_SOURCE = "event-check-ins"
# (service, description, service level, usage unit, rule, costs last quarter, this quarter)
SERVICES = (
    ("Events team", "The demo association's events team runs the alliance's conferences, "
     "chapter meetups and webinars for all three associations.",
     "Two weeks' notice for a webinar, three months for an in-person event; check-in lists "
     "within a day.", "event check-ins", "usage",
     [("Events coordinator (0.6 FTE)", "14400.00"), ("Venue deposits", "6250.00"),
      ("Ticketing platform licence", "1180.50")],
     [("Events coordinator (0.6 FTE)", "14400.00"), ("Conference AV hire", "3275.00")]),
    ("Email platform", "The shared email platform and its deliverability monitoring.",
     "Campaigns sent within one working day of approval; 99.5 % uptime.", "emails sent",
     "members",
     [("Platform licence, quarter", "4200.00"), ("Deliverability consultant", "950.00")],
     [("Platform licence, quarter", "4200.00")]),
)


def _user(association, local: str):
    return get_user_model().objects.get(email__iexact=staff_email(association.slug, local))


def _quarter(day: date) -> tuple[date, date]:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return start, nxt - timedelta(days=1)


def _label(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def derive(state: Any) -> dict[str, int]:
    demo, allies, today = state.demo, state.allies, state.today
    consortium = state.made.get("consortium")
    if consortium is None:
        with scope(association=demo):
            consortium = Consortium.objects.filter(name=CONSORTIUM).first()
    if consortium is None:
        state.say("No consortium to share services in: skipped the shared services.")
        return {"shared_services": 0}
    director = _user(demo, "director")
    staff = _user(demo, "marketing")
    this_start, this_end = _quarter(today)
    last_start, last_end = _quarter(this_start - timedelta(days=1))
    made = []
    counts = {"shared_services": 0, "cost_periods": 0, "allocation_runs": 0, "invoices": 0}
    for name, description, level, unit, method, last_costs, this_costs in SERVICES:
        with scope(association=demo):
            if SharedService.objects.filter(consortium=consortium, name=name).exists():
                continue
            service = shared.shared_service_create(
                association=demo, consortium_id=consortium.pk, name=name,
                description=description, service_level=level, usage_unit=unit,
                actor=director)
        for ally in allies:
            with scope(association=ally):
                shared.shared_service_subscribe(association=ally, service_id=service.pk,
                                                starts_on=last_start,
                                                actor=_user(ally, "director"))
        with scope(association=demo):
            shared.allocation_rule_create(
                association=demo, service=service, method=method, valid_from=last_start,
                usage_source=EVENTS_SOURCE if method == "usage" else "",
                note="Agreed by the steering group", actor=director)
            periods = []
            for (start, end), costs in (((last_start, last_end), last_costs),
                                        ((this_start, this_end), this_costs)):
                period = shared.cost_period_create(association=demo, service=service,
                                                   label=_label(start), starts_on=start,
                                                   ends_on=end, actor=staff)
                for i, (what, amount) in enumerate(costs):
                    shared.cost_item_add(association=demo, period=period, description=what,
                                         amount=amount,
                                         incurred_on=min(start + timedelta(days=14 + 30 * i),
                                                         end, today), actor=staff)
                periods.append(period)
            last, current = periods
            allocations.allocation_run(association=demo, period=last, actor=staff)
            allocations.cost_period_close(association=demo, period=last, actor=director)
            counts["invoices"] += last.runs.get().lines.filter(invoice__isnull=False).count()
            counts["allocation_runs"] += 1
            if method == "usage":  # run but open: this quarter's costs are still coming in
                allocations.allocation_run(association=demo, period=current, actor=staff)
                counts["allocation_runs"] += 1
        counts["shared_services"] += 1
        counts["cost_periods"] += 2
        made.append(service)
    state.made["services"] = made
    if made:
        state.say(f"Shared services: {', '.join(s.name for s in made)} "
                  f"({_label(last_start)} closed and invoiced, {_label(this_start)} open)")
    return counts
