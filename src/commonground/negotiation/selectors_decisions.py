"""Reads of joint decisions and dual-input forms: the tally of a round (the approval rule
reads it too), which side a decision waits for, the lists and the decision page.

The approval rule: a decision is approved when, in its current round, every side whose
quorum is above 0 has at least that many AGREE positions **for the same option**, and
nobody blocked. A disagreement, a block, or an agreement with another option is dissent:
it stays on the record next to the outcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from commonground.tenancy.models import AuditEntry
from commonground.tenancy.permissions import BOTH_SIDES

from .models import (
    Decision,
    DecisionStatus,
    DualForm,
    DualFormStatus,
    Position,
    Stance,
)

SIDE_LABEL = {"mission": "mission side", "business": "business side"}


@dataclass
class SideTally:
    side: str
    quorum: int
    signed: int = 0                     # positions taken on this side this round
    agree: dict[int | None, int] = field(default_factory=dict)  # option id → AGREE count
    blocks: int = 0

    @property
    def required(self) -> bool:
        return self.quorum > 0

    @property
    def best(self) -> int:
        return max(self.agree.values(), default=0)

    @property
    def reached(self) -> bool:
        """This side signed off (some option has its quorum of agreements)."""
        return self.required and self.best >= self.quorum

    @property
    def label(self) -> str:
        return SIDE_LABEL[self.side]


@dataclass
class Tally:
    sides: dict[str, SideTally]

    @property
    def blocked(self) -> bool:
        return any(t.blocks for t in self.sides.values())

    @property
    def required(self) -> list[SideTally]:
        return [t for t in self.sides.values() if t.required]

    def approved_option(self) -> int | None:
        """The option every required side reached its quorum for, unless blocked (the
        first by id when, oddly, two qualify)."""
        if self.blocked or not self.required:
            return None
        common = None
        for t in self.required:
            ok = {o for o, n in t.agree.items() if n >= t.quorum}
            common = ok if common is None else common & ok
        candidates = sorted(o for o in (common or set()) if o is not None)
        return candidates[0] if candidates else None

    @property
    def waiting_for(self) -> list[str]:
        """Required sides that have not signed off yet."""
        return [t.side for t in self.required if not t.reached]


def _empty(quorum: dict) -> Tally:
    return Tally({s: SideTally(side=s, quorum=int(quorum.get(s, 0) or 0)) for s in BOTH_SIDES})


def _add(tally: Tally, side: str, stance: str, option_id: int | None, n: int) -> None:
    t = tally.sides.get(side)
    if t is None:
        return
    t.signed += n
    if stance == Stance.AGREE:
        t.agree[option_id] = t.agree.get(option_id, 0) + n
    elif stance == Stance.BLOCK:
        t.blocks += n


def tally(decision: Decision) -> Tally:
    """The current round's tally of one decision (one grouped query)."""
    out = _empty(decision.quorum)
    rows = (Position.objects.filter(decision=decision, round=decision.round)
            .values("side", "stance", "option_id").annotate(n=Count("id")).order_by())
    for r in rows:
        _add(out, r["side"], r["stance"], r["option_id"], r["n"])
    return out


def tallies(decisions: Iterable[Decision]) -> dict[int, Tally]:
    """Tallies of many decisions in one grouped query (lists, the agenda source)."""
    decisions = list(decisions)
    out = {d.pk: _empty(d.quorum) for d in decisions}
    if not decisions:
        return out
    rows = (Position.objects.filter(decision_id__in=list(out), round=F("decision__round"))
            .values("decision_id", "side", "stance", "option_id").annotate(n=Count("id"))
            .order_by())
    for r in rows:
        _add(out[r["decision_id"]], r["side"], r["stance"], r["option_id"], r["n"])
    return out


def decision_list(*, status: str = "", meeting_id: int | None = None,
                  objective_id: int | None = None) -> QuerySet[Decision]:
    qs = Decision.objects.select_related("type", "offering", "meeting", "proposed_by")
    if status:
        qs = qs.filter(status=status)
    if meeting_id:
        qs = qs.filter(meeting_id=meeting_id)
    if objective_id:
        qs = qs.filter(objective_id=objective_id)
    return qs


def with_tallies(decisions: Iterable[Decision]) -> list[Decision]:
    """The decisions with ``.tally`` set (open ones from the positions; closed ones too, for
    the record)."""
    decisions = list(decisions)
    found = tallies(decisions)
    for d in decisions:
        d.tally = found[d.pk]
        d.waiting = waiting_shown(d, d.tally)
        d.hidden = hidden_now(d)
    return decisions


def waiting_shown(decision: Decision, t: Tally) -> list[str]:
    """The sides an open decision waits for, as others may see it: with hidden positions
    a side "waits" until enough of it took a position (agreement would tell the stances)."""
    if decision.status != DecisionStatus.OPEN:
        return []
    if hidden_now(decision):
        return [s.side for s in t.required if s.signed < s.quorum]
    return t.waiting_for


def waiting_for_one_side(association) -> list[tuple[Decision, str]]:
    """Open decisions where one required side signed off and another has not: the agenda
    names them (decision, the side it waits for)."""
    open_ = list(Decision.objects.filter(status=DecisionStatus.OPEN)
                 .select_related("type", "offering").order_by("opened_at", "id"))
    result: list[tuple[Decision, str]] = []
    for d in with_tallies(open_):
        if len(d.tally.required) > 1 and len(d.waiting) == 1 and not (
                d.tally.blocked and not hidden_now(d)):
            result.append((d, d.waiting[0]))
    return result


def positions_of(decision: Decision) -> list[Position]:
    return list(Position.objects.filter(decision=decision)
                .select_related("user", "option").order_by("round", "created_at", "id"))


def positions_visible(decision: Decision, positions: list[Position], viewer) -> list[Position]:
    """Everyone's positions, except while the decision is open with hidden positions: then
    only the viewer's own of the current round (earlier rounds closed, so they show)."""
    if not hidden_now(decision):
        return positions
    uid = getattr(viewer, "pk", None)
    return [p for p in positions if p.round != decision.round or p.user_id == uid]


def hidden_now(decision: Decision) -> bool:
    return decision.hidden_positions and decision.status == DecisionStatus.OPEN


def dissent(decision: Decision, positions: list[Position]) -> list[Position]:
    """The positions of the deciding round that did not agree with the chosen option."""
    if decision.status != DecisionStatus.APPROVED:
        return [p for p in positions if p.round == decision.round
                and p.stance in (Stance.DISAGREE, Stance.BLOCK)]
    return [p for p in positions if p.round == decision.round and (
        p.stance in (Stance.DISAGREE, Stance.BLOCK)
        or (p.stance == Stance.AGREE and p.option_id != decision.chosen_option_id))]


def signed_this_round(decision: Decision, user) -> Position | None:
    uid = getattr(user, "pk", None)
    if uid is None:
        return None
    return Position.objects.filter(decision=decision, round=decision.round,
                                   user_id=uid).first()


def decision_history(decision: Decision) -> list[AuditEntry]:
    """The decision's audit trail, oldest first."""
    return list(AuditEntry.objects.filter(object_type="decision", object_id=decision.pk)
                .select_related("actor").order_by("created_at", "id"))


def dual_form_list(*, status: str = "", kind: str = "") -> QuerySet[DualForm]:
    qs = DualForm.objects.select_related("subject_user", "created_by").annotate(
        n_inputs=Count("inputs"),
        has_mission=Count("inputs", filter=Q(inputs__side="mission")),
        has_business=Count("inputs", filter=Q(inputs__side="business")))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def dual_form_missing(form: DualForm) -> list[str]:
    """The sides whose input the form still waits for."""
    have = set(form.inputs.values_list("side", flat=True))
    return [s for s in BOTH_SIDES if s not in have] if form.status == DualFormStatus.OPEN \
        else []


def open_counts() -> dict[str, int]:
    by: dict[str, int] = defaultdict(int)
    for r in Decision.objects.values("status").annotate(n=Count("id")).order_by():
        by[r["status"]] = r["n"]
    return dict(by)


def dual_form_history(form: DualForm) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="dualform", object_id=form.pk)
                .select_related("actor").order_by("created_at", "id"))
