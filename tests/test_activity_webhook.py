"""The signed webhook: good deliveries land, bad signatures, stale or replayed ones do not."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.activity.webhook import sign

URL = "/api/v1/hooks/activity/acme/newsletter"
ROW = {"Email Address": "jane@example.org", "Action": "open", "Timestamp": "2024-05-01 10:00:00"}


@pytest.fixture
def secret(association):
    with scope(association=association):
        return source_create(association=association, name="Newsletter", profile="email").webhook_secret


def _post(body: bytes, *, secret: str, stamp: int | None = None, signature: str | None = None):
    stamp = int(time.time()) if stamp is None else stamp
    headers = {"X-Commonground-Timestamp": str(stamp),
               "X-Commonground-Signature": signature or sign(secret, stamp, body)}
    return Client().post(URL, body, content_type="application/json", headers=headers)


def test_signed_delivery_lands_and_a_replay_adds_nothing(secret, association):
    body = json.dumps([ROW]).encode()
    stamp = int(time.time())
    first = _post(body, secret=secret, stamp=stamp)
    assert first.status_code == 200 and first.json()["created"] == 1
    replay = _post(body, secret=secret, stamp=stamp)
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    # A fresh signature of the same rows: a new delivery, but the rows are duplicates.
    again = _post(body, secret=secret, stamp=stamp + 1)
    assert again.json()["duplicates"] == 1
    with scope(association=association):
        assert Activity.objects.count() == 1


@pytest.mark.parametrize("case", ["bad_signature", "wrong_secret", "stale", "future", "no_stamp",
                                  "unknown_source"])
def test_bad_deliveries_are_401(secret, case, association):
    body = json.dumps(ROW).encode()
    now = int(time.time())
    if case == "bad_signature":
        response = _post(body, secret=secret, signature="sha256=" + "0" * 64)
    elif case == "wrong_secret":
        response = _post(body, secret="x" * 64)
    elif case == "stale":
        response = _post(body, secret=secret, stamp=now - 301)
    elif case == "future":
        response = _post(body, secret=secret, stamp=now + 301)
    elif case == "no_stamp":
        response = Client().post(URL, body, content_type="application/json",
                                 headers={"X-Commonground-Signature": sign(secret, now, body)})
    else:
        response = Client().post("/api/v1/hooks/activity/acme/nope", body,
                                 content_type="application/json")
    assert response.status_code == 401
    with scope(association=association):
        assert not Activity.objects.exists()


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"42", b'"x"', b"[]"])
def test_signed_garbage_is_4xx_never_500(secret, body):
    response = _post(body, secret=secret)
    assert 400 <= response.status_code < 500
    assert {"code", "detail", "fields"} <= set(response.json())
