"""The Import page's example files: a roster and a membership history a new user can
download to see the expected shape, and that import cleanly into a fresh association."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scope

from _cli_support import commonground
from commonground.membership.models import Membership, Plan, Term
from commonground.membership.services import plan_save
from commonground.people.models import Person

INDEX = reverse("import_index", kwargs={"association": "acme"})


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def _sample(name: str) -> str:
    return reverse("import_sample", kwargs={"association": "acme", "example": name})


def _download(client, name: str, tmp_path) -> tuple[list[dict], object]:
    response = client.get(_sample(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="example-{name}"'
    path = tmp_path / f"example-{name}"
    path.write_bytes(response.content)
    return list(csv.DictReader(io.StringIO(response.content.decode()))), path


def test_the_page_offers_both_examples_and_they_download(association, staff_client, tmp_path):
    html = staff_client.get(INDEX).content.decode()
    assert f'href="{_sample("roster.csv")}" download>Download an example roster' in html
    assert f'href="{_sample("membership-history.csv")}" download>Download an example' in html
    roster, _ = _download(staff_client, "roster.csv", tmp_path)
    history, _ = _download(staff_client, "membership-history.csv", tmp_path)
    assert {"Email", "Membership Level", "Member Since", "Expiration Date"} <= set(roster[0])
    assert {"Email", "Membership Type", "Start Date", "End Date", "Total Amount",
            "Receive Date"} <= set(history[0])
    assert {r["Email"] for r in history} == {r["Email"] for r in roster}  # the same people
    assert staff_client.get(_sample("secrets.csv")).status_code == 404
    assert staff_client.get(_sample("..") + "%2Fmodels.py").status_code == 404


def test_the_example_history_imports_into_a_fresh_association_without_rejected_rows(
        association, staff_client, tmp_path):
    history, path = _download(staff_client, "membership-history.csv", tmp_path)
    ran = commonground("import", "memberships", str(path), "--association", "acme", "--json",
                       "--no-progress", "--create-plans", "--plan-term", "annual")
    assert ran.code == 0, ran.err
    summary = ran.json()
    assert (summary["rows"], summary["rejected"], summary["created"]) == (len(history), 0,
                                                                          len(history))
    assert summary["memberships_renewed"] > 0 and summary["memberships_lapsed"] > 0
    with scope(association=association):
        assert set(Plan.objects.values_list("name", flat=True)) == {"Individual", "Student"}
        assert Person.objects.count() == 6 and Term.objects.count() == len(history)
        alan = Membership.objects.get(person__email_key="alan.turing@example.org")
        assert list(alan.terms.order_by("starts_on").values_list("kind", flat=True)) == [
            "join", "reinstatement", "renewal", "renewal"]


def test_the_examples_land_on_matching_plans_without_rejected_rows(association, staff_client,
                                                                  tmp_path):
    with scope(association=association):
        plan_save(association=association, name="Individual", price="130", term_months=12)
        plan_save(association=association, name="Student", price="45", term_months=12)
    roster, roster_path = _download(staff_client, "roster.csv", tmp_path)
    history, history_path = _download(staff_client, "membership-history.csv", tmp_path)
    ran = commonground("import", "memberships", str(history_path), "--association", "acme",
                       "--json", "--no-progress")
    assert ran.code == 0, ran.err
    summary = ran.json()
    assert (summary["created"], summary["rejected"], summary["people_created"]) == (
        len(history), 0, len(roster))
    with scope(association=association):
        ada = Membership.objects.get(person__email_key="ada.lovelace@example.org")
        assert ada.terms.count() == 5 and str(ada.ends_on) == "2027-01-14"
    # The roster names the same people, on the same plans: they are updated, not duplicated.
    ran = commonground("import", "people", str(roster_path), "--association", "acme", "--json",
                       "--no-progress")
    assert ran.code == 0, ran.err
    assert ran.json()["rejected"] == 0
    with scope(association=association):
        assert Person.objects.count() == len(roster)


def test_the_example_roster_then_its_history_replace_the_inferred_terms(association,
                                                                       staff_client, tmp_path):
    roster, roster_path = _download(staff_client, "roster.csv", tmp_path)
    history, history_path = _download(staff_client, "membership-history.csv", tmp_path)
    ran = commonground("import", "people", str(roster_path), "--association", "acme", "--json",
                       "--no-progress", "--create-plans", "--plan-term", "12")
    assert ran.code == 0, ran.err
    assert (ran.json()["created"], ran.json()["rejected"]) == (len(roster), 0)
    with scope(association=association):
        assert Term.objects.filter(inferred=True).exists()  # reconstructed from the dates
    ran = commonground("import", "memberships", str(history_path), "--association", "acme",
                       "--json", "--no-progress")
    assert ran.code == 0, ran.err
    summary = ran.json()
    assert (summary["rejected"], summary["people_created"]) == (0, 0)
    assert summary["created"] + summary["updated"] == len(history)
    with scope(association=association):
        assert Person.objects.count() == len(roster)
        assert not Term.objects.filter(inferred=True).exists()  # the real history replaced them
        assert Term.objects.count() == len(history)
