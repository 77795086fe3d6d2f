"""The history sequence builder (terms → kinds, transitions, final state), column-wise,
against the row-by-row reference in ``_history_reference``, with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from _history_reference import Term, story
from commonground.membership import lifecycle
from commonground.membership.history import sequence

PLANS = [(1, 7, 7), (3, 14, 14), (12, 30, 30), (24, 60, 30), (0, 0, 0)]  # months, window, grace


@st.composite
def members(draw):
    """One member's terms on one plan: consecutive, overlapping, repeated and gapped."""
    months, window, grace = draw(st.sampled_from(PLANS))
    start = date(2015, 1, 1) + timedelta(days=draw(st.integers(0, 3000)))
    terms = []
    for line in range(2, 2 + draw(st.integers(1, 8))):
        end = lifecycle.term_end(start, months) if months else lifecycle.LIFETIME_END
        paid = draw(st.one_of(st.none(), st.integers(-40, 60)))
        terms.append(Term(start, end, None if paid is None else start + timedelta(days=paid),
                          line))
        if months == 0:
            start = start + timedelta(days=draw(st.integers(0, 400)))
            continue
        step = draw(st.sampled_from(["next", "next", "next", "gap", "overlap", "same", "grace"]))
        if step == "next":
            start = end + timedelta(days=1)
        elif step == "grace":
            start = end + timedelta(days=draw(st.integers(1, grace + 2)))
        elif step == "gap":
            start = end + timedelta(days=draw(st.integers(grace + 2, 900)))
        elif step == "overlap":
            start = start + timedelta(days=draw(st.integers(1, 40)))
    if draw(st.booleans()):
        terms = draw(st.permutations(terms))
    return months, window, grace, terms


@settings(max_examples=300, deadline=None)
@given(member=members(), today_offset=st.integers(-200, 4000))
def test_builder_matches_the_reference(member, today_offset):
    months, window, grace, terms = member
    today = min(t.start for t in terms) + timedelta(days=today_offset)
    rows = pl.DataFrame(
        [(1, t.line, t.line, t.start, t.end, t.paid_on, window, grace, months == 0, False,
          False, False) for t in terms], schema=sequence.ROW_SCHEMA, orient="row")
    decided = sequence.decide(rows)
    kept = decided.filter(pl.col("keep"))
    out_terms, transitions, final = sequence.build(kept, today)
    kinds, rejected, repeats, expected, (joined, starts, ends, status, lapsed_on) = story(
        terms, window=window, grace=grace, lifetime=months == 0, today=today)
    assert dict(out_terms.select("line", "kind").iter_rows()) == kinds
    assert sorted(decided.filter(pl.col("reason").is_not_null()).get_column("line")) == rejected
    assert sorted(decided.filter(pl.col("repeat")).get_column("line")) == repeats
    assert list(transitions.select("event", "on", "from_status", "to_status").iter_rows()) == \
        expected
    assert final.select("joined_on", "starts_on", "ends_on", "status", "lapsed_on").row(0) == (
        joined, starts, ends, status, lapsed_on)


def test_an_anchor_on_file_continues_the_story():
    """Rows appended after the last term on file: no join, and a lapse already recorded
    (the membership lapsed) is not recorded again."""
    rows = pl.DataFrame([
        (1, -1, 0, date(2020, 1, 1), date(2020, 12, 31), None, 30, 30, False, True, True, False),
        (1, 5, 5, date(2022, 1, 1), date(2022, 12, 31), None, 30, 30, False, False, True, False),
    ], schema=sequence.ROW_SCHEMA, orient="row")
    terms, transitions, final = sequence.build(sequence.decide(rows), date(2022, 6, 1))
    assert terms.get_column("kind").to_list() == ["reinstatement"]
    assert list(transitions.select("event", "on").iter_rows()) == [
        ("reinstated", date(2022, 1, 1))]
    assert final.get_column("status").to_list() == ["active"]
