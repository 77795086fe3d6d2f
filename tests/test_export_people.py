"""Export writes the columns the importer reads: export → import changes nothing."""

from __future__ import annotations

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scope

from commonground.membership.exporting import export_people
from commonground.membership.services import membership_join, plan_save
from commonground.people.models import Person
from commonground.people.services import (
    chapter_create,
    custom_field_define,
    organisation_create,
    person_create,
    relationship_add,
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def roster(association):
    with scope(association=association):
        plan = plan_save(association=association, name="Regular", price="0")
        chapter = chapter_create(association=association, name="Bay Area")
        custom_field_define(association=association, key="region", label="Region",
                            kind="choice", choices=["North", "South"])
        org = organisation_create(association=association, name="Analytical Engines")
        ada = person_create(association=association, first_name="Ada", last_name="Lovelace",
                            email="ada@example.com", phone="+14155550132", city="San Francisco",
                            region="CA", postal_code="94103", country="US", chapter=chapter,
                            custom={"region": "North"}, external_id="M1")
        relationship_add(association=association, person=ada, organisation=org)
        membership_join(association=association, plan=plan, person=ada)
        person_create(association=association, first_name="Bo", last_name="Z",
                      email="bo@example.com")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(association, roster, tmp_path, fmt):
    path = tmp_path / f"people.{fmt}"
    call_command("export", "people", "--association", "acme", "--output", str(path),
                 stderr=StringIO())
    out = StringIO()
    call_command("import", "people", str(path), "--association", "acme", "--json",
                 "--no-progress", stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue())
    assert {k: result[k] for k in ("created", "updated", "rejected", "memberships_created",
                                   "memberships_renewed", "errors_file")} == {
        "created": 0, "updated": 0, "rejected": 0, "memberships_created": 0,
        "memberships_renewed": 0, "errors_file": None}
    assert result["unchanged"] == result["rows"] > 0


def test_export_people_streams_a_filtered_queryset(association, roster):
    buffer = io.BytesIO()
    with scope(association=association):
        count = export_people(association=association,
                              people=Person.objects.filter(email_key="ada@example.com"),
                              fmt="csv", out=buffer)
    text = buffer.getvalue().decode("utf-8-sig")
    assert count == 1
    header, row = text.splitlines()[:2]
    assert header.startswith("Member ID,First Name,Last Name,Email,Phone,Organization,Chapter")
    assert "custom.region" in header  # a custom field named like a standard column
    assert row.startswith("M1,Ada,Lovelace,ada@example.com,+14155550132,Analytical Engines,Bay Area")


def test_export_filters_by_plan_and_status(association, roster, tmp_path):
    path = tmp_path / "active.csv"
    call_command("export", "people", "--association", "acme", "--status", "active", "--plan",
                 "regular", "--output", str(path), stderr=StringIO())
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and "ada@example.com" in lines[1]
