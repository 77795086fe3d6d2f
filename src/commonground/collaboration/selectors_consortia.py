"""Reads of consortia and joint initiatives for the pages, the API and the CLI: the
association's consortia and invitations, a consortium's page (participants, the
characteristics side by side with each participant's latest score and its history, the
governance history, the initiatives), an initiative's page (objectives summed over the
participants with their progress, contributions, revenues and shares).

Everything another association owns is read through ``crossing``; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from commonground.planning import progress as progress_rule
from commonground.tenancy.models import Association

from . import crossing
from .crossing import initiatives as cross
from .models import (
    Characteristic,
    CharacteristicAssessment,
    Consortium,
    ConsortiumMember,
    InitiativeContribution,
    InitiativeObjective,
    InitiativeParticipant,
    InitiativeRevenue,
    JointInitiative,
    MemberStatus,
)

CHARACTERISTICS = list(Characteristic.choices)
ZERO = Decimal("0.00")


@dataclass
class ConsortiumRow:
    consortium: Consortium
    status: str  # the association's own: active / invited
    is_coordinator: bool
    members: int = 0


def consortium_rows(association: Association) -> list[ConsortiumRow]:
    """The consortia the association is active in, then its pending invitations."""
    rows = [ConsortiumRow(c, MemberStatus.ACTIVE, c.association_id == association.pk)
            for c in crossing.consortia_of(association).select_related("association")]
    for row in rows:
        row.members = len(crossing.participants(row.consortium))
    rows += [ConsortiumRow(m.consortium, MemberStatus.INVITED, False)
             for m in crossing.invitations_of(association)]
    return rows


@dataclass
class Cell:
    latest: CharacteristicAssessment | None
    history: list[CharacteristicAssessment]


@dataclass
class Matrix:
    """Characteristics (rows) × participants (columns): each participant's latest score."""

    participants: list[ConsortiumMember]
    rows: list[tuple[str, str, list[Cell]]]  # (key, label, one cell per participant)
    assessments: list[CharacteristicAssessment]

    def average(self, cells: list[Cell]) -> Decimal | None:
        scores = [c.latest.score for c in cells if c.latest]
        return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1")) if scores else None


def characteristics_matrix(consortium: Consortium) -> Matrix:
    members = crossing.participants(consortium)
    found = crossing.assessments(consortium)
    grouped: dict[tuple[str, int], list[CharacteristicAssessment]] = defaultdict(list)
    for a in found:  # newest first
        grouped[(a.characteristic, a.association_id)].append(a)
    rows = []
    for key, label in CHARACTERISTICS:
        cells = []
        for m in members:
            history = grouped.get((key, m.association_id), [])
            cells.append(Cell(history[0] if history else None, history))
        rows.append((key, label, cells))
    return Matrix(members, rows, found)


@dataclass
class ConsortiumPage:
    consortium: Consortium
    me: ConsortiumMember
    participants: list[ConsortiumMember]
    members: list[ConsortiumMember]  # every status: the coordinator's view
    matrix: Matrix
    initiatives: list[JointInitiative]


def consortium_page(association: Association, consortium: Consortium) -> ConsortiumPage:
    participants = crossing.participants(consortium)
    me = next(m for m in participants if m.association_id == association.pk)
    members = (crossing.all_members(consortium) if me.is_coordinator else participants)
    return ConsortiumPage(consortium, me, participants, members,
                          characteristics_matrix(consortium),
                          cross.initiatives_of(association, consortium_id=consortium.pk))


def governance_history(consortium: Consortium):
    return crossing.governance_history(consortium)


# ---- joint initiatives


@dataclass
class ObjectiveView:
    objective: InitiativeObjective
    on: date | None
    values: dict[int, Decimal]  # participant association id → latest value
    total: Decimal | None
    progress: progress_rule.Progress
    series: list[tuple[date, Decimal]] = field(default_factory=list)  # the summed burn-up


@dataclass
class ParticipantView:
    participant: InitiativeParticipant
    contributed: Decimal
    received: Decimal


@dataclass
class InitiativePage:
    initiative: JointInitiative
    participants: list[ParticipantView]
    objectives: list[ObjectiveView]
    contributions: list[InitiativeContribution]
    revenues: list[InitiativeRevenue]
    is_lead: bool
    is_participant: bool
    names: dict[int, str]


def objective_views(initiative: JointInitiative, today: date) -> list[ObjectiveView]:
    snaps = cross.snapshots_of(initiative)
    by_objective: dict[int, dict[date, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for s in snaps:
        by_objective[s.objective_id][s.on][s.participant_id] = s.value
    out = []
    for o in cross.objectives_of(initiative):
        days = by_objective.get(o.pk, {})
        latest = max(days) if days else None
        values = dict(days[latest]) if latest else {}
        total = sum(values.values(), Decimal(0)) if latest else None
        prog = progress_rule.progress(baseline=o.baseline, target=o.target, current=total,
                                      on=latest or today, starts_on=o.starts_on,
                                      deadline=o.deadline, up=o.direction == "up")
        series = [(d, sum(v.values(), Decimal(0))) for d, v in sorted(days.items())]
        out.append(ObjectiveView(o, latest, values, total, prog, series))
    return out


def initiative_page(association: Association, initiative: JointInitiative,
                    today: date) -> InitiativePage:
    parts = cross.participants_of(initiative)
    totals = cross.contribution_totals(initiative)
    received = cross.shares_by_participant(initiative)
    views = [ParticipantView(p, totals.get(p.association_id, ZERO),
                             received.get(p.association_id, ZERO)) for p in parts]
    names = {p.association_id: p.association.name for p in parts}
    return InitiativePage(
        initiative=initiative, participants=views,
        objectives=objective_views(initiative, today),
        contributions=cross.contributions_of(initiative), revenues=cross.revenues_of(initiative),
        is_lead=initiative.association_id == association.pk,
        is_participant=any(p.association_id == association.pk for p in parts), names=names)
