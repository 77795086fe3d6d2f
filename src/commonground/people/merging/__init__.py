"""Merging duplicate people, the parts that are not the write itself: which value the
merged person keeps (``fields``), the preview staff check first (``preview``, a read) and
the generic mover of every row that references a person (``relations``). The merge is
``people.services.person_merge``."""

from .preview import merge_preview
from .relations import MergeConflict, person_relations

__all__ = ["MergeConflict", "merge_preview", "person_relations"]
