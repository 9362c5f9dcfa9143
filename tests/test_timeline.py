"""The graph as of a day or during a period: the same projection on both stores, worked out by
hand on a small graph whose dates are chosen to hit every boundary."""

from __future__ import annotations

import numpy as np
import pytest

from coco_atlas.graph.store import Store, Topology
from coco_atlas.graph.timeline import Period, PeriodError, restrict
from coco_atlas.schema import SCHEMA, Edge, Node, ValidationError
from tests.conftest import company, edge


def build(store: Store) -> None:
    """a: founded 2015, open; b: founded 2019, closed 2021; c: no dates (always there).
    a–b partners 2018..2020; a–c partners since 2021; collaboration k 2019-03-01..2019-12-31
    with a and c; a offers skill s since 2020; b attended training t in 2019."""
    store.upsert_nodes([
        company("a", "Alpha", foundedYear=2015), company("b", "Beta", foundedYear=2019,
                                                         closedYear=2021),
        company("c", "Gamma"),
        Node("k", "Collaboration", {"name": "Pilot", "startDate": "2019-03-01",
                                    "endDate": "2019-12-31"}),
        Node("s", "Competence", {"name": "Service design"}),
        Node("t", "Training", {"name": "Design sprint"}),
    ], source="t")
    store.upsert_edges([
        edge("a", "PARTNERS_WITH", "b", since=2018, until=2020),
        edge("a", "PARTNERS_WITH", "c", since=2021),
        edge("a", "PARTICIPATES_IN", "k"), edge("c", "PARTICIPATES_IN", "k"),
        edge("a", "OFFERS", "s", since=2020), edge("b", "ATTENDED", "t", year=2019),
    ], source="t")


def graph(store: Store, period: Period | None) -> tuple[set[str], set[tuple[str, str, str]]]:
    topo = store.topology(during=period)
    ids = topo.ids
    return set(ids), {(ids[s], SCHEMA.rel_names[t], ids[d]) for s, d, t in zip(
        topo.src.tolist(), topo.dst.tolist(), topo.types.tolist(), strict=True)}


# (period, nodes, edges) worked out from build()'s docstring
CASES = [
    (Period.years(2018, 2018), {"a", "c", "s", "t"}, set()),  # b not founded, k not begun
    (Period.as_of("2020-06-30"), {"a", "b", "c", "s", "t"},
     {("a", "PARTNERS_WITH", "b"), ("a", "OFFERS", "s")}),  # k ended, attendance was 2019
    (Period.years(2019, 2021), {"a", "b", "c", "k", "s", "t"},
     {("a", "PARTNERS_WITH", "b"), ("a", "PARTNERS_WITH", "c"), ("a", "PARTICIPATES_IN", "k"),
      ("c", "PARTICIPATES_IN", "k"), ("a", "OFFERS", "s"), ("b", "ATTENDED", "t")}),
    (Period.as_of("2022"), {"a", "c", "s", "t"},  # b closed in 2021
     {("a", "PARTNERS_WITH", "c"), ("a", "OFFERS", "s")}),
    (Period.parse("2019-12-31..2019-12-31"), {"a", "b", "c", "k", "s", "t"},
     {("a", "PARTNERS_WITH", "b"), ("a", "PARTICIPATES_IN", "k"), ("c", "PARTICIPATES_IN", "k"),
      ("b", "ATTENDED", "t")}),
]


@pytest.mark.parametrize(("period", "nodes", "edges"), CASES,
                         ids=[str(case[0]) for case in CASES])  # sets print in hash order
def test_projection_in_time_on_every_store(store: Store, period: Period, nodes: set[str],
                                           edges: set[tuple[str, str, str]]) -> None:
    build(store)
    assert graph(store, period) == (nodes, edges)


def test_a_topology_read_in_another_order_is_restricted_by_its_own_order(store: Store) -> None:
    """Validity is kept per store version as arrays by position. A Neo4j store reads its
    topology again on every call and nothing orders the rows, so the same graph may come in
    another order: it must not be given the validity of the first order's positions (a CI run
    saw trends drop a partnership in 2021 that way)."""
    build(store)
    topo = store.topology()
    period = Period.as_of("2022")
    first = restrict(store, topo, period)
    n = topo.n_nodes
    new_pos = np.arange(n)[::-1]  # node i moves to n - 1 - i; edges in reverse order too
    reordered = Topology(topo.ids[::-1], topo.labels[::-1], new_pos[topo.src][::-1],
                         new_pos[topo.dst][::-1], topo.types[::-1], topo.version)
    expected = ({"a", "c", "s", "t"}, {("a", "PARTNERS_WITH", "c"), ("a", "OFFERS", "s")})
    assert as_sets(first) == expected
    assert as_sets(restrict(store, reordered, period)) == expected


def as_sets(topo: Topology) -> tuple[set[str], set[tuple[str, str, str]]]:
    ids = topo.ids
    return set(ids), {(ids[s], SCHEMA.rel_names[t], ids[d]) for s, d, t in zip(
        topo.src.tolist(), topo.dst.tolist(), topo.types.tolist(), strict=True)}


def test_no_period_is_the_whole_graph(store: Store) -> None:
    build(store)
    assert graph(store, None) == graph(store, Period())
    assert len(graph(store, None)[1]) == 6


def test_edge_property_values_on_every_store(store: Store) -> None:
    build(store)
    assert store.edge_property_values("since", "PARTNERS_WITH") == {("a", "b"): 2018,
                                                                   ("a", "c"): 2021}
    assert store.edge_property_values("until", "OFFERS") == {}


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2020", "2020-01-01", "2020-12-31"), ("2019-2021", "2019-01-01", "2021-12-31"),
    ("2019-", "2019-01-01", None), ("-2021", None, "2021-12-31"),
    ("2019-03-01..", "2019-03-01", None), ("..2020-02-29", None, "2020-02-29"),
])
def test_periods_people_write(text: str, first: str | None, last: str | None) -> None:
    assert Period.parse(text) == Period(first, last)


@pytest.mark.parametrize("text", ["", "20", "2021-2019", "2019-13-01..", "soon", "2019-02-30.."])
def test_unreadable_periods_say_what_was_expected(text: str) -> None:
    with pytest.raises(PeriodError, match=r"expected|before its start"):
        Period.parse(text)


def test_an_end_before_its_start_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as err:
        store.upsert_nodes([company("x", "X", foundedYear=2020, closedYear=2019)], source="t")
    assert "closedYear" in str(err.value) and "foundedYear 2020" in str(err.value)
    store.upsert_nodes([company("x", "X"), Node("s", "Competence", {"name": "S"})], source="t")
    with pytest.raises(ValidationError) as err:
        store.upsert_edges([Edge("x", "OFFERS", "s", {"since": 2021, "until": 2020})],
                           source="t")
    assert "until" in str(err.value) and "since 2021" in str(err.value)
