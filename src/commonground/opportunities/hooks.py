"""How opportunities plugs into people, connected in ``OpportunitiesConfig.ready()``: the
profile's "Opportunities" panel, the subject-access export's section, and its part in
merging (one invitation per person and opportunity) and erasing (free text blanked)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.extensions import AuditObjects
from commonground.people.models import Person
from commonground.people.privacy import export_row

from .models import Invitation, InvitationStatus

# When both people of a merge hold an invitation to the same opportunity, the one further
# along stays.
_RANK = {InvitationStatus.COMPLETED: 6, InvitationStatus.ACCEPTED: 5, InvitationStatus.INVITED: 4,
         InvitationStatus.INTERESTED: 3, InvitationStatus.SUGGESTED: 2,
         InvitationStatus.DECLINED: 1, InvitationStatus.WITHDRAWN: 0}


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {"person": person, "invitations": list(
        Invitation.objects.filter(person=person).select_related("opportunity")
        .order_by("-updated_at")[:20])}


def profile_audit_objects(context: dict[str, Any]) -> AuditObjects:
    return {"invitation": [i.pk for i in context["invitations"]]}


def invitations_export(person: Person) -> tuple[list[dict[str, Any]], AuditObjects]:
    rows = []
    for inv in Invitation.objects.filter(person=person).select_related("opportunity") \
            .order_by("created_at", "id"):
        row = export_row(inv, skip={"person", "invited_by"})
        row["opportunity"] = inv.opportunity.title
        rows.append(row)
    return rows, {"invitation": [r["id"] for r in rows]}


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Before the generic move: where both hold an invitation to one opportunity, keep the
    one further along on ``keep`` and drop the other, so the unique key never clashes."""
    theirs = {i.opportunity_id: i for i in Invitation.objects.filter(person=remove)}
    if not theirs:
        return
    for mine in Invitation.objects.filter(person=keep, opportunity_id__in=list(theirs)):
        other = theirs[mine.opportunity_id]
        if _RANK[other.status] > _RANK[mine.status]:
            mine.delete()
        else:
            other.delete()


def on_erasing(sender, *, association, person: Person, **kwargs) -> None:
    Invitation.objects.filter(person=person).update(message="", response_note="", reasons=[],
                                                    gaps=[])


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="opportunities", template="opportunities/_profile_panel.html", order=320,
        context=profile_panel, audit_objects=profile_audit_objects))
    extensions.data_sections.register(extensions.DataSection(
        key="opportunity_invitations", export=invitations_export, order=320))
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="opportunities.merge_starting")
    signals.person_erasing.connect(on_erasing, sender=Person, dispatch_uid="opportunities.erasing")
