"""How outreach plugs into people, connected in ``OutreachConfig.ready()``: the profile's
"Outreach" panel (so nobody calls a held-back member by mistake), the subject-access
export's section, and its part in merging (one entry per list) and erasing (notes
blanked)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.models import Person
from commonground.people.privacy import export_row
from commonground.tenancy.clock import association_today

from . import report
from .models import Group, OutreachMember


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    entries = list(OutreachMember.objects.filter(person=person).select_related("outreach")
                   .order_by("-outreach__made_on", "-outreach_id")[:10])
    today = association_today(request.association)
    for e in entries:
        # Held back until the decision is settled: contacting them spoils the comparison.
        e.hold_until = report.settles_on(e.decision_on, e.grace_days) \
            if e.group == Group.HOLDOUT and e.decision_on else None
        e.still_held = e.hold_until is not None and e.hold_until > today
    return {"person": person, "outreach_entries": entries}


def outreach_export(person: Person) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    rows, lists = [], set()
    for e in OutreachMember.objects.filter(person=person).select_related("outreach") \
            .order_by("outreach__made_on", "id"):
        row = export_row(e, skip={"person"})
        row["outreach_name"] = e.outreach.name
        rows.append(row)
        lists.add(e.outreach_id)
    return rows, {"outreach": sorted(lists)}


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """A list holds a person once: where both people are on the same list the kept
    person's entry (its group and contacts) stays and the removed one's goes; the merge
    moves the rest."""
    both = OutreachMember.objects.filter(person_id=keep.pk).values("outreach_id")
    OutreachMember.objects.filter(person_id=remove.pk, outreach_id__in=both).delete()


def on_erasing(sender, *, association, person: Person, **kwargs) -> None:
    OutreachMember.objects.filter(person=person).update(note="")


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="outreach", template="outreach/_profile_panel.html", order=340,
        context=profile_panel))
    extensions.data_sections.register(extensions.DataSection(
        key="outreach", export=outreach_export, order=340))
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="outreach.merge_starting")
    signals.person_erasing.connect(on_erasing, sender=Person, dispatch_uid="outreach.erasing")
