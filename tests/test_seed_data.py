"""``commonground seed``: deterministic, realistic, consistent demo data."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django_scopes import scope

from commonground.core.errors import Conflict
from commonground.core.normalise import email_key
from commonground.demo.catalogue import MOTIVATIONS
from commonground.demo.seed import seed_association, truth_path
from commonground.membership import lifecycle
from commonground.membership import services as membership_services
from commonground.membership.models import Invoice, Membership, Payment, Plan, Term, Transition
from commonground.people.models import Organisation, Person, Relationship
from commonground.tenancy.models import AuditEntry, StaffMember

TODAY = date(2026, 6, 15)
N = 60

pytestmark = pytest.mark.django_db


def _snapshot(association) -> list[tuple]:
    with scope(association=association):
        people = list(Person.objects.order_by("external_id", "email").values_list(
            "external_id", "first_name", "last_name", "email", "phone", "city"))
        statuses = list(Membership.objects.filter(person__isnull=False)
                        # A person can hold several memberships (an imported Student one
                        # besides): order them fully, or PostgreSQL may return ties in
                        # another order and two equal seeds look different.
                        .order_by("person__external_id", "joined_on", "ends_on", "status")
                        .values_list("person__external_id", "status", "joined_on", "ends_on"))
    return people + statuses


def test_same_seed_same_data_and_a_different_seed_differs():
    a = seed_association(slug="one", members=N, seed=7, today=TODAY).association
    b = seed_association(slug="two", members=N, seed=7, today=TODAY).association
    c = seed_association(slug="three", members=N, seed=8, today=TODAY).association
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a) != _snapshot(c)
    with scope(association=a):
        # Members; the activity seed adds prospects (people without a membership) besides.
        assert Person.objects.filter(memberships__isnull=False).distinct().count() == N


def test_statuses_terms_and_transitions_agree_with_the_dates():
    result = seed_association(slug="demo", members=N, seed=3, today=TODAY)
    association = result.association
    with scope(association=association):
        memberships = list(Membership.objects.select_related("plan"))
        assert len(memberships) > N  # individual members plus organisational ones
        terms = defaultdict(list)
        for t in Term.objects.order_by("starts_on"):
            terms[t.membership_id].append(t)
        events = defaultdict(list)
        for tr in Transition.objects.order_by("on", "id"):
            events[tr.membership_id].append(tr)
        statuses = set()
        for m in memberships:
            statuses.add(m.status)
            own = terms[m.pk]
            assert own and own[0].kind == "join" and own[0].starts_on == m.joined_on
            for prev, nxt in zip(own, own[1:], strict=False):
                assert prev.ends_on < nxt.starts_on, "terms overlap"
                if nxt.kind == "renewal":
                    assert nxt.starts_on == prev.ends_on + timedelta(days=1), "renewal gap"
                assert nxt.ends_on == lifecycle.term_end(nxt.starts_on, m.plan.term_months)
            assert (m.starts_on, m.ends_on) == (own[-1].starts_on, own[-1].ends_on)
            history = events[m.pk]
            assert history[0].event == "joined"
            assert all(tr.on <= TODAY for tr in history)
            assert history[-1].to_status == m.status or m.status in ("active", "renewal_due", "grace")
            if m.status in lifecycle.LIVE:
                assert m.status == lifecycle.status_on(
                    ends_on=m.ends_on, today=TODAY,
                    renewal_window_days=m.plan.window_days,
                    grace_days=m.plan.grace)
            elif m.status == "lapsed":
                assert m.lapsed_on == lifecycle.lapse_date(m.ends_on, m.plan.grace) <= TODAY
                assert history[-1].event == "lapsed"
            else:
                assert m.cancelled_on and history[-1].event == "cancelled"
        assert {"active", "lapsed"} <= statuses
        # Every transition has its audit entry (the imported history's: its import's one).
        assert AuditEntry.objects.filter(action__startswith="membership.").count() == \
            Transition.objects.exclude(note="imported").count()
        # The daily run finds nothing to change: statuses already match the dates.
        assert membership_services.memberships_advance(association=association, today=TODAY) == {}


def test_monthly_annual_and_lifetime_plans_all_have_members():
    """Every kind of plan is alive in the demo from the first start."""
    association = seed_association(slug="kinds", members=N, seed=4, today=TODAY).association
    with scope(association=association):
        by_term = defaultdict(list)
        for m in Membership.objects.select_related("plan").prefetch_related("terms"):
            by_term[m.plan.term_months].append(m)
        assert {1, 12, lifecycle.LIFETIME} <= set(by_term)
        for m in by_term[lifecycle.LIFETIME]:
            assert (m.status, m.ends_on, m.terms.count()) == ("active", lifecycle.LIFETIME_END, 1)
            assert list(m.transitions.values_list("event", flat=True)) == ["joined"]
        monthly = by_term[1]
        # Monthly members renew month by month (a month's odds are the year's spread out).
        assert max(m.terms.count() for m in monthly) > 3
        for m in monthly:
            for t in m.terms.all():
                assert t.ends_on == lifecycle.term_end(t.starts_on, 1)
        plans = {p.slug: p for p in Plan.objects.all()}
        assert (plans["monthly"].window_days, plans["monthly"].grace) == (7, 7)
        assert plans["lifetime"].is_lifetime and plans["individual"].term_months == 12


def test_people_look_service_created_and_both_sides_and_all_sectors_exist():
    association = seed_association(slug="demo", members=N, seed=5, today=TODAY).association
    with scope(association=association):
        for p in Person.objects.all():
            assert p.email_key == email_key(p.email)
            assert p.search_text == Person.make_search_text(p.first_name, p.last_name, p.email)
            assert not p.phone or (p.phone.startswith("+1") and len(p.phone) == 12)
            assert p.history.count() == 1
        assert set(Organisation.objects.values_list("sector", flat=True)) == {
            "public", "voluntary", "private"}
        assert Relationship.objects.filter(kind="employee").exists()
        assert Membership.objects.filter(organisation__isnull=False).exists()
        sides = set(StaffMember.objects.values_list("role__side", flat=True))
        assert {"mission", "business"} <= sides
        assert Person.objects.filter(user__isnull=False).count() == 1


def test_invoices_balance_and_numbers_are_unique():
    association = seed_association(slug="demo", members=N, seed=11, today=TODAY).association
    with scope(association=association):
        invoices = list(Invoice.objects.all())
        assert invoices
        statuses = {i.status for i in invoices}
        assert "paid" in statuses
        assert len({i.number for i in invoices}) == len(invoices)
        for inv in invoices:
            sums = dict(Payment.objects.filter(invoice=inv).values_list("kind")
                        .annotate(t=Sum("amount")))
            paid = sums.get("payment", Decimal(0)) - sums.get("refund", Decimal(0))
            assert Decimal(0) <= paid <= inv.amount
            assert membership_services.invoice_balance(inv) == inv.amount - paid
            if inv.status == "paid":
                assert paid == inv.amount
            if inv.status == "refunded":
                assert paid == 0 and "refund" in sums


def test_ground_truth_is_written_outside_the_product_tables():
    # A slug no other test uses: test workers share the data directory.
    result = seed_association(slug="truth-check", members=N, seed=2, today=TODAY)
    path = truth_path("truth-check")
    assert path == result.truth_path and path.exists()
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    with scope(association=result.association):
        # One row per simulated membership (not the previous system's, imported).
        assert len([r for r in rows if r["kind"] != "prospect"]) == \
            Membership.objects.count() - result.counts["history_memberships_created"]
        people = [r for r in rows if r["kind"] == "person"]
        assert len(people) == N
        for r in people:
            shares = [float(r[f"motivation_{m}"]) for m in MOTIVATIONS]
            assert abs(sum(shares) - 1) < 0.01
            assert r["engagement_level"] in {"low", "medium", "high"}
            assert r["career_stage"]
            assert Person.objects.filter(pk=r["person_id"], email=r["email"]).exists()
        # No profile field leaks into product data.
        assert not any("engagement" in str(p.custom) for p in Person.objects.all())


def test_seeding_twice_refuses_and_reset_recreates_without_duplicates(capsys):
    seed_association(slug="demo", members=20, seed=1, today=TODAY)
    with pytest.raises(Conflict):
        seed_association(slug="demo", members=20, seed=1, today=TODAY)
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed", "--association", "demo", "--members", "20", "--seed", "1")
    call_command("seed", "--association", "demo", "--members", "20", "--seed", "1", "--reset",
                 "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "Seeded demo: 20 members" in out and "director@demo.example.org" in out
    from commonground.tenancy.models import Association

    association = Association.objects.get(slug="demo")
    with scope(association=association):
        assert Person.objects.filter(memberships__isnull=False).distinct().count() == 20
        assert StaffMember.objects.count() == 7


def test_people_carry_their_current_membership():
    association = seed_association(slug="summary", members=N, seed=5, today=TODAY).association
    with scope(association=association):
        for person in Person.objects.exclude(member_status="")[:40]:
            current = (Membership.objects.filter(person=person)
                       .order_by("-ends_on", "-id").first())
            live = Membership.objects.filter(
                person=person, status__in=["active", "renewal_due", "grace"]).first()
            current = live or current
            assert (person.member_status, person.member_plan_id, person.member_until) == \
                (current.status, current.plan_id, current.ends_on)
