"""Where an objective stands against its target: the burn-up line, the pace needed and the
flag. Pure arithmetic on stored figures (the baseline, the target, the dates and the latest
snapshot), so the plan page, the agenda drafting and the API agree on one rule.

The straight line from the baseline on the start date to the target on the deadline is the
pace that reaches the target. An objective is **on track** when its value is on or ahead
of that line, **at risk** when it is behind but its pace so far, kept up, would still
close nine tenths of the gap by the deadline, and **off track** otherwise. After the
deadline it is **achieved** or **missed**.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")
PACE_DAYS = 30  # paces are per 30 days: a figure staff can act on
AT_RISK_SHARE = Decimal("0.9")

STATES = {
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "achieved": "Achieved",
    "missed": "Missed",
}
FLAGGED = frozenset({"at_risk", "off_track", "missed"})


@dataclass(frozen=True)
class Progress:
    baseline: Decimal
    target: Decimal
    current: Decimal | None
    on: date
    starts_on: date
    deadline: date
    expected: Decimal           # where the straight line is on ``on``
    required_pace: Decimal | None   # per 30 days from ``on`` to the deadline
    pace: Decimal | None            # per 30 days achieved since the start
    projected: Decimal | None       # ``pace`` kept up to the deadline
    share: Decimal                  # of the way from baseline to target (1 = reached)
    state: str

    @property
    def label(self) -> str:
        return STATES[self.state]

    @property
    def flagged(self) -> bool:
        return self.state in FLAGGED


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def progress(*, baseline: Decimal, target: Decimal, current: Decimal | None, on: date,
             starts_on: date, deadline: date, up: bool = True) -> Progress:
    """The progress of one objective on day ``on`` (``current`` is its value that day,
    None when nothing was computed yet). ``up`` is False for a decrease objective
    (e.g. lapses down to 40): the same rule, mirrored."""
    sign = Decimal(1) if up else Decimal(-1)
    total_days = max((deadline - starts_on).days, 1)
    elapsed = min(max((on - starts_on).days, 0), total_days)
    gap = target - baseline
    expected = baseline + gap * Decimal(elapsed) / Decimal(total_days)
    if current is None:
        return Progress(baseline, target, None, on, starts_on, deadline, _q(expected), None,
                        None, None, ZERO, "not_started")
    done = current - baseline
    share = (done / gap) if gap else (Decimal(1) if sign * done >= 0 else ZERO)
    remaining_days = (deadline - on).days
    required = (_q((target - current) * PACE_DAYS / Decimal(remaining_days))
                if remaining_days > 0 else None)
    pace = _q(done * PACE_DAYS / Decimal(elapsed)) if elapsed > 0 else None
    projected = (_q(current + done / Decimal(elapsed) * Decimal(max(remaining_days, 0)))
                 if elapsed > 0 else None)
    reached = sign * (current - target) >= 0
    if on >= deadline:
        state = "achieved" if reached else "missed"
    elif reached:
        state = "achieved"
    elif elapsed == 0:
        state = "not_started"
    elif sign * (current - expected) >= 0:
        state = "on_track"
    elif projected is not None and gap and sign * (projected - baseline) >= \
            sign * gap * AT_RISK_SHARE:
        state = "at_risk"
    else:
        state = "off_track"
    return Progress(baseline, target, current, on, starts_on, deadline, _q(expected),
                    required, pace, projected, _q(share), state)


def of(objective, *, on: date) -> Progress:
    """The progress of a ``planning.Objective`` from its stored latest value."""
    return progress(baseline=objective.baseline, target=objective.target,
                    current=objective.current_value, on=objective.current_on or on,
                    starts_on=objective.starts_on, deadline=objective.deadline,
                    up=objective.direction == "up")
