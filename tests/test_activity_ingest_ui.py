"""Staff pages for sources: create from a profile, preview a mapping, upload, rejects."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from commonground.activity.models import Activity, ActivityBatch, ActivityReject, Source
from commonground.activity.services import batch_run

CSV = (b"Email Address,Action,Timestamp\n"
       b"jane@example.org,open,2024-05-01 10:00:00\n"
       b"jane@example.org,dance,2024-05-01 10:00:00\n")


def _url(name, association, **kw):
    return reverse(name, kwargs={"association": association.slug, **kw})


def test_create_preview_upload_and_rejects(staff_client, association, django_capture_on_commit_callbacks):
    page = staff_client.get(_url("source_list", association))
    assert page.status_code == 200 and b"Add a source" in page.content
    response = staff_client.post(_url("source_list", association),
                                 {"name": "Newsletter", "profile": "email"}, follow=True)
    assert b"Webhook secret (shown once" in response.content
    with scope(association=association):
        source = Source.objects.get()
    detail = _url("source_detail", association, source_id=source.pk)
    mapping = staff_client.get(detail).context["mapping_text"]
    preview = staff_client.post(detail, {"mapping": mapping, "action": "preview",
                                         "sample": SimpleUploadedFile("s.csv", CSV)})
    assert preview.status_code == 200
    assert b"email_open" in preview.content and b"is not a kind" in preview.content
    bad = staff_client.post(detail, {"mapping": "timezone = 'Mars/Base'", "action": "save"})
    assert bad.status_code == 422 and b"unknown time zone" in bad.content
    with django_capture_on_commit_callbacks(execute=False):
        upload = staff_client.post(_url("source_upload", association, source_id=source.pk),
                                   {"file": SimpleUploadedFile("may.csv", CSV)})
    with scope(association=association):
        batch = ActivityBatch.objects.get()
    assert upload.url.endswith(f"/batches/{batch.pk}/")
    assert b"Waiting for the task worker" in staff_client.get(upload.url).content
    batch_run(batch_id=batch.pk)  # what the worker does
    done = staff_client.get(upload.url)
    assert b"Download the rejected rows" in done.content
    errors = staff_client.get(_url("batch_errors", association, activity_batch_id=batch.pk))
    assert b"dance" in errors.content
    rejects = _url("reject_list", association, source_id=source.pk)
    assert b"is not a kind" in staff_client.get(rejects).content
    staff_client.post(rejects, {"action": "dismiss"})
    with scope(association=association):
        assert Activity.objects.count() == 1
        assert ActivityReject.objects.get().status == "dismissed"
    assert staff_client.get(_url("batch_list", association)).status_code == 200
