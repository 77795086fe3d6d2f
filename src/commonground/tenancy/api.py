"""API tokens of the calling user, through the API itself."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from commonground.core.ids import MAX_ID
from commonground.core.pagination import Page, paginate
from commonground.tenancy.idempotency import idempotent

from . import services
from .models import ApiToken

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="First characters of the token, to recognise it")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str | None = Field(
        description="The token itself. Shown once: it is stored hashed. A replayed response "
                    "(same Idempotency-Key) has null here.")


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("API token", min_length=1, max_length=100, examples=["Website sync"])


def _mine(request):
    return ApiToken.objects.filter(user=request.user)


@router.get("/tokens", response=Page[TokenOut], summary="List my API tokens")
def list_tokens(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """The calling user's tokens in this association, revoked ones included."""
    return paginate(_mine(request), cursor=cursor, limit=limit)


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token")
@idempotent(redact=("token",))
def create_token(request, payload: TokenIn):
    raw = services.api_token_create(association=request.association, user=request.user,
                                    name=payload.name)
    token = ApiToken.objects.get(token_hash=ApiToken.hash(raw))
    token.token = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
@idempotent
def revoke_token(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    """Revoking a revoked token is a no-op. Another user's token is a 404."""
    if not _mine(request).filter(pk=token_id).exists():
        raise Http404("Not found")
    services.api_token_revoke(association=request.association, token_id=token_id,
                              actor=request.user)
    return Status(204, None)
