"""Merging duplicate people: the service, its preview and the generic relation mover."""

from .preview import merge_preview
from .relations import MergeConflict, person_relations
from .service import (
    CrossAssociationMerge,
    MergeRefused,
    MergeResult,
    SelfMerge,
    merge_outcome,
    merge_snapshots_erase,
    person_merge,
)

__all__ = ["CrossAssociationMerge", "MergeConflict", "MergeRefused", "MergeResult", "SelfMerge",
           "merge_outcome", "merge_preview", "merge_snapshots_erase", "person_merge",
           "person_relations"]
