"""The search index follows writes: incrementally for this process's writes, by a background
rebuild for another process's, and never by making a search wait for a rebuild.

Reference values come from a fresh :class:`SearchIndex` built over the final set of nodes (the
slow, obviously right way); the incremental index must answer every query the same.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.search import LiveSearch, SearchIndex
from coco_atlas.schema import Node
from tests.conftest import company, hub
from tests.server import running_server

TOKEN = "search-secret-0123456789"
WORDS = ["Łódź", "Košice", "design", "robotics", "media", "Wien", "motion", "studio", "pixel"]


def _random_node(rng: random.Random, i: int) -> Node:
    name = " ".join(rng.sample(WORDS, 2))
    return Node(f"n-{i}", rng.choice(["Hub", "Company"]),
                {"name": name, "description": rng.choice(WORDS)})


def test_updates_answer_like_a_fresh_index() -> None:
    rng = random.Random(11)
    nodes = {f"n-{i}": _random_node(rng, i) for i in range(200)}
    index = SearchIndex(nodes.values())
    for step in range(300):
        i = rng.randrange(260)
        if rng.random() < 0.2:
            nodes.pop(f"n-{i}", None)
            index.update([], [f"n-{i}"])
        else:
            nodes[f"n-{i}"] = node = _random_node(rng, i)
            index.update([node])
        if step % 50 == 0 or step == 299:
            fresh = SearchIndex(nodes.values())
            for query in ["lodz", "kos", "design studio", "n-7", "wien motion", "pix"]:
                assert index.search(query, first=500) == fresh.search(query, first=500), query
    assert len(index) == len(nodes)


def test_a_write_elsewhere_is_seen_after_a_background_rebuild() -> None:
    nodes = {"a": Node("a", "Hub", {"name": "Alpha Hub"})}
    slow = {"now": False}

    def read_all() -> list[Node]:
        if slow["now"]:
            time.sleep(0.5)
        return list(nodes.values())

    live = LiveSearch(read_all, lambda ids: {i: nodes[i] for i in ids if i in nodes})
    assert [h.id for h in live.search(1, "alpha")] == ["a"]
    nodes["b"] = Node("b", "Hub", {"name": "Beta Hub"})  # another process wrote: version 2
    slow["now"] = True
    started = time.monotonic()
    assert live.search(2, "beta") == []  # served at once from the index as it was
    assert time.monotonic() - started < 0.4
    deadline = time.monotonic() + 10
    while not live.search(2, "beta") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [h.id for h in live.search(2, "beta")] == ["b"]


def test_this_process_writes_are_searchable_at_once(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with EmbeddedStore(db) as s:
        s.upsert_nodes([hub("h-1", "Wiener Kreativhub"), company("c-1", "Alpha Design")],
                       source="seed")
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def search(http: httpx.Client, text: str) -> list[str]:
        got = http.post("/graphql", json={"query": "query($t: String!) { search(text: $t) "
                                                   "{ node { id } } }", "variables": {"t": text}})
        return [h["node"]["id"] for h in got.json()["data"]["search"]]

    def write(http: httpx.Client, mutation: str) -> None:
        got = http.post("/graphql", json={"query": mutation}, headers=auth).json()
        assert "errors" not in got, got

    with running_server(db, env={"COCO_API_TOKENS": f"w:{TOKEN}"}) as base, \
            httpx.Client(base_url=base, timeout=30) as http:
        assert search(http, "alpha") == ["c-1"]  # builds the index
        write(http, 'mutation { updateNodes(nodes: [{ id: "c-1", properties: '
                    '{ name: "Omega Robotics" } }]) { id } }')
        assert search(http, "alpha") == [] and search(http, "omega") == ["c-1"]
        write(http, 'mutation { createNodes(nodes: [{ id: "h-2", label: Hub, properties: '
                    '{ name: "Košice Hub", kind: "cluster", country: "SK" } }]) { id } }')
        assert search(http, "kosice") == ["h-2"]
        write(http, 'mutation { deleteNodes(ids: ["h-1"]) }')
        assert search(http, "wiener") == []
        # another process writes: the server's search catches up by itself
        with EmbeddedStore(db) as other:
            other.upsert_nodes([hub("h-3", "Ljubljana Creative Quarter", "SI")], source="x")
        deadline = time.monotonic() + 15
        while search(http, "ljubljana") != ["h-3"]:
            assert time.monotonic() < deadline, "the index never caught up"
            time.sleep(0.1)


def test_the_store_says_what_changed_since_a_point(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "s.db") as store:
        store.upsert_nodes([hub("h-1", "One"), hub("h-2", "Two")], source="a")
        point, _, _ = store.node_changes(None)
        assert store.node_changes(point) == (point, [], [])
        store.upsert_nodes([hub("h-1", "One again")], source="b")
        store.delete_nodes(["h-2"])
        store.upsert_nodes([hub("h-3", "Three")], source="c")
        later, nodes, deleted = store.node_changes(point)
        assert later > point and deleted == ["h-2"]
        assert sorted((n.id, n.props["name"]) for n in nodes) == [("h-1", "One again"),
                                                                   ("h-3", "Three")]
        assert store.node_changes(later)[1:] == ([], [])


def test_a_delete_elsewhere_leaves_the_search(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with EmbeddedStore(db) as s:
        s.upsert_nodes([hub("h-1", "Wiener Kreativhub"), hub("h-2", "Grazer Hub")],
                       source="seed")
    query = {"query": '{ search(text: "wiener") { node { id } } }'}
    with running_server(db) as base, httpx.Client(base_url=base, timeout=30) as http:
        assert http.post("/graphql", json=query).json()["data"]["search"] != []
        with EmbeddedStore(db) as other:
            other.delete_nodes(["h-1"])
        deadline = time.monotonic() + 15
        while http.post("/graphql", json=query).json()["data"]["search"] != []:
            assert time.monotonic() < deadline, "the deleted node stayed searchable"
            time.sleep(0.1)
