"""``commonground people duplicates`` and ``commonground people merge``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from commonground.people import services as ps
from commonground.people.models import Person


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def pair(association):
    with scope(association=association):
        a = ps.person_create(association=association, first_name="Ada", last_name="Lovelace",
                             phone="+14155550132")
        b = ps.person_create(association=association, first_name="Ada", last_name="Lovelace",
                             email="ada@example.org", phone="+14155550132")
        return a, b


def test_duplicates_lists_scored_pairs_with_reasons(pair):
    a, b = pair
    out, err = run("duplicates", "--association", "acme")
    assert f"{a.pk} Ada Lovelace" in out and "Same phone number; Same name" in out
    assert "1 possible duplicate pairs" in err
    out, _ = run("duplicates", "--association", "acme", "--json")
    row = json.loads(out)
    assert row["id"] == f"{a.pk}-{b.pk}" and row["score"] >= 70


def test_merge_from_the_command_line(pair, association):
    a, b = pair
    out, _ = run("merge", str(a.pk), str(b.pk), "--association", "acme", "--json")
    result = json.loads(out)
    assert result["removed_id"] == b.pk and result["person"]["email"] == "ada@example.org"
    assert result["fields_from_removed"] == ["email"]
    out, _ = run("merge", str(a.pk), str(b.pk), "--association", "acme")
    assert "already merged" in out
    with scope(association=association):
        assert not Person.objects.filter(pk=b.pk).exists()


def test_merge_refusals_are_command_errors(pair, other_association):
    a, b = pair
    with pytest.raises(CommandError, match="themselves"):
        run("merge", str(a.pk), str(a.pk), "--association", "acme")
    with pytest.raises(CommandError, match="keep or remove"):
        run("merge", str(a.pk), str(b.pk), "--association", "acme", "--field", "email=both")
    with pytest.raises(CommandError, match="expected FIELD"):
        run("merge", str(a.pk), str(b.pk), "--association", "acme", "--field", "email")
    with pytest.raises(CommandError, match="No person"):
        run("merge", str(a.pk), str(b.pk), "--association", "other")
    with pytest.raises(CommandError, match="No association"):
        run("duplicates", "--association", "nope")
