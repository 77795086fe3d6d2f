"""The API request's association: resolved from its bearer token before any handler runs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_scopes import scope

from .selectors import api_token_authenticate
from .services import api_token_touch


class ApiScopeMiddleware:
    """Resolve the API token early and run the whole API request in its association's scope.

    Doing it here (not per handler) means no API handler can forget the scope.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        header = request.headers.get("authorization", "")
        kind, _, raw = header.partition(" ")
        token = api_token_authenticate(raw.strip()) if kind.lower() == "bearer" else None
        if token is None:
            return self.get_response(request)
        api_token_touch(token=token)
        request.api_token = token
        request.association = token.association
        request.user = token.user
        with scope(association=token.association):
            return self.get_response(request)
