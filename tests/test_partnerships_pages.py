"""Partnerships as a partnership manager meets them: the staff pages (no JavaScript: plain
forms, a refusal shown on the form's field with nothing written), the API and the
``partnerships`` command."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from _cli_support import commonground
from commonground.partnerships import services
from commonground.partnerships.models import (
    Clause,
    PartnerContact,
    Partnership,
    PartnershipParty,
    TrustEvent,
)
from commonground.people import services as ps
from commonground.people.models import Organisation
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add


@pytest.fixture
def orgs(association):
    with scope(association=association):
        return (ps.organisation_create(association=association, name="Health Agency",
                                       sector="public"),
                ps.organisation_create(association=association, name="Device Maker",
                                       sector="private"))


def test_pages_walk_a_partnership_through(staff_client, association, staff_user, orgs):
    agency, maker = orgs
    base = f"/a/{association.slug}/partnerships/"
    assert "No partnership yet" in staff_client.get(base).content.decode()
    with scope(association=association):
        today = association_today(association)
    made = staff_client.post(base + "new/", {
        "name": "Healthy hearts", "why": "Fewer heart attacks", "starts_on": today.isoformat(),
        "partners": [agency.pk, maker.pk], "our_role": "Convenor",
        "our_approver": staff_user.pk})
    assert made.status_code == 302, made.content.decode()[:2000]
    with scope(association=association):
        p = Partnership.objects.get()
        party = {x.organisation_id: x for x in PartnershipParty.objects.filter(partnership=p)}
    url = f"{base}{p.pk}/"
    assert made["Location"] == url
    html = staff_client.get(url).content.decode()
    for text in ("Healthy hearts", "Health Agency", "Obligational", "Add a clause",
                 'id="id_clause-kind"', "Write the common ground"):
        assert text in html
    # An exclusivity clause for the public agency: the field says why; nothing is written.
    refused = staff_client.post(url + "clauses/", {"clause-kind": "exclusivity",
                                                   "clause-party": party[agency.pk].pk,
                                                   "clause-text": "Only with us"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "a public body can&#x27;t commit to an exclusive relationship" in body
    assert "Nothing was saved" in body
    with scope(association=association):
        assert not Clause.objects.exists()
    ok = staff_client.post(url + "clauses/", {"clause-kind": "exclusivity",
                                              "clause-party": party[maker.pk].pk,
                                              "clause-text": "No rival device"})
    assert ok.status_code == 302 and ok["Location"] == url + "#clauses"
    # Stage, a new voluntary partner, a stakeholder, a risk, an exchange line, an objective.
    posts = [
        ("stage/", {"stage-stage": "promotional", "stage-reason": ""}),
        ("partners/", {"party-organisation_name": "Heart Charity", "party-sector": "voluntary",
                       "party-role": "Patient voice"}),
        ("stakeholders/", {"stakeholder-name": "Cardiologists", "stakeholder-kind": "peer",
                           "stakeholder-took_part": "on", "stakeholder-view": "Screen early",
                           "stakeholder-shares_common_ground": "on"}),
        ("common-ground/", {"ground-common_ground": "Screen early",
                            "ground-common_future": "Everyone screened"}),
        ("risks/", {"risk-party": party[agency.pk].pk, "risk-relationship": "regulators",
                    "risk-description": "Seen as endorsing a brand", "risk-likelihood": "3",
                    "risk-impact": "5"}),
        ("exchange/", {"exchange-party": party[maker.pk].pk, "exchange-kind": "cost",
                       "exchange-description": "Stands at events", "exchange-value": "2500"}),
        ("objectives/", {"objective-name": "Screenings", "objective-accountability": "Monthly",
                         "objective-metric_key": "membership.joins", "objective-target": "40"}),
    ]
    for path, data in posts:
        response = staff_client.post(url + path, data)
        assert response.status_code == 302, (path, response.content.decode()[:3000])
    html = staff_client.get(url).content.decode()
    for text in ("Promotional (action)", "Heart Charity", "Cardiologists", "Everyone screened",
                 "3 × 5 = 15", "2500.00", "Screenings"):
        assert text in html, text
    # A step back without a reason is refused on its field.
    back = staff_client.post(url + "stage/", {"stage-stage": "obligational"})
    assert back.status_code == 200
    assert "stepping back to an earlier stage needs a reason" in back.content.decode()
    # The party's page: a contact who approves; the partner's page: trust, and the sector
    # can't turn public under the exclusivity clause.
    party_url = f"{base}parties/{party[maker.pk].pk}/"
    assert "Add a contact" in staff_client.get(party_url).content.decode()
    assert staff_client.post(party_url + "contacts/", {
        "contact-name": "Max Roe", "contact-email": "max@maker.example.com",
        "contact-is_approver": "on"}).status_code == 302
    assert staff_client.post(party_url + "assets/", {
        "asset-kind": "resources", "asset-resource": "sales_force"}).status_code == 302
    partner_url = f"{base}partners/{maker.pk}/"
    assert "Healthy hearts" in staff_client.get(partner_url).content.decode()
    assert staff_client.post(partner_url + "trust/", {
        "trust-kind": "past_work", "trust-occurred_on": today.isoformat(),
        "trust-effect": "1", "trust-description": "Screening days"}).status_code == 302
    sector = staff_client.post(partner_url + "sector/", {"sector-sector": "public"})
    assert sector.status_code == 200 and "remove the clause first" in sector.content.decode()
    with scope(association=association):
        assert Organisation.objects.get(pk=maker.pk).sector == "private"
        assert PartnerContact.objects.get().is_approver
        assert TrustEvent.objects.count() == 1
    assert "built" in staff_client.get(url).content.decode()
    # GET on a POST-only URL goes back to the page; the list shows the partnership.
    assert staff_client.get(url + "clauses/").status_code == 302
    listed = staff_client.get(base + "?stage=promotional").content.decode()
    assert "Healthy hearts" in listed and "Device Maker" in listed


def test_the_board_reads_but_does_not_write(client, association, orgs):
    board = staff_add(association=association, email="board@acme.example.org",
                      role_key="board").user
    with scope(association=association):
        p = services.partnership_create(association=association, name="P", why="W",
                                        starts_on=association_today(association),
                                        partners=list(orgs))
    client.force_login(board)
    html = client.get(f"/a/{association.slug}/partnerships/{p.pk}/").content.decode()
    assert "Health Agency" in html and "Add a clause" not in html
    refused = client.post(f"/a/{association.slug}/partnerships/{p.pk}/clauses/", {
        "clause-kind": "constraint", "clause-text": "x"})
    assert refused.status_code == 302
    assert "the board reads partnerships" in client.get(refused["Location"]).content.decode()
    with scope(association=association):
        assert not Clause.objects.exists()


def test_api_and_cli(association, orgs):
    agency, maker = orgs
    api = ApiClient(make_token(association))
    made = api.post("/partnerships", {"name": "Healthy hearts", "why": "Fewer attacks",
                                      "starts_on": "2026-01-01",
                                      "partner_organisation_ids": [agency.pk, maker.pk]})
    assert made.status_code == 201, made.content
    body = made.json()
    pid = body["id"]
    by_org = {x["organisation_id"]: x["id"] for x in body["parties"]}
    assert body["stage"] == "obligational" and len(body["parties"]) == 3
    refused = api.post(f"/partnerships/{pid}/clauses", {"kind": "exclusivity",
                                                        "party_id": by_org[agency.pk],
                                                        "text": "Only us"})
    assert refused.status_code == 422
    assert "public body" in refused.json()["fields"]["party_id"][0]
    assert api.post(f"/partnerships/{pid}/clauses", {"kind": "exclusivity",
                                                     "party_id": by_org[maker.pk],
                                                     "text": "Only us"}).status_code == 201
    assert api.post(f"/partnership-parties/{by_org[agency.pk]}/contacts", {
        "name": "Ruth", "email": "ruth@agency.example.gov",
        "is_approver": True}).status_code == 201
    risk = api.post(f"/partnerships/{pid}/risks", {
        "party_id": by_org[agency.pk], "relationship": "regulators", "description": "Brand",
        "likelihood": 4, "impact": 4})
    assert risk.status_code == 201 and risk.json()["level"] == "high"
    assert api.patch(f"/partnership-risks/{risk.json()['id']}",
                     {"status": "mitigated"}).status_code == 422
    assert api.post(f"/partnerships/{pid}/stage", {"stage": "systemic"}).status_code == 201
    assert api.post(f"/partnerships/{pid}/stage",
                    {"stage": "promotional"}).json()["fields"] == {
        "reason": ["stepping back to an earlier stage needs a reason"]}
    assert api.post(f"/partnerships/{pid}/exchange", {"party_id": by_org[maker.pk],
                                                      "kind": "benefit", "description": "Reach",
                                                      "value": "99.5"}).status_code == 201
    assert api.post(f"/partners/{maker.pk}/sector", {"sector": "public"}).status_code == 422
    assert api.post(f"/partners/{maker.pk}/trust-events", {
        "kind": "incident", "occurred_on": "2026-01-02", "description": "Logo misuse",
        "effect": -1, "partnership_id": pid}).status_code == 201
    shown = api.get(f"/partnerships/{pid}").json()
    assert shown["stage"] == "systemic" and shown["exchange"]["benefits"] == "99.50"
    assert [t["verdict"] for t in shown["trust"] if t["organisation_id"] == maker.pk] == ["hurt"]
    assert api.get(f"/partners/{maker.pk}").json()["trust"]["balance"] == -1
    patched = api.patch(f"/partnerships/{pid}", {"review_on": "2026-06-30", "status": "active"})
    assert patched.status_code == 200 and patched.json()["review_on"] == "2026-06-30"
    assert [x["name"] for x in api.get("/partnerships").json()["items"]] == ["Healthy hearts"]
    # The command line.
    listed = commonground("partnerships", "list", "--association", "acme")
    assert listed.code == 0 and "Healthy hearts" in listed.out and "systemic" in listed.out
    no = commonground("partnerships", "clause", str(pid), "--association", "acme", "--kind",
                      "exclusivity", "--organisation", "Health Agency", "--text", "Only us")
    assert no.code == 1 and "--organisation: Health Agency is a public body" in no.err
    new = commonground("partnerships", "create", "--association", "acme", "--name", "Devices",
                       "--why", "Devices", "--starts", "2026-02-01", "--partner", "Device Maker",
                       "--json")
    assert new.code == 0, new.err
    assert commonground("partnerships", "stage", "Devices", "--association", "acme", "--to",
                        "promotional", "--on", "2026-02-02").code == 0
    shown = json.loads(commonground("partnerships", "show", "Devices", "--association", "acme",
                                    "--json").out)
    assert [s["to"] for s in shown["stages"]] == ["obligational", "promotional"]
    assert shown["starts_on"] == "2026-02-01"
