"""The duplicates finder: which pairs it proposes, why, and that dismissals stick."""

from __future__ import annotations

import polars as pl
import pytest

from commonground.people import services as ps
from commonground.people.duplicates import (
    canonical_email,
    duplicate_candidates,
    find_candidates,
    name_key,
)
from commonground.people.models import DuplicateDismissal
from commonground.people.services.duplicates import duplicate_dismiss, duplicate_restore
from commonground.tenancy.models import AuditEntry


def person(a, **kw):
    return ps.person_create(association=a, **kw)


def pairs(a) -> dict[tuple[int, int], list[str]]:
    return {(c.a, c.b): c.codes for c in find_candidates(a)}


def pair(p, q) -> tuple[int, int]:
    return tuple(sorted((p.pk, q.pk)))


@pytest.mark.parametrize(("email", "mailbox"), [
    ("ada.lovelace+news@gmail.com", "adalovelace@gmail.com"),
    ("a.d.a.lovelace@googlemail.com", "adalovelace@gmail.com"),
    ("ada.lovelace+x@outlook.com", "ada.lovelace@outlook.com"),
    ("ada.lovelace+x@example.org", "ada.lovelace+x@example.org"),  # unknown rules: as is
    ("", ""),
])
def test_canonical_email_applies_only_the_providers_own_rules(email, mailbox):
    df = pl.DataFrame({"email_key": [email]})
    assert df.select(canonical_email()).item() == mailbox


def test_name_key_ignores_case_accents_punctuation_and_order():
    df = pl.DataFrame({"first_name": ["  José-María ", "o'brien"],
                       "last_name": ["O'Brien", "Jose Maria"]})
    assert df.select(name_key()).to_series().to_list() == ["brien jose maria o"] * 2


def test_finder_reasons(scoped):
    a = scoped
    org = ps.organisation_create(association=a, name="Analytical Engines")
    gmail1 = person(a, first_name="Ada", last_name="Lovelace", email="ada.lovelace@gmail.com")
    gmail2 = person(a, first_name="Ada", last_name="King", email="AdaLovelace+club@gmail.com")
    # Dots matter at other providers: not the same mailbox.
    other1 = person(a, first_name="Bo", last_name="Diddley", email="bo.d@example.org")
    other2 = person(a, first_name="Cy", last_name="Young", email="bod@example.org")
    phone1 = person(a, first_name="Dee", last_name="Dee", phone="+14155550100")
    phone2 = person(a, first_name="D.", last_name="Dee", phone="(415) 555-0100", country="US")
    postal1 = person(a, first_name="Émile", last_name="Zola", postal_code="94103", city="SF",
                     region="CA", country="US")
    postal2 = person(a, first_name="emile", last_name="ZOLA", postal_code="94103", country="US")
    org1 = person(a, first_name="Grace", last_name="Hopper")
    org2 = person(a, first_name="Grace", last_name="Hopper", email="grace@example.org")
    for p in (org1, org2):
        ps.relationship_add(association=a, person=p, organisation=org)
    fuzzy1 = person(a, first_name="Jon", last_name="Smithson", postal_code="10001", country="US")
    fuzzy2 = person(a, first_name="John", last_name="Smithson", postal_code="10001", country="US")
    # Same name alone, nothing else shared: not proposed.
    alone1 = person(a, first_name="Alan", last_name="Turing", postal_code="10002", country="US")
    alone2 = person(a, first_name="Alan", last_name="Turing", postal_code="20002", country="US")

    found = pairs(a)
    assert "email" in found[pair(gmail1, gmail2)]
    assert pair(other1, other2) not in found
    assert found[pair(phone1, phone2)][0] == "phone"
    assert "name_postal" in found[pair(postal1, postal2)]
    assert "name_org" in found[pair(org1, org2)]
    assert found[pair(fuzzy1, fuzzy2)] == ["similar_postal"]
    assert pair(alone1, alone2) not in found
    by_pair = {(c.a, c.b): c for c in find_candidates(a)}
    # Scores rank stronger evidence higher and every pair says why, in words.
    assert by_pair[pair(gmail1, gmail2)].score > by_pair[pair(fuzzy1, fuzzy2)].score
    assert by_pair[pair(fuzzy1, fuzzy2)].reasons == [
        f"Similar names ({by_pair[pair(fuzzy1, fuzzy2)].similarity}%) and the same postal code"]
    ranked = [c.score for c in find_candidates(a)]
    assert ranked == sorted(ranked, reverse=True)


def test_shared_switchboard_numbers_are_not_proposed(scoped):
    from commonground.people import duplicates

    settings_cap = duplicates.EXACT_CAP
    people = [person(scoped, first_name=f"P{i}", last_name=f"Q{i}", phone="+14155550100")
              for i in range(settings_cap + 1)]
    assert not any(set((c.a, c.b)) <= {p.pk for p in people} for c in find_candidates(scoped))


def test_erased_people_are_not_proposed(scoped):
    a = person(scoped, first_name="Ada", phone="+14155550100")
    person(scoped, first_name="Bea", phone="+14155550100")
    assert find_candidates(scoped)
    ps.person_erase(association=scoped, person=a)
    assert find_candidates(scoped) == []


def test_a_dismissed_pair_is_remembered_and_can_be_restored(scoped, staff_user):
    p = person(scoped, first_name="Ada", phone="+14155550100")
    q = person(scoped, first_name="Bea", phone="+14155550100")
    assert [(c.a, c.b) for c in duplicate_candidates(association=scoped)] == [pair(p, q)]
    row = duplicate_dismiss(association=scoped, person_a=q, person_b=p, actor=staff_user)
    assert (row.person_a_id, row.person_b_id) == pair(p, q)
    assert duplicate_dismiss(association=scoped, person_a=p, person_b=q).pk == row.pk
    assert duplicate_candidates(association=scoped) == []  # the cache saw the dismissal
    assert AuditEntry.objects.filter(action="person.duplicate_dismissed").count() == 1
    duplicate_restore(association=scoped, dismissal=row, actor=staff_user)
    assert not DuplicateDismissal.objects.exists()
    assert len(duplicate_candidates(association=scoped)) == 1


def test_dismissing_a_person_with_themselves_is_refused(scoped):
    from commonground.core.errors import ValidationFailed

    p = person(scoped, first_name="Ada")
    with pytest.raises(ValidationFailed):
        duplicate_dismiss(association=scoped, person_a=p, person_b=p)


def test_candidates_stay_within_the_association(association, other_association):
    from django_scopes import scope

    with scope(association=other_association):
        person(other_association, first_name="Ada", phone="+14155550100")
    with scope(association=association):
        person(association, first_name="Ada", phone="+14155550100")
        assert find_candidates(association) == []
