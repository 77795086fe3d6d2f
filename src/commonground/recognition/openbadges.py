"""Open Badges documents: 2.0 (Issuer Profile, BadgeClass, hosted Assertion, as JSON-LD)
and 3.0 (an OpenBadgeCredential signed as a VC-JWT with the association's Ed25519 key).

Every id is an absolute URL on the issuer's public origin (``Issuer.origin`` or the
deployment's ``SITE_URL``), served without login by ``views_public``: hosted
verification fetches the assertion's id and checks it shares the issuer's origin.
"""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.urls import reverse

from .models import Award, Issuer, Tier

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_CONTEXT = ["https://www.w3.org/ns/credentials/v2",
               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def origin(issuer: Issuer) -> str:
    return (issuer.origin or settings.SITE_URL).rstrip("/")


def url(issuer: Issuer, name: str, **kwargs: Any) -> str:
    slug = issuer.association.slug
    return origin(issuer) + reverse(name, kwargs={"association": slug, **kwargs})


def _iso(value) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- Open Badges 2.0

def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    association = issuer.association
    doc = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": url(issuer, "badge_issuer"),
        "name": association.name,
        "url": issuer.url or url(issuer, "recognition_public"),
        "email": issuer.email or settings.DEFAULT_FROM_EMAIL,
    }
    if issuer.description:
        doc["description"] = issuer.description
    return doc


def criteria_text(tier: Tier, issuer: Issuer) -> str:
    return tier.criteria_text.replace("{association}", issuer.association.name)


def badge_class(tier: Tier, issuer: Issuer) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": url(issuer, "badge_class", slug=tier.slug),
        "name": tier.name,
        "description": tier.description,
        "image": url(issuer, "badge_class_image", slug=tier.slug),
        "criteria": {"narrative": criteria_text(tier, issuer)},
        "issuer": url(issuer, "badge_issuer"),
    }


def assertion(award: Award, issuer: Issuer) -> dict[str, Any]:
    """The hosted Assertion; a revoked one is only its id, ``revoked`` and the reason (the
    spec lets an issuer strip it so, and serves it with 410 Gone)."""
    aid = url(issuer, "badge_assertion", uuid=str(award.uuid))
    if award.revoked_at:
        return {"@context": OB2_CONTEXT, "type": "Assertion", "id": aid, "revoked": True,
                "revocationReason": award.revocation_reason}
    doc = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": aid,
        "recipient": {"type": "email", "hashed": True, "salt": award.salt,
                      "identity": award.identity_hash},
        "badge": url(issuer, "badge_class", slug=award.tier.slug),
        "verification": {"type": "hosted"},
        "issuedOn": _iso(award.issued_at),
    }
    if award.narrative:
        doc["narrative"] = award.narrative
    return doc


def badge_image_svg(tier: Tier) -> str:
    """A simple round badge with the tier's name: an SVG with a title for screen readers."""
    name = escape(tier.name)
    initial = escape(tier.name[:1].upper())
    colour = escape(tier.colour)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200"'
        f' role="img" aria-labelledby="t"><title id="t">{name} badge</title>'
        f'<circle cx="100" cy="100" r="94" fill="{colour}"/>'
        '<circle cx="100" cy="100" r="80" fill="none" stroke="#fff" stroke-width="4"/>'
        f'<text x="100" y="112" font-family="sans-serif" font-size="64" font-weight="bold"'
        f' fill="#fff" text-anchor="middle">{initial}</text>'
        f'<text x="100" y="150" font-family="sans-serif" font-size="16" fill="#fff"'
        f' text-anchor="middle">{name[:18]}</text></svg>')


# ---------------------------------------------------------------- Open Badges 3.0

def public_jwk(issuer: Issuer) -> dict[str, str]:
    """The published key: never the private part ("d")."""
    return {k: v for k, v in issuer.public_jwk.items() if k != "d"}


def key_url(issuer: Issuer) -> str:
    return url(issuer, "badge_keys") + f"#{issuer.key_id}"


def profile_v3(issuer: Issuer) -> dict[str, Any]:
    return {
        "@context": OB3_CONTEXT,
        "id": url(issuer, "badge_issuer_v3"),
        "type": ["Profile"],
        "name": issuer.association.name,
        "url": issuer.url or url(issuer, "recognition_public"),
        "email": issuer.email or settings.DEFAULT_FROM_EMAIL,
    }


def credential(award: Award, issuer: Issuer) -> dict[str, Any]:
    """The OpenBadgeCredential: the achievement (the tier) under ``credentialSubject``,
    the recipient identified by the same salted email hash as the 2.0 assertion."""
    tier = award.tier
    subject_id = f"urn:uuid:{uuid.uuid5(award.uuid, 'recipient')}"
    return {
        "@context": OB3_CONTEXT,
        "id": f"urn:uuid:{award.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {k: v for k, v in profile_v3(issuer).items() if k != "@context"},
        "validFrom": _iso(award.issued_at),
        "name": tier.name,
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
                            "hashed": True, "identityHash": award.identity_hash,
                            "salt": award.salt}],
            "achievement": {
                "id": url(issuer, "badge_class", slug=tier.slug),
                "type": ["Achievement"],
                "name": tier.name,
                "description": tier.description,
                "criteria": {"narrative": criteria_text(tier, issuer)},
                "image": {"id": url(issuer, "badge_class_image", slug=tier.slug),
                          "type": "Image"},
            },
        },
    }


def credential_jwt(award: Award, issuer: Issuer) -> str:
    """The credential as a VC-JWT: EdDSA over the JOSE header (alg, typ, kid → the
    published JWK, jwk) and the claims iss/jti/nbf/sub/vc the 3.0 spec asks for."""
    vc = credential(award, issuer)
    key = serialization.load_pem_private_key(issuer.private_key_pem.encode(), password=None)
    claims = {"iss": vc["issuer"]["id"], "jti": vc["id"], "sub": vc["credentialSubject"]["id"],
              "nbf": int(award.issued_at.timestamp()), "vc": vc}
    return jwt.encode(claims, key, algorithm="EdDSA",
                      headers={"kid": key_url(issuer), "jwk": public_jwk(issuer), "typ": "JWT"})


def jwks(issuer: Issuer) -> dict[str, Any]:
    return {"keys": [public_jwk(issuer)]}
