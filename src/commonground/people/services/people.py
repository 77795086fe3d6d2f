"""Writes for people, organisations, relationships, chapters and custom fields."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from commonground.core.errors import Conflict, ValidationFailed
from commonground.core.normalise import (
    ADDRESS_FIELDS,
    email_key,
    normalise_address,
    normalise_email,
    normalise_phone,
)
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import signals
from ..customfields import clean_custom
from ..models import (
    Chapter,
    CustomFieldDefinition,
    FieldKind,
    Organisation,
    Person,
    Relationship,
    RelationshipKind,
    Sector,
)
from .merge import merge_snapshots_erase
from .notes import notes_erase

PERSON_FIELDS = ("first_name", "last_name", "email", "phone", *ADDRESS_FIELDS,
                 "chapter", "custom", "external_id")


def _clean_person(association: Association, data: dict[str, Any], *,
                  current: Person | None = None) -> dict[str, Any]:
    """Validate and normalise person input; collects every field error at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name in ("first_name", "last_name", "external_id"):
        if name in data:
            value = (data[name] or "").strip()
            limit = Person._meta.get_field(name).max_length
            if len(value) > limit:
                errors[name] = [f"at most {limit} characters"]
            out[name] = value
    if "email" in data:
        try:
            out["email"] = normalise_email(data["email"])
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if "phone" in data:
        region = (data.get("country") or (current.country if current else "")
                  or str(association.country))
        try:
            out["phone"] = normalise_phone(data["phone"], region=region)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if any(k in data for k in ADDRESS_FIELDS):
        merged = {k: data.get(k, getattr(current, k, "") if current else "") for k in ADDRESS_FIELDS}
        if not merged["country"] and any(merged[k] for k in ADDRESS_FIELDS):
            merged["country"] = str(association.country)
        try:
            out.update(normalise_address(merged))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if "chapter" in data:
        chapter = data["chapter"]
        if chapter is not None and not isinstance(chapter, Chapter):
            chapter = Chapter.objects.filter(pk=chapter).first() if str(chapter).isdigit() else \
                Chapter.objects.filter(slug=str(chapter)).first()
            if chapter is None:
                errors["chapter"] = ["no such chapter"]
        out["chapter"] = chapter
    if "custom" in data:
        try:
            base = dict(current.custom) if current else {}
            base.update(data["custom"] or {})
            out["custom"] = clean_custom(list(CustomFieldDefinition.objects.all()), base)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if current is None and not (out.get("first_name") or out.get("last_name") or out.get("email")):
        errors.setdefault("last_name", []).append("a name or an email is required")
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    return out


def _check_email_free(association: Association, key: str, exclude_pk: int | None) -> None:
    if not key:
        return
    clash = Person.objects.filter(email_key=key).exclude(pk=exclude_pk).first()
    if clash:
        raise Conflict("Another person already has this email",
                       fields={"email": [f"already used by person {clash.pk}"]})


@transaction.atomic
def person_create(*, association: Association, actor=None, **data: Any) -> Person:
    """Create a person. With an email already on file this is a conflict, not a duplicate."""
    clean = _clean_person(association, {k: v for k, v in data.items() if k in PERSON_FIELDS})
    key = email_key(clean.get("email", ""))
    _check_email_free(association, key, None)
    person = Person(association=association, email_key=key, **clean)
    person.search_text = Person.make_search_text(person.first_name, person.last_name, person.email)
    person._history_user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # A concurrent create won the race for this email.
        raise Conflict("Another person already has this email", fields={"email": ["taken"]})
    audit.record(association=association, action="person.created", obj=person, actor=actor)
    _backfill(association, person)
    return person


def _backfill(association: Association, person: Person) -> None:
    """Announce the person's new email (activity left unmatched under it joins their
    timeline: ``activity.hooks``)."""
    if person.email_key:
        signals.person_emails_added.send(sender=Person, association=association,
                                         people=[(person.pk, person.email_key)])


@transaction.atomic
def person_update(*, association: Association, person: Person, actor=None, **data: Any) -> Person:
    if person.erased_at:
        raise Conflict("This person was erased and cannot be edited")
    clean = _clean_person(association, {k: v for k, v in data.items() if k in PERSON_FIELDS},
                          current=person)
    changed = {}
    for name, value in clean.items():
        if getattr(person, name) != value:
            changed[name] = value
            setattr(person, name, value)
    if not changed:
        return person
    if "email" in changed:
        person.email_key = email_key(person.email)
        _check_email_free(association, person.email_key, person.pk)
    person.search_text = Person.make_search_text(person.first_name, person.last_name, person.email)
    person._history_user = actor if getattr(actor, "is_authenticated", False) else None
    person.save()
    audit.record(association=association, action="person.updated", obj=person, actor=actor,
                 data={"fields": sorted(changed)})
    if "email" in changed:
        _backfill(association, person)
    return person


@transaction.atomic
def organisation_create(*, association: Association, name: str, sector: str = Sector.PRIVATE,
                        website: str = "", email: str = "", phone: str = "", city: str = "",
                        country: str = "", actor=None) -> Organisation:
    """Create an organisation; an existing one with the same name is returned (idempotent)."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["required"]
    if sector not in Sector.values:
        errors["sector"] = [f"one of {', '.join(Sector.values)}"]
    try:
        email = normalise_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        phone = normalise_phone(phone, region=country or str(association.country))
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    org, created = Organisation.objects.get_or_create(
        association=association, name_key=name.lower(),
        defaults={"name": name, "sector": sector, "website": website, "email": email,
                  "phone": phone, "city": city, "country": country.upper()},
    )
    if created:
        audit.record(association=association, action="organisation.created", obj=org, actor=actor)
    return org


@transaction.atomic
def relationship_add(*, association: Association, person: Person, organisation: Organisation,
                     kind: str = RelationshipKind.EMPLOYEE, title: str = "", actor=None
                     ) -> Relationship:
    if kind not in RelationshipKind.values:
        raise ValidationFailed("Unknown relationship", fields={"kind": list(RelationshipKind.values)})
    rel, created = Relationship.objects.get_or_create(
        association=association, person=person, organisation=organisation, kind=kind,
        defaults={"title": title, "starts_on": association_today(association)},
    )
    if created:
        audit.record(association=association, action="relationship.added", obj=rel, actor=actor,
                     data={"person": person.pk, "organisation": organisation.pk, "kind": kind})
    return rel


@transaction.atomic
def chapter_create(*, association: Association, name: str, region: str = "", actor=None
                   ) -> Chapter:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("A chapter needs a name", fields={"name": ["required"]})
    chapter, created = Chapter.objects.get_or_create(
        association=association, slug=slugify(name)[:64], defaults={"name": name, "region": region}
    )
    if created:
        audit.record(association=association, action="chapter.created", obj=chapter, actor=actor)
    return chapter


@transaction.atomic
def custom_field_define(*, association: Association, key: str, label: str,
                        kind: str = FieldKind.TEXT, choices: list[str] | None = None,
                        required: bool = False, help_text: str = "", actor=None
                        ) -> CustomFieldDefinition:
    key = slugify(key).replace("-", "_")
    errors: dict[str, list[str]] = {}
    if not key:
        errors["key"] = ["required"]
    if kind not in FieldKind.values:
        errors["kind"] = [f"one of {', '.join(FieldKind.values)}"]
    if kind == FieldKind.CHOICE and not choices:
        errors["choices"] = ["a choice field needs choices"]
    if errors:
        raise ValidationFailed("Invalid custom field", fields=errors)
    definition, created = CustomFieldDefinition.objects.update_or_create(
        association=association, key=key,
        defaults={"label": label or key, "kind": kind, "choices": choices or [],
                  "required": required, "help_text": help_text},
    )
    audit.record(association=association, action="custom_field.defined", obj=definition,
                 actor=actor, data={"key": key, "kind": kind, "created": created})
    return definition


ERASED_NAME = "Erased person"


@transaction.atomic
def person_erase(*, association: Association, person: Person, actor=None) -> Person:
    """Remove a person's identity (GDPR erasure) while keeping money and aggregates.

    Memberships, terms, invoices and payments stay (with amounts and dates) so the books
    and anonymous statistics remain right; every identifying value, in the live row and in
    its change history, is blanked.
    """
    if person.erased_at:
        return person
    blank = {f: "" for f in ("first_name", "email", "email_key", "phone", "external_id",
                             *ADDRESS_FIELDS)}
    for name, value in blank.items():
        setattr(person, name, value)
    person.last_name = ERASED_NAME
    person.custom = {}
    person.user = None
    person.search_text = ""
    person.erased_at = timezone.now()
    person.skip_history_when_saving = True
    person.save()
    del person.skip_history_when_saving
    # The change history holds old identities too.
    person.history.all().update(last_name=ERASED_NAME, custom={}, **{
        k: v for k, v in blank.items()
    })
    # Each app above people blanks its part (membership: the invoices' billing name).
    signals.person_erasing.send(sender=Person, association=association, person=person)
    notes_erase(person=person)
    merge_snapshots_erase(person=person)
    audit.record(association=association, action="person.erased", obj=person, actor=actor)
    return person
