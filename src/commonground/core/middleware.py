from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError


class DomainErrorMiddleware:
    """Turns a DomainError escaping a view into a flash message and a redirect back."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DomainError) or request.path.startswith("/api/"):
            return None
        messages.error(request, exc.message)
        back = request.headers.get("referer") or ""
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = request.path
        return HttpResponseRedirect(back)
