"""Open Badges: the 2.0 hosted Issuer, BadgeClass and Assertion (shape, content type,
revocation as 410, unknown as 404), and the 3.0 OpenBadgeCredential as a VC-JWT verified
with the issuer's published public key."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import jwt
import pytest
from django.conf import settings
from django_scopes import scope

from _recognition_support import member
from commonground.recognition import openbadges, services
from commonground.recognition.models import Issuer

OB2 = "https://w3id.org/openbadges/v2"


@pytest.fixture
def award(scoped):
    tiers = {t.slug: t for t in services.tiers_install_defaults(association=scoped)}
    ann = member(scoped, "Ann", email="Ann.Archer@Example.org")
    return services.award_issue(association=scoped, tier=tiers["leader"], person=ann,
                                narrative="Ran three chapter evenings")


def _get(client, path, **headers):
    response = client.get(path, headers=headers)
    return response, (json.loads(response.content) if response.content else None)


def _path(absolute: str) -> str:
    assert absolute.startswith(settings.SITE_URL.rstrip("/") + "/badges/acme/")
    return absolute.removeprefix(settings.SITE_URL.rstrip("/"))


def test_hosted_assertion_badgeclass_and_issuer_have_the_required_fields(client, award):
    path = f"/badges/acme/assertions/{award.uuid}"
    response, a = _get(client, path)  # no login: public
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert a["@context"] == OB2 and a["type"] == "Assertion"
    assert a["id"] == settings.SITE_URL.rstrip("/") + path
    assert a["verification"] == {"type": "hosted"}
    datetime.fromisoformat(a["issuedOn"])  # ISO 8601 with a zone designator
    assert a["issuedOn"].endswith("Z")
    recipient = a["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    expected = hashlib.sha256(("ann.archer@example.org" + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == f"sha256${expected}"
    assert "Ann" not in response.content.decode()  # nothing identifying in clear

    response, badge = _get(client, _path(a["badge"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    assert badge["type"] == "BadgeClass" and badge["id"] == a["badge"]
    for field in ("id", "type", "name", "description", "image", "criteria", "issuer"):
        assert badge[field], field
    assert "at least 5 verified contributions" in badge["criteria"]["narrative"]
    image = client.get(_path(badge["image"]))
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    assert b"<title" in image.content

    response, issuer = _get(client, _path(badge["issuer"]))
    assert issuer["type"] == "Issuer" and issuer["id"] == badge["issuer"]
    for field in ("id", "type", "name", "url", "email"):
        assert issuer[field], field
    assert issuer["name"] == "Acme Society"
    # Hosted verification: the assertion, its class and its issuer share one origin.
    assert a["id"].split("/badges/")[0] == issuer["id"].split("/badges/")[0]


def test_json_only_clients_get_application_json(client, award):
    response, _ = _get(client, f"/badges/acme/assertions/{award.uuid}", Accept="application/json")
    assert response["Content-Type"].startswith("application/json")


def test_revoked_is_410_with_the_reason_and_unknown_is_404(client, award, scoped):
    services.award_revoke(association=scoped, award=award, reason="Awarded in error")
    response, body = _get(client, f"/badges/acme/assertions/{award.uuid}")
    assert response.status_code == 410
    assert body["revoked"] is True and body["revocationReason"] == "Awarded in error"
    assert body["id"].endswith(str(award.uuid)) and "recipient" not in body
    for path in ("/badges/acme/assertions/00000000-0000-0000-0000-000000000000",
                 "/badges/acme/assertions/not-a-uuid", "/badges/acme/classes/nope",
                 "/badges/nobody/issuer", f"/badges/nobody/assertions/{award.uuid}"):
        response, _ = _get(client, path)
        assert response.status_code == 404, path
    assert client.post(f"/badges/acme/assertions/{award.uuid}").status_code == 405


def test_another_associations_assertion_is_unknown_here(client, award, other_association):
    response, _ = _get(client, f"/badges/other/assertions/{award.uuid}")
    assert response.status_code == 404


def test_ob3_credential_is_a_vc_jwt_the_published_key_verifies(client, award, scoped):
    issuer = services.issuer_get(association=scoped)
    token = openbadges.credential_jwt(award, issuer)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert "d" not in header["jwk"]
    # The verifier's way: dereference kid to the JWK Set, verify with that public key.
    keys = json.loads(client.get(_path(header["kid"].split("#")[0])).content)["keys"]
    assert [k["kid"] for k in keys] == [header["kid"].split("#")[1]]
    assert all("d" not in k for k in keys)
    public = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(token, public, algorithms=["EdDSA"])
    vc = claims["vc"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["iss"] == vc["issuer"]["id"] and claims["jti"] == vc["id"]
    assert claims["sub"] == vc["credentialSubject"]["id"]
    assert datetime.fromtimestamp(claims["nbf"], UTC) == datetime.fromisoformat(vc["validFrom"])
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == award.identity_hash
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Leader"
    assert achievement["criteria"]["narrative"]
    # Tampering or another key fails.
    other = services.issuer_get(association=scoped)
    assert other.key_id == issuer.key_id  # one key, generated once
    head, body, sig = token.split(".")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{body[:-2]}AA.{sig}", public, algorithms=["EdDSA"])
    profile = json.loads(client.get(_path(vc["issuer"]["id"])).content)
    assert profile["type"] == ["Profile"] and profile["name"] == "Acme Society"


def test_private_key_is_never_published(client, award, scoped):
    body = client.get("/badges/acme/keys").content.decode() + \
        client.get("/badges/acme/issuer").content.decode()
    issuer = Issuer.objects.get()
    assert issuer.private_key_pem and "PRIVATE" not in body and '"d"' not in body


def test_issuer_settings_change_the_published_profile(scoped, award):
    with pytest.raises(Exception) as exc:
        services.issuer_save(association=scoped, email="nope")
    assert "email" in exc.value.fields
    services.issuer_save(association=scoped, email="badges@acme.example.org",
                         url="https://acme.example.org", origin="https://badges.acme.example.org/")
    issuer = services.issuer_get(association=scoped)
    doc = openbadges.assertion(award, issuer)
    assert doc["id"].startswith("https://badges.acme.example.org/badges/acme/assertions/")
    profile = openbadges.issuer_profile(issuer)
    assert profile["email"] == "badges@acme.example.org"
    assert profile["url"] == "https://acme.example.org"


def test_one_association_cannot_read_anothers_issuer(association, other_association):
    with scope(association=association):
        a = services.issuer_get(association=association)
    with scope(association=other_association):
        b = services.issuer_get(association=other_association)
    assert a.key_id != b.key_id
