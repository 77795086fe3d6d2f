"""How recognition plugs into people (below it), connected in ``RecognitionConfig.ready()``:
the profile's recognition panel, the subject-access export's section, and recognition's
part when two people are merged or one is erased."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from commonground.people import extensions, signals
from commonground.people.extensions import AuditObjects
from commonground.people.models import Person

from . import selectors
from .models import (
    Award,
    ExpertProfile,
    MemberRecognition,
    Nomination,
    NominationStatus,
    Tier,
    VettingStatus,
)

MERGED = "A duplicate of another badge of the same member (their records were merged)"
ERASED = "The recipient's data was erased"


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {**selectors.person_recognition(person=person), "person": person,
            "tiers": list(Tier.objects.filter(is_active=True))}


def profile_audit_objects(context: dict[str, Any]) -> AuditObjects:
    return {"award": [a.pk for a in context["awards"]],
            "nomination": [n.pk for n in context["nominations"]]}


def data_export(person: Person) -> tuple[Any, AuditObjects]:
    data = selectors.person_recognition(person=person)
    expert = data["expert"]
    out = {
        "badges": [{"tier": a.tier.name, "uuid": str(a.uuid), "issued_at": a.issued_at.isoformat(),
                    "narrative": a.narrative, "revoked_at": a.revoked_at.isoformat()
                    if a.revoked_at else None, "revocation_reason": a.revocation_reason}
                   for a in data["awards"]],
        "nominations": [{"tier": n.tier.name, "source": n.source, "reason": n.reason,
                         "status": n.status, "created_at": n.created_at.isoformat()}
                        for n in data["nominations"]],
        "public_recognition": {"public": data["public"], "headline": data["headline"]},
        "expert": None if expert is None else {
            "headline": expert.headline, "bio": expert.bio, "status": expert.status,
            "availability": expert.availability, "other_specialties": expert.other_specialties,
            "specialties": [s.trait.name for s in expert.specialties.all()]},
    }
    return out, {"award": [a.pk for a in data["awards"]],
                 "nomination": [n.pk for n in data["nominations"]]}


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Rows that exist once per person: the kept person's public-page choice and expert
    entry win — unless only the removed one's entry is vetted. The rest moves with the
    merge; duplicates are settled in ``on_merged``."""
    for model in (MemberRecognition, ExpertProfile):
        mine = model.objects.filter(person=keep).first()
        theirs = model.objects.filter(person=remove).first()
        if mine is None or theirs is None:
            continue
        if model is ExpertProfile and theirs.status == VettingStatus.VETTED \
                and mine.status != VettingStatus.VETTED:
            mine.delete()
        else:
            theirs.delete()


def on_merged(sender, *, association, keep: Person, **kwargs) -> None:
    """Two active badges of one tier: the earlier stays, the later is revoked (its hosted
    URL then says so). Two nominations waiting for one tier: the later is declined."""
    seen: set[int] = set()
    for award in Award.objects.filter(person=keep, revoked_at__isnull=True).order_by("issued_at",
                                                                                     "id"):
        if award.tier_id in seen:
            award.revoked_at, award.revocation_reason = timezone.now(), MERGED
            award.save(update_fields=["revoked_at", "revocation_reason"])
        seen.add(award.tier_id)
    seen.clear()
    for nomination in Nomination.objects.filter(person=keep, status=NominationStatus.PENDING) \
            .order_by("created_at", "id"):
        if nomination.tier_id in seen:
            nomination.status, nomination.decision_note = NominationStatus.DECLINED, \
                "duplicate after merging records"
            nomination.save(update_fields=["status", "decision_note"])
        seen.add(nomination.tier_id)


def on_erasing(sender, *, association, person: Person, **kwargs) -> None:
    """The person's badges are revoked (a hosted badge must not outlive its recipient's
    data), free text about them is blanked, they leave the public page and the experts."""
    Award.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=ERASED)
    Award.objects.filter(person=person).update(narrative="")
    Nomination.objects.filter(person=person).update(reason="", evidence={})
    MemberRecognition.objects.filter(person=person).delete()
    ExpertProfile.objects.filter(person=person).delete()


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="recognition", template="recognition/_profile_panel.html", order=400,
        context=profile_panel, audit_objects=profile_audit_objects))
    extensions.data_sections.register(extensions.DataSection(
        key="recognition", export=data_export, order=400))
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="recognition.merge_starting")
    signals.person_merged.connect(on_merged, sender=Person, dispatch_uid="recognition.merged")
    signals.person_erasing.connect(on_erasing, sender=Person, dispatch_uid="recognition.erasing")
