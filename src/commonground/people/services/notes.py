"""Staff notes on a person: add, pin; erased (emptied) with the person. (Listing them is a
read: ``people.selectors.notes_for``.)"""

from __future__ import annotations

from django.db import transaction

from commonground.core.errors import Conflict, ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import Note, Person

MAX_BODY = 10_000


@transaction.atomic
def note_add(*, association: Association, person: Person, body: str, pinned: bool = False,
             actor=None) -> Note:
    if person.erased_at:
        raise Conflict("This person was erased; notes cannot be added")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("A note needs some text", fields={"body": ["required"]})
    if len(body) > MAX_BODY:
        raise ValidationFailed("Note too long", fields={"body": [f"at most {MAX_BODY} characters"]})
    note = Note.objects.create(
        association=association, person=person, body=body, pinned=bool(pinned),
        author=actor if getattr(actor, "is_authenticated", False) else None)
    # The body stays out of the audit log: it is free text about a person, and erasure
    # must be able to remove it in one place.
    audit.record(association=association, action="person.note_added", obj=person, actor=actor,
                 data={"note_id": note.pk, "pinned": note.pinned})
    return note


@transaction.atomic
def note_pin(*, association: Association, note: Note, pinned: bool, actor=None) -> Note:
    if note.pinned != pinned:
        note.pinned = pinned
        note.save(update_fields=["pinned"])
        audit.record(association=association,
                     action="person.note_pinned" if pinned else "person.note_unpinned",
                     obj=note.person, actor=actor, data={"note_id": note.pk})
    return note


def notes_erase(*, person: Person) -> int:
    """Part of ``person_erase``: note bodies are emptied; who wrote a note and when stays."""
    return Note.objects.filter(person=person).update(body="")
