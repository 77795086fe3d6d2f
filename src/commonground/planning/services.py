"""Writes of the planning app: strategic plans, why-answers, goals, objectives, comments.

KPI computation and snapshots are ``planning.kpis``; the balance view's settings and
offering costs are ``planning.balance``.
"""

from __future__ import annotations

from django.db import transaction

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.tenancy import audit, permissions
from commonground.tenancy.models import Association

from .models import Comment

COMMENT_SUBJECTS = ("plan", "answer", "goal", "objective", "meeting", "decision", "form")


@transaction.atomic
def comment_add(*, association: Association, subject: str, subject_id: int, body: str,
                actor) -> Comment:
    """A comment on a plan item, a meeting or a decision: any staff member, the board too.
    The caller has checked that ``subject_id`` is one of the association's objects."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_comment(roles):
        raise PermissionDenied("Only the association's staff and board can comment")
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = ["required"]
    elif len(body) > 10_000:
        errors["body"] = ["at most 10000 characters"]
    if subject not in COMMENT_SUBJECTS:
        errors["subject"] = [f"one of {', '.join(COMMENT_SUBJECTS)}"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    comment = Comment.objects.create(association=association, subject=subject,
                                     subject_id=subject_id, author=actor, body=body)
    audit.record(association=association, action="comment.added", obj=comment, actor=actor,
                 data={"subject": subject, "subject_id": subject_id})
    return comment
