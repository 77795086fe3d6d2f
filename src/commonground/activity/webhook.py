"""The signed activity webhook: ``POST /api/v1/hooks/activity/{association}/{source}``.

The sender signs each delivery with the source's ``webhook_secret``::

    X-Commonground-Timestamp: <unix seconds>
    X-Commonground-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">

A delivery older (or newer) than 5 minutes is refused, signatures are compared in
constant time, and a delivery seen before (same timestamp and signature) is answered with
the first delivery's counts and ingests nothing. The body is a JSON array of row objects,
one row object, or ``{"rows": [...]}``, keyed like the source's files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from commonground.core.errors import ValidationFailed
from commonground.tenancy.models import Association

from .models import ActivityBatch, Source
from .services import activities_ingest_rows

TOLERANCE_S = 300
TIMESTAMP_HEADER = "X-Commonground-Timestamp"
SIGNATURE_HEADER = "X-Commonground-Signature"
_UNAUTHORISED = {"code": "unauthorised", "fields": {}}


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature header value for a delivery (what senders compute)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _refuse(detail: str) -> tuple[int, dict[str, Any]]:
    return 401, {**_UNAUTHORISED, "detail": detail}


def verify_and_ingest(*, association: Association, source_slug: str, headers: Mapping[str, str],
                      body: bytes, now: float | None = None) -> tuple[int, dict[str, Any]]:
    """Check the delivery and ingest it. Returns (HTTP status, JSON body)."""
    source = Source.objects.filter(slug=source_slug).first()
    # Unknown source and bad signature answer alike: the hook does not reveal what exists.
    if source is None or not source.webhook_secret:
        return _refuse("Invalid signature")
    stamp = (headers.get(TIMESTAMP_HEADER) or "").strip()
    given = (headers.get(SIGNATURE_HEADER) or "").strip()
    if not stamp.isdigit() or len(stamp) > 12:
        return _refuse(f"{TIMESTAMP_HEADER} must be unix seconds")
    if abs((now if now is not None else time.time()) - int(stamp)) > TOLERANCE_S:
        return _refuse("The delivery is outside the 5-minute window")
    expected = sign(source.webhook_secret, stamp, body)
    if not given.startswith("sha256="):
        given = "sha256=" + given
    if not hmac.compare_digest(expected.encode(), given.encode(errors="replace")):
        return _refuse("Invalid signature")
    delivery = hashlib.sha256(f"{stamp}.{expected}".encode()).hexdigest()
    seen = ActivityBatch.objects.filter(source=source, channel="webhook",
                                        file_sha256=delivery).first()
    if seen is not None:
        return 200, {**_counts(seen), "replayed": True}
    rows = _rows(body)
    batch = activities_ingest_rows(association=association, source=source, rows=rows,
                                   channel="webhook", delivery=delivery,
                                   reference=f"webhook {stamp}")
    return 200, {**_counts(batch), "replayed": False}


def _rows(body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("The body is not JSON", fields={"body": ["not JSON"]}) from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        return data["rows"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise ValidationFailed("Send row objects", fields={"body": ["expected an array of objects"]})


def _counts(batch: ActivityBatch) -> dict[str, Any]:
    return {"batch_id": batch.pk, "created": batch.created, "duplicates": batch.duplicates,
            "unmatched": batch.unmatched, "rejected": batch.rejected}
