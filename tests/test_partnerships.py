"""Partnerships (D9, seed 004), the relationship: the charter, parties and contacts, the
stage with its history, the exclusivity rule for public bodies, due diligence, trust, the
exchange case, stakeholders and the common ground, objectives. One small world per test
(a few rows), every rule's refusal leaving nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from commonground.core.errors import Conflict, PermissionDenied, ValidationFailed
from commonground.partnerships import selectors, services
from commonground.partnerships.models import (
    Clause,
    DiligenceRisk,
    PartnerContact,
    PartnershipParty,
    StageChange,
)
from commonground.people import services as ps
from commonground.people.models import Organisation
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import AuditEntry
from commonground.tenancy.services import staff_add


@pytest.fixture
def w(association):
    with scope(association=association):
        manager = staff_add(association=association, email="partners@acme.example.org",
                            role_key="marketing", password="pw").user
        board = staff_add(association=association, email="board@acme.example.org",
                          role_key="board", password="pw").user
        agency = ps.organisation_create(association=association, name="Health Agency",
                                        sector="public")
        maker = ps.organisation_create(association=association, name="Device Maker",
                                       sector="private")
        today = association_today(association)
        p = services.partnership_create(
            association=association, name="Healthy hearts", why="Fewer heart attacks",
            starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=700),
            review_on=today + timedelta(days=180), partners=[agency, maker],
            our_approver=manager, actor=manager)
        yield type("W", (), {"a": association, "manager": manager, "board": board,
                             "agency": agency, "maker": maker, "p": p, "today": today})


def _party(w, org):
    return PartnershipParty.objects.get(partnership=w.p, organisation=org)


def test_a_partnership_starts_obligational_with_its_parties_and_contacts(w):
    us = PartnershipParty.objects.get(partnership=w.p, is_us=True)
    assert (us.is_lead, us.approver_user, us.role) == (True, w.manager, "Convenor")
    assert {p.organisation for p in w.p.parties.filter(is_us=False)} == {w.agency, w.maker}
    assert w.p.stage == "obligational" and w.p.status == "exploring"
    first = StageChange.objects.get(partnership=w.p)
    assert (first.from_stage, first.to_stage) == ("", "obligational")
    contact = services.partner_contact_add(association=w.a, party=_party(w, w.agency),
                                           name="Dr Ruth Ames", email="Ruth@Agency.example.gov",
                                           is_approver=True, actor=w.manager)
    assert contact.email == "Ruth@agency.example.gov" and contact.is_approver
    with pytest.raises(ValidationFailed) as exc:
        services.partner_contact_add(association=w.a, party=_party(w, w.agency), name="Again",
                                     email="RUTH@agency.example.gov", actor=w.manager)
    assert exc.value.fields == {"email": ["already a contact of this partner"]}
    with pytest.raises(ValidationFailed) as exc:
        services.partner_contact_add(association=w.a, party=us, name="Me",
                                     email="me@acme.example.org", actor=w.manager)
    assert "staff user" in exc.value.fields["party"][0]
    # A new partner with its sector; the same partner twice is refused.
    charity = services.party_add(association=w.a, partnership=w.p,
                                 organisation_name="Heart Charity", sector="voluntary",
                                 role="Patient voice", actor=w.manager)
    assert charity.organisation.sector == "voluntary"
    with pytest.raises(ValidationFailed) as exc:
        services.party_add(association=w.a, partnership=w.p, organisation=w.maker,
                           actor=w.manager)
    assert "already a partner" in exc.value.fields["organisation"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.party_add(association=w.a, partnership=w.p, organisation_name="New Org",
                           sector="corporate", actor=w.manager)
    assert "sector" in exc.value.fields
    assert PartnerContact.objects.count() == 1
    assert not Organisation.objects.filter(name="New Org").exists()
    # Charter: bad dates refused; the name is unique.
    with pytest.raises(ValidationFailed) as exc:
        services.partnership_create(association=w.a, name="Healthy hearts", why="x",
                                    starts_on=w.today, ends_on=w.today - timedelta(days=1),
                                    actor=w.manager)
    assert set(exc.value.fields) == {"name", "ends_on"}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"partnership.created", "partnership.contact_added",
            "partnership.party_added"} <= actions
    # The board reads; it does not write.
    with pytest.raises(PermissionDenied):
        services.partnership_update(association=w.a, partnership=w.p, name="Board's",
                                    actor=w.board)


def test_the_stage_moves_on_and_back_with_its_history(w):
    services.partnership_stage_change(association=w.a, partnership=w.p, stage="promotional",
                                      on=w.today - timedelta(days=10), actor=w.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.partnership_stage_change(association=w.a, partnership=w.p, stage="obligational",
                                          actor=w.manager)
    assert exc.value.fields == {"reason": ["stepping back to an earlier stage needs a reason"]}
    with pytest.raises(ValidationFailed) as exc:
        services.partnership_stage_change(association=w.a, partnership=w.p, stage="systemic",
                                          on=w.today - timedelta(days=20), actor=w.manager)
    assert "before the last change" in exc.value.fields["on"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.partnership_stage_change(association=w.a, partnership=w.p, stage="promotional",
                                          actor=w.manager)
    assert exc.value.fields["stage"] == ["already promotional (action)"]
    services.partnership_stage_change(association=w.a, partnership=w.p, stage="systemic",
                                      actor=w.manager)
    services.partnership_stage_change(association=w.a, partnership=w.p, stage="promotional",
                                      reason="The device recall", actor=w.manager)
    history = [(c.from_stage, c.to_stage, c.reason)
               for c in StageChange.objects.filter(partnership=w.p)]
    assert history[1:] == [("obligational", "promotional", ""),
                           ("promotional", "systemic", ""),
                           ("systemic", "promotional", "The device recall")]
    w.p.refresh_from_db()
    assert w.p.stage == "promotional"
    services.partnership_update(association=w.a, partnership=w.p, status="ended",
                                actor=w.manager)
    with pytest.raises(Conflict):
        services.partnership_stage_change(association=w.a, partnership=w.p, stage="systemic",
                                          actor=w.manager)


def test_a_public_body_cannot_be_bound_by_exclusivity(w):
    agency, maker = _party(w, w.agency), _party(w, w.maker)
    with pytest.raises(ValidationFailed) as exc:
        services.clause_add(association=w.a, partnership=w.p, party=agency, kind="exclusivity",
                            text="Only with us", actor=w.manager)
    assert exc.value.fields == {"party": [
        "Health Agency is a public body: a public body can't commit to an exclusive "
        "relationship"]}
    # Binding every party includes the public one.
    with pytest.raises(ValidationFailed) as exc:
        services.clause_add(association=w.a, partnership=w.p, kind="exclusivity",
                            text="Nobody else", actor=w.manager)
    assert "Health Agency" in exc.value.fields["kind"][0]
    assert not Clause.objects.exists()
    # The private maker may be exclusive; then it can't become public.
    services.clause_add(association=w.a, partnership=w.p, party=maker, kind="exclusivity",
                        text="No competing device in the campaign", actor=w.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.partner_sector_change(association=w.a, organisation=w.maker, sector="public",
                                       actor=w.manager)
    assert "remove the clause first" in exc.value.fields["sector"][0]
    # Whoever saves it (the hook on Organisation).
    w.maker.sector = "public"
    with pytest.raises(ValidationFailed):
        w.maker.save()
    assert Organisation.objects.get(pk=w.maker.pk).sector == "private"
    # A blanket clause in a partnership without public parties, then a public partner.
    other = services.partnership_create(association=w.a, name="Devices", why="Devices",
                                        starts_on=w.today, partners=[w.maker], actor=w.manager)
    services.clause_add(association=w.a, partnership=other, kind="exclusivity",
                        text="Exclusive", actor=w.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.party_add(association=w.a, partnership=other, organisation=w.agency,
                           actor=w.manager)
    assert "public body" in exc.value.message
    assert other.parties.count() == 2
    # Other clauses are fine for a public body; the voluntary sector can change freely.
    services.clause_add(association=w.a, partnership=w.p, party=agency, kind="constraint",
                        text="The agency also regulates device makers", actor=w.manager)
    services.partner_sector_change(association=w.a, organisation=w.agency, sector="voluntary",
                                   actor=w.manager)


def test_diligence_trust_exchange_stakeholders_and_objectives(w):
    agency, maker = _party(w, w.agency), _party(w, w.maker)
    cred = services.asset_add(association=w.a, party=agency, kind="credibility",
                              description="Trusted by clinicians", actor=w.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.asset_add(association=w.a, party=maker, kind="resources", actor=w.manager)
    assert "which resource" in exc.value.fields["resource"][0]
    services.asset_add(association=w.a, party=maker, kind="resources", resource="distribution",
                       actor=w.manager)
    risk = services.risk_add(association=w.a, partnership=w.p, party=agency, asset=cred,
                             description="Seen as endorsing one device", likelihood=4, impact=5,
                             actor=w.manager)
    services.risk_add(association=w.a, partnership=w.p, party=maker, relationship="competitors",
                      description="Competitors cry foul", likelihood="2", impact="2",
                      actor=w.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.risk_add(association=w.a, partnership=w.p, party=maker, asset=cred,
                          description="x", likelihood=6, impact=0, actor=w.manager)
    assert set(exc.value.fields) == {"likelihood", "impact", "asset"}
    with pytest.raises(ValidationFailed):
        services.risk_update(association=w.a, risk=risk, status="mitigated", actor=w.manager)
    services.risk_update(association=w.a, risk=risk, status="mitigated",
                         mitigation="No brand names in the campaign", actor=w.manager)
    assert DiligenceRisk.objects.count() == 2
    # Trust, kept per organisation.
    services.trust_event_record(association=w.a, organisation=w.maker, kind="past_work",
                                occurred_on=w.today - timedelta(days=400), effect=1,
                                description="Screening days 2024", actor=w.manager)
    services.trust_event_record(association=w.a, organisation=w.maker, kind="incident",
                                occurred_on=w.today - timedelta(days=5), effect=-1,
                                partnership=w.p, description="Logo used without asking",
                                actor=w.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.trust_event_record(association=w.a, organisation=w.maker, kind="incident",
                                    occurred_on=w.today + timedelta(days=1), effect=1,
                                    description="x", actor=w.manager)
    assert set(exc.value.fields) == {"occurred_on", "effect"}
    # The exchange case: per party and in all.
    for party, kind, value in ((agency, "cost", "1200.50"), (agency, "benefit", "3000"),
                               (maker, "cost", "5000"), (maker, "benefit", None)):
        services.exchange_item_add(association=w.a, partnership=w.p, party=party, kind=kind,
                                   description=f"{kind} of {party.pk}", value=value,
                                   actor=w.manager)
    with pytest.raises(ValidationFailed):
        services.exchange_item_add(association=w.a, partnership=w.p, party=maker, kind="cost",
                                   description="Refund", value="-5", actor=w.manager)
    # Stakeholders and the common ground drawn from them.
    with pytest.raises(ValidationFailed) as exc:
        services.partnership_common_ground_write(association=w.a, partnership=w.p,
                                                 common_ground="We all want fewer attacks",
                                                 actor=w.manager)
    assert "no stakeholder" in exc.value.fields["common_ground"][0]
    services.stakeholder_save(association=w.a, partnership=w.p, name="Cardiologists' society",
                              kind="peer", took_part=True, view="Screening saves lives",
                              shares_common_ground=True, actor=w.manager)
    services.stakeholder_save(association=w.a, partnership=w.p, name="Patients' union",
                              kind="advocacy", invited_on=w.today, actor=w.manager)
    services.partnership_common_ground_write(association=w.a, partnership=w.p,
                                             common_ground="Screening saves lives",
                                             common_future="Every adult screened by 2030",
                                             actor=w.manager)
    # Objectives: a metric from the catalogue needs a target; unknown metrics are refused.
    with pytest.raises(ValidationFailed) as exc:
        services.objective_add(association=w.a, partnership=w.p, name="Joins",
                               metric_key="nope.metric", actor=w.manager)
    assert set(exc.value.fields) == {"metric_key", "target"}
    services.objective_add(association=w.a, partnership=w.p, name="New members via partners",
                           accountability="Reported quarterly by the convenor",
                           metric_key="membership.joins", target="50", owner=agency,
                           due_on=w.today + timedelta(days=90), actor=w.manager)

    page = selectors.partnership_page(w.p, today=w.today)
    # Open risks first, then by score (the mitigated 4 × 5 is still "high").
    assert [(r.score, r.level) for r in page.risks] == [(4, "low"), (20, "high")]
    by_party = {row.party.pk: row for row in page.exchange}
    assert by_party[agency.pk].costs == Decimal("1200.50")
    assert by_party[agency.pk].net == Decimal("1799.50")
    assert by_party[maker.pk].unvalued == 1
    assert page.exchange_totals == {"costs": Decimal("6200.50"), "benefits": Decimal("3000.00"),
                                    "net": Decimal("-3200.50")}
    trust = {t.organisation.pk: t for t in page.trust}
    assert (trust[w.maker.pk].balance, trust[w.maker.pk].incidents) == (0, 1)
    assert page.common_ground_draft.startswith("Cardiologists' society (Peer organisation)")
    assert page.objectives[0].value is not None
    partner = selectors.partner_page(w.maker)
    assert [p.pk for p in partner.partnerships] == [w.p.pk]
    assert len(partner.trust.events) == 2


def test_the_demo_step_makes_three_partnerships_at_different_stages(association):
    from types import SimpleNamespace

    from commonground.demo import partners_derive
    from commonground.demo.seed import staff_email

    for local, role in (("marketing", "marketing"), ("community", "community")):
        staff_add(association=association, email=staff_email(association.slug, local),
                  role_key=role)
    said: list[str] = []
    state = SimpleNamespace(demo=association, today=association_today(association),
                            say=said.append, made={})
    counts = partners_derive.derive(state)
    assert counts["partnerships"] == 3 and said
    made = state.made["partnerships"]
    with scope(association=association):
        assert [p.stage for p in made] == ["obligational", "promotional", "systemic"]
        sectors = [p.parties.get(is_us=False).organisation.sector for p in made]
        assert sectors == ["public", "voluntary", "private"]
        exclusive = Clause.objects.get(kind="exclusivity")
        assert exclusive.partnership == made[2] and exclusive.party.organisation.sector == \
            "private"
        assert all(p.parties.get(is_us=True).approver_user for p in made)
        assert all(PartnerContact.objects.filter(party__partnership=p, is_approver=True)
                   for p in made)
        assert [c.reason != "" for c in made[2].stage_changes.all()][-2:] == [True, True]
    assert partners_derive.derive(state) == {} and len(state.made["partnerships"]) == 3
