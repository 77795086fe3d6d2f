"""The HTTP API under /api/v1: django-ninja, token auth, one error format."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from commonground.core.errors import DomainError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cg_…``. The token names the association it acts for."""

    def authenticate(self, request: HttpRequest, token: str):
        # ApiScopeMiddleware already resolved the token and opened the scope.
        return getattr(request, "api_token", None)


api = NinjaAPI(
    title="commonground API",
    version="1",
    description="Association management: people, organisations, plans, memberships, payments.",
    auth=TokenAuth(),
    urls_namespace="api-1",
)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(err.get("msg", "invalid"))
    return fields


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    body = {"code": "validation_failed", "detail": "Invalid input", "fields": _field_errors(exc)}
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "detail": "Not found",
                                         "fields": {}}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    return api.create_response(request, {"code": "unauthorised",
                                         "detail": "A valid API token is required",
                                         "fields": {}}, status=401)
