"""Membership history import (``commonground import memberships``): known answers for the
common export shapes, re-imports, resumes, bad rows, unknown plans and tenancy."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django_scopes import scope

from commonground.membership.history import engine, services
from commonground.membership.models import (
    HistoryBatch,
    Invoice,
    Membership,
    Payment,
    Plan,
    Term,
    Transition,
)
from commonground.membership.services import plan_save
from commonground.people.models import Person
from commonground.people.services import person_create
from commonground.tenancy.models import AuditEntry

FIXTURES = Path(__file__).parent / "fixtures" / "history"
TODAY = date(2025, 6, 15)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(engine, "association_today", lambda association: TODAY)
    return TODAY


@pytest.fixture
def plans(association):
    with scope(association=association):
        return {name: plan_save(association=association, name=name, price="0", term_months=term)
                for name, term in (("Regular", 12), ("Monthly", 1), ("Lifetime", 0),
                                   ("Annual", 12), ("Quarterly", 3), ("Biennial", 24))}


def run_import(path, *extra, slug="acme"):
    out = StringIO()
    call_command("import", "memberships", str(path), "--association", slug, "--json",
                 "--no-progress", *extra, stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0])


def story(association, email, plan):
    with scope(association=association):
        m = Membership.objects.get(person__email_key=email, plan__name=plan)
        terms = [(t.kind, t.starts_on, t.ends_on) for t in m.terms.order_by("starts_on")]
        transitions = [(t.event, t.on, t.from_status, t.to_status)
                       for t in m.transitions.order_by("on", "id")]
        return m, terms, transitions


def test_civicrm_membership_payments_known_answers(association, plans):
    result = run_import(FIXTURES / "civicrm_membership_payments.csv")
    assert {k: result[k] for k in ("created", "updated", "unchanged", "rejected",
                                   "memberships_created", "memberships_renewed",
                                   "memberships_lapsed", "memberships_reinstated",
                                   "invoices_created", "payments_created", "people_created")} == {
        "created": 10, "updated": 0, "unchanged": 0, "rejected": 3, "memberships_created": 3,
        "memberships_renewed": 5, "memberships_lapsed": 3, "memberships_reinstated": 2,
        "invoices_created": 10, "payments_created": 9, "people_created": 3}
    d = date
    m, terms, transitions = story(association, "ada@example.org", "Regular")
    assert terms == [("join", d(2020, 1, 1), d(2020, 12, 31)),
                     ("renewal", d(2021, 1, 1), d(2021, 12, 31)),
                     ("reinstatement", d(2022, 6, 1), d(2023, 5, 31)),
                     ("renewal", d(2023, 6, 1), d(2024, 5, 31))]
    assert transitions == [
        ("joined", d(2020, 1, 1), "", "active"),
        ("renewed", d(2021, 1, 10), "grace", "active"),       # paid on the 10th, in grace
        ("lapsed", d(2022, 1, 31), "grace", "lapsed"),        # 30 days' grace ran out
        ("reinstated", d(2022, 6, 1), "lapsed", "active"),
        ("renewed", d(2023, 5, 20), "renewal_due", "active"),  # paid early
        ("lapsed", d(2024, 7, 1), "grace", "lapsed")]
    assert (m.status, m.joined_on, m.starts_on, m.ends_on, m.lapsed_on) == (
        "lapsed", d(2020, 1, 1), d(2023, 6, 1), d(2024, 5, 31), d(2024, 7, 1))
    m, terms, transitions = story(association, "bob@example.org", "Monthly")
    assert [k for k, *_ in terms] == ["join", "renewal", "renewal", "renewal", "reinstatement"]
    assert terms[1] == ("renewal", d(2025, 2, 1), d(2025, 2, 28))
    assert ("lapsed", d(2025, 5, 8), "grace", "lapsed") in transitions  # 7 days' grace
    assert ("renewed", d(2025, 4, 2), "grace", "active") in transitions
    assert (m.status, m.ends_on, m.lapsed_on) == ("active", d(2025, 6, 30), None)
    m, terms, transitions = story(association, "carol@example.org", "Lifetime")
    assert (m.status, terms) == ("active", [("join", d(2018, 3, 1), d(9999, 12, 31))])
    assert transitions == [("joined", d(2018, 3, 1), "", "active")]
    with scope(association=association):
        assert Payment.objects.aggregate(s=Sum("amount"))["s"] == Decimal("1848.00")
        assert Invoice.objects.aggregate(s=Sum("amount"))["s"] == Decimal("1860.00")
        assert Invoice.objects.filter(status="open").count() == 1
        ada_first = Invoice.objects.get(number="INV-101")
        assert (ada_first.status, ada_first.issued_on, ada_first.amount) == (
            "paid", d(2019, 12, 20), Decimal("150.00"))
        pay = ada_first.payments.get()
        assert (pay.method, pay.reference, pay.received_on) == ("cheque", "chk-2231",
                                                                d(2019, 12, 20))
        assert Term.objects.filter(invoice=ada_first).count() == 1
        assert not Term.objects.filter(inferred=True).exists()
        bob = Person.objects.get(email_key="bob@example.org")
        assert (bob.first_name, bob.last_name, bob.external_id, bob.member_status) == (
            "Bob", "Babbage", "102", "active")
        assert AuditEntry.objects.filter(action="memberships.imported").count() == 1
    with open(result["errors_file"], encoding="utf-8") as fh:
        errors = {int(r["line"]): r["reason"] for r in csv.DictReader(fh)}
    assert errors == {
        9: "no member with id 999; import the roster first: commonground import people FILE",
        12: "Membership Start Date: '31/31/2020' is not a real date",
        14: "overlaps the term 2021-01-01 – 2021-12-31 on line 7"}


def test_reimporting_adds_nothing(association, plans):
    first = run_import(FIXTURES / "civicrm_membership_payments.csv")
    with scope(association=association):
        before = [Term.objects.count(), Transition.objects.count(), Invoice.objects.count(),
                  Payment.objects.count(), Person.objects.count(), Membership.objects.count()]
    again = run_import(FIXTURES / "civicrm_membership_payments.csv")
    assert again["unchanged"] == first["created"] and again["created"] == 0
    assert again["invoices_created"] == again["payments_created"] == again["people_created"] == 0
    with scope(association=association):
        assert before == [Term.objects.count(), Transition.objects.count(),
                          Invoice.objects.count(), Payment.objects.count(),
                          Person.objects.count(), Membership.objects.count()]
