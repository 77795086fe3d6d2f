"""Plans of every kind: renewal windows and grace that follow the term, lifetime plans,
the plans a file names (``plans_for_import``) and the API's view of them."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.core.errors import TransitionNotAllowed, UnknownPlans, ValidationFailed
from commonground.membership import lifecycle, services
from commonground.membership.models import Plan, Status, Term, Transition
from commonground.people.services import person_create
from commonground.tenancy.models import AuditEntry

TODAY = date(2026, 3, 10)


@pytest.fixture
def frozen(scoped):
    today = lambda association: TODAY  # noqa: E731 - the frozen clock
    with mock.patch.object(services.memberships, "association_today", today), \
            mock.patch.object(services.billing, "association_today", today):
        yield scoped


def _member(association, plan, joined_on, name="Member"):
    person = person_create(association=association, last_name=name)
    return services.membership_join(association=association, plan=plan, person=person,
                                    joined_on=joined_on, invoice=False)


@pytest.mark.parametrize("term,window,grace", [(1, 7, 7), (3, 14, 14), (6, 21, 21),
                                               (12, 30, 30), (24, 60, 30), (0, 0, 0)])
def test_windows_default_by_the_term(scoped, term, window, grace):
    plan = services.plan_save(association=scoped, name=f"T{term}", price="10", term_months=term)
    assert plan.renewal_window_days is None and plan.grace_days is None
    assert (plan.window_days, plan.grace) == (window, grace)


def test_a_monthly_member_paid_through_next_month_is_active(frozen):
    monthly = services.plan_save(association=frozen, name="Monthly", price="15",
                                 term_months="monthly")
    joined = _member(frozen, monthly, TODAY - timedelta(days=3))  # ends in about four weeks
    assert joined.status == Status.ACTIVE
    due = _member(frozen, monthly, TODAY - timedelta(days=26), "Due")  # ends within 7 days
    assert due.status == Status.RENEWAL_DUE
    # The daily advance uses the plan's own window and grace too.
    services.memberships_advance(association=frozen, today=joined.ends_on - timedelta(days=7))
    joined.refresh_from_db()
    assert joined.status == Status.ACTIVE
    services.memberships_advance(association=frozen, today=joined.ends_on - timedelta(days=6))
    joined.refresh_from_db()
    assert joined.status == Status.RENEWAL_DUE
    services.memberships_advance(association=frozen, today=joined.ends_on + timedelta(days=7))
    joined.refresh_from_db()
    assert joined.status == Status.GRACE  # a week's grace on a monthly plan, not 30 days
    services.memberships_advance(association=frozen, today=joined.ends_on + timedelta(days=8))
    joined.refresh_from_db()
    assert joined.status == Status.LAPSED
    assert joined.lapsed_on == joined.ends_on + timedelta(days=8)


def test_a_plans_own_window_and_grace_win_over_the_default(frozen):
    plan = services.plan_save(association=frozen, name="Annual", price="100", term_months=12,
                              renewal_window_days=60, grace_days=0)
    assert (plan.window_days, plan.grace) == (60, 0)
    m = _member(frozen, plan, TODAY - timedelta(days=320))
    assert m.status == Status.RENEWAL_DUE
    # Back to the term's default when cleared.
    plan = services.plan_save(association=frozen, plan=plan, name="Annual", price="100",
                              term_months=12, renewal_window_days="default", grace_days="")
    assert (plan.renewal_window_days, plan.grace_days, plan.window_days) == (None, None, 30)


def test_changing_the_term_brings_its_default_windows(scoped):
    plan = services.plan_save(association=scoped, name="Club", price="10", term_months=12)
    plan = services.plan_save(association=scoped, plan=plan, name="Club", price="10",
                              term_months=1)
    assert (plan.window_days, plan.grace) == (7, 7)


def test_window_and_term_are_validated(scoped):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_save(association=scoped, name="X", price="1", term_months="fortnightly",
                           renewal_window_days=400, grace_days="-1")
    assert {"term_months", "renewal_window_days", "grace_days"} <= set(exc.value.fields)
    assert "is not a term" in exc.value.fields["term_months"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.plan_save(association=scoped, name="X", price="1", term_months=1,
                           renewal_window_days=30)
    assert exc.value.fields == {"renewal_window_days": ["shorter than the term"]}


def test_a_lifetime_membership_is_never_due_lapsed_or_renewed(frozen):
    plan = services.plan_save(association=frozen, name="Life", price="2000",
                              term_months="lifetime", grace_days=30)
    assert plan.is_lifetime and plan.grace_days is None and plan.term_label == "lifetime"
    m = _member(frozen, plan, date(1990, 5, 1))
    assert (m.status, m.ends_on) == (Status.ACTIVE, lifecycle.LIFETIME_END)
    services.memberships_advance(association=frozen, today=date(2080, 1, 1))
    m.refresh_from_db()
    assert m.status == Status.ACTIVE
    with pytest.raises(TransitionNotAllowed, match="lifetime"):
        services.membership_renew(membership=m)
    services.membership_cancel(membership=m, note="moved abroad")
    back = services.membership_reinstate(membership=m)
    assert (back.status, back.ends_on) == (Status.ACTIVE, lifecycle.LIFETIME_END)
    assert Term.objects.filter(membership=m).count() == 1
    assert list(Transition.objects.filter(membership=m).values_list("event", flat=True)) == [
        "joined", "cancelled", "reinstated"]


def test_plans_for_import_names_unknown_plans_and_how_to_create_them(scoped):
    gold = services.plan_save(association=scoped, name="Gold Member", price="100")
    found = services.plans_for_import(association=scoped, names=["gold member", "GOLD-MEMBER"])
    assert found == {"gold member": gold, "GOLD-MEMBER": gold}
    with pytest.raises(UnknownPlans) as exc:
        services.plans_for_import(association=scoped, names=["Gold Member", "Silver", "Bronze"])
    assert exc.value.names == ["Bronze", "Silver"]
    assert str(exc.value.message).startswith("Unknown plan 'Bronze' (and 1 more: Silver). "
                                             "Create it first: commonground plan create "
                                             "--association acme --name Bronze --term 12")
    assert "--create-plans --plan-term 12" in exc.value.message
    assert Plan.objects.count() == 1  # nothing written


def test_plans_for_import_creates_missing_plans_with_the_stated_term(scoped):
    found = services.plans_for_import(association=scoped, names=["Monthly Saver", "monthly saver"],
                                      create_term_months=1)
    plan = found["Monthly Saver"]
    assert found["monthly saver"] == plan and plan.term_months == 1 and plan.window_days == 7
    assert AuditEntry.objects.filter(action="plan.created").count() == 1


def test_api_plans_carry_term_windows_and_lifetime(association):
    api = ApiClient(make_token(association))
    life = api.post("/plans", {"name": "Life", "price": "900", "term_months": "lifetime"})
    assert life.status_code == 201, life.content
    body = life.json()
    assert (body["term_months"], body["is_lifetime"], body["window_days"]) == (0, True, 0)
    monthly = api.post("/plans", {"name": "Monthly", "price": "9", "term_months": 1}).json()
    assert (monthly["renewal_window_days"], monthly["window_days"], monthly["grace"]) == (
        None, 7, 7)
    patched = api.patch(f"/plans/{monthly['id']}", {"grace_days": 3})
    assert patched.json()["grace"] == 3
    reset = api.patch(f"/plans/{monthly['id']}", {"grace_days": None})
    assert (reset.json()["grace_days"], reset.json()["grace"]) == (None, 7)
    assert api.post("/plans", {"name": "No term", "price": "9"}).status_code == 422
    with scope(association=association):
        assert Plan.objects.get(slug="monthly").grace_days is None


def test_pages_show_a_lifetime_member_and_the_windows_in_effect(staff_client, association):
    with scope(association=association):
        life = services.plan_save(association=association, name="Life", price="900",
                                  term_months=0)
        services.plan_save(association=association, name="Monthly", price="9", term_months=1,
                           grace_days=3)
        ada = person_create(association=association, first_name="Ada", last_name="Lovelace")
        services.membership_join(association=association, plan=life, person=ada, invoice=False)
    slug = association.slug
    plans = staff_client.get(f"/a/{slug}/plans/").content.decode()
    assert "Lifetime" in plans and "last 7 days <small>(default)</small>" in plans
    assert "3 days" in plans and "9999" not in plans
    people = staff_client.get(f"/a/{slug}/people/").content.decode()
    assert "Lifetime" in people and "9999" not in people
    profile = staff_client.get(f"/a/{slug}/people/{ada.pk}/").content.decode()
    assert "Lifetime" in profile and "9999" not in profile
