"""Every write of the people app (keyword-only, atomic, audited), by subject:

* ``people``: people, organisations, relationships, chapters, custom fields, erasure;
* ``notes``: staff notes on a person;
* ``duplicates``: dismissing a likely duplicate pair, and undoing it;
* ``merge``: merging two records of one person.

The names below are the app's write API (``from commonground.people import services``).
"""

from .duplicates import duplicate_dismiss, duplicate_restore
from .merge import (
    CrossAssociationMerge,
    MergeRefused,
    MergeResult,
    SelfMerge,
    merge_outcome,
    merge_snapshots_erase,
    person_merge,
)
from .notes import MAX_BODY as NOTE_MAX_BODY
from .notes import note_add, note_pin, notes_erase
from .people import (
    ERASED_NAME,
    PERSON_FIELDS,
    chapter_create,
    custom_field_define,
    organisation_create,
    person_create,
    person_erase,
    person_update,
    relationship_add,
)

__all__ = [
    "ERASED_NAME", "NOTE_MAX_BODY", "PERSON_FIELDS", "CrossAssociationMerge", "MergeRefused",
    "MergeResult", "SelfMerge", "chapter_create", "custom_field_define", "duplicate_dismiss",
    "duplicate_restore", "merge_outcome", "merge_snapshots_erase", "note_add", "note_pin",
    "notes_erase", "organisation_create", "person_create", "person_erase", "person_merge",
    "person_update", "relationship_add",
]
