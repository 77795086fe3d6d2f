"""The history a roster row implies (``membership.inference``), for every kind of plan:
monthly, quarterly, half-yearly, annual, multi-year and lifetime. Pure column arithmetic,
checked with hypothesis against the row-by-row rules of ``membership.lifecycle``."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.membership import inference, lifecycle

TERMS = [1, 3, 6, 12, 24, 36, lifecycle.LIFETIME]
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
DAY = timedelta(days=1)


@st.composite
def memberships(draw):
    """(first_start, last_end, term_months, window, grace, first_event, from_status)."""
    months = draw(st.sampled_from(TERMS))
    start = draw(dates)
    if months == lifecycle.LIFETIME:
        end = lifecycle.LIFETIME_END
    else:
        # Spans from a day to 25 years, biased to a few terms (the common case).
        end = start + timedelta(days=draw(st.one_of(
            st.integers(0, 40 * months), st.integers(0, 25 * 366))))
    defaults = draw(st.booleans())
    window = lifecycle.default_window(months) if defaults else draw(st.integers(0, 90))
    grace = lifecycle.default_grace(months) if defaults else draw(st.integers(0, 90))
    if months == lifecycle.LIFETIME:
        window = grace = 0
    renewal = draw(st.booleans())
    return (start, end, months, window, grace, "renewed" if renewal else "joined",
            draw(st.sampled_from(["active", "renewal_due"])) if renewal else "")


def _run(rows, today):
    frame = pl.DataFrame([(i, *row) for i, row in enumerate(rows)], orient="row",
                         schema=list(inference.INPUT), infer_schema_length=None)
    terms, transitions, state = inference.sequence(frame, today=today)
    by_key = {}
    for key in range(len(rows)):
        by_key[key] = (terms.filter(pl.col("key") == key).sort("seq").rows(named=True),
                       transitions.filter(pl.col("key") == key).rows(named=True),
                       state.filter(pl.col("key") == key).rows(named=True))
    return by_key


def _check(row, today, terms, transitions, state):
    start, end, months, window, grace, first_event, from_status = row
    assert terms, "every membership has a term"
    # The terms tile the span: first on Member Since, last on the expiry, no gap, no overlap.
    assert terms[0]["starts_on"] == start and terms[-1]["ends_on"] == end
    for earlier, later in zip(terms, terms[1:], strict=False):
        assert later["starts_on"] == earlier["ends_on"] + DAY
    assert all(t["starts_on"] <= t["ends_on"] for t in terms)
    assert [t["kind"] for t in terms] == (
        ["join" if first_event == "joined" else "renewal"] + ["renewal"] * (len(terms) - 1))
    if months == lifecycle.LIFETIME:
        assert len(terms) == 1
    else:
        for k, t in enumerate(terms):
            # Anchored on Member Since: term k starts k terms after it.
            assert t["starts_on"] == start + relativedelta(months=k * months)
            if t is not terms[-1]:
                assert t["ends_on"] == start + relativedelta(months=(k + 1) * months) - DAY
            if k:
                assert t["starts_on"] <= today, "no renewal is invented ahead of today"
        k = len(terms) - 1
        bound = [start + relativedelta(months=i * months) for i in (k, k + 1, k + 2)]
        after = end + DAY
        if after < bound[1] and k:
            assert 2 * (after - bound[0]).days >= (bound[1] - bound[0]).days, \
                "a short last term is at least half a term"
        if after > bound[1]:
            assert 2 * (after - bound[1]).days < (bound[2] - bound[1]).days \
                or bound[1] > today, "a last term is lengthened by less than half a term"
    # Transitions: ordered, dated, each from the status before it.
    events = [t["event"] for t in transitions]
    n = len(terms)
    head = [first_event] + ["renewed"] * (n - 1)
    assert events[:n] == head
    assert events[n:] in ([], ["renewal_due"], ["grace"], ["lapsed"])
    days = [t["on"] for t in transitions]
    assert days == sorted(days)
    assert transitions[0]["from_status"] == from_status
    for earlier, later in zip(transitions, transitions[1:], strict=False):
        assert later["from_status"] == earlier["to_status"]
    assert transitions[0]["on"] == (start if first_event == "joined" else min(start, today))
    assert all(d <= max(today, start) for d in days)
    for t, tr in zip(terms[1:], transitions[1:n], strict=True):
        assert tr["on"] == min(t["starts_on"], today)
    # The state today, as the row-by-row rules have it.
    (current,) = state
    status = lifecycle.status_on(ends_on=end, today=today, renewal_window_days=window,
                                 grace_days=grace)
    assert current["status"] == status
    assert (current["starts_on"], current["ends_on"]) == (terms[-1]["starts_on"], end)
    if start <= today:
        assert transitions[-1]["to_status"] == status
    lapses = [t for t in transitions if t["event"] == "lapsed"]
    if status == "lapsed":
        # Exactly grace + 1 days after the end: the first day lapsed.
        assert [t["on"] for t in lapses] == [end + timedelta(days=grace + 1)]
        assert current["lapsed_on"] == lifecycle.lapse_date(end, grace)
    else:
        assert lapses == [] and current["lapsed_on"] is None
    for tr in transitions[n:]:
        # Today's status, dated on its first day.
        assert tr["to_status"] == tr["event"] == status
        assert lifecycle.status_on(ends_on=end, today=tr["on"], renewal_window_days=window,
                                   grace_days=grace) == status
        assert lifecycle.status_on(ends_on=end, today=tr["on"] - DAY, renewal_window_days=window,
                                   grace_days=grace) != status


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(memberships(), min_size=1, max_size=6), today=dates,
       repeat=st.booleans())
def test_inferred_history_tiles_the_span_and_dates_every_change(rows, today, repeat):
    if repeat:
        rows = rows + rows  # the same span twice: computed once, joined to both
    for key, (terms, transitions, state) in _run(rows, today).items():
        _check(rows[key], today, terms, transitions, state)


@given(ends=dates, today=dates, window=st.integers(0, 120), grace=st.integers(0, 120))
def test_status_on_column_wise_is_the_lifecycle_rule(ends, today, window, grace):
    got = pl.select(inference.status_on(pl.lit(ends), pl.lit(today), pl.lit(window),
                                        pl.lit(grace))).item()
    assert got == lifecycle.status_on(ends_on=ends, today=today, renewal_window_days=window,
                                      grace_days=grace)


@given(day=dates, months=st.integers(0, 600))
def test_add_months_is_relativedelta(day, months):
    got = pl.select(inference.add_months(pl.lit(day), pl.lit(months))).item()
    assert got == day + relativedelta(months=months)


def _one(start, end, months, today, window=7, grace=7):
    result = _run([(start, end, months, window, grace, "joined", "")], today)[0]
    return [(t["starts_on"], t["ends_on"]) for t in result[0]], result[1], result[2][0]


def test_the_rule_in_examples():
    today = date(2026, 6, 15)
    # A whole number of monthly terms: 17 of them, anchored on the 31st (clamped).
    terms, _, _ = _one(date(2025, 1, 31), date(2026, 6, 29), 1, today)
    assert len(terms) == 17 and terms[1] == (date(2025, 2, 28), date(2025, 3, 30))
    assert terms[-1] == (date(2026, 5, 31), date(2026, 6, 29))
    # A leftover of 20 days of a 30-day term is a short term of its own…
    terms, _, _ = _one(date(2025, 6, 1), date(2026, 6, 20), 1, today)
    assert len(terms) == 13 and terms[-1] == (date(2026, 6, 1), date(2026, 6, 20))
    # … one of 8 days lengthens the last whole term.
    terms, _, _ = _one(date(2025, 11, 5), date(2026, 6, 12), 1, today)
    assert len(terms) == 7 and terms[-1] == (date(2026, 5, 5), date(2026, 6, 12))
    # Paid two years ahead on an annual plan: the running term runs to the expiry.
    terms, _, _ = _one(date(2024, 3, 1), date(2028, 2, 29), 12, today, 30, 30)
    assert terms == [(date(2024, 3, 1), date(2025, 2, 28)), (date(2025, 3, 1), date(2026, 2, 28)),
                     (date(2026, 3, 1), date(2028, 2, 29))]
    # Lapsed on the day after grace ran out.
    _, transitions, state = _one(date(2026, 1, 20), date(2026, 3, 19), 1, today)
    assert [(t["event"], t["from_status"], t["on"]) for t in transitions] == [
        ("joined", "", date(2026, 1, 20)), ("renewed", "active", date(2026, 2, 20)),
        ("lapsed", "active", date(2026, 3, 27))]
    # In grace since the day after the end; renewal due since the window opened.
    _, transitions, _ = _one(date(2026, 1, 20), date(2026, 6, 12), 1, today)
    assert (transitions[-1]["event"], transitions[-1]["on"]) == ("grace", date(2026, 6, 13))
    _, transitions, _ = _one(date(2026, 1, 20), date(2026, 6, 19), 1, today)
    assert (transitions[-1]["event"], transitions[-1]["on"]) == ("renewal_due", date(2026, 6, 13))
    assert (state["status"], state["lapsed_on"]) == ("lapsed", date(2026, 3, 27))
    # Lifetime: one term that never ends.
    terms, transitions, state = _one(date(2019, 4, 1), lifecycle.LIFETIME_END, 0, today, 0, 0)
    assert terms == [(date(2019, 4, 1), lifecycle.LIFETIME_END)]
    assert [t["event"] for t in transitions] == ["joined"] and state["status"] == "active"
