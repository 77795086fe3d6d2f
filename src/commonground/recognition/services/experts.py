"""The expert network (members apply with their specialties; staff vet) and a member's
choice to appear on the public recognition page."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from commonground.core.errors import TransitionNotAllowed
from commonground.engagement.models import Trait, TraitKind
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import Availability, ExpertProfile, ExpertSpecialty, MemberRecognition, VettingStatus
from .common import clean_text, fail, not_about_themselves, user_of


def _specialties(values: Any) -> list[Trait]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple):
        raise fail(specialties="must be a list of skill ids")
    ids = []
    for v in values:
        try:
            ids.append(int(getattr(v, "pk", v)))
        except (TypeError, ValueError):
            raise fail(specialties=f"{v!r} is not a skill id") from None
    traits = list(Trait.objects.filter(pk__in=ids, kind=TraitKind.SKILL))
    if len(traits) != len(set(ids)):
        raise fail(specialties="unknown skill")
    if len(traits) > 20:
        raise fail(specialties="at most 20")
    return traits


@transaction.atomic
def expert_profile_save(*, association: Association, person: Person, headline: str,
                        bio: str = "", specialties: Any = None, other_specialties: str = "",
                        availability: str = Availability.AVAILABLE, actor=None) -> ExpertProfile:
    """A member applies to the expert network or edits their entry. The first save is an
    application waiting for staff; a declined member who edits applies again. Editing a
    vetted entry keeps it vetted (availability changes often)."""
    if person.erased_at:
        raise fail(person="this person's record was erased")
    headline = clean_text(headline, field="headline", max_length=160, required=True)
    bio = clean_text(bio, field="bio", max_length=4000)
    other = clean_text(other_specialties, field="other_specialties", max_length=300)
    if availability not in Availability.values:
        raise fail(availability="one of " + ", ".join(Availability.values))
    traits = _specialties(specialties)
    if not traits and not other:
        raise fail(specialties="name at least one specialty")
    profile = ExpertProfile.objects.select_for_update().filter(person=person).first()
    created = profile is None
    if profile is None:
        profile = ExpertProfile(association=association, person=person)
    elif profile.status == VettingStatus.DECLINED:
        profile.status = VettingStatus.APPLIED
    profile.headline, profile.bio, profile.other_specialties = headline, bio, other
    profile.availability = availability
    profile.save()
    ExpertSpecialty.objects.filter(expert=profile).exclude(trait__in=traits).delete()
    have = set(ExpertSpecialty.objects.filter(expert=profile).values_list("trait_id", flat=True))
    ExpertSpecialty.objects.bulk_create([
        ExpertSpecialty(association=association, expert=profile, trait=t)
        for t in traits if t.pk not in have])
    audit.record(association=association, action="expert.applied" if created else "expert.changed",
                 obj=profile, actor=actor, data={"specialties": [t.slug for t in traits],
                                                 "availability": availability})
    return profile


@transaction.atomic
def expert_vet(*, association: Association, profile: ExpertProfile, status: str,
               note: str = "", actor=None) -> ExpertProfile:
    """Staff vet an expert (or decline, or withdraw vetting by declining). Nobody vets
    themselves."""
    if status not in (VettingStatus.VETTED, VettingStatus.DECLINED):
        raise fail(status="vetted or declined")
    note = clean_text(note, field="note", max_length=300)
    profile = ExpertProfile.objects.select_for_update().select_related("person").get(
        pk=profile.pk)
    not_about_themselves(person=profile.person, actor=actor, what="vet an expert entry")
    if profile.status == status:
        raise TransitionNotAllowed(f"Already {status}", fields={"status": [f"already {status}"]})
    profile.status = status
    profile.vetted_by = user_of(actor)
    profile.vetted_at = timezone.now()
    profile.vetting_note = note
    profile.save(update_fields=["status", "vetted_by", "vetted_at", "vetting_note", "updated_at"])
    audit.record(association=association, action=f"expert.{status}", obj=profile, actor=actor,
                 data={"note": note})
    return profile


@transaction.atomic
def member_recognition_set(*, association: Association, person: Person, public: bool,
                           headline: str = "", actor=None) -> MemberRecognition:
    """Opt in to (or out of) the public recognition page."""
    headline = clean_text(headline, field="headline", max_length=160)
    setting, _ = MemberRecognition.objects.select_for_update().get_or_create(
        association=association, person=person)
    setting.public = bool(public)
    setting.headline = headline
    setting.save()
    audit.record(association=association, action="recognition.public_changed", obj=setting,
                 actor=actor, data={"public": setting.public})
    return setting
