"""Peer groups (propose, decide, join; group work → organisers' contributions), the portal
and staff pages, and engagement's part in merging, erasing and exporting a person."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from _cli_support import commonground
from commonground.activity.models import Activity, Source
from commonground.core.errors import DomainError, PermissionDenied
from commonground.engagement import services
from commonground.engagement.models import (
    Contribution,
    GroupMember,
    MemberTrait,
    Notice,
    Outcome,
    PeerGroup,
    Trait,
)
from commonground.people import services as ps
from commonground.people.privacy import person_export
from commonground.people.services.merge import person_merge
from commonground.portal.services import portal_access_grant
from commonground.tenancy.clock import association_today


@pytest.fixture
def people(association):
    with scope(association=association):
        ann = ps.person_create(association=association, first_name="Ann", email="ann@example.org")
        bob = ps.person_create(association=association, first_name="Bob", email="bob@example.org")
        ann_user, _ = portal_access_grant(association=association, person=ann)
        bob_user, _ = portal_access_grant(association=association, person=bob)
    return {"ann": ann, "bob": bob, "ann_user": ann_user, "bob_user": bob_user}


def purl(name, **kw):
    return reverse(f"portal:{name}", kwargs={"association": "acme", **kw})


def surl(name, **kw):
    return reverse(name, kwargs={"association": "acme", **kw})


def test_portal_propose_staff_approve_member_joins(staff_client, association, people):
    client = Client()  # the member's browser; staff_client is the staff member's
    client.force_login(people["ann_user"])
    bad = client.post(purl("groups"), {"name": "", "purpose": ""})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    assert client.post(purl("groups"), {"name": "Equine vets", "purpose": "Horses"}).status_code == 302
    with scope(association=association):
        g = PeerGroup.objects.get()
    assert "Proposed" in client.get(purl("groups")).content.decode()
    queue = staff_client.get(surl("group_list")).content.decode()
    assert "Equine vets" in queue and "Reason for declining" in queue
    staff_client.post(surl("group_approve", group_id=g.pk), {"forum": "Equine", "note": ""})
    with scope(association=association):
        g.refresh_from_db()
        assert g.status == "approved" and g.forum == "Equine"
        assert Notice.objects.filter(person=people["ann"], subject__contains="approved").exists()
    client.force_login(people["bob_user"])
    client.post(purl("group_join", group_id=g.pk))
    client.post(purl("group_join", group_id=g.pk))  # a double click joins once
    with scope(association=association):
        assert GroupMember.objects.filter(group=g).count() == 2
    assert staff_client.get(surl("group_detail", group_id=g.pk)).status_code == 200


def test_decisions_are_guarded(association, people):
    with scope(association=association):
        g = services.group_propose(association=association, person=people["ann"],
                                   name="Study circle", purpose="CE together")
        with pytest.raises(PermissionDenied):
            services.group_decide(association=association, group=g, approve=True,
                                  actor=people["ann_user"])
        with pytest.raises(DomainError):
            services.group_join(association=association, group=g, person=people["bob"])
        with pytest.raises(DomainError):  # declining needs a note
            services.group_decide(association=association, group=g, approve=False, note="")
        services.group_decide(association=association, group=g, approve=False, note="Overlaps")
        with pytest.raises(DomainError):
            services.group_decide(association=association, group=g, approve=True)
        with pytest.raises(DomainError):  # the last organiser cannot leave
            services.group_leave(association=association, group=g, person=people["ann"])


def test_group_work_becomes_organisers_contributions(association, people):
    ann, bob = people["ann"], people["bob"]
    with scope(association=association):
        g = services.group_propose(association=association, person=ann, name="Equine vets",
                                   purpose="Horses", forum="Equine")
        services.group_decide(association=association, group=g, approve=True)
        services.group_join(association=association, group=g, person=bob)
        src = Source.objects.create(association=association, slug="forum", name="Forum")
        last_month = association_today(association).replace(day=1) - timedelta(days=10)
        at = timezone.make_aware(datetime.combine(last_month, time(12)))
        Activity.objects.bulk_create([
            Activity(association=association, person=p, source=src, kind="forum_reply",
                     category="community", occurred_at=at + timedelta(minutes=i),
                     metadata={"forum": forum}, external_id=f"p{i}-{p.pk}-{forum}")
            for i in range(3) for p in (ann, bob) for forum in ("Equine", "Off topic")])
        assert services.group_contributions_infer(association=association)["created"] == 1
        assert services.group_contributions_infer(association=association)["created"] == 0
        c = Contribution.objects.get(origin="group")
        assert c.person == ann and c.status == "submitted" and c.kind == "peer_group"
        assert c.origin_ref == f"group:{g.pk}:{last_month:%Y-%m}"
        assert "6 posts by 2 members" in c.title


def test_merge_settles_once_per_person_rows(association, people):
    ann, bob = people["ann"], people["bob"]
    with scope(association=association):
        services.taxonomy_install_defaults(association=association)
        gb = Trait.objects.get(slug="giving_back")
        for p, strength in ((ann, 2), (bob, 5)):
            services.member_traits_set(association=association, person=p, source="member",
                                       kind="motivation", answers={gb.pk: strength})
        g = services.group_propose(association=association, person=bob, name="G", purpose="p")
        services.group_decide(association=association, group=g, approve=True)
        services.group_join(association=association, group=g, person=ann)
        services.contribution_create(association=association, person=bob, kind="talk",
                                     title="Bob's talk", occurred_on="2026-01-01",
                                     origin="member")
        person_merge(association=association, keep=ann, remove=bob)
        mt = MemberTrait.objects.get(person=ann, trait=gb, source="member")
        assert mt.strength == 5
        member = GroupMember.objects.get(group=g)
        assert member.person == ann and member.role == "organiser"
        assert Contribution.objects.get().person == ann


def test_erase_blanks_free_text_and_export_has_the_section(association, people):
    ann = people["ann"]
    with scope(association=association):
        services.outcome_create(association=association, person=ann, kind="client_won",
                                title="Won Jane Doe's account", occurred_on="2026-01-01",
                                reported_via="member", description="secret")
        services.contribution_create(association=association, person=ann, kind="talk",
                                     title="Talk on my divorce", occurred_on="2026-01-01",
                                     origin="member", description="private")
        services.notice_send(association=association, person=ann, subject="Hi", body="x",
                             email=False)
        export = person_export(ann, audited=False)
        section = export["engagement"]
        assert section["outcomes"][0]["title"] == "Won Jane Doe's account"
        assert section["contributions"][0]["description"] == "private"
        assert section["notices"][0]["subject"] == "Hi"
        ps.person_erase(association=association, person=ann)
        o, c = Outcome.objects.get(), Contribution.objects.get()
        assert (o.title, o.description) == ("Client or business won", "")
        assert (c.title, c.description) == ("Talk or presentation", "")
        assert not Notice.objects.exists()


def test_contributions_command(association, people, staff_user):
    with scope(association=association):
        c = services.contribution_create(association=association, person=people["ann"],
                                         kind="talk", title="Chapter talk",
                                         occurred_on="2026-01-01", origin="member")
    listed = commonground("contributions", "list", "--association", "acme")
    assert "Chapter talk" in listed.out
    ran = commonground("contributions", "verify", str(c.pk), "--association", "acme", "--by",
                       staff_user.email)
    assert ran.code == 0 and "verified" in ran.out
    bad = commonground("contributions", "reject", str(c.pk), "999999", "--association", "acme",
                       "--reason", "Duplicate")
    assert bad.code != 0 and "999999: no such contribution" in bad.err
    with scope(association=association):
        assert Contribution.objects.get(pk=c.pk).status == "rejected"
    assert commonground("contributions", "verify", str(c.pk), "--association", "acme", "--by",
                        "ann@example.org").code != 0  # not staff
