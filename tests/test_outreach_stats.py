"""The effect report's statistics and the holdout draw: pure functions, no database."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.outreach import assignment, stats


def test_newcombe_matches_the_published_example():
    # Newcombe (1998), Table II, example (a): 56/70 − 48/80, method 10.
    diff, low, high = stats.newcombe(56, 70, 48, 80)
    assert diff == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    # Wilson for 81/263 (Newcombe 1998, Table I, single proportion): 0.2553 to 0.3662.
    assert [round(x, 4) for x in stats.wilson(81, 263)] == [0.2553, 0.3662]


def test_edges_and_verdicts():
    assert stats.wilson(0, 10)[0] == 0.0 and stats.wilson(10, 10)[1] == 1.0
    assert stats.wilson(0, 0) == (0.0, 1.0)
    few = stats.compare(renewed_contact=9, decided_contact=10, renewed_holdout=1,
                        decided_holdout=10, minimum=20)
    assert few.verdict == "too_few" and few.low > 0  # computed, but no conclusion drawn
    assert stats.compare(renewed_contact=90, decided_contact=100, renewed_holdout=10,
                         decided_holdout=30, minimum=20).verdict == "helped"
    assert stats.compare(renewed_contact=50, decided_contact=100, renewed_holdout=16,
                         decided_holdout=30, minimum=20).verdict == "unclear"
    none = stats.compare(renewed_contact=3, decided_contact=5, renewed_holdout=0,
                         decided_holdout=0, minimum=1)
    assert none.verdict == "too_few" and none.difference is None


counts = st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=30, deadline=None)
@given(counts, counts)
def test_interval_holds_the_estimate_stays_in_bounds_and_mirrors(a, b):
    (s1, n1), (s2, n2) = a, b
    diff, low, high = stats.newcombe(s1, n1, s2, n2)
    assert -1.0 <= low <= diff <= high <= 1.0
    mirrored = stats.newcombe(s2, n2, s1, n1)
    assert mirrored == pytest.approx((-diff, -high, -low))
    w_low, w_high = stats.wilson(s1, n1)
    assert 0.0 <= w_low <= s1 / n1 <= w_high <= 1.0


strata = st.dictionaries(st.sampled_from(["high", "medium", "low", ""]),
                         st.lists(st.integers(1, 10_000), max_size=60, unique=True),
                         max_size=4)


@settings(max_examples=30, deadline=None)
@given(strata, st.integers(0, 50), st.integers(0, 2**62))
def test_holdout_draw_is_exact_balanced_and_reproducible(raw, percent, seed):
    # A person is in one stratum only.
    seen: set[int] = set()
    groups_in = {}
    for name, ids in raw.items():
        groups_in[name] = [i for i in ids if i not in seen]
        seen.update(groups_in[name])
    drawn = assignment.draw(groups_in, percent=percent, seed=seed)
    assert set(drawn) == seen
    total = Counter(drawn.values())[assignment.HOLDOUT]
    assert total == int(len(seen) * percent / 100 + 0.5 + 1e-9)  # the share, rounded half up
    for ids in groups_in.values():
        held = sum(drawn[i] == assignment.HOLDOUT for i in ids)
        assert abs(held - len(ids) * percent / 100) < 1 + 1e-9
    assert assignment.draw(groups_in, percent=percent, seed=seed) == drawn


def test_another_seed_draws_other_people():
    ids = {"": list(range(1, 201))}
    a = assignment.draw(ids, percent=10, seed=1)
    b = assignment.draw(ids, percent=10, seed=2)
    assert Counter(a.values()) == Counter(b.values()) == {"contact": 180, "holdout": 20}
    assert a != b
