"""Reads of data-sharing agreements inside one association: the grantor's consents, the
member's own consents in the portal. What crosses associations (the agreements either
party sees, the shared rows, the read log) is ``crossing.sharing``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from commonground.people.models import Person
from commonground.tenancy.models import Association

from .crossing import sharing as crossing
from .models import AgreementStatus, SharingAgreement, SharingConsent


@dataclass
class ConsentItem:
    agreement: SharingAgreement
    state: str
    given: bool
    given_at: object = None


def consent_items(*, association: Association, person: Person) -> list[ConsentItem]:
    """The agreements of ``association`` (as grantor) that ask for members' consent and
    still can share (waiting for approval or in force), with the person's answer."""
    agreements = list(SharingAgreement.objects.filter(
        association=association, consent_required=True,
        status__in=[AgreementStatus.PROPOSED, AgreementStatus.ACTIVE])
        .select_related("association", "recipient"))
    given = {c.agreement_id: c for c in SharingConsent.objects.filter(
        person=person, withdrawn_at__isnull=True, agreement__in=agreements)}
    out = []
    for a in agreements:
        now = crossing.state(a)
        if now in ("expired", "revoked"):
            continue
        c = given.get(a.pk)
        out.append(ConsentItem(agreement=a, state=now, given=c is not None,
                               given_at=c.given_at if c else None))
    return out


def consentable_agreement(*, association: Association, agreement_id: int
                          ) -> SharingAgreement | None:
    return (SharingAgreement.objects.filter(pk=agreement_id, association=association)
            .select_related("association", "recipient").first())


def consents_of(agreement: SharingAgreement, *, limit: int = 200) -> list[SharingConsent]:
    """The grantor's consents to one agreement, live first (its own rows)."""
    return list(SharingConsent.objects.filter(agreement=agreement)
                .select_related("person").order_by("withdrawn_at", "-given_at")[:limit])


def consent_counts(agreement: SharingAgreement) -> dict[str, int]:
    qs = SharingConsent.objects.filter(agreement=agreement)
    return {"given": qs.filter(withdrawn_at__isnull=True).count(),
            "withdrawn": qs.filter(~Q(withdrawn_at=None)).count()}


def person_for_consent(*, association: Association, ref: str | int) -> Person | None:
    """A person of the association by id or email (staff recording a consent)."""
    text = str(ref or "").strip()
    qs = Person.objects.filter(association=association, erased_at__isnull=True)
    if text.isdigit():
        return qs.filter(pk=int(text)).first() if len(text) < 18 else None
    return qs.filter(email__iexact=text).first() if text else None
