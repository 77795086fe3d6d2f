"""The association as a badge issuer: its profile (contact email, homepage, public
origin) and its Ed25519 signing key, generated on first use."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import Issuer
from .common import clean_text, fail


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_key() -> tuple[str, dict[str, str], str]:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    # RFC 7638 thumbprint: the key's id, the same wherever the key is published.
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    kid = b64url(hashlib.sha256(canonical).digest())
    return pem, {**jwk, "kid": kid, "use": "sig", "alg": "EdDSA"}, kid


@transaction.atomic
def issuer_get(*, association: Association) -> Issuer:
    """The association's issuer row with a signing key, created on first use."""
    issuer = Issuer.objects.select_for_update().filter(association=association).first()
    if issuer is None:
        issuer = Issuer(association=association, email=settings.DEFAULT_FROM_EMAIL)
    if not issuer.private_key_pem:
        issuer.private_key_pem, issuer.public_jwk, issuer.key_id = _new_key()
        issuer.save()
        audit.record(association=association, action="issuer.key_generated", obj=issuer,
                     data={"kid": issuer.key_id})
    return issuer


def _url(value: Any, field: str) -> str:
    value = clean_text(value, field=field, max_length=200)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except DjangoValidationError:
            raise fail(**{field: "a full http(s) address"}) from None
    return value.rstrip("/")


@transaction.atomic
def issuer_save(*, association: Association, email: str, url: str = "", origin: str = "",
                description: str = "", actor=None) -> Issuer:
    """The issuer profile badges publish. Open Badges 2.0 requires a contact email."""
    email = clean_text(email, field="email", max_length=254, required=True)
    try:
        validate_email(email)
    except DjangoValidationError:
        raise fail(email="not an email address") from None
    issuer = issuer_get(association=association)
    issuer.email = email
    issuer.url = _url(url, "url")
    issuer.origin = _url(origin, "origin")
    issuer.description = clean_text(description, field="description", max_length=300)
    issuer.save()
    audit.record(association=association, action="issuer.changed", obj=issuer, actor=actor,
                 data={"email": email, "url": issuer.url, "origin": issuer.origin})
    return issuer
