"""What a merge would do, for staff to check before confirming (a read: no writes)."""

from __future__ import annotations

from typing import Any

from ..models import Person
from . import fields as merge_fields
from .relations import relations_count


def merge_preview(*, keep: Person, remove: Person, field_choices: dict[str, str] | None = None
                  ) -> dict[str, Any]:
    """Side-by-side fields (with the default or chosen side) and how many rows move."""
    choices = merge_fields.clean_choices(field_choices)
    sides = merge_fields.plan(keep, remove, choices)
    rows = []
    for group in merge_fields.GROUPS:
        mine, theirs = (merge_fields.display(keep, group), merge_fields.display(remove, group))
        rows.append({"field": group, "label": merge_fields.LABELS[group], "keep": mine,
                     "remove": theirs, "side": sides[group],
                     # Only a real choice is offered: both filled and different.
                     "choice": bool(mine and theirs and mine != theirs) and group != "custom"})
    counts: dict[str, int] = {}
    history = Person.history.filter(id=remove.pk).count()
    for rel, n in relations_count(remove):
        if rel.is_history:
            history += n
        else:
            counts[rel.title] = counts.get(rel.title, 0) + n
    if history:
        counts["change history entries"] = history
    moves = [{"what": what, "count": n} for what, n in counts.items()]
    warnings = []
    if keep.user_id and remove.user_id and keep.user_id != remove.user_id:
        warnings.append("Both have a portal login; the one not chosen is unlinked (the login "
                        "itself is kept).")
    if remove.email and remove.email_key != keep.email_key:
        warnings.append(f"{remove.email} stays linked to the kept person as an extra email, "
                        "so feeds still match it.")
    return {"keep": keep, "remove": remove, "fields": rows, "moves": moves,
            "warnings": warnings}
