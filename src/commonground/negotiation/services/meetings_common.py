"""What the meetings, inbox and manual services share: text checks and the acting user."""

from __future__ import annotations

from typing import Any

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.tenancy import permissions
from commonground.tenancy.models import Association


def actor_user(actor: Any):
    """The user to record as having acted, or None for the system (the demo, a task)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)


def clean_text(value: Any, *, field: str, errors: dict[str, list[str]], max_length: int,
               required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.setdefault(field, []).append("required")
    elif len(text) > max_length:
        errors.setdefault(field, []).append(f"at most {max_length} characters")
    elif "\x00" in text:
        errors.setdefault(field, []).append("contains a NUL character")
    return text


def require_side_staff(association: Association, actor: Any, what: str) -> None:
    """Meetings, agendas, minutes and action items are written by staff on a side
    (``permissions.may_propose``) or administrators; the board reads and comments. No
    actor is the system (the demo seed, a task), which may."""
    user = actor_user(actor)
    if user is None:
        return
    roles = permissions.staff_roles_of(association=association, user=user)
    if not (permissions.may_propose(roles) or permissions.is_admin(roles)):
        raise PermissionDenied(f"Only staff on the mission or the business side can {what}")
