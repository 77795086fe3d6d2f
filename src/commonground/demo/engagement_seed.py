"""The seed's engagement step (D4): taxonomies, what members say, get and give, peer groups.

Driven by the same hidden profiles as the memberships and the activity stream:

* **stated** motivations, skills and interests (source "member") for the share of members
  who answered the portal survey — the engaged answer more often; people are not perfectly
  self-aware, so a stated ranking is the hidden shares seen through a little noise;
* skills recorded by staff for some engaged members who never answered;
* **outcomes** (value derived) of kinds their motivations lean to, dated while a member;
* **contributions** (value created), mostly verified, some waiting, a few not verified —
  concentrated on the engaged members who want to give back or be seen, so the
  recognition tiers find stars;
* peer groups: two approved (talking in a forum of the activity stream, so group work
  follows), one proposed and waiting for staff.

Its own random source (``Random(f"{seed}:engagement")``): the steps before it produce the
same rows as without it. Written in bulk (one ``bulk.Table`` per model), with the audit
entries the services would have written.
"""

from __future__ import annotations

import math
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count

from commonground.activity.models import Activity
from commonground.core import bulk
from commonground.engagement.models import (
    Contribution,
    GroupMember,
    MemberTrait,
    Outcome,
    PeerGroup,
    Trait,
)
from commonground.engagement.services import taxonomy_install_defaults
from commonground.membership.models import Offering
from commonground.people.models import Person
from commonground.tenancy.models import AuditEntry

from . import engagement_catalogue as ec
from .catalogue import MOTIVATIONS
from .steps import Seeding, staff_email

WINDOW_DAYS = 730  # outcomes and contributions of the last two years
SURVEY_BASE, SURVEY_ENGAGED = 0.1, 0.45  # P(answered the survey) = base + engaged × engagement
STAFF_SKILLS_P = 0.12  # engaged non-respondents whose skills staff recorded
CURRENT = ("active", "grace", "renewal_due")


def _at(day: date, rnd: random.Random) -> datetime:
    return datetime.combine(day, dtime(rnd.randint(8, 19), rnd.randint(0, 59)), tzinfo=UTC)


def _pick(rnd: random.Random, options: list[str], weights: list[float], k: int) -> list[str]:
    """``k`` distinct options, weighted (Efraimidis–Spirakis keys)."""
    keyed = sorted(((rnd.random() ** (1.0 / w) if w > 0 else 0.0), o)
                   for o, w in zip(options, weights, strict=True))
    return [o for _k, o in keyed[-k:]][::-1]


def _lean(shares: tuple[float, ...], weights: tuple[float, ...], floor: float = 0.05) -> float:
    return floor + sum(s * w for s, w in zip(shares, weights, strict=True))


def _poisson(rnd: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rnd.random()
    while p > limit:
        k += 1
        p *= rnd.random()
    return k


def install_taxonomy(s: Seeding) -> dict[tuple[str, str], int]:
    """The association's taxonomy (the engagement app's defaults, then the demo's own skills
    and interests); (kind, slug) → trait id."""
    taxonomy_install_defaults(association=s.association)
    have = {(k, slug): pk for pk, k, slug in Trait.objects.values_list("pk", "kind", "slug")}
    new: list[Trait] = []
    for order, (slug, name) in enumerate(ec.MOTIVATION_NAMES.items()):
        if ("motivation", slug) not in have:
            new.append(Trait(association=s.association, kind="motivation", slug=slug, name=name,
                             framework="seed003", order=order * 10))
    for kind, rows in (("skill", ec.SKILLS), ("interest", ec.INTERESTS)):
        for order, (slug, name, synonyms, _w) in enumerate(rows):
            if (kind, slug) not in have:
                new.append(Trait(association=s.association, kind=kind, slug=slug, name=name,
                                 synonyms=synonyms, order=500 + order))
    Trait.objects.bulk_create(new)
    return {(k, slug): pk for pk, k, slug in Trait.objects.values_list("pk", "kind", "slug")}


def engagement(s: Seeding) -> None:
    """Write the engagement data (see the module docstring)."""
    started = time.perf_counter()
    rnd = random.Random(f"{s.seed}:engagement")
    aid, today = s.aid, s.today
    traits = install_taxonomy(s)
    User = get_user_model()
    staff_user = User.objects.filter(email__iexact=staff_email(s.association.slug, "community")
                                     ).values_list("pk", flat=True).first()
    offerings = dict(Offering.objects.values_list("name", "pk"))
    status = {r["person_id"]: (r["status"], float(r["engagement_now"]))
              for r in s.truth_rows if r.get("kind") == "person"}
    facts = s.facts
    specialty = {pid: (custom or {}).get("specialty", "")
                 for pid, custom in Person.objects.filter(pk__in=facts.person_id)
                 .values_list("pk", "custom")}
    start = today - timedelta(days=WINDOW_DAYS)
    spans: dict[int, list[tuple[date, date]]] = {}
    for k, a, b in facts.spans:
        lo = max(date.fromordinal(a), start)
        hi = min(date.fromordinal(min(b, today.toordinal())), today)
        if lo < hi:
            spans.setdefault(k, []).append((lo, hi))

    def member_day(k: int) -> date | None:
        """A day in the window while member ``k`` was a member (None: never was)."""
        options = spans.get(k)
        if not options:
            return None
        lo, hi = rnd.choices(options, weights=[(b - a).days for a, b in options])[0]
        return lo + timedelta(days=rnd.randrange((hi - lo).days))

    t_trait = bulk.Table(MemberTrait, ["association_id", "person_id", "trait_id", "source",
                                       "strength", "evidence", "note", "updated_at"])
    t_out = bulk.Table(Outcome, ["association_id", "person_id", "kind", "title", "description",
                                 "occurred_on", "offering_id", "via_person_id", "reported_via",
                                 "reported_by_id", "created_at"])
    t_con = bulk.Table(Contribution, [
        "association_id", "person_id", "kind", "title", "description", "occurred_on", "hours",
        "offering_id", "goal", "status", "origin", "origin_ref", "submitted_by_id",
        "verified_by_id", "verified_at", "rejection_reason", "created_at", "updated_at"])
    t_audit = bulk.Table(AuditEntry, ["association_id", "actor_id", "action", "object_type",
                                      "object_id", "data", "created_at"])
    skill_slugs = [row[0] for row in ec.SKILLS]
    interest_slugs = [row[0] for row in ec.INTERESTS]
    outcome_kinds, contribution_kinds = list(ec.OUTCOMES), list(ec.CONTRIBUTIONS)
    now = datetime.combine(today, dtime(12), tzinfo=UTC)
    member_ids = [pid for pid in facts.person_id]
    respondents = 0
    portal_pid = next((r["person_id"] for r in s.truth_rows if r.get("email") == s.member_email
                       and s.member_email), None)

    for k, pid in enumerate(facts.person_id):
        shares = facts.motivations[k]
        state, engaged = status.get(pid, ("lapsed", 0.0))
        current = state in CURRENT
        stamp = _at(today - timedelta(days=rnd.randint(1, 400)), rnd)
        # The member with the portal login has answered and given: their pages are alive.
        answered = current and (rnd.random() < SURVEY_BASE + SURVEY_ENGAGED * engaged
                                or pid == portal_pid)
        if answered:
            respondents += 1
            # Motivations: the top few as the member sees them (hidden shares plus noise).
            seen = sorted(((w + rnd.gauss(0, 0.06), m) for m, w in zip(MOTIVATIONS, shares,
                                                                        strict=True)), reverse=True)
            top = max(seen[0][0], 0.01)
            for rank, (w, m) in enumerate(seen[:rnd.choice((2, 3, 3, 4))]):
                strength = 5 if rank == 0 else max(1, min(5, round(1 + 4 * max(w, 0) / top)))
                t_trait.add(aid, pid, traits["motivation", m], "member", strength, {}, "", stamp)
            for slug in _pick(rnd, interest_slugs, [_lean(shares, w) for *_x, w in ec.INTERESTS],
                              rnd.randint(1, 3)):
                t_trait.add(aid, pid, traits["interest", slug], "member", rnd.randint(3, 5), {}, "",
                            stamp)
        if answered or (current and rnd.random() < STAFF_SKILLS_P * engaged * 2):
            source = "member" if answered else "staff"
            weights = [_lean(shares, w, 0.03) for *_x, w in ec.SKILLS]
            chosen = _pick(rnd, skill_slugs, weights, rnd.randint(1, 3))
            own = ec.SPECIALTY_SKILL.get(specialty.get(pid, ""))
            if own and own not in chosen:
                chosen.insert(0, own)
            if own == "clinical_practice" and rnd.random() < 0.06 and "equine_dentistry" not in chosen:
                chosen.append("equine_dentistry")
            senior = facts.stage[k] >= 2
            for slug in chosen:
                strength = max(1, min(5, round(rnd.gauss(3.6 if senior else 2.6, 0.9))))
                t_trait.add(aid, pid, traits["skill", slug], source, strength, {}, "", stamp)

        # Value derived: outcomes, reported mostly by those who answer surveys.
        for _ in range(_poisson(rnd, (0.8 if answered else 0.12) * (0.3 + engaged))):
            on = member_day(k)
            if on is None:
                break
            kind = rnd.choices(outcome_kinds,
                               weights=[_lean(shares, w[0]) ** 2 for w in ec.OUTCOMES.values()])[0]
            _w, titles, offer = ec.OUTCOMES[kind]
            offering = offerings.get(rnd.choice(offer)) if offer and rnd.random() < 0.6 else None
            via = rnd.choice(member_ids) if kind in ("connection", "client_won") and \
                rnd.random() < 0.3 else None
            by_staff = rnd.random() < 0.15
            at = _at(min(today, on + timedelta(days=rnd.randint(0, 20))), rnd)
            oid = t_out.add(aid, pid, kind, rnd.choice(titles), "", on, offering,
                            via if via != pid else None, "staff" if by_staff else "member",
                            staff_user if by_staff else None, at)
            t_audit.add(aid, staff_user if by_staff else None, "outcome.reported", "outcome", oid,
                        {"kind": kind}, at)

        # Value created: engaged givers and the visibility-minded contribute most.
        lam = 4.5 * engaged ** 3.5 * (0.1 + 2.0 * (shares[6] + shares[1] + 0.5 * shares[4]))
        for n_c in range(max(_poisson(rnd, lam), 2 if pid == portal_pid else 0)):
            on = member_day(k)
            if on is None:
                break
            if pid == portal_pid:
                on = max(on, today - timedelta(days=rnd.randint(20, 150)))  # this year's
            kind = rnd.choices(contribution_kinds,
                               weights=[_lean(shares, w[0]) ** 2 for w in ec.CONTRIBUTIONS.values()])[0]
            _w, titles, offer, (h_lo, h_hi) = ec.CONTRIBUTIONS[kind]
            title = rnd.choice(titles).format(topic=rnd.choice(ec.TOPICS),
                                              forum=rnd.choice(ec.FORUMS))
            offering = offerings.get(rnd.choice(offer)) if offer else None
            hours = Decimal(rnd.randint(int(h_lo * 2), int(h_hi * 2))) / 2
            by_staff = rnd.random() < 0.25
            created = _at(min(today, on + timedelta(days=rnd.randint(0, 10))), rnd)
            recent = (today - on).days < 30
            roll = rnd.random()
            state_c = ("submitted" if roll < 0.7 else "verified") if recent else \
                ("verified" if roll < 0.88 else "submitted" if roll < 0.95 else "rejected")
            if pid == portal_pid:
                state_c = "verified" if n_c == 0 else "submitted"  # one counted, one waiting
            decided = min(now, created + timedelta(days=rnd.randint(1, 21))) \
                if state_c != "submitted" else None
            reason = "We could not confirm this with the chapter; please add details." \
                if state_c == "rejected" else ""
            goal = rnd.choice(ec.GOALS) if rnd.random() < 0.2 else ""
            cid = t_con.add(aid, pid, kind, title, "", on, hours, offering, goal, state_c,
                            "staff" if by_staff else "member", "",
                            staff_user if by_staff else None,
                            staff_user if decided else None, decided, reason, created,
                            decided or created)
            t_audit.add(aid, staff_user if by_staff else None, "contribution.submitted",
                        "contribution", cid, {"kind": kind}, created)
            if decided:
                t_audit.add(aid, staff_user, f"contribution.{state_c}", "contribution", cid, {},
                            decided)

    groups = _peer_groups(s, rnd, status, staff_user, t_audit)
    for table in (t_trait, t_out, t_con, t_audit):
        s.counts[table.db_table] = s.counts.get(table.db_table, 0) + bulk.write(table)
    s.say(f"engagement: {len(traits)} taxonomy entries, {respondents} survey answers, "
          f"{s.counts[MemberTrait._meta.db_table]} member traits, "
          f"{s.counts[Outcome._meta.db_table]} outcomes, "
          f"{s.counts[Contribution._meta.db_table]} contributions, {groups} peer groups "
          f"in {time.perf_counter() - started:.1f}s")


def _forum_posters(forum: str, today: date) -> dict[int, int]:
    """person → posts in ``forum`` over the last 120 days (the activity the seed wrote)."""
    since = datetime.combine(today - timedelta(days=120), dtime(0), tzinfo=UTC)
    return dict(Activity.objects.filter(person__isnull=False, kind__startswith="forum_",
                                        metadata__forum=forum, occurred_at__gte=since)
                .values_list("person_id").annotate(n=Count("id")).order_by())


def _peer_groups(s: Seeding, rnd: random.Random, status: dict[int, tuple[str, float]],
                 staff_user: int | None, t_audit: bulk.Table) -> int:
    """A few member-generated groups, organised by engaged members of the group's leaning;
    a group that talks in a forum is organised and joined by those who post there most
    (their posts there are the group's work)."""
    facts, aid = s.facts, s.aid
    current = [k for k, pid in enumerate(facts.person_id) if status.get(pid, ("", 0))[0] in CURRENT]
    if len(current) < 6:
        return 0
    t_group = bulk.Table(PeerGroup, ["association_id", "name", "slug", "purpose", "forum", "status",
                                     "proposed_by_id", "decided_by_id", "decided_at",
                                     "decision_note", "created_at"])
    t_member = bulk.Table(GroupMember, ["association_id", "group_id", "person_id", "role",
                                        "joined_at"])
    used: set[int] = set()
    for name, slug, purpose, forum, state, lean in ec.PEER_GROUPS:
        m = MOTIVATIONS.index(lean)
        posts = _forum_posters(forum, s.today) if forum else {}
        ranked = sorted(current, key=lambda k: (-posts.get(facts.person_id[k], 0), -(
            facts.motivations[k][m] + 0.5 * status[facts.person_id[k]][1] + 0.2 * rnd.random())))
        organisers = [k for k in ranked if k not in used][:2]
        used.update(organisers)
        proposed_at = _at(s.today - timedelta(days=rnd.randint(200, 420) if state == "approved"
                                              else rnd.randint(2, 9)), rnd)
        decided_at = proposed_at + timedelta(days=rnd.randint(2, 10)) if state == "approved" else None
        gid = t_group.add(aid, name, slug, purpose, forum, state, facts.person_id[organisers[0]],
                          staff_user if decided_at else None, decided_at, "", proposed_at)
        t_audit.add(aid, None, "group.proposed", "peergroup", gid, {"name": name}, proposed_at)
        if decided_at:
            t_audit.add(aid, staff_user, "group.approved", "peergroup", gid, {}, decided_at)
        members = organisers[:1] if state != "approved" else \
            organisers + ranked[len(organisers):len(organisers) + rnd.randint(8, 24)]
        for i, k in enumerate(dict.fromkeys(members)):
            joined = decided_at + timedelta(days=rnd.randint(0, 120)) if decided_at else proposed_at
            t_member.add(aid, gid, facts.person_id[k], "organiser" if i < 2 and k in organisers
                         else "member", min(joined, datetime.combine(s.today, dtime(12), tzinfo=UTC)))
    for table in (t_group, t_member):
        s.counts[table.db_table] = bulk.write(table)
    return len(ec.PEER_GROUPS)

