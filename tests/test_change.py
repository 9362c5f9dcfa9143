"""Change over time: trends and the comparison of two periods, on a graph small enough to work
every figure out by hand (the working is in the comments), on both stores."""

from __future__ import annotations

import pytest

from coco_atlas.graph.analytics.change import (
    CollaborationEvidence,
    ComparisonCounts,
    GroupFigures,
    NewActor,
    RelationEvidence,
    compare,
    trends,
)
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from tests.timegraphs import build_changes as build

CCI, AM = "cci", "advanced-manufacturing"


def test_trends_by_year(store: Store) -> None:
    build(store)
    got = trends(store, first=2019, last=2021)
    rows = {r.from_: r for r in got.periods}
    # 2019: c1, c2, c4 (c3 not founded); one tie c1–c4, cci–am; density 2·1/(3·2).
    # Mixing: tie ends half cci, half am: 2·m·½·½ = 0.5 cross ties expected, 1 seen.
    # Gap: AT13 needs s1 (c1) and nobody there offers it before 2021.
    r = rows[2019]
    assert (r.actors, r.ties, r.cross_sector_ties, r.cross_sector_share) == (3, 1, 1, 1.0)
    assert r.density == pytest.approx(1 / 3)
    assert r.mixing.observed == 1 and r.mixing.expected == pytest.approx(0.5)
    assert r.mixing.ratio == pytest.approx(2.0)
    assert (r.open_gaps, r.open_gaps_by_region) == (1, {"AT13": 1})
    assert r.top_brokers == []  # nobody stands between two others yet
    assert r.groups is None and "groups" not in r.to_json()  # not grouped
    # 2020: all four; ties c1–c4 and c1–c2, both cross; c1 between c2 and c4 (both am).
    r = rows[2020]
    assert (r.actors, r.ties, r.cross_sector_ties) == (4, 2, 2)
    assert r.density == pytest.approx(2 * 2 / (4 * 3))
    assert [(b.id, b.rank, b.previous_rank) for b in r.top_brokers] == [("c1", 1, None)]
    assert r.open_gaps == 1  # s2 is still offered in AT22 by c4, in its last year
    # 2021: c4 closed; ties c1–c2 (cross) and c1–c3 (k1, both cci): share ½.
    r = rows[2021]
    assert (r.actors, r.ties, r.cross_sector_ties, r.cross_sector_share) == (3, 2, 1, 0.5)
    assert r.density == pytest.approx(2 * 2 / (3 * 2))
    assert [(b.id, b.name, b.previous_rank) for b in r.top_brokers] == [
        ("c1", "Atelier Eins", 1)]
    assert r.open_gaps_by_region == {"AT22": 1}  # s1 now offered in AT13; s2 no longer in AT22


def test_trends_grouped_and_in_steps(store: Store) -> None:
    build(store)
    got = trends(store, first=2019, last=2021, step=2, group_by="sectorGroup")
    assert [(r.from_, r.to) for r in got.periods] == [(2019, 2020), (2021, 2021)]
    assert (got.step, got.group_by) == (2, "sectorGroup")
    groups = got.periods[0].groups
    assert groups is not None
    # 2019–2020: cci c1 (c3 from 2020), am c2, c4; ties c1–c4, c1–c2: both touch each group.
    assert groups[CCI] == GroupFigures(actors=2, ties=2, cross_sector_ties=2)
    assert groups[AM] == GroupFigures(actors=2, ties=2, cross_sector_ties=2)


def test_compare_two_periods_with_evidence(store: Store) -> None:
    build(store)
    got = compare(store, before=Period.years(2019, 2019), after=Period.years(2021, 2021))
    assert got.counts == ComparisonCounts(new_ties=2, ended_ties=1, new_cross_sector_ties=1,
                                          ended_cross_sector_ties=1, new_actors=1,
                                          gone_actors=1, gaps_closed=1, gaps_opened=1)
    new = got.new_ties
    assert [(t.a.id, t.b.id, t.cross_sector) for t in new] == [
        ("c1", "c2", True), ("c1", "c3", False)]  # cross-sector first
    assert new[0].evidence == [RelationEvidence(kind="PARTNERS_WITH", since=2020, until=None)]
    assert new[1].evidence == [CollaborationEvidence(
        kind="PARTICIPATES_IN", collaboration="k1", name="Pilot 2021", start_date="2021-01-01",
        end_date="2021-12-31")]
    ended = got.ended_ties
    assert [(t.a.id, t.b.id) for t in ended] == [("c1", "c4")]
    assert ended[0].evidence == [RelationEvidence(kind="PARTNERS_WITH", since=2018, until=2020)]
    bridge = got.new_bridges[0]
    assert (bridge.id, bridge.before, bridge.connects) == ("c1", 0, [AM, CCI])
    assert bridge.rise == bridge.after > 0
    assert [(g.region, g.competence, g.competence_name) for g in got.gaps_closed] == [
        ("AT13", "s1", "Service design")]
    assert [(g.region, g.competence) for g in got.gaps_opened] == [("AT22", "s2")]
    assert got.new_actors == [NewActor(id="c3", name="Drei Studio", founded_year=2020)]


def test_compare_within_a_region(store: Store) -> None:
    build(store)
    got = compare(store, before=Period.years(2019, 2019), after=Period.years(2021, 2021),
                  region="AT1")  # AT13: c1 and c2 only
    assert [(t.a.id, t.b.id) for t in got.new_ties] == [("c1", "c2")]
    assert got.ended_ties == [] and got.new_actors == []
    assert [g.region for g in got.gaps_closed] == ["AT13"] and got.gaps_opened == []
    assert got.region == "AT1"


def test_bad_arguments_say_what_was_expected(store: Store) -> None:
    build(store)
    with pytest.raises(ValueError, match="comes before"):
        trends(store, first=2021, last=2019)
    with pytest.raises(ValueError, match="groupBy"):
        trends(store, first=2019, last=2021, group_by="colour")
    with pytest.raises(ValueError, match="region: 'XX9'"):
        compare(store, before=Period.years(2019, 2019), after=Period.years(2021, 2021),
                region="XX9")
