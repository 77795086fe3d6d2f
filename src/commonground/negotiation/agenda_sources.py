"""The agenda sources of the meetings part (see ``agenda``): action items carried over
from earlier meetings, objectives off pace, a lapse spike in a chapter, and action items
overdue. Each is one or two queries, whatever the size of the association."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q

from commonground.membership.models import Transition
from commonground.people.models import Chapter
from commonground.planning import progress
from commonground.planning.models import Objective
from commonground.planning.selectors import objectives_flagged

from .agenda import AgendaProposal, register_source
from .models import ActionItem, ActionStatus, AgendaOrigin

# A chapter's lapses in the last RECENT_DAYS against its own average per RECENT_DAYS over
# the year before: a spike is at least SPIKE_RATIO times that average and at least
# SPIKE_MIN lapses (three lapses in a small chapter are not news; ten where two are usual
# are).
RECENT_DAYS, PRIOR_DAYS = 90, 365
SPIKE_RATIO, SPIKE_MIN = Decimal("1.5"), 3


def _owner(user) -> str:
    return user.get_full_name() or user.email or user.username


def carried_actions(*, association, meeting, today: date) -> Iterator[AgendaProposal]:
    """Open action items agreed at earlier meetings: they stay on the agenda until done."""
    qs = (ActionItem.objects.filter(association=association, status=ActionStatus.OPEN,
                                    meeting__starts_at__lt=meeting.starts_at)
          .exclude(meeting=meeting).select_related("owner", "meeting").order_by("due_on", "id"))
    for a in qs:
        late = " — overdue" if a.due_on < today else ""
        yield AgendaProposal(
            origin_key=f"action:{a.pk}", origin=AgendaOrigin.CARRIED,
            title=f"Carried over: {a.title} ({_owner(a.owner)}, due {a.due_on:%-d %b %Y}{late})",
            body=f"Agreed at {a.meeting.title}.", action_item_id=a.pk,
            objective_id=a.objective_id, decision_id=a.decision_id)


def _flagged(association, today: date) -> list[tuple[Objective, progress.Progress]]:
    """The plan's own rule and order (worst first): ``planning.selectors``."""
    return [(f.objective, f.progress) for f in objectives_flagged(association, today)]


def objectives_off_pace(*, association, meeting, today: date) -> Iterator[AgendaProposal]:
    """Active objectives at risk, off track or missed (``planning.progress.FLAGGED``)."""
    for o, p in _flagged(association, today):
        now = "no value yet" if p.current is None else f"{p.current.normalize():f}"
        pace = (f" It needs {p.required_pace.normalize():f} per {progress.PACE_DAYS} days "
                "from here." if p.required_pace is not None else "")
        yield AgendaProposal(
            origin_key=f"objective:{o.pk}",
            title=f"{p.label}: {o.title}",
            body=(f"{now} against a target of {o.target.normalize():f} by "
                  f"{o.deadline:%-d %b %Y} (expected {p.expected.normalize():f} by now).{pace}"),
            objective_id=o.pk)


def chapter_lapse_counts(association, today: date) -> dict[int, tuple[int, int]]:
    """{chapter id: (lapses in the last RECENT_DAYS, lapses in the PRIOR_DAYS before)} —
    one GROUP BY over the lapse transitions (``transition_event_idx``)."""
    recent_from = today - timedelta(days=RECENT_DAYS)
    prior_from = recent_from - timedelta(days=PRIOR_DAYS)
    rows = (Transition.objects.filter(association=association, event="lapsed",
                                      on__gt=prior_from, on__lte=today,
                                      membership__person__chapter__isnull=False)
            .values("membership__person__chapter_id")
            .annotate(recent=Count("id", filter=Q(on__gt=recent_from)),
                      prior=Count("id", filter=Q(on__lte=recent_from)))
            .order_by())
    return {r["membership__person__chapter_id"]: (r["recent"], r["prior"]) for r in rows}


def lapse_spikes(*, association, meeting, today: date) -> Iterator[AgendaProposal]:
    """A chapter whose lapses in the last 90 days are well above its own usual rate."""
    spikes = []
    for chapter_id, (recent, prior) in chapter_lapse_counts(association, today).items():
        usual = Decimal(prior) * RECENT_DAYS / PRIOR_DAYS
        if recent >= SPIKE_MIN and recent >= usual * SPIKE_RATIO:
            spikes.append((chapter_id, recent, usual))
    if not spikes:
        return
    names = dict(Chapter.objects.filter(pk__in=[s[0] for s in spikes])
                 .values_list("pk", "name"))
    for chapter_id, recent, usual in sorted(spikes, key=lambda s: (-s[1], s[0])):
        yield AgendaProposal(
            origin_key=f"lapse_spike:chapter:{chapter_id}",
            title=f"Lapse spike in {names.get(chapter_id, 'a chapter')}: {recent} lapses "
                  f"in {RECENT_DAYS} days",
            body=(f"Usually about {usual.quantize(Decimal('0.1')).normalize():f} per "
                  f"{RECENT_DAYS} days (the year before). Who lapsed, and why?"))


def overdue_actions(*, association, meeting, today: date) -> Iterator[AgendaProposal]:
    """Open action items past their due date (those of earlier meetings are carried)."""
    qs = (ActionItem.objects.filter(association=association, status=ActionStatus.OPEN,
                                    due_on__lt=today)
          .exclude(meeting=meeting).select_related("owner").order_by("due_on", "id"))
    for a in qs:
        yield AgendaProposal(
            origin_key=f"action:{a.pk}",
            title=f"Overdue: {a.title} ({_owner(a.owner)}, due {a.due_on:%-d %b %Y})",
            action_item_id=a.pk, objective_id=a.objective_id, decision_id=a.decision_id)


def register() -> None:
    # The order is the agenda's: what is still open first, then what the data says.
    # (The decisions part registers "decisions waiting for one side" at 40.)
    register_source("actions_carried", carried_actions, label="Open action items carried over",
                    order=10)
    register_source("objectives_off_pace", objectives_off_pace, label="Objectives off pace",
                    order=20)
    register_source("lapse_spikes", lapse_spikes, label="A lapse spike in a chapter", order=30)
    register_source("actions_overdue", overdue_actions, label="Action items overdue", order=50)
