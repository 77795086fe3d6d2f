"""Roster import from the command line: what a membership director sees."""

from __future__ import annotations

import csv
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scope

from commonground.membership.models import Membership, Term, Transition
from commonground.membership.roster import engine, services
from commonground.membership.services import plan_save
from commonground.people.models import ImportBatch, Organisation, Person, Relationship
from commonground.people.services import custom_field_define, person_create
from commonground.tenancy.models import AuditEntry

HEADER = ["First Name", "Last Name", "E-mail", "Phone", "Company", "Chapter", "City", "State",
          "Zip", "Country", "Member ID", "Membership Type", "Join Date", "Paid through", "Shoe"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def plans(association):
    with scope(association=association):
        return {"regular": plan_save(association=association, name="Regular", price="100"),
                "student": plan_save(association=association, name="Student", price="20"),
                "corporate": plan_save(association=association, name="Corporate", price="900",
                                       kind="organisational")}


def write_csv(path, rows, header=HEADER, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(path, *extra):
    out = StringIO()
    call_command("import", "people", str(path), "--association", "acme", "--json",
                 "--no-progress", *extra, stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0])


GOOD = [
    ["Ada", "Lovelace", "Ada@Example.com", "(415) 555-0132", "Analytical Engines", "Bay Area",
     "San Francisco", "CA", "94103", "US", "M1", "Regular", "2021-01-05", "01/04/2030", "42"],
    ["Alan", "Turing", "alan@example.org", "+1 212 555 0199", "Bletchley", "", "New York",
     "New York", "10001", "USA", "M2", "student", "Jan 5, 2021", "2022-01-04", ""],
]
BAD = [
    ["Bad", "Email", "not-an-email", "", "", "", "", "", "", "", "M3", "", "", "", ""],
    ["Grace", "Hopper", "grace@example.com", "12", "", "", "", "", "", "", "M4", "", "", "", ""],
    ["Dup", "Ada", "ada@EXAMPLE.com", "", "", "", "", "", "", "", "M5", "", "", "", ""],
    ["No", "Plan", "np@example.com", "", "", "", "", "", "", "", "M6", "Corporate", "", "", ""],
    ["Ed", "Date", "ed@example.com", "", "", "", "", "", "", "", "M7", "Regular", "31/31/2020",
     "", ""],
    ["Zed", "Zip", "zed@example.com", "", "", "", "Boston", "MA", "ABCDE", "US", "M8", "", "",
     "", ""],
]


def test_good_rows_land_and_bad_rows_go_to_the_errors_file_with_line_and_reason(
        association, plans, tmp_path):
    result = run_import(write_csv(tmp_path / "roster.csv", GOOD + BAD))
    assert result["created"] == 2 and result["updated"] == 0 and result["rejected"] == 6
    with open(result["errors_file"], encoding="utf-8") as fh:
        errors = list(csv.DictReader(fh))
    assert list(errors[0])[:len(HEADER)] == HEADER
    reasons = {row["line"]: row["reason"] for row in errors}
    assert set(reasons) == {"4", "5", "6", "7", "8", "9"}
    assert "@" in reasons["4"]
    assert reasons["5"].startswith("Phone:")
    assert reasons["6"] == "duplicate email in this file (first on line 2)"
    assert reasons["7"] == "Membership Type: Corporate is a plan for organisations"
    assert reasons["8"].startswith("Join Date:")
    assert reasons["9"].startswith("Zip:")
    assert errors[0]["E-mail"] == "not-an-email"  # original columns kept
    with scope(association=association):
        ada = Person.objects.get(email_key="ada@example.com")
        assert (ada.email, ada.phone, ada.region, ada.external_id) == (
            "Ada@example.com", "+14155550132", "CA", "M1")
        assert ada.search_text == Person.make_search_text("Ada", "Lovelace", "Ada@example.com")
        assert ada.chapter.name == "Bay Area"
        assert Relationship.objects.get(person=ada).organisation.name_key == "analytical engines"
        alan = Person.objects.get(email_key="alan@example.org")
        assert (alan.region, alan.country) == ("NY", "US")
        membership = Membership.objects.get(person=ada)
        assert (membership.plan, membership.joined_on, membership.ends_on, membership.status) == (
            plans["regular"], date(2021, 1, 5), date(2030, 1, 4), "active")
        # The history the row implies (membership.inference): a join term from Member
        # Since, a renewal each year up to the one running today, which ends on the expiry.
        terms = list(Term.objects.filter(membership=membership))
        assert (terms[0].kind, terms[0].starts_on, terms[0].ends_on, terms[0].invoice) == (
            "join", date(2021, 1, 5), date(2022, 1, 4), None)
        assert [t.kind for t in terms[1:]] == ["renewal"] * (len(terms) - 1) and len(terms) >= 6
        assert terms[-1].ends_on == date(2030, 1, 4) and all(t.inferred for t in terms)
        assert (membership.starts_on, membership.ends_on) == (terms[-1].starts_on, date(2030, 1, 4))
        events = list(Transition.objects.filter(membership=membership))
        assert [(e.event, e.on) for e in events[:2]] == [("joined", date(2021, 1, 5)),
                                                         ("renewed", date(2022, 1, 5))]
        assert {e.note for e in events} == {"inferred"}
        lapsed = Membership.objects.get(person=alan)
        assert lapsed.status == "lapsed" and lapsed.plan == plans["student"]
        # One annual term, then the lapse on the day the 30 days of grace ran out.
        assert lapsed.lapsed_on == date(2022, 2, 4)
        assert [(e.event, e.on) for e in Transition.objects.filter(membership=lapsed)] == [
            ("joined", date(2021, 1, 5)), ("lapsed", date(2022, 2, 4))]
        assert ada.history.count() == 1 and membership.history.count() == 1
        assert AuditEntry.objects.filter(action="people.imported").count() == 1


def test_rerunning_the_same_file_changes_nothing(association, plans, tmp_path):
    path = write_csv(tmp_path / "roster.csv", GOOD + BAD)
    run_import(path)
    with scope(association=association):
        before = (Person.objects.count(), Person.history.count(), Membership.objects.count(),
                  Term.objects.count(), Transition.objects.count(), Relationship.objects.count(),
                  Organisation.objects.count(), AuditEntry.objects.count())
    again = run_import(path)
    assert again["created"] == 0 and again["updated"] == 0 and again["rejected"] == 6
    with scope(association=association):
        after = (Person.objects.count(), Person.history.count(), Membership.objects.count(),
                 Term.objects.count(), Transition.objects.count(), Relationship.objects.count(),
                 Organisation.objects.count(), AuditEntry.objects.count())
    assert after[:-1] == before[:-1]
    assert after[-1] == before[-1] + 1  # the one people.imported entry of the new batch


def test_an_existing_person_is_updated_by_email_not_duplicated(association, plans, tmp_path):
    with scope(association=association):
        person = person_create(association=association, first_name="Ada", last_name="Byron",
                               email="ada@example.com", phone="+14155550100")
    result = run_import(write_csv(tmp_path / "r.csv", GOOD[:1]))
    assert (result["created"], result["updated"]) == (0, 1)
    with scope(association=association):
        person.refresh_from_db()
        assert Person.objects.filter(email_key="ada@example.com").count() == 1
        assert (person.last_name, person.phone, person.city) == (
            "Lovelace", "+14155550132", "San Francisco")
        assert person.history.count() == 2


def test_a_later_expiry_renews_from_the_current_end(association, plans, tmp_path):
    run_import(write_csv(tmp_path / "a.csv", GOOD[:1]))
    later = [GOOD[0][:13] + ["2032-01-04", "42"]]
    result = run_import(write_csv(tmp_path / "b.csv", later))
    assert result["updated"] == 1
    with scope(association=association):
        membership = Membership.objects.get(person__email_key="ada@example.com")
        assert membership.ends_on == date(2032, 1, 4)
        # Paid years ahead: one renewal term from the old end to the new expiry (no
        # renewal is invented ahead of today), renewed today.
        renewal = Term.objects.filter(membership=membership, kind="renewal").last()
        assert (renewal.starts_on, renewal.ends_on) == (date(2030, 1, 5), date(2032, 1, 4))
        assert renewal.inferred and membership.starts_on == date(2030, 1, 5)
        last = Transition.objects.filter(membership=membership).last()
        assert (last.event, last.from_status, last.to_status, last.note) == (
            "renewed", "active", "active", "inferred")


def test_rows_without_email_match_by_member_id(association, plans, tmp_path):
    header = ["Contact ID", "First Name", "Last Name", "Phone"]
    run_import(write_csv(tmp_path / "a.csv", [["X1", "Kim", "Lee", ""]], header=header))
    result = run_import(write_csv(tmp_path / "b.csv", [["X1", "Kim", "Lee", "212 555 0101"]],
                                  header=header))
    assert (result["created"], result["updated"]) == (0, 1)
    with scope(association=association):
        assert Person.objects.get(external_id="X1").phone == "+12125550101"


def test_semicolon_latin1_csv_with_day_first_dates(association, plans, tmp_path):
    header = ["Prénom", "Nom", "Email", "Ville", "Pays", "Membership Level", "Start Date", "End Date"]
    path = write_csv(tmp_path / "fr.csv",
                     [["Zoé", "Müller", "zoe@example.fr", "Lyon", "FR", "Regular", "05/01/2021",
                       "04/01/2022"]],
                     header=header, encoding="latin-1", delimiter=";")
    result = run_import(path, "--dayfirst", "--mapping", str(_mapping(tmp_path)))
    assert {k: result[k] for k in ("created", "updated", "unchanged", "rejected",
                                   "memberships_created", "memberships_lapsed", "errors_file")} \
        == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "memberships_created": 1,
            "memberships_lapsed": 1, "errors_file": None}
    with scope(association=association):
        zoe = Person.objects.get(email_key="zoe@example.fr")
        assert (zoe.first_name, zoe.last_name, zoe.city, zoe.country) == ("Zoé", "Müller", "Lyon", "FR")
        assert Membership.objects.get(person=zoe).joined_on == date(2021, 1, 5)


def _mapping(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text('"Prénom" = "first_name"\nlast_name = "Nom"\n"Ville" = "city"\n'
                    '"Pays" = "country"\n', encoding="utf-8")
    return path


def test_bom_and_custom_fields(association, plans, tmp_path):
    with scope(association=association):
        custom_field_define(association=association, key="shoe", label="Shoe size", kind="number")
    path = write_csv(tmp_path / "bom.csv", [GOOD[0]], encoding="utf-8-sig")
    result = run_import(path)
    assert result["created"] == 1 and result["rejected"] == 0
    with scope(association=association):
        assert Person.objects.get(external_id="M1").custom == {"shoe": "42"}


def test_xlsx_with_excel_dates(association, plans, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Given name", "Surname", "Email Address", "Plan", "Member Since", "Expiry",
                  "Postcode", "City", "Country"])
    sheet.append(["Ada", "Lovelace", "ada@example.com", "Regular", date(2021, 1, 5), 47122,
                  "SW1A 1AA", "London", "GB"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    result = run_import(path)
    assert result["created"] == 1 and result["rejected"] == 0
    with scope(association=association):
        membership = Membership.objects.get(person__email_key="ada@example.com")
        assert (membership.joined_on, membership.ends_on) == (date(2021, 1, 5), date(2029, 1, 4))


def test_an_interrupted_import_resumes_after_the_last_committed_chunk(
        association, plans, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    rows = [[f"P{i}", "Person", f"p{i}@example.com", "", "", "", "", "", "", "", f"E{i}",
             "Regular", "2024-01-01", "2030-12-31", ""] for i in range(8)]
    path = write_csv(tmp_path / "big.csv", rows)
    real = engine.RosterRun._process

    def crash_in_chunk_two(self, offset, chunk, errors):
        if offset == 3:
            real(self, offset, chunk[:2], errors)  # half-written …
            raise RuntimeError("killed")          # … then the process dies
        return real(self, offset, chunk, errors)

    monkeypatch.setattr(engine.RosterRun, "_process", crash_in_chunk_two)
    with pytest.raises(RuntimeError):
        run_import(path)
    with scope(association=association):
        assert Person.objects.count() == 3  # chunk 1 only: chunk 2 rolled back whole
        batch = ImportBatch.objects.get()
        assert (batch.status, batch.rows_done) == ("failed", 3)
    monkeypatch.setattr(engine.RosterRun, "_process", real)
    result = run_import(path)
    assert result["created"] == 8 and result["rejected"] == 0  # the whole batch's counts
    with scope(association=association):
        assert Person.objects.count() == 8 and Membership.objects.count() == 8
        batch = ImportBatch.objects.get()
        assert (batch.status, batch.rows_done, batch.created) == ("done", 8, 8)


def test_the_background_task_runs_a_batch(association, plans, tmp_path):
    from commonground.core.batches.tasks import run_batch as task

    with scope(association=association):
        batch, resumed = services.import_prepare(
            association=association, path=write_csv(tmp_path / "r.csv", GOOD))
    assert not resumed and batch.status == "pending" and batch.total_rows == 2
    assert task.call("people", batch.pk)["created"] == 2
    assert task.call("people", batch.pk)["created"] == 2  # a second delivery does nothing


def test_unreadable_mapping_is_a_clear_error(association, tmp_path):
    from django.core.management.base import CommandError

    path = write_csv(tmp_path / "r.csv", [["a", "b"]], header=["Foo", "Bar"])
    with pytest.raises(CommandError, match="no column matched"):
        run_import(path)


def test_imported_members_show_in_the_member_list_filters(association, tmp_path):
    """New and existing people get the list's copy of their membership from an import."""
    from django_scopes import scope

    from commonground.membership.roster.engine import run_batch
    from commonground.membership.roster.services import import_prepare
    from commonground.membership.services import plan_save
    from commonground.people import selectors
    from commonground.people.services import person_create

    with scope(association=association):
        plan_save(association=association, name="Individual", price="100")
        person_create(association=association, email="old@example.org", last_name="Old")
    path = tmp_path / "roster.csv"
    path.write_text("Email,Last Name,Membership Level,Member Since,Expiration Date\n"
                    "new@example.org,New,Individual,2024-01-01,2099-12-31\n"
                    "old@example.org,Old,Individual,2019-01-01,2019-12-31\n")
    with scope(association=association):
        batch, _ = import_prepare(association=association, path=path)
    run_batch(batch_id=batch.pk)
    with scope(association=association):
        active = selectors.person_list(status="active").rows
        lapsed = selectors.person_list(status="lapsed").rows
        assert [p.email for p in active] == ["new@example.org"]
        assert [p.email for p in lapsed] == ["old@example.org"]
        assert active[0].current_membership.ends_on.isoformat() == "2099-12-31"
