"""Property-based tests for the lifecycle state machine, term dates and money."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.core.errors import DomainError, ValidationFailed
from commonground.membership import lifecycle, services
from commonground.membership.models import Invoice, Status, Term, Transition
from commonground.people.services import person_create

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=1, max_value=36)


@given(start=dates, months=months, renewals=st.integers(min_value=1, max_value=12))
def test_renewal_terms_are_contiguous_and_never_overlap(start, months, renewals):
    end = lifecycle.term_end(start, months)
    assert end >= start
    for _ in range(renewals):
        next_start, next_end = lifecycle.next_term(end, months)
        assert next_start == end + timedelta(days=1)
        assert next_end > end
        end = next_end


@given(start=dates, months=months)
def test_a_term_spans_its_months(start, months):
    end = lifecycle.term_end(start, months)
    # A month is 28–31 days; allow for that across the whole term.
    assert 28 * months - 1 <= (end - start).days <= 31 * months


@given(ends_on=dates, window=st.integers(0, 120), grace=st.integers(0, 120),
       days=st.lists(st.integers(-400, 400), min_size=2, max_size=10))
def test_status_by_date_only_moves_forward(ends_on, window, grace, days):
    order = [Status.ACTIVE, Status.RENEWAL_DUE, Status.GRACE, Status.LAPSED]
    seen = [order.index(lifecycle.status_on(ends_on=ends_on, today=ends_on + timedelta(d),
                                            renewal_window_days=window, grace_days=grace))
            for d in sorted(days)]
    assert seen == sorted(seen)
    lapsed_from = lifecycle.lapse_date(ends_on, grace)
    assert lifecycle.status_on(ends_on=ends_on, today=lapsed_from, renewal_window_days=window,
                               grace_days=grace) == Status.LAPSED
    assert lifecycle.status_on(ends_on=ends_on, today=lapsed_from - timedelta(1),
                               renewal_window_days=window, grace_days=grace) != Status.LAPSED


# Every kind of plan: monthly, quarterly, half-yearly, annual, multi-year.
terms_months = st.sampled_from([1, 2, 3, 6, 12, 24, 36, 60, 120])


@given(term=terms_months, start=dates, paid_ahead=st.integers(0, 3))
def test_a_member_paid_through_the_next_term_is_active_on_every_plan(term, start, paid_ahead):
    """The window is the plan's: a monthly member paid through next month is Active, not
    "Renewal due" as a 30-day association-wide window made them."""
    window, grace = lifecycle.default_window(term), lifecycle.default_grace(term)
    end = lifecycle.term_end(start, term)
    for _ in range(paid_ahead):
        end = lifecycle.next_term(end, term)[1]
    # From the start of the term up to its last ``window`` days, the member is Active.
    for today in (start, end - timedelta(days=window)):
        assert lifecycle.status_on(ends_on=end, today=today, renewal_window_days=window,
                                   grace_days=grace) == Status.ACTIVE
    # ... and due within the window's last days, in grace just after, lapsed after grace.
    assert lifecycle.status_on(ends_on=end, today=end, renewal_window_days=window,
                               grace_days=grace) == (Status.RENEWAL_DUE if window else Status.ACTIVE)
    assert lifecycle.status_on(ends_on=end, today=end + timedelta(days=grace + 1),
                               renewal_window_days=window, grace_days=grace) == Status.LAPSED


@given(term=terms_months)
def test_default_windows_fit_inside_the_term_and_grow_with_it(term):
    window, grace = lifecycle.default_window(term), lifecycle.default_grace(term)
    assert 0 < window < 28 * term  # a member is Active for most of any term
    assert 0 < grace <= 30
    longer = [t for t in (1, 2, 3, 6, 12, 24, 36, 60, 120) if t > term]
    assert all(lifecycle.default_window(t) >= window for t in longer)
    assert all(lifecycle.default_grace(t) >= grace for t in longer)


@given(start=dates, today=dates)
def test_a_lifetime_term_is_never_due_in_grace_or_lapsed(start, today):
    end = lifecycle.term_end(start, lifecycle.LIFETIME)
    assert end == lifecycle.LIFETIME_END
    window, grace = lifecycle.default_window(0), lifecycle.default_grace(0)
    assert lifecycle.status_on(ends_on=end, today=today, renewal_window_days=window,
                               grace_days=grace) == Status.ACTIVE


@given(months=st.integers(1, 120), style=st.sampled_from(["{}", "{} months", "{}m", " {} Months "]))
def test_parse_term_reads_months_as_written(months, style):
    assert lifecycle.parse_term(style.format(months)) == months


@given(years=st.integers(1, 10), style=st.sampled_from(["{} years", "{}y", "{} yr", "{} year"]))
def test_parse_term_reads_years(years, style):
    assert lifecycle.parse_term(style.format(years)) == 12 * years


@pytest.mark.parametrize("text,months", [("monthly", 1), ("Quarterly", 3), ("annual", 12),
                                         ("yearly", 12), ("biennial", 24), ("lifetime", 0),
                                         ("0", 0)])
def test_parse_term_reads_words(text, months):
    assert lifecycle.parse_term(text) == months


@given(text=st.text(max_size=12))
def test_parse_term_rejects_anything_else_with_a_message(text):
    try:
        months = lifecycle.parse_term(text)
    except ValueError as exc:
        assert "is not a term" in str(exc)
    else:
        assert 0 <= months <= 120


@given(cents=st.integers(min_value=0, max_value=10**11 - 1))
def test_money_round_trips_exactly(cents):
    amount = Decimal(cents) / 100
    assert services.parse_money(str(amount)) == amount.quantize(Decimal("0.01"))
    assert services.parse_money(f"{amount:,.2f}") == amount.quantize(Decimal("0.01"))


@pytest.mark.parametrize("text", ["1E100", "-1E100", "10000000000", "1E-100", "NaN", "inf"])
def test_money_parser_refuses_extreme_amounts(text):
    with pytest.raises(ValidationFailed):
        services.parse_money(text)


@given(text=st.text(max_size=20))
def test_money_parser_accepts_or_refuses_cleanly(text):
    try:
        value = services.parse_money(text)
    except ValidationFailed as exc:
        assert "amount" in exc.fields
    else:
        assert value >= 0 and value == value.quantize(Decimal("0.01"))


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Each hypothesis example runs in a transaction that is thrown away."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


ops = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(1, 200)),
        st.tuples(st.just("renew"), st.booleans()),
        st.tuples(st.just("renew_twice"), st.just(None)),
        st.just(("reinstate", None)),
        st.just(("cancel", None)),
        st.just(("pay", None)),
    ),
    min_size=1, max_size=14,
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=ops, term_months=st.sampled_from([0, 1, 3, 12, 24]),
       grace=st.sampled_from([None, 0, 15, 30]), window=st.sampled_from([None, 0, 5]))
def test_lifecycle_state_machine(scoped, ops, term_months, grace, window):
    with rolled_back():
        clock = {"today": date(2025, 1, 15)}
        today = lambda association: clock["today"]  # noqa: E731 - the frozen clock
        # Each services module reads "today" itself (lifecycle dates, invoice dates).
        with mock.patch.object(services.memberships, "association_today", today), \
                mock.patch.object(services.billing, "association_today", today):
            plan = services.plan_save(association=scoped, name="P", price="10.00",
                                      term_months=term_months, grace_days=grace,
                                      renewal_window_days=window)
            person = person_create(association=scoped, last_name="Member")
            m = services.membership_join(association=scoped, plan=plan, person=person)
            for op, arg in ops:
                try:
                    if op == "wait":
                        clock["today"] += timedelta(days=arg)
                        services.memberships_advance(association=scoped)
                    elif op == "renew":
                        services.membership_renew(membership=m,
                                                  expected_ends_on=m.ends_on if arg else None)
                    elif op == "renew_twice":
                        seen = m.ends_on
                        services.membership_renew(membership=m, expected_ends_on=seen)
                        before = Term.objects.filter(membership=m).count()
                        services.membership_renew(membership=m, expected_ends_on=seen)
                        assert Term.objects.filter(membership=m).count() == before
                    elif op == "reinstate":
                        services.membership_reinstate(membership=m)
                    elif op == "cancel":
                        services.membership_cancel(membership=m)
                    elif op == "pay":
                        for inv in Invoice.objects.filter(membership=m, status="open"):
                            services.payment_record(invoice=inv, amount=services.invoice_balance(inv),
                                                    method="cash")
                except DomainError:
                    pass  # refused transitions are fine; the invariants below must hold
                m.refresh_from_db()
                _check_invariants(m, scoped, clock["today"])


def _check_invariants(m, association, today):
    terms = list(Term.objects.filter(membership=m).order_by("starts_on"))
    for earlier, later in zip(terms, terms[1:], strict=False):
        assert later.starts_on > earlier.ends_on, "terms overlap"
    assert (m.starts_on, m.ends_on) == (terms[-1].starts_on, terms[-1].ends_on)
    if m.status != Status.CANCELLED:
        expected = lifecycle.status_on(ends_on=m.ends_on, today=today,
                                       renewal_window_days=m.plan.window_days,
                                       grace_days=m.plan.grace)
        # States only move forward by date; a lapsed membership stays lapsed until reinstated.
        assert m.status == expected
    # The person carries a copy of the current membership for the member list.
    person = m.person.__class__.objects.get(pk=m.person_id)
    assert (person.member_status, person.member_plan_id, person.member_since,
            person.member_until) == (m.status, m.plan_id, m.joined_on, m.ends_on)
    last = Transition.objects.filter(membership=m).order_by("-id").first()
    assert last.to_status == m.status
    for inv in Invoice.objects.filter(membership=m):
        assert Decimal("0") <= services.invoice_balance(inv) <= inv.amount
