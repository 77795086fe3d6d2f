"""Inferring from the activity stream: motivations (traits, source "inferred") and the
contributions the stream shows (forum answers, volunteer shifts, talks), which wait for
verification like any other."""

from __future__ import annotations

from datetime import timedelta
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commonground.activity.models import Activity
from commonground.membership.models import Offering
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today, association_zone
from commonground.tenancy.models import Association

from .. import inference
from ..models import (
    Contribution,
    ContributionKind,
    ContributionOrigin,
    ContributionStatus,
    MemberTrait,
    Trait,
    TraitKind,
    TraitSource,
)
from .taxonomy import ensure_taxonomy

CHUNK = 2000
# At most this many inferred motivations per person: the strongest.
TOP = 3


def _chunks(iterable, size):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


@transaction.atomic
def traits_infer(*, association: Association, person_ids: list[int] | None = None,
                 days: int = inference.WINDOW_DAYS, actor: Any = None) -> dict[str, int]:
    """Replace the inferred motivations of everyone (or of ``person_ids``) with what their
    last ``days`` of activity suggest. Stated and staff-recorded traits are never touched."""
    ensure_taxonomy(association)
    motivations = dict(Trait.objects.filter(kind=TraitKind.MOTIVATION, is_active=True)
                       .values_list("slug", "id"))
    stale = MemberTrait.objects.filter(source=TraitSource.INFERRED,
                                       trait__kind=TraitKind.MOTIVATION)
    if person_ids is not None:
        stale = stale.filter(person_id__in=person_ids)
    removed = stale.delete()[0]
    means = inference.signal_means(days=days)
    today = association_today(association).isoformat()
    signal_motivations = {s.key: s.points_to for s in inference.SIGNALS}
    people = written = 0
    for chunk in _chunks(inference.signal_counts(person_ids=person_ids, days=days), CHUNK):
        rows = []
        for person_id, counts in chunk:
            if sum(counts.values()) < inference.MIN_ROWS:
                continue
            people += 1
            lifts = inference.lifts(counts, means)
            top = sorted((kv for kv in lifts.items() if kv[1] > 1.0 and kv[0] in motivations),
                         key=lambda kv: -kv[1])[:TOP]
            for slug, lift in top:
                evidence = {"counts": {k: n for k, n in counts.items()
                                       if slug in signal_motivations.get(k, {})},
                            "lift": round(lift, 2), "window_days": days, "inferred_on": today}
                rows.append(MemberTrait(association=association, person_id=person_id,
                                        trait_id=motivations[slug], source=TraitSource.INFERRED,
                                        strength=inference.strength(lift), evidence=evidence))
        MemberTrait.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    audit.record(association=association, action="traits.inferred", actor=actor,
                 object_type="membertrait",
                 data={"people": people, "traits": written, "removed": removed, "days": days})
    return {"people": people, "traits": written, "removed": removed}


# kind → (contribution kind, title); talks are check-ins with role/ticket "speaker".
INFERRED_KINDS = {
    "forum_answer": (ContributionKind.FORUM_ANSWER, "Answered a question in the forum"),
    "volunteer_shift": (ContributionKind.VOLUNTEERING, "Volunteered"),
    "talk": (ContributionKind.TALK, "Spoke"),
}


def _title(kind: str, metadata: dict) -> str:
    base = INFERRED_KINDS[kind][1]
    where = metadata.get("forum") if kind == "forum_answer" else metadata.get("event")
    if where:
        base += f" ({where})" if kind == "forum_answer" else f" at {where}"
    return str(base)[:200]


@transaction.atomic
def contributions_infer(*, association: Association, days: int = 90,
                        actor: Any = None) -> dict[str, int]:
    """Contributions the activity stream shows over the last ``days``: forum answers,
    volunteer shifts and talks (check-ins as speaker). Each waits for verification; its
    origin_ref "activity:<id>" makes a second run add nothing."""
    since = timezone.now() - timedelta(days=days)
    zone = association_zone(association)
    qs = Activity.objects.filter(person__isnull=False, occurred_at__gte=since).filter(
        Q(kind__in=["forum_answer", "volunteer_shift"])
        | (Q(kind="event_checkin") & inference.SPEAKER)
    ).values_list("id", "person_id", "kind", "occurred_at", "metadata", "offering_id")
    # Activity keeps offering ids without a constraint; a contribution's FK has one.
    offerings = set(Offering.objects.values_list("id", flat=True))
    created = seen = 0
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
        refs = {f"activity:{row[0]}" for row in chunk}
        have = set(Contribution.objects.filter(origin_ref__in=refs)
                   .values_list("origin_ref", flat=True))
        rows = []
        for aid, person_id, kind, at, metadata, offering_id in chunk:
            seen += 1
            ref = f"activity:{aid}"
            if ref in have:
                continue
            key = "talk" if kind == "event_checkin" else kind
            rows.append(Contribution(
                association=association, person_id=person_id, kind=INFERRED_KINDS[key][0],
                title=_title(key, metadata or {}), occurred_on=timezone.localtime(at, zone).date(),
                offering_id=offering_id if offering_id in offerings else None,
                status=ContributionStatus.SUBMITTED,
                origin=ContributionOrigin.INFERRED, origin_ref=ref))
        Contribution.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        created += len(rows)
    audit.record(association=association, action="contributions.inferred", actor=actor,
                 object_type="contribution", data={"activities": seen, "created": created,
                                                   "days": days})
    return {"activities": seen, "created": created}
