"""The few calls opportunities makes into engagement and scoring, in one place.

engagement's ``contribution_create`` and ``notice_send`` and scoring's scores are built in
parallel with this app; until each lands, a minimal stand-in here does the same job
(a submitted contribution with the same idempotent ``origin_ref``; an email on commit;
no scores), so the rest of the app calls only these functions and nothing else changes
when they switch over.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from commonground.engagement.models import Contribution, ContributionStatus
from commonground.people.models import Person
from commonground.tenancy.models import Association

log = logging.getLogger(__name__)


def contribution_create(*, association: Association, person: Person, kind: str, title: str,
                        occurred_on: date, origin: str, origin_ref: str,
                        hours: Decimal | None = None, description: str = "",
                        actor=None) -> Contribution:
    """A contribution waiting for verification; the same ``origin_ref`` twice is one row."""
    try:
        # Imported here: engagement's service may not exist yet on this branch (stand-in below).
        from commonground.engagement.services import contribution_create as create
    except ImportError:
        create = None
    if create is not None:
        return create(association=association, person=person, kind=kind, title=title,
                      occurred_on=occurred_on, origin=origin, origin_ref=origin_ref,
                      hours=hours, description=description, actor=actor)
    existing = Contribution.objects.filter(origin_ref=origin_ref).first()
    if existing is not None:
        return existing
    return Contribution.objects.create(
        association=association, person=person, kind=kind, title=title[:200],
        description=description, occurred_on=occurred_on, hours=hours, origin=origin,
        origin_ref=origin_ref, status=ContributionStatus.SUBMITTED,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None)


def notice_send(*, association: Association, person: Person, subject: str, body: str,
                url: str = "") -> None:
    """Tell the member: a portal notice and an email (engagement's notices once landed)."""
    try:
        # Imported here: engagement's notices may not exist yet on this branch.
        from commonground.engagement.services import notice_send as send
    except ImportError:
        send = None
    if send is not None:
        send(association=association, person=person, subject=subject, body=body, url=url)
        return
    if not person.email:
        return
    text = f"{body}\n\n{url}" if url else body
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
    transaction.on_commit(lambda: send_mail(subject, text, sender, [person.email],
                                            fail_silently=False))


def score_totals(association: Association) -> tuple[np.ndarray, np.ndarray]:
    """(person ids, engagement totals 0–100) of everyone scored; empty before scoring lands."""
    try:
        # Imported here: scoring's Score may not exist yet on this branch.
        from commonground.scoring.models import Score
    except ImportError:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    rows = list(Score.objects.values_list("person_id", "total"))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    ids, totals = zip(*rows, strict=True)
    return np.asarray(ids, dtype=np.int64), np.asarray(totals, dtype=np.float32)
