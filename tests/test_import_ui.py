"""The staff import page: upload, progress without JavaScript, summary and errors file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from commonground.core.batches.tasks import run_batch
from commonground.people.models import ImportBatch, Person


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


CSV = (b"First Name,Last Name,Email\r\nAda,Lovelace,ada@example.com\r\n"
       b"Bad,Row,not-an-email\r\n")


def test_upload_runs_as_a_task_with_progress_summary_and_errors(association, staff_client):
    index = reverse("import_index", kwargs={"association": "acme"})
    page = staff_client.get(index)
    assert page.status_code == 200
    assert b'<label for="id_file">' in page.content and b"<h1>Import people</h1>" in page.content
    response = staff_client.post(index, {"file": SimpleUploadedFile("roster.csv", CSV,
                                                                     "text/csv")})
    assert response.status_code == 302
    with scope(association=association):
        batch = ImportBatch.objects.get()
    detail = staff_client.get(response["Location"])
    assert detail.status_code == 200
    assert b'http-equiv="refresh"' in detail.content  # progress without JavaScript
    assert b"hx-trigger=\"every 1s\"" in detail.content  # live with HTMX
    assert b"Waiting for the task worker" in detail.content

    run_batch.call("people", batch.pk)  # what the worker does

    detail = staff_client.get(response["Location"])
    assert b"http-equiv" not in detail.content
    assert b"People created</dt><dd>1" in detail.content
    errors_url = reverse("import_errors", kwargs={"association": "acme", "batch_id": batch.pk})
    assert errors_url.encode() in detail.content
    download = staff_client.get(errors_url)
    body = b"".join(download.streaming_content).decode()
    assert "not-an-email" in body and ",3," in body
    progress = staff_client.get(reverse("import_progress", kwargs={"association": "acme",
                                                                   "batch_id": batch.pk}),
                                HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    assert b"roster.csv" in staff_client.get(index).content  # listed under past imports
    with scope(association=association):
        assert Person.objects.filter(email_key="ada@example.com").exists()


def test_a_file_that_is_not_a_roster_is_refused_with_a_message(association, staff_client):
    index = reverse("import_index", kwargs={"association": "acme"})
    response = staff_client.post(index, {"file": SimpleUploadedFile("notes.pdf", b"%PDF")})
    assert response.status_code == 400 and b"not a CSV or XLSX file" in response.content
    response = staff_client.post(index, {"file": SimpleUploadedFile("x.csv", b"Foo,Bar\n1,2\n")})
    assert response.status_code == 400 and b"no column matched" in response.content


def test_other_associations_cannot_see_an_import(association, other_association, staff_client):
    from commonground.membership.roster.services import import_prepare

    with scope(association=other_association):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.csv"
            path.write_bytes(CSV)
            batch, _ = import_prepare(association=other_association, path=path)
    url = reverse("import_detail", kwargs={"association": "acme", "batch_id": batch.pk})
    assert staff_client.get(url).status_code == 404
