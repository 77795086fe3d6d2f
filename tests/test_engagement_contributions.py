"""Contributions: create (idempotent by origin_ref), the verification state machine, who may
verify or edit, notices on decisions, value_changed, the portal pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.core.errors import DomainError, PermissionDenied, ValidationFailed
from commonground.engagement import services, signals
from commonground.engagement.models import Contribution, ContributionStatus, Notice, Outcome
from commonground.people import services as ps
from commonground.portal.services import portal_access_grant
from commonground.tenancy.services import staff_add

S = ContributionStatus


@pytest.fixture
def people(association):
    with scope(association=association):
        ann = ps.person_create(association=association, first_name="Ann", email="ann@example.org")
        bob = ps.person_create(association=association, first_name="Bob", email="bob@example.org")
        ann_user, _ = portal_access_grant(association=association, person=ann)
        bob_user, _ = portal_access_grant(association=association, person=bob)
    return {"ann": ann, "bob": bob, "ann_user": ann_user, "bob_user": bob_user}


@pytest.fixture
def changed():
    seen: list[list[int]] = []

    def receiver(sender, *, association, person_ids, **kw):
        seen.append(person_ids)

    signals.value_changed.connect(receiver, dispatch_uid="test.value_changed")
    yield seen
    signals.value_changed.disconnect(dispatch_uid="test.value_changed")


def make(association, person, **kw):
    args = {"kind": "talk", "title": "Spring talk", "occurred_on": date(2026, 3, 1),
            "origin": "member"} | kw
    return services.contribution_create(association=association, person=person, **args)


def test_create_is_idempotent_by_origin_ref(association, people):
    with scope(association=association):
        a = make(association, people["ann"], origin="opportunity", origin_ref="opportunity:7")
        b = make(association, people["ann"], origin="opportunity", origin_ref="opportunity:7",
                 title="Other title")
        assert a.pk == b.pk and Contribution.objects.count() == 1
        assert a.status == S.SUBMITTED


@pytest.mark.parametrize("kw,field", [
    ({"kind": "juggling"}, "kind"), ({"title": "  "}, "title"),
    ({"occurred_on": "31/02/2026"}, "occurred_on"), ({"occurred_on": date.today() + timedelta(days=9)},
                                                     "occurred_on"),
    ({"hours": "-1"}, "hours"), ({"hours": "lots"}, "hours"), ({"hours": "1e400"}, "hours"),
    ({"origin": "magic"}, "origin"), ({"origin": "inferred"}, "origin_ref"),
    ({"origin": "group", "origin_ref": "activity:1"}, "origin_ref"),
])
def test_garbage_gets_field_messages(association, people, kw, field):
    with scope(association=association), pytest.raises(ValidationFailed) as exc:
        make(association, people["ann"], **kw)
    assert field in exc.value.fields


def test_another_associations_person_is_refused(association, other_association, people):
    with scope(association=other_association), pytest.raises(ValidationFailed) as exc:
        make(other_association, people["ann"])
    assert "person" in exc.value.fields


def test_verify_notifies_and_sends_value_changed(association, people, staff_user, changed,
                                                 smtp_server, django_capture_on_commit_callbacks):
    with scope(association=association), django_capture_on_commit_callbacks(execute=True):
        c = make(association, people["ann"])
        assert changed == []  # waiting contributions do not count
        c = services.contribution_verify(association=association, contribution=c,
                                         actor=staff_user)
        assert c.status == S.VERIFIED and c.verified_by == staff_user
        assert changed == [[people["ann"].pk]]
        again = services.contribution_verify(association=association, contribution=c,
                                             actor=staff_user)
        assert again.status == S.VERIFIED and changed == [[people["ann"].pk]]
        services.contribution_reject(association=association, contribution=c,
                                     reason="Not our event", actor=staff_user)
        assert len(changed) == 2
        assert Notice.objects.filter(person=people["ann"]).count() == 2
    msgs = smtp_server.wait_for(2)
    assert "verified" in msgs[0]["Subject"] and "Not our event" in msgs[1].get_content()


def test_reject_needs_a_reason(association, people, staff_user):
    with scope(association=association):
        c = make(association, people["ann"])
        with pytest.raises(ValidationFailed) as exc:
            services.contribution_reject(association=association, contribution=c, reason="",
                                         actor=staff_user)
    assert "reason" in exc.value.fields


def test_nobody_verifies_their_own(association, people):
    """A staff user who is also the member is refused."""
    staff = staff_add(association=association, email="ann@example.org", role_key="membership")
    with scope(association=association):
        c = make(association, people["ann"])
        assert staff.user == people["ann_user"]
        with pytest.raises(PermissionDenied):
            services.contribution_verify(association=association, contribution=c,
                                         actor=people["ann_user"])
        with pytest.raises(PermissionDenied):
            services.contribution_reject(association=association, contribution=c, reason="x",
                                         actor=people["ann_user"])
        assert Contribution.objects.get(pk=c.pk).status == S.SUBMITTED


def test_member_edits_only_their_own_unverified(association, people, staff_user):
    with scope(association=association):
        c = make(association, people["ann"])
        with pytest.raises(PermissionDenied):
            services.contribution_update(association=association, contribution=c,
                                         as_member=people["bob"], kind="talk", title="Mine now",
                                         occurred_on=date(2026, 3, 1))
        services.contribution_reject(association=association, contribution=c, reason="Dates?",
                                     actor=staff_user)
        c = services.contribution_update(association=association, contribution=c,
                                         as_member=people["ann"], kind="talk",
                                         title="Spring talk", occurred_on=date(2026, 3, 2))
        assert c.status == S.SUBMITTED and c.rejection_reason == ""  # back in the queue
        services.contribution_verify(association=association, contribution=c, actor=staff_user)
        with pytest.raises(DomainError):
            services.contribution_update(association=association, contribution=c,
                                         as_member=people["ann"], kind="talk", title="x",
                                         occurred_on=date(2026, 3, 2))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["verify", "reject"]), st.booleans()),
                      max_size=6))
def test_status_machine(association, people, staff_user, steps):
    """Any sequence of decisions ends in a state the machine allows, each refused step changes
    nothing, and the decision fields agree with the status."""
    with scope(association=association):
        c = make(association, people["ann"], title=f"t{len(steps)}")
        state = S.SUBMITTED
        for action, own in steps:
            actor = people["ann_user"] if own else staff_user
            target = S.VERIFIED if action == "verify" else S.REJECTED
            try:
                if action == "verify":
                    services.contribution_verify(association=association, contribution=c,
                                                 actor=actor)
                else:
                    services.contribution_reject(association=association, contribution=c,
                                                 reason="r", actor=actor)
            except PermissionDenied:
                assert own
            else:
                assert not own
                assert target == state or target in services.TRANSITIONS[state]
                state = target
            c.refresh_from_db()
            assert c.status == state
            assert (c.rejection_reason != "") == (state == S.REJECTED)
            assert (c.verified_at is None) == (state == S.SUBMITTED)
        c.delete()


def purl(name, **kw):
    return reverse(f"portal:{name}", kwargs={"association": "acme", **kw})


def test_portal_submit_edit_withdraw(client, association, people):
    client.force_login(people["ann_user"])
    assert client.get(purl("contributions")).status_code == 200
    bad = client.post(purl("contributions"), {"kind": "talk", "title": "", "occurred_on": "x"})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    ok = client.post(purl("contributions"), {"kind": "mentoring", "title": "Mentored two",
                                             "occurred_on": "2026-02-01", "hours": "3.5"})
    assert ok.status_code == 302
    with scope(association=association):
        c = Contribution.objects.get()
    assert c.origin == "member" and str(c.hours) == "3.50" and c.submitted_by == people["ann_user"]
    assert "Mentored two" in client.get(purl("contributions")).content.decode()
    # Bob cannot see, edit or withdraw Ann's.
    client.force_login(people["bob_user"])
    assert client.get(purl("contribution_edit", contribution_id=c.pk)).status_code == 404
    assert client.post(purl("contribution_withdraw", contribution_id=c.pk)).status_code == 404
    client.force_login(people["ann_user"])
    client.post(purl("contribution_withdraw", contribution_id=c.pk))
    with scope(association=association):
        assert not Contribution.objects.exists()


def test_staff_queue_verify_reject_and_record(staff_client, association, people):
    with scope(association=association):
        a = make(association, people["ann"], title="Ann's talk")
        b = make(association, people["bob"], title="Bob's article", kind="article",
                 origin="inferred", origin_ref="activity:1")
    url = reverse("contribution_queue", kwargs={"association": "acme"})
    page = staff_client.get(url).content.decode()
    assert "Ann&#x27;s talk" in page and "Bob&#x27;s article" in page
    assert "Bob&#x27;s article" in staff_client.get(url, {"origin": "inferred"}).content.decode()
    assert "Ann&#x27;s talk" not in staff_client.get(url, {"origin": "inferred"}).content.decode()
    kw = {"association": "acme"}
    staff_client.post(reverse("contribution_verify", kwargs={**kw, "contribution_id": a.pk}))
    empty = staff_client.post(reverse("contribution_reject", kwargs={**kw, "contribution_id": b.pk}),
                              {"reason": ""}, follow=True)
    assert "required" in empty.content.decode()
    staff_client.post(reverse("contribution_reject", kwargs={**kw, "contribution_id": b.pk}),
                      {"reason": "Not an article"})
    with scope(association=association):
        assert Contribution.objects.get(pk=a.pk).status == S.VERIFIED
        assert Contribution.objects.get(pk=b.pk).status == S.REJECTED
    record = reverse("contribution_record", kwargs={**kw, "person_id": people["ann"].pk})
    assert staff_client.post(record, {"kind": "committee", "title": "Board term",
                                      "occurred_on": "2026-01-05", "verified": "on"}
                             ).status_code == 302
    with scope(association=association):
        c = Contribution.objects.get(title="Board term")
    assert c.origin == "staff" and c.status == S.VERIFIED


def test_portal_outcomes(client, association, people, changed):
    client.force_login(people["ann_user"])
    url = purl("outcomes")
    bad = client.post(url, {"kind": "client_won", "title": "", "occurred_on": "2999-01-01"})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    assert client.post(url, {"kind": "promotion", "title": "Head of practice",
                             "occurred_on": "2026-02-01"}).status_code == 302
    assert changed == [[people["ann"].pk]]  # outcomes count toward the derived score
    with scope(association=association):
        o = Outcome.objects.get()
    assert o.reported_via == "member" and "Head of practice" in client.get(url).content.decode()
    edit = purl("outcome_edit", outcome_id=o.pk)
    client.post(edit, {"kind": "promotion", "title": "Head of the practice",
                       "occurred_on": "2026-02-01"})
    client.force_login(people["bob_user"])
    assert client.get(edit).status_code == 404
    client.force_login(people["ann_user"])
    client.post(edit, {"delete": "1"})
    with scope(association=association):
        assert not Outcome.objects.exists()
    assert len(changed) == 3
