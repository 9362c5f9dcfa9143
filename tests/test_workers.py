"""``coco serve --workers N``: several processes answer, and a write through one of them is seen
through every other on its next request (the embedded store and Neo4j alike).

The real server runs in a subprocess; each request below opens a new connection, so the kernel
hands requests to different workers, and ``/healthz`` says which worker answered.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.conftest import hub, wipe_neo4j
from tests.server import running_server

pytestmark = pytest.mark.slow  # several server processes (and Neo4j): run with -m slow

TOKEN = "writer-secret-0123456789"
WORKERS = 2


@contextmanager
def _served(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    db = tmp_path / "w.db"
    env = {"COCO_API_TOKENS": f"w:{TOKEN}"}
    if kind == "neo4j":
        uri = request.getfixturevalue("neo4j_uri")
        wipe_neo4j(uri)
        env["COCO_NEO4J_URI"] = uri
        from coco_atlas.graph.neo4j.store import Neo4jStore

        with Neo4jStore(uri) as store:
            store.upsert_nodes([hub("h-seed", "Seed Hub")], source="seed")
    else:
        with EmbeddedStore(db) as store:
            store.upsert_nodes([hub("h-seed", "Seed Hub")], source="seed")
    with running_server(db, "--workers", str(WORKERS), env=env, timeout=120) as url:
        yield url


def _health(url: str) -> dict[str, Any]:
    reply = httpx.get(url + "/healthz", timeout=10)  # a new connection each time
    assert reply.status_code == 200
    return reply.json()  # type: ignore[no-any-return]


def _workers(url: str, want: int, within: float = 90) -> set[int]:
    """The process ids answering, once ``want`` different ones have (all are started)."""
    seen: set[int] = set()
    deadline = time.monotonic() + within
    while len(seen) < want and time.monotonic() < deadline:
        body = _health(url)
        assert body["rss_mib"] > 10  # memory per worker is reported (an interpreter is more)
        seen.add(body["worker"])
    return seen


def _read(url: str, query: str) -> tuple[int, dict[str, Any]]:
    """Which worker answered a GraphQL query, and its data: the query and a /healthz go over
    one new connection (the same worker serves a keep-alive connection)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        reply = http.post("/graphql", json={"query": query})
        body = reply.json()
        assert reply.status_code == 200 and "errors" not in body, body
        return http.get("/healthz").json()["worker"], body["data"]


@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_a_write_through_one_worker_is_read_through_the_others(
        kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with _served(kind, tmp_path, request) as url:
        assert len(_workers(url, WORKERS)) == WORKERS
        query = """{ node(id: "h-new") { id name }
                     hubs(where: { country: { eq: "SK" } }) { totalCount nodes { id } }
                     search(text: "brand new", first: 5) { node { id } } }"""
        readers, before = set(), []
        while len(readers) < WORKERS:  # every worker has read (and cached) the old state
            worker, got = _read(url, query)
            readers.add(worker)
            before.append(got)
        assert all(g["node"] is None and g["hubs"]["totalCount"] == 0 and not g["search"]
                   for g in before)
        with httpx.Client(base_url=url, timeout=30) as http:
            reply = http.post("/graphql", headers={"Authorization": f"Bearer {TOKEN}"}, json={
                "query": 'mutation { createNodes(nodes: [{ id: "h-new", label: Hub, '
                         'properties: { name: "Brand New Hub", kind: "creative-hub", '
                         'country: "SK" } }]) { id } }'})
            assert reply.status_code == 200 and "errors" not in reply.json(), reply.text
            writer = http.get("/healthz").json()["worker"]
        seen: set[int] = set()
        deadline = time.monotonic() + 60
        while seen != readers and time.monotonic() < deadline:
            worker, got = _read(url, query)
            seen.add(worker)
            # whichever worker answers, the very next request after the write sees it
            assert got["node"] == {"id": "h-new", "name": "Brand New Hub"}, (worker, writer)
            assert got["hubs"] == {"totalCount": 1, "nodes": [{"id": "h-new"}]}
            assert got["search"] == [{"node": {"id": "h-new"}}]
        assert seen == readers and len(seen) == WORKERS
