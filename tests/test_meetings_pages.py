"""The meetings pages work without JavaScript: schedule (refused with one side only), the
meeting page with its agenda drafted from the data, minutes, action items, circulation;
the action items list, the inbox and the operations manual with versions and diffs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope

from _meetings_support import build_world, schedule
from commonground.negotiation import services
from commonground.negotiation.models import InboxMessage, ManualPage, Meeting


@pytest.fixture
def w(association):
    with scope(association=association):
        return build_world(association)


@pytest.fixture
def client_of(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def test_schedule_page_refuses_one_side_then_schedules(w, client_of):
    c = client_of(w.business)
    url = "/a/acme/meetings/new/"
    assert "Mission side" in c.get(url).content.decode()
    one_side = {"title": "Regulation meeting", "starts_at": "2030-03-02T10:00",
                "business": [w.business.pk]}
    body = c.post(url, one_side).content.decode()
    assert "a meeting needs both sides: add someone from the mission side" in body
    response = c.post(url, {**one_side, "mission": [w.mission.pk]})
    assert response.status_code == 302
    with scope(association=w.association):
        meeting = Meeting.objects.get()
        assert meeting.participants.count() == 2
    assert response["Location"] == f"/a/acme/meetings/{meeting.pk}/"


def test_the_meeting_journey_on_pages(w, client_of, django_capture_on_commit_callbacks):
    with scope(association=w.association):
        meeting = schedule(w, days=-1)
    c = client_of(w.mission)
    url = f"/a/acme/meetings/{meeting.pk}/"
    page = c.get(url).content.decode()
    assert "Draft agenda from the data" in page and "Mission side" in page
    assert c.post(url + "draft/").status_code == 302
    page = c.get(url).content.decode()
    assert "Off track: Volunteers engaged" in page and "Drafted from the data" in page
    c.post(url + "items/", {"title": "Course pricing", "body": "Free or member price?"})
    c.post(url + "actions/", {"title": "Ask the chapters", "owner": w.business.pk,
                              "due_on": (w.today + timedelta(days=14)).isoformat()})
    page = c.get(url).content.decode()
    assert "Course pricing" in page and "Added by hand" in page and "Ask the chapters" in page
    with scope(association=w.association):
        item = meeting.agenda.get(title="Course pricing")
    c.post(url + "minutes/", {"minutes": "Both sides spoke.", f"note_{item.pk}": "No agreement yet.",
                              "attended": [w.mission.pk, w.business.pk]})
    page = c.get(url).content.decode()
    assert "Circulate the minutes" in page and "Both sides spoke." in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url + "circulate/")
    with scope(association=w.association):
        assert InboxMessage.objects.filter(kind="minutes").count() == 3
        message = InboxMessage.objects.get(kind="minutes", user=w.mission)
    assert message.url == url
    inbox = c.get("/a/acme/inbox/").content.decode()
    assert f"Minutes: {meeting.title}" in inbox and "unread" in inbox
    opened = c.post("/a/acme/inbox/read/", {"message": message.pk})
    assert opened["Location"] == url
    assert c.get(url + "circulate/").status_code == 302  # a GET only goes back to the page


def test_action_items_list_and_close(w, client_of):
    with scope(association=w.association):
        late = services.action_item_add(association=w.association, title="Overdue thing",
                                        owner=w.business, due_on=w.today - timedelta(days=3),
                                        actor=w.admin)
    c = client_of(w.business)
    page = c.get("/a/acme/actions/?show=overdue").content.decode()
    assert "Overdue thing" in page and "overdue" in page
    c.post(f"/a/acme/actions/{late.pk}/done/")
    assert "“Overdue thing” done." in c.get("/a/acme/actions/").content.decode()
    assert "Overdue thing" not in c.get("/a/acme/actions/").content.decode()
    assert "Overdue thing" in c.get("/a/acme/actions/?show=done").content.decode()


def test_manual_change_needs_a_held_meeting_and_keeps_versions(w, client_of):
    with scope(association=w.association):
        upcoming = schedule(w, days=3)
        held = schedule(w, days=-3, title="Spring regulation meeting")
        services.minutes_record(association=w.association, meeting=held, minutes="Agreed.",
                                actor=w.admin)
    c = client_of(w.mission)
    response = c.post("/a/acme/manual/", {"title": "Pricing new offerings"})
    with scope(association=w.association):
        page = ManualPage.objects.get()
    assert response["Location"] == f"/a/acme/manual/{page.pk}/edit/"
    edit = f"/a/acme/manual/{page.pk}/edit/"
    assert c.post(edit, {"body": "Both sides price together.\nThe board is told."}) \
        .status_code == 302
    body = c.post(edit, {"body": "Both sides price together.\nMembers first.",
                         "summary": "Members first"}).content.decode()
    assert "name the meeting that decided this change" in body
    body = c.post(edit, {"body": "Both sides price together.\nMembers first.",
                         "summary": "Members first", "meeting": upcoming.pk}).content.decode()
    assert "Select a valid choice" in body  # the form offers held meetings only
    assert c.post(edit, {"body": "Both sides price together.\nMembers first.",
                         "summary": "Members first", "meeting": held.pk}).status_code == 302
    detail = c.get(f"/a/acme/manual/{page.pk}/").content.decode()
    assert "Version 2" in detail and "decided at" in detail and "Spring regulation meeting" in detail
    diff = c.get(f"/a/acme/manual/{page.pk}/diff/?from=1&to=2").content.decode()
    assert "<del>The board is told.</del>" in diff and "<ins>Members first.</ins>" in diff
    meeting_page = c.get(f"/a/acme/meetings/{held.pk}/").content.decode()
    assert "Pricing new offerings, version 2" in meeting_page


def test_the_board_reads_but_cannot_write(w, client_of):
    with scope(association=w.association):
        meeting = schedule(w)
    c = client_of(w.board)
    url = f"/a/acme/meetings/{meeting.pk}/"
    assert c.get(url).status_code == 200
    c.post(url + "items/", {"title": "Board item"})
    with scope(association=w.association):
        assert not meeting.agenda.exists()
    assert "Only staff on the mission or the business side" in c.get(url).content.decode()
    c.post(url + "comments/", {"body": "Why is the course not free for students?"})
    assert "Why is the course not free for students?" in c.get(url).content.decode()


def test_the_meeting_page_reads_a_fixed_number_of_queries(w, client_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with scope(association=w.association):
        earlier = schedule(w, days=-30)
        meeting = schedule(w)
    c = client_of(w.mission)
    url = f"/a/acme/meetings/{meeting.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    c.get(url)  # warm the session
    few = count()
    with scope(association=w.association):
        for n in range(6):
            services.agenda_item_add(association=w.association, meeting=meeting,
                                     title=f"Item {n}", objective=w.behind, actor=w.mission)
            for m in (meeting, earlier):
                services.action_item_add(association=w.association, title=f"Do {n}",
                                         owner=w.business, due_on=w.today, meeting=m,
                                         actor=w.mission)
    assert count() == few
