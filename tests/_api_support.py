"""Helpers for the API tests: a JSON client holding a Bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django_scopes import scope

from commonground.tenancy.services import api_token_create, staff_add


class ApiClient:
    """Thin JSON wrapper over Django's test client, like a real HTTP client would send."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, raw: str | bytes | None = None,
             headers=None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.generic(method, f"/api/v1{path}", data,
                                   content_type="application/json", headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **kw):
        return self.send("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw):
        return self.send("PATCH", path, body, **kw)

    def delete(self, path: str, **kw):
        return self.send("DELETE", path, None, **kw)


def make_token(association, email: str = "api@acme.example.org", role: str = "membership") -> str:
    staff = staff_add(association=association, email=email, role_key=role)
    with scope(association=association):
        return api_token_create(association=association, user=staff.user, name="tests")


def walk(api: ApiClient, path: str, params: dict[str, Any] | None = None, limit: int = 7
         ) -> list[dict]:
    """Follow next_cursor to the end; return every item."""
    items: list[dict] = []
    params = dict(params or {})
    cursor = params.pop("cursor", None)
    for _ in range(10_000):
        query = {**params, "limit": limit}
        if cursor:
            query["cursor"] = cursor
        response = api.get(path, query)
        assert response.status_code == 200, response.content
        page = response.json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")
