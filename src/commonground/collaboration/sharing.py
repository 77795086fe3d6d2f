"""What a data-sharing agreement may grant: record kinds and their allowed fields.

An agreement names one record kind and a subset of its fields; the one read path
(``crossing.sharing.shared_rows``) selects exactly those columns, of the kind's rows in
the grantor's data (its base filter, the agreement's row filter, the members' consents),
and nothing else. A field not in the registry can't be granted, so no agreement can
reach a column this module does not list.

Every kind's rows are people (``people.Person``): the consent, the row filter (the
person-filter language) and erasure apply the same way to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from commonground.core.errors import ValidationFailed


@dataclass(frozen=True)
class SharedField:
    key: str
    label: str
    column: str  # a path over Person for ``values()``


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: str
    description: str
    fields: tuple[SharedField, ...]
    base: Q = field(default_factory=Q)

    def field(self, key: str) -> SharedField | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


_PERSON = (
    SharedField("first_name", "First name", "first_name"),
    SharedField("last_name", "Last name", "last_name"),
    SharedField("email", "Email", "email"),
    SharedField("phone", "Phone", "phone"),
    SharedField("city", "City", "city"),
    SharedField("country", "Country", "country"),
    SharedField("chapter", "Chapter", "chapter__name"),
)

KINDS: dict[str, RecordKind] = {k.key: k for k in (
    RecordKind(
        key="members", label="Members",
        description="People with a membership (current or past), with their plan and dates",
        fields=(*_PERSON,
                SharedField("plan", "Plan", "member_plan__name"),
                SharedField("status", "Membership status", "member_status"),
                SharedField("member_since", "Member since", "member_since"),
                SharedField("member_until", "Member until", "member_until")),
        base=~Q(member_status="")),
    RecordKind(
        key="people", label="Contacts",
        description="Everyone in the association's records (members, prospects, contacts)",
        fields=_PERSON),
)}


def kinds() -> list[RecordKind]:
    return list(KINDS.values())


def kind(key: str) -> RecordKind | None:
    return KINDS.get(key)


def checked_fields(record_kind: str, fields: list[str] | tuple[str, ...] | str | None,
                   errors: dict[str, list[str]]) -> tuple[RecordKind | None, list[str]]:
    """The kind and the fields (in the kind's order, without repeats), or messages in
    ``errors`` under ``record_kind`` / ``fields``."""
    found = kind(str(record_kind or ""))
    if found is None:
        errors.setdefault("record_kind", []).append(f"one of {', '.join(KINDS)}")
        return None, []
    if isinstance(fields, str):
        fields = [f for f in fields.replace(",", " ").split() if f]
    if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
        errors.setdefault("fields", []).append("a list of field names")
        return found, []
    unknown = [f for f in fields if found.field(f) is None]
    if unknown:
        errors.setdefault("fields", []).append(
            f"not a field of {found.label.lower()}: {', '.join(unknown[:5])[:200]} "
            f"(allowed: {', '.join(found.keys)})")
    elif not fields:
        errors.setdefault("fields", []).append("name at least one field")
    wanted = set(fields)
    return found, [k for k in found.keys if k in wanted]


def labels(record_kind: str, fields: list[str]) -> list[str]:
    found = kind(record_kind)
    if found is None:
        return list(fields)
    return [(found.field(f).label if found.field(f) else f) for f in fields]


def kinds_raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
