"""A person's motivations, skills and interests as the member states them or staff record
them (the inferred ones are written by ``inference``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import MemberTrait, Trait, TraitKind, TraitSource
from .common import check_person, clean_choice, raise_if


@transaction.atomic
def member_traits_set(*, association: Association, person: Person, source: str, kind: str,
                      answers: dict[Any, Any], note: str = "", actor: Any = None) -> int:
    """Replace what ``source`` ("member" or "staff") holds for the person's ``kind`` of
    traits with ``answers`` ({trait id: strength 1–5}; traits left out are dropped). An
    empty ``answers`` clears them. Returns how many the person now holds from that source."""
    errors: dict[str, list[str]] = {}
    check_person(person, association=association, field="person", errors=errors)
    kind = clean_choice(kind, field="kind", choices=TraitKind, errors=errors)
    if source not in (TraitSource.MEMBER, TraitSource.STAFF):
        errors.setdefault("source", []).append("member or staff")
    raise_if(errors)
    held = set(MemberTrait.objects.filter(person=person, source=source, trait__kind=kind)
               .values_list("trait_id", flat=True))
    usable = dict(Trait.objects.filter(kind=kind).values_list("id", "is_active"))
    clean: dict[int, int] = {}
    for raw_id, raw_strength in (answers or {}).items():
        try:
            trait_id, value = int(raw_id), int(raw_strength)
        except (TypeError, ValueError):
            errors.setdefault("answers", []).append(f"{raw_id!r}: not a trait id and a number")
            continue
        # A deactivated entry may be kept by those who hold it, not newly chosen.
        if trait_id not in usable or (not usable[trait_id] and trait_id not in held):
            errors.setdefault(f"trait_{trait_id}", []).append(f"no such {kind}")
        elif not 1 <= value <= 5:
            errors.setdefault(f"trait_{trait_id}", []).append("between 1 and 5")
        else:
            clean[trait_id] = value
    if len(note) > 300:
        errors.setdefault("note", []).append("at most 300 characters")
    raise_if(errors)
    MemberTrait.objects.filter(person=person, source=source, trait__kind=kind) \
        .exclude(trait_id__in=clean).delete()
    for trait_id, value in clean.items():
        MemberTrait.objects.update_or_create(
            association=association, person=person, trait_id=trait_id, source=source,
            defaults={"strength": value, "note": note, "evidence": {}})
    audit.record(association=association, action=f"traits.{source}_set", obj=person, actor=actor,
                 data={"kind": kind, "traits": clean})
    return len(clean)


@transaction.atomic
def traits_survey_save(*, association: Association, person: Person, source: str,
                       answers: dict[str, dict[Any, Any]], actor: Any = None) -> int:
    """The whole survey (or the staff form) at once: ``answers`` {kind: {trait id: strength}}
    for each kind the form showed; all or nothing."""
    return sum(member_traits_set(association=association, person=person, source=source,
                                 kind=kind, answers=kind_answers, actor=actor)
               for kind, kind_answers in answers.items())
