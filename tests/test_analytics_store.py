"""Analytics through the Store: a small hand-built ecosystem in an EmbeddedStore, every number
counted by hand in the comments (or compared with the slow reference / networkx)."""

from __future__ import annotations

import doctest
from dataclasses import fields
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from coco_atlas.graph.analytics import betweenness, brokerage, mixing, reference, structural_holes
from coco_atlas.graph.analytics.brokerage import ROLES, brokerage_table, brokers
from coco_atlas.graph.analytics.gaps import Named, RegionScope, gap_analysis, region_gaps
from coco_atlas.graph.analytics.groups import actor_groups
from coco_atlas.graph.analytics.introductions import introductions
from coco_atlas.graph.analytics.mixing import sector_mixing
from coco_atlas.graph.analytics.network import actor_network
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.conftest import edge


def weight(net: object, a: str, b: str) -> float:
    idx = net.index  # type: ignore[attr-defined]
    return float(net.weights[idx[a], idx[b]])  # type: ignore[attr-defined]


# -- the projection ------------------------------------------------------------------------------

def test_projection_adds_the_three_tie_sources(eco: EmbeddedStore) -> None:
    net = actor_network(eco)
    assert sorted(net.ids) == ["co-1", "co-2", "co-3", "co-4", "co-5", "co-6", "hub-1", "hub-2"]
    expected = {("co-1", "co-2"): 3, ("co-1", "co-3"): 1, ("co-1", "co-5"): 1,
                ("co-3", "co-5"): 1, ("co-2", "co-5"): 1, ("co-1", "hub-1"): 1,
                ("co-3", "hub-1"): 1, ("co-3", "co-4"): 1, ("co-4", "hub-2"): 1,
                ("hub-1", "hub-2"): 2}
    for (a, b), w in expected.items():
        assert weight(net, a, b) == w and weight(net, b, a) == w, (a, b)
    assert net.n_arcs == 2 * len(expected)  # nothing else, co-6 isolated


def test_directed_projection_keeps_partnership_direction(eco: EmbeddedStore) -> None:
    net = actor_network(eco, directed=True)
    assert weight(net, "co-1", "co-2") == 3 and weight(net, "co-2", "co-1") == 0
    assert weight(net, "co-4", "co-3") == 0
    assert weight(net, "hub-1", "co-1") == 1 and weight(net, "co-1", "hub-1") == 1  # membership
    assert weight(net, "co-5", "co-1") == 1 and weight(net, "co-1", "co-5") == 1  # shared col-1


def test_year_slice_keeps_only_active_ties(eco: EmbeddedStore) -> None:
    # 2021: col-1 ended 2020, col-2 starts 2024, co-3→co-4 starts 2022 — all out. Open-ended
    # partnerships and memberships stay.
    net = actor_network(eco, years=(2021, 2021))
    ties = {(a, b) for a in net.ids for b in net.ids if a < b and weight(net, a, b)}
    assert ties == {("co-1", "co-2"), ("co-1", "hub-1"), ("co-3", "hub-1"), ("co-4", "hub-2"),
                    ("hub-1", "hub-2")}
    # 2024 onwards: col-2 (co-2, co-5) is active, col-1 not; co-3→co-4 ended 2023.
    late = actor_network(eco, years=(2024, None))
    assert weight(late, "co-2", "co-5") == 1 and weight(late, "co-1", "co-3") == 0
    assert weight(late, "co-3", "co-4") == 0


def test_tie_sources_are_selectable(eco: EmbeddedStore) -> None:
    net = actor_network(eco, ties=["partners"])
    assert net.n_arcs == 6 and weight(net, "hub-1", "hub-2") == 2
    with pytest.raises(ValueError, match="ties: expected one or more of"):
        actor_network(eco, ties=["friends"])
    with pytest.raises(ValueError, match="years"):
        actor_network(eco, years=(2025, 2020))


def test_projection_is_cached_per_store_version(eco: EmbeddedStore) -> None:
    first = actor_network(eco)
    assert actor_network(eco) is first
    assert actor_network(eco, directed=True) is not first
    eco.upsert_edges([edge("co-6", "PARTNERS_WITH", "co-1")], source="t")
    fresh = actor_network(eco)
    assert fresh is not first and weight(fresh, "co-6", "co-1") == 1


# -- groups ----------------------------------------------------------------------------------

def test_groups_by_sector_region_and_property(eco: EmbeddedStore) -> None:
    net = actor_network(eco)

    def by(group_by: str) -> dict[str, str]:
        return dict(zip(net.ids, actor_groups(eco, net, group_by), strict=True))

    assert by("sectorGroup") == {
        "co-1": "cci", "co-2": "advanced-manufacturing", "co-3": "ict", "co-4": "other",
        "co-5": "ict", "co-6": "unknown", "hub-1": "unknown", "hub-2": "unknown"}
    assert by("region")["co-3"] == "AT12" and by("nuts1")["co-3"] == "AT1"
    assert by("nuts0")["co-5"] == "SK" and by("nuts3")["co-1"] == "unknown"
    assert by("country")["co-4"] == "SK" and by("label")["hub-2"] == "Hub"
    with pytest.raises(ValueError, match="group by: expected one of sectorGroup"):
        actor_groups(eco, net, "favouriteColour")


# -- brokerage table -----------------------------------------------------------------------------

KEYS = ["id", "name", "label", "group", *ROLES, "constraint", "effectiveSize", "betweenness"]


@pytest.mark.parametrize("directed", [False, True])
def test_brokerage_table_agrees_with_references(eco: EmbeddedStore, directed: bool) -> None:
    rows = brokerage_table(eco, group_by="sectorGroup", directed=directed)
    assert all(list(r) == KEYS for r in rows)
    assert [r["total"] for r in rows] == sorted((r["total"] for r in rows), reverse=True)
    net = actor_network(eco, directed=directed)
    groups = actor_groups(eco, net, "sectorGroup")
    coo = net.weights.tocoo()
    arcs = list(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    slow = reference.brokerage(net.n, arcs, groups)
    between = reference.betweenness_pairs(net.n, arcs, directed=directed)
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(range(net.n))
    g.add_weighted_edges_from((a, b, w) for a, b, w in zip(*map(np.ndarray.tolist, (
        coo.row, coo.col, coo.data)), strict=True))
    nodes = [v for v in range(net.n) if g[v]]
    c = nx.constraint(g, nodes=nodes, weight="weight")
    by_id = {r["id"]: r for r in rows}
    for i, node_id in enumerate(net.ids):
        row = by_id[node_id]
        assert [row[k] for k in ROLES] == slow[i]
        assert row["betweenness"] == pytest.approx(between[i])
        if i in c:
            assert row["constraint"] == pytest.approx(c[i], abs=1e-9)
    assert by_id["co-6"]["constraint"] is None  # isolated: undefined, null in JSON


def test_brokerage_hand_counted_in_the_store(eco: EmbeddedStore) -> None:
    # Undirected, by label: hub-1 is tied to co-1, co-3 (companies) and hub-2 (hub). Its two-paths
    # between untied pairs: co-1–co-3 are tied (col-1), so only {co-1, hub-2} and {co-3, hub-2},
    # each both ways: Company→Hub→Hub (gatekeeper) ×2 and Hub→Hub→Company (representative) ×2.
    row = {r["id"]: r for r in brokerage_table(eco, group_by="label")}["hub-1"]
    assert {k: row[k] for k in ROLES} == {"coordinator": 0, "itinerant": 0,
                                          "representative": 2, "gatekeeper": 2, "liaison": 0,
                                          "total": 4}
    result = brokers(eco, group_by="label", first=2)
    assert len(result.actors) == 2 and set(result.groups) == {"Company", "Hub"}
    assert result.groups["Hub"].size == 2 and result.betweenness.method == "exact"
    assert [f.name for f in fields(result.actors[0].z)] == list(ROLES)


def test_sector_mixing_counts_ties_between_groups(eco: EmbeddedStore) -> None:
    # Ties between sector groups (undirected, once per pair), e.g. cci–ict: co-1–co-3, co-1–co-5.
    table = sector_mixing(eco)
    observed = {(p.a, p.b): p.observed for p in table.pairs}
    assert observed[("cci", "ict")] == 2 and observed[("ict", "ict")] == 1  # co-3–co-5
    assert observed[("unknown", "unknown")] == 1 and table.ties == 10  # hub-1–hub-2
    assert table.group_by == "sectorGroup"


# -- gaps ----------------------------------------------------------------------------------------

def test_region_gaps_hand_counted(eco: EmbeddedStore) -> None:
    # AT13 (co-1, co-2, co-6, hub-1): needs k1 k3 k2, offers k2 k4 k1 → unmet k3.
    # AT12 (co-3): needs and offers k3. SK01 (co-4, co-5, hub-2): needs k1, offers k3 → unmet k1.
    assert region_gaps(eco) == {"AT12": {"needed": 1, "offered": 1, "unmet": 0},
                                "AT13": {"needed": 3, "offered": 3, "unmet": 1},
                                "SK01": {"needed": 1, "offered": 1, "unmet": 1}}
    assert region_gaps(eco, level=1) == {"AT1": {"needed": 3, "offered": 4, "unmet": 0},
                                         "SK0": {"needed": 1, "offered": 1, "unmet": 1}}
    with pytest.raises(ValueError, match="level"):
        region_gaps(eco, level=7)


def test_region_gaps_match_a_slow_recount_on_the_demo(tmp_path: Path) -> None:
    from coco_atlas.graph.store import Transaction
    from coco_atlas.importers.demo.generator import generate

    store = EmbeddedStore(tmp_path / "demo.db")
    with store.bulk("demo") as writer:
        for batch in generate("small", 5):
            writer.write(Transaction(writer.source, batch.nodes, batch.edges))
    located = {e.source: e.target for e in store.iter_edges("LOCATED_IN")}
    sets: dict[str, dict[str, set[str]]] = {}
    for rel, kind in (("NEEDS", "needed"), ("OFFERS", "offered")):
        for e in store.iter_edges(rel):
            row = sets.setdefault(located[e.source], {"needed": set(), "offered": set()})
            row[kind].add(e.target)
    slow = {r: {"needed": len(s["needed"]), "offered": len(s["offered"]),
                "unmet": len(s["needed"] - s["offered"])} for r, s in sets.items()}
    fast = region_gaps(store)
    store.close()
    assert {r: v for r, v in fast.items() if r in slow} == slow
    assert all(v == {"needed": 0, "offered": 0, "unmet": 0} for r, v in fast.items()
               if r not in slow)


def test_gap_analysis_of_a_region(eco: EmbeddedStore) -> None:
    result = gap_analysis(eco, region="AT13")
    assert result.scope == RegionScope(region="AT13", level=2, name="Wien")
    assert (result.actors, result.needed, result.offered, result.unmet) == (4, 3, 3, 1)
    assert result.ratio == 1.0 and result.coverage == pytest.approx(2 / 3)
    [gap] = result.gaps
    # k3 is needed by co-2 and offered by co-5 (tied to co-2 through col-2: 1 hop, SK) and co-3
    # (co-2–co-1–co-3 or co-2–co-5–co-3: 2 hops, AT).
    assert gap.competence == Named(id="k3", name="skill 3") and gap.demand == 1
    assert gap.needers == ["co-2"]
    assert [(s.id, s.hops, s.country) for s in gap.suppliers] == [
        ("co-5", 1, "SK"), ("co-3", 2, "AT")]
    assert gap.training == {"technology-development": 1, "future-trends": 1,
                            "advanced-manufacturing-mindset": 0, "other": 0, "total": 2}
    # Mixing inside AT13: co-1–co-2 (cci–a.-m.) and co-1–hub-1 (cci–unknown).
    observed = {(p.a, p.b): p.observed for p in result.mixing.pairs}
    assert observed[("advanced-manufacturing", "cci")] == 1 and result.mixing.ties == 2


def test_gap_analysis_of_a_hub_network_and_bad_scopes(eco: EmbeddedStore) -> None:
    # hub-1 + members co-1, co-3 + partner hub-2: needs k1 (co-1), k3 (co-3); offers k1 k2 k3.
    result = gap_analysis(eco, hub="hub-1")
    assert result.scope.to_json() == {"hub": "hub-1", "name": "Wiener Kreativhub"}
    assert (result.actors, result.needed, result.offered, result.unmet) == (4, 2, 3, 0)
    assert result.gaps == []
    # a NUTS 1 region takes every actor below it
    assert gap_analysis(eco, region="AT1").actors == 5
    for kwargs, message in (({"region": "XX1"}, "no NUTS region 'XX1'"),
                            ({"hub": "co-1"}, "no Hub 'co-1'"), ({}, "exactly one"),
                            ({"region": "AT13", "hub": "hub-1"}, "exactly one")):
        with pytest.raises(ValueError, match=message):
            gap_analysis(eco, **kwargs)  # type: ignore[arg-type]


# -- introductions -------------------------------------------------------------------------------

def test_brokered_introductions(eco: EmbeddedStore) -> None:
    # co-2 needs k3; co-3 offers it, is not tied to co-2, and co-1 and co-5 are tied to both.
    # co-4 needs k1; hub-1 offers it; co-3 and hub-2 are tied to both. Score 1·(1 + ln 2) each.
    # (co-5 also offers k3 but is tied to co-2; hub-1 offers co-1's k1 but they are tied; co-6
    # is isolated.)
    found = introductions(eco)
    assert [(s.offerer.id, s.needer.id, s.hops) for s in found] == [
        ("co-3", "co-2", 2), ("hub-1", "co-4", 2)]
    first = found[0]
    assert first.score == pytest.approx(1 + np.log(2), abs=1e-6)
    assert [b.id for b in first.brokers] == ["co-1", "co-5"]
    assert first.path == ["co-3", "co-1", "co-2"]
    assert first.competences == [Named(id="k3", name="skill 3")]
    assert (first.offerer.name, first.offerer.country) == ("Gamma Code", "AT")
    assert "Gamma Code offers skill 3, Beta Robotics needs it" in first.explanation
    assert [s.needer.id for s in introductions(eco, region="SK01")] == ["co-4"]


def test_bridged_introductions_when_nobody_is_tied_to_both(eco: EmbeddedStore) -> None:
    # Partnerships and membership only: co-2's single contact is co-1, so the bridge to co-3
    # (offers k3) is co-2–co-1–hub-1–co-3: 3 hops, score 1 / (3 − 1).
    found = introductions(eco, ties=["partners", "membership"])
    assert [(s.offerer.id, s.needer.id, s.hops) for s in found] == [
        ("hub-1", "co-4", 2), ("co-3", "co-2", 3)]
    bridge = found[1]
    assert bridge.score == 0.5 and bridge.brokers == []
    assert bridge.path == ["co-3", "hub-1", "co-1", "co-2"]
    assert "shortest bridge is 3 hops" in bridge.explanation
    assert introductions(eco, ties=["partners", "membership"], max_hops=2)[1:] == []
    with pytest.raises(ValueError, match="first"):
        introductions(eco, first=0)


# -- the docstring examples ---------------------------------------------------------------------

@pytest.mark.parametrize("module", [brokerage, structural_holes,
                                    betweenness, mixing])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, verbose=False)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_both_stores_give_the_same_analyses(tmp_path: Path, neo4j_uri: str) -> None:
    """Ties are broken by id, not by the order a store keeps: the small demo, written to Neo4j
    in reverse order, gives the same brokers, gaps and introductions as the embedded store."""
    from coco_atlas.graph.neo4j.store import Neo4jStore
    from coco_atlas.graph.store import Transaction
    from coco_atlas.importers.demo.generator import generate
    from tests.conftest import wipe_neo4j

    batches = [(b.nodes, b.edges) for b in generate("small", 5)]
    embedded = EmbeddedStore(tmp_path / "demo.db")
    with embedded.bulk("demo") as writer:
        for nodes, edges in batches:
            writer.write(Transaction(writer.source, nodes, edges))
    wipe_neo4j(neo4j_uri)
    neo = Neo4jStore(neo4j_uri)
    with neo.bulk("demo") as writer:
        writer.write(Transaction(writer.source, [n for b, _ in batches for n in b][::-1]))
        writer.write(Transaction(writer.source, [], [e for _, b in batches for e in b][::-1]))
    region = next(n.id for n in embedded.iter_nodes("Region") if n.props["level"] == 2)
    try:
        for name, analyse in [
                ("brokers", lambda s: brokers(s, first=25).to_json()),
                ("gaps", lambda s: gap_analysis(s, region=region).to_json()),
                ("introductions", lambda s: [x.to_json() for x in introductions(s, first=15)])]:
            a, b = analyse(embedded), analyse(neo)
            assert _rounded(a) == _rounded(b), name
    finally:
        embedded.close()
        neo.close()


def _rounded(x: object) -> object:
    """Floats to 9 significant digits (sums in another order differ in the last bits)."""
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v) for v in x]
    return x
