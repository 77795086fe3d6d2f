"""The prospects model's features as staff read them, and the rule-based score's points.

Each feature (``insight.ml.Feature``) has a label (the model card's importance table),
``describe(value, typical)`` — the reason shown beside a person ("Viewed the membership
pages 3 times in the last 3 months"), never the feature's name — and, for the signals the
rule-based score uses, ``rule(value)``: its points in log-odds. The rules are few and
plain (``RULES``, shown on the model card): a visit to the membership pages, an event, a
purchase, an email opened, a course, a former membership, a member employer add points,
on a log scale for counts (the fifth event adds less than the first); an unsubscribe and
a long silence take points away.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from commonground.insight.ml import Feature, FeatureSet


def _missing(value: float | None) -> bool:
    """The kernel passes NaN for "no value" (a rate with no emails sent, no activity)."""
    return value is None or math.isnan(value)


def _n(value: float | None) -> int:
    return 0 if _missing(value) else int(round(value))


def _times(n: int, one: str, many: str) -> str:
    return one if n == 1 else many.format(n=n)


def _ago(days: float | None) -> str:
    d = 0 if _missing(days) else int(days)
    if d < 14:
        return f"{d} day{'s' if d != 1 else ''}"
    if d < 60:
        return f"{d // 7} weeks"
    if d < 730:
        return f"{round(d / 30.4)} months"
    return f"{d // 365} years"


def _count(what_one: str, what_many: str, when: str, *, none: str
           ) -> Callable[[float | None, float | None], str]:
    def describe(value: float | None, typical: float | None) -> str:
        n = _n(value)
        if n == 0:
            return f"{none} {when}"
        return f"{_times(n, what_one, what_many).format(n=n)} {when}"
    return describe


def _money(value: float | None, typical: float | None) -> str:
    return f"Spent {0 if _missing(value) else value:,.0f} on purchases in the last 12 months"


def _rate(value: float | None, typical: float | None) -> str:
    if _missing(value):
        return "Receives no email from us"
    return f"Opens or clicks {round(100 * min(value, 1.0))}% of the emails sent"


def _trend(value: float | None, typical: float | None) -> str:
    n = _n(value)
    if n > 0:
        return f"More active than in the three months before ({n:+d} activities)"
    if n < 0:
        return f"Less active than in the three months before ({n:+d} activities)"
    return "As active as in the three months before"


def _recency(value: float | None, typical: float | None) -> str:
    if _missing(value):
        return "No activity in the last 12 months"
    return f"Last active {_ago(value)} ago" if value >= 1 else "Active in the last day"


def _known(value: float | None, typical: float | None) -> str:
    return f"In the database for {_ago(value)}"


def _former(value: float | None, typical: float | None) -> str:
    return "Never a member" if _missing(value) or not value else "A former member"


def _since_member(value: float | None, typical: float | None) -> str:
    if _missing(value):
        return "Never a member"
    return f"Membership ended {_ago(value)} ago"


def _terms(value: float | None, typical: float | None) -> str:
    n = _n(value)
    return _times(n, "Was a member for one term", f"Was a member for {n} terms") if n else "Never a member"


def _org(value: float | None, typical: float | None) -> str:
    return "Works for a member organisation" if _n(value) else "Their organisation is not a member"


def _unsub(value: float | None, typical: float | None) -> str:
    return "Unsubscribed from email in the last 12 months" if _n(value) else "Still subscribed to email"


def _months(value: float | None, typical: float | None) -> str:
    return f"Active in {_n(value)} of the last 12 months"


# feature → (weight, scale) of the rule-based score; scale "log": log(1 + count), "flag":
# 1 when present, "years": years since (at most one).
RULES: dict[str, tuple[float, str]] = {
    "intent_90d": (1.0, "log"), "events_365d": (0.6, "log"), "purchases_365d": (0.5, "log"),
    "learning_365d": (0.4, "log"), "email_engaged_90d": (0.35, "log"), "web_90d": (0.3, "log"),
    "org_member": (0.7, "flag"), "former_member": (0.5, "flag"),
    "unsubscribed_365d": (-1.0, "flag"), "days_since_activity": (-1.5, "years"),
}
SCALES = {"log": "log(1 + count)", "flag": "yes/no", "years": "years since, at most 1"}


def _rule(name: str) -> Callable[[float], float] | None:
    if name not in RULES:
        return None
    weight, scale = RULES[name]
    if scale == "log":
        return lambda v: weight * math.log1p(max(v, 0.0))
    if scale == "flag":
        return lambda v: weight * (1.0 if v > 0 else 0.0)
    return lambda v: weight * min(max(v, 0.0), 365.0) / 365.0


_FEATURES: tuple[Feature, ...] = (
    Feature("intent_90d", "Membership page views, last 3 months", "web",
            _count("Viewed the membership pages once", "Viewed the membership pages {n} times",
                   "in the last 3 months", none="No visit to the membership pages")),
    Feature("intent_365d", "Membership page views, last 12 months", "web",
            _count("Viewed the membership pages once", "Viewed the membership pages {n} times",
                   "in the last 12 months", none="No visit to the membership pages")),
    Feature("web_90d", "Website visits, last 3 months", "web",
            _count("One website page view", "{n} website page views", "in the last 3 months",
                   none="No website visit")),
    Feature("web_365d", "Website visits, last 12 months", "web",
            _count("One website page view", "{n} website page views", "in the last 12 months",
                   none="No website visit")),
    Feature("email_engaged_90d", "Email opens and clicks, last 3 months", "email",
            _count("Opened or clicked one email", "Opened or clicked {n} emails", "in the last 3 months",
                   none="No email opened")),
    Feature("email_engaged_365d", "Email opens and clicks, last 12 months", "email",
            _count("Opened or clicked one email", "Opened or clicked {n} emails", "in the last 12 months",
                   none="No email opened")),
    Feature("email_sent_365d", "Emails received, last 12 months", "email",
            _count("Received one email", "Received {n} emails", "in the last 12 months",
                   none="No email received")),
    Feature("email_rate_365d", "Email open/click rate, last 12 months", "email", _rate),
    Feature("unsubscribed_365d", "Unsubscribed from email", "email", _unsub),
    Feature("events_90d", "Events attended, last 3 months", "events",
            _count("Came to an event", "Came to {n} events", "in the last 3 months", none="No event")),
    Feature("events_365d", "Events attended, last 12 months", "events",
            _count("Came to an event", "Came to {n} events", "in the last 12 months", none="No event")),
    Feature("purchases_365d", "Purchases, last 12 months", "purchases",
            _count("Bought once at the non-member price", "Bought {n} times at the non-member price",
                   "in the last 12 months", none="No purchase")),
    Feature("spend_365d", "Spend, last 12 months", "purchases", _money),
    Feature("learning_365d", "Courses and learning, last 12 months", "learning",
            _count("Completed one course or learning activity", "Completed {n} courses or learning "
                   "activities", "in the last 12 months", none="No course")),
    Feature("other_365d", "Other activity (forum, social, advocacy), last 12 months", "other",
            _count("One other activity (forum, social, advocacy)", "{n} other activities (forum, "
                   "social, advocacy)", "in the last 12 months", none="No other activity")),
    Feature("activity_90d", "All activity, last 3 months", "activity",
            _count("One activity", "{n} activities", "in the last 3 months", none="No activity")),
    Feature("activity_prev_90d", "All activity, 3–6 months ago", "activity",
            _count("One activity", "{n} activities", "3 to 6 months ago", none="No activity")),
    Feature("active_months_365d", "Months active, last 12", "activity", _months),
    Feature("trend_90d", "Activity trend, last 3 months vs the 3 before", "activity", _trend),
    Feature("days_since_activity", "Days since the last activity", "activity", _recency),
    Feature("days_known", "Days in the database", "person", _known),
    Feature("former_member", "Former member", "membership", _former),
    Feature("days_since_member", "Days since the membership ended", "membership", _since_member),
    Feature("past_terms", "Past membership terms", "membership", _terms),
    Feature("org_member", "Organisation is a member", "membership", _org),
)
FEATURES = FeatureSet("prospect", [
    Feature(f.name, f.label, f.group, f.describe, _rule(f.name)) for f in _FEATURES])
NAMES = FEATURES.names


def rules_card() -> list[dict]:
    """The rule-based score's rules as the model card lists them."""
    return [{"feature": n, "label": FEATURES[n].label, "points": w, "scale": SCALES[s]}
            for n, (w, s) in RULES.items()]
