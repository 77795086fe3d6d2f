"""Recognition pages: the member's badges and credential download, the public page
(opt-in only), nominating, the expert network (apply, vet, search vetted only), the staff
pages, and recognition's part in merging, erasing and exporting a person."""

from __future__ import annotations

import jwt
import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from _recognition_support import contribute, member
from commonground.engagement.models import Trait
from commonground.people.privacy import person_export
from commonground.people.services import person_erase
from commonground.people.services.merge import person_merge
from commonground.portal.services import portal_access_grant
from commonground.recognition import services
from commonground.recognition.models import Award, ExpertProfile, Nomination


def purl(name, **kw):
    return reverse(f"portal:{name}", kwargs={"association": "acme", **kw})


def surl(name, **kw):
    return reverse(name, kwargs={"association": "acme", **kw})


@pytest.fixture
def world(association):
    with scope(association=association):
        tiers = {t.slug: t for t in services.tiers_install_defaults(association=association)}
        ann, bob = member(association, "Ann"), member(association, "Bob")
        ann_user, _ = portal_access_grant(association=association, person=ann)
        bob_user, _ = portal_access_grant(association=association, person=bob)
        award = services.award_issue(association=association, tier=tiers["leader"], person=ann)
        skill = Trait.objects.create(association=association, kind="skill", slug="equine",
                                     name="Equine dentistry")
    return {"tiers": tiers, "ann": ann, "bob": bob, "ann_user": ann_user, "bob_user": bob_user,
            "award": award, "skill": skill}


def test_member_sees_badges_and_downloads_only_their_own_credential(client, world):
    client.force_login(world["ann_user"])
    body = client.get(purl("recognition")).content.decode()
    assert "Leader" in body and f"/badges/acme/assertions/{world['award'].uuid}" in body
    response = client.get(purl("recognition_credential", uuid=world["award"].uuid))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    claims = jwt.decode(response.content, options={"verify_signature": False})
    assert claims["vc"]["credentialSubject"]["achievement"]["name"] == "Leader"
    client.force_login(world["bob_user"])
    assert client.get(purl("recognition_credential", uuid=world["award"].uuid)).status_code == 404
    assert client.get(purl("recognition_credential", uuid="junk")).status_code == 404


def test_public_page_shows_only_members_who_opted_in(client, world):
    assert "Ann" not in client.get("/badges/acme/").content.decode()
    client.force_login(world["ann_user"])
    client.post(purl("recognition_public_set"), {"public": "on", "headline": "Chapter lead"})
    client.logout()
    page = client.get("/badges/acme/").content.decode()
    assert "Ann Tester" in page and "Chapter lead" in page and "Leader" in page
    assert client.get("/badges/nobody/").status_code == 404


def test_member_nominates_a_fellow_member_not_themselves(client, world, association):
    client.force_login(world["bob_user"])
    data = {"tier": world["tiers"]["star"].pk, "email": "ann@example.org",
            "reason": "Mentored five new members"}
    assert client.post(purl("recognition_nominate"), data).status_code == 302
    with scope(association=association):
        n = Nomination.objects.get()
        assert n.person == world["ann"] and n.nominated_by_person == world["bob"]
    own = client.post(purl("recognition_nominate"), {**data, "email": "bob@example.org"})
    assert "cannot nominate yourself" in own.content.decode()
    unknown = client.post(purl("recognition_nominate"), {**data, "email": "zz@example.org"})
    assert "No member with this email" in unknown.content.decode()
    garbage = client.post(purl("recognition_nominate"), {"tier": "x", "email": "y", "reason": ""})
    assert garbage.status_code == 200


def test_expert_applies_staff_vet_members_find_only_vetted(client, staff_user, world,
                                                           association):
    staff_client = Client()
    staff_client.force_login(staff_user)
    client.force_login(world["ann_user"])
    bad = client.post(purl("recognition_expert_apply"), {"headline": "", "availability": "x"})
    assert bad.status_code == 200 and "field" in bad.content.decode()
    ok = client.post(purl("recognition_expert_apply"), {
        "headline": "Horse teeth", "specialties": [str(world["skill"].pk)],
        "availability": "available", "bio": "20 years"})
    assert ok.status_code == 302
    client.force_login(world["bob_user"])
    assert "Horse teeth" not in client.get(purl("recognition_experts")).content.decode()
    with scope(association=association):
        expert = ExpertProfile.objects.get()
    queue = staff_client.get(surl("recognition_experts")).content.decode()
    assert "Horse teeth" in queue
    staff_client.post(surl("recognition_expert_vet", expert_id=expert.pk), {"status": "vetted"})
    found = client.get(purl("recognition_experts"), {"q": "dentistry"}).content.decode()
    assert "Horse teeth" in found and "ann@example.org" in found
    none = client.get(purl("recognition_experts"), {"q": "plumbing"}).content.decode()
    assert "No vetted expert matches" in none


def test_staff_pages_evaluate_decide_revoke(staff_client, world, association):
    with scope(association=association):
        contribute(association, world["bob"], ["talk"])
    home = staff_client.get(surl("recognition_home"))
    assert home.status_code == 200 and "Find candidates now" in home.content.decode()
    staff_client.post(surl("recognition_evaluate"))
    with scope(association=association):
        n = Nomination.objects.get(person=world["bob"])
    assert "Bob Tester" in staff_client.get(surl("recognition_home")).content.decode()
    staff_client.post(surl("recognition_nomination_decide", nomination_id=n.pk,
                           decision="approve"), {"note": ""})
    assert staff_client.post(surl("recognition_nomination_decide", nomination_id=n.pk,
                                  decision="bogus")).status_code == 404
    with scope(association=association):
        assert Award.objects.filter(person=world["bob"]).exists()
    awards = staff_client.get(surl("recognition_awards")).content.decode()
    assert "Open Badges 2.0" in awards
    staff_client.post(surl("recognition_award_revoke", award_id=world["award"].pk),
                      {"reason": "Awarded in error"})
    assert staff_client.get(f"/badges/acme/assertions/{world['award'].uuid}").status_code == 410
    profile = staff_client.get(reverse("person_detail", kwargs={
        "association": "acme", "person_id": world["ann"].pk})).content.decode()
    assert "Recognition" in profile and "revoked: Awarded in error" in profile
    form = staff_client.get(surl("recognition_tier_edit", tier_id=world["tiers"]["star"].pk))
    assert form.status_code == 200
    bad = staff_client.post(surl("recognition_tier_create"), {"name": "X", "description": "d",
                                                              "min_contributions": "0"})
    assert bad.status_code == 200
    assert staff_client.get(surl("recognition_issuer")).status_code == 200


def test_other_associations_staff_get_404(client, world, other_association):
    from commonground.tenancy.services import staff_add  # noqa: PLC0415 — only this test

    other = staff_add(association=other_association, email="x@other.example.org",
                      role_key="membership")
    client.force_login(other.user)
    assert client.get(surl("recognition_home")).status_code == 404
    assert client.post(surl("recognition_award_revoke", award_id=world["award"].pk),
                       {"reason": "x"}).status_code == 404


def test_merge_revokes_a_duplicate_badge_and_keeps_one_expert_entry(world, association):
    with scope(association=association):
        ann, bob = world["ann"], world["bob"]
        services.award_issue(association=association, tier=world["tiers"]["leader"], person=bob)
        for p in (ann, bob):
            services.expert_profile_save(association=association, person=p, headline=p.first_name,
                                         specialties=[world["skill"].pk])
            services.member_recognition_set(association=association, person=p, public=True)
        person_merge(association=association, keep=ann, remove=bob)
        awards = Award.objects.filter(person=ann)
        assert awards.count() == 2 and awards.filter(revoked_at__isnull=True).count() == 1
        assert ExpertProfile.objects.get().headline == "Ann"


def test_erasure_revokes_badges_and_export_holds_recognition(world, association):
    with scope(association=association):
        services.expert_profile_save(association=association, person=world["ann"],
                                     headline="Horse teeth", other_specialties="molars")
        export = person_export(world["ann"], audited=False)
        assert export["recognition"]["badges"][0]["tier"] == "Leader"
        assert export["recognition"]["expert"]["headline"] == "Horse teeth"
        person_erase(association=association, person=world["ann"])
        award = Award.objects.get(pk=world["award"].pk)
        assert award.revoked_at and not ExpertProfile.objects.exists()
