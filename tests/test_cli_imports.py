"""What ``commonground import people|activities`` tells its user: unknown plans stop the
import before anything is written (or ``--create-plans --plan-term N`` creates them), an
import where no row could land exits non-zero, and ``--json`` gives every count — also
what a resumed run did itself."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from _cli_support import commonground
from commonground.core.batches.cli import SUMMARY_COUNTS
from commonground.membership.models import Membership, Plan
from commonground.membership.roster import engine, services
from commonground.membership.services import membership_join, plan_save
from commonground.people.models import ImportBatch, Person
from commonground.people.services import person_create
from commonground.tenancy.models import AuditEntry

HEADER = ["First Name", "Last Name", "Email", "Membership Level", "Member Since", "Expiry"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def regular(association):
    with scope(association=association):
        return plan_save(association=association, name="Regular", price="100", term_months=12)


def write(path: Path, rows, header=HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def people(path: Path, *extra: str):
    return commonground("import", "people", str(path), "--association", "acme", "--no-progress",
                        *extra)


def counts(association) -> tuple[int, int, int, int]:
    with scope(association=association):
        return (Person.objects.count(), Membership.objects.count(), Plan.objects.count(),
                ImportBatch.objects.count())


# ---------------------------------------------------------------- unknown plans

def test_an_unknown_plan_stops_the_import_before_anything_is_written(
        association, regular, tmp_path, data_dir):
    path = write(tmp_path / "roster.csv", [
        ["Ada", "Lovelace", "ada@example.com", "Regular", "2024-01-01", "2030-12-31"],
        ["Alan", "Turing", "alan@example.com", "Gold", "2024-01-01", "2030-12-31"],
        ["Grace", "Hopper", "grace@example.com", "gold", "2024-01-01", "2030-12-31"],
    ])
    ran = people(path, "--json")
    assert ran.code == 1
    assert ran.out == ""
    assert ran.err.strip().splitlines() == [
        "CommandError: Unknown plan 'Gold'. Create it first: commonground plan create "
        "--association acme --name Gold --term 12 --price 0, or import with --create-plans "
        "--plan-term 12"]
    assert counts(association) == (0, 0, 1, 0)  # no person, no batch, no new plan
    assert not (data_dir / "imports").exists() or not any((data_dir / "imports").iterdir())


def test_several_unknown_plans_are_named_in_one_line(association, regular, tmp_path):
    path = write(tmp_path / "roster.csv", [
        [f"P{i}", "X", f"p{i}@example.com", plan, "", "2030-12-31"]
        for i, plan in enumerate(["Gold", "Silver", "Bronze", "Regular", "", "Silver"])])
    ran = people(path)
    assert ran.code == 1
    (line,) = ran.err.strip().splitlines()
    assert line.startswith("CommandError: Unknown plan 'Bronze' (and 2 more: Gold, Silver). ")
    assert counts(association)[0] == 0


def test_create_plans_with_a_stated_term_creates_them_first(association, regular, tmp_path):
    path = write(tmp_path / "roster.csv", [
        ["Ada", "Lovelace", "ada@example.com", "Monthly Supporter", "2025-01-01", "2099-01-31"],
        ["Alan", "Turing", "alan@example.com", "monthly supporter", "2025-01-01", "2099-01-31"],
        ["Grace", "Hopper", "grace@example.com", "Regular", "2024-01-01", "2099-12-31"],
    ])
    ran = people(path, "--create-plans", "--plan-term", "monthly", "--json")
    assert ran.code == 0, ran.err
    result = ran.json()
    assert (result["created"], result["rejected"], result["memberships_created"]) == (3, 0, 3)
    with scope(association=association):
        plan = Plan.objects.get(slug="monthly-supporter")
        assert (plan.name, plan.term_months, plan.price, plan.kind) == (
            "Monthly Supporter", 1, 0, "individual")
        assert (plan.window_days, plan.grace) == (7, 7)
        assert Membership.objects.filter(plan=plan).count() == 2
        assert AuditEntry.objects.filter(action="plan.created").count() == 2  # + Regular


@pytest.mark.parametrize("args,message", [
    (["--create-plans"], "--create-plans needs the new plans' term: --plan-term 12"),
    (["--plan-term", "12"], "--plan-term is the term of the plans --create-plans creates"),
    (["--create-plans", "--plan-term", "fortnightly"], "--plan-term: 'fortnightly' is not a term"),
])
def test_create_plans_never_assumes_a_term(association, tmp_path, args, message):
    path = write(tmp_path / "r.csv", [["Ada", "L", "ada@example.com", "Gold", "", ""]])
    ran = people(path, *args)
    assert ran.code == 1 and message in ran.err
    assert counts(association) == (0, 0, 0, 0)


def test_the_import_page_names_the_unknown_plan_and_links_the_plans_page(
        association, regular, staff_client):
    index = reverse("import_index", kwargs={"association": "acme"})
    upload = SimpleUploadedFile("roster.csv", b"First Name,Email,Membership Level\r\n"
                                b"Ada,ada@example.com,Gold\r\nAlan,alan@example.com,Regular\r\n",
                                "text/csv")
    response = staff_client.post(index, {"file": upload})
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "Nothing was imported: the file names a plan this association does not have" in page
    assert "<strong>Gold</strong>" in page
    assert f'href="{reverse("plan_list", kwargs={"association": "acme"})}"' in page
    assert f'href="{reverse("plan_create", kwargs={"association": "acme"})}"' in page
    assert 'aria-describedby="file-error"' in page and 'id="file-error"' in page
    assert counts(association) == (0, 0, 1, 0)


def test_the_mapping_step_shows_the_same_message(association, regular, staff_client):
    index = reverse("import_index", kwargs={"association": "acme"})
    upload = SimpleUploadedFile("roster.csv", b"First Name,Email,Level\r\nAda,ada@example.com,"
                                b"Gold\r\nB,b@example.com,Silver\r\n", "text/csv")
    mapping = staff_client.post(index, {"file": upload, "action": "map"})
    assert mapping.status_code == 200
    token = mapping.context["upload"]
    response = staff_client.post(reverse("import_map", kwargs={"association": "acme"}), {
        "upload": token, "file_name": "roster.csv", "col-0": "first_name", "col-1": "email",
        "col-2": "plan"})
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "the file names 2 plans" in page and "<strong>Gold</strong>" in page
    assert "<strong>Silver</strong>" in page
    assert counts(association) == (0, 0, 1, 0)


# ---------------------------------------------------------------- no row could land

def test_an_import_where_every_row_is_rejected_exits_non_zero_after_its_summary(
        association, regular, tmp_path):
    path = write(tmp_path / "bad.csv", [["A", "B", "not-an-email", "", "", ""],
                                        ["C", "D", "also bad", "", "", ""]])
    ran = people(path, "--json")
    assert ran.code == 1
    result = ran.json()  # the summary is still printed, on stdout
    assert (result["created"], result["rejected"]) == (0, 2)
    assert ran.err.strip() == (f"CommandError: No row of bad.csv could be imported: all 2 were "
                               f"rejected; the reasons are in {result['errors_file']}")
    human = people(write(tmp_path / "bad2.csv", [["A", "B", "nope", "", "", ""]]))
    assert human.code == 1 and "  rejected:  1" in human.out
    assert "No row of bad2.csv could be imported" in human.err


def test_some_rows_landing_is_success(association, regular, tmp_path):
    path = write(tmp_path / "mixed.csv", [["A", "B", "a@example.com", "", "", ""],
                                          ["C", "D", "bad", "", "", ""]])
    ran = people(path, "--json")
    assert ran.code == 0 and ran.json()["rejected"] == 1
    # Again: the good row is unchanged (on file), so the file still landed.
    again = people(path, "--json")
    assert again.code == 0
    assert (again.json()["unchanged"], again.json()["rejected"]) == (1, 1)


# ---------------------------------------------------------------- honest summaries

def test_json_reports_every_count(association, regular, tmp_path, staff_client):
    with scope(association=association):
        known = person_create(association=association, first_name="Old", last_name="Member",
                              email="old@example.com")
        membership_join(association=association, plan=regular, person=known, invoice=False,
                        joined_on=date(2020, 1, 1))
        person_create(association=association, first_name="Same", last_name="Person",
                      email="same@example.com")
    path = write(tmp_path / "roster.csv", [
        ["Ada", "Lovelace", "ada@example.com", "Regular", "2024-01-01", "2099-12-31"],
        ["Alan", "Turing", "alan@example.com", "Regular", "2019-01-01", "2020-01-04"],
        ["Old", "Member", "old@example.com", "Regular", "", "2099-12-31"],
        ["Same", "Person", "same@example.com", "", "", ""],
        ["Bad", "Row", "bad", "", "", ""],
    ])
    ran = people(path, "--json")
    assert ran.code == 0, ran.err
    result = ran.json()
    assert set(SUMMARY_COUNTS) <= set(result)
    assert {k: result[k] for k in SUMMARY_COUNTS} == {
        "created": 2, "updated": 1, "unchanged": 1, "rejected": 1, "memberships_created": 2,
        "memberships_renewed": 1, "memberships_lapsed": 1}
    assert result["rows"] == 5 and result["status"] == "done" and result["file"] == "roster.csv"
    assert Path(result["errors_file"]).is_file()
    assert result["resumed"] is False
    assert result["this_run"] == {"rows": 5, **{k: result[k] for k in SUMMARY_COUNTS}}
    detail = staff_client.get(reverse("import_detail", kwargs={"association": "acme",
                                                               "batch_id": result["batch"]}))
    assert b"Memberships lapsed</dt><dd>1</dd>" in detail.content
    human = people(write(tmp_path / "again.csv", [
        ["Ada", "Lovelace", "ada@example.com", "Regular", "2024-01-01", "2099-12-31"]]))
    assert human.code == 0
    assert "  unchanged: 1" in human.out
    assert "  memberships created: 0, renewed: 0, lapsed: 0" in human.out
    assert "Resumed" not in human.out


def test_a_resumed_run_says_what_it_did_itself_and_in_all(
        association, regular, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    path = write(tmp_path / "big.csv", [
        [f"P{i}", "Person", f"p{i}@example.com", "Regular", "2024-01-01", "2099-12-31"]
        for i in range(8)])
    real = engine.RosterRun._process

    def dies_in_chunk_two(self, offset, chunk, errors):
        if offset == 3:
            raise RuntimeError("killed")
        return real(self, offset, chunk, errors)

    monkeypatch.setattr(engine.RosterRun, "_process", dies_in_chunk_two)
    with pytest.raises(RuntimeError):
        people(path, "--json")
    monkeypatch.setattr(engine.RosterRun, "_process", real)
    ran = people(path, "--json")
    assert ran.code == 0, ran.err
    result = ran.json()
    assert result["resumed"] is True
    assert (result["rows"], result["created"], result["memberships_created"]) == (8, 8, 8)
    assert result["this_run"]["rows"] == 5
    assert (result["this_run"]["created"], result["this_run"]["memberships_created"]) == (5, 5)

    # The human summary of a resumed run (a second interrupted import, of another file).
    other = write(tmp_path / "other.csv", [
        [f"Q{i}", "Person", f"q{i}@example.com", "Regular", "2024-01-01", "2099-12-31"]
        for i in range(7)])
    monkeypatch.setattr(engine.RosterRun, "_process", dies_in_chunk_two)
    with pytest.raises(RuntimeError):
        people(other)
    monkeypatch.setattr(engine.RosterRun, "_process", real)
    human = people(other)
    assert human.code == 0, human.err
    lines = human.out.splitlines()
    assert lines[0].endswith(": 7 rows")
    assert lines[1] == "  Resumed: 4 rows in this run, 7 in all"
    assert "Resuming import" in human.err


# ---------------------------------------------------------------- activities

FEED = "Email Address,Action,Timestamp\n{rows}"


def activities(tmp_path: Path, text: str, name: str = "feed.csv", *extra: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return commonground("import", "activities", str(path), "--association", "acme",
                        "--source", "newsletter", "--no-progress", *extra)


def test_activities_json_has_the_same_keys(tmp_path, jane, newsletter):
    ran = activities(tmp_path, FEED.format(rows="jane@example.org,open,2024-05-01 10:00:00\n"
                                                "jane@example.org,explode,2024-05-01 10:00:00\n"),
                     "feed.csv", "--json")
    assert ran.code == 0, ran.err
    result = ran.json()
    assert {k: result[k] for k in SUMMARY_COUNTS} == {
        "created": 1, "updated": 0, "unchanged": 0, "rejected": 1, "memberships_created": 0,
        "memberships_renewed": 0, "memberships_lapsed": 0}
    assert (result["duplicates"], result["unmatched"]) == (0, 0)
    assert result["this_run"]["created"] == 1 and result["errors_file"]


def test_activities_where_nothing_landed_exit_non_zero(tmp_path, jane, newsletter):
    ran = activities(tmp_path, FEED.format(rows="jane@example.org,explode,2024-05-01 10:00:00\n"
                                                "not-an-email,open,2024-05-01 10:00:00\n"),
                     "bad.csv", "--json")
    assert ran.code == 1
    assert json.loads(ran.out)["rejected"] == 2
    assert "No row of bad.csv could be imported: all 2 were rejected" in ran.err
    # A second delivery of a good file is all duplicates: nothing new, but not a failure.
    good = FEED.format(rows="jane@example.org,open,2024-05-01 10:00:00\n")
    assert activities(tmp_path, good, "good.csv").code == 0
    again = activities(tmp_path, good, "good.csv", "--json")
    assert again.code == 0
    assert (again.json()["duplicates"], again.json()["unchanged"]) == (1, 1)
