"""The analytics kernels on plain arrays: hand-counted graphs, published values, networkx, and the
slow reference implementations (graph/analytics/reference.py) on many random graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from coco_atlas.graph.analytics import introductions as intro
from coco_atlas.graph.analytics import reference
from coco_atlas.graph.analytics import structural_holes as sh
from coco_atlas.graph.analytics.betweenness import _brandes, betweenness, error_bound
from coco_atlas.graph.analytics.brokerage import (
    ROLES,
    brokerage_counts,
    brokerage_moments,
    brokerage_roles,
)
from coco_atlas.graph.analytics.groups import codes
from coco_atlas.graph.analytics.mixing import MixingPair, group_mixing
from coco_atlas.graph.analytics.network import ActorNetwork


def arcs_matrix(n: int, arcs: list[tuple[int, int]], weights: list[float] | None = None
                ) -> sp.csr_matrix:
    w = weights or [1.0] * len(arcs)
    if not arcs:
        return sp.csr_matrix((n, n))
    rows, cols = zip(*arcs, strict=True)
    return sp.csr_matrix((w, (rows, cols)), shape=(n, n))


def undirected(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [*edges, *((b, a) for a, b in edges)]


def network(n: int, arcs: list[tuple[int, int]], directed: bool) -> ActorNetwork:
    m = arcs_matrix(n, sorted(set(arcs)))
    m.data = np.ones_like(m.data)
    return ActorNetwork([f"v{i}" for i in range(n)], ["Company"] * n, m, directed, 0)


# -- Gould–Fernandez, hand-counted -----------------------------------------------------------

def roles_of(counts: np.ndarray, v: int) -> dict[str, int]:
    return dict(zip(ROLES, counts[v].tolist(), strict=True))


def test_each_role_on_a_directed_two_path() -> None:
    # 0 → 1 → 2 and no 0 → 2: vertex 1 brokers exactly one ordered pair, its role set by groups.
    path = arcs_matrix(3, [(0, 1), (1, 2)])
    cases = {("A", "A", "A"): "coordinator", ("A", "B", "A"): "itinerant",
             ("A", "A", "B"): "representative", ("A", "B", "B"): "gatekeeper",
             ("A", "B", "C"): "liaison"}
    for groups, role in cases.items():
        got = roles_of(brokerage_counts(path, codes(list(groups))[0]), 1)
        assert got == {**dict.fromkeys(ROLES, 0), role: 1, "total": 1}, groups
        # the ends broker nothing
        assert brokerage_counts(path, codes(list(groups))[0])[[0, 2]].sum() == 0


def test_closed_and_reciprocal_two_paths_do_not_count() -> None:
    # 0 → 1 → 2 with 0 → 2 (closed), and 3 ↔ 4 (a → v → a is not a pair of two actors).
    counts = brokerage_counts(arcs_matrix(5, [(0, 1), (1, 2), (0, 2), (3, 4), (4, 3)]),
                              np.zeros(5, dtype=np.int64))
    assert counts.sum() == 0


def test_undirected_star_hand_counted() -> None:
    # Star: centre 0 (A) tied to 1 (A), 2 (B), 3 (B), 4 (C); undirected ties count both ways, so
    # the centre brokers every ordered pair of distinct leaves: 4 · 3 = 12.
    #   representative A→A→B: (1,2) (1,3) (1,4)       = 3
    #   gatekeeper     B→A→A: (2,1) (3,1) (4,1)       = 3
    #   itinerant      B→A→B: (2,3) (3,2)             = 2
    #   liaison        B→A→C: (2,4) (4,2) (3,4) (4,3) = 4
    groups = codes(["A", "A", "B", "B", "C"])[0]
    star = arcs_matrix(5, undirected([(0, 1), (0, 2), (0, 3), (0, 4)]))
    assert roles_of(brokerage_counts(star, groups), 0) == {
        "coordinator": 0, "itinerant": 2, "representative": 3, "gatekeeper": 3,
        "liaison": 4, "total": 12}
    # Tying leaves 2 and 3 closes (2,3) and (3,2): the itinerant pairs go; nobody else brokers.
    closed = arcs_matrix(5, undirected([(0, 1), (0, 2), (0, 3), (0, 4), (2, 3)]))
    counts = brokerage_counts(closed, groups)
    assert roles_of(counts, 0)["itinerant"] == 0 and roles_of(counts, 0)["total"] == 10
    assert counts[1:].sum() == 0


def test_expected_values_follow_sna_formulas() -> None:
    # The star above: N = 5, m = 8 arcs, d = 8/20 = 0.4, q = d²(1−d) = 0.096,
    # c = d³(1−d)³ = 0.013824. For the total (sna::brokerage, R/models.R):
    #   E = q (N−1)(N−2) = 1.152,  Var = E (1−q) + 2 (N−1)(N−2)(N−3) c = 1.70496.
    # Coordinator for a broker in A (n_A = 2): E = q (n−1)(n−2) = 0.
    # Representative in A: E = q (N−n)(n−1) = 0.096 · 3 · 1 = 0.288,
    #   Var = E(1−q) + 2((n−1)·C(N−n, 2) + (N−n)·C(n−1, 2)) c = 0.260352 + 2·3·c = 0.343296.
    # Liaison in A: other groups B (2), C (1): E = q (Σ_i≠j n_i n_j) = q · 4 = 0.384,
    #   Var = E(1−q) + 4 Σ_k n_k C(N − n_k − n_A, 2) c = 0.347136 + 4 (2·0 + 1·1) c = 0.402432.
    expected, var = brokerage_moments(8, 5, [2, 2, 1])
    a = 0  # group A
    assert expected[a, 5] == pytest.approx(1.152) and var[a, 5] == pytest.approx(1.70496)
    assert expected[a, 0] == 0
    assert expected[a, 2] == pytest.approx(0.288) and var[a, 2] == pytest.approx(0.343296)
    assert expected[a, 3] == expected[a, 2]
    assert expected[a, 4] == pytest.approx(0.384) and var[a, 4] == pytest.approx(0.402432)
    roles = brokerage_roles(arcs_matrix(5, undirected([(0, 1), (0, 2), (0, 3), (0, 4)])),
                            ["A", "A", "B", "B", "C"])
    assert roles["z"][0, 5] == pytest.approx((12 - 1.152) / math.sqrt(1.70496))
    assert math.isnan(roles["z"][0, 0])  # sd 0: undefined, not infinite
    assert roles["density"] == pytest.approx(0.4)


@st.composite
def random_graphs(draw: st.DrawFn, max_n: int = 9) -> tuple[int, list[tuple[int, int]], list[str]]:
    n = draw(st.integers(min_value=1, max_value=max_n))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    arcs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs \
        else []
    groups = draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    return n, arcs, groups


@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_brokerage_matches_the_slow_reference(graph: tuple[int, list, list]) -> None:
    n, arcs, groups = graph
    fast = brokerage_counts(arcs_matrix(n, arcs), codes(groups)[0])
    assert fast.tolist() == reference.brokerage(n, arcs, groups)


# -- Burt's structural holes ------------------------------------------------------------------

BORGATTI = [("A", "B", 2), ("A", "F", 3), ("A", "G", 5), ("A", "E", 2), ("E", "G", 8),
            ("F", "G", 3), ("B", "G", 4), ("B", "D", 1), ("D", "G", 3), ("G", "C", 10)]


def borgatti(weighted: bool) -> tuple[list[str], sp.csr_matrix]:
    """Borgatti (1997), "Structural holes: unpacking Burt's redundancy measures", the graph whose
    UCINET values networkx's tests quote."""
    names = sorted({x for a, b, _ in BORGATTI for x in (a, b)})
    idx = {x: i for i, x in enumerate(names)}
    arcs = [(idx[a], idx[b]) for a, b, _ in BORGATTI]
    w = [float(x if weighted else 1) for *_, x in BORGATTI]
    return names, arcs_matrix(len(names), undirected(arcs), w + w)


@pytest.mark.parametrize("weighted, constraint, esize", [
    (False, {"G": 0.400, "A": 0.595, "C": 1.0}, {"G": 4.67, "A": 2.50, "C": 1.0}),
    (True, {"G": 0.299, "A": 0.795, "C": 1.0}, {"G": 5.47, "A": 2.47, "C": 1.0}),
])
def test_structural_holes_match_published_ucinet_values(
        weighted: bool, constraint: dict[str, float], esize: dict[str, float]) -> None:
    names, w = borgatti(weighted)
    c, e = sh.constraint(w), sh.effective_size(w)
    for node, value in constraint.items():
        assert c[names.index(node)] == pytest.approx(value, abs=1e-3)
    for node, value in esize.items():
        assert e[names.index(node)] == pytest.approx(value, abs=1e-2)


def test_structural_holes_of_isolated_vertices_are_undefined() -> None:
    w = arcs_matrix(3, [(0, 1)])
    assert math.isnan(sh.constraint(w)[2]) and math.isnan(sh.effective_size(w)[2])


def test_masked_products_work_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    x, y, mask = (sp.random(40, 40, density=0.2, format="csr", random_state=rng) for _ in "xym")
    expected = (x @ y).toarray() * (mask.toarray() != 0)
    assert np.allclose(intro._masked_product(x, y, mask).toarray(), expected)
    monkeypatch.setattr(intro, "BLOCK_NNZ", 1)  # one row per block
    assert np.allclose(intro._masked_product(x, y, mask).toarray(), expected)


@st.composite
def weighted_graphs(draw: st.DrawFn) -> tuple[int, dict[tuple[int, int], float], bool]:
    n, arcs, _ = draw(random_graphs(max_n=10))
    weights = draw(st.lists(st.integers(1, 5), min_size=len(arcs), max_size=len(arcs)))
    return n, {a: float(w) for a, w in zip(arcs, weights, strict=True)}, draw(st.booleans())


@settings(max_examples=200, deadline=None)
@given(weighted_graphs())
def test_structural_holes_match_networkx_and_reference(
        graph: tuple[int, dict[tuple[int, int], float], bool]) -> None:
    n, weights, directed = graph
    if not directed:  # one weight per tie, read both ways like the undirected actor network
        ties = {(min(a, b), max(a, b)): w for (a, b), w in weights.items()}
        weights = {**ties, **{(b, a): w for (a, b), w in ties.items()}}
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    w = arcs_matrix(n, list(weights), list(weights.values()))
    # networkx's per-node path: its all-nodes sparse path divides effective size's row maxima
    # along the wrong axis for weighted graphs (networkx PR #8906), so it is not the reference.
    nodes = list(range(n))
    nx_c = nx.constraint(g, nodes=nodes, weight="weight")
    nx_e = nx.effective_size(g, nodes=nodes, weight="weight")
    fast_c, fast_e = sh.constraint(w), sh.effective_size(w)
    slow_c, slow_e = reference.constraint(n, weights), reference.effective_size(n, weights)
    for v in range(n):
        has_out = bool(g[v]) if directed else True  # networkx: nan when no successors
        if has_out:
            assert _close(fast_c[v], nx_c[v]) and _close(fast_e[v], nx_e[v]), v
        assert _close(fast_c[v], slow_c[v]) and _close(fast_e[v], slow_e[v]), v


def _close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9


# -- betweenness --------------------------------------------------------------------------------

def test_betweenness_of_a_path_by_hand() -> None:
    # Path 0–1–2–3: vertex 1 lies on the pairs {0,2} and {0,3}; vertex 2 on {1,3} and {0,3}.
    net = network(4, undirected([(0, 1), (1, 2), (2, 3)]), directed=False)
    assert betweenness(net)["values"].tolist() == [0, 2, 2, 0]
    # Cross-group with groups A A B B: only pairs {0,2} {0,3} {1,2} {1,3}; vertex 1 lies on
    # {0,2}, {0,3}; vertex 2 on {0,3}, {1,3}.
    cross = betweenness(net, groups=["A", "A", "B", "B"])
    assert cross["values"].tolist() == [0, 2, 2, 0] and cross["crossGroup"]
    # Groups A B A B: cross pairs {0,1} {0,3} {1,2} {2,3}: only {0,3} has interior vertices.
    assert betweenness(net, groups=list("ABAB"))["values"].tolist() == [0, 1, 1, 0]


@settings(max_examples=150, deadline=None)
@given(random_graphs(max_n=8), st.booleans())
def test_betweenness_matches_the_pairwise_definition(graph: tuple[int, list, list],
                                                     directed: bool) -> None:
    n, arcs, groups = graph
    net = network(n, arcs if directed else undirected(arcs), directed)
    for grp in (None, groups):
        fast = betweenness(net, groups=grp, pivots=None)["values"]
        slow = reference.betweenness_pairs(n, arcs, directed=directed, groups=grp)
        assert np.allclose(fast, slow, atol=1e-9), grp
    brandes = reference.betweenness_brandes(n, arcs, directed=directed)
    assert np.allclose(brandes, reference.betweenness_pairs(n, arcs, directed=directed))


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_betweenness_is_the_scaled_pivot_sum_within_its_bound(directed: bool) -> None:
    g = nx.gnm_random_graph(300, 900, seed=7, directed=directed)
    arcs = list(g.edges)
    net = network(300, arcs if directed else undirected(arcs), directed)
    exact = betweenness(net, pivots=None)["values"]
    est = betweenness(net, pivots=60, seed=3)
    assert est["method"] == "sampled" and est["pivots"] == 60
    pivots = np.sort(np.random.default_rng(3).choice(300, size=60, replace=False))
    slow = np.array(reference.betweenness_brandes(300, arcs, directed=directed,
                                                  sources=pivots.tolist())) * 300 / 60
    assert np.allclose(est["values"], slow)
    assert np.abs(est["values"] - exact).max() <= est["epsilon"]
    assert (est["epsilon"], est["epsilonNormalised"]) == error_bound(300, 60, 0.05,
                                                                     directed=directed)
    # Hoeffding with a union bound over n: ε = R·sqrt(ln(2n/δ)/(2k)), R = n(n−2) (halved if
    # undirected).
    r = 300 * 298 / (1 if directed else 2)
    assert est["epsilon"] == pytest.approx(r * math.sqrt(math.log(2 * 300 / 0.05) / 120))


def test_all_pivots_give_the_exact_values() -> None:
    net = network(6, undirected([(0, 1), (1, 2), (2, 3), (3, 4), (1, 5)]), directed=False)
    assert betweenness(net, pivots=6)["method"] == "exact"
    assert np.allclose(_brandes(net, None, np.arange(6)), betweenness(net)["values"])


@pytest.mark.parametrize("pivots, delta", [(0, 0.05), ("many", 0.05), (10, 0), (10, 1.5)])
def test_bad_sampling_parameters_are_refused(pivots: object, delta: float) -> None:
    net = network(3, [(0, 1)], directed=True)
    with pytest.raises(ValueError):
        betweenness(net, pivots=pivots, delta=delta)  # type: ignore[arg-type]


# -- attribute mixing ---------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(random_graphs(max_n=10))
def test_mixing_matches_reference_counts_and_networkx_assortativity(
        graph: tuple[int, list, list]) -> None:
    n, arcs, groups = graph
    table = group_mixing(arcs_matrix(n, arcs), groups)
    slow = reference.mixing(n, arcs, groups)
    assert {(p.a, p.b): p.observed for p in table.pairs if p.observed} == slow
    assert table.ties == sum(slow.values())
    assert sum(p.expected for p in table.pairs) == pytest.approx(table.ties)
    g = nx.Graph()
    g.add_nodes_from((i, {"group": x}) for i, x in enumerate(groups))
    g.add_edges_from(arcs)
    if table.assortativity is not None:
        nx_r = nx.attribute_assortativity_coefficient(g, "group")
        assert table.assortativity == pytest.approx(nx_r, abs=1e-9)


def test_under_linked_pairs_come_first() -> None:
    # Two triangles (A and B) joined by one tie: 7 ties, ends A 7, B 7 → expected A–B
    # 2·7·½·½ = 3.5, observed 1: ratio 1/3.5.
    edges = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    table = group_mixing(arcs_matrix(6, undirected(edges)), list("AAABBB"))
    assert table.under_linked == [MixingPair(a="A", b="B", observed=1, expected=3.5,
                                             ratio=1 / 3.5)]
    assert table.assortativity == pytest.approx((6 / 7 - 0.5) / 0.5)
