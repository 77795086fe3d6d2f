"""Regulation meetings: both sides required, the series' cadence, the agenda drafted from
the data (idempotent), manual items, minutes, action items carried over until done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django_scopes import scope

from _meetings_support import at, build_world, schedule
from commonground.core.errors import Conflict, PermissionDenied, ValidationFailed
from commonground.negotiation import agenda, services
from commonground.negotiation.models import ActionItem, AgendaItem, InboxMessage, Meeting
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def w(association):
    with scope(association=association):
        yield build_world(association)


def test_a_meeting_needs_both_sides(w):
    with pytest.raises(ValidationFailed) as exc:
        services.meeting_schedule(association=w.association, title="Business only",
                                  starts_at=at(w.today), participants=[(w.business, "business")],
                                  actor=w.business)
    assert exc.value.fields["participants"] == [
        "a meeting needs both sides: add someone from the mission side"]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who,side,message", [
    ("business", "mission", "is not on the mission side"),
    ("board", "mission", "is not on the mission side"),
    ("mission", "both", "a user and a side"),
])
def test_each_participant_sits_on_a_side_they_hold(w, who, side, message):
    with pytest.raises(ValidationFailed) as exc:
        services.meeting_schedule(association=w.association, title="M", starts_at=at(w.today),
                                  participants=[(getattr(w, who), side),
                                                (w.business, "business")], actor=w.business)
    assert any(message in m for m in exc.value.fields["participants"])


def test_the_board_cannot_schedule(w):
    with pytest.raises(PermissionDenied):
        services.meeting_schedule(association=w.association, title="M", starts_at=at(w.today),
                                  participants=[(w.mission, "mission"), (w.business, "business")],
                                  actor=w.board)


def test_a_series_schedules_its_next_meeting_from_the_cadence(w):
    series = services.series_save(association=w.association, name="Regulation meeting",
                                  cadence="trimester", actor=w.admin,
                                  participants=[(w.mission, "mission"), (w.business, "business")])
    first = services.meeting_schedule(association=w.association, title="First",
                                      starts_at=at(w.today + timedelta(days=3)), series=series,
                                      actor=w.admin)
    assert sorted(first.participants.values_list("side", flat=True)) == ["business", "mission"]
    nxt = services.meeting_schedule_next(association=w.association, series=series,
                                         actor=w.admin)
    assert nxt.starts_at == first.starts_at + relativedelta(months=4)
    assert nxt.participants.count() == 2 and nxt.title.startswith("Regulation meeting, ")


def test_agenda_drafted_from_the_data_and_idempotent(w):
    earlier = schedule(w, days=-30, title="Last trimester")
    carried = services.action_item_add(association=w.association, title="Call lapsed members",
                                       owner=w.business, due_on=w.today - timedelta(days=2),
                                       meeting=earlier, actor=w.mission)
    services.action_item_add(association=w.association, title="Done already",
                             owner=w.business, due_on=w.today, meeting=earlier, actor=w.mission)
    services.action_item_complete(association=w.association,
                                  item=ActionItem.objects.get(title="Done already"),
                                  actor=w.business)
    loose = services.action_item_add(association=w.association, title="Print the flyers",
                                     owner=w.mission, due_on=w.today - timedelta(days=1),
                                     actor=w.mission)
    meeting = schedule(w)
    services.agenda_item_add(association=w.association, meeting=meeting,
                             title="Course pricing", actor=w.business)
    added = services.agenda_draft(association=w.association, meeting=meeting, today=w.today,
                                  actor=w.mission)
    keys = [i.origin_key for i in added]
    assert keys == [f"action:{carried.pk}", f"objective:{w.behind.pk}", f"action:{loose.pk}"]
    items = list(meeting.agenda.all())
    assert [i.origin for i in items] == ["manual", "carried", "data", "data"]
    assert items[1].action_item_id == carried.pk and "overdue" in items[1].title
    assert items[2].objective_id == w.behind.pk and items[2].title.startswith("Off track")
    assert services.agenda_draft(association=w.association, meeting=meeting, today=w.today,
                                 actor=w.mission) == []
    assert meeting.agenda.count() == 4
    assert AuditEntry.objects.filter(action="meeting.agenda_drafted").count() == 2


def test_a_registered_source_adds_items(w):
    def waiting(*, association, meeting, today):
        yield agenda.AgendaProposal(origin_key="decision:test", title="Waiting for mission")

    agenda.register_source("test_waiting", waiting, order=40)
    try:
        meeting = schedule(w)
        added = services.agenda_draft(association=w.association, meeting=meeting,
                                      today=w.today, actor=w.mission)
    finally:
        agenda.unregister_source("test_waiting")
    assert "decision:test" in [i.origin_key for i in added]


def test_minutes_then_circulated_then_frozen(w):
    meeting = schedule(w, days=-1)
    item = services.agenda_item_add(association=w.association, meeting=meeting,
                                    title="Pricing", objective=w.behind, actor=w.business)
    services.minutes_record(association=w.association, meeting=meeting, minutes="We met.",
                            notes={item.pk: "Both sides spoke."}, attended=[w.mission.pk],
                            actor=w.business)
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.held_at
    assert AgendaItem.objects.get(pk=item.pk).notes == "Both sides spoke."
    assert list(meeting.participants.filter(attended=True).values_list("user_id", flat=True)) \
        == [w.mission.pk]
    with pytest.raises(Conflict):
        services.agenda_draft(association=w.association, meeting=meeting, today=w.today,
                              actor=w.business)
    sent = services.meeting_circulate(association=w.association, meeting=meeting,
                                      actor=w.business)
    # participants + the owner of the objective on the agenda
    assert sent == 3
    assert set(InboxMessage.objects.filter(kind="minutes").values_list("user_id", flat=True)) \
        == {w.mission.pk, w.business.pk, w.volunteers.pk}
    assert services.meeting_circulate(association=w.association, meeting=meeting,
                                      actor=w.business) == 0
    assert InboxMessage.objects.filter(kind="minutes").count() == 3
    with pytest.raises(Conflict):
        services.minutes_record(association=w.association, meeting=meeting, minutes="Edit",
                                actor=w.business)


def test_circulating_before_minutes_is_refused(w):
    meeting = schedule(w)
    with pytest.raises(ValidationFailed) as exc:
        services.meeting_circulate(association=w.association, meeting=meeting,
                                   actor=w.business)
    assert "minutes" in exc.value.fields


def test_action_item_owner_must_be_staff_on_a_side(w):
    with pytest.raises(ValidationFailed) as exc:
        services.action_item_add(association=w.association, title="Write", owner=w.board,
                                 due_on=w.today, actor=w.business)
    assert "owner" in exc.value.fields
    item = services.action_item_add(association=w.association, title="Write",
                                    owner=w.mission, due_on=w.today, actor=w.business)
    assert InboxMessage.objects.filter(user=w.mission, kind="action.assigned").count() == 1
    services.action_item_drop(association=w.association, item=item, actor=w.business)
    with pytest.raises(Conflict):
        services.action_item_complete(association=w.association, item=item, actor=w.business)


def test_manual_changes_name_a_held_meeting(w):
    page = services.manual_page_save(association=w.association, title="Pricing", actor=w.admin)
    first = services.manual_revise(association=w.association, page=page, body="v1",
                                   summary="", meeting=None, actor=w.admin)
    assert first.version == 1
    upcoming = schedule(w)
    for meeting, message in ((None, "name the meeting"), (upcoming, "has not been held yet")):
        with pytest.raises(ValidationFailed) as exc:
            services.manual_revise(association=w.association, page=page, body="v2",
                                   summary="Why", meeting=meeting, actor=w.admin)
        assert message in exc.value.fields["meeting"][0]
    services.minutes_record(association=w.association, meeting=upcoming, minutes="Held",
                            actor=w.admin)
    second = services.manual_revise(association=w.association, page=page, body="v2",
                                    summary="Why", meeting=upcoming, actor=w.admin)
    assert (second.version, second.meeting_id) == (2, upcoming.pk)
    with pytest.raises(ValidationFailed, match="Nothing changed"):
        services.manual_revise(association=w.association, page=page, body="v2",
                               summary="Again", meeting=upcoming, actor=w.admin)
    with pytest.raises(ValidationFailed) as exc:
        services.manual_page_save(association=w.association, title="Pricing", actor=w.admin)
    assert "slug" in exc.value.fields


def test_a_lapse_spike_in_a_chapter_is_drafted(w):
    from commonground.membership import services as ms
    from commonground.membership.models import Transition
    from commonground.people.services import chapter_create, person_create

    north = chapter_create(association=w.association, name="North")
    south = chapter_create(association=w.association, name="South")
    plan = ms.plan_save(association=w.association, name="Individual", price="50")
    lapses = []
    # North: 4 lapses in the last 90 days, 2 in the year before (usual 0.5): a spike.
    # South: 3 recent, 12 in the year before (usual ~3): its normal rate.
    for chapter, recent, prior in ((north, 4, 2), (south, 3, 12)):
        for n in range(recent + prior):
            person = person_create(association=w.association, first_name=f"{chapter.name}{n}",
                                   chapter=chapter)
            m = ms.membership_join(association=w.association, plan=plan, person=person,
                                   invoice=False)
            days = 10 + n if n < recent else 100 + 20 * (n - recent)
            lapses.append(Transition(association=w.association, membership=m, event="lapsed",
                                     to_status="lapsed", on=w.today - timedelta(days=days)))
    Transition.objects.bulk_create(lapses)
    meeting = schedule(w)
    added = services.agenda_draft(association=w.association, meeting=meeting, today=w.today,
                                  actor=w.mission)
    spikes = [i for i in added if i.origin_key.startswith("lapse_spike")]
    assert [i.origin_key for i in spikes] == [f"lapse_spike:chapter:{north.pk}"]
    assert spikes[0].title == "Lapse spike in North: 4 lapses in 90 days"
    assert "Usually about 0.5 per 90 days" in spikes[0].body


def test_trace_links_from_objectives(w):
    from commonground.planning import trace

    meeting = schedule(w)
    services.agenda_draft(association=w.association, meeting=meeting, today=w.today,
                          actor=w.mission)
    services.action_item_add(association=w.association, title="Recruit volunteers",
                             owner=w.mission, due_on=w.today - timedelta(days=1),
                             objective=w.behind, meeting=meeting, actor=w.mission)
    found = trace.links(w.association, [w.behind.pk, w.on_pace.pk])
    kinds = [(link.kind, link.state) for link in found[w.behind.pk]]
    assert kinds == [("meeting", "scheduled"), ("action_item", "overdue")]
    assert found[w.behind.pk][0].url == f"/a/acme/meetings/{meeting.pk}/"
    assert found[w.on_pace.pk] == []
