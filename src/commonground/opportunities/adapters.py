"""The few calls opportunities makes into engagement and scoring, in one place.

engagement's ``contribution_create`` and ``notice_send``; scoring's totals are read as two
arrays (``scores_for`` builds one object per person, too slow for 10^5 at every match).
Until scoring lands on this branch there are no scores, and the engagement part is zero.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from commonground.engagement import services as engagement_services
from commonground.engagement.models import Contribution
from commonground.people.models import Person
from commonground.tenancy.models import Association


def contribution_create(*, association: Association, person: Person, kind: str, title: str,
                        occurred_on: date, origin: str, origin_ref: str,
                        hours: Decimal | None = None, description: str = "",
                        actor=None) -> Contribution:
    """A contribution waiting for verification; the same ``origin_ref`` twice is one row."""
    return engagement_services.contribution_create(
        association=association, person=person, kind=kind, title=title,
        occurred_on=occurred_on, origin=origin, origin_ref=origin_ref, hours=hours,
        description=description, actor=actor)


def notice_send(*, association: Association, person: Person, subject: str, body: str,
                url: str = "") -> None:
    """Tell the member: a portal notice and an email on commit (engagement's notices)."""
    engagement_services.notice_send(association=association, person=person, subject=subject,
                                    body=body, url=url)


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
