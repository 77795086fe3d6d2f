"""API token authentication for django-ninja: the bearer token names its association."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .models import StaffMember


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cg_…``. The token names the association it acts for."""

    def authenticate(self, request: HttpRequest, token: str):
        # ApiScopeMiddleware already resolved the token and opened the scope.
        api_token = getattr(request, "api_token", None)
        if api_token is None:
            return None
        # A token dies with its owner's last role: someone removed from the staff is out.
        if not StaffMember.objects.filter(user_id=api_token.user_id).exists():
            return None
        return api_token
