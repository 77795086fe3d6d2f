"""``person_merge``: two records of one person become one, without losing a row.

The removed person is deleted, not tombstoned: a tombstone would have to be filtered out
of every list, search, export, API and import match (and would keep holding its email
against the unique key). What it was stays in the ``person.merged`` audit entry as the
full subject-access export (``privacy.person_export``), its change history moves to the
kept person, and its email becomes an email identity of the kept person so feeds still
match it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from commonground.core.errors import NotFound, ValidationFailed
from commonground.core.normalise import email_key
from commonground.tenancy import audit
from commonground.tenancy.models import Association, AuditEntry

from .. import signals, sql
from ..merging import fields as merge_fields
from ..merging.relations import relations_move
from ..models import Person
from ..privacy import person_export

ACTION = "person.merged"


class MergeRefused(ValidationFailed):
    """The two records cannot be merged (the same person, or an erased one)."""

    code = "merge_refused"


class SelfMerge(MergeRefused):
    code = "self_merge"


class CrossAssociationMerge(NotFound):
    """The people belong to different associations: to the caller, the other one does not
    exist (same answer as any cross-tenant lookup)."""


@dataclass
class MergeResult:
    person: Person
    removed_id: int
    moved: dict[str, int] = field(default_factory=dict)
    fields_from_removed: list[str] = field(default_factory=list)
    identities_added: list[str] = field(default_factory=list)
    already_merged: bool = False


def _check(association: Association, keep: Person, remove: Person) -> None:
    if keep.association_id != association.pk or remove.association_id != association.pk:
        raise CrossAssociationMerge("No such person in this association",
                                    fields={"remove_id": ["not found"]})
    if keep.pk == remove.pk:
        raise SelfMerge("A person cannot be merged into themselves",
                        fields={"remove_id": ["the same person as the one kept"]})
    if keep.erased_at or remove.erased_at:
        raise MergeRefused("Erased people cannot be merged",
                           fields={"remove_id": ["an erased person is involved"]})


def _lock(association: Association, keep: Person, remove: Person) -> tuple[Person, Person]:
    """Fresh copies of both rows, locked (PostgreSQL) so two merges of the same pair
    serialise; the second then finds the removed person gone."""
    rows = {p.pk: p for p in Person._base_manager.select_for_update(of=("self",))
            .select_related("chapter", "user").filter(pk__in=[keep.pk, remove.pk])
            .order_by("pk")}  # one lock order, so two merges of a pair cannot deadlock
    if keep.pk not in rows or remove.pk not in rows:
        raise NotFound("No such person", fields={"remove_id": ["not found"]})
    return rows[keep.pk], rows[remove.pk]


@transaction.atomic
def person_merge(*, association: Association, keep: Person, remove: Person, actor=None,
                 field_choices: dict[str, str] | None = None) -> MergeResult:
    """Merge ``remove`` into ``keep``: every row referencing ``remove`` moves to ``keep``,
    ``keep``'s empty fields take ``remove``'s values (unless ``field_choices`` says
    otherwise), then ``remove`` is deleted. One transaction; one ``person.merged`` audit
    entry holding the removed person's full export."""
    _check(association, keep, remove)
    choices = merge_fields.clean_choices(field_choices)
    # First, before any person row: participants take their own locks (activity waits for
    # its writes in flight, whose rows are then moved below).
    signals.person_merge_starting.send(sender=Person, association=association, keep=keep,
                                       remove=remove)
    keep, remove = _lock(association, keep, remove)
    _check(association, keep, remove)
    snapshot = person_export(remove, audited=False)
    emails = {keep.email_key, remove.email_key}
    unlinked_login = (remove.user.email if remove.user_id and keep.user_id
                      and keep.user_id != remove.user_id and choices.get("user") != "remove"
                      else None)
    sides = merge_fields.plan(keep, remove, choices)
    moved = relations_move(keep, remove)
    removed_id = remove.pk
    # Raw: nothing references the row any more (checked), and the ORM's delete would scan
    # every table with a person column and write a stray history row.
    sql.person_delete_merged(association_id=association.pk, person_id=removed_id)
    taken = merge_fields.apply(keep, remove, sides)
    keep.email_key = email_key(keep.email)
    keep.search_text = Person.make_search_text(keep.first_name, keep.last_name, keep.email)
    keep._history_user = actor if getattr(actor, "is_authenticated", False) else None
    keep._change_reason = f"merged person {removed_id}"
    keep.save()
    # Emails the merged person no longer has as their address: activity keeps them as
    # identities, so feeds still match them.
    identities = sorted(k for k in emails if k and k != keep.email_key)
    # Participants move their part: activity links those identities and backfills,
    # membership recomputes the person's copy of their current membership.
    signals.person_merged.send(sender=Person, association=association, keep=keep,
                               removed_id=removed_id, former_emails=identities)
    keep.refresh_from_db()
    audit.record(association=association, action=ACTION, obj=keep, actor=actor, data={
        "removed_id": removed_id, "moved": moved, "fields_from_removed": taken,
        "field_choices": choices, "identities_added": identities,
        "portal_login_unlinked": unlinked_login, "removed": snapshot,
    })
    return MergeResult(person=keep, removed_id=removed_id, moved=moved,
                       fields_from_removed=taken, identities_added=identities)


def merge_outcome(*, keep: Person, remove_id: int) -> MergeResult | None:
    """The result of an earlier merge of ``remove_id`` into ``keep`` (for idempotent
    retries), or None."""
    entry = (AuditEntry.objects.filter(action=ACTION, object_type="person", object_id=keep.pk,
                                       data__removed_id=remove_id).order_by("-id").first())
    if entry is None:
        return None
    data: dict[str, Any] = entry.data
    return MergeResult(person=keep, removed_id=remove_id, moved=data.get("moved", {}),
                       fields_from_removed=data.get("fields_from_removed", []),
                       identities_added=data.get("identities_added", []), already_merged=True)


def merge_snapshots_erase(*, person: Person) -> int:
    """Erasure reaches the people merged into ``person``: their snapshots in the merge
    audit entries are personal data too. Called by ``person_erase``."""
    entries = AuditEntry.objects.filter(action=ACTION, object_type="person", object_id=person.pk)
    n = 0
    for entry in entries:
        entry.data = {**entry.data, "removed": {"erased": True}, "identities_added": [],
                      "portal_login_unlinked": None}
        entry.save(update_fields=["data"])
        n += 1
    return n
