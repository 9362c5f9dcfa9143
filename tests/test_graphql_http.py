"""The GraphQL API read side, through a real HTTP client against the real server on loopback.

Expected values come from an independent, slow reference: plain Python loops over every node
and edge of the store (``iter_nodes`` / ``iter_edges``), and networkx for path lengths.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.graphql_client import data
from tests.server import running_server


def all_nodes(url: str, field: str, where: str = "", page: int = 97) -> list[dict[str, Any]]:
    """Every node of a root list, page by page through the cursors."""
    out: list[dict[str, Any]] = []
    after = None
    query = (f"query($after: String) {{ {field}(first: {page}, after: $after {where}) "
             "{ totalCount pageInfo { hasNextPage endCursor } nodes { id } } }")
    while True:
        conn = data(url, query, {"after": after})[field]
        out.extend(conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            assert len(out) == conn["totalCount"]
            return out
        after = conn["pageInfo"]["endCursor"]


@dataclass
class Reference:
    """The whole demo graph in plain dicts: the slow, obvious implementation to compare with."""

    nodes: dict[str, tuple[str, dict[str, Any]]]
    edges: list[tuple[str, str, str, dict[str, Any]]]

    def out(self, rel: str) -> dict[str, set[str]]:
        m: dict[str, set[str]] = defaultdict(set)
        for s, t, d, _ in self.edges:
            if t == rel:
                m[s].add(d)
        return m

    def up(self, node: str, rel: str) -> set[str]:
        """The node and every node above it along ``rel`` (a hierarchy)."""
        parents = self.out(rel)
        seen, todo = {node}, [node]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    def of(self, label: str) -> list[str]:
        return [i for i, (lab, _) in self.nodes.items() if lab == label]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("graphql") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def url(demo_db: Path) -> Iterator[str]:
    with running_server(demo_db) as base:
        yield base


@pytest.fixture(scope="module")
def ref(demo_db: Path) -> Reference:
    store = EmbeddedStore(demo_db)
    try:
        nodes = {n.id: (n.label, n.props) for n in store.iter_nodes()}
        edges = [(e.source, e.type, e.target, e.props) for e in store.iter_edges()]
    finally:
        store.close()
    return Reference(nodes, edges)


def test_root_list_pages_through_every_node_once(url: str, ref: Reference) -> None:
    ids = [n["id"] for n in all_nodes(url, "companies")]
    assert len(ids) == len(set(ids)) == len(ref.of("Company"))
    assert set(ids) == set(ref.of("Company"))


def test_order_by_two_keys_with_missing_values_last(url: str, ref: Reference) -> None:
    got = data(url, """{ companies(first: 1000, orderBy: [SIZE_CLASS_DESC, FOUNDED_YEAR_ASC]) {
        nodes { id sizeClass foundedYear } } }""")["companies"]["nodes"]
    companies = [(i, ref.nodes[i][1]) for i in ref.of("Company")]
    size = sorted({p["sizeClass"] for _, p in companies if p.get("sizeClass")}, reverse=True)

    def key(item: tuple[str, dict[str, Any]]) -> tuple[Any, ...]:
        i, p = item
        s, y = p.get("sizeClass"), p.get("foundedYear")
        return (s is None, size.index(s) if s else 0, y is None, y or 0, i)

    expected = [i for i, _ in sorted(companies, key=key)][:1000]
    assert [n["id"] for n in got] == expected


def test_scalar_filters_match_a_python_reference(url: str, ref: Reference) -> None:
    where = """, where: { foundedYear: { gte: 2000, lt: 2015 },
                          sizeClass: { in: ["micro", "small"] },
                          NOT: { country: { eq: "DE" } }, name: { contains: "a" } }"""
    got = {n["id"] for n in all_nodes(url, "companies", where)}
    expected = {i for i in ref.of("Company") if (p := ref.nodes[i][1])
                and 2000 <= p.get("foundedYear", 0) < 2015
                and p.get("sizeClass") in ("micro", "small") and p["country"] != "DE"
                and "a" in p["name"]}
    assert got == expected and expected


def test_or_and_dates(url: str, ref: Reference) -> None:
    where = """, where: { OR: [{ startDate: { gte: "2025-01-01" } }, { format: { eq: "online" } }],
                          endDate: { exists: true } }"""
    got = {n["id"] for n in all_nodes(url, "trainings", where)}
    expected = {i for i in ref.of("Training") if (p := ref.nodes[i][1])
                and (p["startDate"] >= "2025-01-01" or p.get("format") == "online")
                and p.get("endDate") is not None}
    assert got == expected and expected


def test_companies_in_a_nace_section_and_a_nuts1_region(url: str, ref: Reference) -> None:
    where = """, where: { sectors: { within: { id: { eq: "C" } } },
                          regions: { within: { id: { eq: "AT1" } } } }"""
    got = {n["id"] for n in all_nodes(url, "companies", where)}
    sectors, regions = ref.out("IN_SECTOR"), ref.out("LOCATED_IN")
    expected = {c for c in ref.of("Company")
                if any("C" in ref.up(s, "BROADER") for s in sectors.get(c, ()))
                and any("AT1" in ref.up(r, "PART_OF") for r in regions.get(c, ()))}
    assert got == expected and expected


def test_offering_a_competence_and_member_of_a_hub(url: str, ref: Reference) -> None:
    hub = "demo-hub-00000"
    where = f""", where: {{ hubs: {{ id: {{ eq: "{hub}" }} }},
                           offers: {{ name: {{ startsWith: "design" }} }} }}"""
    got = {n["id"] for n in all_nodes(url, "companies", where)}
    offers, member = ref.out("OFFERS"), ref.out("MEMBER_OF")
    expected = {c for c in ref.of("Company") if hub in member.get(c, ())
                and any(ref.nodes[k][1]["name"].startswith("design") for k in offers.get(c, ()))}
    assert got == expected and expected


def test_nested_relations_both_ways_agree(url: str, ref: Reference) -> None:
    got = data(url, """{ node(id: "demo-hub-00000") { ... on Hub {
        members(first: 1000) { id hubs(first: 10) { id } }
        membersConnection(first: 1000) { totalCount edges { since node { id } } } } } }""")["node"]
    members = {s for s, t, d, _ in ref.edges if t == "MEMBER_OF" and d == "demo-hub-00000"}
    assert {m["id"] for m in got["members"]} == members
    assert all("demo-hub-00000" in {h["id"] for h in m["hubs"]} for m in got["members"])
    conn = got["membersConnection"]
    since = {s: p.get("since") for s, t, d, p in ref.edges
             if t == "MEMBER_OF" and d == "demo-hub-00000"}
    assert conn["totalCount"] == len(members)
    assert {e["node"]["id"]: e["since"] for e in conn["edges"]} == since


def test_nested_where_order_and_cursor(url: str, ref: Reference) -> None:
    query = """query($after: String) { node(id: "demo-hub-00000") { ... on Hub {
        membersConnection(first: 4, after: $after, orderBy: [FOUNDED_YEAR_DESC],
                          where: { sizeClass: { ne: "large" } }) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }"""
    ids, after = [], None
    while True:
        conn = data(url, query, {"after": after})["node"]["membersConnection"]
        ids += [e["node"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    members = [s for s, t, d, _ in ref.edges if t == "MEMBER_OF" and d == "demo-hub-00000"
               and ref.nodes[s][1].get("sizeClass") != "large"]
    expected = sorted(members, key=lambda i: (-ref.nodes[i][1].get("foundedYear", 0), i))
    assert ids == expected and conn["totalCount"] == len(expected)


def test_multi_label_field_returns_the_node_interface(url: str, ref: Reference) -> None:
    got = data(url, """{ node(id: "demo-comp-design") { ... on Competence {
        offeredBy(first: 1000, where: { label: { eq: Hub } }) {
          __typename id label name ... on Hub { kind } } } } }""")["node"]["offeredBy"]
    expected = {s for s, t, d, _ in ref.edges if t == "OFFERS" and d == "demo-comp-design"
                and ref.nodes[s][0] == "Hub"}
    assert {n["id"] for n in got} == expected
    assert all(n["__typename"] == n["label"] == "Hub" and n["kind"] for n in got)


def test_node_and_nodes(url: str) -> None:
    got = data(url, """{ a: node(id: "AT13") { id label name ... on Region { level } }
                         b: node(id: "no-such-node") { id }
                         c: nodes(ids: ["C26", "missing", "AT"]) { id label } }""")
    assert got["a"] == {"id": "AT13", "label": "Region", "name": "Wien", "level": 2}
    assert got["b"] is None
    assert got["c"] == [{"id": "C26", "label": "Sector"}, {"id": "AT", "label": "Region"}]


def test_aggregate_by_section_and_country_matches_a_count(url: str, ref: Reference) -> None:
    rows = data(url, """{ companies { aggregate(
        groupBy: ["sectors.broader*[level=1].id", "country"]) { keys count group } } }""")
    got = {tuple(r["keys"]): r["count"] for r in rows["companies"]["aggregate"]}
    sectors = ref.out("IN_SECTOR")
    expected: Counter[tuple[Any, ...]] = Counter()
    for c in ref.of("Company"):
        sections = {s for sec in sectors.get(c, ()) for s in ref.up(sec, "BROADER")
                    if ref.nodes[s][1]["level"] == 1} or {None}
        for section in sections:
            expected[(section, ref.nodes[c][1]["country"])] += 1
    assert got == dict(expected)
    counts = [r["count"] for r in rows["companies"]["aggregate"]]
    assert counts == sorted(counts, reverse=True)
    first = rows["companies"]["aggregate"][0]
    assert first["group"] == {"sectors.broader*[level=1].id": first["keys"][0],
                              "country": first["keys"][1]}


def test_aggregate_respects_where_and_multi_valued_properties(url: str, ref: Reference) -> None:
    rows = data(url, """{ trainings(where: { area: { ne: "other" } }) {
        aggregate(groupBy: ["tags", "providers.country"]) { keys count } } }""")
    got = {tuple(r["keys"]): r["count"] for r in rows["trainings"]["aggregate"]}
    provides = defaultdict(set)
    for s, t, d, _ in ref.edges:
        if t == "PROVIDES":
            provides[d].add(ref.nodes[s][1]["country"])
    expected: Counter[tuple[Any, ...]] = Counter()
    for t in ref.of("Training"):
        p = ref.nodes[t][1]
        if p["area"] != "other":
            for key in itertools.product(p.get("tags") or [None], provides[t] or {None}):
                expected[key] += 1
    assert got == dict(expected)


def test_shortest_path_has_the_networkx_length(url: str, ref: Reference) -> None:
    g = nx.Graph()
    g.add_edges_from((s, d) for s, _, d, _ in ref.edges)
    for a, b in [("demo-hub-00000", "demo-hub-00004"), ("demo-co-000001", "demo-comp-design"),
                 ("AT13", "demo-tr-00003")]:
        path = data(url, """query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxHops: 8) {
            length nodes { id } relationships { type startId endId } } }""",
                    {"a": a, "b": b})["shortestPath"]
        assert path["length"] == nx.shortest_path_length(g, a, b)
        nodes = [n["id"] for n in path["nodes"]]
        assert nodes[0] == a and nodes[-1] == b and len(nodes) == path["length"] + 1
        for (x, y), rel in zip(itertools.pairwise(nodes), path["relationships"], strict=True):
            assert {rel["startId"], rel["endId"]} == {x, y}
            assert (rel["startId"], rel["type"], rel["endId"]) in {
                (s, t, d) for s, t, d, _ in ref.edges}


def test_shortest_path_restricted_and_too_long(url: str, ref: Reference) -> None:
    g = nx.DiGraph()
    g.add_edges_from((s, d) for s, t, d, _ in ref.edges if t == "PARTNERS_WITH")
    a, b = "demo-hub-00000", "demo-hub-00004"
    got = data(url, """{ p: shortestPath(from: "demo-hub-00000", to: "demo-hub-00004",
                                        types: [PARTNERS_WITH], directed: true, maxHops: 10)
                         { length }
                         q: shortestPath(from: "demo-hub-00000", to: "demo-hub-00004",
                                        maxHops: 1) { length } }""")
    try:
        expected = nx.shortest_path_length(g, a, b)
    except nx.NetworkXNoPath:
        expected = None
    assert (got["p"] or {}).get("length") == expected
    assert got["q"] is None  # not neighbours


def test_neighbourhood_is_the_networkx_ego_graph(url: str, ref: Reference) -> None:
    g = nx.Graph()
    g.add_edges_from((s, d) for s, t, d, _ in ref.edges if t in ("PARTNERS_WITH", "PROVIDES"))
    got = data(url, """{ neighbourhood(id: "demo-hub-00003", hops: 2,
                                       types: [PARTNERS_WITH, PROVIDES], first: 1000) {
        truncated nodes { id } relationships { type startId endId } } }""")["neighbourhood"]
    ego = nx.ego_graph(g, "demo-hub-00003", radius=2)
    assert not got["truncated"]
    assert {n["id"] for n in got["nodes"]} == set(ego.nodes)
    assert got["nodes"][0]["id"] == "demo-hub-00003"
    expected = {(s, t, d) for s, t, d, _ in ref.edges
                if t in ("PARTNERS_WITH", "PROVIDES") and s in ego and d in ego}
    assert {(r["startId"], r["type"], r["endId"]) for r in got["relationships"]} == expected


def test_neighbourhood_truncates_closest_first(url: str) -> None:
    got = data(url, """{ neighbourhood(id: "AT", hops: 3, first: 5) {
        truncated nodes { id } } }""")["neighbourhood"]
    assert got["truncated"] and len(got["nodes"]) == 5 and got["nodes"][0]["id"] == "AT"


def test_get_answers_queries_but_not_mutations(url: str) -> None:
    r = httpx.get(url + "/graphql", params={"query": "{ hubs(first: 1) { totalCount } }"})
    assert r.status_code == 200 and r.json()["data"]["hubs"]["totalCount"] >= 24
    r = httpx.get(url + "/graphql", params={"query": "mutation { deleteNodes(ids: [\"AT\"]) }"})
    assert r.status_code == 400 and "not allowed" in r.text
    assert data(url, '{ node(id: "AT") { id } }')["node"] == {"id": "AT"}


def test_prefetched_and_batched_relations_agree(url: str) -> None:
    """Root pages prefetch their relationship fields; single nodes go through DataLoaders:
    both paths give the same answers, with filters, order and paging."""
    fields = """id offers(orderBy: [NAME_DESC], first: 2) { id }
                hubsConnection { totalCount edges { since node { id } } }
                partners(where: { label: { eq: Company } }) { id }"""
    page = data(url, f"{{ companies(first: 20) {{ nodes {{ {fields} }} }} }}")
    for company in page["companies"]["nodes"]:
        one = data(url, f'{{ node(id: "{company["id"]}") {{ ... on Company {{ {fields} }} }} }}')
        assert one["node"] == company
