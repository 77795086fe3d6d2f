from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonground.core.errors import TransitionNotAllowed, ValidationFailed
from commonground.membership import services
from commonground.membership.models import InvoiceStatus, Status, Term, Transition
from commonground.people.services import person_create


@pytest.fixture
def plan(scoped):
    return services.plan_save(association=scoped, name="Individual", price="120.00",
                              term_months=12, grace_days=30)


@pytest.fixture
def person(scoped):
    return person_create(association=scoped, first_name="Ada", last_name="Lovelace",
                         email="Ada@Example.org")


def test_join_creates_term_invoice_and_transition(scoped, plan, person):
    m = services.membership_join(association=scoped, plan=plan, person=person)
    assert m.status == Status.ACTIVE
    assert m.ends_on == timezone.localdate().replace() + (m.ends_on - m.starts_on)
    assert Term.objects.filter(membership=m).count() == 1
    invoice = m.invoices.get()
    assert invoice.amount == Decimal("120.00") and invoice.status == InvoiceStatus.OPEN
    assert Transition.objects.filter(membership=m, event="joined").exists()


def test_renew_twice_with_same_expected_end_extends_once(scoped, plan, person):
    m = services.membership_join(association=scoped, plan=plan, person=person)
    seen_end = m.ends_on
    services.membership_renew(membership=m, expected_ends_on=seen_end)
    again = services.membership_renew(membership=m, expected_ends_on=seen_end)
    assert again.ends_on == seen_end.replace(year=seen_end.year + 1)
    terms = list(Term.objects.filter(membership=m).order_by("starts_on"))
    assert len(terms) == 2
    assert terms[1].starts_on == terms[0].ends_on + timedelta(days=1)


def test_lapse_and_reinstate(scoped, plan, person):
    m = services.membership_join(association=scoped, plan=plan, person=person,
                                 joined_on=date(2020, 1, 1), invoice=False)
    assert m.status == Status.LAPSED
    with pytest.raises(TransitionNotAllowed):
        services.membership_renew(membership=m)
    m = services.membership_reinstate(membership=m)
    assert m.status == Status.ACTIVE
    assert m.starts_on == timezone.localdate()
    assert services.membership_reinstate(membership=m).ends_on == m.ends_on  # retry: no-op


def test_daily_advance_moves_by_date_and_is_idempotent(scoped, plan, person):
    today = timezone.localdate()
    m = services.membership_join(association=scoped, plan=plan, person=person,
                                 joined_on=today - timedelta(days=300), invoice=False)
    assert m.status == Status.ACTIVE
    end = m.ends_on
    counts = services.memberships_advance(association=scoped, today=end - timedelta(days=10))
    m.refresh_from_db()
    assert m.status == Status.RENEWAL_DUE and counts == {Status.RENEWAL_DUE: 1}
    services.memberships_advance(association=scoped, today=end + timedelta(days=1))
    m.refresh_from_db()
    assert m.status == Status.GRACE
    lapse_day = end + timedelta(days=31)
    services.memberships_advance(association=scoped, today=lapse_day)
    m.refresh_from_db()
    assert m.status == Status.LAPSED and m.lapsed_on == lapse_day
    assert services.memberships_advance(association=scoped, today=lapse_day) == {}
    events = list(Transition.objects.filter(membership=m).values_list("event", flat=True))
    assert events == ["joined", "renewal_due", "grace", "lapsed"]


def test_payments_and_refunds_are_exact(scoped, plan, person):
    m = services.membership_join(association=scoped, plan=plan, person=person)
    invoice = m.invoices.get()
    services.payment_record(invoice=invoice, amount="100.10", method="cheque", reference="c1")
    services.payment_record(invoice=invoice, amount="100.10", method="cheque", reference="c1")
    assert services.invoice_balance(invoice) == Decimal("19.90")
    with pytest.raises(ValidationFailed):
        services.payment_record(invoice=invoice, amount="19.91", method="cash")
    services.payment_record(invoice=invoice, amount="19.90", method="cash")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    services.payment_refund(invoice=invoice, amount="120.00", method="bank_transfer")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REFUNDED
