"""The demo's outreach, through the outreach services, so its pages are alive at first start:

1. a finished list from ten months ago — the members whose renewal fell due in the 90 days
   after it, 10 % held back at random with a fixed seed, most of the contact group recorded
   as called — whose renewal dates have all passed, so its effect report has counts and an
   interval. The seed's renewals were drawn without regard to any outreach, so the honest
   report is "no clear difference" (or "too few to tell" on a small seed);
2. a current list made from the at-risk page's selection (the members with a high lapse
   risk, when the lapse model has scored them; else the members due in the next 60 days),
   a handful of them already called.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_scopes import scope

from commonground.insight.models import ModelKind, Prediction
from commonground.membership import lifecycle
from commonground.membership.models import Term
from commonground.outreach import services as outreach_services
from commonground.outreach.models import Group
from commonground.segments.models import Segment
from commonground.segments.services import segment_create_static
from commonground.tenancy.models import Association

from .steps import staff_email

SEED = 20261201  # the finished list's draw, recorded on it
DUE_WITHIN = 90


def _due(today: date, days: int) -> list[int]:
    """Members whose current term (on ``today``) ends within ``days`` after it."""
    return sorted(set(Term.objects.filter(
        starts_on__lte=today, ends_on__gte=today, ends_on__lte=today + timedelta(days=days),
        membership__person__isnull=False, membership__person__erased_at__isnull=True)
        .exclude(membership__plan__term_months=lifecycle.LIFETIME)
        .values_list("membership__person_id", flat=True)))


def _static_segment(association: Association, name: str, ids: list[int], actor) -> Segment:
    """A static list of ``ids``, as the at-risk page's "put selection into a segment" makes."""
    return segment_create_static(association=association, name=name, person_ids=ids,
                                 actor=actor)


def derive(association: Association, *, today: date, say: Callable[[str], None]) -> dict[str, int]:
    t0 = time.perf_counter()
    rnd = random.Random(SEED)
    actor = get_user_model().objects.filter(
        email__iexact=staff_email(association.slug, "director")).first()
    counts = {"outreach_lists": 0, "outreach_people": 0, "outreach_contacts": 0}
    with scope(association=association):
        then = today - relativedelta(months=10)
        due_then = _due(then, DUE_WITHIN)
        if due_then:
            segment = _static_segment(association, f"Renewals due {then:%b %Y} (called)",
                                      due_then, actor)
            finished = outreach_services.outreach_create(
                association=association, name=f"Renewal calls, {then:%B %Y}", segment=segment,
                holdout_percent=10, seed=SEED, today=then, actor=actor,
                description="Every member due in the following three months was to be "
                            "called; one in ten was held back at random.")
            counts["outreach_contacts"] += _call(association, finished, rnd, when=then,
                                                 share=0.8, actor=actor)
            counts["outreach_lists"] += 1
            counts["outreach_people"] += len(due_then)

        at_risk = list(Prediction.objects.filter(kind=ModelKind.LAPSE, band="high")
                       .order_by("-value_at_risk", "person_id")
                       .values_list("person_id", flat=True)[:200])
        picked = at_risk or _due(today, 60)
        if picked:
            label = "high lapse risk" if at_risk else "due in 60 days"
            segment = _static_segment(association, f"At risk, selected {today:%-d %b %Y}",
                                      picked, actor)
            current = outreach_services.outreach_create(
                association=association, name=f"At-risk calls, {today:%B %Y}", segment=segment,
                actor=actor, description=f"Selected on the At risk page ({label}).")
            counts["outreach_contacts"] += _call(association, current, rnd, when=today,
                                                 share=0.1, actor=actor)
            counts["outreach_lists"] += 1
            counts["outreach_people"] += len(picked)
    say(f"outreach: {counts['outreach_lists']} lists, {counts['outreach_people']} people, "
        f"{counts['outreach_contacts']} contacts recorded in {time.perf_counter() - t0:.1f}s")
    return counts


def _call(association: Association, outreach, rnd: random.Random, *, when: date,
          share: float, actor) -> int:
    """Record ``share`` of the contact group as called (one in eight of them unreachable)
    over the first three weeks after ``when``."""
    ids = sorted(outreach.members.filter(group=Group.CONTACT).values_list("person_id", flat=True))
    chosen = [p for p in ids if rnd.random() < share]
    by_day: dict[tuple[int, str], list[int]] = {}
    for pid in chosen:
        status = "unreachable" if rnd.random() < 0.125 else "contacted"
        by_day.setdefault((rnd.randrange(21), status), []).append(pid)
    zone = timezone.get_current_timezone()
    for (day, status), people in sorted(by_day.items()):
        at = timezone.make_aware(datetime.combine(when + timedelta(days=day),
                                                  clock_time(10)), zone)
        outreach_services.outreach_contacts_record(association=association, outreach=outreach,
                                                   person_ids=people, status=status,
                                                   note="Renewal call", actor=actor, at=at)
    return len(chosen)
