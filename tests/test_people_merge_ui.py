"""Duplicates page, merge preview and confirm, as a membership director uses them."""

from __future__ import annotations

import pytest
from django_scopes import scope

from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.people.models import DuplicateDismissal, Person
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def twins(association):
    with scope(association=association):
        plan = ms.plan_save(association=association, name="Regular", price="100.00")
        ada = ps.person_create(association=association, first_name="Ada", last_name="Lovelace",
                               email="ada.lovelace@gmail.com")
        dup = ps.person_create(association=association, first_name="Augusta", last_name="Lovelace",
                               email="AdaLovelace+club@gmail.com", phone="+14155550132")
        ms.membership_join(association=association, plan=plan, person=dup)
        return ada, dup


def test_nav_links_to_the_duplicates_page_which_lists_pairs_with_reasons(staff_client, twins):
    ada, dup = twins
    page = staff_client.get("/a/acme/").content.decode()
    assert 'href="/a/acme/duplicates/"' in page and ">Duplicates</a>" in page
    page = staff_client.get("/a/acme/duplicates/").content.decode()
    assert "<h1>Possible duplicates</h1>" in page
    assert "Same mailbox" in page
    assert f"/a/acme/people/{ada.pk}/merge/?with={dup.pk}" in page


def test_not_a_duplicate_is_remembered_and_can_be_undone(staff_client, twins, association):
    ada, dup = twins
    response = staff_client.post("/a/acme/duplicates/dismiss/",
                                 {"person_a": dup.pk, "person_b": ada.pk,
                                  "next": "/a/acme/duplicates/"}, follow=True)
    page = response.content.decode()
    assert "will not be proposed as duplicates again" in page
    assert "No possible duplicates found." in page
    page = staff_client.get("/a/acme/duplicates/dismissed/").content.decode()
    assert "Augusta Lovelace" in page and "director@acme.example.org" in page
    with scope(association=association):
        dismissal = DuplicateDismissal.objects.get()
    staff_client.post(f"/a/acme/duplicates/dismissed/{dismissal.pk}/restore/")
    assert "Same mailbox" in staff_client.get("/a/acme/duplicates/").content.decode()


def test_merge_preview_shows_both_records_and_what_moves(staff_client, twins):
    ada, dup = twins
    page = staff_client.get(f"/a/acme/people/{ada.pk}/merge/?with={dup.pk}").content.decode()
    assert "Merge Augusta Lovelace into Ada Lovelace" in page
    # Both first names differ: a real choice, kept one selected by default.
    assert 'name="choice_first_name" value="keep" checked' in page
    assert 'name="choice_first_name" value="remove"' in page
    assert "1 memberships" in page and "1 invoices" in page
    assert "(taken)" in page  # the phone only the removed record has
    assert f"/a/acme/people/{dup.pk}/merge/?with={ada.pk}" in page  # swap sides


def test_confirming_merges_with_the_chosen_values(staff_client, twins, association):
    ada, dup = twins
    response = staff_client.post(f"/a/acme/people/{ada.pk}/merge/",
                                 {"with": dup.pk, "choice_first_name": "remove",
                                  "choice_email": "keep"})
    assert response.status_code == 302 and response.url == f"/a/acme/people/{ada.pk}/"
    page = staff_client.get(response.url).content.decode()
    assert "Merged person" in page and "<h1>Augusta Lovelace" in page
    assert "person.merged" in page
    assert staff_client.get(f"/a/acme/people/{dup.pk}/").status_code == 404
    with scope(association=association):
        ada.refresh_from_db()
        assert ada.email == "ada.lovelace@gmail.com" and ada.phone == "+14155550132"
        assert ada.memberships.count() == 1
        assert AuditEntry.objects.filter(action="person.merged").count() == 1


def test_profile_offers_merge_with_and_the_chooser_finds_people(staff_client, twins):
    ada, dup = twins
    page = staff_client.get(f"/a/acme/people/{ada.pk}/").content.decode()
    assert f'href="/a/acme/people/{ada.pk}/merge/"' in page and "Merge with…" in page
    page = staff_client.get(f"/a/acme/people/{ada.pk}/merge/").content.decode()
    assert "Likely duplicates" in page and f"?with={dup.pk}" in page
    page = staff_client.get(f"/a/acme/people/{ada.pk}/merge/?q=augusta").content.decode()
    assert f'href="?with={dup.pk}"' in page


def test_merging_a_person_with_themselves_is_refused_politely(staff_client, twins, association):
    ada, _ = twins
    response = staff_client.get(f"/a/acme/people/{ada.pk}/merge/?with={ada.pk}", follow=True)
    assert "cannot be merged into themselves" in response.content.decode()
    response = staff_client.post(f"/a/acme/people/{ada.pk}/merge/", {"with": ada.pk}, follow=True)
    assert "cannot be merged into themselves" in response.content.decode()
    with scope(association=association):
        assert Person.objects.filter(pk=ada.pk).exists()


def test_another_associations_person_cannot_be_merged_in(staff_client, twins, other_association):
    ada, _ = twins
    with scope(association=other_association):
        theirs = ps.person_create(association=other_association, first_name="Zed")
    assert staff_client.get(f"/a/acme/people/{ada.pk}/merge/?with={theirs.pk}").status_code == 404
    assert staff_client.post(f"/a/acme/people/{ada.pk}/merge/",
                             {"with": theirs.pk}).status_code == 404
    with scope(association=other_association):
        assert Person.objects.filter(pk=theirs.pk).exists()
