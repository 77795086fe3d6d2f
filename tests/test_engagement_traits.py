"""Taxonomies with defaults, the member's survey, staff traits, and motivations inferred from
activity (with evidence; the member's own answer wins)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from _cli_support import commonground
from commonground.activity.models import Activity, Source
from commonground.core.errors import Conflict, ValidationFailed
from commonground.engagement import inference, selectors, services, tasks
from commonground.engagement.models import Contribution, MemberTrait, Trait
from commonground.people import services as ps
from commonground.portal.services import portal_access_grant

SEED003 = ["business_development", "visibility_reputation", "competence_development",
           "career_advancement", "community_belonging", "insider_access", "giving_back"]


@pytest.fixture
def ann(association):
    with scope(association=association):
        ann = ps.person_create(association=association, first_name="Ann", email="ann@example.org")
        user, _ = portal_access_grant(association=association, person=ann)
        services.taxonomy_install_defaults(association=association)
    ann.user = user
    return ann


def trait(slug, kind="motivation"):
    return Trait.objects.get(kind=kind, slug=slug)


def test_defaults_are_installed_once_and_keep_staff_edits(association):
    with scope(association=association):
        added = services.taxonomy_install_defaults(association=association)
        assert added > 30
        seed = list(Trait.objects.filter(framework="seed003").values_list("slug", flat=True))
        assert sorted(seed) == sorted(SEED003)
        assert not Trait.objects.filter(framework="vfi", is_active=True).exists()
        t = trait("giving_back")
        services.trait_save(association=association, trait=t, kind="motivation",
                            name="Giving back to the profession", synonyms="Service; MENTORING, ",
                            is_active=True)
        assert services.taxonomy_install_defaults(association=association) == 0
        t.refresh_from_db()
        assert t.name == "Giving back to the profession" and t.synonyms == ["service", "mentoring"]


def test_trait_save_refuses_garbage_and_clashes(association):
    with scope(association=association):
        services.taxonomy_install_defaults(association=association)
        with pytest.raises(ValidationFailed) as exc:
            services.trait_save(association=association, kind="hobby", name="")
        assert {"kind", "name"} <= set(exc.value.fields)
        with pytest.raises(Conflict):
            services.trait_save(association=association, kind="skill", name="Public speaking")
        with pytest.raises(ValidationFailed) as exc:
            services.trait_save(association=association, trait=trait("writing", "skill"),
                                kind="interest", name="Writing")
        assert "kind" in exc.value.fields


def test_portal_survey_saves_and_prefills(client, association, ann):
    client.force_login(ann.user)
    url = reverse("portal:traits", kwargs={"association": "acme"})
    with scope(association=association):
        gb, speak = trait("giving_back"), trait("public_speaking", "skill")
    page = client.get(url).content.decode()
    assert "Why you belong" in page and f'name="trait_{gb.pk}"' in page
    assert client.post(url, {f"trait_{gb.pk}": "5", f"trait_{speak.pk}": "4"}).status_code == 302
    assert client.post(url, {f"trait_{gb.pk}": "9"}).status_code == 200  # not a choice
    with scope(association=association):
        held = selectors.person_traits_by_source(person=ann, source="member")
    assert held == {gb.pk: 5, speak.pk: 4}
    assert 'value="5" selected' in client.get(url).content.decode()
    # Editable any time: leaving everything empty clears the answers.
    client.post(url, {})
    with scope(association=association):
        assert not MemberTrait.objects.filter(person=ann, source="member").exists()


def test_member_traits_set_validates(association, ann, other_association):
    with scope(association=association):
        vis = trait("visibility_reputation")
        for answers, field in (({vis.pk: 6}, f"trait_{vis.pk}"), ({"x": 1}, "answers"),
                               ({999999: 3}, "trait_999999")):
            with pytest.raises(ValidationFailed) as exc:
                services.member_traits_set(association=association, person=ann, source="member",
                                           kind="motivation", answers=answers)
            assert field in exc.value.fields
        # A skill id is not a motivation.
        with pytest.raises(ValidationFailed):
            services.member_traits_set(association=association, person=ann, source="member",
                                       kind="motivation",
                                       answers={trait("writing", "skill").pk: 3})


def make_source(association):
    return Source.objects.create(association=association, slug="feed", name="Feed")


def add(association, source, person, kind, category, n, metadata=None, days_ago=10):
    at = timezone.now() - timedelta(days=days_ago)
    start = Activity.objects.count()
    Activity.objects.bulk_create([
        Activity(association=association, person=person, source=source, kind=kind,
                 category=category, occurred_at=at - timedelta(minutes=i), metadata=metadata or {},
                 external_id=f"{kind}-{person.pk}-{start + i}") for i in range(n)])


@pytest.fixture
def stream(association, ann):
    with scope(association=association):
        bob = ps.person_create(association=association, first_name="Bob", email="bob@example.org")
        cy = ps.person_create(association=association, first_name="Cy", email="cy@example.org")
        src = make_source(association)
        # Ann answers questions and volunteers; Bob learns; Cy reads research; all browse.
        add(association, src, ann, "forum_answer", "community", 14, {"forum": "Clinical practice"})
        add(association, src, ann, "volunteer_shift", "volunteering", 3,
            {"event": "Annual Conference 2026", "ticket_type": "Volunteer"})
        add(association, src, ann, "event_checkin", "community", 1,
            {"event": "Chapter meetup", "role": "speaker"})
        add(association, src, bob, "course_completed", "learning", 6, {"course": "Ethics"})
        add(association, src, cy, "download", "knowledge", 8, {"page": "/journal/x.pdf"})
        for p in (ann, bob, cy):
            add(association, src, p, "page_view", "web", 20, {"page": "/"})
            add(association, src, p, "email_open", "marketing", 30)
    return {"ann": ann, "bob": bob, "cy": cy}


def test_inference_finds_each_members_motivation_with_evidence(association, stream):
    with scope(association=association):
        result = services.traits_infer(association=association)
        assert result["people"] == 3
        top = selectors.inferred_top_motivations()
        assert top[stream["ann"].pk] == "giving_back"
        assert top[stream["bob"].pk] == "competence_development"
        assert top[stream["cy"].pk] == "insider_access"
        gb = MemberTrait.objects.get(person=stream["ann"], source="inferred",
                                     trait__slug="giving_back")
        assert gb.evidence["counts"]["forum_answers"] == 14
        assert "email" not in str(gb.evidence)
        (eff,) = [t for t in selectors.effective_traits(stream["ann"])
                  if t.trait.slug == "giving_back"]
        assert eff.explanation.startswith("inferred from 14 forum answers")
        # Running again replaces, never duplicates.
        services.traits_infer(association=association)
        assert MemberTrait.objects.filter(person=stream["ann"], source="inferred",
                                          trait__slug="giving_back").count() == 1


def test_the_members_own_answer_wins(association, stream, staff_user):
    ann = stream["ann"]
    with scope(association=association):
        services.traits_infer(association=association)
        gb, vis = trait("giving_back"), trait("visibility_reputation")
        services.member_traits_set(association=association, person=ann, source="staff",
                                   kind="motivation", answers={gb.pk: 2})
        eff = {t.trait.slug: t for t in selectors.effective_traits(ann)}
        assert eff["giving_back"].source == "staff" and eff["giving_back"].strength == 2
        services.member_traits_set(association=association, person=ann, source="member",
                                   kind="motivation", answers={vis.pk: 5})
        eff = {t.trait.slug: t for t in selectors.effective_traits(ann)}
        # She told us: her answer stands, staff's stays for its trait, guesses are dropped.
        assert eff["visibility_reputation"].source == "member"
        assert eff["giving_back"].source == "staff"
        assert all(t.source != "inferred" for t in eff.values() if t.trait.kind == "motivation")
        assert selectors.stated_top_motivations()[ann.pk] == "visibility_reputation"


def test_inferred_contributions_wait_and_are_idempotent(association, stream):
    with scope(association=association):
        first = services.contributions_infer(association=association)
        assert first["created"] == 14 + 3 + 1
        again = services.contributions_infer(association=association)
        assert again["created"] == 0
        talk = Contribution.objects.get(kind="talk")
        assert talk.origin == "inferred" and talk.status == "submitted"
        assert talk.origin_ref.startswith("activity:") and "Chapter meetup" in talk.title


def test_staff_profile_panel_and_traits_page(staff_client, association, stream):
    with scope(association=association):
        services.traits_infer(association=association)
    ann = stream["ann"]
    profile = staff_client.get(reverse("person_detail", kwargs={"association": "acme",
                                                                "person_id": ann.pk}))
    body = profile.content.decode()
    assert "Motivations &amp; skills" in body and "inferred from 14 forum answers" in body
    url = reverse("person_traits", kwargs={"association": "acme", "person_id": ann.pk})
    with scope(association=association):
        writing = trait("writing", "skill")
    assert staff_client.post(url, {f"trait_{writing.pk}": "4"}).status_code == 302
    with scope(association=association):
        assert selectors.person_traits_by_source(person=ann, source="staff") == {writing.pk: 4}


def test_taxonomy_page_adds_and_edits(staff_client, association):
    url = reverse("taxonomy_list", kwargs={"association": "acme"})
    assert "Business development and clients" in staff_client.get(url).content.decode()
    bad = staff_client.post(url, {"kind": "skill", "name": ""})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    ok = staff_client.post(url, {"kind": "skill", "name": "Equine dentistry",
                                 "synonyms": "horse teeth, equine dental", "is_active": "on"})
    assert ok.status_code == 302
    with scope(association=association):
        t = trait("equine_dentistry", "skill")
    assert t.synonyms == ["horse teeth", "equine dental"]
    edit = reverse("trait_edit", kwargs={"association": "acme", "trait_id": t.pk})
    staff_client.post(edit, {"kind": "skill", "name": "Equine dentistry", "synonyms": ""})
    t.refresh_from_db()
    assert t.is_active is False  # the unticked box deactivates it


def test_traits_command(association, stream):
    ran = commonground("traits", "infer", "--association", "acme")
    assert ran.code == 0, ran.err
    assert "inferred motivations for 3 people; 18 contributions to verify" in ran.out
    shown = commonground("traits", "show", str(stream["ann"].pk), "--association", "acme")
    assert "Giving back" in shown.out and "forum answers" in shown.out
    assert commonground("traits", "infer", "--association", "nope").code != 0
    assert "acme: queued" in commonground("traits", "infer", "--enqueue").out
    # The daily job's task, run in-process: nothing new after the command's run.
    result = tasks.infer_from_activity.call(association.pk)
    assert result["people"] == 3 and result["contributions"] == 0


def test_every_signal_reads_only_kinds_the_inference_selects():
    """The inference reads rows of ``SIGNAL_KINDS`` only: a signal on another kind would
    silently count nothing."""
    def kinds(q):
        for child in q.children:
            if isinstance(child, tuple):
                if child[0] == "kind":
                    yield child[1]
                elif child[0] == "kind__in":
                    yield from child[1]
                else:
                    assert not child[0].startswith("kind__"), child
            else:
                yield from kinds(child)

    for signal in inference.SIGNALS:
        used = set(kinds(signal.where))
        assert used and used <= set(inference.SIGNAL_KINDS), (signal.key, used)
