"""Idempotency keys for API writes.

A client sends ``Idempotency-Key: <unique string>`` with a POST/PATCH/DELETE. The first
successful response is stored (in the same database transaction as the write, so either
both land or neither does); a retry with the same key and the same request replays the
stored status and body with ``Idempotent-Replayed: true`` and writes nothing. The same key
with a different request is refused with 422.

Error responses are not stored: nothing was written, so a retry simply runs again.

Usage, below the route decorator::

    @router.post("/people")
    @idempotent
    def create_person(request, payload: PersonIn): ...
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja.decorators import decorate_view

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def fingerprint(request: HttpRequest) -> str:
    """Hash of who asked, the method, full path and body: what makes two requests "the same"."""
    h = hashlib.sha256()
    user_id = getattr(getattr(request, "user", None), "pk", None)
    for part in (str(user_id), request.method or "", request.get_full_path()):
        h.update(part.encode())
        h.update(b"\0")
    h.update(request.body)
    return h.hexdigest()


def _error(status: int, code: str, detail: str) -> HttpResponse:
    body = {"code": code, "detail": detail, "fields": {HEADER: [detail]}}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def _replay(record) -> HttpResponse:
    stored = record.response
    response = HttpResponse(stored.get("content", ""), status=record.status_code,
                            content_type=stored.get("content_type", "application/json"))
    response["Idempotent-Replayed"] = "true"
    return response


def _stored_content(response: HttpResponse, redact: tuple[str, ...]) -> str:
    content = response.content.decode()
    if not redact:
        return content
    # Secrets shown once (a new API token) are never kept in the replay store.
    data = json.loads(content)
    for name in redact:
        if isinstance(data, dict) and name in data:
            data[name] = None
    return json.dumps(data)


def _make_wrapper(redact: tuple[str, ...]):
    return lambda run: _wrap_run(run, redact)


def _wrap_run(run: Callable[..., HttpResponse], redact: tuple[str, ...] = ()
              ) -> Callable[..., HttpResponse]:
    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        association = getattr(request, "association", None)
        if key is None or association is None or request.method not in WRITE_METHODS:
            # No key: the write is still safe where the domain allows (see each service).
            # No association: the token is missing/invalid and run() answers 401.
            return run(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(422, "invalid_idempotency_key",
                          f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters")
        fp = fingerprint(request)

        def existing() -> HttpResponse | None:
            record = IdempotencyRecord.objects.filter(key=key).first()
            if record is None:
                return None
            if record.fingerprint != fp:
                return _error(422, "idempotency_key_reused",
                              f"This {HEADER} was already used for a different request; "
                              "use a new key for a new request")
            return _replay(record)

        try:
            with transaction.atomic():
                seen = existing()
                if seen is not None:
                    return seen
                response = run(request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        association=association, key=key, fingerprint=fp,
                        status_code=response.status_code,
                        response={"content": _stored_content(response, redact),
                                  "content_type": response.get("Content-Type",
                                                               "application/json")},
                    )
                else:
                    # An error response: make sure no partial write survives.
                    transaction.set_rollback(True)
                return response
        except IntegrityError:
            # A concurrent request with the same key committed first; our write was rolled
            # back with the failed insert, so answer with the winner's response.
            seen = existing()
            if seen is not None:
                return seen
            raise

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


def idempotent(func: Callable | None = None, *, redact: tuple[str, ...] = ()) -> Callable:
    """Make a ninja write operation honour ``Idempotency-Key`` (see module docstring).

    ``redact`` names top-level response fields never stored (replayed as null).
    """

    def apply(f: Callable) -> Callable:
        f.idempotent = True  # type: ignore[attr-defined]
        return decorate_view(_make_wrapper(tuple(redact)))(f)

    return apply(func) if func is not None else apply


def is_idempotent(operation) -> bool:
    return getattr(operation.run, "idempotent", False)
