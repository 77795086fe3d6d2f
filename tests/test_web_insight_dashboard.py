"""The Insight dashboard: funnel, renewal by join cohort, lapse risk and revenue at risk from
predictions, engagement against renewal — each chart with table and CSV; empty states;
a query ceiling that does not grow with the membership; tenancy."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from commonground.insight.models import ModelVersion, Prediction
from commonground.membership import services as ms
from commonground.membership.models import Membership, Term, TermKind, Transition
from commonground.people import services as ps
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add

URL = "/a/{}/dashboards/insight/"


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()


def _membership(a, plan, person, joined_on: date, terms: int, status: str,
                decided: tuple[str, str, date] | None = None) -> None:
    """A membership with ``terms`` yearly terms from ``joined_on`` (history as imported)."""
    ends = [joined_on.replace(year=joined_on.year + k + 1) - timedelta(days=1) for k in range(terms)]
    m = Membership.objects.create(association=a, plan=plan, person=person, status=status,
                                  joined_on=joined_on, starts_on=ends[-1].replace(
                                      year=ends[-1].year - 1) + timedelta(days=1), ends_on=ends[-1])
    Term.objects.bulk_create([
        Term(association=a, membership=m, kind=TermKind.JOIN if k == 0 else TermKind.RENEWAL,
             starts_on=joined_on.replace(year=joined_on.year + k), ends_on=end)
        for k, end in enumerate(ends)])
    if decided:  # the latest renewal decision, which the engagement check reads
        to_status, event, on = decided
        Transition.objects.create(association=a, membership=m, from_status="active",
                                  to_status=to_status, event=event, on=on)


def _members(a, plan, n: int, *, start: int = 0) -> list:
    """``n`` people who joined four years ago and renewed every year, and ``n`` who joined
    two years ago and never renewed; one never-member per pair."""
    today = association_today(a)
    out = []
    for i in range(start, start + n):
        loyal = ps.person_create(association=a, first_name="Lou", last_name=f"Loyal{i}")
        _membership(a, plan, loyal, date(today.year - 4, 1, 15), 5, "active",
                    ("active", "renewed", today - timedelta(days=200)))
        gone = ps.person_create(association=a, first_name="Gil", last_name=f"Gone{i}")
        _membership(a, plan, gone, date(today.year - 2, 1, 15), 1, "lapsed",
                    ("lapsed", "lapsed", today - timedelta(days=300)))
        ps.person_create(association=a, first_name="Pat", last_name=f"Prospect{i}")
        out.append(loyal)
    return out


def _predict(a, people, today: date) -> None:
    version = ModelVersion.objects.create(association=a, kind="lapse", version=1, method="rules",
                                          status="ready", as_of=today, is_current=True)
    for i, person in enumerate(people):
        p = (0.85, 0.45, 0.1)[i % 3]
        Prediction.objects.create(association=a, person=person, kind="lapse", model=version,
                                  probability=p, band=("high", "medium", "low")[i % 3],
                                  decision_on=today + timedelta(days=40 + 30 * (i % 2)),
                                  value_at_risk=Decimal("120.00"), scored_at=timezone.now())


@pytest.fixture
def world(scoped):
    a = scoped
    plan = ms.plan_save(association=a, name="Individual", price="120", grace_days=30)
    loyal = _members(a, plan, 3)
    return {"a": a, "plan": plan, "loyal": loyal}


def test_empty_association_shows_empty_states(staff_client, association):
    page = staff_client.get(URL.format(association.slug))
    html = page.content.decode()
    assert page.status_code == 200
    assert "No lapse predictions yet" in html and "No first term has ended yet" in html
    assert "No renewal decisions" in html
    csv = staff_client.get(URL.format(association.slug), {"format": "csv", "chart": "funnel"})
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("Stage,People")


def test_funnel_cohorts_and_risk_with_tables_and_csv(staff_client, world):
    a = world["a"]
    today = association_today(a)
    _predict(a, world["loyal"], today)
    page = staff_client.get(URL.format(a.slug))
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 members have a lapse prediction" in html
    assert "Membership funnel" in html and "Revenue at risk by renewal month" in html

    def csv(name: str) -> list[list[str]]:
        r = staff_client.get(URL.format(a.slug), {"format": "csv", "chart": name})
        assert r.status_code == 200, name
        return [line.split(",") for line in r.content.decode("utf-8-sig").strip().splitlines()]

    funnel = dict((row[0], row[1]) for row in csv("funnel")[1:])
    assert funnel == {"Never members (prospects)": "3", "Joined": "6",
                      "Renewed at least once": "3", "Members 3+ years": "3"}
    cohorts = csv("cohorts")
    assert cohorts[0] == ["Joined in", "Renewed", "Did not renew", "First terms ended",
                          "Renewal rate"]
    by_year = {r[0]: r for r in cohorts[1:]}
    four, two = str(today.year - 4), str(today.year - 2)
    assert by_year[four][1:3] == ["3", "0"] and by_year[two][1:3] == ["0", "3"]
    risk = csv("risk-distribution")
    assert risk[0] == ["Probability of lapsing", "High", "Medium", "Low"]
    assert sum(int(c) for r in risk[1:] for c in r[1:]) == 3
    money = csv("revenue-at-risk")
    assert money[0] == ["Renewal month", "High", "Medium", "Low", "Expected loss"]
    assert sum(Decimal(c) for r in money[1:] for c in r[1:4]) == Decimal("360.00")
    assert sum(Decimal(r[4]) for r in money[1:]) == Decimal("168.00")  # 120 × (.85+.45+.1)
    engagement = csv("engagement-renewal")
    assert engagement[0][:3] == ["Score decile", "Renewal rate", "Decisions"]
    assert sum(int(r[2]) for r in engagement[1:]) == 6 and "6 recent renewal decisions" in html


def test_query_count_does_not_grow_with_the_membership(staff_client, world,
                                                       django_assert_max_num_queries):
    a = world["a"]
    _predict(a, world["loyal"], association_today(a))
    with django_assert_max_num_queries(35) as small:
        assert staff_client.get(URL.format(a.slug)).status_code == 200
    cache.clear()
    _members(a, world["plan"], 6, start=10)
    with django_assert_max_num_queries(35) as big:
        assert staff_client.get(URL.format(a.slug)).status_code == 200
    # The engagement check rescores past decisions per month: a few more months can add
    # queries, people never.
    assert len(big.captured_queries) <= len(small.captured_queries) + 4


def test_another_associations_staff_get_a_404(client, world, other_association):
    other = staff_add(association=other_association, email="d@other.example.org",
                      role_key="membership")
    client.force_login(other.user)
    assert client.get(URL.format(world["a"].slug)).status_code == 404
