"""Training impact on a graph built so that every figure can be worked out by hand (the
working is in the comments), on both stores."""

from __future__ import annotations

import pytest

from graph.analytics.impact import impact
from graph.store import Store
from schema import Edge, Node
from tests.conftest import company, edge


def firm(cid: str, *, size: str | None = "micro", sector: str = "R90",
         founded: int = 2010) -> tuple[Node, Edge]:
    props = {"foundedYear": founded, **({"sizeClass": size} if size else {})}
    return company(cid, cid.upper(), **props), edge(cid, "IN_SECTOR", sector)


def collaboration(kid: str, start: str, end: str, *who: str) -> tuple[Node, list[Edge]]:
    return (Node(kid, "Collaboration", {"name": kid, "startDate": start, "endDate": end}),
            [edge(w, "PARTICIPATES_IN", kid) for w in who])


def build(store: Store) -> None:
    """Stratum (cci, AT, micro): attendees a1..a10 of t1 (2020, teaches s1) and comparison
    companies c1..c10. a0 attended too but has no size class; c11 attended t2 in 2019 (so is
    no comparison within two years of 2020); c12 was founded in 2021. m1, m2: manufacturers.

    Offers of s1: a1..a6 since 2021 (new), a7 since 2018 (already had it); c1, c2 since 2021;
    c3 since 2024 (after the window). Collaborations: a1–m1 (k1, 2021), a2–m1 (k2, 2021),
    a3–m2 (k3, 2022): cross-sector; c4–m1 (k4, 2023): after the window; c5–c6 (k5, 2021): both
    cci, not cross-sector. Nobody brokers in 2020 or 2022 (no actor is between two others)."""
    nodes: list[Node] = [
        Node("R90", "Sector", {"name": "Creative arts", "level": 2, "isCCI": True}),
        Node("C26", "Sector", {"name": "Electronics", "level": 2,
                               "isAdvancedManufacturing": True}),
        Node("s1", "Competence", {"name": "Service design"}),
        Node("t1", "Training", {"name": "Design for manufacturing", "startDate": "2020-03-01",
                                "area": "technology-development"}),
        Node("t2", "Training", {"name": "Future of making", "startDate": "2019-05-01",
                                "area": "future-trends"}),
    ]
    edges: list[Edge] = [edge("t1", "TEACHES", "s1")]
    ids = [f"a{i}" for i in range(1, 11)] + [f"c{i}" for i in range(1, 12)]
    for cid in ids:
        n, e = firm(cid)
        nodes.append(n)
        edges.append(e)
    for cid, kw in (("a0", {"size": None}), ("c12", {"founded": 2021}),
                    ("m1", {"sector": "C26", "size": "large"}),
                    ("m2", {"sector": "C26", "size": "large"})):
        n, e = firm(cid, **kw)  # type: ignore[arg-type]
        nodes.append(n)
        edges.append(e)
    edges += [edge(f"a{i}", "ATTENDED", "t1", year=2020) for i in range(0, 11)]
    edges += [edge("c11", "ATTENDED", "t2", year=2019)]
    edges += [edge(f"a{i}", "OFFERS", "s1", since=2021) for i in range(1, 7)]
    edges += [edge("a7", "OFFERS", "s1", since=2018), edge("c1", "OFFERS", "s1", since=2021),
              edge("c2", "OFFERS", "s1", since=2021), edge("c3", "OFFERS", "s1", since=2024)]
    for kid, start, end, who in (("k1", "2021-05-01", "2021-12-31", ("a1", "m1")),
                                 ("k2", "2021-06-01", "2021-12-31", ("a2", "m1")),
                                 ("k3", "2022-02-01", "2022-12-31", ("a3", "m2")),
                                 ("k4", "2023-01-01", "2023-12-31", ("c4", "m1")),
                                 ("k5", "2021-01-01", "2021-12-31", ("c5", "c6"))):
        n, es = collaboration(kid, start, end, *who)
        nodes.append(n)
        edges += es
    store.upsert_nodes(nodes, source="t")
    store.upsert_edges(edges, source="t")


def test_effects_match_the_working(store: Store) -> None:
    build(store)
    got = impact(store, training="t1", window=2, reps=500, seed=1)
    # 11 attendances of t1; a0 has no size class; the other 10 are matched with c1..c10
    # (c11 attended t2 in 2019, c12 did not exist in 2020).
    assert (got["attendances"], got["matched"], got["comparisonCompanies"]) == (11, 10, 10)
    assert got["leftOut"] == {"noStratum": 1, "noComparison": 0}
    offers = got["outcomes"]["offers"]
    # a1..a6 start to offer s1 within 2021–2022 (a7 had it): 6/10; c1, c2: 2/10.
    assert offers["attendees"] == pytest.approx(0.6)
    assert offers["comparison"] == pytest.approx(0.2)
    assert offers["difference"] == pytest.approx(0.4)
    low, high = offers["interval"]
    assert low < 0.4 < high
    cross = got["outcomes"]["crossSector"]
    # a1, a2 (2021) and a3 (2022) join a collaboration with a manufacturer; no comparison does
    # within the window (c4's is in 2023, c5's partner c6 is cci too).
    assert (cross["attendees"], cross["comparison"], cross["difference"]) == pytest.approx(
        (0.3, 0.0, 0.3))
    broker = got["outcomes"]["brokerage"]
    assert (broker["difference"], broker["interval"]) == (0.0, [0.0, 0.0])
    assert broker["verdict"].startswith("no clear difference")
    for result in got["outcomes"].values():
        if result["interval"][0] > 0:
            assert result["verdict"].startswith("attendees did more")


def test_the_same_seed_gives_the_same_interval(store: Store) -> None:
    build(store)
    a = impact(store, area="technology-development", reps=300, seed=7)
    b = impact(store, area="technology-development", reps=300, seed=7)
    assert a == b and a["matched"] == 10


def test_small_groups_are_too_few_to_tell(store: Store) -> None:
    build(store)
    got = impact(store, area="future-trends")  # t2: c11 alone, in 2019
    assert got["matched"] == 1
    for result in got["outcomes"].values():
        assert result["interval"] is None and result["verdict"].startswith("too few to tell")


def test_bad_arguments_say_what_was_expected(store: Store) -> None:
    build(store)
    with pytest.raises(ValueError, match="training: 'nope'"):
        impact(store, training="nope")
    with pytest.raises(ValueError, match="area: expected one of"):
        impact(store, area="cooking")
    with pytest.raises(ValueError, match="window"):
        impact(store, window=0)
