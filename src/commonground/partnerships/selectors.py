"""Reads of the partnership itself: the list, a partnership's page (parties with their
contacts, assets and duties; stakeholders and the common ground drawn from them; due
diligence by score; the exchange case per party and in all; clauses; objectives with
their metric's value; the stage history; each partner's trust record) and a partner's
page (its partnerships and trust record). Reads only, in the caller's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from commonground.core import metrics
from commonground.core.errors import ValidationFailed
from commonground.people.models import Organisation

from .models import (
    Clause,
    DiligenceRisk,
    ExchangeItem,
    ExchangeKind,
    Partnership,
    PartnershipObjective,
    PartnershipParty,
    RiskStatus,
    StageChange,
    Stakeholder,
    TrustEvent,
    TrustKind,
)

ZERO = Decimal("0.00")


def risk_level(score: int) -> str:
    """Likelihood × impact on 1–5 scales: 15 and above high, 8 and above medium."""
    return "high" if score >= 15 else "medium" if score >= 8 else "low"


def partnerships_list(*, stage: str = "", status: str = "") -> QuerySet[Partnership]:
    """Every partnership with its partners (organisations prefetched), the number of
    partners and of open risks, by name."""
    qs = Partnership.objects.annotate(
        n_partners=Count("parties", filter=Q(parties__is_us=False), distinct=True),
        n_open_risks=Count("risks", filter=Q(risks__status=RiskStatus.OPEN), distinct=True),
    ).prefetch_related(Prefetch(
        "parties", queryset=PartnershipParty.objects.filter(is_us=False)
        .select_related("organisation"), to_attr="partners"))
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name", "id")


@dataclass
class RiskRow:
    risk: DiligenceRisk
    score: int
    level: str


@dataclass
class ExchangeRow:
    party: PartnershipParty
    items: list[ExchangeItem]
    costs: Decimal
    benefits: Decimal
    unvalued: int

    @property
    def net(self) -> Decimal:
        return self.benefits - self.costs


@dataclass
class TrustRecord:
    organisation: Organisation
    events: list[TrustEvent]

    @property
    def balance(self) -> int:
        return sum(e.effect for e in self.events)

    @property
    def incidents(self) -> int:
        return sum(1 for e in self.events if e.kind == TrustKind.INCIDENT)

    @property
    def past_work(self) -> int:
        return sum(1 for e in self.events if e.kind == TrustKind.PAST_WORK)

    @property
    def verdict(self) -> str:
        """In words, for the page: trust built, mixed, hurt, or no record yet."""
        if not self.events:
            return "no record yet"
        return "built" if self.balance > 0 else "hurt" if self.balance < 0 else "mixed"


@dataclass
class ObjectiveRow:
    objective: PartnershipObjective
    label: str = ""
    value: Decimal | None = None
    percent: int | None = None


@dataclass
class PartnershipPage:
    partnership: Partnership
    today: date
    parties: list[PartnershipParty]
    stakeholders: list[Stakeholder]
    common_ground_draft: str
    stages: list[StageChange]
    risks: list[RiskRow]
    exchange: list[ExchangeRow]
    exchange_totals: dict[str, Decimal]
    clauses: list[Clause]
    objectives: list[ObjectiveRow]
    trust: list[TrustRecord]
    review_due: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def partners(self) -> list[PartnershipParty]:
        return [p for p in self.parties if not p.is_us]


def trust_records(organisations: Iterable[Organisation]) -> list[TrustRecord]:
    """Each organisation's trust events (newest first), one query for all of them."""
    orgs = list(organisations)
    events: dict[int, list[TrustEvent]] = {o.pk: [] for o in orgs}
    for event in TrustEvent.objects.filter(organisation__in=orgs).select_related(
            "partnership", "recorded_by"):
        events[event.organisation_id].append(event)
    return [TrustRecord(organisation=o, events=events[o.pk]) for o in orgs]


def common_ground_draft(stakeholders: Iterable[Stakeholder]) -> str:
    """The views of the stakeholders who share the common ground, one line each: the draft
    the partnership manager starts from ("find the common ground")."""
    return "\n".join(f"{s.name} ({s.get_kind_display()}): {s.view}" for s in stakeholders
                     if s.shares_common_ground and s.view)


def _objective_rows(partnership: Partnership, objectives: list[PartnershipObjective],
                    today: date) -> list[ObjectiveRow]:
    rows = []
    for o in objectives:
        row = ObjectiveRow(objective=o)
        metric = metrics.get(o.metric_key) if o.metric_key else None
        end = min(today, o.due_on) if o.due_on else today
        if metric is not None and partnership.starts_on <= end:
            row.label = metric.label
            try:
                metric, query = metrics.validate(association=partnership.association,
                                                 metric_key=o.metric_key, filters=o.filters,
                                                 start=partnership.starts_on, end=end)
            except ValidationFailed:  # a filter naming something since deleted
                rows.append(row)
                continue
            row.value = metric.compute(partnership.association, query)
            if o.target:
                row.percent = max(0, min(100, int(row.value * 100 / o.target)))
        elif metric is not None:
            row.label = metric.label
        rows.append(row)
    return rows


def partnership_page(partnership: Partnership, *, today: date) -> PartnershipPage:
    p = partnership
    parties = list(PartnershipParty.objects.filter(partnership=p).select_related(
        "organisation", "approver_user").prefetch_related("contacts", "assets", "duties"))
    stakeholders = list(Stakeholder.objects.filter(partnership=p).select_related("organisation"))
    risks = [RiskRow(risk=r, score=r.likelihood * r.impact,
                     level=risk_level(r.likelihood * r.impact))
             for r in DiligenceRisk.objects.filter(partnership=p).select_related(
                 "party__organisation", "asset", "assessed_by")]
    risks.sort(key=lambda row: (row.risk.status != RiskStatus.OPEN, -row.score, row.risk.pk))
    items: dict[int, list[ExchangeItem]] = {party.pk: [] for party in parties}
    for item in ExchangeItem.objects.filter(partnership=p):
        items.setdefault(item.party_id, []).append(item)
    exchange = []
    for party in parties:
        mine = items.get(party.pk, [])
        if not mine:
            continue
        exchange.append(ExchangeRow(
            party=party, items=mine,
            costs=sum((i.value or ZERO for i in mine if i.kind == ExchangeKind.COST), ZERO),
            benefits=sum((i.value or ZERO for i in mine if i.kind == ExchangeKind.BENEFIT), ZERO),
            unvalued=sum(1 for i in mine if i.value is None)))
    costs = sum((r.costs for r in exchange), ZERO)
    benefits = sum((r.benefits for r in exchange), ZERO)
    objectives = list(PartnershipObjective.objects.filter(partnership=p)
                      .select_related("owner__organisation"))
    orgs = [party.organisation for party in parties if party.organisation is not None]
    return PartnershipPage(
        partnership=p, today=today, parties=parties, stakeholders=stakeholders,
        common_ground_draft=common_ground_draft(stakeholders),
        stages=list(StageChange.objects.filter(partnership=p).select_related("changed_by")),
        risks=risks, exchange=exchange,
        exchange_totals={"costs": costs, "benefits": benefits, "net": benefits - costs},
        clauses=list(Clause.objects.filter(partnership=p).select_related("party__organisation")),
        objectives=_objective_rows(p, objectives, today), trust=trust_records(orgs),
        review_due=bool(p.review_on and p.review_on <= today))


@dataclass
class PartnerPage:
    organisation: Organisation
    parties: list[PartnershipParty]
    trust: TrustRecord

    @property
    def partnerships(self) -> list[Partnership]:
        return [party.partnership for party in self.parties]


def partner_page(organisation: Organisation) -> PartnerPage:
    """A partner organisation: the partnerships it is a party of (with its role) and its
    trust record."""
    parties = list(PartnershipParty.objects.filter(organisation=organisation)
                   .select_related("partnership").order_by("partnership__name"))
    return PartnerPage(organisation=organisation, parties=parties,
                       trust=trust_records([organisation])[0])
