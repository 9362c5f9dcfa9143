"""Training impact on a graph built so that every figure can be worked out by hand (the
working is in the comments), on both stores."""

from __future__ import annotations

import pytest

from coco_atlas.graph.analytics.impact import LeftOut, impact
from coco_atlas.graph.store import Store
from tests.timegraphs import build_trainings as build


def test_effects_match_the_working(store: Store) -> None:
    build(store)
    got = impact(store, training="t1", window=2, reps=500, seed=1)
    # 11 attendances of t1; a0 has no size class; the other 10 are matched with c1..c10
    # (c11 attended t2 in 2019, c12 did not exist in 2020).
    assert (got.attendances, got.matched, got.comparison_companies) == (11, 10, 10)
    assert got.left_out == LeftOut(no_stratum=1, no_comparison=0)
    assert list(got.outcomes) == ["offers", "crossSector", "brokerage"]
    offers = got.outcomes["offers"]
    # a1..a6 start to offer s1 within 2021–2022 (a7 had it): 6/10; c1, c2: 2/10.
    assert offers.attendees == pytest.approx(0.6)
    assert offers.comparison == pytest.approx(0.2)
    assert offers.difference == pytest.approx(0.4)
    assert offers.interval is not None
    low, high = offers.interval
    assert low < 0.4 < high
    cross = got.outcomes["crossSector"]
    # a1, a2 (2021) and a3 (2022) join a collaboration with a manufacturer; no comparison does
    # within the window (c4's is in 2023, c5's partner c6 is cci too).
    assert (cross.attendees, cross.comparison, cross.difference) == pytest.approx(
        (0.3, 0.0, 0.3))
    broker = got.outcomes["brokerage"]
    assert (broker.difference, broker.interval) == (0.0, [0.0, 0.0])
    assert broker.verdict.startswith("no clear difference")
    for result in got.outcomes.values():
        assert result.interval is not None
        if result.interval[0] > 0:
            assert result.verdict.startswith("attendees did more")


def test_the_same_seed_gives_the_same_interval(store: Store) -> None:
    build(store)
    a = impact(store, area="technology-development", reps=300, seed=7)
    b = impact(store, area="technology-development", reps=300, seed=7)
    assert a == b and a.matched == 10


def test_small_groups_are_too_few_to_tell(store: Store) -> None:
    build(store)
    got = impact(store, area="future-trends")  # t2: c11 alone, in 2019
    assert got.matched == 1
    for result in got.outcomes.values():
        assert result.interval is None and result.verdict.startswith("too few to tell")


def test_bad_arguments_say_what_was_expected(store: Store) -> None:
    build(store)
    with pytest.raises(ValueError, match="training: 'nope'"):
        impact(store, training="nope")
    with pytest.raises(ValueError, match="area: expected one of"):
        impact(store, area="cooking")
    with pytest.raises(ValueError, match="window"):
        impact(store, window=0)
