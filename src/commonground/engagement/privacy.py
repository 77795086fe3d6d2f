"""Engagement's part of a person's subject-access export (``people.privacy``), registered
as a ``people.extensions.data_sections`` entry in ``EngagementConfig.ready()``. Reads only."""

from __future__ import annotations

from typing import Any

from commonground.people.extensions import AuditObjects
from commonground.people.models import Person
from commonground.people.privacy import export_row

from .models import Contribution, GroupMember, MemberTrait, Notice, Outcome, PeerGroup


def engagement_export(person: Person) -> tuple[dict[str, Any], AuditObjects]:
    """Traits (every source, with the inference's evidence), outcomes, contributions,
    notices, peer groups proposed and joined."""
    traits = []
    for mt in MemberTrait.objects.filter(person=person).select_related("trait") \
            .order_by("trait__kind", "trait__slug", "source"):
        row = export_row(mt, skip={"person", "trait"})
        row.update(kind=mt.trait.kind, trait=mt.trait.slug, trait_name=mt.trait.name,
                   updated_at=mt.updated_at)
        traits.append(row)
    outcomes = [export_row(o, skip={"person"}) for o in
                Outcome.objects.filter(person=person).order_by("occurred_on", "id")]
    contributions = [export_row(c, skip={"person"}) for c in
                     Contribution.objects.filter(person=person).order_by("occurred_on", "id")]
    notices = [export_row(n, skip={"person"}) for n in
               Notice.objects.filter(person=person).order_by("created_at", "id")]
    proposed = [export_row(g, skip={"proposed_by"}) for g in
                PeerGroup.objects.filter(proposed_by=person).order_by("id")]
    joined = [{"group": m.group.name, "role": m.role, "joined_at": m.joined_at} for m in
              GroupMember.objects.filter(person=person).select_related("group").order_by("id")]
    data = {"traits": traits, "outcomes": outcomes, "contributions": contributions,
            "notices": notices, "groups_proposed": proposed, "groups_joined": joined}
    return data, {"contribution": [c["id"] for c in contributions],
                  "outcome": [o["id"] for o in outcomes]}
