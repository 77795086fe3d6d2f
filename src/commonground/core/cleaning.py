"""The checks every service makes of free text, and the acting user: one version for all
apps (engagement, meetings, decisions…), so the same input gets the same message."""

from __future__ import annotations

from typing import Any

from .errors import ValidationFailed


def actor_user(actor: Any):
    """The user to record as having acted, or None for the system (tasks, commands, the demo)."""
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
