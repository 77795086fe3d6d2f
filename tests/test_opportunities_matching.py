"""The matching engine: ranking, reasons and gaps, synonyms, availability, the cached index."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django_scopes import scope

from commonground.engagement.models import Contribution, MemberTrait, Trait
from commonground.opportunities import matching, services
from commonground.opportunities.models import InvitationStatus
from commonground.people.models import Chapter
from commonground.people.services import person_create


def trait(association, kind, slug, name, synonyms=()):
    return Trait.objects.create(association=association, kind=kind, slug=slug, name=name,
                                synonyms=list(synonyms))


def hold(person, t, strength=4, source="member", note=""):
    return MemberTrait.objects.create(association_id=person.association_id, person=person,
                                      trait=t, source=source, strength=strength, note=note)


def contributed(person, kind, title, n=1, status="verified"):
    for i in range(n):
        Contribution.objects.create(association_id=person.association_id, person=person,
                                    kind=kind, title=title, occurred_on=date(2026, 5, 1 + i),
                                    status=status, origin="staff")


@pytest.fixture
def world(scoped):
    a = scoped
    t = {
        "visibility": trait(a, "motivation", "visibility_reputation", "Visibility & reputation"),
        "giving": trait(a, "motivation", "giving_back", "Giving back"),
        "dentistry": trait(a, "skill", "equine-dentistry", "Equine dentistry",
                           synonyms=["horse teeth", "equine dental care"]),
        "speaking": trait(a, "skill", "speaking", "Public speaking", synonyms=["presenting"]),
        "surgery": trait(a, "skill", "surgery", "Surgery"),
    }
    north = Chapter.objects.create(association=a, name="North", slug="north")
    people = {k: person_create(association=a, first_name=k.title(), last_name="Vet",
                               email=f"{k}@example.org")
              for k in ("ada", "bob", "cyd", "dee")}
    ada, bob, cyd, dee = (people[k] for k in ("ada", "bob", "cyd", "dee"))
    hold(ada, t["visibility"], 5)
    hold(ada, t["dentistry"], 5)
    hold(ada, t["speaking"], 4)
    contributed(ada, "talk", "Talk at the North chapter meeting", n=2)
    hold(bob, t["giving"], 5)
    hold(bob, t["surgery"], 5)
    # Cyd never named the skill but wrote about it (free text, through a synonym).
    hold(cyd, t["visibility"], 2, source="inferred")
    contributed(cyd, "article", "Looking after horse teeth in winter")
    hold(dee, t["visibility"], 4, source="inferred")
    hold(dee, t["visibility"], 1, source="member")  # her own answer wins
    for p in (ada, bob):
        p.chapter = north
        p.save()
    opp = services.opportunity_save(
        association=a, type="speaker", title="Speaker on equine dentistry",
        description="A talk for the spring conference", required_skills=[t["dentistry"]],
        nice_skills=[t["speaking"]], motivations=[t["visibility"]], chapter=north.pk,
        status="open", capacity=2)
    matching.clear_cache()
    return a, t, people, opp


def test_ranks_by_fit_with_reasons_and_gaps(world):
    a, t, people, opp = world
    result = matching.match(a, opp, limit=10)
    names = [c.person_id for c in result.candidates]
    assert names[0] == people["ada"].pk
    ada = result.candidates[0]
    assert "wants visibility" in ada.reasons
    assert "spoke twice" in ada.reasons
    assert any(r.startswith("expertise: equine dentistry (5/5)") for r in ada.reasons)
    assert "in the North chapter" in ada.reasons and "not asked this quarter" in ada.reasons
    assert ada.gaps == ["not a current member"]  # nobody here holds a membership
    # Cyd: the synonym in an article title counts as the skill, lexically.
    cyd = next(c for c in result.candidates if c.person_id == people["cyd"].pk)
    assert names.index(people["cyd"].pk) < names.index(people["bob"].pk)
    assert "mentions equine dentistry" in "; ".join(cyd.reasons)
    assert "no speaking experience yet" in cyd.gaps
    assert "equine dentistry mentioned but not listed as a skill" in cyd.gaps
    assert "not in the North chapter" in cyd.gaps
    bob = next((c for c in result.candidates if c.person_id == people["bob"].pk), None)
    if bob is not None:
        assert any(g.startswith("motivated more by giving back") for g in bob.gaps)


def test_member_answer_wins_over_inferred(world):
    a, t, people, opp = world
    dee = matching.match(a, opp, person_ids=[people["dee"].pk]).candidates[0]
    assert dee.parts["motivation"] == pytest.approx(0.2)  # 1/5 stated, not the inferred 4/5
    assert not any("visibility" in r for r in dee.reasons)


def test_invited_people_leave_the_list_and_asked_ones_lose_availability(world):
    a, t, people, opp = world
    services.invitation_advance(association=a, opportunity=opp, person=people["ada"],
                                event="invite")
    result = matching.match(a, opp)
    assert people["ada"].pk not in [c.person_id for c in result.candidates]
    assert result.excluded == 1
    other = services.opportunity_save(association=a, type="speaker", title="Another talk",
                                      required_skills=[t["dentistry"]], status="open")
    ada = matching.match(a, other, person_ids=[people["ada"].pk]).candidates[0]
    assert ada.parts["availability"] == 0.5 and "asked once this quarter" in ada.gaps


def test_index_is_cached_and_rebuilt_when_data_changes(world):
    a, t, people, opp = world
    first = matching.member_index(a)
    assert matching.member_index(a) is first
    matching.clear_cache()
    assert matching.member_index(a).signature == first.signature  # from disk
    hold(people["bob"], t["dentistry"], 5)
    assert matching.member_index(a).signature != first.signature


def test_taxonomy_synonym_in_the_opportunity_text(world):
    a, t, people, opp = world
    plain = services.opportunity_save(association=a, type="article", title="Article",
                                      required_text="horse teeth", status="open")
    result = matching.match(a, plain, limit=5)
    # Ada holds "Equine dentistry"; the query only says "horse teeth" (its synonym).
    assert {people["ada"].pk, people["cyd"].pk} <= {c.person_id for c in result.candidates[:2]}


def test_cli_match_json(world, capsys):
    a, t, people, opp = world
    call_command("opportunities", "match", str(opp.pk), "--association", a.slug, "--json",
                 "--limit", "3")
    out = json.loads(capsys.readouterr().out)
    assert out["candidates"][0]["person_id"] == people["ada"].pk
    assert out["candidates"][0]["reasons"] and out["pool"] == 4


def test_other_associations_people_never_match(world, other_association):
    a, t, people, opp = world
    with scope(association=other_association):
        stranger = person_create(association=other_association, first_name="Ada",
                                 email="ada@example.org")
        MemberTrait.objects.create(association=other_association, person=stranger,
                                   trait=t["dentistry"], source="member", strength=5)
    matching.clear_cache()
    result = matching.match(a, opp, limit=50)
    assert stranger.pk not in [c.person_id for c in result.candidates]
    assert InvitationStatus.INVITED  # the enum imports
