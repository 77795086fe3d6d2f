"""Joint decisions: a price decision locks the offering's price, needs each required side's
quorum for the same option with no block, applies its effect exactly once, keeps dissent
and every round on the record; rejecting leaves the price untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest

from _decisions_support import PRICE_OPTIONS, course, people, pricing_type, propose_price
from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.membership import services as ms
from commonground.negotiation import selectors_decisions as sel
from commonground.negotiation import services as ns
from commonground.negotiation.models import DecisionStatus, InboxMessage
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def staff(scoped):
    return people(scoped)


@pytest.fixture
def offering(scoped):
    return course(scoped)


def _option(decision, label):
    return decision.options.get(label=label)


def sign(association, decision, user, side, stance="agree", option="Member price",
         reason="Because"):
    opt = _option(decision, option) if option else None
    return ns.position_submit(association=association, decision=decision, actor=user,
                              side=side, stance=stance, option=opt, reason=reason)


def test_types_are_created_lazily_once(scoped):
    first = ns.decision_types_ensure(association=scoped)
    again = ns.decision_types_ensure(association=scoped)
    assert sorted(t.key for t in first) == ["appraisal", "policy", "pricing", "schedule"]
    assert [t.pk for t in first] == [t.pk for t in again]
    assert pricing_type(scoped).effect == "offering_price"


def test_price_applies_only_after_both_sides_and_exactly_once(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    offering.refresh_from_db()
    assert offering.price_locked_by.startswith(f"Joint decision #{d.pk}")
    with pytest.raises(ValidationFailed):
        ms.offering_save(association=scoped, offering=offering, name="Data course",
                         category="learning", side="business", price_decision="free")
    sign(scoped, d, staff.business, "business")
    offering.refresh_from_db()
    assert (offering.member_price, offering.price_locked_by != "") == (Decimal("40.00"), True)
    d.refresh_from_db()
    assert d.status == DecisionStatus.OPEN
    assert sel.tally(d).waiting_for == ["mission"]
    sign(scoped, d, staff.mission, "mission", reason="Members keep a discount")
    d.refresh_from_db()
    offering.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED and d.chosen_option.label == "Member price"
    assert d.effect_applied_at is not None
    assert (offering.price_decision, offering.member_price, offering.non_member_price,
            offering.price_locked_by) == ("member_price", Decimal("30.00"), Decimal("80.00"), "")
    assert AuditEntry.objects.filter(action="decision.approved").count() == 1
    assert AuditEntry.objects.filter(action="offering.price_decided").count() == 1
    with pytest.raises(ValidationFailed, match="approved"):
        sign(scoped, d, staff.mission2, "mission")
    with pytest.raises(ValidationFailed, match="stays decided"):
        ns.decision_reopen(association=scoped, decision=d, reason="again", actor=staff.business)


def test_different_options_do_not_approve_and_count_as_dissent(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    sign(scoped, d, staff.business, "business", option="One price")
    sign(scoped, d, staff.mission, "mission", option="Free")
    d.refresh_from_db()
    assert d.status == DecisionStatus.OPEN and sel.tally(d).waiting_for == []
    # A second business signer agrees with Free: both sides now reached quorum on Free.
    sign(scoped, d, staff.business2, "business", option="Free")
    d.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED and d.chosen_option.label == "Free"
    dissent = sel.dissent(d, sel.positions_of(d))
    assert [p.user for p in dissent] == [staff.business]
    entry = AuditEntry.objects.get(action="decision.approved")
    assert entry.data["dissent_position_ids"] == [dissent[0].pk]
    offering.refresh_from_db()
    assert offering.price_decision == "free"


def test_a_block_holds_the_decision_and_reject_leaves_the_price(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    sign(scoped, d, staff.mission2, "mission", stance="block", option=None,
         reason="Volunteers teach it")
    sign(scoped, d, staff.mission, "mission")
    sign(scoped, d, staff.business, "business")
    d.refresh_from_db()
    assert d.status == DecisionStatus.OPEN and sel.tally(d).blocked
    with pytest.raises(PermissionDenied):
        ns.decision_close(association=scoped, decision=d, status="rejected", outcome="no",
                          actor=staff.mission)
    ns.decision_close(association=scoped, decision=d, status="rejected",
                      outcome="Blocked by the volunteers", actor=staff.business)
    offering.refresh_from_db()
    assert (offering.price_decision, offering.member_price, offering.price_locked_by) == (
        "member_price", Decimal("40.00"), "")
    assert AuditEntry.objects.filter(action="offering.price_decided").count() == 0


def test_reopen_keeps_history_and_locks_again(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    sign(scoped, d, staff.business, "business")
    ns.decision_close(association=scoped, decision=d, status="withdrawn", outcome="Too early",
                      actor=staff.business)
    d = ns.decision_reopen(association=scoped, decision=d, reason="New cost figures",
                           actor=staff.business)
    offering.refresh_from_db()
    assert d.round == 2 and d.status == DecisionStatus.OPEN and offering.price_locked_by
    # The same person signs again in the new round; round 1's position stays.
    sign(scoped, d, staff.business, "business", option="One price")
    sign(scoped, d, staff.mission, "mission", option="One price")
    d.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED
    assert [(p.round, p.option.label) for p in sel.positions_of(d)] == [
        (1, "Member price"), (2, "One price"), (2, "One price")]
    actions = [e.action for e in sel.decision_history(d)]
    assert actions == ["decision.proposed", "decision.position_taken", "decision.withdrawn",
                       "decision.reopened", "decision.position_taken",
                       "decision.position_taken", "decision.approved"]


def test_bad_signatures_get_clear_messages(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    with pytest.raises(PermissionDenied, match="not on the mission side"):
        sign(scoped, d, staff.business, "mission")
    with pytest.raises(PermissionDenied, match="board"):
        sign(scoped, d, staff.board, "business")
    with pytest.raises(ValidationFailed) as exc:
        sign(scoped, d, staff.mission, "mission", reason="  ")
    assert exc.value.fields == {"reason": ["required"]}
    with pytest.raises(ValidationFailed) as exc:
        sign(scoped, d, staff.mission, "mission", option=None)
    assert "option" in exc.value.fields
    sign(scoped, d, staff.mission, "mission")
    with pytest.raises(ValidationFailed, match="already signed"):
        sign(scoped, d, staff.mission, "mission", stance="disagree")


def test_price_options_are_checked_with_the_offering_rule(scoped, staff, offering):
    with pytest.raises(ValidationFailed) as exc:
        propose_price(scoped, offering, staff.business, options=[
            {"label": "Cheap", "price_decision": "member_price", "member_price": "90",
             "non_member_price": "30"},
            {"label": "Paid", "price_decision": "non_member_price", "non_member_price": "0"},
            {"label": "Odd", "price_decision": "gratis"}])
    assert set(exc.value.fields) == {"options.0.member_price", "options.1.non_member_price",
                                     "options.2.price_decision"}
    with pytest.raises(ValidationFailed) as exc:
        ns.decision_propose(association=scoped, type=pricing_type(scoped), title="No offering",
                            options=PRICE_OPTIONS, actor=staff.business)
    assert "offering" in exc.value.fields
    with pytest.raises(PermissionDenied):
        propose_price(scoped, offering, staff.board)
    offering.refresh_from_db()
    assert offering.price_locked_by == ""  # nothing half-made


def test_a_second_open_decision_on_the_same_price_is_refused(scoped, staff, offering):
    propose_price(scoped, offering, staff.business)
    with pytest.raises(ValidationFailed, match="already being decided"):
        propose_price(scoped, offering, staff.mission, title="Another go")
    assert sel.decision_list().count() == 1


def test_hidden_positions_show_only_your_own_until_closed(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business, hidden_positions=True)
    sign(scoped, d, staff.business, "business")
    sign(scoped, d, staff.mission, "mission", stance="disagree", option=None)
    positions = sel.positions_of(d)
    assert [p.user for p in sel.positions_visible(d, positions, staff.mission)] == [staff.mission]
    assert sel.positions_visible(d, positions, staff.board) == []
    ns.decision_close(association=scoped, decision=d, status="rejected", outcome="No",
                      actor=staff.business)
    d.refresh_from_db()
    assert len(sel.positions_visible(d, positions, staff.board)) == 2


def test_quorum_per_side_and_a_side_not_asked(scoped, staff):
    t = ns.decision_type_save(association=scoped, name="Volunteer policy", quorum_mission=2,
                              quorum_business=0, actor=staff.business)
    with pytest.raises(PermissionDenied):
        ns.decision_type_save(association=scoped, name="X", actor=staff.mission)
    with pytest.raises(ValidationFailed) as exc:
        ns.decision_type_save(association=scoped, name="Nobody", quorum_mission=0,
                              quorum_business=0, actor=staff.business)
    assert "quorum_mission" in exc.value.fields
    d = ns.decision_propose(association=scoped, type=t, title="Code of conduct",
                            actor=staff.mission)
    assert [o.label for o in d.options.all()] == ["As proposed"]
    with pytest.raises(ValidationFailed, match="does not ask the business side"):
        ns.position_submit(association=scoped, decision=d, actor=staff.business,
                           side="business", stance="agree", reason="fine")
    ns.position_submit(association=scoped, decision=d, actor=staff.mission, side="mission",
                       stance="agree", reason="fine")
    d.refresh_from_db()
    assert d.status == DecisionStatus.OPEN  # 1 of 2
    ns.position_submit(association=scoped, decision=d, actor=staff.mission2, side="mission",
                       stance="agree", reason="yes")
    d.refresh_from_db()
    assert d.status == DecisionStatus.APPROVED and d.effect_applied_at is None


def test_the_side_waited_for_is_told_in_the_inbox(scoped, staff, offering):
    d = propose_price(scoped, offering, staff.business)
    asked = set(InboxMessage.objects.filter(kind="decision.waiting")
                .values_list("user__email", flat=True))
    assert staff.business.email not in asked and staff.board.email not in asked
    assert {staff.mission.email, staff.mission2.email, staff.business2.email} <= asked
    InboxMessage.objects.all().delete()
    sign(scoped, d, staff.business, "business")
    told = set(InboxMessage.objects.values_list("user__email", flat=True))
    assert {staff.mission.email, staff.mission2.email} <= told
    assert staff.business2.email not in told  # only the side still waited for
    assert sel.waiting_for_one_side(scoped)[0][1] == "mission"


def test_agenda_source_names_decisions_waiting_for_one_side(scoped, staff, offering):
    from datetime import timedelta

    from django.utils import timezone

    from commonground.negotiation.models import AgendaItem

    d = propose_price(scoped, offering, staff.business)
    meeting = ns.meeting_schedule(association=scoped, title="Regulation meeting",
                                  starts_at=timezone.now() + timedelta(days=7),
                                  participants=[(staff.mission, "mission"),
                                                (staff.business, "business")],
                                  actor=staff.business)
    today = timezone.localdate()
    ns.agenda_draft(association=scoped, meeting=meeting, today=today, actor=staff.business)
    assert not AgendaItem.objects.filter(origin_key=f"decision:{d.pk}").exists()  # both wait
    sign(scoped, d, staff.business, "business")
    ns.agenda_draft(association=scoped, meeting=meeting, today=today, actor=staff.business)
    ns.agenda_draft(association=scoped, meeting=meeting, today=today, actor=staff.business)
    item = AgendaItem.objects.get(origin_key=f"decision:{d.pk}")
    assert item.decision_id == d.pk and "waiting for the mission side" in item.title


def test_trace_links_from_an_objective_to_its_decisions(scoped, staff):
    from datetime import date

    from commonground.planning import models as pm
    from commonground.planning import trace

    plan = pm.StrategicPlan.objects.create(association=scoped, name="Plan",
                                           starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    goal = pm.Goal.objects.create(association=scoped, plan=plan, title="Grow",
                                  deadline=date(2026, 12, 31))
    objective = pm.Objective.objects.create(
        association=scoped, goal=goal, title="Joins", sides=["mission", "business"],
        metric="membership.joins", starts_on=date(2026, 1, 1), deadline=date(2026, 12, 31),
        target=100)
    policy = next(t for t in ns.decision_types_ensure(association=scoped) if t.key == "policy")
    d = ns.decision_propose(association=scoped, type=policy, title="Welcome calls",
                            objective=objective, actor=staff.mission)
    links = trace.links(scoped, [objective.pk])[objective.pk]
    assert [(x.kind, x.label, x.state) for x in links if x.kind == "decision"] == [
        ("decision", "Welcome calls", "open")]
    assert any(x.url.endswith(f"/decisions/{d.pk}/") for x in links)
