"""Cross-tenant proof: a user of association A sees none of association B's objects.

The walkers are generic on purpose: they enumerate EVERY URL pattern under ``/a/`` and
``/m/`` from the root resolver and EVERY operation in the API's OpenAPI schema, so a new
view or endpoint is covered the day it is added. A URL kwarg or API path parameter the
walker cannot map to one of B's objects FAILS the test: extend ``OBJECT_KWARGS`` (or
``FIXED_KWARGS`` for non-id parameters) when you add one.

Expected answer is always 404 — never 403 (which would confirm the object exists) and
never a redirect.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import ScopeError, scope, scopes_disabled

from _api_support import ApiClient
from commonground.membership import services as ms
from commonground.membership.models import Membership, Term, Transition
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.tenancy.models import ApiToken, Association, AuditEntry, Role, StaffMember
from commonground.tenancy.services import api_token_create, association_create, staff_add
from commonground.web.api import api as ninja_api

# URL kwarg / API path parameter → key into the objects of one association.
OBJECT_KWARGS = {
    "person_id": "person", "organisation_id": "organisation", "chapter_id": "chapter",
    "plan_id": "plan", "membership_id": "membership", "invoice_id": "invoice",
    "payment_id": "payment", "refund_id": "refund", "offering_id": "offering",
    "role_id": "role", "token_id": "token", "field_id": "field",
    "custom_field_id": "field", "relationship_id": "relationship", "term_id": "term",
    "transition_id": "transition", "batch_id": "batch", "import_id": "batch",
    "import_batch_id": "batch", "staff_id": "staff", "staffmember_id": "staff",
    "audit_id": "audit", "entry_id": "audit",
    "source_id": "source", "activity_batch_id": "activity_batch", "reject_id": "reject",
    "note_id": "note", "dismissal_id": "dismissal",
    # Engagement (D4).
    "trait_id": "trait", "outcome_id": "outcome", "contribution_id": "contribution",
    "group_id": "group", "opportunity_id": "opportunity", "invitation_id": "invitation",
    "tier_id": "tier", "nomination_id": "nomination", "award_id": "award", "uuid": "award_uuid",
    "expert_id": "expert",
    # Insight (D5).
    "segment_id": "segment",
    "outreach_id": "outreach",
    # Planning and negotiation (D6–D7).
    "strategic_plan_id": "strategic_plan", "answer_id": "answer", "goal_id": "goal",
    "objective_id": "objective", "comment_id": "comment", "balance_metric_id": "balance_metric",
    "cost_id": "cost", "series_id": "series", "meeting_id": "meeting",
    "agenda_item_id": "agenda_item", "action_item_id": "action_item", "message_id": "message",
    "manual_page_id": "manual_page", "revision_id": "revision", "decision_id": "decision",
    "decision_type_id": "decision_type", "option_id": "option", "position_id": "position",
    "form_id": "dual_form", "input_id": "dual_input",
    # approvals (H5): joint products of partnerships and their approvals.
    "product_id": "joint_product", "approval_id": "product_approval",
    # Consortia and joint initiatives (issue 13, helper consortia).
    "consortium_id": "consortium", "initiative_id": "initiative",
    # Data sharing (issue 13, helper sharing).
    "agreement_id": "agreement",
    # Partnerships, the relationship (issue 13, partners).
    "partnership_id": "partnership", "party_id": "partnership_party",
    "contact_id": "partner_contact", "stakeholder_id": "stakeholder",
    "risk_id": "diligence_risk", "exchange_item_id": "exchange_item", "clause_id": "clause",
    "partnership_objective_id": "partnership_objective",
    # services: shared services and cost allocation (issue 13).
    "shared_service_id": "shared_service", "cost_period_id": "cost_period",
}
# Non-id kwargs and the value to use for them.
FIXED_KWARGS = {"fmt": "csv", "format": "csv", "example": "roster.csv", "action": "withdraw",
                "kind": "lapse",
                "decision": "approve"}
MARK_A, MARK_B = "Alphonse", "Zebulon"  # B's names must never show on A's pages


def _build(slug: str, mark: str) -> dict:
    """One of every kind of object, made with the services (as users would)."""
    association = association_create(slug=slug, name=f"{mark} Society")
    staff = staff_add(association=association, email=f"boss@{slug}.example.org", role_key="admin")
    with scope(association=association):
        objs: dict = {"association": association, "staff": staff, "user": staff.user}
        objs["chapter"] = ps.chapter_create(association=association, name=f"{mark} Chapter")
        objs["field"] = ps.custom_field_define(association=association, key=f"{mark}_field",
                                               label=f"{mark} field")
        objs["person"] = ps.person_create(association=association, first_name=mark,
                                          last_name=f"{mark}son", email=f"{mark}@example.org",
                                          chapter=objs["chapter"])
        objs["organisation"] = ps.organisation_create(association=association,
                                                      name=f"{mark} Corp")
        objs["relationship"] = ps.relationship_add(association=association, person=objs["person"],
                                                   organisation=objs["organisation"])
        objs["plan"] = ms.plan_save(association=association, name=f"{mark} Plan", price="100.00")
        objs["membership"] = ms.membership_join(association=association, plan=objs["plan"],
                                                person=objs["person"])
        objs["term"] = Term.objects.get(membership=objs["membership"])
        objs["transition"] = Transition.objects.filter(membership=objs["membership"]).first()
        objs["invoice"] = objs["membership"].invoices.get()
        objs["payment"] = ms.payment_record(invoice=objs["invoice"], amount="40.00",
                                            method="cash", reference=f"{mark}-1")
        objs["refund"] = ms.payment_refund(invoice=objs["invoice"], amount="1.00", method="cash")
        objs["offering"] = ms.offering_save(association=association, name=f"{mark} Course",
                                            category="learning", side="mission")
        objs["role"] = Role.objects.get(key="marketing")
        objs["raw_token"] = api_token_create(association=association, user=staff.user)
        objs["token"] = ApiToken.objects.get(token_hash=ApiToken.hash(objs["raw_token"]))
        objs["batch"] = _import_batch(association, staff.user)
        objs["audit"] = AuditEntry.objects.first()
        _ingest_objects(association, mark, objs)
        _member360_objects(association, mark, objs)
        _merge_objects(association, mark, objs)
        _engagement_objects(association, mark, objs)
        _recognition_objects(association, objs)
        _insight_objects(association, objs)
        _prospect_objects(association, mark, objs)
        _segment_objects(association, mark, objs)
        _outreach_objects(association, mark, objs)
        _planning_objects(association, mark, objs)
        _negotiation_objects(association, mark, objs)
        _approvals_objects(association, mark, objs)  # approvals (H5)
        _consortia_objects(association, mark, objs)
        _sharing_objects(association, mark, objs)
        _partnership_objects(association, mark, objs)  # partners (issue 13)
        _services_objects(association, mark, objs)
        # The staff user is also a member of their own association, so /m/ pages resolve.
        Person.objects.filter(pk=objs["person"].pk).update(user=staff.user)
    return objs


def _services_objects(association: Association, mark: str, objs: dict) -> None:
    """services: a consortium of its own, a shared service with an equal rule, a cost
    period with a cost and its allocation run (the association's own line)."""
    from commonground.collaboration import models as cm
    from commonground.collaboration.services import allocations, shared

    consortium = cm.Consortium.objects.create(association=association, name=f"{mark} alliance",
                                              started_on=date(2026, 1, 1))
    cm.ConsortiumMember.objects.create(association=association, consortium=consortium,
                                       status=cm.MemberStatus.ACTIVE, is_coordinator=True)
    service = shared.shared_service_create(association=association, consortium_id=consortium.pk,
                                           name=f"{mark} events team")
    shared.allocation_rule_create(association=association, service=service, method="equal",
                                  valid_from=date(2026, 1, 1))
    period = shared.cost_period_create(association=association, service=service,
                                       label=f"{mark} Q3", starts_on=date(2026, 7, 1),
                                       ends_on=date(2026, 9, 30))
    shared.cost_item_add(association=association, period=period, description=f"{mark} venue",
                         amount="90.00", incurred_on=date(2026, 8, 1))
    run, _ = allocations.allocation_run(association=association, period=period)
    objs["shared_service"], objs["cost_period"] = service, period
    objs["allocation_line"] = run.lines.get()


def _planning_objects(association: Association, mark: str, objs: dict) -> None:
    """A strategic plan with an answer, a goal, an objective with a snapshot, a comment,
    a balance metric and an offering cost."""
    from commonground.planning import models as pm

    user = objs["user"]
    plan = pm.StrategicPlan.objects.create(association=association, name=f"{mark} plan",
                                           starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    objs["strategic_plan"] = plan
    objs["answer"] = pm.WhyAnswer.objects.create(association=association, plan=plan,
                                                 question="founded", version=1,
                                                 text=f"{mark} answer", written_on=date(2026, 1, 5))
    objs["goal"] = pm.Goal.objects.create(association=association, plan=plan,
                                          title=f"{mark} goal", deadline=date(2026, 12, 31))
    objs["objective"] = pm.Objective.objects.create(
        association=association, goal=objs["goal"], title=f"{mark} objective",
        sides=["mission", "business"], metric="membership.joins", starts_on=date(2026, 1, 1),
        deadline=date(2026, 12, 31), target=100)
    pm.KpiSnapshot.objects.create(association=association, objective=objs["objective"],
                                  day=date(2026, 2, 1), value=3)
    objs["comment"] = pm.Comment.objects.create(association=association, subject="goal",
                                                subject_id=objs["goal"].pk, author=user,
                                                body=f"{mark} comment")
    objs["balance_metric"] = pm.BalanceMetric.objects.create(
        association=association, side="mission", metric="membership.joins", label=f"{mark} m")
    objs["cost"] = pm.OfferingCost.objects.create(
        association=association, offering=objs["offering"], period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31), amount="10.00", note=f"{mark} cost")


def _partnership_objects(association: Association, mark: str, objs: dict) -> None:
    """partners (issue 13): a partnership with the organisation as a partner (a contact,
    an asset, a risk, an exchange line, a clause, an objective), a stakeholder and a trust
    event, all through the services."""
    from commonground.partnerships import services as pps

    p = pps.partnership_create(association=association, name=f"{mark} partnership",
                               why=f"{mark} why", starts_on=date(2026, 1, 1),
                               partners=[objs["organisation"]], actor=objs["user"])
    party = p.parties.get(is_us=False)
    objs["partnership"], objs["partnership_party"] = p, party
    objs["partner_contact"] = pps.partner_contact_add(
        association=association, party=party, name=f"{mark} Contact",
        email=f"{mark.lower()}@partner.example.org", is_approver=True)
    objs["stakeholder"] = pps.stakeholder_save(association=association, partnership=p,
                                               name=f"{mark} stakeholder")
    asset = pps.asset_add(association=association, party=party, kind="visibility")
    objs["diligence_risk"] = pps.risk_add(association=association, partnership=p, party=party,
                                          asset=asset, description=f"{mark} risk",
                                          likelihood=2, impact=3)
    objs["exchange_item"] = pps.exchange_item_add(association=association, partnership=p,
                                                  party=party, kind="cost",
                                                  description=f"{mark} cost", value="10")
    objs["clause"] = pps.clause_add(association=association, partnership=p, party=party,
                                    kind="exclusivity", text=f"{mark} exclusive")
    objs["partnership_objective"] = pps.objective_add(association=association, partnership=p,
                                                      name=f"{mark} objective")
    pps.trust_event_record(association=association, organisation=objs["organisation"],
                           kind="past_work", occurred_on=date(2025, 6, 1),
                           description=f"{mark} work", partnership=p)


def _negotiation_objects(association: Association, mark: str, objs: dict) -> None:
    """A meeting series with a meeting, agenda, action item, inbox message, manual page
    and revision, a decision with an option and a position, and a dual-input form."""
    from django.utils import timezone

    from commonground.negotiation import models as nm

    user = objs["user"]
    objs["series"] = nm.MeetingSeries.objects.create(association=association,
                                                     name=f"{mark} regulation meetings")
    objs["meeting"] = nm.Meeting.objects.create(association=association, series=objs["series"],
                                                title=f"{mark} meeting", starts_at=timezone.now())
    nm.MeetingParticipant.objects.create(association=association, meeting=objs["meeting"],
                                         user=user, side="both")
    objs["agenda_item"] = nm.AgendaItem.objects.create(association=association,
                                                       meeting=objs["meeting"],
                                                       title=f"{mark} item")
    objs["action_item"] = nm.ActionItem.objects.create(
        association=association, meeting=objs["meeting"], title=f"{mark} action", owner=user,
        due_on=date(2026, 3, 1))
    objs["message"] = nm.InboxMessage.objects.create(association=association, user=user,
                                                     subject=f"{mark} message")
    objs["manual_page"] = nm.ManualPage.objects.create(association=association,
                                                       slug=f"{mark.lower()}-page",
                                                       title=f"{mark} page")
    objs["revision"] = nm.ManualRevision.objects.create(
        association=association, page=objs["manual_page"], version=1, body=f"{mark} rules",
        meeting=objs["meeting"], written_by=user)
    objs["decision_type"] = nm.DecisionType.objects.create(
        association=association, key=f"{mark.lower()}-pricing", name=f"{mark} pricing",
        effect="offering_price")
    objs["decision"] = nm.Decision.objects.create(
        association=association, type=objs["decision_type"], title=f"{mark} decision",
        meeting=objs["meeting"], offering=objs["offering"],
        quorum={"mission": 1, "business": 1})
    objs["option"] = nm.DecisionOption.objects.create(
        association=association, decision=objs["decision"], label=f"{mark} free",
        values={"price_decision": "free"})
    objs["position"] = nm.Position.objects.create(
        association=association, decision=objs["decision"], round=1, user=user,
        side="business", stance="agree", option=objs["option"], reason=f"{mark} reason")
    objs["dual_form"] = nm.DualForm.objects.create(association=association, kind="appraisal",
                                                   title=f"{mark} appraisal",
                                                   subject_user=user)
    objs["dual_input"] = nm.DualInput.objects.create(association=association,
                                                     form=objs["dual_form"], side="mission",
                                                     author=user, body=f"{mark} input")


def _approvals_objects(association: Association, mark: str, objs: dict) -> None:
    """approvals (H5): a partnership (rows: the partnerships services are helper
    partners') of us and a partner with an approver contact, a joint product submitted
    (so it has approvals), with a credit."""
    from commonground.partnerships import models as pm
    from commonground.partnerships import services_products as jp

    user = objs["user"]
    partnership = pm.Partnership.objects.create(association=association,
                                                name=f"{mark} joint work", why=f"{mark} why",
                                                starts_on=date(2026, 1, 1))
    org = ps.organisation_create(association=association, name=f"{mark} Partner Org",
                                 sector="voluntary")
    us = pm.PartnershipParty.objects.create(association=association, partnership=partnership,
                                            is_us=True, joined_on=date(2026, 1, 1),
                                            approver_user=user)
    party = pm.PartnershipParty.objects.create(association=association, partnership=partnership,
                                               organisation=org, joined_on=date(2026, 1, 1))
    pm.PartnerContact.objects.create(association=association, party=party, name=f"{mark} Approver",
                                     email=f"{mark.lower()}@partner.example.org", is_approver=True)
    product = jp.joint_product_create(association=association, partnership=partnership,
                                      name=f"{mark} campaign", due_on=date(2026, 3, 1), actor=user)
    jp.joint_product_submit(association=association, product=product, actor=user)
    jp.product_credit_set(association=association, product=product, party=us,
                          contribution=f"{mark} design", actor=user)
    objs["joint_product"] = product
    objs["product_approval"] = pm.ProductApproval.objects.get(product=product, party=us)
def _consortia_objects(association: Association, mark: str, objs: dict) -> None:
    """(consortia) A consortium the association coordinates alone, its assessment, a joint
    initiative with an objective (snapshotted), a contribution and a split revenue."""
    from commonground.collaboration.services import consortia as cs
    from commonground.collaboration.services import initiatives as ins

    user = objs["user"]
    objs["consortium"] = cs.consortium_create(association=association,
                                              name=f"{mark} consortium", actor=user)
    cs.assessment_record(association=association, consortium=objs["consortium"],
                         characteristic="trust", score=3, evidence=f"{mark} evidence",
                         actor=user)
    objs["initiative"] = ins.initiative_create(
        association=association, consortium=objs["consortium"], name=f"{mark} conference",
        ends_on=date(2030, 12, 31), split_method="contribution", actor=user)
    ins.initiative_objective_add(association=association, initiative=objs["initiative"],
                                 name=f"{mark} attendance",
                                 metric_key="activity.event_attendance", target=10,
                                 actor=user)
    ins.initiative_snapshot(association=association, initiative=objs["initiative"], actor=user)
    ins.contribution_record(association=association, initiative=objs["initiative"],
                            kind="money", description=f"{mark} deposit", value="10.00",
                            actor=user)
    ins.revenue_record(association=association, initiative=objs["initiative"],
                       description=f"{mark} tickets", amount="5.00", actor=user)


def _sharing_objects(association: Association, mark: str, objs: dict) -> None:
    """(helper sharing) An ally in a consortium with the association, an agreement in force
    sharing the association's members' names and emails with it, the person's consent and
    one logged read by the ally."""
    from commonground.collaboration.crossing import sharing as crossing
    from commonground.collaboration.models import Consortium, ConsortiumMember
    from commonground.collaboration.services import sharing as ss

    ally = association_create(slug=f"{association.slug}-ally", name=f"{mark} Ally")
    ally_admin = staff_add(association=ally, email=f"boss@{ally.slug}.example.org",
                           role_key="admin").user
    consortium = Consortium.objects.create(association=association,
                                           name=f"{mark} sharing consortium",
                                           started_on=date(2026, 1, 1))
    for who in (association, ally):
        ConsortiumMember.objects.create(association=who, consortium=consortium, status="active",
                                        is_coordinator=who == association)
    agreement = ss.agreement_propose(association=association, partner=ally,
                                     title=f"{mark} sharing", purpose=f"{mark} purpose",
                                     fields=["first_name", "email"],
                                     expires_on=date.today() + timedelta(days=365),
                                     actor=objs["user"])
    ss.consent_give(association=association, agreement=agreement, person=objs["person"])
    with scope(association=ally):
        ss.agreement_approve(association=ally, agreement=agreement, actor=ally_admin)
        crossing.shared_rows(agreement_id=agreement.pk, recipient=ally, reader=ally_admin,
                             via="web")
    objs["agreement"] = agreement


def _member360_objects(association: Association, mark: str, objs: dict) -> None:
    """A source with one matched and one unmatched activity (timeline, health, unmatched)."""
    from commonground.activity.models import Activity, Source

    source = objs.get("source") or Source.objects.create(
        association=association, slug=f"{mark.lower()}-web", name=f"{mark} Website")
    objs.setdefault("source", source)
    common = {"association": association, "source": source, "kind": "page_view",
              "category": "web", "occurred_at": date(2025, 1, 2).isoformat() + "T10:00:00Z"}
    objs["activity"] = Activity.objects.create(**common, person=objs["person"],
                                               external_id=f"{mark}-1",
                                               metadata={"page": f"/{mark}"})
    objs["unmatched"] = Activity.objects.create(**common, external_id=f"{mark}-2",
                                                anonymous_key=f"email:{mark.lower()}@example.net")


def _merge_objects(association: Association, mark: str, objs: dict) -> None:
    """A twin of the person (same name and organisation: a duplicate pair), a note, and a
    pair marked "not a duplicate"."""
    from types import SimpleNamespace

    from commonground.people.services.duplicates import duplicate_dismiss
    from commonground.people.services.notes import note_add

    twin = ps.person_create(association=association, first_name=mark, last_name=f"{mark}son",
                            email=f"{mark}.twin@example.org")
    ps.relationship_add(association=association, person=twin, organisation=objs["organisation"])
    objs["duplicate"] = SimpleNamespace(pk=f"{objs['person'].pk}-{twin.pk}")
    objs["note"] = note_add(association=association, person=objs["person"], body=f"{mark} note")
    other = ps.person_create(association=association, first_name=f"{mark}ina",
                             email=f"{mark}ina@example.org")
    objs["dismissal"] = duplicate_dismiss(association=association, person_a=objs["person"],
                                          person_b=other)


def _engagement_objects(association: Association, mark: str, objs: dict) -> None:
    """A taxonomy entry held by the person, an outcome, a contribution, a peer group, a
    notice and a score model version."""
    from commonground.engagement import services as es
    from commonground.scoring.services import current_config

    person = objs["person"]
    objs["trait"] = es.trait_save(association=association, kind="skill", name=f"{mark} skill")
    es.member_traits_set(association=association, person=person, kind="skill",
                         answers={objs["trait"].pk: 4}, source="staff")
    objs["outcome"] = es.outcome_create(association=association, person=person,
                                        kind="client_won", title=f"{mark} client",
                                        occurred_on=date(2025, 1, 3), reported_via="staff")
    objs["contribution"] = es.contribution_create(association=association, person=person,
                                                  kind="talk", title=f"{mark} talk",
                                                  occurred_on=date(2025, 1, 4), origin="staff")
    objs["group"] = es.group_propose(association=association, person=person,
                                     name=f"{mark} circle", purpose=f"{mark} peers")
    es.notice_send(association=association, person=person, subject=f"{mark} notice",
                   body="Hello", email=False)
    objs["score_config"] = current_config(association=association)
    _opportunity_objects(association, mark, objs)


def _opportunity_objects(association: Association, mark: str, objs: dict) -> None:
    """An open opportunity needing the person's skill, and the person invited to it."""
    from commonground.opportunities.services import invitation_advance, opportunity_save

    objs["opportunity"] = opportunity_save(association=association, type="speaker",
                                           title=f"{mark} keynote", status="open",
                                           required_skills=[objs["trait"].pk])
    objs["invitation"] = invitation_advance(association=association,
                                            opportunity=objs["opportunity"],
                                            person=objs["person"], event="invite",
                                            actor=objs["user"])


def _recognition_objects(association: Association, objs: dict) -> None:
    """A tier, a badge of the person, a nomination waiting and an expert entry."""
    from types import SimpleNamespace

    from commonground.recognition import services as rs

    contributor, leader, _ = rs.tiers_install_defaults(association=association)
    objs["tier"] = contributor
    objs["award"] = rs.award_issue(association=association, tier=contributor,
                                   person=objs["person"])
    objs["award_uuid"] = SimpleNamespace(pk=str(objs["award"].uuid))
    objs["nomination"] = rs.nomination_create(association=association, tier=leader,
                                              person=objs["person"], reason="Leads")
    objs["expert"] = rs.expert_profile_save(association=association, person=objs["person"],
                                            headline="Expert", other_specialties="x")


def _outreach_objects(association: Association, mark: str, objs: dict) -> None:
    """An outreach list of the person (a selection), nobody held back."""
    from commonground.outreach.services import outreach_create

    objs["outreach"] = outreach_create(association=association, name=f"{mark} calls",
                                       person_ids=[objs["person"].pk], holdout_percent=0)


def _insight_objects(association: Association, objs: dict) -> None:
    """A lapse-risk version (rule-based: no past renewals yet) and the member's prediction."""
    from commonground.insight import services as insight_services
    from commonground.insight.models import Prediction

    objs["model_version"] = insight_services.lapse_train(association=association)
    objs["prediction"] = Prediction.objects.get(person=objs["membership"].person)


def _prospect_objects(association: Association, mark: str, objs: dict) -> None:
    """A non-member who visited the membership page, scored by the prospects model
    (rule-based: too little history to train)."""
    from datetime import timedelta

    from django.utils import timezone

    from commonground.activity.models import Activity
    from commonground.activity.services import source_create
    from commonground.insight.models import Prediction
    from commonground.insight.prospects.services import prospects_train

    prospect = ps.person_create(association=association, first_name=mark, last_name="Prospect",
                                email=f"{mark.lower()}.prospect@example.org")
    Person.objects.filter(pk=prospect.pk).update(created_at=timezone.now() - timedelta(days=9))
    web = source_create(association=association, name=f"{mark} Website", profile="web_analytics")
    Activity.objects.create(association=association, source=web, person=prospect, kind="page_view",
                            category="web", occurred_at=timezone.now() - timedelta(days=3),
                            metadata={"page": "/join"}, external_id=f"{mark}-join")
    prospects_train(association=association)
    objs["prospect_prediction"] = Prediction.objects.get(kind="prospect", person=prospect)


def _segment_objects(association: Association, mark: str, objs: dict) -> None:
    """A live segment (of the chapter, so B's mark is in its people)."""
    from commonground.segments.services import segment_create

    objs["segment"] = segment_create(association=association, name=f"{mark} segment",
                                     definition={"op": "and", "rules": []})


def _ingest_objects(association: Association, mark: str, objs: dict) -> None:
    """An activity source with one ingested batch and one rejected row."""
    from commonground.activity.models import ActivityReject
    from commonground.activity.services import activities_ingest_rows, source_create

    objs["source"] = source_create(association=association, name=f"{mark} Newsletter",
                                   profile="email")
    objs["activity_batch"] = activities_ingest_rows(
        association=association, source=objs["source"], rows=[
            {"Email Address": f"{mark}@example.org", "Action": "open",
             "Timestamp": "2025-01-02 10:00:00"},
            {"Email Address": f"{mark}@example.org", "Action": "bogus", "Timestamp": "x"}])
    objs["reject"] = ActivityReject.objects.get(batch=objs["activity_batch"])


def _import_batch(association: Association, user):
    try:
        from commonground.people.models import ImportBatch
    except ImportError:  # the import model is optional for this test
        return None
    # No public service creates a bare batch without a file; the row is what matters here.
    return ImportBatch.objects.create(association=association, file_name="roster.csv",
                                      file_path="/nonexistent/roster.csv", file_sha256="0" * 64,
                                      options_key="0" * 64, created_by=user)


@pytest.fixture
def world(db):
    a = _build("alpha", MARK_A)
    b = _build("bravo", MARK_B)
    return a, b


def _snapshot(b: dict) -> tuple:
    with scope(association=b["association"]):
        person = Person.objects.get(pk=b["person"].pk)
        m = Membership.objects.get(pk=b["membership"].pk)
        return (person.first_name, person.erased_at, m.status, m.ends_on,
                b["invoice"].payments.count(), ApiToken.objects.get(pk=b["token"].pk).revoked_at,
                Role.objects.get(pk=b["role"].pk).side)


# ---------------------------------------------------------------- UI: every URL pattern

def _patterns(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def tenant_routes() -> list[str]:
    routes = [route for route, _ in _patterns(get_resolver().url_patterns)
              if route.startswith(("a/<", "m/<"))]
    for route in routes:
        assert "(?P" not in route and "^" not in route, f"regex route not walkable: {route}"
    return routes


def fill(route: str, slug: str, objects: dict) -> str | None:
    """The URL with every kwarg filled; ``None`` when a kwarg names no object we have."""

    def value(match: re.Match) -> str:
        name = match["name"]
        if name == "association":
            return slug
        if name in FIXED_KWARGS:
            return FIXED_KWARGS[name]
        if name not in OBJECT_KWARGS:
            pytest.fail(f"URL {route!r} has kwarg <{name}> that the isolation walker cannot map "
                        "to an object: add it to OBJECT_KWARGS or FIXED_KWARGS")
        obj = objects.get(OBJECT_KWARGS[name])
        if obj is None:
            pytest.fail(f"no fixture object for <{name}> in {route!r}")
        return str(obj.pk)

    return "/" + PARAM.sub(value, route)


def _has_object_kwarg(route: str) -> bool:
    return any(m["name"] in OBJECT_KWARGS or m["name"] not in ("association", *FIXED_KWARGS)
               for m in PARAM.finditer(route))


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_walker_sees_the_tenant_routes():
    routes = tenant_routes()
    assert "a/<slug:association>/" in routes
    assert any(r.startswith("m/<slug:association>/") for r in routes)


def test_every_ui_url_of_b_is_404_for_a_user_of_a(world):
    a, b = world
    before = _snapshot(b)
    client = Client()
    client.force_login(a["user"])
    failures = []
    for route in tenant_routes():
        # (1) B's association slug, B's object ids.
        url_b = fill(route, b["association"].slug, b)
        # (2) A's slug (the user's own association) with B's object ids.
        url_mixed = fill(route, a["association"].slug, b) if _has_object_kwarg(route) else None
        for url in filter(None, (url_b, url_mixed)):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code != 404:
                    failures.append(f"{method.upper()} {url} ({route}) → {response.status_code}")
    assert not failures, "cross-tenant leaks:\n" + "\n".join(failures)
    assert _snapshot(b) == before, "a cross-tenant request changed B's data"


def test_a_pages_never_show_b_objects(world):
    a, b = world
    client = Client(raise_request_exception=False)
    client.force_login(a["user"])
    failures = []
    for route in tenant_routes():
        if _has_object_kwarg(route):
            continue
        url = fill(route, a["association"].slug, a)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url} → {response.status_code} (cannot check what it shows)")
        elif response.status_code == 200 and MARK_B in _content(response):
            failures.append(f"GET {url} shows B's data")
    assert not failures, "\n".join(failures)


def test_a_users_own_objects_are_reachable(world):
    """Guards the walker itself: with A's ids the same URLs are not 404, so 404 above means
    isolation, not a broken URL builder."""
    a, _ = world
    client = Client()
    client.force_login(a["user"])
    ok = 0
    for route in tenant_routes():
        if not _has_object_kwarg(route):
            continue
        response = client.get(fill(route, a["association"].slug, a))
        # A download (a segment's export) holds its file open until read to the end; the
        # test client's reader closes it without closing the database connection.
        if getattr(response, "streaming", False):
            _content(response)
        if response.status_code != 404:
            ok += 1
    assert ok >= 1


# ---------------------------------------------------------------- API: every operation

# Valid bodies for writes on an object, so a 404 cannot be a validation error in disguise.
API_BODIES = {
    ("patch", "/people/{person_id}"): {"last_name": "Hacked"},
    ("post", "/people/{person_id}/erase"): None,
    ("patch", "/plans/{plan_id}"): {"name": "Hacked"},
    ("post", "/memberships/{membership_id}/renew"): {},
    ("post", "/memberships/{membership_id}/reinstate"): {},
    ("post", "/memberships/{membership_id}/cancel"): {},
    ("post", "/invoices/{invoice_id}/payments"): {"amount": "1.00", "method": "cash"},
    ("post", "/invoices/{invoice_id}/refunds"): {"amount": "1.00", "method": "cash"},
    ("delete", "/tokens/{token_id}"): None,
    ("patch", "/sources/{source_id}"): {"name": "Hacked"},
    ("post", "/sources/{source_id}/secret"): None,
    ("post", "/sources/{source_id}/activities"): [
        {"Email Address": "x@example.org", "Action": "open", "Timestamp": "2025-01-02 10:00:00"}],
    ("post", "/sources/{source_id}/rejects/reprocess"): {},
    ("post", "/sources/{source_id}/rejects/dismiss"): {},
    ("post", "/people/{person_id}/merge"): {"remove_id": 1},
    ("post", "/people/{person_id}/notes"): {"body": "Hacked"},
    ("patch", "/traits/{trait_id}"): {"name": "Hacked"},
    ("put", "/people/{person_id}/traits"): {"kind": "skill", "answers": {}},
    ("patch", "/outcomes/{outcome_id}"): {"title": "Hacked"},
    ("delete", "/outcomes/{outcome_id}"): None,
    ("patch", "/contributions/{contribution_id}"): {"title": "Hacked"},
    ("post", "/contributions/{contribution_id}/verify"): None,
    ("post", "/contributions/{contribution_id}/reject"): {"reason": "Hacked"},
    ("post", "/groups/{group_id}/approve"): {},
    ("post", "/groups/{group_id}/decline"): {"note": "Hacked"},
    ("post", "/groups/{group_id}/members"): {"person_id": 1},
    ("patch", "/opportunities/{opportunity_id}"): {"title": "Hacked"},
    ("post", "/opportunities/{opportunity_id}/invitations"): {"person_id": 1},
    ("post", "/invitations/{invitation_id}"): {"action": "withdraw"},
    ("patch", "/tiers/{tier_id}"): {"name": "Hacked"},
    ("post", "/nominations/{nomination_id}/approve"): {},
    ("post", "/nominations/{nomination_id}/decline"): {},
    ("post", "/awards/{award_id}/revoke"): {"reason": "Hacked"},
    ("post", "/experts/{expert_id}/vet"): {"status": "vetted"},
    ("patch", "/segments/{segment_id}"): {"name": "Hacked"},
    ("delete", "/segments/{segment_id}"): None,
    ("post", "/segments/{segment_id}/freeze"): {},
    ("post", "/segments/{segment_id}/duplicate"): {},
    ("post", "/outreach/{outreach_id}/contacts"): {"person_ids": [1]},
    # Planning: plans, answers, goals, objectives (part B, "plan").
    ("patch", "/planning/plans/{strategic_plan_id}"): {"name": "Hacked"},
    ("post", "/planning/plans/{strategic_plan_id}/answers"): {"question": "founded",
                                                               "text": "Hacked"},
    ("patch", "/planning/goals/{goal_id}"): {"title": "Hacked"},
    ("delete", "/planning/goals/{goal_id}"): None,
    ("patch", "/planning/objectives/{objective_id}"): {"title": "Hacked"},
    ("post", "/planning/objectives/{objective_id}/status"): {"status": "dropped"},
    # Data sharing (issue 13, helper sharing).
    ("post", "/agreements/{agreement_id}/approve"): None,
    ("post", "/agreements/{agreement_id}/revoke"): {"reason": "Hacked"},
    ("post", "/agreements/{agreement_id}/consents"): {"person_id": 1},
}
# List endpoint → the kind of object it lists.
API_LISTS = {"/people": "person", "/organisations": "organisation", "/chapters": "chapter",
             "/plans": "plan", "/memberships": "membership", "/invoices": "invoice",
             "/payments": "payment", "/offerings": "offering", "/tokens": "token",
             "/sources": "source", "/activity-batches": "activity_batch",
             "/sources/health": "source", "/activities/unmatched": "unmatched",
             "/people/duplicates": "duplicate", "/traits": "trait", "/outcomes": "outcome",
             "/contributions": "contribution", "/groups": "group",
             "/score-configs": "score_config", "/opportunities": "opportunity",
             "/tiers": "tier", "/nominations": "nomination", "/awards": "award",
             "/experts": "expert", "/segments": "segment",
             # Insight (D5).
             "/insight/lapse/predictions": "prediction",
             "/insight/lapse/model/versions": "model_version",
             "/prospects": "prospect_prediction", "/outreach": "outreach",
             # Planning: plans, goals, objectives, comments (part B, "plan").
             "/planning/plans": "strategic_plan", "/planning/goals": "goal",
             "/planning/objectives": "objective", "/planning/comments": "comment",
             # Data sharing (issue 13, helper sharing).
             "/agreements": "agreement"}
# Meetings (issue 12, the meetings part): writes on one object and the lists.
API_BODIES.update({
    ("post", "/meeting-series/{series_id}/next"): None,
    ("post", "/meetings/{meeting_id}/agenda"): {"title": "Hacked"},
    ("post", "/meetings/{meeting_id}/agenda/draft"): None,
    ("post", "/meetings/{meeting_id}/minutes"): {"minutes": "Hacked"},
    ("post", "/meetings/{meeting_id}/circulate"): None,
    ("patch", "/action-items/{action_item_id}"): {"title": "Hacked"},
    ("post", "/action-items/{action_item_id}/done"): None,
    ("post", "/action-items/{action_item_id}/drop"): None,
    ("post", "/manual/{manual_page_id}/revisions"): {"body": "Hacked"},
})
API_LISTS.update({"/meeting-series": "series", "/meetings": "meeting",
                  "/action-items": "action_item", "/inbox": "message",
                  "/manual": "manual_page"})
# Consortia and joint initiatives (issue 13, helper consortia).
API_BODIES.update({
    ("patch", "/collaboration/consortia/{consortium_id}"): {"governance": "Hacked"},
    ("post", "/collaboration/consortia/{consortium_id}/invitations"): {"invitee": "alpha"},
    ("post", "/collaboration/consortia/{consortium_id}/accept"): None,
    ("post", "/collaboration/consortia/{consortium_id}/decline"): None,
    ("post", "/collaboration/consortia/{consortium_id}/leave"): None,
    ("post", "/collaboration/consortia/{consortium_id}/assessments"): {
        "characteristic": "trust", "score": 1},
    ("post", "/collaboration/consortia/{consortium_id}/initiatives"): {"name": "Hacked"},
    ("patch", "/collaboration/initiatives/{initiative_id}"): {"status": "closed"},
    ("post", "/collaboration/initiatives/{initiative_id}/objectives"): {
        "name": "Hacked", "metric_key": "membership.joins", "target": "5",
        "deadline": "2030-01-01"},
    ("post", "/collaboration/initiatives/{initiative_id}/snapshots"): None,
    ("post", "/collaboration/initiatives/{initiative_id}/contributions"): {
        "kind": "money", "description": "Hacked", "value": "1.00"},
    ("post", "/collaboration/initiatives/{initiative_id}/revenues"): {
        "description": "Hacked", "amount": "1.00"},
})
API_LISTS.update({"/collaboration/consortia": "consortium"})
# GETs without a path parameter that answer one object of the caller's own association.
# (``/segments/fields``: the filter language's fields with this association's values.)
API_SINGLETONS = {"/score-configs/current", "/insight/lapse/model", "/prospects/model",
                  "/next-best-offerings/runs/latest", "/segments/fields",
                  "/outreach-settings",
                  # kpis: the metric catalogue and a metric's value (no objects of B's)
                  "/planning/metrics", "/planning/metrics/value",
                  # Planning (part B, "plan"): the current plan's tree; the flagged list.
                  "/planning/plans/current", "/planning/objectives/flagged",
                  # Data sharing (helper sharing): the registry of what may be shared.
                  "/sharing/record-kinds"}
# Balance view (issue 12, part E "balance"): its lists and the view itself.
API_BODIES.update({("patch", "/planning/balance/metrics/{balance_metric_id}"): {"side": "business"},
                   ("delete", "/planning/balance/metrics/{balance_metric_id}"): None,
                   ("delete", "/planning/offering-costs/{cost_id}"): None})
API_LISTS.update({"/planning/balance/metrics": "balance_metric",
                  "/planning/offering-costs": "cost"})
API_SINGLETONS |= {"/planning/balance"}

# Joint decisions and dual-input forms (the decisions part).
API_LISTS.update({"/decision-types": "decision_type", "/decisions": "decision",
                  "/forms": "dual_form"})
API_BODIES.update({
    ("patch", "/decision-types/{decision_type_id}"): {"name": "Hacked"},
    ("post", "/decisions/{decision_id}/positions"): {"side": "business", "stance": "agree",
                                                     "reason": "Hacked"},
    ("post", "/decisions/{decision_id}/close"): {"status": "rejected", "outcome": "Hacked"},
    ("post", "/decisions/{decision_id}/reopen"): {"reason": "Hacked"},
    ("post", "/forms/{form_id}/inputs"): {"side": "mission", "body": "Hacked"},
    ("post", "/forms/{form_id}/complete"): {"summary": "Hacked"},
})
# approvals (H5): joint products' writes on one object, the list and the summary.
API_BODIES.update({
    ("patch", "/joint-products/{product_id}"): {"name": "Hacked"},
    ("post", "/joint-products/{product_id}/submit"): None,
    ("post", "/joint-products/{product_id}/approvals/{approval_id}/decision"):
        {"decision": "approved"},
    ("post", "/joint-products/{product_id}/approvals/{approval_id}/resend"): None,
    ("post", "/joint-products/{product_id}/verify"): {"notes": "Hacked"},
    ("post", "/joint-products/{product_id}/publish"): None,
    ("post", "/joint-products/{product_id}/withdraw"): {"reason": "Hacked"},
    ("post", "/joint-products/{product_id}/delivery"): {"delivered_on": None},
    ("put", "/joint-products/{product_id}/credits"): {"party_id": 1, "contribution": "Hacked"},
    ("post", "/joint-products/{product_id}/reviews"): {"score": 3},
})
API_LISTS.update({"/joint-products": "joint_product"})
API_SINGLETONS |= {"/joint-product-summaries"}
# Partnerships, the relationship (issue 13, partners).
API_LISTS.update({"/partnerships": "partnership"})
API_BODIES.update({
    ("patch", "/partnerships/{partnership_id}"): {"name": "Hacked"},
    ("post", "/partnerships/{partnership_id}/stage"): {"stage": "systemic"},
    ("post", "/partnerships/{partnership_id}/parties"): {"organisation_name": "Hacked",
                                                         "sector": "private"},
    ("patch", "/partnership-parties/{party_id}"): {"role": "Hacked"},
    ("post", "/partnership-parties/{party_id}/contacts"): {"name": "Hacked",
                                                           "email": "hacked@example.org"},
    ("post", "/partnership-parties/{party_id}/assets"): {"kind": "visibility"},
    ("post", "/partnership-parties/{party_id}/responsibilities"): {"title": "Hacked"},
    ("post", "/partnerships/{partnership_id}/stakeholders"): {"name": "Hacked"},
    ("post", "/partnerships/{partnership_id}/risks"): {
        "party_id": 1, "relationship": "peers", "description": "Hacked", "likelihood": 1,
        "impact": 1},
    ("patch", "/partnership-risks/{risk_id}"): {"status": "accepted"},
    ("post", "/partnerships/{partnership_id}/exchange"): {"party_id": 1, "kind": "cost",
                                                          "description": "Hacked"},
    ("post", "/partnerships/{partnership_id}/clauses"): {"kind": "constraint", "text": "Hacked"},
    ("delete", "/partnership-clauses/{clause_id}"): None,
    ("post", "/partnerships/{partnership_id}/objectives"): {"name": "Hacked"},
    ("post", "/partners/{organisation_id}/trust-events"): {
        "kind": "past_work", "occurred_on": "2025-01-01", "description": "Hacked"},
    ("post", "/partners/{organisation_id}/sector"): {"sector": "public"},
})
# services: shared services and cost allocation (issue 13).
API_LISTS.update({"/collaboration/services": "shared_service",
                  "/collaboration/periods": "cost_period",
                  "/collaboration/allocations": "allocation_line"})
API_BODIES.update({
    ("post", "/collaboration/services/{shared_service_id}/subscribe"): {},
    ("post", "/collaboration/services/{shared_service_id}/rules"): {"method": "equal",
                                                                    "valid_from": "2030-01-01"},
    ("post", "/collaboration/services/{shared_service_id}/periods"): {
        "label": "Hacked", "starts_on": "2031-01-01", "ends_on": "2031-03-31"},
    ("post", "/collaboration/periods/{cost_period_id}/costs"): {"description": "Hacked",
                                                               "amount": "1.00"},
    ("post", "/collaboration/periods/{cost_period_id}/run"): None,
    ("post", "/collaboration/periods/{cost_period_id}/close"): None,
    ("post", "/collaboration/periods/{cost_period_id}/adjust"): {"reason": "Hacked"},
})
API_PARAM = re.compile(r"\{(\w+)\}")


def api_operations() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema(path_prefix="")
    return [(method, path) for path, methods in schema["paths"].items() for method in methods]


def test_every_api_operation_on_b_objects_is_404_with_a_token(world):
    a, b = world
    before = _snapshot(b)
    client = ApiClient(a["raw_token"])
    failures = []
    for method, path in api_operations():
        names = API_PARAM.findall(path)
        if not names:
            continue
        for name in names:
            if name not in OBJECT_KWARGS:
                pytest.fail(f"API path {path} has parameter {{{name}}} the walker cannot map")
        url = API_PARAM.sub(lambda m: str(b[OBJECT_KWARGS[m[1]]].pk), path)
        if method == "get":
            response = client.get(url)
        else:
            if (method, path) not in API_BODIES:
                pytest.fail(f"add a valid body for {method.upper()} {path} to API_BODIES")
            response = client.send(method.upper(), url, API_BODIES[(method, path)])
        if response.status_code != 404:
            failures.append(f"{method.upper()} {url} → {response.status_code} {response.content[:120]}")
    assert not failures, "cross-tenant leaks:\n" + "\n".join(failures)
    assert _snapshot(b) == before


def test_every_api_list_shows_only_own_objects(world):
    a, b = world
    client = ApiClient(a["raw_token"])
    seen_lists = 0
    for method, path in api_operations():
        if method != "get" or "{" in path or path in API_SINGLETONS:
            continue
        if path not in API_LISTS:
            pytest.fail(f"API list {path}: add it to API_LISTS with the kind it lists")
        response = client.get(path, {"limit": 200})
        assert response.status_code == 200, (path, response.content)
        ids = {item["id"] for item in response.json()["items"]}
        kind = API_LISTS[path]
        assert b[kind].pk not in ids, f"{path} lists B's {kind}"
        assert a[kind].pk in ids, f"{path} does not list A's own {kind} (walker sanity)"
        assert MARK_B not in response.content.decode()
        seen_lists += 1
    assert seen_lists >= len(API_LISTS)


def test_api_ids_in_bodies_and_filters_do_not_cross(world):
    a, b = world
    client = ApiClient(a["raw_token"])
    join = client.post("/memberships", {"plan_id": b["plan"].pk, "person_id": b["person"].pk})
    assert join.status_code == 404
    join = client.post("/memberships", {"plan_id": a["plan"].pk, "person_id": b["person"].pk})
    assert join.status_code == 404
    join = client.post("/memberships", {"plan_id": a["plan"].pk,
                                        "organisation_id": b["organisation"].pk})
    assert join.status_code == 404
    for path, params in [("/memberships", {"person": b["person"].pk}),
                         ("/memberships", {"plan": b["plan"].pk}),
                         ("/payments", {"invoice": b["invoice"].pk}),
                         ("/invoices", {"person": b["person"].pk}),
                         ("/people", {"chapter": str(b["chapter"].pk)}),
                         ("/people", {"chapter": b["chapter"].slug}),
                         ("/people", {"plan": str(b["plan"].pk)}),
                         ("/people", {"email": f"{MARK_B}@example.org"})]:
        response = client.get(path, params)
        assert response.status_code == 200 and response.json()["items"] == [], (path, params)
    moved = client.patch(f"/people/{a['person'].pk}", {"chapter": b["chapter"].pk})
    assert moved.status_code == 422 and "chapter" in moved.json()["fields"]


def test_a_token_of_b_cannot_be_revoked_from_a(world):
    a, b = world
    assert ApiClient(a["raw_token"]).delete(f"/tokens/{b['token'].pk}").status_code == 404
    assert ApiClient(b["raw_token"]).get("/people").status_code == 200


# ---------------------------------------------------------------- scopes fail loudly

def tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models()
            if any(isinstance(f, models.ForeignKey) and f.related_model is Association
                   for f in m._meta.fields)]


def test_queries_without_a_scope_fail_loudly(world):
    with pytest.raises(ScopeError):
        list(Person.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(ends_on__lt=date(2100, 1, 1)).count()
    unscoped = []
    for model in tenant_models():
        # Change-history rows are reached only through a scoped object's ``.history``.
        if model.__name__.startswith("Historical"):
            continue
        try:
            model._default_manager.count()
        except ScopeError:
            continue
        unscoped.append(model._meta.label)
    assert not unscoped, f"tenant models without a ScopedManager: {unscoped}"
    with scopes_disabled():
        assert StaffMember.objects.count() >= 2  # the explicit escape hatch still works
