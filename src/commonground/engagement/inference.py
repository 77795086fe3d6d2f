"""What the activity stream says about a member's motivations.

One set-based read: per person, the count of each *signal* below over the window (one
aggregate query, ``Count(filter=…)`` per signal). Each signal points at motivations with a
weight. A signal's count is divided by the average count among active people, so "14 forum
answers" means something relative to how much everyone answers (web page views are
plentiful, talks rare). A motivation's *lift* is the weighted mean of those ratios over
its signals, shrunk toward 1 by a prior of one signal's weight (a motivation several signals
agree on outranks one a single rare signal suggests), divided by the person's overall level
(the mean ratio of all signals), so a very active member is not simply "motivated by
everything". Motivations with a lift above 1 (more than this person's usual) become
inferred traits, strength 1–5 by lift, each with its evidence: the counts that produced it.

Email opens and clicks are not evidence (newsletters arrive whether or not one cares), nor
are rows flagged as automated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from commonground.activity.models import Activity


@dataclass(frozen=True)
class Signal:
    key: str
    label: str  # plural, for "inferred from 14 forum answers"
    where: Q
    points_to: dict[str, float]


def _meta(key: str, text: str) -> Q:
    return Q(**{f"metadata__{key}__icontains": text})


FORUM = Q(kind__in=["forum_answer", "forum_reply", "forum_topic", "forum_post"])
CHECKIN = Q(kind="event_checkin")
SPEAKER = Q(metadata__role__iexact="speaker") | _meta("ticket_type", "speaker")

SIGNALS: tuple[Signal, ...] = (
    Signal("forum_answers", "forum answers", Q(kind="forum_answer"),
           {"giving_back": 1.0, "community_belonging": .4, "visibility_reputation": .3}),
    Signal("forum_posts", "forum posts", Q(kind__in=["forum_reply", "forum_topic", "forum_post"]),
           {"community_belonging": 1.0, "competence_development": .4}),
    Signal("career_forum", "posts in career forums", FORUM & _meta("forum", "career"),
           {"career_advancement": 1.0}),
    Signal("research_forum", "posts in research forums", FORUM & _meta("forum", "research"),
           {"insider_access": .8, "competence_development": .4}),
    Signal("volunteer_shifts", "volunteer shifts", Q(kind="volunteer_shift"),
           {"giving_back": 1.0, "community_belonging": .3}),
    Signal("talks", "talks given", CHECKIN & SPEAKER,
           {"visibility_reputation": 1.0, "giving_back": .3}),
    Signal("course_completions", "course completions", Q(kind="course_completed"),
           {"competence_development": 1.0, "career_advancement": .4}),
    Signal("certification", "certification or leadership courses",
           Q(kind="course_completed") & (_meta("course", "certification")
                                         | _meta("course", "leadership")),
           {"career_advancement": 1.0, "visibility_reputation": .3}),
    Signal("learning_events", "learning events attended", CHECKIN & Q(category="learning"),
           {"competence_development": 1.0}),
    Signal("networking_events", "conferences and meetups attended",
           # (not "& ~SPEAKER": negating a JSON key lookup drops rows without the key)
           CHECKIN & Q(category="community"),
           {"business_development": .8, "community_belonging": .8, "visibility_reputation": .4}),
    Signal("mentoring_circles", "mentoring sessions attended", CHECKIN & _meta("event", "mentor"),
           {"career_advancement": 1.0, "competence_development": .5}),
    Signal("briefings", "industry briefings attended",
           CHECKIN & (_meta("event", "briefing") | _meta("event", "council")),
           {"insider_access": 1.0, "business_development": 1.0}),
    Signal("advocacy", "advocacy actions and events",
           Q(category="advocacy") & (Q(kind="form_submit") | CHECKIN),
           {"giving_back": 1.0, "insider_access": .3}),
    Signal("social_shares", "social shares, comments and mentions",
           Q(kind__in=["social_share", "social_comment", "social_mention"]),
           {"visibility_reputation": 1.0, "business_development": .6}),
    Signal("downloads", "journal and research downloads", Q(kind="download"),
           {"insider_access": 1.0, "competence_development": .5}),
    Signal("research_pages", "journal and research page views",
           Q(kind="page_view") & (_meta("page", "/journal") | _meta("page", "/research")
                                  | _meta("page", "/standards")),
           {"insider_access": 1.0}),
    Signal("career_pages", "career and job page views",
           Q(kind="page_view") & (_meta("page", "/career") | _meta("page", "/jobs")),
           {"career_advancement": 1.0}),
    Signal("learning_pages", "learning page views", Q(kind="page_view") & _meta("page", "/learn"),
           {"competence_development": .7, "career_advancement": .3}),
    Signal("store_orders", "store orders", Q(kind="order_line") & Q(category="commerce"),
           {"business_development": .5, "insider_access": .5}),
)
# Every kind a signal above reads (keep in step with SIGNALS).
SIGNAL_KINDS = ("forum_answer", "forum_reply", "forum_topic", "forum_post", "volunteer_shift",
                "event_checkin", "course_completed", "form_submit", "social_share",
                "social_comment", "social_mention", "download", "page_view", "order_line")
# A person with fewer signal rows than this in the window gets no inferred motivations:
# too little to go on.
MIN_ROWS = 5
PRIOR = 1.0
WINDOW_DAYS = 365


def _evidence_rows(days: int):
    since = timezone.now() - timedelta(days=days)
    # Automated traffic is no evidence of what a person wants.
    # Only the kinds some signal reads: the aggregate's conditions are then evaluated on
    # those rows alone (email opens, likes and follows are most of a stream and no evidence).
    return Activity.objects.filter(person__isnull=False, occurred_at__gte=since,
                                   kind__in=SIGNAL_KINDS).exclude(metadata__has_key="bot")


def signal_means(*, days: int = WINDOW_DAYS) -> dict[str, float]:
    """Each signal's average count per person with any activity in the window (one query)."""
    totals = _evidence_rows(days).aggregate(
        _people=Count("person_id", distinct=True),
        **{s.key: Count("id", filter=s.where) for s in SIGNALS})
    people = totals.pop("_people") or 0
    return {k: v / people for k, v in totals.items() if people and v}


def signal_counts(*, person_ids: list[int] | None = None, days: int = WINDOW_DAYS):
    """(person_id, {signal: count}) for every person with activity in the window; one
    aggregate query, streamed."""
    qs = _evidence_rows(days)
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    rows = qs.values("person_id").annotate(
        **{s.key: Count("id", filter=s.where) for s in SIGNALS}).order_by("person_id")
    for row in rows.iterator(chunk_size=5000):
        pid = row.pop("person_id")
        yield pid, {k: v for k, v in row.items() if v}


def lifts(counts: dict[str, int], means: dict[str, float]) -> dict[str, float]:
    """Motivation → lift for one person's signal counts (see the module docstring)."""
    ratios = {s.key: counts.get(s.key, 0) / means[s.key] for s in SIGNALS if means.get(s.key)}
    if not ratios:
        return {}
    level = sum(ratios.values()) / len(ratios)
    if level <= 0:
        return {}
    score: dict[str, float] = {}
    weight: dict[str, float] = {}
    for s in SIGNALS:
        if s.key not in ratios:
            continue
        for m, w in s.points_to.items():
            score[m] = score.get(m, 0.0) + w * ratios[s.key]
            weight[m] = weight.get(m, 0.0) + w
    # Shrunk toward "average" (a ratio of 1) with the weight of one signal: a motivation
    # several signals agree on is more credible than one a single rare signal suggests.
    return {m: (score[m] + PRIOR) / (weight[m] + PRIOR) / level for m in score}


def strength(lift: float) -> int:
    """Lift → 1..5: 1.0–1.3 → 1, … ≥ 2.5 → 5."""
    for bound, value in ((2.5, 5), (1.9, 4), (1.5, 3), (1.25, 2)):
        if lift >= bound:
            return value
    return 1


def evidence_text(evidence: dict) -> str:
    """"inferred from 14 forum answers, 3 volunteer shifts" (largest first, at most three)."""
    labels = {s.key: s.label for s in SIGNALS}
    parts = sorted(evidence.get("counts", {}).items(), key=lambda kv: -kv[1])[:3]
    if not parts:
        return "inferred from activity"
    return "inferred from " + ", ".join(f"{n} {labels.get(k, k)}" for k, n in parts)
