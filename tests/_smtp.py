"""A real SMTP server on loopback for tests that send email (aiosmtpd).

``smtp_server`` (made available to every test by ``conftest``) switches Django to its SMTP
backend pointed at the server and yields it; ``smtp_server.messages`` holds what arrived
as ``email.message.EmailMessage`` objects, in order, and ``wait_for(n)`` waits until at
least ``n`` have arrived (delivery runs on the server's own thread). One server per test
process; each test starts with an empty inbox.

    def test_invite_emails(smtp_server, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            invite(...)
        msg = smtp_server.wait_for(1)[0]
        assert msg["To"] == "ann@example.org"
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.utils import DNS_NAME


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._cond = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self._cond:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, n: int, timeout: float = 5.0) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {n} message(s), got {len(self.messages)}")
                self._cond.wait(left)
            return list(self.messages)

    def clear(self) -> None:
        with self._cond:
            self.messages.clear()
            self.envelopes.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_controller():
    # Django's SMTP backend says EHLO with socket.getfqdn(), which can take seconds to
    # resolve on a CI box; the name does not matter on loopback.
    DNS_NAME._fqdn = "localhost"
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller, settings):
    controller, inbox = _smtp_controller
    inbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    inbox.clear()
