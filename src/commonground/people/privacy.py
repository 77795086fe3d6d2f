"""Everything held on one person, as JSON (the subject-access export).

Erasure is a write and lives in ``people.services.person_erase``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from commonground.tenancy import audit
from commonground.tenancy.models import AuditEntry

from .extensions import data_sections
from .models import Person
from .selectors import audit_q

_SKIP = {"association", "search_text", "email_key"}


def export_row(obj, *, skip: set[str] = frozenset()) -> dict[str, Any]:
    """One model row as the export shows it: every field but the tenant and internal keys.
    Other apps' data sections (``extensions.data_sections``) use it too."""
    data = model_to_dict(obj, exclude=[*_SKIP, *skip])
    data["id"] = obj.pk
    for field in ("created_at", "updated_at"):
        if hasattr(obj, field):
            data[field] = getattr(obj, field)
    return data


def person_export(person: Person, *, actor=None, audited: bool = True) -> dict[str, Any]:
    """All data on ``person``: profile, relationships, the other apps' sections
    (membership: memberships with terms and transitions, invoices with payments), staff
    notes, change history and audit trail.

    The export itself is audited (``person.exported``) because handing data out is a
    privacy-relevant act; ``audited=False`` is for the snapshot a merge keeps inside its
    own audit entry (nothing is handed out).
    """
    sections, audit_objects = {}, []
    for section in data_sections:
        sections[section.key], objects = section.export(person)
        audit_objects.append(objects)
    history = [
        {"changed_at": h.history_date, "change": h.get_history_type_display(),
         "by": getattr(h.history_user, "email", None),
         "values": {f: getattr(h, f) for f in ("first_name", "last_name", "email", "phone",
                                               "city", "country", "custom")}}
        for h in person.history.select_related("history_user").order_by("history_date")
    ]
    trail = AuditEntry.objects.filter(audit_q(person, audit_objects)).order_by("created_at", "id")
    data = {
        "person": {**export_row(person, skip={"user"}),
                   "chapter": person.chapter.name if person.chapter else None,
                   "has_portal_login": person.user_id is not None},
        "relationships": [
            {"organisation": r.organisation.name, "kind": r.kind, "title": r.title,
             "starts_on": r.starts_on, "ends_on": r.ends_on}
            for r in person.relationships.select_related("organisation")
        ],
        **sections,
        "notes": [{"at": n.created_at, "by": getattr(n.author, "email", None), "body": n.body,
                   "pinned": n.pinned}
                  for n in person.notes.select_related("author").order_by("created_at", "id")],
        "change_history": history,
        "audit_trail": [{"at": a.created_at, "action": a.action, "data": a.data} for a in trail],
    }
    if audited:
        audit.record(association=person.association, action="person.exported", obj=person,
                     actor=actor)
    # Round-trip through the encoder so callers get plain JSON types (dates → strings).
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
