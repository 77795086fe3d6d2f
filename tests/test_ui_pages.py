"""Every staff page renders for a staff user; profile actions work through the UI."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from commonground.membership import services as ms
from commonground.membership.models import Invoice, Membership, Payment, Status, Term
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.tenancy.models import ApiToken, AuditEntry, Role


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()  # dashboard figures and list counts are cached per tenant id
    yield


@pytest.fixture
def world(association, staff_user):
    with scope(association=association):
        chapter = ps.chapter_create(association=association, name="North")
        plan = ms.plan_save(association=association, name="Individual", price="120.00")
        org_plan = ms.plan_save(association=association, name="Corporate", price="900",
                                kind="organisational")
        ps.custom_field_define(association=association, key="employer_size", label="Employer size",
                               kind="choice", choices=["small", "large"])
        ann = ps.person_create(association=association, first_name="Ann", last_name="Archer",
                               email="ann@example.org", phone="+1 202 555 0143", chapter=chapter.pk)
        bob = ps.person_create(association=association, first_name="Bob", last_name="Baker",
                               email="bob@example.org")
        org = ps.organisation_create(association=association, name="Widgets Inc")
        ps.relationship_add(association=association, person=ann, organisation=org, title="CTO")
        m = ms.membership_join(association=association, plan=plan, person=ann)
        old = ms.membership_join(association=association, plan=plan, person=bob,
                                 joined_on=timezone.localdate() - timedelta(days=800))
        ms.membership_join(association=association, plan=org_plan, organisation=org)
        offering = ms.offering_save(association=association, name="Annual conference",
                                    category="community", side="business",
                                    price_decision="member_price", member_price="100",
                                    non_member_price="200")
    return {"ann": ann, "bob": bob, "org": org, "plan": plan, "membership": m, "lapsed": old,
            "chapter": chapter, "offering": offering, "association": association}


def url(name, **kw):
    return reverse(name, kwargs={"association": "acme", **kw})


def test_every_staff_page_renders(staff_client, world, association):
    with scope(association=association):
        invoice = Invoice.objects.filter(person=world["ann"]).first()
        role = Role.objects.first()
    pages = [
        url("dashboard"), url("person_list"), url("person_list") + "?q=ann&status=active&sort=-joined",
        url("person_create"), url("person_detail", person_id=world["ann"].pk),
        url("person_edit", person_id=world["ann"].pk), url("person_erase", person_id=world["bob"].pk),
        url("relationship_add", person_id=world["ann"].pk),
        url("membership_join", person_id=world["ann"].pk),
        url("invoice_pay", invoice_id=invoice.pk), url("invoice_refund", invoice_id=invoice.pk),
        url("organisation_list"), url("organisation_list") + "?q=widg", url("organisation_create"),
        url("organisation_detail", organisation_id=world["org"].pk),
        url("plan_list"), url("plan_create"), url("plan_edit", plan_id=world["plan"].pk),
        url("offering_list"), url("offering_create"),
        url("offering_edit", offering_id=world["offering"].pk),
        url("chapter_list"), url("custom_field_list"), url("settings_index"), url("token_list"),
    ]
    for page in pages:
        response = staff_client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert body.count("<h1") == 1, page
    assert role  # roles exist for the settings page


def test_login_page_uses_our_layout(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert b"core/app.css" in response.content
    assert b"Skip to content" in response.content


def test_dashboard_shows_counts_and_chart(staff_client, world):
    body = staff_client.get(url("dashboard")).content.decode()
    assert "<svg" in body and "Joins and lapses" in body
    assert "renewals due in 30 days" in body
    assert "Archer" in body  # recent joins


def test_dashboard_chart_offers_its_figures_as_table_and_csv(staff_client, world):
    body = staff_client.get(url("dashboard")).content.decode()
    assert 'role="img" aria-labelledby="chart-joins-lapses-t chart-joins-lapses-d"' in body
    assert "<summary>Data table" in body and '<th scope="col" class="num">Joined</th>' in body
    csv_url = f'{url("dashboard")}?format=csv&amp;chart=joins-lapses'
    assert f'href="{csv_url}" download>Download CSV' in body
    response = staff_client.get(url("dashboard"), {"format": "csv", "chart": "joins-lapses"})
    assert response["Content-Disposition"] == 'attachment; filename="joins-and-lapses.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    this_month = timezone.localdate().replace(day=1)
    assert lines[0] == "Month,Joined,Lapsed" and len(lines) == 25  # 24 months
    assert lines[-1].startswith(f"{this_month:%Y-%m},2,")  # Ann and Widgets Inc joined today
    assert f'<th scope="row">{this_month:%b %Y}</th><td class="num">2</td>' in body


def test_profile_shows_memberships_invoices_and_history(staff_client, world, association, staff_user):
    ann = world["ann"]
    response = staff_client.post(url("person_edit", person_id=ann.pk), {
        "first_name": "Ann", "last_name": "Archer-Smith", "email": "ann@example.org",
        "phone": "+1 202 555 0143", "chapter": world["chapter"].pk, "custom_employer_size": "large",
    })
    assert response.status_code == 302
    body = staff_client.get(url("person_detail", person_id=ann.pk)).content.decode()
    assert "Archer-Smith" in body
    assert "+1 202-555-0143" in body  # formatted phone
    assert "Widgets Inc" in body and "Individual" in body
    assert "Change history" in body
    assert "<del>Archer</del>" in body and "<ins>Archer-Smith</ins>" in body
    assert staff_user.email in body  # who made the change
    assert "Employer size" in body and "large" in body
    assert "person.updated" in body  # audit trail


def test_edit_with_invalid_phone_and_email_shows_field_errors(staff_client, world):
    response = staff_client.post(url("person_edit", person_id=world["ann"].pk), {
        "first_name": "Ann", "last_name": "Archer", "email": "not-an-email", "phone": "12",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors and "phone" in form.errors
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and 'id="id_email_error"' in body


def test_create_person_and_conflicting_email(staff_client, world, association):
    response = staff_client.post(url("person_create"), {"first_name": "Cy", "last_name": "Cole",
                                                         "email": "cy@example.org"})
    assert response.status_code == 302
    response = staff_client.post(url("person_create"), {"first_name": "Cy", "last_name": "Again",
                                                         "email": "CY@example.org"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_renew_double_submit_renews_once(staff_client, world, association):
    m = world["membership"]
    data = {"expected_ends_on": m.ends_on.isoformat()}
    first = staff_client.post(url("membership_renew", membership_id=m.pk), data)
    second = staff_client.post(url("membership_renew", membership_id=m.pk), data)
    assert first.status_code == second.status_code == 302
    with scope(association=association):
        m.refresh_from_db()
        assert Term.objects.filter(membership=m).count() == 2
        assert Invoice.objects.filter(membership=m).count() == 2  # join + one renewal
    follow = staff_client.get(first.url)
    assert "Already renewed" in follow.content.decode()


def test_reinstate_a_lapsed_membership(staff_client, world, association):
    lapsed = world["lapsed"]
    with scope(association=association):
        ms.memberships_advance(association=association)
        lapsed.refresh_from_db()
        assert lapsed.status == Status.LAPSED
    response = staff_client.post(url("membership_reinstate", membership_id=lapsed.pk))
    assert response.status_code == 302
    with scope(association=association):
        lapsed.refresh_from_db()
        assert lapsed.status in (Status.ACTIVE, Status.RENEWAL_DUE)
        assert lapsed.ends_on > timezone.localdate()


def test_renew_a_lapsed_membership_is_a_message_not_a_500(staff_client, world, association):
    lapsed = world["lapsed"]
    with scope(association=association):
        ms.memberships_advance(association=association)
        lapsed.refresh_from_db()
    response = staff_client.post(url("membership_renew", membership_id=lapsed.pk),
                                 {"expected_ends_on": lapsed.ends_on.isoformat()}, follow=True)
    assert response.status_code == 200
    assert "reinstate it instead" in response.content.decode()


def test_record_payment_and_bad_amount(staff_client, world, association):
    with scope(association=association):
        invoice = Invoice.objects.get(membership=world["membership"])
    bad = staff_client.post(url("invoice_pay", invoice_id=invoice.pk),
                            {"amount": "12.345", "method": "cash"})
    assert bad.status_code == 200
    assert "amount" in bad.context["form"].errors
    worse = staff_client.post(url("invoice_pay", invoice_id=invoice.pk),
                              {"amount": "lots", "method": "cash"})
    assert worse.status_code == 200 and "amount" in worse.context["form"].errors
    too_much = staff_client.post(url("invoice_pay", invoice_id=invoice.pk),
                                 {"amount": "500", "method": "cash"})
    assert "amount" in too_much.context["form"].errors
    ok = staff_client.post(url("invoice_pay", invoice_id=invoice.pk),
                           {"amount": "120.00", "method": "cheque", "reference": "CHQ 1",
                            "received_on": timezone.localdate().isoformat()})
    assert ok.status_code == 302
    with scope(association=association):
        invoice.refresh_from_db()
        assert invoice.status == "paid"
        assert Payment.objects.get(invoice=invoice).amount == Decimal("120.00")
    refund = staff_client.post(url("invoice_refund", invoice_id=invoice.pk),
                               {"amount": "20", "method": "cheque"})
    assert refund.status_code == 302
    body = staff_client.get(url("person_detail", person_id=world["ann"].pk)).content.decode()
    assert "Refund" in body and "20.00" in body


def test_void_and_cancel(staff_client, world, association):
    with scope(association=association):
        invoice = Invoice.objects.get(membership=world["membership"])
    assert staff_client.post(url("invoice_void", invoice_id=invoice.pk)).status_code == 302
    assert staff_client.post(url("membership_cancel", membership_id=world["membership"].pk),
                             {"note": "moved away"}).status_code == 302
    with scope(association=association):
        invoice.refresh_from_db()
        assert invoice.status == "void"
        assert Membership.objects.get(pk=world["membership"].pk).status == Status.CANCELLED


def test_join_relationship_erase_and_export(staff_client, world, association):
    bob = world["bob"]
    with scope(association=association):
        carol = ps.person_create(association=association, first_name="Carol", last_name="Cruz",
                                 email="carol@example.org")
    r = staff_client.post(url("membership_join", person_id=carol.pk), {"plan": world["plan"].pk})
    assert r.status_code == 302
    r = staff_client.post(url("relationship_add", person_id=carol.pk),
                          {"organisation": "Gadgets Ltd", "kind": "employee", "title": "Engineer"})
    assert r.status_code == 302
    data = staff_client.post(url("person_data_export", person_id=carol.pk))
    assert data.status_code == 200 and data["Content-Type"] == "application/json"
    assert b"carol@example.org" in data.content
    refused = staff_client.post(url("person_erase", person_id=bob.pk), {"confirm": "yes"})
    assert refused.status_code == 200 and "confirm" in refused.context["form"].errors
    erased = staff_client.post(url("person_erase", person_id=bob.pk), {"confirm": "ERASE"})
    assert erased.status_code == 302
    with scope(association=association):
        bob.refresh_from_db()
        assert bob.erased_at and not bob.email


def test_plan_and_offering_create_with_field_errors(staff_client, world, association):
    bad = staff_client.post(url("plan_create"), {"name": "Student", "kind": "individual",
                                                 "term_months": "", "price": "10",
                                                 "grace_days": "30"})
    assert bad.status_code == 200
    assert "term_months" in bad.context["form"].errors  # no term is chosen for you
    bad = staff_client.post(url("plan_create"), {"name": "Student", "kind": "individual",
                                                 "term_months": "1", "price": "-1",
                                                 "renewal_window_days": "40"})
    assert bad.status_code == 200
    assert {"renewal_window_days", "price"} <= set(bad.context["form"].errors)
    ok = staff_client.post(url("plan_create"), {"name": "Student", "kind": "individual",
                                                "term_months": "12", "price": "40",
                                                "grace_days": "30", "is_active": "on"})
    assert ok.status_code == 302
    edit = staff_client.post(url("plan_edit", plan_id=world["plan"].pk), {
        "name": "Individual", "kind": "individual", "term_months": "12", "price": "130",
        "grace_days": "15", "is_active": "on"})
    assert edit.status_code == 302
    bad = staff_client.post(url("offering_create"), {
        "name": "Webinar", "category": "learning", "side": "mission",
        "price_decision": "member_price", "member_price": "50", "non_member_price": "20"})
    assert "member_price" in bad.context["form"].errors
    ok = staff_client.post(url("offering_create"), {
        "name": "Webinar", "category": "learning", "side": "mission", "price_decision": "free"})
    assert ok.status_code == 302
    body = staff_client.get(url("offering_list")).content.decode()
    assert "Webinar" in body and "Mission" in body
    body = staff_client.get(url("plan_list")).content.decode()
    assert "Student" in body and "130.00" in body


def test_token_create_and_revoke(staff_client, staff_user, association):
    response = staff_client.post(url("token_list"), {"name": "CRM sync"})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("cg_") and raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    again = staff_client.get(url("token_list")).content.decode()
    assert raw not in again and raw[:10] in again
    with scope(association=association):
        token = ApiToken.objects.get(user=staff_user)
    assert staff_client.post(url("token_revoke", token_id=token.pk)).status_code == 302
    with scope(association=association):
        token.refresh_from_db()
        assert token.revoked_at is not None


def test_role_side_change_is_admin_only(staff_client, association, client):
    with scope(association=association):
        role = Role.objects.get(key="marketing")
    response = staff_client.post(url("role_side", role_id=role.pk), {f"role{role.pk}-side": "both"})
    assert response.status_code == 302
    with scope(association=association):
        role.refresh_from_db()
        assert role.side == "both"
        assert AuditEntry.objects.filter(action="role.side_changed").exists()
    from commonground.tenancy.services import staff_add

    plain = staff_add(association=association, email="writer@acme.example.org",
                      role_key="publications").user
    client.force_login(plain)
    assert client.post(url("role_side", role_id=role.pk),
                       {f"role{role.pk}-side": "mission"}).status_code == 404
    assert client.get(url("settings_index")).status_code == 200


def test_portal_access_grant_from_profile(staff_client, world, association):
    ann = world["ann"]
    response = staff_client.post(url("portal_access", person_id=ann.pk))
    assert response.status_code == 200
    assert response.context["password"]
    with scope(association=association):
        ann = Person.objects.get(pk=ann.pk)
        assert ann.user.email == "ann@example.org"
        assert AuditEntry.objects.filter(action="portal.access_granted").count() == 1
    again = staff_client.post(url("portal_access", person_id=ann.pk))
    assert again.context["password"] is None


def test_profile_query_count_does_not_grow_with_history(staff_client, world, association):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ann = world["ann"]
    page = url("person_detail", person_id=ann.pk)
    staff_client.get(page)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(page).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    with scope(association=association):
        m = world["membership"]
        for i in range(5):
            ps.person_update(association=association, person=ann, first_name=f"Ann{i}")
            m = ms.membership_renew(membership=m, expected_ends_on=m.ends_on)
        ms.payment_record(invoice=Invoice.objects.filter(person=ann).first(), amount="10",
                          method="cash")
    assert queries() == before
