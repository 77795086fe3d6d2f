"""Writing a joint objective: its KPI (a catalogue metric with filters over a period), its
target and baseline, the sides that share it and the named people who own it.

Re-exported by ``planning.services``; it is a module of its own because most of the
planning rules are here. The KPI definition is checked by ``planning.kpis.kpi_check``
(unknown metric, unknown filter, a value that names nothing); a baseline not given is the
KPI's value on the start date for a stock (members by status on 1 March) and 0 for a flow
(joins counted from the start date, so nothing has been counted yet on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association, StaffMember

from . import tasks
from .inputs import MAX_TEXT, fail, parse_date, parse_decimal, text
from .kpis import kpi_check, kpi_snapshots_take, kpi_value
from .models import Direction, Goal, Objective, ObjectiveOwner, ObjectiveStatus

SIDES = permissions.BOTH_SIDES
KPI_FIELDS = ("metric", "filters", "starts_on")


@dataclass(frozen=True)
class Owner:
    """A named owner of an objective for one side. ``user`` is a user or an email."""

    user: Any
    side: str


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _baseline(association: Association, metric, objective: Objective) -> Decimal:
    """A stock's value on the start date; 0 for a flow (see the module docstring)."""
    if metric.kind != "stock":
        return Decimal("0")
    return Decimal(kpi_value(association, objective, objective.starts_on)).quantize(
        Decimal("0.01"))


def _sides(errors: dict[str, list[str]], sides: Iterable[str] | None,
           owners: Sequence[Owner]) -> list[str]:
    """The objective's sides: as given ("both" is both), else the owners' sides."""
    raw = list(sides) if sides is not None else [o.side for o in owners]
    out: list[str] = []
    for s in raw:
        s = (s or "").strip().lower()
        for one in (SIDES if s == "both" else (s,)):
            if one not in SIDES:
                errors["sides"] = [f"{s!r} is not a side: mission, business or both"]
            elif one not in out:
                out.append(one)
    if not out and "sides" not in errors:
        errors["sides"] = ["name the side or sides that share it: mission, business or both"]
    return sorted(out)


def _owners(association: Association, errors: dict[str, list[str]],
            owners: Sequence[Owner | tuple], sides: list[str]) -> list[Owner]:
    """Each owner as (user, side): a staff member who can act for that side (the board
    cannot own an objective), on one of the objective's sides, named once."""
    User = get_user_model()
    out: list[Owner] = []
    messages: list[str] = []
    seen: set[int] = set()
    for raw in owners:
        owner = raw if isinstance(raw, Owner) else Owner(*raw)
        user, side = owner.user, (owner.side or "").strip().lower()
        if isinstance(user, str):
            email = user.strip()
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                messages.append(f"no staff member {email!r}")
                continue
        who = getattr(user, "email", str(user))
        if side not in SIDES:
            messages.append(f"{who}: {side!r} is not a side (mission or business)")
            continue
        if side not in sides:
            messages.append(f"{who} owns it for the {side} side, which does not share it")
            continue
        if user.pk in seen:
            messages.append(f"{who} is named twice")
            continue
        if not StaffMember.objects.filter(
                permissions.staff_on_side(association=association, side=side),
                user=user).exists():
            messages.append(f"{who} is not on the {side} side's staff")
            continue
        seen.add(user.pk)
        out.append(Owner(user, side))
    if messages:
        errors["owners"] = messages
    return out


@transaction.atomic
def objective_save(*, association: Association, goal: Goal, title: str, metric: str,
                   target: Decimal | str | int, deadline: date | str,
                   filters: dict[str, Any] | None = None, starts_on: date | str | None = None,
                   baseline: Decimal | str | int | None = None, direction: str = Direction.UP,
                   sides: Iterable[str] | None = None,
                   owners: Sequence[Owner | tuple[Any, str]] | None = None,
                   description: str = "", position: int | None = None,
                   objective: Objective | None = None, actor) -> Objective:
    """Create a joint objective of ``goal`` or change one (``objective``).

    ``metric`` and ``filters`` are the KPI (a catalogue key and ``{filter: value}`` as the
    user wrote them); ``starts_on`` (default today) to ``deadline`` its period. A deadline
    before the association's today is refused when set. ``owners`` are ``(user or email,
    side)``; ``sides`` default to the owners' sides; ``owners=None`` on a change keeps
    them. Administrators, or staff on one of the objective's sides, may write it. After
    the commit its history is filled from the start date (a background task).
    """
    roles = permissions.staff_roles_of(association=association, user=actor)
    if objective is not None and not permissions.may_edit_objective(roles, objective.sides):
        raise PermissionDenied("Only staff on this objective's sides or an administrator "
                               "can change it")
    errors: dict[str, list[str]] = {}
    title = text(errors, "title", title)
    description = text(errors, "description", description, required=False, limit=MAX_TEXT)
    today = association_today(association)
    end = parse_date(errors, "deadline", deadline)
    start = parse_date(errors, "starts_on", starts_on, required=False)
    if start is None and "starts_on" not in errors:
        start = objective.starts_on if objective is not None else today
    if end and (objective is None or objective.deadline != end) and end < today:
        errors["deadline"] = [f"{end:%-d %b %Y} is in the past: a target must be reached on or "
                              f"after today ({today:%-d %b %Y})"]
    if start and end and end < start and "deadline" not in errors:
        errors["starts_on"] = ["after the deadline"]
    goal_target = parse_decimal(errors, "target", target)
    given_baseline = parse_decimal(errors, "baseline", baseline, required=False)
    if direction not in Direction.values:
        errors["direction"] = ["up (increase to the target) or down (decrease to it)"]
    if goal is None or goal.association_id != association.pk:
        errors["goal"] = ["required"]
    owner_list = list(owners or ())
    side_list = _sides(errors, sides if sides is not None or objective is None or owners
                       else objective.sides, [o if isinstance(o, Owner) else Owner(*o)
                                              for o in owner_list])
    if objective is None and "sides" not in errors and \
            not permissions.may_edit_objective(roles, side_list):
        raise PermissionDenied("Only staff on one of the objective's sides or an "
                               "administrator can add it")
    checked = _owners(association, errors, owner_list, side_list) if owners is not None else None
    if objective is not None and owners is None and "sides" not in errors:
        stray = [o.user.email for o in objective.owners.select_related("user")
                 if o.side not in side_list]
        if stray:
            errors["sides"] = [f"{', '.join(stray)} own it for a side you took away"]
    metric_key = (metric or "").strip()
    kpi = None
    if start and end:
        try:
            # Dates already refused above still leave the metric and filters checked, so
            # every mistake is told at once.
            kpi = kpi_check(association=association, metric=metric_key, filters=filters or {},
                            starts_on=start, deadline=max(start, end))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    fail(errors)
    assert kpi is not None and start and end and goal_target is not None
    kpi_changed = objective is None or (objective.metric, objective.filters,
                                        objective.starts_on) != (metric_key, filters or {}, start)
    if given_baseline is not None:
        base = given_baseline
    elif kpi_changed:
        base = _baseline(association, kpi[0], Objective(
            association=association, metric=metric_key, filters=filters or {},
            starts_on=start, deadline=end))
    else:
        base = objective.baseline
    up = direction == Direction.UP
    if (up and goal_target <= base) or (not up and goal_target >= base):
        fail({"target": [f"{'not above' if up else 'not below'} the baseline ({base:,}): "
                         f"an objective to {'increase' if up else 'decrease'} needs a "
                         f"{'higher' if up else 'lower'} target, or choose "
                         f"{'decrease' if up else 'increase'}"]})
    created = objective is None
    if created:
        objective = Objective(association=association, created_by=_user(actor),
                              position=position if position is not None else
                              Objective.objects.filter(goal=goal).count() + 1)
    before = _facts(objective) if not created else {}
    objective.goal, objective.title, objective.description = goal, title, description
    objective.metric, objective.filters = metric_key, dict(filters or {})
    objective.starts_on, objective.deadline = start, end
    objective.baseline, objective.target, objective.direction = base, goal_target, direction
    objective.sides = side_list
    if position is not None:
        objective.position = int(position)
    if kpi_changed and not created:
        # The stored number was computed for the old definition: the history fill
        # recomputes it.
        objective.current_value = objective.current_on = None
    after = _facts(objective)
    owners_changed = False
    if created or before != after:
        objective.save()
    if checked is not None:
        owners_changed = _set_owners(association, objective, checked)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if created or changed or owners_changed:
        if owners_changed:
            changed["owners"] = [[o.user.email, o.side] for o in checked or ()]
        audit.record(association=association,
                     action="objective.created" if created else "objective.changed",
                     obj=objective, actor=actor,
                     data={"goal_id": goal.pk, **(after if created else changed)})
    if kpi_changed:
        if not created:
            objective.snapshots.all().delete()
        _fill_history_on_commit(association, objective, actor)
    return objective


def _facts(o: Objective) -> dict[str, Any]:
    return {"title": o.title, "description": o.description, "goal_id": o.goal_id,
            "metric": o.metric, "filters": o.filters, "starts_on": str(o.starts_on),
            "deadline": str(o.deadline), "baseline": str(o.baseline),
            "target": str(o.target), "direction": o.direction, "sides": list(o.sides),
            "position": o.position}


def _set_owners(association: Association, objective: Objective, owners: list[Owner]) -> bool:
    have = {(o.user_id, o.side) for o in objective.owners.all()}
    want = {(o.user.pk, o.side) for o in owners}
    if have == want:
        return False
    objective.owners.all().delete()
    ObjectiveOwner.objects.bulk_create(
        ObjectiveOwner(association=association, objective=objective, user_id=uid, side=side)
        for uid, side in sorted(want))
    return True


def _fill_history_on_commit(association: Association, objective: Objective, actor) -> None:
    """Today's value now, so the plan page shows a number at once; the days since the
    start date in the background (a long period over a large history takes a while)."""
    kpi_snapshots_take(association=association, today=association_today(association),
                       objective_ids=[objective.pk], actor=actor)
    tasks.enqueue_history(association.pk, objective.pk)


@transaction.atomic
def objective_set_status(*, association: Association, objective: Objective, status: str,
                         actor) -> Objective:
    """Mark an objective achieved, missed or dropped, or active again (only while its
    deadline is ahead). Staff on its sides or an administrator."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_edit_objective(roles, objective.sides):
        raise PermissionDenied("Only staff on this objective's sides or an administrator "
                               "can change it")
    if status not in ObjectiveStatus.values:
        raise ValidationFailed("Unknown status", fields={
            "status": [f"one of {', '.join(ObjectiveStatus.values)}"]})
    today = association_today(association)
    if status == ObjectiveStatus.ACTIVE and objective.deadline < today:
        raise ValidationFailed("Its deadline has passed", fields={
            "status": [f"the deadline ({objective.deadline:%-d %b %Y}) is in the past: "
                       "change the deadline to reactivate it"]})
    if objective.status == status:
        return objective
    old, objective.status = objective.status, status
    objective.save(update_fields=["status"])
    audit.record(association=association, action="objective.status_changed", obj=objective,
                 actor=actor, data={"from": old, "to": status})
    return objective
