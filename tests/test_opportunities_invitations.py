"""Invitations: the state machine (pure and through the services, with Hypothesis), capacity
and "filled", completion → a contribution waiting for verification, member-only events,
notices by email over a real SMTP server on loopback."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from commonground.engagement.models import Contribution, Notice
from commonground.opportunities import services, states
from commonground.opportunities.models import Invitation, InvitationStatus, Opportunity
from commonground.people.services import person_create
from commonground.tenancy.models import AuditEntry

S = InvitationStatus


# ---------------------------------------------------------------- the pure machine

@settings(deadline=None)
@given(st.lists(st.sampled_from(states.EVENTS), max_size=15))
def test_any_event_sequence_keeps_the_machine_sound(events):
    status, history = states.START, [states.START]
    for event in events:
        try:
            to = states.next_status(status, event)
        except TransitionNotAllowed:
            assert event not in states.allowed_events(status)
            continue
        if status in states.FINAL:
            assert to == status  # a final state never moves (a retry may repeat it)
        if to == S.COMPLETED:
            assert S.ACCEPTED in history
        if to == S.ACCEPTED:
            assert status in (S.INVITED, S.ACCEPTED)
        status = to
        history.append(to)
    assert status in {states.START, *S.values}


def test_unknown_event_is_refused_with_a_field():
    with pytest.raises(TransitionNotAllowed) as exc:
        states.next_status(S.INVITED, "teleport")
    assert exc.value.fields == {"action": ["unknown"]}


# ---------------------------------------------------------------- through the services

@pytest.fixture
def crew(scoped):
    people = [person_create(association=scoped, first_name=n, email=f"{n.lower()}@example.org")
              for n in ("Ann", "Ben", "Col")]
    return scoped, people


def _opportunity(a, capacity=2, **kw):
    return services.opportunity_save(association=a, type="mentor", title="Mentor a new member",
                                     capacity=capacity, status="open", effort_hours="6", **kw)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(states.EVENTS)),
                      max_size=8))
def test_services_follow_the_machine_and_capacity(crew, steps):
    a, people = crew
    opp = _opportunity(a, capacity=2)
    model = {p.pk: states.START for p in people}
    for who, event in steps:
        person = people[who]
        try:
            expected = states.next_status(model[person.pk], event)
        except TransitionNotAllowed:
            expected = None
        taken = sum(1 for s in model.values() if s in states.TAKING_PLACE)
        opp.refresh_from_db()
        if expected == S.ACCEPTED and model[person.pk] != S.ACCEPTED and taken >= opp.capacity:
            expected = None  # no place left
        if event in ("invite", "interest") and expected != model[person.pk] \
                and opp.status != "open":
            expected = None  # filled: nobody new is asked
        try:
            inv = services.invitation_advance(association=a, opportunity=opp, person=person,
                                              event=event)
        except DomainError:
            assert expected is None, (model[person.pk], event)
            continue
        assert expected is not None, (model[person.pk], event)
        assert inv.status == expected
        model[person.pk] = expected
        taken = sum(1 for s in model.values() if s in states.TAKING_PLACE)
        opp.refresh_from_db()
        assert services.places_taken(opp) == taken <= opp.capacity
        assert (opp.status == "filled") == (taken >= opp.capacity)
    for person in people:
        inv = Invitation.objects.filter(opportunity=opp, person=person).first()
        assert (inv.status if inv else states.START) == model[person.pk]
        if inv and inv.status == S.COMPLETED:
            c = Contribution.objects.get(origin_ref=f"opportunity:{inv.pk}")
            assert inv.contribution_id == c.pk and c.status == "submitted"


def test_completion_records_one_contribution_to_verify(crew):
    a, (ann, *_) = crew
    opp = _opportunity(a, capacity=1)
    for event in ("invite", "accept", "complete", "complete"):
        inv = services.invitation_advance(association=a, opportunity=opp, person=ann, event=event)
    c = Contribution.objects.get(person=ann)
    assert (c.kind, c.origin, c.status, c.hours) == ("mentoring", "opportunity", "submitted", 6)
    assert c.origin_ref == f"opportunity:{inv.pk}" and c.title == "Mentor: Mentor a new member"
    assert AuditEntry.objects.filter(action="invitation.completed").count() == 1
    opp.refresh_from_db()
    assert opp.status == "filled"


def test_completion_refuses_a_future_date(crew):
    a, (ann, *_) = crew
    opp = _opportunity(a)
    for event in ("invite", "accept"):
        services.invitation_advance(association=a, opportunity=opp, person=ann, event=event)
    with pytest.raises(DomainError) as exc:
        services.invitation_advance(association=a, opportunity=opp, person=ann, event="complete",
                                    occurred_on=date(2999, 1, 1))
    assert "occurred_on" in exc.value.fields
    assert Invitation.objects.get(person=ann).status == S.ACCEPTED


def test_member_may_only_raise_a_hand_accept_or_decline(crew):
    a, (ann, *_) = crew
    opp = _opportunity(a)
    services.invitation_advance(association=a, opportunity=opp, person=ann, event="interest",
                                by_member=True)
    with pytest.raises(PermissionDenied):
        services.invitation_advance(association=a, opportunity=opp, person=ann, event="invite",
                                    by_member=True)
    services.invitation_advance(association=a, opportunity=opp, person=ann, event="invite")
    inv = services.invitation_advance(association=a, opportunity=opp, person=ann, event="accept",
                                      by_member=True)
    assert inv.status == S.ACCEPTED
    with pytest.raises(PermissionDenied):
        services.invitation_advance(association=a, opportunity=opp, person=ann, event="complete",
                                    by_member=True)


def test_opportunity_garbage_gets_field_messages(scoped):
    with pytest.raises(DomainError) as exc:
        services.opportunity_save(association=scoped, type="juggler", title="", capacity="lots",
                                  effort_hours="1e999", required_skills=["x"], chapter=99999,
                                  starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1))
    assert set(exc.value.fields) >= {"type", "title", "capacity", "effort_hours",
                                     "required_skills", "chapter", "ends_on"}
    assert not Opportunity.objects.exists()


# ---------------------------------------------------------------- notices by email

def test_invitation_reaches_the_member_by_email_and_portal(crew, smtp_server,
                                                          django_capture_on_commit_callbacks):
    a, (ann, *_) = crew
    opp = _opportunity(a)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_advance(association=a, opportunity=opp, person=ann, event="invite",
                                    message="We would love you to do it.")
    msg = smtp_server.wait_for(1)[0]
    assert msg["To"] == "ann@example.org"
    assert msg["Subject"] == "You are invited: Mentor a new member"
    content = msg.get_content()
    assert "We would love you to do it." in content
    assert f"/m/{a.slug}/opportunities/{opp.pk}/" in content
    notice = Notice.objects.get(person=ann)
    assert notice.url == f"/m/{a.slug}/opportunities/{opp.pk}/"


def test_another_associations_invitation_is_invisible(crew, other_association):
    a, (ann, *_) = crew
    opp = _opportunity(a)
    services.invitation_advance(association=a, opportunity=opp, person=ann, event="invite")
    with scope(association=other_association):
        assert not Invitation.objects.exists() and not Opportunity.objects.exists()


def test_merge_keeps_the_invitation_further_along(crew):
    from commonground.people.services import person_merge  # the merge is people's service

    a, (ann, ben, _) = crew
    opp = _opportunity(a)
    services.invitation_advance(association=a, opportunity=opp, person=ann, event="interest")
    services.invitation_advance(association=a, opportunity=opp, person=ben, event="invite")
    person_merge(association=a, keep=ann, remove=ben)
    inv = Invitation.objects.get(opportunity=opp)
    assert (inv.person_id, inv.status) == (ann.pk, "invited")
