"""A small town for the filter-language and segments tests: eight people in two chapters
on two plans, with custom fields, activities (one linked to an offering) and scores.
Built with the services in well under a second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.people.models import CustomFieldDefinition, Person
from commonground.scoring.models import Score
from commonground.scoring.services import current_config
from commonground.tenancy.clock import association_today, association_zone


@dataclass
class Town:
    today: Any
    people: dict[str, Person]
    north: Any
    south: Any
    gold: Any
    silver: Any
    course: Any


def build_town(association) -> Town:
    """Call inside the association's scope."""
    today = association_today(association)
    zone = association_zone(association)
    north = ps.chapter_create(association=association, name="North")
    south = ps.chapter_create(association=association, name="South")
    gold = ms.plan_save(association=association, name="Gold", price="100")
    silver = ms.plan_save(association=association, name="Silver", price="50")
    course = ms.offering_save(association=association, name="Budgeting course",
                              category="learning", side="mission")
    CustomFieldDefinition.objects.create(association=association, key="age", label="Age",
                                         kind="number")
    CustomFieldDefinition.objects.create(association=association, key="sector", label="Sector",
                                         kind="choice", choices=["Health", "Schools"])
    CustomFieldDefinition.objects.create(association=association, key="licensed_on",
                                         label="Licensed on", kind="date")
    CustomFieldDefinition.objects.create(association=association, key="mentor", label="Mentor",
                                         kind="boolean")
    # name: chapter, city, plan (None: never a member), days since joining, custom values
    rows = [
        ("Ann", north, "Leeds", gold, 30, {"age": "34", "sector": "Health", "mentor": True}),
        ("Bob", north, "York", gold, 340, {"age": "51", "licensed_on":
                                             (today - timedelta(days=10)).isoformat()}),
        ("Cat", south, "Leeds", silver, 100, {"sector": "Schools"}),
        ("Dan", south, "", silver, 500, {"age": "29", "mentor": False}),
        ("Eve", north, "Hull", None, 0, {}),
        ("Fay", None, "York", gold, 200, {"licensed_on": "2001-05-01"}),
        ("Gus", south, "Hull", None, 0, {"sector": "Health"}),
        ("Hal", north, "Leeds", silver, 700, {}),
    ]
    people: dict[str, Person] = {}
    for first, chapter, city, plan, days, custom in rows:
        person = ps.person_create(association=association, first_name=first,
                                  last_name="Townsend", email=f"{first.lower()}@town.example",
                                  chapter=chapter.pk if chapter else None, city=city,
                                  custom=custom)
        people[first] = person
        if plan is not None:
            ms.membership_join(association=association, plan=plan, person=person,
                               joined_on=today - timedelta(days=days), invoice=False)
    ms.memberships_advance(association=association, today=today)
    feed = source_create(association=association, name="Events", profile="event_checkin")

    def did(first: str, days_ago: int, category: str, kind: str, offering=None) -> None:
        n = Activity.objects.count()
        Activity.objects.create(
            association=association, person=people[first], source=feed, kind=kind,
            category=category, offering=offering, external_id=f"x{n}",
            occurred_at=datetime.combine(today - timedelta(days=days_ago), time(12),
                                         tzinfo=zone))

    did("Ann", 5, "community", "event_checkin")
    did("Ann", 20, "community", "event_checkin")
    did("Ann", 40, "learning", "course_completion", course)
    did("Bob", 100, "community", "event_checkin")
    did("Dan", 3, "community", "event_checkin")
    did("Eve", 10, "learning", "course_completion", course)
    did("Hal", 400, "community", "event_checkin")
    config = current_config(association=association)
    now = datetime.combine(today, time(12), tzinfo=zone)
    for first, total, level in (("Ann", 62.0, 3), ("Bob", 20.0, 1), ("Dan", 5.0, 0)):
        Score.objects.create(association=association, person=people[first], config=config,
                             derived=total, created=0, total=total, level=level, as_of=today,
                             computed_at=now, components={})
    return Town(today=today, people={k: Person.objects.get(pk=v.pk) for k, v in people.items()},
                north=north, south=south, gold=gold, silver=silver, course=course)
