"""The balance view: each side's metrics and monthly snapshots, offerings on both axes with
recorded costs, the paradox quadrant, and the two sides never merged into one number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from _balance_support import TODAY, register, unregister, world
from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.planning.balance import selectors, services
from commonground.planning.balance.figures import prorated
from commonground.planning.balance.periods import Period
from commonground.planning.models import BalanceMetric, BalanceSnapshot, OfferingCost
from commonground.tenancy.models import AuditEntry
from commonground.tenancy.services import staff_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _metrics():
    register()
    yield
    unregister()


@pytest.fixture
def small(scoped):
    return world(scoped)


def _user(association, role, email):
    return staff_add(association=association, email=email, role_key=role).user


def test_defaults_come_from_each_metrics_side_and_snapshots_are_monthly(scoped, small):
    view = selectors.balance_view(scoped, today=TODAY)
    assert not view.configured
    assert [s.label for s in view.sides["mission"]][:1] == ["Test activities"]
    assert [s.label for s in view.sides["business"]][:1] == ["Test people"]
    written = services.balance_snapshots_take(association=scoped, today=TODAY, months=3)
    rows = BalanceMetric.objects.all()
    assert written == 3 * rows.count()
    act = rows.get(metric="testbal.activities")
    by_month = dict(BalanceSnapshot.objects.filter(balance_metric=act)
                    .values_list("period_start", "value"))
    assert by_month == {date(2026, 4, 1): 0, date(2026, 5, 1): 13, date(2026, 6, 1): 0}
    june = BalanceSnapshot.objects.get(balance_metric=act, period_start=date(2026, 6, 1))
    assert june.period_end == TODAY  # the current month runs to today
    # Idempotent: a rerun writes the recent months again and adds no rows.
    before = BalanceSnapshot.objects.count()
    assert services.balance_snapshots_take(association=scoped, today=TODAY, months=3) == \
        2 * rows.count()
    assert BalanceSnapshot.objects.count() == before


def test_offerings_on_both_axes_with_costs_and_the_paradox_quadrant(scoped, small):
    services.offering_cost_record(association=scoped, offering=small["conference"],
                                  period_start=date(2026, 5, 1), period_end=date(2026, 5, 31),
                                  amount="400", note="Venue")
    services.balance_snapshots_take(association=scoped, today=TODAY, months=3)
    view = selectors.balance_view(scoped, today=TODAY, period="2026-05")
    got = {o.offering.name: (o.reach, o.revenue, o.cost, o.margin, o.quadrant)
           for o in view.offerings}
    assert got == {
        "Forum": (5, 0, 0, 0, "High social, low economic: the paradox"),
        "Conference": (2, 1000, 400, 600, "Low social, high economic"),
        "Webinar": (1, 50, 0, 50, "Low social, low economic"),
    }
    assert [o.offering.name for o in view.paradox] == ["Forum"]
    # The window gives the same figures here (everything happened in May).
    window = selectors.balance_view(scoped, today=TODAY)
    assert {o.offering.name: o.reach for o in window.offerings} == {
        "Forum": 5, "Conference": 2, "Webinar": 1}
    # Never one number: the view has two separate sides and no combined figure.
    assert set(view.sides) == {"mission", "business"}
    assert not any(hasattr(view, a) for a in ("score", "total", "combined", "balance_score"))


def test_the_page_shows_two_charts_side_by_side_and_the_quadrant(scoped, small, staff_client,
                                                                 monkeypatch):
    monkeypatch.setattr("commonground.planning.balance.views.association_today", lambda a: TODAY)
    services.balance_snapshots_take(association=scoped, today=TODAY, months=12)
    url = reverse("balance", kwargs={"association": scoped.slug})
    page = staff_client.get(url).content.decode()
    assert page.count('id="chart-mission"') == 1 and page.count('id="chart-business"') == 1
    assert 'id="chart-offerings"' in page
    assert "High social, low economic: the paradox" in page
    csv = staff_client.get(url, {"format": "csv", "chart": "offerings"})
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Offering,Social reach (people),Margin")
    mission = staff_client.get(url, {"format": "csv", "chart": "mission"}).content.decode("utf-8-sig")
    assert "Test activities" in mission and "Test people" not in mission
    for name in ("balance_settings", "balance_costs"):
        assert staff_client.get(reverse(name, kwargs={"association": scoped.slug})).status_code == 200


def test_costs_prorate_refuse_overlaps_and_follow_the_sides(scoped, small):
    cost = services.offering_cost_record(association=scoped, offering="conference",
                                         period_start=date(2026, 1, 1),
                                         period_end=date(2026, 12, 31), amount="3650")
    assert prorated(cost, Period(date(2026, 5, 1), date(2026, 5, 31))) == Decimal("310.00")
    with pytest.raises(ValidationFailed) as exc:
        services.offering_cost_record(association=scoped, offering=small["conference"],
                                      period_start=date(2026, 6, 1), period_end=date(2026, 6, 30),
                                      amount="10")
    assert "already covers 1 Jan 2026–31 Dec 2026" in exc.value.fields["period_start"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.offering_cost_record(association=scoped, offering="nothing",
                                      period_start=date(2026, 2, 1), period_end=date(2026, 1, 1),
                                      amount="-5")
    assert set(exc.value.fields) == {"offering", "amount", "period_end"}
    mission = _user(scoped, "community", "community@acme.example.org")
    with pytest.raises(PermissionDenied):
        services.offering_cost_record(association=scoped, offering=small["forum"],
                                      period_start=TODAY, period_end=TODAY, amount="1",
                                      actor=mission)
    business = _user(scoped, "marketing", "marketing@acme.example.org")
    services.offering_cost_record(association=scoped, offering=small["forum"],
                                  period_start=TODAY, period_end=TODAY, amount="1",
                                  actor=business)
    assert OfferingCost.objects.count() == 2
    assert AuditEntry.objects.filter(action="balance.cost_recorded").count() == 2


def test_metric_choices_are_checked_and_stay_on_one_side(scoped, small):
    with pytest.raises(ValidationFailed) as exc:
        services.balance_metric_add(association=scoped, side="mission", metric="no.such")
    assert "unknown metric" in exc.value.fields["metric"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.balance_metric_add(association=scoped, side="mission",
                                    metric="testbal.activities", filters={"plan": "gold"})
    assert "takes no filter 'plan'" in exc.value.fields["filters.plan"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.balance_metric_add(association=scoped, side="both", metric="testbal.people")
    assert "side" in exc.value.fields
    row = services.balance_metric_add(association=scoped, side="mission",
                                      metric="testbal.activities",
                                      filters={"kind": "volunteer_shift"}, label="Shifts",
                                      today=TODAY)
    with pytest.raises(ValidationFailed) as exc:  # the defaults already put it on mission
        services.balance_metric_add(association=scoped, side="business",
                                    metric="testbal.people", today=TODAY)
    assert "already on this side" in exc.value.message or "already on the" in exc.value.message
    mission = _user(scoped, "community", "community@acme.example.org")
    with pytest.raises(PermissionDenied):
        services.balance_metric_move(association=scoped, balance_metric=row, side="business",
                                     actor=mission)
    moved = services.balance_metric_move(association=scoped, balance_metric=row,
                                         side="business")
    assert moved.side == "business"
    services.balance_metric_remove(association=scoped, balance_metric=moved)
    assert not BalanceMetric.objects.filter(pk=row.pk).exists()
    assert AuditEntry.objects.filter(action__startswith="balance.metric_").count() == 3
