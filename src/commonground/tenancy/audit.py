"""The one helper every state change goes through to leave an audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import Association, AuditEntry


def record(
    *,
    association: Association,
    action: str,
    obj: models.Model | None = None,
    actor: Any = None,
    data: dict | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> AuditEntry:
    """Write one audit entry with a dotted action code such as ``membership.lapsed``."""
    return AuditEntry.objects.create(**_fields(association, action, obj, actor, data,
                                               object_type, object_id))


def record_for_each(
    *,
    associations: Iterable[Association],
    action: str,
    obj: models.Model | None = None,
    actor: Any = None,
    data: dict | None = None,
) -> list[AuditEntry]:
    """The same entry in each of several associations (a change or a read that concerns
    both parties of a collaboration), written in one statement."""
    return AuditEntry.objects.bulk_create([
        AuditEntry(**_fields(a, action, obj, actor, data, None, None)) for a in associations])


def record_many(
    *,
    association: Association,
    action: str,
    objects: Iterable[tuple[str, int, dict]],
    actor: Any = None,
    batch_size: int = 2000,
) -> int:
    """Bulk variant for set-based changes: one entry per (object_type, object_id, data)."""
    actor_obj = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    rows = [
        AuditEntry(association=association, actor=actor_obj, action=action,
                   object_type=t, object_id=i, data=d)
        for t, i, d in objects
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def _fields(association, action, obj, actor, data, object_type, object_id) -> dict:
    if "." not in action:
        raise ValueError(f"audit action must be dotted, got {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk
    return {
        "association": association,
        "actor": actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id,
        "data": data or {},
    }
