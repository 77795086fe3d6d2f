"""The column mapping an association chose on the Import page, remembered per kind of file:
a membership history's choices pre-fill its next history file's mapping step and apply to
a history imported without the step, beside (not over) the roster's."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from commonground.core.batches.tasks import run_batch
from commonground.core.errors import ValidationFailed
from commonground.membership.models import HistoryBatch, ImportMapping, Term
from commonground.membership.selectors_import import import_mapping_columns
from commonground.membership.services import plan_save
from commonground.membership.services_import import import_mapping_save
from commonground.tenancy.models import AuditEntry


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def gold(association):
    with scope(association=association):
        return plan_save(association=association, name="Gold", price="50", term_months=12)


UPLOAD = reverse("import_history_index", kwargs={"association": "acme"})
MAP = reverse("import_history_map", kwargs={"association": "acme"})
INDEX = reverse("import_index", kwargs={"association": "acme"})
# Headers no export uses: only a mapping says what they are.
ODD = (b"Mailbox,Tier,Began,Finished,Notes\r\n"
       b"ada@example.com,Gold,01/02/2022,31/01/2023,first\r\n")


def _upload(client, content, name, **data):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "text/csv"), **data})


def _selected(html: str, index: int) -> str:
    select = re.search(rf'<select name="col-{index}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def _map_odd(client) -> None:
    html = _upload(client, ODD, "odd.csv", action="map").content.decode()
    assert _selected(html, 0) == "ignore" and _selected(html, 1) == "ignore"  # nothing saved yet
    token = re.search(r'name="upload" value="([0-9a-f]+)"', html).group(1)
    response = client.post(MAP, {"upload": token, "file_name": "odd.csv", "dayfirst": "on",
                                 "col-0": "email", "col-1": "plan", "col-2": "starts_on",
                                 "col-3": "ends_on", "col-4": "ignore"})
    assert response.status_code == 302


def test_the_next_history_files_mapping_step_is_prefilled(association, gold, staff_client):
    _map_odd(staff_client)
    with scope(association=association):
        saved = ImportMapping.objects.get()
        assert saved.kind == "memberships" and saved.dayfirst
        assert saved.columns == {"mailbox": "email", "tier": "plan", "began": "starts_on",
                                 "finished": "ends_on", "notes": "ignore"}
        entry = AuditEntry.objects.get(action="memberships.import_mapping_saved")
        assert entry.data["kind"] == "memberships"
    # Another file with some of the same headers, in another order.
    nxt = b"Notes,Finished,Mailbox,Tier,Began\r\nx,31/01/2024,lin@example.com,Gold,01/02/2023\r\n"
    html = _upload(staff_client, nxt, "next.csv", action="map").content.decode()
    assert [_selected(html, i) for i in range(5)] == [
        "ignore", "ends_on", "email", "plan", "starts_on"]
    assert 'id="id_history_dayfirst" checked' in html  # the saved day-first choice
    # The roster's mapping step is not touched by the history's choices.
    roster = staff_client.post(INDEX, {"file": SimpleUploadedFile("r.csv", b"Mailbox,Tier\r\na,b\r\n"),
                                       "action": "map"}).content.decode()
    assert _selected(roster, 0) == "ignore"
    assert 'id="id_dayfirst">' in staff_client.get(INDEX).content.decode()  # roster: not day first
    assert 'id="id_history_dayfirst" checked' in staff_client.get(INDEX).content.decode()


def test_a_history_imported_without_the_step_uses_the_saved_mapping(
        association, gold, staff_client):
    _map_odd(staff_client)
    direct = b"Mailbox,Tier,Began,Finished\r\nkim@example.com,Gold,01/03/2022,28/02/2023\r\n"
    response = _upload(staff_client, direct, "direct.csv", dayfirst="on")
    assert response.status_code == 302  # without the mapping it would go to the step
    with scope(association=association):
        batch = HistoryBatch.objects.get(file_name="direct.csv")
    assert batch.options["columns"]["mailbox"] == "email"
    run_batch.call("memberships", batch.pk)
    with scope(association=association):
        batch.refresh_from_db()
        assert (batch.created, batch.rejected) == (1, 0)
        term = Term.objects.get(membership__person__email_key="kim@example.com")
        assert (str(term.starts_on), str(term.ends_on)) == ("2022-03-01", "2023-02-28")


def test_the_kinds_are_saved_apart_and_checked(association):
    with scope(association=association):
        import_mapping_save(association=association, kind="people",
                            columns={"Fav Colour": "ignore", "E-mail": "email"})
        import_mapping_save(association=association, kind="memberships",
                            columns={"Tier": "plan"}, dayfirst=True)
        import_mapping_save(association=association, kind="memberships",
                            columns={"Began": "starts_on"}, dayfirst=True)  # merged over
        assert import_mapping_columns(association=association, kind="people") == (
            {"favcolour": "ignore", "email": "email"}, False)
        assert import_mapping_columns(association=association, kind="memberships") == (
            {"tier": "plan", "began": "starts_on"}, True)
        assert ImportMapping.objects.count() == 2
        with pytest.raises(ValidationFailed, match="unknown field"):
            import_mapping_save(association=association, kind="memberships",
                                columns={"Tier": "custom.colour"})  # no custom fields there
        with pytest.raises(ValidationFailed):
            import_mapping_save(association=association, kind="events", columns={})


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_roster_mappings_saved_before_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("membership", "0010_bulk_rows_association_unchecked")])
    old = executor.loader.project_state([("membership", "0010_bulk_rows_association_unchecked")]).apps
    association = old.get_model("tenancy", "Association").objects.create(
        slug="before", name="Before", country="US", currency="USD")
    old.get_model("membership", "RosterMapping").objects.create(
        association=association, columns={"email": "email"}, dayfirst=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    with scopes_disabled():
        kept = ImportMapping.objects.get(association_id=association.pk)
    assert (kept.kind, kept.columns, kept.dayfirst) == ("people", {"email": "email"}, True)
