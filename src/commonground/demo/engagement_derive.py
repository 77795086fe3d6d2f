"""What the product derives from the seeded data, run through its own services once the seed
has committed — as a deployment would run them, so the demo shows their real output:

1. motivations inferred from the activity stream (with their evidence), contributions the
   stream shows (forum answers, volunteer shifts, talks: waiting for verification) and the
   approved peer groups' work;
2. a dozen open opportunities (and one filled, one closed), the best-matched members
   invited to some, a few accepting, one completed (a contribution to verify);
3. the engagement scores: monthly snapshots of the last ``SNAPSHOTS`` months (so "why +8
   since last month" and the trends have something to compare with), then today's;
4. the recognition tiers evaluated (nominations waiting for staff) and a few approved, so
   some members hold badges.

Notices these writes send (invitations, awards) are kept in the portal but not emailed:
the demo's addresses are made up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django_scopes import scope

from commonground.engagement import services as engagement_services
from commonground.engagement.models import Trait
from commonground.opportunities import services as opportunity_services
from commonground.opportunities.matching import match
from commonground.people.models import Chapter, Person
from commonground.recognition import services as recognition_services
from commonground.recognition.models import Nomination
from commonground.scoring import services as score_services
from commonground.tenancy.models import Association

from . import engagement_catalogue as ec
from .steps import staff_email

SNAPSHOTS = 1  # monthly score snapshots the demo starts with (each is a full recompute)
INVITE_TOP = 3  # members invited to each of the first opportunities
BADGES = 12  # nominations the community manager approves


def derive(association: Association, *, today: date, say: Callable[[str], None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    manager = get_user_model().objects.filter(
        email__iexact=staff_email(association.slug, "community")).first()
    with scope(association=association), \
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        t0 = time.perf_counter()
        inferred = engagement_services.traits_infer(association=association)
        found = engagement_services.contributions_infer(association=association, days=60)
        group_work = engagement_services.group_contributions_infer(association=association)
        counts.update(inferred_traits=inferred["traits"], inferred_contributions=found["created"])
        say(f"engagement: motivations inferred for {inferred['people']} people, "
            f"{found['created']} contributions found in the stream, group work "
            f"{_n(group_work)} in {time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        counts.update(_opportunities(association, today=today, actor=manager))
        say(f"engagement: {counts['opportunities']} opportunities, {counts['invitations']} "
            f"invitations in {time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        months = snapshot_months(today)
        for month in months:
            score_services.score_recompute_start(association=association, as_of=month,
                                                 snapshot_month=month)
        run = score_services.score_recompute_start(association=association, as_of=today)
        counts["scores"] = run.rows_done
        say(f"engagement: scores for {run.rows_done} people, snapshots "
            f"{', '.join(f'{m:%b %Y}' for m in months)}, in {time.perf_counter() - t0:.1f}s")

        t0 = time.perf_counter()
        recognition_services.tiers_install_defaults(association=association)
        evaluation = recognition_services.tiers_evaluate(association=association)
        counts["awards"] = _approve_some(association, actor=manager)
        say(f"engagement: {evaluation.nominated} nominations from the tier rules, "
            f"{counts['awards']} approved (badges) in {time.perf_counter() - t0:.1f}s")
    return counts


def _n(result) -> int:
    if isinstance(result, dict):
        return int(result.get("created", sum(v for v in result.values() if isinstance(v, int))))
    return int(result or 0)


def snapshot_months(today: date) -> list[date]:
    """The first days of the last ``SNAPSHOTS`` months before ``today`` (today's own month
    when it is past its first), oldest first."""
    month = today.replace(day=1)
    if month == today:
        month = (month - timedelta(days=1)).replace(day=1)
    out = [month]
    while len(out) < SNAPSHOTS:
        out.append((out[-1] - timedelta(days=1)).replace(day=1))
    return out[::-1]


def _opportunities(association: Association, *, today: date, actor) -> dict[str, int]:
    traits = {(k, slug): pk for pk, k, slug in Trait.objects.values_list("pk", "kind", "slug")}
    chapter = Chapter.objects.order_by("pk").first()

    def ids(kind: str, slugs: list[str]) -> list[int]:
        return [traits[kind, s] for s in slugs if (kind, s) in traits]

    made, invitations = [], 0
    for spec in ec.OPPORTUNITIES:
        opp = opportunity_services.opportunity_save(
            association=association, type=spec["type"], title=spec["title"],
            description=spec["description"], required_skills=ids("skill", spec["required"]),
            nice_skills=ids("skill", spec.get("nice", [])),
            motivations=ids("motivation", spec["motivations"]),
            interests=ids("interest", spec.get("interests", [])),
            required_text=spec.get("required_text", ""), remote=spec.get("remote", False),
            chapter=chapter if spec.get("chapter") else None,
            location=spec.get("location", ""), capacity=spec.get("capacity", 1),
            starts_on=today + timedelta(days=spec["in_days"]) if "in_days" in spec else None,
            effort_hours=spec.get("hours"), status="open", actor=actor)
        made.append((opp, spec))
    # Staff have started on the first few: the best matches invited, some already answered.
    for n, (opp, spec) in enumerate(made):
        if n >= 5 and spec.get("status", "open") == "open":
            continue
        people = Person.objects.in_bulk([c.person_id for c in match(association, opp,
                                                                    limit=INVITE_TOP).candidates])
        for i, person in enumerate(people.values()):
            opp.refresh_from_db(fields=["status"])
            if opp.status != "open":
                break  # its places are taken
            opportunity_services.invitation_advance(association=association, opportunity=opp,
                                                    person=person, event="invite", actor=actor)
            invitations += 1
            answer = spec.get("answers", ("accept", "decline", None))[i % 3]
            if answer:
                opportunity_services.invitation_advance(association=association, opportunity=opp,
                                                        person=person, event=answer,
                                                        by_member=True)
            if answer == "accept" and spec.get("completed"):
                opportunity_services.invitation_advance(
                    association=association, opportunity=opp, person=person, event="complete",
                    actor=actor, occurred_on=today - timedelta(days=3), hours=spec.get("hours"))
        if spec.get("status", "open") != "open":
            opp.refresh_from_db()
            if opp.status != spec["status"]:
                opportunity_services.opportunity_set_status(association=association,
                                                            opportunity=opp,
                                                            status=spec["status"], actor=actor)
    return {"opportunities": len(made), "invitations": invitations}


def _approve_some(association: Association, *, actor) -> int:
    """The community manager approves the strongest waiting nominations: the highest tier
    first (each person once), then the portal member's own, so their badge page is alive."""
    pending = list(Nomination.objects.filter(status="pending").select_related("tier", "person")
                   .order_by("-tier__order", "pk"))
    chosen, seen = [], set()
    for nomination in pending:
        if nomination.person_id not in seen and len(chosen) < BADGES:
            chosen.append(nomination)
            seen.add(nomination.person_id)
    portal = Person.objects.filter(user__isnull=False).values_list("pk", flat=True).first()
    chosen += [n for n in pending if n.person_id == portal and n.person_id not in seen][:1]
    for nomination in chosen:
        recognition_services.nomination_decide(association=association, nomination=nomination,
                                               approve=True, actor=actor)
    return len(chosen)
