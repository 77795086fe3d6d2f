"""Which of two people's values the merged person keeps, field by field.

A choice is made per group: an address is one group (a street from one person and a
postal code from the other would be an address nobody has). By default the kept person's
value stays and an empty one takes the removed person's; custom fields merge key by key.
``field_choices`` ({group: "keep" | "remove"}) overrides the default.
"""

from __future__ import annotations

from typing import Any

from commonground.core.errors import ValidationFailed
from commonground.core.normalise import ADDRESS_FIELDS, format_phone

from ..models import Person

GROUPS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone",),
    "address": ADDRESS_FIELDS,
    "chapter": ("chapter_id",),
    "external_id": ("external_id",),
    "user": ("user_id",),
    "custom": ("custom",),
}
LABELS = {"first_name": "First name", "last_name": "Last name", "email": "Email",
          "phone": "Phone", "address": "Address", "chapter": "Chapter",
          "external_id": "External id", "user": "Portal login", "custom": "Custom fields"}
SIDES = ("keep", "remove")


def _filled(person: Person, group: str) -> bool:
    return any(getattr(person, f) not in (None, "", {}) for f in GROUPS[group])


def clean_choices(field_choices: Any) -> dict[str, str]:
    if field_choices is None:
        return {}
    if not isinstance(field_choices, dict):
        raise ValidationFailed("field_choices must map a field to keep or remove",
                               fields={"field_choices": ["expected an object"]})
    errors: dict[str, list[str]] = {}
    for name, side in field_choices.items():
        if name not in GROUPS:
            errors[f"field_choices.{name}"] = [f"unknown field; one of {', '.join(GROUPS)}"]
        elif side not in SIDES:
            errors[f"field_choices.{name}"] = ["must be keep or remove"]
    if errors:
        raise ValidationFailed("Invalid field choices", fields=errors)
    return dict(field_choices)


def plan(keep: Person, remove: Person, choices: dict[str, str]) -> dict[str, str]:
    """group → the side whose value the merged person gets ("merge" for custom fields)."""
    out = {}
    for group in GROUPS:
        if group in choices:
            out[group] = choices[group]
        elif group == "custom":
            out[group] = "merge"
        else:
            out[group] = "remove" if not _filled(keep, group) and _filled(remove, group) else "keep"
    return out


def apply(keep: Person, remove: Person, sides: dict[str, str]) -> list[str]:
    """Set the chosen values on ``keep``; returns the groups taken from ``remove``."""
    taken = []
    for group, side in sides.items():
        if group == "custom":
            if side == "merge":
                merged = {**remove.custom, **keep.custom}
            else:
                merged = {**keep.custom, **remove.custom} if side == "remove" else keep.custom
            if merged != keep.custom:
                keep.custom = merged
                taken.append(group)
            continue
        if side != "remove":
            continue
        for name in GROUPS[group]:
            setattr(keep, name, getattr(remove, name))
        taken.append(group)
    return taken


def display(person: Person, group: str) -> str:
    if group == "address":
        parts = [person.address_line1, person.address_line2,
                 " ".join(p for p in (person.postal_code, person.city) if p), person.region,
                 person.country]
        return ", ".join(p for p in parts if p)
    if group == "phone":
        return format_phone(person.phone)
    if group == "chapter":
        return person.chapter.name if person.chapter_id else ""
    if group == "user":
        return person.user.email if person.user_id else ""
    if group == "custom":
        return ", ".join(f"{k}: {v}" for k, v in sorted(person.custom.items()))
    return str(getattr(person, GROUPS[group][0]) or "")
