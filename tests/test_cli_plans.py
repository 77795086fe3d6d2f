"""``commonground plan list|create|update``: plans from the command line, as an
administrator scripting a migration meets them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from _cli_support import commonground
from commonground.membership.models import Plan
from commonground.membership.services import membership_join, plan_save
from commonground.people.services import person_create
from commonground.tenancy.models import AuditEntry


def _plan(association, slug):
    with scope(association=association):
        return Plan.objects.get(slug=slug)


def test_create_a_monthly_plan_with_the_terms_defaults(association):
    ran = commonground("plan", "create", "--association", "acme", "--name", "Monthly",
                       "--term", "monthly", "--price", "15")
    assert ran.code == 0, ran.err
    assert ran.out.strip() == ("Created plan Monthly (monthly): individual, 1 month, 15.00 USD, "
                               "renewal due in the last 7 days (default), grace 7 days "
                               "(default), open for new members")
    plan = _plan(association, "monthly")
    assert (plan.term_months, plan.price, plan.renewal_window_days, plan.grace_days) == (
        1, Decimal("15.00"), None, None)
    assert (plan.window_days, plan.grace) == (7, 7)
    with scope(association=association):
        assert AuditEntry.objects.filter(action="plan.created").count() == 1


def test_create_with_every_option_and_json(association):
    ran = commonground("plan", "create", "--association", "acme", "--name", "Corporate Gold",
                       "--term", "2 years", "--price", "1200.50", "--kind", "organisational",
                       "--currency", "eur", "--renewal-window", "45", "--grace", "20",
                       "--description", "For firms", "--slug", "gold", "--inactive", "--json")
    assert ran.code == 0, ran.err
    assert ran.json() == {
        "name": "Corporate Gold", "slug": "gold", "kind": "organisational", "term_months": 24,
        "term": "24 months", "lifetime": False, "price": "1200.50", "currency": "EUR",
        "renewal_window_days": 45, "window_days": 45, "grace_days": 20, "grace": 20,
        "description": "For firms", "active": False}


def test_a_lifetime_plan_is_never_due(association):
    ran = commonground("plan", "create", "--association", "acme", "--name", "Life",
                       "--term", "lifetime", "--price", "500")
    assert ran.code == 0, ran.err
    assert "lifetime, 500.00 USD, never due, grace none" in ran.out
    assert _plan(association, "life").term_months == 0


def test_list_shows_term_price_windows_and_defaults(association):
    with scope(association=association):
        monthly = plan_save(association=association, name="Monthly", price="15", term_months=1)
        plan_save(association=association, name="Annual", price="120", term_months=12,
                  grace_days=45)
        plan_save(association=association, name="Life", price="900", term_months=0)
        plan_save(association=association, name="Old", price="10", term_months=3,
                  renewal_window_days=10, is_active=False)
        membership_join(association=association, plan=monthly, invoice=False,
                        person=person_create(association=association, last_name="M"))
    ran = commonground("plan", "list", "--association", "acme")
    assert ran.code == 0, ran.err
    lines = ran.out.strip().splitlines()
    assert lines[0].split() == ["Name", "Slug", "Kind", "Term", "Price", "Renewal", "due",
                                "Grace", "Active", "Members"]
    rows = {line.split()[0]: " ".join(line.split()) for line in lines[1:]}
    assert rows["Annual"] == ("Annual annual individual 12 months 120.00 USD last 30 days "
                              "(default) 45 days yes 0")
    assert rows["Monthly"] == ("Monthly monthly individual 1 month 15.00 USD last 7 days "
                               "(default) 7 days (default) yes 1")
    assert rows["Life"] == "Life life individual lifetime 900.00 USD never none yes 0"
    assert rows["Old"] == "Old old individual 3 months 10.00 USD last 10 days 14 days (default) no 0"
    assert list(rows)[-1] == "Old"  # closed plans last

    data = commonground("plan", "list", "--association", "acme", "--json").json()
    by_slug = {p["slug"]: p for p in data}
    assert by_slug["monthly"]["term"] == "1 month" and by_slug["monthly"]["live_members"] == 1
    assert (by_slug["annual"]["grace_days"], by_slug["annual"]["grace"]) == (45, 45)
    assert (by_slug["annual"]["renewal_window_days"], by_slug["annual"]["window_days"]) == (None, 30)
    assert by_slug["life"]["lifetime"] is True


def test_list_without_plans_says_how_to_create_one(association):
    ran = commonground("plan", "list", "--association", "acme")
    assert ran.code == 0
    assert ran.out.strip() == ("No plans yet. Create one: commonground plan create "
                               "--association acme --name NAME --term 12 --price 0")
    assert commonground("plan", "list", "--association", "acme", "--json").json() == []


def test_update_by_slug_or_name_and_default_clears_an_own_value(association):
    with scope(association=association):
        plan_save(association=association, name="Gold Member", price="100", term_months=12,
                  grace_days=60, renewal_window_days=40)
    ran = commonground("plan", "update", "gold-member", "--association", "acme",
                       "--price", "200", "--grace", "default")
    assert ran.code == 0, ran.err
    assert ran.out.startswith("Updated plan Gold Member (gold-member): individual, 12 months, "
                              "200.00 USD, renewal due in the last 40 days, grace 30 days "
                              "(default)")
    plan = _plan(association, "gold-member")
    assert (plan.price, plan.grace_days, plan.renewal_window_days) == (Decimal("200.00"), None, 40)

    by_name = commonground("plan", "update", "GOLD MEMBER", "--association", "acme",
                           "--term", "monthly", "--renewal-window", "default", "--inactive")
    assert by_name.code == 0, by_name.err
    plan = _plan(association, "gold-member")
    assert (plan.term_months, plan.window_days, plan.grace, plan.is_active) == (1, 7, 7, False)
    again = commonground("plan", "update", "gold-member", "--association", "acme",
                         "--term", "1", "--json")
    assert again.code == 0 and again.json()["term_months"] == 1
    with scope(association=association):
        assert AuditEntry.objects.filter(action="plan.updated").count() == 2  # not the no-op


def test_an_unchanged_update_says_so(association):
    with scope(association=association):
        plan_save(association=association, name="Basic", price="10")
    ran = commonground("plan", "update", "basic", "--association", "acme", "--price", "10.00")
    assert ran.code == 0 and ran.out.startswith("Unchanged: Basic (basic)")


@pytest.mark.parametrize("args,expected", [
    (["--term", "fortnightly"], "  --term: 'fortnightly' is not a term"),
    (["--price", "-3"], "  --price:"),
    (["--grace", "400"], "  --grace: a whole number of days from 0 to 365"),
    (["--renewal-window", "400"], "  --renewal-window: a whole number of days"),
    (["--currency", "dollars"], "  --currency: a three-letter code"),
    (["--name", "x" * 121], "  --name: at most 120 characters"),
])
def test_create_refuses_bad_values_by_option_and_writes_nothing(association, args, expected):
    base = {"--name": "Plan", "--term": "12", "--price": "10"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [part for pair in base.items() for part in pair]
    ran = commonground("plan", "create", "--association", "acme", *flat)
    assert ran.code == 1
    assert ran.err.startswith("CommandError: Plan not saved:\n")
    assert any(line.startswith(expected) for line in ran.err.splitlines()), ran.err
    with scope(association=association):
        assert not Plan.objects.exists()


def test_several_refusals_are_listed_together(association):
    ran = commonground("plan", "create", "--association", "acme", "--name", "P",
                       "--term", "0.5", "--price", "abc", "--grace", "-1")
    assert ran.code == 1
    flagged = [line.split(":")[0].strip() for line in ran.err.splitlines()[1:]]
    assert sorted(flagged) == ["--grace", "--price", "--term"]


def test_a_window_as_long_as_the_term_is_refused(association):
    ran = commonground("plan", "create", "--association", "acme", "--name", "M",
                       "--term", "monthly", "--price", "5", "--renewal-window", "30")
    assert ran.code == 1 and "--renewal-window: shorter than the term" in ran.err


def test_create_refuses_an_existing_plan_and_points_to_update(association):
    with scope(association=association):
        plan_save(association=association, name="Gold", price="100")
    ran = commonground("plan", "create", "--association", "acme", "--name", "Gold",
                       "--term", "12", "--price", "150")
    assert ran.code == 1
    assert "A plan 'gold' exists already; change it with: commonground plan update gold" in ran.err
    assert _plan(association, "gold").price == Decimal("100.00")


def test_usage_errors(association, other_association):
    with scope(association=other_association):
        plan_save(association=other_association, name="Theirs", price="1")
    missing = commonground("plan", "update", "theirs", "--association", "acme", "--price", "2")
    assert missing.code == 1 and "No plan 'theirs' (plans: none yet)" in missing.err
    nothing = commonground("plan", "update", "theirs", "--association", "other")
    assert nothing.code == 1 and "Nothing to change" in nothing.err
    nobody = commonground("plan", "list", "--association", "nope")
    assert nobody.code == 1 and "No association 'nope'" in nobody.err
    no_term = commonground("plan", "create", "--association", "acme", "--name", "X",
                           "--price", "1")
    assert no_term.code == 1 and "--term" in no_term.err  # the term is never assumed
