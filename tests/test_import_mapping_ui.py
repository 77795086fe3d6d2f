"""The Import page's mapping step: a preview of the first rows with a field per column,
the choices saved for the association's next file, the run using them (no JavaScript)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from commonground.core.batches.tasks import run_batch
from commonground.membership.models import ImportMapping
from commonground.people.models import ImportBatch, Person
from commonground.people.services import custom_field_define


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def colour(association):
    with scope(association=association):
        return custom_field_define(association=association, key="colour", label="Colour")


CSV = (b"Given,Surname,E-mail,Fav Colour,Notes\r\n"
       b"Ada,Lovelace,ada@example.com,teal,first\r\n"
       b"Grace,Hopper,grace@example.com,navy,second\r\n")


def _selected(html: str, index: int) -> str:
    select = re.search(rf'<select name="col-{index}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def _map(client, content=CSV, name="roster.csv"):
    index = reverse("import_index", kwargs={"association": "acme"})
    return client.post(index, {"file": SimpleUploadedFile(name, content, "text/csv"),
                               "action": "map"})


def test_the_mapping_step_previews_the_first_rows_with_the_detected_fields(
        association, colour, staff_client):
    page = staff_client.get(reverse("import_index", kwargs={"association": "acme"}))
    assert b'name="action" value="map"' in page.content  # the step is offered
    response = _map(staff_client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Map the columns of roster.csv</h1>" in html
    for cell in ("Ada", "Lovelace", "ada@example.com", "teal", "Grace", "navy"):
        assert f"<td>{cell}</td>" in html  # the first rows, as in the file
    assert "<th scope=\"col\">Line 2</th>" in html and "<th scope=\"col\">Line 3</th>" in html
    assert '<label for="col-2">E-mail</label>' in html
    assert _selected(html, 2) == "email"      # detected from the header
    assert _selected(html, 1) == "last_name"
    assert _selected(html, 3) == "ignore"     # unknown header: not imported unless chosen
    assert '<option value="custom.colour">Colour (custom field)</option>' in html
    with scope(association=association):
        assert not ImportBatch.objects.exists()  # nothing runs before the mapping is chosen


def test_running_with_the_chosen_mapping_imports_it_and_saves_it_for_the_next_file(
        association, colour, staff_client):
    html = _map(staff_client).content.decode()
    token = re.search(r'name="upload" value="([0-9a-f]+)"', html).group(1)
    response = staff_client.post(reverse("import_map", kwargs={"association": "acme"}), {
        "upload": token, "file_name": "roster.csv", "col-0": "first_name",
        "col-1": "last_name", "col-2": "email", "col-3": "custom.colour", "col-4": "ignore"})
    assert response.status_code == 302
    with scope(association=association):
        batch = ImportBatch.objects.get()
    assert response["Location"].endswith(f"/import/{batch.pk}/")
    assert b"Waiting for the task worker" in staff_client.get(response["Location"]).content

    run_batch.call("people", batch.pk)  # what the worker does

    detail = staff_client.get(response["Location"]).content.decode()
    assert "People created</dt><dd>2" in detail
    assert "Fav Colour → custom.colour" in detail
    with scope(association=association):
        ada = Person.objects.get(email_key="ada@example.com")
        assert (ada.first_name, ada.last_name, ada.custom) == ("Ada", "Lovelace",
                                                               {"colour": "teal"})
        saved = ImportMapping.objects.get(kind="people")
        assert saved.columns["favcolour"] == "custom.colour" and saved.columns["notes"] == "ignore"

    # The next file: the saved choices are pre-selected on the mapping step …
    again = _map(staff_client, b"E-mail,Fav Colour\r\nlin@example.com,red\r\n", "next.csv")
    html = again.content.decode()
    assert _selected(html, 1) == "custom.colour" and _selected(html, 0) == "email"
    # … and a file imported without the step uses them too.
    staff_client.post(reverse("import_index", kwargs={"association": "acme"}), {
        "file": SimpleUploadedFile("direct.csv", b"E-mail,Fav Colour\r\nkim@example.com,gold\r\n")})
    with scope(association=association):
        direct = ImportBatch.objects.get(file_name="direct.csv")
    run_batch.call("people", direct.pk)
    with scope(association=association):
        assert Person.objects.get(email_key="kim@example.com").custom == {"colour": "gold"}


def test_a_mapping_that_imports_nothing_is_refused_on_the_step(association, staff_client):
    html = _map(staff_client).content.decode()
    token = re.search(r'name="upload" value="([0-9a-f]+)"', html).group(1)
    response = staff_client.post(reverse("import_map", kwargs={"association": "acme"}), {
        "upload": token, "file_name": "roster.csv",
        **{f"col-{i}": "ignore" for i in range(5)}})
    assert response.status_code == 400
    assert b"no column matched" in response.content and b'role="alert"' in response.content
    assert _selected(response.content.decode(), 2) == "ignore"  # the choices are kept
    with scope(association=association):
        assert not ImportBatch.objects.exists() and not ImportMapping.objects.exists()


def test_another_associations_upload_is_not_reachable_by_its_token(
        association, other_association, staff_client):
    from commonground.core.batches.files import save_upload

    token, path = save_upload(SimpleUploadedFile("theirs.csv", CSV), owner=other_association.pk,
                              suffix=".csv")
    response = staff_client.post(reverse("import_map", kwargs={"association": "acme"}),
                                 {"upload": token, "file_name": "theirs.csv", "col-2": "email"})
    assert response.status_code == 302 and response["Location"].endswith("/import/")
    assert path.exists()  # untouched
    with scope(association=association):
        assert not ImportBatch.objects.exists()
