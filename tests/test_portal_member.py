"""The member portal: status, renew/reinstate, invoices, profile edit, data, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from commonground.membership import services as ms
from commonground.membership.models import Invoice, Status, Term
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.portal.services import portal_access_grant


@pytest.fixture
def members(association):
    with scope(association=association):
        plan = ms.plan_save(association=association, name="Individual", price="80")
        ps.custom_field_define(association=association, key="newsletter", label="Newsletter",
                               kind="boolean")
        ann = ps.person_create(association=association, first_name="Ann", last_name="Archer",
                               email="ann@example.org")
        bob = ps.person_create(association=association, first_name="Bob", last_name="Baker",
                               email="bob@example.org")
        m_ann = ms.membership_join(association=association, plan=plan, person=ann)
        m_bob = ms.membership_join(association=association, plan=plan, person=bob,
                                   joined_on=timezone.localdate() - timedelta(days=500))
        ms.memberships_advance(association=association)
        ann_user, password = portal_access_grant(association=association, person=ann)
        bob_user, _ = portal_access_grant(association=association, person=bob)
    return {"ann": ann, "bob": bob, "m_ann": m_ann, "m_bob": m_bob, "ann_user": ann_user,
            "bob_user": bob_user, "password": password}


def purl(name, **kw):
    return reverse(f"portal:{name}", kwargs={"association": "acme", **kw})


def test_grant_creates_a_verified_login_that_can_sign_in(client, members):
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(user=members["ann_user"]).verified
    response = client.post(reverse("account_login"),
                           {"login": "ann@example.org", "password": members["password"]})
    assert response.status_code == 302
    home = client.get(reverse("home"), follow=True)
    assert home.request["PATH_INFO"] == purl("home")
    assert "Welcome, Ann" in home.content.decode()


def test_grant_links_an_existing_user(association):
    user = get_user_model().objects.create_user(username="cy", email="CY@example.org",
                                                password="x" * 12)
    with scope(association=association):
        cy = ps.person_create(association=association, first_name="Cy", email="cy@example.org")
        linked, password = portal_access_grant(association=association, person=cy)
        assert linked == user and password is None
        assert Person.objects.get(pk=cy.pk).user == user


def test_home_shows_status_term_and_open_invoice(client, members):
    client.force_login(members["ann_user"])
    body = client.get(purl("home")).content.decode()
    m = members["m_ann"]
    assert "Individual" in body and "Active" in body
    assert f'value="{m.ends_on.isoformat()}"' in body
    assert "Invoices to pay" in body and "80.00" in body


def test_renew_twice_extends_once_and_shows_the_invoice(client, members, association):
    client.force_login(members["ann_user"])
    m = members["m_ann"]
    data = {"expected_ends_on": m.ends_on.isoformat()}
    first = client.post(purl("renew", membership_id=m.pk), data)
    second = client.post(purl("renew", membership_id=m.pk), data)
    with scope(association=association):
        assert Term.objects.filter(membership=m).count() == 2
        renewal_invoice = Invoice.objects.filter(membership=m).order_by("-id").first()
    assert first.status_code == 302 and first.url == purl("invoice", invoice_id=renewal_invoice.pk)
    assert second.status_code == 302
    page = client.get(first.url).content.decode()
    assert "How to pay" in page and renewal_invoice.number in page


def test_lapsed_member_rejoins(client, members, association):
    client.force_login(members["bob_user"])
    m = members["m_bob"]
    with scope(association=association):
        m.refresh_from_db()
        assert m.status == Status.LAPSED
    assert "Rejoin" in client.get(purl("home")).content.decode()
    response = client.post(purl("renew", membership_id=m.pk))
    assert response.status_code == 302
    with scope(association=association):
        m.refresh_from_db()
        assert m.status in (Status.ACTIVE, Status.RENEWAL_DUE)


def test_profile_edit_and_field_errors(client, members, association):
    client.force_login(members["ann_user"])
    page = client.get(purl("profile")).content.decode()
    assert "contact the association" in page  # email change is out of scope, and says so
    assert 'name="email"' not in page
    bad = client.post(purl("profile"), {"first_name": "Ann", "last_name": "Archer",
                                        "phone": "123"})
    assert bad.status_code == 200 and "phone" in bad.context["form"].errors
    ok = client.post(purl("profile"), {"first_name": "Annie", "last_name": "Archer",
                                       "phone": "+44 20 7946 0958", "city": "London",
                                       "country": "GB", "custom_newsletter": "on",
                                       "email": "hacker@example.org"})
    assert ok.status_code == 302
    with scope(association=association):
        ann = Person.objects.get(pk=members["ann"].pk)
    assert ann.first_name == "Annie" and ann.phone == "+442079460958"
    assert ann.custom == {"newsletter": True}
    assert ann.email == "ann@example.org"  # not editable here


def test_data_download(client, members):
    client.force_login(members["ann_user"])
    response = client.post(purl("data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert b"ann@example.org" in response.content and b"bob@example.org" not in response.content


def test_a_member_cannot_see_or_touch_another_members_data(client, members, association):
    client.force_login(members["ann_user"])
    with scope(association=association):
        bob_invoice = Invoice.objects.filter(person=members["bob"]).first()
    assert client.get(purl("invoice", invoice_id=bob_invoice.pk)).status_code == 404
    m_bob = members["m_bob"]
    assert client.post(purl("renew", membership_id=m_bob.pk)).status_code == 404
    with scope(association=association):
        m_bob.refresh_from_db()
        assert m_bob.status == Status.LAPSED
    assert "Bob" not in client.get(purl("home")).content.decode()


def test_staff_without_person_and_anonymous_users(client, staff_user):
    assert client.get(purl("home")).status_code == 302  # to login
    client.force_login(staff_user)
    assert client.get(purl("home")).status_code == 404
