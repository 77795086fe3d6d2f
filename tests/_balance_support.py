"""A small world for the balance view: three offerings on both axes and two catalogue
metrics registered by the test (one per side), so the tests need no app's metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.core import metrics
from commonground.core.metrics import Drilldown, FilterSpec, Metric
from commonground.membership import services as ms
from commonground.people.models import Person
from commonground.people.services import person_create

TODAY = date(2026, 6, 15)


def _kind_filter(_association, raw: str) -> str:
    if raw not in ("volunteer_shift", "purchase", "forum_post"):
        raise ValueError(f"no kind {raw!r}")
    return raw


KIND = FilterSpec(name="kind", label="Kind", resolve=_kind_filter)


def _activities(association, query):
    qs = Activity.objects.filter(occurred_at__date__gte=query.start, occurred_at__date__lte=query.end)
    if "kind" in query.filters:
        qs = qs.filter(kind=query.filters["kind"])
    return qs


def _count(association, query) -> Decimal:
    return Decimal(_activities(association, query).count())


def _people(association, query) -> Decimal:
    return Decimal(Person.objects.filter(created_at__date__lte=query.end).count())


def _rows(association, query) -> Drilldown:
    return Drilldown(queryset=_activities(association, query), columns=[("Kind", "kind")])


TEST_METRICS = (
    Metric(key="testbal.activities", label="Test activities", kind="flow", compute=_count,
           rows=_rows, side="mission", filters=(KIND,), group="AAA test", order=0),
    Metric(key="testbal.people", label="Test people", kind="stock", compute=_people,
           rows=_rows, side="business", group="AAA test", order=1),
)


def register() -> None:
    for m in TEST_METRICS:
        metrics.register_metric(m)


def unregister() -> None:
    from commonground.core.metrics import registry

    for m in TEST_METRICS:
        registry._metrics.pop(m.key, None)


def world(association) -> dict:
    """Forum (mission, free): 5 people, no revenue. Conference (business): 2 people, 1000
    revenue. Webinar (business): 1 person, 50 revenue. All in May 2026."""
    src = source_create(association=association, name="Feed", profile="email")
    forum = ms.offering_save(association=association, name="Forum", category="community",
                             side="mission")
    conf = ms.offering_save(association=association, name="Conference", category="community",
                            side="business", price_decision="member_price", member_price="500",
                            non_member_price="800")
    web = ms.offering_save(association=association, name="Webinar", category="learning",
                           side="business", price_decision="member_price", member_price="25",
                           non_member_price="50")
    people = [person_create(association=association, first_name=f"P{i}",
                            email=f"p{i}@example.org") for i in range(6)]
    at = datetime(2026, 5, 10, 12, tzinfo=UTC)
    n = 0

    def act(person, offering, kind, amount=None):
        nonlocal n
        n += 1
        Activity.objects.create(association=association, person=person, source=src, kind=kind,
                                category="community", occurred_at=at, offering=offering,
                                amount=amount, external_id=f"x{n}")

    for p in people[:5]:
        act(p, forum, "forum_post")
        act(p, forum, "forum_post")  # twice: reach counts people, not rows
    act(people[0], conf, "purchase", Decimal("600"))
    act(people[5], conf, "purchase", Decimal("400"))
    act(people[1], web, "purchase", Decimal("50"))
    return {"forum": forum, "conference": conf, "webinar": web, "people": people}
