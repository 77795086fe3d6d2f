"""Notices: stored for the portal, emailed over real SMTP once the write commits."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django_scopes import scope

from commonground.core.errors import ValidationFailed
from commonground.engagement import services
from commonground.engagement.models import Notice
from commonground.people import services as ps
from commonground.portal.services import portal_access_grant


@pytest.fixture
def ann(association):
    with scope(association=association):
        ann = ps.person_create(association=association, first_name="Ann", email="ann@example.org")
        user, _ = portal_access_grant(association=association, person=ann)
    ann.user = user
    return ann


def test_notice_is_emailed_after_commit(association, ann, smtp_server,
                                        django_capture_on_commit_callbacks):
    with scope(association=association), django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_send(association=association, person=ann,
                                      subject="You are invited", body="Speak at the spring "
                                      "conference?", url="/m/acme/notices/")
        assert smtp_server.messages == []  # nothing leaves before the commit
    msg = smtp_server.wait_for(1)[0]
    assert msg["To"] == "ann@example.org" and msg["Subject"] == "You are invited"
    text = msg.get_content()
    assert "spring conference" in text and "http://localhost:8000/m/acme/notices/" in text
    with scope(association=association):
        assert Notice.objects.get(pk=notice.pk).emailed_at is not None


def test_rolled_back_notice_sends_nothing(association, ann, smtp_server,
                                          django_capture_on_commit_callbacks):
    with scope(association=association), django_capture_on_commit_callbacks(execute=True) as cbs:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notice_send(association=association, person=ann, subject="Hi", body="")
            raise RuntimeError
        assert not Notice.objects.exists()
    assert cbs == [] and smtp_server.messages == []


def test_failed_smtp_keeps_the_portal_notice(association, ann, settings,
                                             django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with scope(association=association), django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_send(association=association, person=ann, subject="Hi", body="")
    with scope(association=association):
        assert Notice.objects.get(pk=notice.pk).emailed_at is None


@pytest.mark.parametrize("subject,url,field", [("", "", "subject"), ("a\nb", "", "subject"),
                                               ("x" * 201, "", "subject"),
                                               ("ok", "javascript:alert(1)", "url")])
def test_garbage_is_refused_with_field_messages(association, ann, subject, url, field):
    with scope(association=association), pytest.raises(ValidationFailed) as exc:
        services.notice_send(association=association, person=ann, subject=subject, body="",
                             url=url)
    assert field in exc.value.fields


def test_portal_notices_page_lists_and_marks_read(client, association, ann, other_association):
    with scope(association=association):
        services.notice_send(association=association, person=ann, subject="Welcome aboard",
                             body="Hello", email=False)
    client.force_login(ann.user)
    url = reverse("portal:notices", kwargs={"association": "acme"})
    body = client.get(url).content.decode()
    assert "Welcome aboard" in body and "Mark all 1 as read" in body
    assert client.post(url).status_code == 302
    assert "Mark all" not in client.get(url).content.decode()
    # Another association's portal is not this member's.
    assert client.get(reverse("portal:notices", kwargs={"association": "other"})).status_code == 404
