"""The lapse model's signals, named, grouped and worded for staff.

Names are built from parts so the set can follow what an association records: activity
buckets are the categories its feeds carry (plus email sends, opens and clicks), custom
fields its own number fields. ``feature_set(names)`` rebuilds the features of a stored
model from its names alone (``catalogue``), so a model card and its reasons never depend on
the code that trained it still listing the same buckets.
"""

from __future__ import annotations

import math

from commonground.insight.ml import Feature, FeatureSet

# Months since the last activity are counted up to a year: "none in the last year" whether
# the last was 20 months ago or never — scoring then reads only the last 14 months of
# activity (a full scan of two years was most of scoring's time on 10^7 activities), and a
# 12-month rate of zero says the rest.
NEVER = 13.0

# Activity buckets: (noun for "No … in 9 months", short label for cards).
BUCKETS: dict[str, tuple[str, str]] = {
    "all": ("activity of any kind", "Any activity"),
    "learning": ("course or learning activity", "Learning"),
    "knowledge": ("use of the knowledge library", "Knowledge"),
    "community": ("event or community activity", "Events and community"),
    "advocacy": ("advocacy activity", "Advocacy"),
    "marketing": ("marketing response", "Marketing"),
    "web": ("website visit", "Website"),
    "social": ("social media interaction", "Social media"),
    "commerce": ("purchase", "Purchases"),
    "volunteering": ("volunteering", "Volunteering"),
    "email_open": ("email opened", "Email opens"),
    "email_click": ("email link clicked", "Email clicks"),
}
# Buckets that are inputs of rates only (a send is the association's act, not the member's).
RATE_ONLY = ("email_sent",)
WINDOWS = (3, 12)


def _months(v: float) -> str:
    n = int(round(v))
    if n >= 24:
        return f"{n // 12} years"
    return f"{n} month{'s' if n != 1 else ''}"


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if not math.isnan(v) else "none"


def _typical(t: float | None, unit: str) -> str:
    if t is None or (isinstance(t, float) and math.isnan(t)):
        return ""
    return f" (members typically {_fmt(t)}{unit})"


def _activity(bucket: str, part: str) -> Feature:
    noun, short = BUCKETS[bucket]
    name = f"act_{bucket}_{part}"
    group = "Email" if bucket.startswith("email") else "Activity"
    if part == "since":
        def describe(v, t, noun=noun):
            if v < 2:  # active last month or the one before: not worth a reason
                return ""
            if v >= NEVER:
                return f"No {noun} in the last year"
            return f"No {noun} in {_months(v)}"
        rule = (lambda v: 0.9 if v >= 6 else 0.3 if v >= 3 else 0.0) if bucket == "all" else \
            (lambda v: 0.4 if v >= 4 else 0.0) if bucket == "email_open" else None
        return Feature(name, f"{short}: months since the last", group, describe, rule, "high")
    if part == "trend":
        def describe(v, t, short=short):
            if v <= 0.05:
                return f"{short}: stopped in the last 3 months"
            if v < 0.9:
                return f"{short}: down to {v:.0%} of the level of the 9 months before"
            return ""
        rule = (lambda v: 0.5 if v < 0.5 else 0.0) if bucket == "all" else None
        return Feature(name, f"{short}: last 3 months against the 9 before", group, describe, rule,
                       "low")
    months = int(part.removeprefix("rate_").removesuffix("m"))

    def describe(v, t, short=short, months=months):
        if v == 0:
            return f"{short}: none in the last {months} months"
        return f"{short}: {_fmt(v)} a month over the last {months} months{_typical(t, '')}"
    return Feature(name, f"{short}: per month, last {months} months", group, describe,
                   direction="low")


def _open_rate(kind: str) -> Feature:
    word = "opened" if kind == "open" else "clicked"

    def describe(v, t, word=word):
        if v == 0:
            return f"Has {word} none of the emails sent in the last 6 months"
        return f"{word.title()} {v:.0%} of the emails sent in the last 6 months{_typical_pct(t)}"
    rule = (lambda v: 0.4 if v < 0.1 else 0.0) if kind == "open" else None
    return Feature(f"email_{kind}_rate_6m", f"Share of emails {word}, last 6 months", "Email",
                   describe, rule, "low")


def _typical_pct(t: float | None) -> str:
    if t is None or math.isnan(t):
        return ""
    return f" (members typically {t:.0%})"


def _fixed() -> list[Feature]:
    def tenure(v, t):
        return f"New member: {_months(v)} in membership" if v < 12 else \
            f"{_months(v)} in membership"

    def first_term(v, t):
        return "In the first term: first renewals lapse most often" if v == 0 else \
            f"{v:.0f} terms completed"

    def dues(v, t):
        return f"Members paying {v:,.0f} a year lapse more often than others"

    def price_change(v, t):
        return f"Dues went up {v:.0%} at the last renewal" if v > 0 else \
            f"Dues went down {-v:.0%} at the last renewal"

    def reinstated(v, t):
        return "Lapsed before and came back" if v == 1 else f"Lapsed {v:.0f} times before"

    def late_share(v, t):
        return f"Paid {v:.0%} of invoices after their due date"

    def days_to_pay(v, t):
        return f"Takes {v:.0f} days to pay an invoice{_typical(t, ' days')}"

    def overdue(v, t):
        return "An invoice is overdue" if v == 1 else f"{v:.0f} invoices are overdue"

    def term(v, t):
        return "Members on monthly plans lapse more often than others" if v == 1 else \
            f"Members on {v:.0f}-month plans lapse more often than others"

    def score(v, t):
        return f"Engagement score {v:.0f}{_typical(t, '')}"

    def score_change(v, t):
        return f"Engagement score fell {-v:.0f} points in 3 months" if v < 0 else \
            f"Engagement score changed by {v:+.0f} in 3 months"

    def chapter_trend(v, t):
        if v <= 0.05:
            return "Chapter inactive in the last 3 months"
        return f"Chapter activity down to {v:.0%} of the 9 months before" if v < 1 else \
            f"Chapter activity at {v:.0%} of the 9 months before"

    def chapter_rate(v, t):
        return f"Chapter members average {_fmt(v)} activities a month{_typical(t, '')}"

    return [
        Feature("tenure_months", "Months since first joining", "Membership", tenure,
                lambda v: 0.3 if v < 12 else 0.0, direction="low"),
        Feature("terms_completed", "Terms completed", "Membership", first_term,
                lambda v: 0.6 if v == 0 else 0.0, direction="low"),
        Feature("reinstatements", "Times lapsed and came back", "Membership", reinstated,
                lambda v: 0.3 if v >= 1 else 0.0, direction="high"),
        Feature("term_months", "Plan term (months)", "Membership", term),
        Feature("dues_year", "Dues a year", "Membership", dues),
        Feature("price_change", "Change in dues at the last renewal", "Membership",
                price_change, lambda v: 0.4 if v >= 0.1 else 0.0, direction="high"),
        Feature("late_share", "Share of invoices paid late (3 years)", "Payments", late_share,
                lambda v: 0.4 if v >= 0.5 else 0.0, direction="high"),
        Feature("days_to_pay", "Days from invoice to payment", "Payments", days_to_pay,
                direction="high"),
        Feature("overdue", "Invoices overdue", "Payments", overdue,
                lambda v: 0.7 if v >= 1 else 0.0, direction="high"),
        Feature("score_total", "Engagement score (last monthly snapshot)", "Engagement", score,
                direction="low"),
        Feature("score_change_3m", "Change in engagement score over 3 months", "Engagement",
                score_change, lambda v: 0.3 if v <= -10 else 0.0, direction="low"),
        Feature("chapter_trend", "Chapter activity: last 3 months against the 9 before",
                "Chapter", chapter_trend, lambda v: 0.2 if v < 0.5 else 0.0, direction="low"),
        Feature("chapter_rate_3m", "Chapter activity per member a month", "Chapter",
                chapter_rate, direction="low"),
    ]


def _custom(key: str) -> Feature:
    label = key.replace("_", " ")

    def describe(v, t, label=label):
        return f"{label.capitalize()} {_fmt(v)}: members like this lapse more often"
    return Feature(f"custom_{key}", f"Custom field: {label}", "Custom fields", describe)


def activity_names(buckets: list[str]) -> list[str]:
    out = []
    for b in ["all", *sorted(b for b in buckets if b in BUCKETS and b != "all")]:
        out += [f"act_{b}_rate_{w}m" for w in WINDOWS] + [f"act_{b}_since", f"act_{b}_trend"]
    return out


def catalogue(name: str) -> Feature | None:
    """The feature called ``name``, or ``None`` for a name this code no longer knows."""
    for f in _fixed():
        if f.name == name:
            return f
    if name.startswith("act_"):
        for part in ("since", "trend", *(f"rate_{w}m" for w in WINDOWS)):
            if name.endswith("_" + part):
                bucket = name[4:-(len(part) + 1)]
                return _activity(bucket, part) if bucket in BUCKETS else None
    if name in ("email_open_rate_6m", "email_click_rate_6m"):
        return _open_rate(name.split("_")[1])
    if name.startswith("custom_"):
        return _custom(name.removeprefix("custom_"))
    return None


def feature_set(names: list[str]) -> FeatureSet:
    return FeatureSet("lapse", [f for n in names if (f := catalogue(n)) is not None])


FIXED_NAMES = [f.name for f in _fixed()]
