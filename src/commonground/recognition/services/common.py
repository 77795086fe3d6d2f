"""What the recognition services share: validation helpers and the actor check."""

from __future__ import annotations

from typing import Any

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.people.models import Person

FIX = "Please correct the highlighted fields"


def fail(**fields: str) -> ValidationFailed:
    return ValidationFailed(FIX, fields={k: [v] for k, v in fields.items()})


def user_of(actor: Any):
    """The authenticated user behind ``actor``, or None (commands, the rule evaluation)."""
    return actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None


def not_about_themselves(*, person: Person, actor: Any, what: str) -> None:
    """Staff cannot decide on their own recognition (a staff user who is also the person)."""
    user = user_of(actor)
    if user is not None and person.user_id == user.pk:
        raise PermissionDenied(f"You cannot {what} for yourself; another staff member must.",
                               fields={"person": ["this is you"]})


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise fail(**{field: "must be text"})
    value = value.strip()
    if required and not value:
        raise fail(**{field: "this field is required"})
    if len(value) > max_length:
        raise fail(**{field: f"at most {max_length} characters"})
    if "\x00" in value:
        raise fail(**{field: "contains a NUL character"})
    return value
