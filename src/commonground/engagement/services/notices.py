"""Notices: a message to a member in the portal, emailed once the write commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from commonground.core.errors import ValidationFailed
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import Notice
from .common import check_person, clean_text, raise_if

log = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return settings.SITE_URL.rstrip("/") + url


def _email(notice_id: int, association_name: str, to: str, subject: str, body: str,
           url: str) -> None:
    """Runs after the commit: a failed send must not undo the notice (it stays in the
    portal), so it is logged, and ``emailed_at`` stays empty."""
    text = body + (f"\n\n{_absolute(url)}" if url else "")
    text += f"\n\n— {association_name}\n"
    try:
        EmailMessage(subject=subject, body=text, to=[to]).send()
    except Exception:  # noqa: BLE001 — any backend failure: the portal copy remains
        log.exception("notice %s: email to %s failed", notice_id, to)
        return
    with scopes_disabled():
        Notice.objects.filter(pk=notice_id).update(emailed_at=timezone.now())


@transaction.atomic
def notice_send(*, association: Association, person: Person, subject: str, body: str,
                url: str = "", email: bool = True) -> Notice:
    """Store a portal notice for ``person`` and email it to them once the transaction
    commits (nothing is sent if it rolls back). People without an email address get the
    portal notice only."""
    errors: dict[str, list[str]] = {}
    check_person(person, association=association, field="person", errors=errors)
    subject = clean_text(subject, field="subject", errors=errors, max_length=200)
    body = clean_text(body, field="body", errors=errors, max_length=20000, required=False)
    url = clean_text(url, field="url", errors=errors, max_length=300, required=False)
    if url and not (url.startswith("/") or url.startswith("https://")
                    or url.startswith("http://")):
        errors.setdefault("url", []).append("a path starting with / or an http(s) URL")
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append("one line")
    raise_if(errors)
    notice = Notice.objects.create(association=association, person=person, subject=subject,
                                   body=body, url=url)
    audit.record(association=association, action="notice.sent", obj=notice,
                 data={"person": person.pk, "subject": subject})
    if email and person.email:
        transaction.on_commit(lambda: _email(notice.pk, association.name, person.email,
                                             subject, body, url))
    return notice


@transaction.atomic
def notices_mark_read(*, association: Association, person: Person,
                      notice_ids: list[int] | None = None) -> int:
    """Mark the person's notices read (all unread ones when ``notice_ids`` is None)."""
    if person.association_id != association.pk:
        raise ValidationFailed("No such person", fields={"person": ["no such person"]})
    qs = Notice.objects.filter(person=person, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=notice_ids)
    return qs.update(read_at=timezone.now())
