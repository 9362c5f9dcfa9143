"""A Neo4j restarted under a read load (issue 17): requests fail fast with 503 while it is
down, and the service recovers by itself within seconds of the server's return."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from coco_atlas.graph.neo4j.server.launcher import Neo4jServer
from coco_atlas.graph.neo4j.store import Neo4jStore
from tests.conftest import hub
from tests.server import free_port, running_server

pytestmark = pytest.mark.slow  # two Neo4j starts and a server process

TIMEOUT = 2.0  # COCO_NEO4J_TIMEOUT of the service under test
QUERY = {"query": '{ node(id: "h") { id name } }'}


def test_a_restarted_neo4j_fails_fast_and_the_service_recovers_by_itself(
        neo4j_uri: str, tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "neo4j-data"
    server = Neo4jServer(port=port, data_dir=data).start()
    try:
        with Neo4jStore(server.uri) as store:
            store.upsert_nodes([hub("h", "Hub")], source="setup")
        env = {"COCO_NEO4J_TIMEOUT": str(TIMEOUT)}
        with running_server(tmp_path / "unused.db", "--neo4j", server.uri, env=env) as base, \
                httpx.Client(base_url=base, timeout=60) as http:
            for _ in range(5):  # a read load with every pooled connection in use before
                assert http.get("/-/stats.json").status_code == 200
                assert http.post("/graphql", json=QUERY).status_code == 200
            server.stop(keep_data=True)
            for _ in range(3):
                for request in (lambda: http.get("/-/stats.json"),
                                lambda: http.post("/graphql", json=QUERY)):
                    started = time.monotonic()
                    reply = request()
                    assert reply.status_code == 503, reply.text
                    assert time.monotonic() - started < 2 * TIMEOUT
                    assert "Traceback" not in reply.text
            server = Neo4jServer(port=port, data_dir=data).start()
            back = time.monotonic()
            while (reply := http.post("/graphql", json=QUERY)).status_code != 200:
                assert time.monotonic() - back < 10, reply.text
                time.sleep(0.2)
            assert reply.json()["data"]["node"]["name"] == "Hub"
            assert http.get("/-/stats.json").json()["labels"]["Hub"] == 1
    finally:
        server.stop(keep_data=True)
