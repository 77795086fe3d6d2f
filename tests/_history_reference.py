"""The membership history rules row by row, in plain Python: the reference the
column-wise builder (``membership.history.sequence``) is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from commonground.membership import lifecycle

DAY = timedelta(days=1)


@dataclass
class Term:
    start: date
    end: date
    paid_on: date | None = None
    line: int = 0


def status(end: date, day: date, window: int, grace: int) -> str:
    return str(lifecycle.status_on(ends_on=end, today=day, renewal_window_days=window,
                                   grace_days=grace))


def story(terms: list[Term], *, window: int, grace: int, lifetime: bool, today: date):
    """(kinds of the kept terms by line, rejected lines, repeated lines, transitions as
    (event, on, from, to), final (joined, starts, ends, status, lapsed_on))."""
    kept: list[Term] = []
    rejected, repeats = [], []
    for t in sorted(terms, key=lambda t: (t.start, t.line)):
        if kept and t.start <= kept[-1].end:
            (repeats if (t.start, t.end) == (kept[-1].start, kept[-1].end) else rejected
             ).append(t.line)
            continue
        kept.append(t)
    kinds: dict[int, str] = {}
    transitions = []
    for i, t in enumerate(kept):
        if i == 0:
            kinds[t.line] = "join"
            transitions.append(("joined", t.start, "", status(t.end, t.start, window, grace)))
            continue
        prev = kept[i - 1]
        lapse = prev.end + timedelta(days=grace + 1)
        if t.start <= lapse:
            kinds[t.line] = "renewal"
            on = t.start
            if t.paid_on is not None and prev.start <= t.paid_on <= min(t.end, lapse):
                on = t.paid_on
            transitions.append(("renewed", on, status(prev.end, on - DAY, window, grace),
                                status(t.end, on, window, grace)))
        else:
            kinds[t.line] = "reinstatement"
            transitions.append(("lapsed", lapse, status(prev.end, lapse - DAY, window, grace),
                                "lapsed"))
            transitions.append(("reinstated", t.start, "lapsed",
                                status(t.end, t.start, window, grace)))
    last = kept[-1]
    now = "active" if lifetime else status(last.end, today, window, grace)
    lapsed_on = None
    if now == "lapsed":
        lapsed_on = last.end + timedelta(days=grace + 1)
        transitions.append(("lapsed", lapsed_on,
                            status(last.end, lapsed_on - DAY, window, grace), "lapsed"))
    order = {"joined": 0, "lapsed": 1, "reinstated": 2, "renewed": 3}
    transitions.sort(key=lambda t: (t[1], order[t[0]]))
    return kinds, sorted(rejected), sorted(repeats), transitions, (
        kept[0].start, last.start, last.end, now, lapsed_on)
