"""Simulate one membership's life from its join date up to "today", as pure data.

The rules are those of ``membership.lifecycle`` (renewal window, term ends, grace,
lapse date, renewals from the current end); the seed writes the result in bulk. Nothing
after ``today`` is written, but the next decision is returned as ground truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from commonground.membership import lifecycle

from .profiles import Profile


@dataclass
class Bill:
    kind: str  # join / renewal / reinstatement / notice
    issued_on: date
    amount: Decimal
    term_start: date
    term_end: date
    status: str = "open"
    payments: list[tuple[str, date]] = field(default_factory=list)  # (payment|refund, on)
    voided_on: date | None = None


@dataclass
class Timeline:
    terms: list[tuple[str, date, date, int | None]] = field(default_factory=list)  # bill index
    transitions: list[tuple[str, str, str, date]] = field(default_factory=list)  # from,to,event,on
    bills: list[Bill] = field(default_factory=list)
    status: str = "active"
    starts_on: date | None = None
    ends_on: date | None = None
    lapsed_on: date | None = None
    cancelled_on: date | None = None
    renewals: int = 0
    lapses: int = 0
    reinstatements: int = 0
    # Ground truth for the next decision (after today): probability and drawn outcome.
    next_renew_probability: float = 0.0
    next_renews: bool | None = None


def _pay_lag(rnd: random.Random) -> int:
    roll = rnd.random()
    if roll < 0.62:
        return 0
    if roll < 0.92:
        return rnd.randint(1, 21)
    return rnd.randint(22, 60)


def simulate(*, profile: Profile, joined_on: date, today: date, term_months: int, grace_days: int,
             window_days: int, price: Decimal, rnd: random.Random, employer_pays: bool = False
             ) -> Timeline:
    t = Timeline()
    start, end = joined_on, lifecycle.term_end(joined_on, term_months)

    def bill(kind: str, issued: date, s: date, e: date, *, pay: bool = True) -> int | None:
        if price <= 0:
            return None
        b = Bill(kind=kind, issued_on=issued, amount=price, term_start=s, term_end=e)
        if pay:
            paid_on = issued + timedelta(days=_pay_lag(rnd))
            if paid_on <= today:
                b.payments.append(("payment", paid_on))
                b.status = "paid"
        t.bills.append(b)
        return len(t.bills) - 1

    t.terms.append(("join", start, end, bill("join", joined_on, start, end)))
    t.transitions.append(("", "active", "joined", joined_on))
    if term_months == lifecycle.LIFETIME:
        # One payment, one term that never ends: never due, never lapsed.
        t.starts_on, t.ends_on = start, end
        return t
    # The profile's odds are per year: a shorter term renews (and cancels) more often, so
    # each term's odds are the year's spread over its terms.
    per_year = term_months / 12
    status = "active"
    k = 0
    while True:
        years = (start - joined_on).days / 365.25
        # Cancellation, mostly early in a term (buyer's remorse, a job change).
        if rnd.random() < 1 - (1 - profile.cancel_probability(years)) ** per_year:
            c = start + timedelta(days=min(int(rnd.expovariate(1 / 45)) + 3, (end - start).days))
            if c <= today:
                at = lifecycle.status_on(ends_on=end, today=c, renewal_window_days=window_days,
                                         grace_days=grace_days)
                if at != status and at != "active":
                    t.transitions.append((status, str(at), str(at), c))
                    status = str(at)
                t.transitions.append((status, "cancelled", "cancelled", c))
                last = t.terms[-1][3]
                if last is not None:
                    b = t.bills[last]
                    paid = [d for kind, d in b.payments if kind == "payment"]
                    if paid and (c - paid[0]).days <= 30:
                        b.payments.append(("refund", c))
                        b.status = "refunded"
                t.status, t.cancelled_on = "cancelled", c
                break
        due_day = end - timedelta(days=window_days - 1)  # first renewal-due day
        years_at_end = (end - joined_on).days / 365.25
        p = profile.renew_probability(term_index=int(k * per_year), years=years_at_end,
                                      employer_pays=employer_pays) ** per_year
        renews = rnd.random() < p
        lateness = profile.renewal_lateness(rnd, window_days, grace_days, years_at_end)
        if due_day > today:
            t.next_renew_probability, t.next_renews = p, renews
            break
        t.transitions.append((status, "renewal_due", "renewal_due", due_day))
        status = "renewal_due"
        renew_on = end + timedelta(days=lateness)
        if renews and renew_on <= today:
            if renew_on > end:
                t.transitions.append((status, "grace", "grace", end + timedelta(days=1)))
                status = "grace"
            new_start, new_end = lifecycle.next_term(end, term_months)
            idx = bill("renewal", renew_on, new_start, new_end)
            t.terms.append(("renewal", new_start, new_end, idx))
            t.transitions.append((status, "active", "renewed", renew_on))
            status = "active"
            start, end = new_start, new_end
            k += 1
            t.renewals += 1
            continue
        # Not renewed (yet): a renewal notice goes out on the first due day.
        notice_start, notice_end = lifecycle.next_term(end, term_months)
        notice = bill("notice", due_day, notice_start, notice_end, pay=False)
        if end + timedelta(days=1) <= today:
            t.transitions.append((status, "grace", "grace", end + timedelta(days=1)))
            status = "grace"
        lapse_on = lifecycle.lapse_date(end, grace_days)
        if renews or lapse_on > today:
            # Decision still open on ``today``: renewal due or in grace, notice unpaid.
            t.next_renew_probability, t.next_renews = p, renews
            break
        t.transitions.append((status, "lapsed", "lapsed", lapse_on))
        status = "lapsed"
        t.lapses += 1
        if notice is not None:
            t.bills[notice].status = "void"
            t.bills[notice].voided_on = lapse_on
        t.lapsed_on = lapse_on
        if rnd.random() < profile.reinstate_probability(years_at_end):
            back_on = lapse_on + timedelta(days=rnd.randint(20, 540))
            if back_on <= today:
                start, end = back_on, lifecycle.term_end(back_on, term_months)
                t.terms.append(("reinstatement", start, end, bill("reinstatement", back_on, start, end)))
                t.transitions.append(("lapsed", "active", "reinstated", back_on))
                status = "active"
                t.lapsed_on = None
                t.reinstatements += 1
                k += 1
                continue
        t.status = "lapsed"
        break
    if t.status not in ("lapsed", "cancelled"):
        t.status = str(lifecycle.status_on(ends_on=end, today=today, renewal_window_days=window_days,
                                           grace_days=grace_days))
    t.starts_on, t.ends_on = start, end
    return t
