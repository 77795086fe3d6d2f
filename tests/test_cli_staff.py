"""The staff and association commands, as a deployment script would use them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from _api_support import ApiClient
from commonground.tenancy.models import Association, StaffMember


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_association_create_is_idempotent(db):
    assert run("association", "create", "guild", "--name", "The Guild", "--country", "gb",
               "--currency", "gbp") == ["Association guild (The Guild) created"]
    assert run("association", "create", "guild", "--name", "The Guild")[-1].endswith("exists")
    guild = Association.objects.get(slug="guild")
    assert (guild.country.code, guild.currency) == ("GB", "GBP")
    with pytest.raises(CommandError, match="country"):
        run("association", "create", "x", "--name", "X", "--country", "ZZ")
    with pytest.raises(CommandError, match="slug"):
        run("association", "create", "Bad Slug", "--name", "X")


def test_staff_add_with_token_prints_a_working_token_last(association):
    lines = run("staff", "add", "Director@Example.org", "--association", association.slug,
                "--role", "membership", "--password", "s3cret-enough", "--token")
    token = lines[-1]
    assert token.startswith("cg_") and " " not in token
    api = ApiClient(token)
    response = api.post("/people", {"first_name": "Ada"})
    assert response.status_code == 201
    assert ApiClient(token).get("/people").json()["items"][0]["first_name"] == "Ada"
    # Adding a second role to the same user, then listing.
    run("staff", "add", "director@example.org", "--association", association.slug,
        "--role", "marketing")
    with scope(association=association):
        roles = sorted(StaffMember.objects.filter(user__email__iexact="director@example.org")
                       .values_list("role__key", flat=True))
    assert roles == ["marketing", "membership"]
    listing = run("staff", "list", "--association", association.slug)
    assert any(line.lower().startswith("director@example.org\tmembership") for line in listing)
    # Revoke by the prefix shown at creation.
    out = run("staff", "token", "revoke", "--association", association.slug, "--prefix", token[:10])
    assert "Revoked" in out[-1]
    assert api.get("/people").status_code == 401
    with pytest.raises(CommandError, match="No live token"):
        run("staff", "token", "revoke", "--association", association.slug, "--prefix", token[:10])


def test_staff_add_errors_are_clear(association):
    with pytest.raises(CommandError, match="No association 'nope'"):
        run("staff", "add", "a@example.org", "--association", "nope", "--role", "admin")
    with pytest.raises(CommandError, match="Unknown role 'wizard'"):
        run("staff", "add", "a@example.org", "--association", association.slug, "--role", "wizard")
    with pytest.raises(CommandError, match="email"):
        run("staff", "add", "not-an-email", "--association", association.slug, "--role", "admin")


def test_token_of_one_association_does_not_see_another(association, other_association):
    a = run("staff", "add", "a@example.org", "--association", association.slug, "--role",
            "admin", "--token")[-1]
    b = run("staff", "add", "b@example.org", "--association", other_association.slug, "--role",
            "admin", "--token")[-1]
    created = ApiClient(b).post("/people", {"first_name": "Other"}).json()
    assert ApiClient(a).get(f"/people/{created['id']}").status_code == 404
    assert ApiClient(a).get("/people").json()["items"] == []
