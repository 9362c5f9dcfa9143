"""DataLoaders and caches: the store calls of a request do not grow with the page size.

The app runs in this process over a store that counts its calls, served by uvicorn on
loopback; the test speaks HTTP to it like any client.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.app import create_app
from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.conftest import hub
from tests.graphql_client import data, serving

COUNTED = ("find", "count", "get_nodes", "get_edges", "neighbours", "topology",
           "property_values", "iter_nodes", "iter_edges", "commit", "node_changes",
           "nodes_and_neighbours")


class CountingStore(EmbeddedStore):
    """The embedded store, counting calls of the Store contract's data methods."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.calls: Counter[str] = Counter()

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if name in COUNTED:
            super().__getattribute__("calls")[name] += 1
        return attr


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, CountingStore]]:
    db = tmp_path_factory.mktemp("loaders") / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    store = CountingStore(db)
    try:
        with serving(create_app({"db": str(db)}, store=store)) as url:
            yield url, store
    finally:
        store.close()


PAGE = """query($n: Int!) { companies(first: $n) { totalCount nodes {
  id name
  offers { name }
  offersConnection(where: { name: { contains: "a" } }) { totalCount edges { level } }
  hubs { name members(first: 3) { name sizeClass } }
  regions { id parent { id name } }
  partners { id ... on Company { sizeClass } }
} } }"""


def _calls(url: str, store: CountingStore, query: str, variables: dict[str, Any]
           ) -> tuple[Counter[str], dict[str, Any]]:
    store.calls.clear()
    result = data(url, query, variables)
    return Counter(store.calls), result


def test_nested_page_costs_the_same_store_calls_for_5_or_50_rows(
        served: tuple[str, CountingStore]) -> None:
    url, store = served
    few, small = _calls(url, store, PAGE, {"n": 5})
    many, big = _calls(url, store, PAGE, {"n": 50})
    assert len(small["companies"]["nodes"]) == 5 and len(big["companies"]["nodes"]) == 50
    assert sum(1 for n in big["companies"]["nodes"] if n["hubs"]) > 5  # nested data is there
    assert few == many
    # find (page and count together) + one find for the nested filter + neighbours: one call
    # for all of the page's own relationship fields of one direction (offers, hubs, regions,
    # partners: all outgoing), then one per field a level below (members, parent): nothing
    # per row.
    assert many == Counter({"find": 2, "neighbours": 3})


def test_node_lookups_are_batched(served: tuple[str, CountingStore]) -> None:
    url, store = served
    ids = [f"demo-co-{i:06d}" for i in range(40)]
    calls, got = _calls(url, store, """query($ids: [ID!]!) {
        nodes(ids: $ids) { id } a: node(id: "AT") { id } b: node(id: "C") { id } }""",
                        {"ids": ids})
    assert len(got["nodes"]) == 40
    assert calls == Counter({"get_nodes": 1})


def test_a_node_and_its_plain_lists_are_one_store_call(
        served: tuple[str, CountingStore]) -> None:
    """node(id:) with a plain relationship list in a fragment on its label reads the node and
    the list's first members together (one round trip on Neo4j), and answers as the list of
    a root page does."""
    url, store = served
    hub_id = "demo-hub-00002"
    calls, got = _calls(url, store, """query($id: ID!, $n: Int!) { node(id: $id) { id name
        ... on Hub { members(first: $n) { id name } ...M } ... on Company { offers { id } } } }
        fragment M on Hub { partners(first: 2) { id } }""", {"id": hub_id, "n": 3})
    # (the embedded store's nodes_and_neighbours is the contract's default: get_nodes, then
    # neighbours for each list of the node's label, here members and partners)
    assert calls == Counter({"nodes_and_neighbours": 1, "get_nodes": 1, "neighbours": 2})
    _, page = _calls(url, store, """query($id: String!) { hubs(where: { id: { eq: $id } }) {
        nodes { members(first: 3) { id name } partners(first: 2) { id } } } }""", {"id": hub_id})
    [hub_page] = page["hubs"]["nodes"]
    assert len(hub_page["members"]) == 3
    assert got["node"]["members"] == hub_page["members"]
    assert got["node"]["partners"] == hub_page["partners"]
    calls, got = _calls(url, store, """{ node(id: "nope") { id ... on Hub { members { id } } }
        c: node(id: "demo-co-000001") { id ... on Hub { members { id } } } }""", {})
    assert got == {"node": None, "c": {"id": "demo-co-000001"}}
    assert calls == Counter({"nodes_and_neighbours": 2, "get_nodes": 2})


def test_derived_structures_are_built_once_per_store_version(
        served: tuple[str, CountingStore]) -> None:
    url, store = served
    query = """{ search(text: "wien") { node { id } }
                 companies(where: { regions: { within: { id: { eq: "AT" } } } }) {
                   totalCount aggregate(groupBy: ["country", "regions.parent*[level=1].id",
                     "sectors.broader*[level=1].name"]) { count } } }"""
    first, _ = _calls(url, store, query, {})
    again, _ = _calls(url, store, query, {})
    assert first["iter_nodes"] == 1 and first["topology"] == 1
    assert again["iter_nodes"] == 0 and again["topology"] == 0
    # a write the server did not make (another process's, as an import's): a new version
    store.upsert_nodes([hub("h-new", "Wien Neubau Hub")], source="test")
    store.calls.clear()
    deadline = time.monotonic() + 10
    while "h-new" not in [h["node"]["id"] for h in data(url, query, {})["search"]]:
        assert time.monotonic() < deadline, "the search index never caught up"
        time.sleep(0.05)
    # the search index caught up with what changed, in the background, without reading
    # every node again; the other structures were built once for the new version
    assert store.calls["iter_nodes"] == 0 and store.calls["node_changes"] >= 1
    assert store.calls["topology"] == 1


def test_known_values_answer_like_primed_ones() -> None:
    """The loaders' cache (Known) answers known values as DataLoader.prime would, without a
    future per key; a loaded key keeps its value; clear forgets both kinds."""
    import asyncio

    from strawberry.dataloader import DataLoader

    from coco_atlas.api.graphql.loaders import Known

    async def run() -> None:
        asked: list[list[str]] = []

        async def load(keys: list[str]) -> list[str]:
            asked.append(keys)
            return [f"loaded {k}" for k in keys]

        cache: Known[str, str] = Known()
        loader = DataLoader(load, cache_map=cache)
        assert await loader.load("a") == "loaded a"
        cache.add({"a": "known a", "b": "known b"})
        assert await loader.load_many(["a", "b", "c"]) == ["loaded a", "known b", "loaded c"]
        assert asked == [["a"], ["c"]] and cache.value("b") == "known b"
        assert cache.value("zzz") is None and not cache.has("zzz")
        loader.clear("b")
        loader.clear("a")
        assert await loader.load_many(["a", "b"]) == ["loaded a", "loaded b"]
        loader.clear_all()
        assert not cache.has("a") and not cache.has("b")

    asyncio.run(run())
