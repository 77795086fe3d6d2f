"""The staff inbox: a message to staff users in the app, emailed over SMTP once the write
commits (circulated minutes, an action item assigned, a decision waiting for a side)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from commonground.core.errors import ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association, StaffMember

from ..models import InboxMessage
from .meetings_common import clean_text, raise_if

log = logging.getLogger(__name__)

MAX_SUBJECT, MAX_BODY, MAX_URL, MAX_KIND = 200, 50_000, 300, 30


def _absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return settings.SITE_URL.rstrip("/") + url


def _email_all(association_name: str, outgoing: list[tuple[int, str, str, str, str]]) -> None:
    """Runs after the commit, one SMTP connection for all of them. A failed send must not
    undo the inbox copy, so it is logged and that message's ``emailed_at`` stays empty;
    the others still go."""
    sent: list[int] = []
    try:
        connection = get_connection()
        connection.open()
    except Exception:  # noqa: BLE001 — any backend failure: the inbox copies remain
        log.exception("inbox: could not connect to send %d email(s)", len(outgoing))
        return
    try:
        for message_id, to, subject, body, url in outgoing:
            text = body + (f"\n\n{_absolute(url)}" if url else "")
            text += f"\n\n— {association_name}\n"
            try:
                EmailMessage(subject=subject, body=text, to=[to],
                             connection=connection).send()
            except Exception:  # noqa: BLE001 — log and go on with the next recipient
                log.exception("inbox message %s: email to %s failed", message_id, to)
                continue
            sent.append(message_id)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 — closing a broken connection is not news
            log.debug("inbox: closing the SMTP connection failed", exc_info=True)
    if sent:
        with scopes_disabled():
            InboxMessage.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


@transaction.atomic
def inbox_send(*, association: Association, users: Iterable, subject: str, body: str = "",
               url: str = "", kind: str = "", email: bool = True) -> list[InboxMessage]:
    """Put a message in each user's staff inbox and email it to those with an address once
    the transaction commits (nothing leaves if it rolls back). ``users`` are users or user
    ids, each of them staff of the association; a user named twice gets one message."""
    errors: dict[str, list[str]] = {}
    subject = clean_text(subject, field="subject", errors=errors, max_length=MAX_SUBJECT)
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append("one line")
    body = clean_text(body, field="body", errors=errors, max_length=MAX_BODY, required=False)
    url = clean_text(url, field="url", errors=errors, max_length=MAX_URL, required=False)
    if url and not url.startswith(("/", "https://", "http://")):
        errors.setdefault("url", []).append("a path starting with / or an http(s) URL")
    kind = clean_text(kind, field="kind", errors=errors, max_length=MAX_KIND, required=False)
    ids = list(dict.fromkeys(getattr(u, "pk", u) for u in users))
    if not ids:
        errors.setdefault("users", []).append("name at least one recipient")
    elif not all(isinstance(i, int) for i in ids):
        errors.setdefault("users", []).append("users or user ids")
    raise_if(errors)
    staff_ids = set(StaffMember.objects.filter(association=association, user_id__in=ids)
                    .values_list("user_id", flat=True))
    if missing := [i for i in ids if i not in staff_ids]:
        raise ValidationFailed("Messages go to the association's staff only",
                               fields={"users": [f"user {i} is not staff here" for i in missing]})
    messages = InboxMessage.objects.bulk_create(
        [InboxMessage(association=association, user_id=i, subject=subject, body=body, url=url,
                      kind=kind) for i in ids])
    audit.record_many(association=association, action="inbox.sent",
                      objects=(("inboxmessage", m.pk, {"user": m.user_id, "kind": kind})
                               for m in messages))
    if email:
        addresses = dict(get_user_model().objects.filter(pk__in=ids)
                         .exclude(email="").values_list("pk", "email"))
        outgoing = [(m.pk, addresses[m.user_id], subject, body, url)
                    for m in messages if m.user_id in addresses]
        if outgoing:
            name = association.name
            transaction.on_commit(lambda: _email_all(name, outgoing))
    return messages


@transaction.atomic
def inbox_mark_read(*, association: Association, user, message_ids: list[int] | None = None
                    ) -> int:
    """Mark the user's unread messages read (all of them when ``message_ids`` is None).
    Not audited: reading one's own inbox changes nothing anyone else relies on."""
    qs = InboxMessage.objects.filter(association=association, user=user, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    return qs.update(read_at=timezone.now())
