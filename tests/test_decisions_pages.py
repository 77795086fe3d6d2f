"""The decision pages and the dual-input form pages, through the test client (no JS)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from _decisions_support import course, people, propose_price
from commonground.negotiation.models import Decision, DualForm, Meeting


@pytest.fixture
def staff(scoped):
    return people(scoped)


@pytest.fixture
def offering(scoped):
    return course(scoped)


def _client(client, user):
    client.force_login(user)
    return client


def url(association, path: str) -> str:
    return f"/a/{association.slug}/{path}"


def test_propose_sign_and_price_changes_through_the_pages(client, scoped, staff, offering):
    c = _client(client, staff.business)
    page = c.get(url(scoped, f"decisions/new/?offering={offering.pk}"))
    assert page.status_code == 200 and "Option 4: price" in page.content.decode()
    more = c.post(url(scoped, "decisions/new/"), {"rows": "4", "more_rows": "1", "title": "X"})
    assert "Option 6" in more.content.decode() and "highlighted" not in more.content.decode()
    pricing = next(o for o in page.context["form"].fields["type"].queryset if o.key == "pricing")
    bad = c.post(url(scoped, "decisions/new/"), {
        "type": pricing.pk, "title": "Price", "offering": offering.pk, "rows": "4",
        "option_0_label": "Cheap", "option_0_price_decision": "member_price",
        "option_0_member_price": "90", "option_0_non_member_price": "10"})
    assert "the member price should not exceed" in bad.content.decode()
    done = c.post(url(scoped, "decisions/new/"), {
        "type": pricing.pk, "title": "Price of the course", "offering": offering.pk,
        "rows": "4", "option_0_label": "Free", "option_0_price_decision": "free",
        "option_1_price_decision": "non_member_price", "option_1_non_member_price": "55"})
    decision = Decision.objects.get()
    assert done.status_code == 302 and done.url.endswith(f"/decisions/{decision.pk}/")
    assert [o.label for o in decision.options.all()] == ["Free", "One price: 55.00"]
    paid = decision.options.get(position=1)
    detail = c.get(done.url).content.decode()
    assert "Your position" in detail and "The price is read-only" in detail
    c.post(url(scoped, f"decisions/{decision.pk}/sign/"), {
        "side": "business", "stance": "agree", "option": paid.pk, "reason": "Covers costs"})
    detail = c.get(done.url).content.decode()
    assert "You took your position" in detail and "Covers costs" in detail
    c = _client(client, staff.mission)
    again = c.post(url(scoped, f"decisions/{decision.pk}/sign/"), {
        "side": "business", "stance": "agree", "option": paid.pk, "reason": "x"}, follow=True)
    assert "not on the business side" in again.content.decode()
    c.post(url(scoped, f"decisions/{decision.pk}/sign/"), {
        "side": "mission", "stance": "agree", "option": paid.pk, "reason": "Fair"})
    offering.refresh_from_db()
    assert (offering.price_decision, offering.non_member_price, offering.price_locked_by) == (
        "non_member_price", Decimal("55.00"), "")
    listing = c.get(url(scoped, "decisions/?status=approved")).content.decode()
    assert "Price of the course" in listing


def test_board_sees_no_sign_form_and_hidden_positions_stay_hidden(client, scoped, staff,
                                                                  offering):
    d = propose_price(scoped, offering, staff.business, hidden_positions=True)
    from commonground.negotiation import services as ns

    ns.position_submit(association=scoped, decision=d, actor=staff.business, side="business",
                       stance="agree", option=d.options.get(label="Free"),
                       reason="A secret reason")
    page = _client(client, staff.board).get(url(scoped, f"decisions/{d.pk}/")).content.decode()
    assert "Record my position" not in page and "the board reads" in page.lower()
    assert "A secret reason" not in page and "1 signed (quorum 1)" in page
    rows = client.get(url(scoped, "decisions/")).content.decode().split("<tbody>")[1]
    assert "Mission side" in rows and "Business side" not in rows  # who signed, not how


def test_close_and_reopen_from_the_page(client, scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    c = _client(client, staff.business)
    c.post(url(scoped, f"decisions/{d.pk}/close/"), {"status": "rejected",
                                                     "outcome": "Not this year"})
    d.refresh_from_db()
    offering.refresh_from_db()
    assert d.status == "rejected" and offering.price_locked_by == ""
    assert "Not this year" in c.get(url(scoped, f"decisions/{d.pk}/")).content.decode()
    c.post(url(scoped, f"decisions/{d.pk}/reopen/"), {"reason": "New figures"})
    d.refresh_from_db()
    assert (d.round, d.status) == (2, "open")


def test_decision_types_page_and_edit(client, scoped, staff):
    c = _client(client, staff.business)
    assert "Pricing of an offering" in c.get(url(scoped, "decisions/types/")).content.decode()
    c.post(url(scoped, "decisions/types/new/"), {"name": "Hiring", "effect": "none",
                                                 "quorum_mission": "2", "quorum_business": "1"})
    from commonground.negotiation.models import DecisionType

    assert DecisionType.objects.get(key="hiring").quorum() == {"mission": 2, "business": 1}
    assert _client(client, staff.mission).get(
        url(scoped, "decisions/types/new/")).status_code == 404  # administrators only


def test_meeting_partial_lists_its_decisions(scoped, staff, offering):
    meeting = Meeting.objects.create(association=scoped, title="Regulation meeting",
                                     starts_at=timezone.now() + timedelta(days=3))
    propose_price(scoped, offering, staff.business, meeting=meeting)
    request = RequestFactory().get("/")
    request.association = scoped
    html = render_to_string("negotiation/_meeting_decisions.html",
                            {"meeting": meeting, "request": request})
    assert "Price of the data course" in html and "waiting for the mission side" in html
    assert f"?meeting={meeting.pk}" in html


def test_dual_form_pages_need_both_inputs(client, scoped, staff):
    c = _client(client, staff.business)
    c.post(url(scoped, "forms/new/"), {"kind": "appraisal", "title": "Appraisal of Vera",
                                       "subject_user": staff.mission2.pk})
    form = DualForm.objects.get()
    c.post(url(scoped, f"forms/{form.pk}/input/"), {"side": "business", "body": "Reliable",
                                                    "rating": "4"})
    page = c.get(url(scoped, f"forms/{form.pk}/")).content.decode()
    assert "Waiting for the mission side" in page and "Complete with both" not in page
    refused = c.post(url(scoped, f"forms/{form.pk}/complete/"), {"summary": "Good"},
                     follow=True).content.decode()
    assert "Waiting for the mission side" in refused
    m = _client(client, staff.mission)
    m.post(url(scoped, f"forms/{form.pk}/input/"), {"side": "mission", "body": "Kind"})
    m.post(url(scoped, f"forms/{form.pk}/complete/"), {"summary": "Good year"})
    form.refresh_from_db()
    assert form.status == "completed" and form.summary == "Good year"
    assert "Appraisal of Vera" in m.get(url(scoped, "forms/")).content.decode()
