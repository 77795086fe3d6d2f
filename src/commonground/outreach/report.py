"""The effect report: did the people drawn for contact renew more than those held back?

Each person on a list faced one renewal decision when the list was made (their term's
end, ``decision_on``). The outcome is read from the membership terms: **renewed** when a
term of any of the person's memberships covers the day after the grace (the first day they
would have been lapsed: a renewal, or a switch to another plan, in time), **lapsed**
otherwise. It is **pending** until that day and a month after the renewal date have both
passed (payments recorded late still count), and people with no renewal ahead
(not members, lifetime plans) are outside the comparison.

The comparison is by the group drawn (intention to treat): everyone drawn for contact,
reached or not, against everyone held back — the random draw makes those two groups
alike, while "those we reached" are not (the reachable renew more anyway). The
difference of the renewal rates comes with Newcombe's 95 % interval (``stats``); below
the association's minimum of decided renewals in either group the report says "too few
to tell" rather than a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from commonground.core import charts
from commonground.membership import lifecycle
from commonground.membership.models import Term
from commonground.tenancy.clock import association_today

from . import people, selectors, stats
from .models import ContactStatus, Group, Outreach, OutreachMember

SETTLE_DAYS = 30  # a month after the renewal date, whatever the grace
BAND_ORDER = {"high": 0, "medium": 1, "low": 2, "": 3}
BAND_LABEL = {"high": "High risk", "medium": "Medium risk", "low": "Low risk", "": "No prediction"}


def settles_on(decision_on: date, grace_days: int) -> date:
    """The day the outcome of a renewal decision counts as known."""
    return max(lifecycle.lapse_date(decision_on, grace_days), decision_on + timedelta(days=SETTLE_DAYS))


@dataclass
class GroupCounts:
    people: int = 0
    no_renewal: int = 0
    pending: int = 0
    renewed: int = 0
    lapsed: int = 0
    reached: int = 0  # contacted or exported (contact group only)
    unreachable: int = 0

    @property
    def decided(self) -> int:
        return self.renewed + self.lapsed

    @property
    def rate(self) -> float | None:
        return self.renewed / self.decided if self.decided else None

    def interval(self) -> tuple[float, float] | None:
        return stats.wilson(self.renewed, self.decided) if self.decided else None


@dataclass
class Report:
    outreach: Outreach
    today: date
    contact: GroupCounts
    holdout: GroupCounts
    comparison: stats.Comparison
    bands: list[tuple[str, GroupCounts, GroupCounts]] = field(default_factory=list)
    next_settles: date | None = None
    last_settles: date | None = None

    @property
    def verdict(self) -> str:
        return self.comparison.verdict

    @property
    def pending(self) -> int:
        return self.contact.pending + self.holdout.pending

    def summary(self) -> str:
        """One sentence for staff."""
        c = self.comparison
        if self.holdout.people == 0:
            return "Nobody was held back from this list, so its effect can't be measured."
        if c.verdict == "too_few":
            need = (f"at least {c.minimum} decided renewals are needed in each group; so far "
                    f"{c.decided_contact} in the contact group and {c.decided_holdout} among "
                    "the held back")
            wait = f" The next renewal dates settle on {self.next_settles:%-d %b %Y}." \
                if self.next_settles else ""
            return f"Too few to tell: {need}.{wait}"
        points = f"{c.difference * 100:+.1f} points (95 % interval {c.low * 100:+.1f} to " \
                 f"{c.high * 100:+.1f})"
        if c.verdict == "helped":
            return f"Contacted members renewed more: {points}."
        if c.verdict == "hurt":
            return f"Contacted members renewed less: {points}."
        return f"No clear difference: {points}; the interval includes zero."

    def as_dict(self) -> dict:
        c = self.comparison

        def group(g: GroupCounts) -> dict:
            return {"people": g.people, "no_renewal_ahead": g.no_renewal, "pending": g.pending,
                    "decided": g.decided, "renewed": g.renewed, "lapsed": g.lapsed,
                    "renewal_rate": g.rate, "reached": g.reached, "unreachable": g.unreachable,
                    "rate_interval": list(g.interval()) if g.decided else None}

        return {"outreach_id": self.outreach.pk, "as_of": self.today.isoformat(),
                "verdict": c.verdict, "summary": self.summary(), "minimum_per_group": c.minimum,
                "difference": c.difference, "ci_low": c.low, "ci_high": c.high,
                "confidence": 0.95, "method": "Newcombe hybrid score (Wilson) interval",
                "comparison": "intention to treat: drawn for contact against held back",
                "contact": group(self.contact), "holdout": group(self.holdout),
                "next_settles_on": self.next_settles.isoformat() if self.next_settles else None,
                "last_settles_on": self.last_settles.isoformat() if self.last_settles else None,
                "bands": [{"band": b, "contact": group(cg), "holdout": group(hg)}
                          for b, cg, hg in self.bands]}


def _renewed(rows: list[tuple[int, date, int]]) -> set[int]:
    """The people among ``(person, decision, grace)`` with a term covering their lapse day."""
    days = {pid: lifecycle.lapse_date(d, g) for pid, d, g in rows}
    if not days:
        return set()
    ids = sorted(days)
    low, high = min(days.values()), max(days.values())
    renewed: set[int] = set()
    for part in people.chunks(ids):
        for pid, starts, ends in (Term.objects.filter(membership__person_id__in=part,
                                                      starts_on__lte=high, ends_on__gte=low)
                                  .values_list("membership__person_id", "starts_on", "ends_on")):
            if starts <= days[pid] <= ends:
                renewed.add(pid)
    return renewed


def effect_report(outreach: Outreach, *, today: date | None = None) -> Report:
    """The report as of ``today`` (default: the association's today)."""
    today = today or association_today(outreach.association)
    minimum = selectors.settings_for(outreach.association).min_per_group
    rows = list(OutreachMember.objects.filter(outreach=outreach).values_list(
        "person_id", "group", "band", "decision_on", "grace_days", "contact_status"))
    settled = [(pid, d, g) for pid, _, _, d, g, _ in rows
               if d is not None and settles_on(d, g) <= today]
    renewed = _renewed(settled)
    settled_ids = {pid for pid, _, _ in settled}
    totals = {Group.CONTACT: GroupCounts(), Group.HOLDOUT: GroupCounts()}
    by_band: dict[str, dict[str, GroupCounts]] = {}
    waiting: list[date] = []
    for pid, group, band, d, g, status in rows:
        for counts in (totals[group], by_band.setdefault(band, {
                Group.CONTACT: GroupCounts(), Group.HOLDOUT: GroupCounts()})[group]):
            counts.people += 1
            if status in (ContactStatus.CONTACTED, ContactStatus.EXPORTED):
                counts.reached += 1
            elif status == ContactStatus.UNREACHABLE:
                counts.unreachable += 1
            if d is None:
                counts.no_renewal += 1
            elif pid not in settled_ids:
                counts.pending += 1
            elif pid in renewed:
                counts.renewed += 1
            else:
                counts.lapsed += 1
        if d is not None and pid not in settled_ids:
            waiting.append(settles_on(d, g))
    contact, holdout = totals[Group.CONTACT], totals[Group.HOLDOUT]
    comparison = stats.compare(renewed_contact=contact.renewed, decided_contact=contact.decided,
                               renewed_holdout=holdout.renewed, decided_holdout=holdout.decided,
                               minimum=minimum)
    bands = [(b, v[Group.CONTACT], v[Group.HOLDOUT])
             for b, v in sorted(by_band.items(), key=lambda kv: BAND_ORDER.get(kv[0], 9))]
    return Report(outreach=outreach, today=today, contact=contact, holdout=holdout,
                  comparison=comparison, bands=bands if len(bands) > 1 else [],
                  next_settles=min(waiting) if waiting else None,
                  last_settles=max(waiting) if waiting else None)


def rate_chart(report: Report) -> charts.Chart:
    """Renewal rate of each group, with the counts and each rate's Wilson interval."""
    rows = []
    for label, g in (("Drawn for contact", report.contact), ("Held back", report.holdout)):
        interval = g.interval()
        # In points (0–100): the axis labels numbers with SI prefixes, 0.8 would read "800m".
        rows.append((label, round((g.rate or 0.0) * 100, 1), g.decided, g.renewed, g.pending,
                     round(interval[0] * 100, 1) if interval else None,
                     round(interval[1] * 100, 1) if interval else None))
    return charts.bar(
        f"outreach-{report.outreach.pk}-renewal", title="Renewal rate: contacted against held back",
        description=(f"Renewal rate of the {report.contact.decided} decided members drawn for "
                     f"contact and the {report.holdout.decided} held back; "
                     f"{report.pending} still pending. {report.summary()}"),
        x=charts.Column("group", "Group", "text"),
        series=[charts.Column("rate", "Renewal rate (%)", "decimal", places=1, colour="#0b5cad")],
        extra=[charts.Column("decided", "Decided"), charts.Column("renewed", "Renewed"),
               charts.Column("pending", "Pending"),
               charts.Column("low", "95 % interval from (%)", "decimal", places=1),
               charts.Column("high", "95 % interval to (%)", "decimal", places=1)],
        rows=rows, stacked=False, height=160, width=420, responsive=False)
