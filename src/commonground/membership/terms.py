"""Plan terms: how long a term runs, when renewal falls due and how long grace lasts.

A term is a number of months, or ``LIFETIME`` (0) for a lifetime plan, whose single term
ends on ``LIFETIME_END``. The renewal window and grace default by the term: a monthly
member is due in the last week, an annual one in the last month, so most members of
either plan show as Active rather than always due.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

LIFETIME = 0  # term_months of a lifetime plan
LIFETIME_END = date(9999, 12, 31)


def term_end(starts_on: date, months: int) -> date:
    """Last day of a term of ``months`` starting on ``starts_on`` (inclusive); a lifetime
    term (0 months) ends on ``LIFETIME_END``."""
    if months == LIFETIME:
        return LIFETIME_END
    return starts_on + relativedelta(months=months) - timedelta(days=1)


# (longest term in months, days): the first row whose bound the term fits under.
_WINDOWS = ((1, 7), (3, 14), (6, 21), (12, 30))
_GRACES = ((1, 7), (3, 14), (6, 21))


def default_window(term_months: int) -> int:
    """Days before the end of a term when renewal falls due, for plans that set none:
    a week of a monthly term, a month of an annual one, two months of a multi-year one."""
    if term_months == LIFETIME:
        return 0
    return next((days for bound, days in _WINDOWS if term_months <= bound), 60)


def default_grace(term_months: int) -> int:
    """Days after the end of a term a member stays in grace, for plans that set none."""
    if term_months == LIFETIME:
        return 0
    return next((days for bound, days in _GRACES if term_months <= bound), 30)


_TERM_WORDS = {"monthly": 1, "month": 1, "quarterly": 3, "quarter": 3, "biannual": 6,
               "semiannual": 6, "semi-annual": 6, "half-yearly": 6, "annual": 12,
               "annually": 12, "yearly": 12, "year": 12, "biennial": 24, "triennial": 36,
               "lifetime": LIFETIME, "life": LIFETIME}
_TERM_PATTERN = re.compile(r"^(\d+)\s*(m|mo|mos|month|months|y|yr|yrs|year|years)?$")


def parse_term(text: str | int) -> int:
    """A plan term as people write it ("12", "monthly", "1 year", "3m", "lifetime") in
    months, 0 for lifetime. Raises ``ValueError`` with a message naming what is accepted."""
    raw = str(text).strip().lower()
    if raw in _TERM_WORDS:
        return _TERM_WORDS[raw]
    match = _TERM_PATTERN.match(raw)
    if match:
        months = int(match.group(1)) * (12 if (match.group(2) or "m").startswith("y") else 1)
        if months == LIFETIME and not match.group(2):
            return LIFETIME  # how the plan stores it: 0 is a lifetime term
        if 1 <= months <= 120:
            return months
    raise ValueError(f"{str(text).strip()!r} is not a term: give months from 1 to 120 "
                     '("12", "3 months", "2 years"), monthly, quarterly, annual, or lifetime (0)')


def term_label(term_months: int) -> str:
    """How a term reads in lists: "1 month", "12 months", "lifetime"."""
    if term_months == LIFETIME:
        return "lifetime"
    return f"{term_months} month{'s' if term_months != 1 else ''}"


