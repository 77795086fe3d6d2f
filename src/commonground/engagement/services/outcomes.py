"""Value derived: outcomes members report (or staff record) — a client won, a promotion…

Outcomes count toward the derived side of the score as soon as they are recorded (no
verification: it is the member's own account of what they got), so every change sends
``value_changed``. A member changes only their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from commonground.core.errors import PermissionDenied
from commonground.membership.models import Offering
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import Outcome, OutcomeKind, ReportedVia
from .common import actor_user, check_person, clean_choice, clean_date, clean_text, raise_if
from .people import value_changed_send


def _clean(*, association: Association, person: Person, kind: Any, title: Any,
           occurred_on: Any, description: Any, offering: Offering | None,
           via_person: Person | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data = {
        "kind": clean_choice(kind, field="kind", choices=OutcomeKind, errors=errors),
        "title": clean_text(title, field="title", errors=errors, max_length=200),
        "occurred_on": clean_date(occurred_on, field="occurred_on", errors=errors,
                                  association=association),
        "description": clean_text(description, field="description", errors=errors,
                                  max_length=5000, required=False),
        "offering": offering, "via_person": via_person,
    }
    if offering is not None and offering.association_id != association.pk:
        errors.setdefault("offering", []).append("no such offering")
    check_person(via_person, association=association, field="via_person", errors=errors,
                 required=False)
    if via_person is not None and via_person.pk == person.pk:
        errors.setdefault("via_person", []).append("someone other than the member")
    raise_if(errors)
    return data


@transaction.atomic
def outcome_create(*, association: Association, person: Person, kind: str, title: str,
                   occurred_on: date | str, reported_via: str, description: str = "",
                   offering: Offering | None = None, via_person: Person | None = None,
                   actor: Any = None) -> Outcome:
    errors: dict[str, list[str]] = {}
    check_person(person, association=association, field="person", errors=errors)
    reported_via = clean_choice(reported_via, field="reported_via", choices=ReportedVia,
                                errors=errors)
    raise_if(errors)
    data = _clean(association=association, person=person, kind=kind, title=title,
                  occurred_on=occurred_on, description=description, offering=offering,
                  via_person=via_person)
    outcome = Outcome.objects.create(association=association, person=person,
                                     reported_via=reported_via, reported_by=actor_user(actor),
                                     **data)
    audit.record(association=association, action="outcome.reported", obj=outcome, actor=actor,
                 data={"person": person.pk, "kind": outcome.kind, "via": reported_via})
    value_changed_send(association=association, person_ids=[person.pk])
    return outcome


@transaction.atomic
def outcome_update(*, association: Association, outcome: Outcome, kind: str, title: str,
                   occurred_on: date | str, description: str = "",
                   offering: Offering | None = None, via_person: Person | None = None,
                   as_member: Person | None = None, actor: Any = None) -> Outcome:
    outcome = Outcome.objects.select_for_update().select_related("person").get(pk=outcome.pk)
    if as_member is not None and outcome.person_id != as_member.pk:
        raise PermissionDenied("You can only change your own outcomes")
    data = _clean(association=association, person=outcome.person, kind=kind, title=title,
                  occurred_on=occurred_on, description=description, offering=offering,
                  via_person=via_person)
    changed = [f for f, v in data.items() if getattr(outcome, f) != v]
    for field, value in data.items():
        setattr(outcome, field, value)
    outcome.save()
    audit.record(association=association, action="outcome.changed", obj=outcome, actor=actor,
                 data={"fields": changed})
    if changed:
        value_changed_send(association=association, person_ids=[outcome.person_id])
    return outcome


@transaction.atomic
def outcome_delete(*, association: Association, outcome: Outcome,
                   as_member: Person | None = None, actor: Any = None) -> None:
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if as_member is not None and outcome.person_id != as_member.pk:
        raise PermissionDenied("You can only delete your own outcomes")
    person_id = outcome.person_id
    audit.record(association=association, action="outcome.deleted", obj=outcome, actor=actor,
                 data={"person": person_id, "title": outcome.title})
    outcome.delete()
    value_changed_send(association=association, person_ids=[person_id])
