"""Dual-input forms: an appraisal of a staff member or a schedule for a period that needs
a mission-side and a business-side contribution before it can be completed (seed 000:
"a scheduling system … that required input from both counselors and supervisors, and a
performance-appraisal system that similarly required input from both").

Each side gives one input (its staff; giving it again replaces it, audited); the form is
completed, with the agreed summary, only once both sides have.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.tenancy import audit, permissions
from commonground.tenancy.models import Association, StaffMember

from ..models import DualForm, DualFormKind, DualFormStatus, DualInput, Meeting

MAX_TEXT = 10_000
MAX_SLOTS = 100
RATINGS = range(1, 6)


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)


@transaction.atomic
def dual_form_create(*, association: Association, kind: str, title: str,
                     subject_user: Any = None, period_start: date | None = None,
                     period_end: date | None = None, meeting: Meeting | None = None,
                     actor: Any) -> DualForm:
    """An appraisal names the staff member appraised; a schedule names its period."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_propose(roles):
        raise PermissionDenied("Only staff on the mission or the business side can start "
                               "an appraisal or a schedule")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["required"]
    elif len(title) > 200:
        errors["title"] = ["at most 200 characters"]
    if kind not in DualFormKind.values:
        errors["kind"] = [f"one of {', '.join(DualFormKind.values)}"]
    elif kind == DualFormKind.APPRAISAL:
        if subject_user is None:
            errors["subject_user"] = ["an appraisal names the staff member appraised"]
        elif not StaffMember.objects.filter(association=association, user=subject_user,
                                            role__is_board=False).exists():
            errors["subject_user"] = ["not a staff member of this association"]
    else:
        if period_start is None:
            errors["period_start"] = ["a schedule covers a period: its first day"]
        if period_end is None:
            errors["period_end"] = ["a schedule covers a period: its last day"]
        elif period_start and period_end < period_start:
            errors["period_end"] = ["the last day is before the first"]
    _fail(errors)
    form = DualForm.objects.create(
        association=association, kind=kind, title=title,
        subject_user=subject_user if kind == DualFormKind.APPRAISAL else None,
        period_start=period_start if kind == DualFormKind.SCHEDULE else None,
        period_end=period_end if kind == DualFormKind.SCHEDULE else None,
        meeting=meeting, created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(association=association, action="dual_form.created", obj=form, actor=actor,
                 object_type="dualform",
                 data={"kind": kind, "title": title,
                       "subject_user_id": getattr(form.subject_user, "pk", None),
                       "period": [str(period_start), str(period_end)]
                       if kind == DualFormKind.SCHEDULE else None})
    return form


def _data(kind: str, data: Any, errors: dict[str, list[str]]) -> dict:
    """An appraisal may carry a rating 1–5; a schedule its slots (short lines of text)."""
    if data in (None, ""):
        return {}
    if not isinstance(data, Mapping):
        errors["data"] = ["an object"]
        return {}
    out: dict[str, Any] = {}
    unknown = set(data) - ({"rating"} if kind == DualFormKind.APPRAISAL else {"slots"})
    if unknown:
        errors["data"] = [f"unknown field {sorted(map(str, unknown))[0]!r}"]
        return {}
    if "rating" in data and data["rating"] not in (None, ""):
        try:
            rating = int(str(data["rating"]))
        except ValueError:
            rating = 0
        if rating not in RATINGS:
            errors["data.rating"] = ["a whole number from 1 to 5"]
        else:
            out["rating"] = rating
    if "slots" in data and data["slots"] not in (None, ""):
        slots = data["slots"]
        if isinstance(slots, str):
            slots = [line for line in slots.splitlines()]
        if not isinstance(slots, list) or not all(isinstance(x, str) for x in slots):
            errors["data.slots"] = ["lines of text"]
        else:
            slots = [x.strip() for x in slots if x.strip()]
            if len(slots) > MAX_SLOTS or any(len(x) > 200 for x in slots):
                errors["data.slots"] = [f"at most {MAX_SLOTS} lines of 200 characters"]
            else:
                out["slots"] = slots
    return out


@transaction.atomic
def dual_input_submit(*, association: Association, form: DualForm, side: str, body: str,
                      data: Any = None, actor: Any) -> DualInput:
    """One side's input (staff on that side); a second input for the side replaces it.
    Nobody gives input on their own appraisal."""
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = ["required"]
    elif len(body) > MAX_TEXT:
        errors["body"] = [f"at most {MAX_TEXT} characters"]
    if side not in permissions.BOTH_SIDES:
        errors["side"] = ["mission or business"]
    _fail(errors)
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_sign(roles, side):
        raise PermissionDenied(f"You are not on the {side} side: only {side}-side staff give "
                               "its input", fields={"side": [f"you are not on the {side} side"]})
    form = DualForm.objects.select_for_update().get(pk=form.pk)
    if form.status != DualFormStatus.OPEN:
        raise ValidationFailed("This form is completed", fields={"body": ["completed"]})
    if form.kind == DualFormKind.APPRAISAL and form.subject_user_id == getattr(actor, "pk", None):
        raise PermissionDenied("You cannot give input on your own appraisal",
                               fields={"side": ["your own appraisal"]})
    clean = _data(form.kind, data, errors)
    _fail(errors)
    existing = DualInput.objects.filter(form=form, side=side).first()
    if existing is None:
        made = DualInput.objects.create(association=association, form=form, side=side,
                                        author=actor, body=body, data=clean)
        audit.record(association=association, action="dual_form.input_given", obj=form,
                     actor=actor, object_type="dualform",
                     data={"input_id": made.pk, "side": side})
        return made
    before = {"body": existing.body, "data": existing.data, "author_id": existing.author_id}
    existing.body, existing.data, existing.author = body, clean, actor
    existing.save()
    audit.record(association=association, action="dual_form.input_replaced", obj=form,
                 actor=actor, object_type="dualform",
                 data={"input_id": existing.pk, "side": side, "before": before})
    return existing


@transaction.atomic
def dual_form_complete(*, association: Association, form: DualForm, summary: str,
                       actor: Any) -> DualForm:
    """Record the agreed result; refused until both sides have given their input."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_propose(roles):
        raise PermissionDenied("Only staff on the mission or the business side complete a form")
    errors: dict[str, list[str]] = {}
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = ["required: the agreed result"]
    elif len(summary) > MAX_TEXT:
        errors["summary"] = [f"at most {MAX_TEXT} characters"]
    _fail(errors)
    form = DualForm.objects.select_for_update().get(pk=form.pk)
    if form.status != DualFormStatus.OPEN:
        raise ValidationFailed("This form is completed already",
                               fields={"summary": ["completed"]})
    have = set(form.inputs.values_list("side", flat=True))
    missing = [s for s in permissions.BOTH_SIDES if s not in have]
    if missing:
        raise ValidationFailed(
            f"Waiting for the {' and the '.join(missing)} side's input: both sides give "
            "theirs before the form is completed",
            fields={"summary": [f"no input from the {s} side yet" for s in missing]})
    form.status, form.summary = DualFormStatus.COMPLETED, summary
    form.completed_at, form.completed_by = timezone.now(), actor
    form.save(update_fields=["status", "summary", "completed_at", "completed_by"])
    audit.record(association=association, action="dual_form.completed", obj=form, actor=actor,
                 object_type="dualform", data={"summary": summary})
    return form
