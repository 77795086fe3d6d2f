"""One "today": every business date is the association's local date (tenancy.clock), the
daily lifecycle advance included — tested at moments when UTC's date and the zone's differ."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope

from commonground.membership import services, tasks
from commonground.membership.models import Membership, Status, Transition
from commonground.membership.selectors import membership_dashboard
from commonground.people import selectors as people_selectors
from commonground.people.services import person_create
from commonground.tenancy.clock import association_today, association_zone, scope_today
from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create

ENDS = date(2025, 3, 10)  # the term's last day
# 12:30 UTC on the 10th is already 01:30 on the 11th in Auckland (NZDT, UTC+13): the term has
# ended there, not in UTC. 03:00 UTC on the 11th is still 20:00 on the 10th in Los Angeles
# (PDT, UTC-7): the term has ended in UTC, not there.
CASES = {
    "Pacific/Auckland": (datetime(2025, 3, 10, 12, 30, tzinfo=UTC), date(2025, 3, 11),
                         Status.GRACE),
    "America/Los_Angeles": (datetime(2025, 3, 11, 3, 0, tzinfo=UTC), date(2025, 3, 10),
                            Status.RENEWAL_DUE),
}


@pytest.fixture(params=sorted(CASES))
def case(request, db, monkeypatch):
    zone = request.param
    now, local_day, status = CASES[zone]
    assert now.date() != local_day  # the point of the test
    clock = {"now": datetime(2025, 3, 1, 12, 0, tzinfo=UTC)}  # the same date everywhere
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])  # every clock reads this
    cache.clear()  # dashboard and list counts are cached per tenant id and day
    association = association_create(slug="acme", name="Acme", time_zone=zone)
    with scope(association=association):
        plan = services.plan_save(association=association, name="Annual", price="0",
                                  term_months=12, grace_days=30)
        person = person_create(association=association, first_name="Ada", last_name="Lovelace",
                               email="ada@example.org")
        # Joined a year before: the term ends on ENDS, renewal due on 1 March.
        m = services.membership_join(association=association, plan=plan, person=person,
                                     joined_on=date(2024, 3, 11), invoice=False)
    assert (m.ends_on, m.status) == (ENDS, Status.RENEWAL_DUE)
    clock["now"] = now
    return {"association": association, "zone": zone, "now": now, "today": local_day,
            "status": status, "membership": m, "plan": plan}


def test_the_clock_reads_the_association_zone(case):
    a = case["association"]
    assert association_zone(a) == ZoneInfo(case["zone"])
    assert association_today(a) == case["today"] != timezone.now().date()
    with scope(association=a):
        assert scope_today() == case["today"]


def test_a_blank_or_unknown_zone_is_the_servers(db):
    for name in ("", "Not/AZone"):
        assert association_zone(Association(time_zone=name)) == timezone.get_default_timezone()


def test_the_hourly_advance_lapses_on_the_associations_date(case):
    tasks.advance_all_associations.call()  # the worker's hourly job
    with scope(association=case["association"]):
        m = Membership.objects.get(pk=case["membership"].pk)
        assert m.status == case["status"]
        grace = Transition.objects.filter(membership=m, event="grace")
        if case["status"] == Status.GRACE:
            assert grace.get().on == case["today"]
        else:
            assert not grace.exists()


def test_the_lifecycle_command_uses_the_associations_date(case):
    call_command("lifecycle", "advance", stdout=StringIO())
    with scope(association=case["association"]):
        assert Membership.objects.get(pk=case["membership"].pk).status == case["status"]


def test_renew_computes_from_the_associations_date(case):
    with scope(association=case["association"]):
        services.memberships_advance(association=case["association"])
        m = services.membership_renew(membership=case["membership"], invoice=False)
        assert (m.starts_on, m.ends_on) == (date(2025, 3, 11), date(2026, 3, 10))
        assert m.status == Status.ACTIVE
        assert Transition.objects.get(membership=m, event="renewed").on == case["today"]


def test_join_cancel_and_reinstate_default_to_the_associations_date(case):
    a = case["association"]
    with scope(association=a):
        other = person_create(association=a, first_name="Bo", last_name="Z", email="bo@example.org")
        joined = services.membership_join(association=a, plan=case["plan"], person=other,
                                          invoice=False)
        assert joined.joined_on == case["today"]
        cancelled = services.membership_cancel(membership=joined)
        assert cancelled.cancelled_on == case["today"]
        back = services.membership_reinstate(membership=cancelled, invoice=False)
        assert back.status == Status.ACTIVE


def test_lists_and_dashboard_count_days_from_the_associations_date(case):
    with scope(association=case["association"]):
        services.memberships_advance(association=case["association"])
        due = {p.pk for p in people_selectors.person_list(expiring="30").rows}
        ended = {p.pk for p in people_selectors.person_list(expiring="ended90").rows}
        dashboard = membership_dashboard()
    ada = case["membership"].person_id
    # A term that ended yesterday (there) has ended; one that ends today is due within 30 days.
    if case["status"] == Status.GRACE:
        assert ada in ended and ada not in due and dashboard["expiring_30"] == 0
    else:
        assert ada in due and ada not in ended and dashboard["expiring_30"] == 1
