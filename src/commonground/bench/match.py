"""Matching benchmark: rank --members people for one opportunity (seconds).

Bulk-seeds a fresh association with ``core.bulk`` (not the demo): a taxonomy (the seed's
seven motivations, 80 skills with synonyms, 20 interests), ``--members`` people in ten
chapters, ~6 traits each (stated, staff or inferred), verified contributions for 30 %
with titles in words, outcomes for 10 %, and a few thousand invitations this quarter
(availability). Then times ``opportunities.matching.match`` for several opportunities:

* cold: the member index built from the database (what the first match after a change
  pays; later ones reuse it until the data changes);
* from disk: a new process's first match, the index read from ``DATA_DIR``;
* warm: the steady state (the index in memory; the live parts — scores, who was asked
  this quarter — are still read fresh, and every candidate's reasons and gaps are written).

The last line is ``match_s=<warm median seconds>`` (the target: ≤ 1 s at 100,000).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django_scopes import scope

from commonground.core import bulk
from commonground.engagement.models import (
    Contribution,
    ContributionKind,
    MemberTrait,
    Outcome,
    Trait,
)
from commonground.opportunities import matching, services
from commonground.opportunities.models import Invitation
from commonground.people.models import Chapter, Person
from commonground.tenancy.services import association_create

MOTIVATIONS = ["business_development", "visibility_reputation", "competence_development",
               "career_advancement", "community_belonging", "insider_access", "giving_back"]
AREAS = ["equine", "feline", "canine", "bovine", "avian", "exotic", "small animal", "large animal",
         "zoo", "aquatic"]
CRAFTS = ["dentistry", "surgery", "dermatology", "cardiology", "oncology", "nutrition",
          "behaviour", "anaesthesia"]
TOPICS = ["practice management", "public speaking", "mentoring", "writing", "research",
          "teaching", "policy", "wellbeing", "marketing", "technology", "ethics", "law",
          "finance", "leadership", "community building", "data", "imaging", "welfare",
          "emergency care", "one health"]
KINDS = [k.value for k in ContributionKind]


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="Warm matches per opportunity")
    parser.add_argument("--limit", type=int, default=20, help="Candidates with reasons")


def _taxonomy(association) -> dict[str, list[Trait]]:
    rows = [Trait(association=association, kind="motivation", slug=s, name=s.replace("_", " ")
                  .capitalize(), framework="seed003", order=i) for i, s in enumerate(MOTIVATIONS)]
    for area in AREAS:
        for craft in CRAFTS:
            name = f"{area} {craft}"
            rows.append(Trait(association=association, kind="skill",
                              slug=name.replace(" ", "-"), name=name.capitalize(),
                              synonyms=[f"{craft} of {area} patients", f"{area} {craft[:5]}"]))
    for topic in TOPICS:
        rows.append(Trait(association=association, kind="interest", slug=topic.replace(" ", "-"),
                          name=topic.capitalize()))
    Trait.objects.bulk_create(rows)
    out: dict[str, list[Trait]] = {"motivation": [], "skill": [], "interest": []}
    for t in Trait.objects.order_by("pk"):
        out[t.kind].append(t)
    return out


def _seed(association, members: int, rng: np.random.Generator, say) -> dict:
    started = time.perf_counter()
    tax = _taxonomy(association)
    chapters = Chapter.objects.bulk_create([Chapter(association=association, name=f"Chapter {i}",
                                                    slug=f"c{i}") for i in range(10)])
    now = datetime.now(UTC)
    aid = association.pk
    people = bulk.Table(Person, ["association_id", "first_name", "last_name", "email", "email_key",
                                 "phone", "address_line1", "address_line2", "city", "region",
                                 "postal_code", "country", "external_id", "chapter_id", "custom",
                                 "search_text", "member_status", "created_at", "updated_at"])
    chapter_of = rng.integers(0, len(chapters), members)
    live = rng.random(members) < 0.9
    for i in range(members):
        email = f"m{i}@bench.example.org"
        people.add(aid, f"First{i}", f"Last{i}", email, email, "", "", "", "", "", "", "", "",
                   chapters[chapter_of[i]].pk, {},
                   f"first{i} last{i} {email}", "active" if live[i] else "lapsed", now, now)
    first_id = people.base + 1
    bulk.write(people)
    ids = np.arange(first_id, first_id + members)
    traits = bulk.Table(MemberTrait, ["association_id", "person_id", "trait_id", "source",
                                      "strength", "evidence", "note", "updated_at"])
    sources = np.array(["member", "staff", "inferred"])
    mot, skl, ints = (np.array([t.pk for t in tax[k]]) for k in ("motivation", "skill", "interest"))
    skill_names = {t.pk: t.name.lower() for t in tax["skill"]}
    for pid in ids.tolist():
        src = sources[rng.choice(3, p=[0.3, 0.1, 0.6])]
        for t in rng.choice(mot, rng.integers(0, 4), replace=False).tolist():
            traits.add(aid, pid, t, src, int(rng.integers(1, 6)), {}, "", now)
        for t in rng.choice(skl, rng.integers(1, 5), replace=False).tolist():
            note = f"I do a lot of {skill_names[t]} work" if rng.random() < 0.1 else ""
            traits.add(aid, pid, t, "member" if rng.random() < 0.5 else "staff",
                       int(rng.integers(1, 6)), {}, note, now)
        for t in rng.choice(ints, rng.integers(0, 3), replace=False).tolist():
            traits.add(aid, pid, t, "member", int(rng.integers(2, 6)), {}, "", now)
    n_traits = bulk.write(traits)
    contributions = bulk.Table(Contribution, [
        "association_id", "person_id", "kind", "title", "description", "occurred_on", "goal",
        "status", "origin", "origin_ref", "rejection_reason", "created_at", "updated_at"])
    today = date.today()
    for pid in ids[rng.random(members) < 0.3].tolist():
        for _ in range(int(rng.integers(1, 5))):
            kind = KINDS[int(rng.integers(0, len(KINDS)))]
            topic = f"{AREAS[int(rng.integers(0, len(AREAS)))]} {CRAFTS[int(rng.integers(0, len(CRAFTS)))]}"
            contributions.add(aid, pid, kind, f"{kind.replace('_', ' ').capitalize()} on {topic}",
                              "", today - timedelta(days=int(rng.integers(0, 900))), "",
                              "verified", "staff", "", "", now, now)
    n_contrib = bulk.write(contributions)
    outcomes = bulk.Table(Outcome, ["association_id", "person_id", "kind", "title", "description",
                                    "occurred_on", "reported_via", "created_at"])
    for pid in ids[rng.random(members) < 0.1].tolist():
        outcomes.add(aid, pid, "new_skill", f"Learnt {TOPICS[int(rng.integers(0, len(TOPICS)))]}",
                     "", today - timedelta(days=int(rng.integers(0, 400))), "member", now)
    bulk.write(outcomes)
    opportunities = []
    for i in range(5):
        area, craft = AREAS[i], CRAFTS[i]
        skill = next(t for t in tax["skill"] if t.slug == f"{area}-{craft}".replace(" ", "-"))
        opportunities.append(services.opportunity_save(
            association=association, type=["speaker", "article", "mentor", "moderator",
                                           "course"][i],
            title=f"{area.capitalize()} {craft} for the spring conference",
            description=f"We need someone who knows {craft} of {area} patients well.",
            required_skills=[skill], nice_skills=[tax["interest"][i]],
            motivations=[tax["motivation"][1], tax["motivation"][6]],
            chapter=chapters[i].pk, status="open", capacity=3))
    invitations = bulk.Table(Invitation, ["association_id", "opportunity_id", "person_id",
                                          "status", "reasons", "gaps", "message",
                                          "response_note", "invited_at", "created_at",
                                          "updated_at"])
    asked = rng.choice(ids, min(3000, members), replace=False)
    for n, pid in enumerate(asked.tolist()):
        invitations.add(aid, opportunities[n % 5].pk, pid, "invited", [], [], "", "",
                        now - timedelta(days=int(rng.integers(0, 60))), now, now)
    bulk.write(invitations)
    bulk.analyze([Person, MemberTrait, Contribution, Outcome, Invitation])
    say(f"seeded {members} people, {n_traits} traits, {n_contrib} contributions, "
        f"{len(asked)} invitations in {time.perf_counter() - started:.1f} s")
    return {"opportunities": opportunities}


def run(*, stdout, members: int, seed: int = 7, repeat: int = 5, limit: int = 20, **_) -> None:
    say = stdout.write
    rng = np.random.default_rng(seed)
    slug = f"bench-match-{members}-{time.strftime('%H%M%S')}"
    association = association_create(slug=slug, name=f"Match bench {members}", country="US",
                                     currency="USD")
    with scope(association=association):
        with transaction.atomic():
            bulk.commit_unflushed()
            seeded = _seed(association, members, rng, say)
        opportunities = seeded["opportunities"]
        matching.clear_cache()
        matching.index_path(association.pk).unlink(missing_ok=True)
        started = time.perf_counter()
        result = matching.match(association, opportunities[0], limit=limit)
        cold = time.perf_counter() - started
        say(f"database: {connection.vendor}; cold (index built: "
            f"{result.index_seconds:.2f} s): {cold:.2f} s for {result.pool} people")
        matching.clear_cache()
        started = time.perf_counter()
        result = matching.match(association, opportunities[1], limit=limit)
        disk = time.perf_counter() - started
        say(f"from disk (index read: {result.index_seconds:.2f} s): {disk:.2f} s")
        warm = []
        for opp in opportunities:
            for _ in range(repeat):
                started = time.perf_counter()
                result = matching.match(association, opp, limit=limit)
                warm.append(time.perf_counter() - started)
        say(f"warm over {len(warm)} matches: median {statistics.median(warm):.3f} s, "
            f"max {max(warm):.3f} s (index check {result.index_seconds:.3f} s)")
        top = result.candidates[0] if result.candidates else None
        if top is not None:
            say(f"top for “{opportunities[-1].title}”: {matching.fit_summary(top)}")
    say(f"match_cold_s={cold:.3f}")
    say(f"match_s={statistics.median(warm):.3f}")
