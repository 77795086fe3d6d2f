"""A small, fixed world of prospects for the prospects tests (built with the ORM and the
membership service, a few hundred rows, well under a second).

``TODAY`` is 1 December 2026. Eighty people were added on 1 January 2025. The 44 "keen" ones
browse the membership pages and come to an event in the weeks before they join (joins
spread from April 2025 to October 2026); the 36 "casual" ones open a newsletter now and then
and never join. Two more have just started looking (no membership yet) and one member
never stops being one (never a prospect). The newsletter and the website are the sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django_scopes import scope

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.people.models import Person

TODAY = date(2026, 12, 1)
ADDED = datetime(2025, 1, 1, 9, tzinfo=UTC)


@dataclass
class World:
    association: object
    keen: list[Person] = field(default_factory=list)
    casual: list[Person] = field(default_factory=list)
    looking: list[Person] = field(default_factory=list)
    member: Person | None = None
    web: object = None
    mail: object = None
    plan: object = None


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def activity(world: World, person: Person, kind: str, on: date, *, page: str = "",
             amount: str | None = None, n: int = 1, meta: dict | None = None) -> None:
    source = world.mail if kind.startswith("email") else world.web
    category = {"page_view": "web", "event_checkin": "community", "order_line": "commerce",
                "email_open": "marketing", "email_sent": "marketing"}[kind]
    rows = [Activity(association=world.association, source=source, person=person, kind=kind,
                     category=category, occurred_at=at(on, 9 + i % 8), amount=amount,
                     metadata={**({"page": page} if page else {}), **(meta or {})},
                     external_id=f"{person.pk}-{kind}-{on}-{i}-{page}")
            for i in range(n)]
    Activity.objects.bulk_create(rows)


def _person(world: World, name: str, *, created: datetime = ADDED) -> Person:
    p = ps.person_create(association=world.association, first_name=name, last_name="Prospect",
                         email=f"{name.lower()}@example.org")
    Person.objects.filter(pk=p.pk).update(created_at=created)
    p.refresh_from_db()
    return p


def build(association, *, keen: int = 44, casual: int = 36) -> World:
    """The world above in ``association`` (inside its scope)."""
    w = World(association=association)
    with scope(association=association):
        w.web = source_create(association=association, name="Website", profile="web_analytics")
        w.mail = source_create(association=association, name="Newsletter", profile="email")
        w.plan = ms.plan_save(association=association, name="Individual", price="120")
        for i in range(keen):
            p = _person(w, f"Keen{i}")
            joins = date(2025, 4, 1) + timedelta(days=13 * i)
            for k in range(3):
                activity(w, p, "page_view", joins - timedelta(days=10 + 9 * k), page="/membership")
            activity(w, p, "event_checkin", joins - timedelta(days=25))
            activity(w, p, "email_sent", joins - timedelta(days=40), n=2)
            ms.membership_join(association=association, plan=w.plan, person=p, joined_on=joins,
                               invoice=False)
            w.keen.append(p)
        for i in range(casual):
            p = _person(w, f"Casual{i}")
            for k in range(0, 23, 3):
                on = date(2025, 1, 15) + timedelta(days=30 * k + i)
                activity(w, p, "email_sent", on)
                if (i + k) % 4 == 0:
                    activity(w, p, "email_open", on + timedelta(days=1))
            w.casual.append(p)
        for i in range(2):
            p = _person(w, f"Looking{i}", created=datetime(2026, 10, 1, tzinfo=UTC))
            for k in range(3):
                activity(w, p, "page_view", TODAY - timedelta(days=5 + 7 * k), page="/join")
            activity(w, p, "event_checkin", TODAY - timedelta(days=12))
            w.looking.append(p)
        w.member = _person(w, "Member", created=datetime(2020, 1, 1, tzinfo=UTC))
        ms.membership_join(association=association, plan=ms.plan_save(
            association=association, name="Lifetime", price="900", term_months=0),
            person=w.member, joined_on=date(2020, 1, 1), invoice=False)
        activity(w, w.member, "page_view", TODAY - timedelta(days=3), page="/membership", n=4)
    return w
