"""Writes for the Import page: the column mapping an association chose for a kind of file
(a roster, a membership history), remembered for its next file of that kind."""

from __future__ import annotations

from django.db import transaction

from commonground.core.errors import ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from .history import mapping as history_mapping
from .models import ImportMapping
from .roster import mapping as roster_mapping

# Each kind's check of a {"columns": {header: field}} mapping (raises MappingError).
NORMALISE = {ImportMapping.Kind.PEOPLE: roster_mapping.normalise_mapping,
             ImportMapping.Kind.MEMBERSHIPS: history_mapping.normalise_mapping}


@transaction.atomic
def import_mapping_save(*, association: Association, kind: str, columns: dict[str, str],
                        dayfirst: bool = False, actor=None) -> ImportMapping:
    """Remember the columns chosen for a file of ``kind`` ("people" or "memberships":
    header → field, "custom.<key>" for a roster, or "ignore"), merged over what was saved
    for other headers, for the association's next file of that kind."""
    if kind not in NORMALISE:
        raise ValidationFailed(f"unknown kind of import {kind!r}", fields={"kind": [kind]})
    try:
        checked = NORMALISE[kind]({"columns": dict(columns)})["columns"]
    except roster_mapping.MappingError as exc:
        raise ValidationFailed(str(exc), fields={"columns": [str(exc)]}) from None
    mapping, _ = ImportMapping.objects.select_for_update().get_or_create(
        association=association, kind=kind)
    mapping.columns = {**(mapping.columns or {}), **checked}
    mapping.dayfirst = bool(dayfirst)
    mapping.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    mapping.save()
    # people.import_mapping_saved, memberships.import_mapping_saved (beside memberships.imported)
    audit.record(association=association, action=f"{kind}.import_mapping_saved", obj=mapping,
                 actor=mapping.updated_by,
                 data={"kind": kind, "columns": checked, "dayfirst": mapping.dayfirst})
    return mapping
