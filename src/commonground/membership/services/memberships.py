"""Writes for memberships: the lifecycle (join, renew, reinstate, cancel, the daily advance) and
the person's copy of their current membership."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F
from django.utils import timezone

from commonground.core.errors import Conflict, TransitionNotAllowed, ValidationFailed
from commonground.people.models import Organisation, Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import lifecycle, sql
from ..models import (
    Membership,
    Plan,
    PlanKind,
    Status,
    Term,
    TermKind,
    Transition,
)
from .billing import term_invoice
from .common import actor_user

# ---------------------------------------------------------------- lifecycle

def _transition(membership: Membership, *, event: str, to: str, on: date, actor=None,
                note: str = "", from_status: str | None = None) -> None:
    previous = membership.status if from_status is None else from_status
    Transition.objects.create(association=membership.association, membership=membership,
                              from_status=previous, to_status=to, event=event, on=on,
                              actor=actor_user(actor), note=note)
    audit.record(association=membership.association, action=f"membership.{event}",
                 obj=membership, actor=actor,
                 data={"from": previous, "to": to, "on": on.isoformat()})


def _status_today(plan: Plan, ends_on: date, today: date) -> Status:
    return lifecycle.status_on(ends_on=ends_on, today=today, renewal_window_days=plan.window_days,
                               grace_days=plan.grace)


@transaction.atomic
def membership_join(*, association: Association, plan: Plan, person: Person | None = None,
                    organisation: Organisation | None = None, joined_on: date | None = None,
                    invoice: bool = True, actor=None) -> Membership:
    """Start a membership. Joining again while a live one exists returns that one."""
    if (person is None) == (organisation is None):
        raise ValidationFailed("A membership belongs to a person or an organisation",
                               fields={"member": ["give exactly one of person or organisation"]})
    if plan.kind == PlanKind.ORGANISATIONAL and organisation is None:
        raise ValidationFailed("This plan is for organisations", fields={"plan": ["organisational"]})
    if plan.kind == PlanKind.INDIVIDUAL and person is None:
        raise ValidationFailed("This plan is for individuals", fields={"plan": ["individual"]})
    if person is not None and person.erased_at:
        raise Conflict("This person was erased")
    today = association_today(association)
    member_filter = {"person": person} if person else {"organisation": organisation}
    live = (Membership.objects.select_for_update()
            .filter(**member_filter, status__in=lifecycle.LIVE).first())
    if live is not None:
        if live.plan_id == plan.pk:
            return live  # a retried join
        raise Conflict(f"Already a member on {live.plan.name}; change plan at renewal",
                       fields={"plan": ["already a member"]})
    joined_on = joined_on or today
    ends_on = lifecycle.term_end(joined_on, plan.term_months)
    status = _status_today(plan, ends_on, today)
    membership = Membership.objects.create(
        association=association, plan=plan, **member_filter, status=status,
        joined_on=joined_on, starts_on=joined_on, ends_on=ends_on,
        lapsed_on=lifecycle.lapse_date(ends_on, plan.grace) if status == Status.LAPSED
        else None,
    )
    term = Term.objects.create(association=association, membership=membership,
                               kind=TermKind.JOIN, starts_on=joined_on, ends_on=ends_on)
    if invoice:
        term_invoice(membership, term, actor)
    _transition(membership, event="joined", to=status, on=joined_on, actor=actor, from_status="")
    _refresh_member(membership)
    return membership


def _refresh_member(membership: Membership) -> None:
    if membership.person_id:
        member_summary_refresh(association=membership.association,
                               person_ids=[membership.person_id])


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("plan", "association").get(
        pk=membership.pk)


@transaction.atomic
def membership_renew(*, membership: Membership, expected_ends_on: date | None = None,
                     invoice: bool = True, actor=None) -> Membership:
    """Add one term after the current end.

    ``expected_ends_on`` is the end the user saw when they asked; if the membership has
    already moved past it (a double click, a retried request), nothing is added again.
    """
    m = _locked(membership)
    if expected_ends_on is not None and m.ends_on != expected_ends_on:
        if m.ends_on > expected_ends_on:
            return m  # already renewed
        raise Conflict("This membership changed since you looked; reload and try again")
    if m.plan.is_lifetime:
        raise TransitionNotAllowed("A lifetime membership never needs renewing")
    if not lifecycle.can("renew", m.status):
        hint = " — reinstate it instead" if m.status in (Status.LAPSED, Status.CANCELLED) else ""
        raise TransitionNotAllowed(f"A {m.get_status_display().lower()} membership cannot be "
                                   f"renewed{hint}")
    today = association_today(m.association)
    starts_on, ends_on = lifecycle.next_term(m.ends_on, m.plan.term_months)
    term = Term.objects.create(association=m.association, membership=m, kind=TermKind.RENEWAL,
                               starts_on=starts_on, ends_on=ends_on)
    previous = m.status
    m.starts_on, m.ends_on = starts_on, ends_on
    m.status = _status_today(m.plan, ends_on, today)
    m._history_user = actor_user(actor)
    m.save()
    if invoice:
        term_invoice(m, term, actor)
    _transition(m, event="renewed", to=m.status, on=today, actor=actor, from_status=previous)
    _refresh_member(m)
    return m


@transaction.atomic
def membership_reinstate(*, membership: Membership, on: date | None = None, invoice: bool = True,
                         actor=None) -> Membership:
    """Bring a lapsed or cancelled membership back with a new term from ``on``."""
    m = _locked(membership)
    if m.status in lifecycle.LIVE:
        return m  # already reinstated (a retried request)
    today = association_today(m.association)
    on = on or today
    if m.plan.is_lifetime:
        return _lifetime_restore(m, on=on, actor=actor)
    if on <= m.ends_on:
        on = m.ends_on + timedelta(days=1)  # never overlap the previous term
    ends_on = lifecycle.term_end(on, m.plan.term_months)
    term = Term.objects.create(association=m.association, membership=m,
                               kind=TermKind.REINSTATEMENT, starts_on=on, ends_on=ends_on)
    previous = m.status
    m.starts_on, m.ends_on = on, ends_on
    m.status = _status_today(m.plan, ends_on, today)
    m.lapsed_on = None
    m.cancelled_on = None
    m._history_user = actor_user(actor)
    m.save()
    if invoice:
        term_invoice(m, term, actor)
    _transition(m, event="reinstated", to=m.status, on=on, actor=actor, from_status=previous)
    _refresh_member(m)
    return m


def _lifetime_restore(m: Membership, *, on: date, actor) -> Membership:
    """A lifetime term never ended, so reinstating it restores the status, no new term."""
    previous = m.status
    m.status, m.lapsed_on, m.cancelled_on = Status.ACTIVE, None, None
    m._history_user = actor_user(actor)
    m.save()
    _transition(m, event="reinstated", to=m.status, on=on, actor=actor, from_status=previous)
    _refresh_member(m)
    return m


@transaction.atomic
def membership_cancel(*, membership: Membership, note: str = "", actor=None) -> Membership:
    m = _locked(membership)
    if m.status == Status.CANCELLED:
        return m
    if not lifecycle.can("cancel", m.status):
        raise TransitionNotAllowed("This membership cannot be cancelled")
    today = association_today(m.association)
    previous = m.status
    m.status = Status.CANCELLED
    m.cancelled_on = today
    m._history_user = actor_user(actor)
    m.save()
    _transition(m, event="cancelled", to=Status.CANCELLED, on=today, actor=actor, note=note,
                from_status=previous)
    _refresh_member(m)
    return m


_EVENT_FOR = {Status.ACTIVE: "activated", Status.RENEWAL_DUE: "renewal_due",
              Status.GRACE: "grace", Status.LAPSED: "lapsed"}


@transaction.atomic
def memberships_advance(*, association: Association, today: date | None = None) -> dict[str, int]:
    """Move every live membership to the state its dates call for on ``today``.

    Set-based: one UPDATE per (plan, target state), with transitions and audit entries
    bulk-inserted. Running it twice on the same day changes nothing the second time.

    Each transition is dated on the day the change happened, which is today when the
    advance runs every day, but not for a membership whose change it finds late (imported
    with an old status, a worker that was down): renewal due on the first day of the
    window, grace the day after the end, lapsed the day grace ran out
    (``lifecycle.lapse_date``) — so lapses land in the right month.
    """
    today = today or association_today(association)
    counts: dict[str, int] = {}
    moved_people: set[int] = set()
    for plan in Plan.objects.all():
        window = plan.window_days  # each plan's own: a week of a monthly term, a month of a year
        grace_start = today - timedelta(days=plan.grace)  # ends_on >= this → still in grace
        targets = {
            Status.LAPSED: {"ends_on__lt": grace_start},
            Status.GRACE: {"ends_on__lt": today, "ends_on__gte": grace_start},
            Status.RENEWAL_DUE: {"ends_on__gte": today,
                                 "ends_on__lt": today + timedelta(days=window)},
            Status.ACTIVE: {"ends_on__gte": today + timedelta(days=window)},
        }
        for target, date_filter in targets.items():
            # Only move forward by date: e.g. an active membership whose window opened.
            moving = (Membership.objects.filter(plan=plan, status__in=lifecycle.LIVE,
                                                **date_filter).exclude(status=target))
            rows = [(i, s, person, _happened(target, starts_on, ends_on, window, plan.grace,
                                             today))
                    for i, s, person, starts_on, ends_on in moving.values_list(
                        "id", "status", "person_id", "starts_on", "ends_on")]
            if not rows:
                continue
            ids = [r[0] for r in rows]
            update: dict[str, Any] = {"status": target, "updated_at": timezone.now()}
            if target == Status.LAPSED:
                update["lapsed_on"] = ExpressionWrapper(
                    F("ends_on") + timedelta(days=plan.grace + 1), output_field=DateField())
            for chunk_start in range(0, len(ids), 5000):
                Membership.objects.filter(id__in=ids[chunk_start:chunk_start + 5000]).update(
                    **update)
            event = _EVENT_FOR[target]
            Transition.objects.bulk_create(
                [Transition(association=association, membership_id=i, from_status=s,
                            to_status=target, event=event, on=on) for i, s, _, on in rows],
                batch_size=2000,
            )
            audit.record_many(association=association, action=f"membership.{event}",
                              objects=(("membership", i, {"from": s, "to": target,
                                                          "on": on.isoformat()})
                                       for i, s, _, on in rows))
            counts[target] = counts.get(target, 0) + len(rows)
            moved_people.update(r[2] for r in rows if r[2])
    member_summary_refresh(association=association, person_ids=moved_people)
    return counts


def _happened(target: Status, starts_on: date, ends_on: date, window: int, grace: int,
              today: date) -> date:
    """The day a membership whose term ends on ``ends_on`` entered ``target`` (never after
    ``today``, nor before its term started)."""
    if target == Status.LAPSED:
        day = lifecycle.lapse_date(ends_on, grace)
    elif target == Status.GRACE:
        day = ends_on + timedelta(days=1)
    elif target == Status.RENEWAL_DUE:
        day = max(ends_on - timedelta(days=window - 1), starts_on)
    else:
        day = today
    return min(day, today)


# ---------------------------------------------------------------- the person's summary

def member_summary_refresh(*, association: Association, person_ids=None) -> int:
    """Copy each person's current membership onto the person (status, plan, dates).

    Set-based (one UPDATE per 5,000 people, or one for the whole association:
    ``sql.member_summary_refresh``), so bulk paths call it once per batch. Returns how many
    people changed.
    """
    return sql.member_summary_refresh(association_id=association.pk, person_ids=person_ids)
