"""API replicas over one Neo4j (issue 17): processes hold no state of their own that matters,
so two `coco serve` processes give the same answers and see each other's writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from tests.conftest import wipe_neo4j
from tests.graphql_client import data
from tests.server import running_server

pytestmark = pytest.mark.slow  # a real Neo4j and two server processes

TOKEN = "replica-secret-0123456789"
BROKERS = "{ brokers(first: 1000) { actorCount actors { node { id } } } }"
CREATE = """mutation { createNodes(nodes: [
    { id: "r-new", label: Company, properties: { name: "Replica Works", country: "AT" } }])
  { id } createRelationships(relationships: [
    { type: PARTNERS_WITH, startId: "r-new", endId: "%s" }]) { type } }"""


def test_two_api_processes_over_one_neo4j_agree_and_see_each_others_writes(
        neo4j_uri: str, tmp_path: Path) -> None:
    wipe_neo4j(neo4j_uri)
    assert main(["demo-data", "--size", "small", "--seed", "7", "--neo4j", neo4j_uri]) == 0
    env = {"COCO_API_TOKENS": f"ops:{TOKEN}", "COCO_NEO4J_DATABASE": "neo4j"}
    args = ("--neo4j", neo4j_uri)
    with running_server(tmp_path / "a.db", *args, env=env) as a, \
            running_server(tmp_path / "b.db", *args, "--neo4j-database", "neo4j",
                           env=env) as b:
        before = data(a, BROKERS)["brokers"]
        assert data(b, BROKERS)["brokers"] == before and before["actorCount"] > 0
        partner = data(a, '{ companies(first: 1) { edges { node { id } } } }')[
            "companies"]["edges"][0]["node"]["id"]
        data(a, CREATE % partner, token=TOKEN)
        # a plain read through the other process sees the write at once
        node = data(b, '{ node(id: "r-new") { id name } }')["node"]
        assert node == {"id": "r-new", "name": "Replica Works"}
        # analyses are cached per database version, which each request reads: the very next
        # analysis through either process is one of the new graph
        after_a, after_b = data(a, BROKERS)["brokers"], data(b, BROKERS)["brokers"]
        assert after_a == after_b
        assert after_a["actorCount"] == before["actorCount"] + 1


def test_a_database_that_does_not_exist_is_one_clear_line(
        neo4j_uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--neo4j", neo4j_uri, "--neo4j-database", "nosuch"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nosuch" in err and "Traceback" not in err
