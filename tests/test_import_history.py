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
        rows = list(csv.DictReader(fh))
    assert rows[0]["Contact ID"] == "999" and rows[0]["Contact Name"] == "Dan Nobody"
    errors = {int(r["line"]): r["reason"] for r in rows}
    assert list(errors) == [9, 12, 14]  # by line
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


def test_wild_apricot_invoice_export(association, plans):
    result = run_import(FIXTURES / "wildapricot_invoices.csv")
    assert (result["created"], result["rejected"], result["people_created"]) == (5, 0, 2)
    assert (result["memberships_renewed"], result["memberships_reinstated"],
            result["memberships_lapsed"]) == (2, 1, 3)
    d = date
    m, terms, transitions = story(association, "grace@example.org", "Annual")
    assert [k for k, *_ in terms] == ["join", "renewal", "reinstatement"]
    assert transitions == [
        ("joined", d(2022, 1, 1), "", "active"),
        ("renewed", d(2023, 1, 15), "grace", "active"),
        ("lapsed", d(2024, 1, 31), "grace", "lapsed"),
        ("reinstated", d(2024, 2, 10), "lapsed", "active"),
        ("lapsed", d(2025, 3, 12), "grace", "lapsed")]
    with scope(association=association):
        unpaid = Invoice.objects.get(number="10154")
        assert (unpaid.status, unpaid.payments.count(), unpaid.amount) == (
            "open", 0, Decimal("95.00"))
        assert Invoice.objects.get(number="10001").payments.get().method == "other"
        assert Invoice.objects.get(number="10002").payments.get().method == "cheque"
        assert Payment.objects.aggregate(s=Sum("amount"))["s"] == Decimal("380.00")
        batch = HistoryBatch.objects.get()
    assert batch.unknown_headers == ["Invoice date"]
    assert batch.mapped_headers["starts_on"] == "Renewal date"


def test_tendenci_membership_history_quarterly_and_multi_year(association, plans):
    result = run_import(FIXTURES / "tendenci_membership_history.csv")
    assert (result["created"], result["rejected"], result["invoices_created"],
            result["payments_created"]) == (6, 0, 6, 0)  # no date paid: open invoices
    d = date
    m, terms, _ = story(association, "mary@example.org", "Quarterly")
    assert terms == [("join", d(2024, 1, 1), d(2024, 3, 31)),
                     ("renewal", d(2024, 4, 1), d(2024, 6, 30)),
                     ("renewal", d(2024, 7, 1), d(2024, 9, 30))]
    assert (m.status, m.lapsed_on) == ("lapsed", d(2024, 10, 15))  # 14 days' grace
    m, terms, transitions = story(association, "emmy@example.org", "Biennial")
    assert [k for k, *_ in terms] == ["join", "renewal", "renewal"]
    assert (m.status, m.joined_on, m.ends_on, m.lapsed_on) == (
        "lapsed", d(2019, 5, 1), d(2025, 4, 30), d(2025, 5, 31))  # 30 days' grace
    assert [t[0] for t in transitions] == ["joined", "renewed", "renewed", "lapsed"]


def test_missing_end_is_one_term_and_missing_start_is_the_date_paid(association, plans,
                                                                     tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Email,Plan,Start Date,End Date,Amount,Date paid\n"
                    "x@example.org,Monthly,,,10,2025-01-31\n"
                    "x@example.org,Monthly,2025-02-28,,10,\n")
    result = run_import(path)
    assert (result["created"], result["payments_created"]) == (2, 1)
    _, terms, _ = story(association, "x@example.org", "Monthly")
    assert terms == [("join", date(2025, 1, 31), date(2025, 2, 27)),
                     ("renewal", date(2025, 2, 28), date(2025, 3, 27))]


def test_xlsx_with_excel_dates_and_dayfirst(association, plans, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Member ID", "Email", "Level", "Start", "Expiry", "Fee", "Paid date"])
    sheet.append(["A1", "xl@example.org", "Regular", date(2023, 1, 1), 45291, 150.5, "02/01/2023"])
    sheet.append(["A1", "xl@example.org", "Regular", "01/01/2024", "31/12/2024", "150.50", None])
    path = tmp_path / "history.xlsx"
    workbook.save(path)
    result = run_import(path, "--dayfirst")
    assert (result["created"], result["rejected"]) == (2, 0)
    m, terms, transitions = story(association, "xl@example.org", "Regular")
    assert terms == [("join", date(2023, 1, 1), date(2023, 12, 31)),
                     ("renewal", date(2024, 1, 1), date(2024, 12, 31))]
    with scope(association=association):
        assert Invoice.objects.get(person__email_key="xl@example.org",
                                   issued_on=date(2023, 1, 2)).amount == Decimal("150.50")


def test_unknown_plan_stops_before_writing_and_create_plans_makes_them(association, plans,
                                                                       tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Email,Membership Type,Start Date\n"
                    "a@example.org,Gold,2024-01-01\nb@example.org,Silver,2024-01-01\n"
                    "c@example.org,Regular,2024-01-01\n")
    with pytest.raises(CommandError, match=r"Unknown plan 'Gold' \(and 1 more: Silver\)"):
        run_import(path)
    with scope(association=association):
        assert (Person.objects.count(), Membership.objects.count(),
                HistoryBatch.objects.count()) == (0, 0, 0)
    with pytest.raises(CommandError, match="--plan-term"):
        run_import(path, "--create-plans")
    result = run_import(path, "--create-plans", "--plan-term", "monthly")
    assert result["memberships_created"] == 3
    with scope(association=association):
        gold = Plan.objects.get(name="Gold")
        assert (gold.term_months, gold.price) == (1, Decimal("0.00"))
        assert Membership.objects.get(plan=gold).ends_on == date(2024, 1, 31)


def test_no_row_landing_exits_non_zero(association, plans, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Member ID,Membership Type,Start Date\n7,Regular,2024-01-01\n")
    with pytest.raises(CommandError, match="No row of h.csv could be imported: all 1 were"):
        run_import(path)


def test_an_interrupted_import_resumes_after_the_last_committed_chunk(
        association, plans, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 4)
    lines = ["Email,Membership Type,Start Date,Amount,Date paid"]
    for i in range(6):  # 6 members × 2 monthly terms, the rows shuffled apart
        lines.append(f"p{i}@example.org,Monthly,2025-02-01,5,2025-02-01")
    for i in range(6):
        lines.append(f"p{i}@example.org,Monthly,2025-01-01,5,2025-01-01")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    real = engine.HistoryRun._process

    calls = []

    def crash_in_chunk_two(self, rows, errors):
        calls.append(rows.height)
        if len(calls) == 2:
            real(self, rows, errors)       # half-written …
            raise RuntimeError("killed")   # … then the process dies
        return real(self, rows, errors)

    monkeypatch.setattr(engine.HistoryRun, "_process", crash_in_chunk_two)
    with pytest.raises(RuntimeError):
        run_import(path)
    with scope(association=association):
        batch = HistoryBatch.objects.get()
        assert (batch.status, batch.rows_done) == ("failed", 4)  # two whole members
        assert (Person.objects.count(), Term.objects.count()) == (2, 4)
    monkeypatch.setattr(engine.HistoryRun, "_process", real)
    result = run_import(path)
    assert result["resumed"] and result["this_run"]["created"] == 8
    assert result["this_run"]["rows"] == 8 and result["rows"] == 12
    assert (result["created"], result["memberships_renewed"], result["payments_created"]) == (
        12, 6, 12)
    with scope(association=association):
        assert (Person.objects.count(), Membership.objects.count(), Term.objects.count(),
                Transition.objects.count()) == (6, 6, 12, 18)  # joined, renewed, lapsed
        assert HistoryBatch.objects.get().status == "done"


def test_other_associations_people_are_untouched(association, other_association, plans):
    with scope(association=other_association):
        other = person_create(association=other_association, email="ada@example.org",
                              first_name="Other", external_id="101")
        plan_save(association=other_association, name="Regular", price="0")
    run_import(FIXTURES / "civicrm_membership_payments.csv")
    with scope(association=other_association):
        assert not Membership.objects.exists() and not Invoice.objects.exists()
        assert Person.objects.get().pk == other.pk
    with scope(association=association):
        assert Person.objects.get(email_key="ada@example.org").pk != other.pk


def test_existing_people_match_by_email_or_member_id(association, plans, tmp_path):
    with scope(association=association):
        ada = person_create(association=association, email="ada@example.org", first_name="A")
        old = person_create(association=association, email="old@example.org",
                            external_id="M-7", first_name="Old")
    path = tmp_path / "h.csv"
    path.write_text("Member ID,Email,Membership Type,Start Date\n"
                    ",ADA@example.org,Regular,2024-01-01\n"
                    "M-7,new-address@example.org,Regular,2024-01-01\n")
    result = run_import(path)
    assert (result["people_created"], result["created"]) == (0, 2)
    with scope(association=association):
        assert set(Membership.objects.values_list("person_id", flat=True)) == {ada.pk, old.pk}


def test_history_appends_after_the_terms_on_file(association, plans, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("Email,Membership Type,Start Date\nz@example.org,Regular,2021-01-01\n")
    run_import(first)
    later = tmp_path / "b.csv"
    later.write_text("Email,Membership Type,Start Date\n"
                     "z@example.org,Regular,2021-01-01\n"   # on file: unchanged
                     "z@example.org,Regular,2020-01-01\n"   # before it: rejected
                     "z@example.org,Regular,2023-01-01\n")  # after a gap: reinstated
    result = run_import(later)
    assert (result["unchanged"], result["rejected"], result["created"]) == (1, 1, 1)
    m, terms, transitions = story(association, "z@example.org", "Regular")
    assert [k for k, *_ in terms] == ["join", "reinstatement"]
    # The lapse recorded by the first import is not recorded again.
    assert [t[:2] for t in transitions] == [
        ("joined", date(2021, 1, 1)), ("lapsed", date(2022, 1, 31)),
        ("reinstated", date(2023, 1, 1)), ("lapsed", date(2024, 1, 31))]
    assert m.status == "lapsed"


def test_inferred_terms_make_way_for_the_real_history(association, plans, tmp_path):
    with scope(association=association):
        person = person_create(association=association, email="inf@example.org")
        m = Membership.objects.create(association=association, plan=plans["Monthly"],
                                      person=person, status="active", joined_on=date(2025, 1, 1),
                                      starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30))
        Term.objects.create(association=association, membership=m, kind="join", inferred=True,
                            starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30))
        Transition.objects.create(association=association, membership=m, from_status="",
                                  to_status="active", event="joined", on=date(2025, 1, 1),
                                  note="inferred")
    path = tmp_path / "h.csv"
    path.write_text("Email,Membership Type,Start Date\n" + "".join(
        f"inf@example.org,Monthly,2025-0{i}-01\n" for i in range(1, 7)))
    result = run_import(path)
    assert (result["updated"], result["created"], result["memberships_created"]) == (1, 5, 0)
    m, terms, transitions = story(association, "inf@example.org", "Monthly")
    assert len(terms) == 6 and [t[0] for t in transitions] == ["joined"] + ["renewed"] * 5
    with scope(association=association):
        assert not Term.objects.filter(inferred=True).exists()
        assert not Transition.objects.filter(note="inferred").exists()
        assert Membership.objects.get().ends_on == date(2025, 6, 30)


def test_a_mapping_file_names_the_columns(association, plans, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Who,Tier,Began,Stops,Money,Settled\n"
                    "m@example.org,Annual,05/01/2024,04/01/2025,\"1,200.50\",05/01/2024\n")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('dayfirst = true\nWho = "email"\nTier = "plan"\nBegan = "starts_on"\n'
                       'Stops = "ends_on"\nMoney = "amount"\nSettled = "paid_on"\n')
    result = run_import(path, "--mapping", str(mapping))
    assert (result["created"], result["payments_created"]) == (1, 1)
    with scope(association=association):
        invoice = Invoice.objects.get()
        assert (invoice.amount, invoice.issued_on) == (Decimal("1200.50"), date(2024, 1, 5))
        assert Membership.objects.get().ends_on == date(2025, 1, 4)


def test_the_background_task_runs_a_history_batch(association, plans):
    from commonground.core.batches.tasks import run_batch as task

    with scope(association=association):
        batch, resumed = services.history_prepare(
            association=association, path=FIXTURES / "wildapricot_invoices.csv")
    assert not resumed and batch.status == "pending" and batch.total_rows == 5
    assert task.call("memberships", batch.pk)["created"] == 5
    assert task.call("memberships", batch.pk)["created"] == 5  # a second delivery does nothing
