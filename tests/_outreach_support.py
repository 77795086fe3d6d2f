"""A small world for the outreach tests: annual members whose renewal fell due in March
(some renewed, some lapsed), a few due next month (pending), a non-member, and a static
segment holding them all. Rows straight through the ORM: a few dozen, in milliseconds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from commonground.insight.models import ModelVersion, Prediction
from commonground.membership.models import Membership, Plan, Term
from commonground.people.models import Person
from commonground.segments.models import Segment, SegmentMember

MADE_ON = date(2026, 3, 1)   # the list is made here; terms end 31 March
TODAY = date(2026, 12, 1)    # the report is read here: March's decisions are settled


def world(a, *, decided: int = 40, pending: int = 4, renew_every: int = 3,
          bands: bool = False) -> dict:
    """``decided`` people due on 31 March 2026 (every ``renew_every``-th one lapses), ``pending``
    due on 20 November 2026 (not settled on TODAY), one non-member."""
    plan = Plan.objects.create(association=a, name="Annual", slug="annual", term_months=12,
                               price=Decimal("120.00"))
    people = Person.objects.bulk_create([
        Person(association=a, first_name=f"P{i:03d}", last_name="Member", search_text=f"p{i}")
        for i in range(decided + pending + 1)])
    renewed, lapsed = [], []
    for i, person in enumerate(people[:decided + pending]):
        if i < decided:
            start, end = date(2025, 4, 1), date(2026, 3, 31)
        else:
            start, end = date(2025, 11, 21), date(2026, 11, 20)
        m = Membership.objects.create(association=a, plan=plan, person=person, joined_on=start,
                                      starts_on=start, ends_on=end)
        Term.objects.create(association=a, membership=m, kind="join", starts_on=start,
                            ends_on=end)
        if i < decided and i % renew_every:
            Term.objects.create(association=a, membership=m, kind="renewal",
                                starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
            m.ends_on = date(2027, 3, 31)
            m.save(update_fields=["ends_on"])
            renewed.append(person.pk)
        elif i < decided:
            lapsed.append(person.pk)
    if bands:
        version = ModelVersion.objects.create(association=a, kind="lapse", version=1,
                                              method="rules", status="ready", as_of=MADE_ON,
                                              is_current=True)
        Prediction.objects.bulk_create([
            Prediction(association=a, person=p, kind="lapse", model=version, probability=0.5,
                       band=("high", "medium", "low")[i % 3], scored_at=timezone.now())
            for i, p in enumerate(people[:decided + pending])])
    segment = Segment.objects.create(association=a, name="Due in March", slug="due-march",
                                     is_static=True)
    SegmentMember.objects.bulk_create([SegmentMember(association=a, segment=segment, person=p)
                                       for p in people])
    return {"plan": plan, "people": people, "renewed": renewed, "lapsed": lapsed,
            "segment": segment, "non_member": people[-1]}
