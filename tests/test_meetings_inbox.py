"""The staff inbox and circulation: messages stored in the app and emailed over a real
SMTP server on loopback once the write commits; a failed send keeps the inbox copy."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_scopes import scope

from _meetings_support import build_world, schedule
from commonground.core.errors import ValidationFailed
from commonground.negotiation import services
from commonground.negotiation.models import InboxMessage


@pytest.fixture
def w(association):
    with scope(association=association):
        yield build_world(association)


def test_inbox_send_emails_after_commit(w, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.inbox_send(association=w.association, users=[w.mission, w.business.pk,
                                                                     w.mission],
                                   subject="Decision waiting for your side", body="Please sign.",
                                   url="/a/acme/decisions/1/", kind="decision.waiting")
        assert len(sent) == 2 and smtp_server.messages == []
    msgs = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in msgs) == ["community@acme.example.org",
                                             "marketing@acme.example.org"]
    assert "Please sign." in msgs[0].get_content()
    assert "http://localhost:8000/a/acme/decisions/1/" in msgs[0].get_content()
    assert InboxMessage.objects.filter(emailed_at__isnull=False).count() == 2


def test_rolled_back_sends_nothing(w, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as cbs, \
            pytest.raises(RuntimeError), transaction.atomic():
        services.inbox_send(association=w.association, users=[w.mission], subject="Hi")
        raise RuntimeError
    assert cbs == [] and smtp_server.messages == [] and not InboxMessage.objects.exists()


@pytest.mark.parametrize("kwargs,field", [
    ({"subject": ""}, "subject"), ({"subject": "a\nb"}, "subject"),
    ({"url": "javascript:alert(1)"}, "url"), ({"users": []}, "users")])
def test_bad_messages_are_refused(w, kwargs, field):
    args = {"association": w.association, "users": [w.mission], "subject": "Hi", **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        services.inbox_send(**args)
    assert field in exc.value.fields


def test_only_staff_get_messages(w, association, other_association):
    with scope(association=other_association):
        from commonground.tenancy.services import staff_add
        stranger = staff_add(association=other_association, email="x@other.example.org",
                             role_key="community").user
    with scope(association=association), pytest.raises(ValidationFailed) as exc:
        services.inbox_send(association=association, users=[stranger], subject="Hi")
    assert "users" in exc.value.fields


def test_minutes_circulated_by_email_to_everyone_concerned(
        w, smtp_server, django_capture_on_commit_callbacks):
    meeting = schedule(w, days=-1)
    services.agenda_draft(association=w.association, meeting=meeting, today=w.today,
                          actor=w.business)  # drafts the off-pace objective (volunteers owns)
    services.action_item_add(association=w.association, title="Draft the course price",
                             owner=w.admin, due_on=w.today, meeting=meeting, actor=w.admin)
    services.minutes_record(association=w.association, meeting=meeting,
                            minutes="The sides disagreed on the course price.",
                            actor=w.business)
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_circulate(association=w.association, meeting=meeting,
                                          actor=w.business) == 4
    msgs = smtp_server.wait_for(4)
    assert sorted(m["To"] for m in msgs) == sorted(
        f"{n}@acme.example.org" for n in ("community", "marketing", "volunteers", "admin"))
    text = msgs[0].get_content()
    assert "The sides disagreed on the course price." in text
    assert "Draft the course price" in text and "Volunteers engaged" in text
    assert f"/a/acme/meetings/{meeting.pk}/" in text
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_circulate(association=w.association, meeting=meeting,
                                          actor=w.business) == 0
    assert len(smtp_server.messages) == 4


def test_a_failed_send_keeps_the_inbox_copy(w, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with django_capture_on_commit_callbacks(execute=True):
        services.inbox_send(association=w.association, users=[w.mission], subject="Hi")
    message = InboxMessage.objects.get()
    assert message.emailed_at is None and message.read_at is None
    assert services.inbox_mark_read(association=w.association, user=w.mission) == 1

