"""Staff notes on a profile: added and pinned without JavaScript, audited, exported, erased."""

from __future__ import annotations

import pytest
from django_scopes import scope

from commonground.people import services as ps
from commonground.people.models import Note
from commonground.people.privacy import person_export
from commonground.people.services.notes import note_add
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def ada(association):
    with scope(association=association):
        return ps.person_create(association=association, first_name="Ada", last_name="Lovelace",
                                email="ada@example.org")


def profile(client, person):
    return client.get(f"/a/acme/people/{person.pk}/").content.decode()


def test_staff_add_a_note_from_the_profile(staff_client, ada, staff_user, association):
    page = profile(staff_client, ada)
    assert 'id="notes-h"' in page and '<label for="note-body">Add a note</label>' in page
    response = staff_client.post(f"/a/acme/people/{ada.pk}/notes/",
                                 {"body": "Prefers phone calls.\nAsk about the gala."})
    assert response.status_code == 302 and response.url.endswith(f"/people/{ada.pk}/#notes-h")
    page = profile(staff_client, ada)
    assert "Prefers phone calls.<br>Ask about the gala." in page
    assert staff_user.email in page
    with scope(association=association):
        entry = AuditEntry.objects.get(action="person.note_added")
        assert entry.object_id == ada.pk and entry.actor == staff_user
        assert "Prefers" not in str(entry.data)  # the text stays out of the audit log


def test_an_empty_note_is_refused_with_a_message(staff_client, ada, association):
    response = staff_client.post(f"/a/acme/people/{ada.pk}/notes/", {"body": "   "}, follow=True)
    assert "Required" in response.content.decode()
    with scope(association=association):
        assert not Note.objects.exists()


def test_pinned_notes_come_first_and_can_be_unpinned(staff_client, ada, association, staff_user):
    with scope(association=association):
        old = note_add(association=association, person=ada, body="Old but important",
                       actor=staff_user)
        note_add(association=association, person=ada, body="Newer", actor=staff_user)
    assert profile(staff_client, ada).index("Newer") < profile(staff_client, ada).index("Old but")
    staff_client.post(f"/a/acme/notes/{old.pk}/pin/", {"pinned": "1"})
    page = profile(staff_client, ada)
    assert page.index("Old but") < page.index("Newer") and "Pinned" in page
    staff_client.post(f"/a/acme/notes/{old.pk}/pin/", {"pinned": "0"})
    assert profile(staff_client, ada).index("Newer") < profile(staff_client, ada).index("Old but")
    with scope(association=association):
        assert AuditEntry.objects.filter(action__in=["person.note_pinned",
                                                     "person.note_unpinned"]).count() == 2


def test_notes_are_in_the_export_and_emptied_by_erasure(ada, association, staff_user):
    with scope(association=association):
        note_add(association=association, person=ada, body="Lives with her cat Babbage",
                 actor=staff_user)
        exported = person_export(ada)
        assert exported["notes"][0]["body"] == "Lives with her cat Babbage"
        assert exported["notes"][0]["by"] == staff_user.email
        ps.person_erase(association=association, person=ada)
        note = Note.objects.get()
        # Free text about someone cannot be anonymised reliably: the body goes; that a
        # note existed (who, when) stays.
        assert note.body == "" and note.author == staff_user
        assert "Babbage" not in str(person_export(ada))
        with pytest.raises(Exception, match="erased"):
            note_add(association=association, person=ada, body="More", actor=staff_user)


def test_note_pin_of_another_association_is_404(staff_client, other_association):
    with scope(association=other_association):
        theirs = ps.person_create(association=other_association, first_name="Zed")
        note = note_add(association=other_association, person=theirs, body="Theirs")
    assert staff_client.post(f"/a/acme/notes/{note.pk}/pin/", {"pinned": "1"}).status_code == 404
    with scope(association=other_association):
        assert not Note.objects.get(pk=note.pk).pinned
