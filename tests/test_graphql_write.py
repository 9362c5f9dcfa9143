"""GraphQL writes: bearer tokens, schema validation with precise errors, one transaction per
request, provenance stamps — against the real server on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from tests.graphql_client import data, gql
from tests.server import running_server

ALICE = "alice-secret-0123456789"  # from COCO_API_TOKENS
BOB = "bob-secret-from-the-file-42"  # from the tokens file, stored there as a sha256 digest


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("write")
    db = tmp / "demo.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    tokens = tmp / "tokens"
    tokens.write_text("# operators' tokens\n"
                      f"bob:sha256:{hashlib.sha256(BOB.encode()).hexdigest()}\n\n",
                      encoding="utf-8")
    env = {"COCO_API_TOKENS": f"alice:{ALICE}", "COCO_API_TOKENS_FILE": str(tokens)}
    with running_server(db, env=env) as base:
        yield base


def _exists(url: str, node_id: str) -> bool:
    return data(url, "query($id: ID!) { node(id: $id) { id } }", {"id": node_id})["node"] \
        is not None


CREATE = """mutation { createNodes(nodes: [{ id: "t-hub", label: Hub,
    properties: { name: "Košice Design Week", kind: "creative-hub", country: "SK" } }]) { id } }"""


@pytest.mark.parametrize("token, why", [(None, "writes need a bearer token"),
                                        ("not-a-token-of-anyone", "not valid")])
def test_no_write_without_a_valid_token(url: str, token: str | None, why: str) -> None:
    reply = gql(url, CREATE, token=token)
    assert reply["data"] is None
    assert why in reply["errors"][0]["message"]
    assert reply["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not _exists(url, "t-hub")


def test_create_with_provenance_then_read_and_search(url: str) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    got = data(url, """mutation {
      createNodes(nodes: [
        { id: "t-kosice", label: Hub, properties: { name: "Košice Creative Quarter",
          kind: "creative-hub", country: "SK", city: "Košice", tags: ["new"] } },
        { id: "t-co", label: Company, properties: { name: "Tatra Pixels s.r.o.",
          country: "SK", sizeClass: "micro" } }]) {
        id label source updatedAt ... on Hub { city }
      }
      createRelationships(relationships: [
        { startId: "t-co", type: MEMBER_OF, endId: "t-kosice", properties: { since: 2024 } },
        { startId: "t-kosice", type: LOCATED_IN, endId: "SK04" }]) {
        type startId endId properties start { name } end { name }
      }
    }""", token=ALICE)
    hub, co = got["createNodes"]
    assert hub["id"] == "t-kosice" and hub["city"] == "Košice" and co["label"] == "Company"
    assert hub["source"] == co["source"] == "graphql:alice"
    assert datetime.fromisoformat(hub["updatedAt"]) >= before
    member = got["createRelationships"][0]
    assert member["properties"]["since"] == 2024
    assert member["properties"]["source"] == "graphql:alice"
    assert member["start"]["name"] == "Tatra Pixels s.r.o." and member["end"]["name"] == \
        "Košice Creative Quarter"
    read = data(url, """{ node(id: "t-kosice") { ... on Hub { members { id }
                                                            regions { id } } }
                         search(text: "kosice") { node { id } } }""")
    assert read["node"] == {"members": [{"id": "t-co"}], "regions": [{"id": "SK04"}]}
    assert "t-kosice" in [h["node"]["id"] for h in read["search"]]


def test_token_from_the_file_writes_under_its_name(url: str) -> None:
    got = data(url, """mutation { createNodes(nodes: [{ id: "t-bob", label: Competence,
        properties: { name: "service design for manufacturers" } }]) { id source } }""",
               token=BOB)
    assert got["createNodes"] == [{"id": "t-bob", "source": "graphql:bob"}]


def test_a_request_is_one_transaction_and_reports_every_problem(url: str) -> None:
    reply = gql(url, """mutation {
      ok: createNodes(nodes: [{ id: "t-good", label: Hub,
          properties: { name: "Fine Hub", kind: "cluster", country: "AT" } }])  { id }
      bad: createNodes(nodes: [{ id: "t-bad", label: Company,
          properties: { name: "Bad Co", country: "Austria", foundedYear: 3000,
                        updatedAt: "2020-01-01T00:00:00+00:00" } }]) { id }
      edges: createRelationships(relationships: [
          { startId: "t-good", type: MEMBER_OF, endId: "AT13" }]) { type }
      gone: deleteNodes(ids: ["no-such-node"])
    }""", token=ALICE)
    assert reply["data"] is None
    found = {(e["extensions"]["where"], e["extensions"]["field"]) for e in reply["errors"]}
    assert ("bad.nodes[0]", "properties.updatedAt") in found
    assert ("gone.ids[0]", "id") in found
    assert ("node 't-bad' (Company)", "country") in found
    assert ("node 't-bad' (Company)", "foundedYear") in found
    assert ("edge 't-good' -[MEMBER_OF]-> 'AT13'", "source") in found
    country = next(e for e in reply["errors"] if e["extensions"]["field"] == "country")
    assert country["extensions"]["expected"] == "a string matching ^[A-Z]{2}$"
    assert country["extensions"]["got"] == "Austria"
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in reply["errors"])
    assert not _exists(url, "t-good") and not _exists(url, "t-bad")


def test_a_hub_without_country_and_kind_is_created_but_a_wrong_country_is_not(url: str) -> None:
    """Country and kind are recommended: a hub may lack them (they read null) but not have
    a malformed one."""
    got = data(url, """mutation { createNodes(nodes: [{ id: "t-partial", label: Hub,
        properties: { name: "Hub Without Papers" } }]) { ... on Hub { id kind country } } }""",
               token=ALICE)
    assert got["createNodes"] == [{"id": "t-partial", "kind": None, "country": None}]
    listed = data(url, """{ hubs(where: { name: { eq: "Hub Without Papers" } }) {
        nodes { id kind country } } }""")
    assert listed["hubs"]["nodes"] == [{"id": "t-partial", "kind": None, "country": None}]
    reply = gql(url, """mutation { createNodes(nodes: [{ id: "t-partial-bad", label: Hub,
        properties: { name: "Hub Somewhere", country: "Slovakia" } }]) { id } }""",
                token=ALICE)
    assert reply["data"] is None
    [error] = reply["errors"]
    assert error["extensions"]["field"] == "country" and error["extensions"]["got"] == "Slovakia"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert not _exists(url, "t-partial-bad")


def test_store_validation_rolls_back_earlier_fields(url: str) -> None:
    """The first field is valid alone; the second breaks a schema rule the store checks
    (an actor's country must agree with its region): nothing of either is written."""
    reply = gql(url, """mutation {
      a: createNodes(nodes: [{ id: "t-wien", label: Hub,
         properties: { name: "Wien Hub", kind: "cluster", country: "AT" } }]) { id }
      b: createRelationships(relationships: [
         { startId: "t-wien", type: LOCATED_IN, endId: "SK04" }]) { type }
    }""", token=ALICE)
    assert reply["data"] is None
    assert [e["extensions"]["field"] for e in reply["errors"]] == ["country"]
    assert not _exists(url, "t-wien")


def test_update_remove_and_delete(url: str) -> None:
    data(url, """mutation { createNodes(nodes: [{ id: "t-upd", label: Company,
        properties: { name: "Upd", country: "SI", city: "Maribor", foundedYear: 2001 } }])
        { id } }""", token=ALICE)
    got = data(url, """mutation { updateNodes(nodes: [{ id: "t-upd",
        properties: { city: null, foundedYear: 2002 } }]) { ... on Company { name city
        foundedYear } } }""", token=ALICE)
    assert got["updateNodes"] == [{"name": "Upd", "city": None, "foundedYear": 2002}]
    missing = gql(url, """mutation { updateNodes(nodes: [{ id: "t-nope",
        properties: { name: "x" } }]) { id } }""", token=ALICE)
    assert missing["errors"][0]["extensions"]["field"] == "id"
    data(url, """mutation { createRelationships(relationships: [
        { startId: "t-upd", type: OFFERS, endId: "demo-comp-design",
          properties: { level: "basic" } }]) { type } }""", token=ALICE)
    changed = data(url, """mutation { updateRelationships(relationships: [
        { startId: "t-upd", type: OFFERS, endId: "demo-comp-design",
          properties: { level: "expert" } }]) { properties } }""", token=ALICE)
    assert changed["updateRelationships"][0]["properties"]["level"] == "expert"
    assert data(url, """mutation { deleteNodes(ids: ["t-upd"]) }""",
                token=ALICE) == {"deleteNodes": ["t-upd"]}
    offered = data(url, """{ node(id: "demo-comp-design") { ... on Competence {
        offeredBy(first: 1000) { id } } } }""")
    assert "t-upd" not in {n["id"] for n in offered["node"]["offeredBy"]}


def test_create_twice_is_refused(url: str) -> None:
    q = """mutation { createNodes(nodes: [{ id: "t-once", label: Sector,
        properties: { name: "Once", level: 1 } }]) { id } }"""
    data(url, q, token=ALICE)
    again = gql(url, q, token=ALICE)
    assert again["errors"][0]["extensions"]["expected"] == "an id not in use yet"


@pytest.mark.parametrize("env, message", [
    ({"COCO_API_TOKENS": "alice:short"}, "COCO_API_TOKENS, entry 1: expected a secret of at "
                                         "least 16 characters"),
    ({"COCO_API_TOKENS": "no colon here"}, "COCO_API_TOKENS, entry 1: expected NAME:SECRET"),
])
def test_bad_token_settings_stop_the_server_with_one_line(tmp_path: Path, env: dict[str, str],
                                                         message: str) -> None:
    db = tmp_path / "x.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    with pytest.raises(RuntimeError) as info, running_server(db, env=env, timeout=20):
        pass
    assert message in str(info.value) and "Traceback" not in str(info.value)


def test_a_bad_tokens_file_names_its_line(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert main(["demo-data", "--size", "small", "--db", str(db)]) == 0
    tokens = tmp_path / "tokens"
    tokens.write_text("ok:a-long-enough-secret-here\nbroken:sha256:1234\n", encoding="utf-8")
    with pytest.raises(RuntimeError) as info, running_server(
            db, env={"COCO_API_TOKENS_FILE": str(tokens)}, timeout=20):
        pass
    assert f"tokens file {tokens}, line 2: expected sha256: followed by 64 hex digits" in \
        str(info.value)
    assert "a-long-enough-secret-here" not in str(info.value)


def test_variables_fragments_and_skip_are_honoured(url: str) -> None:
    got = data(url, """
      mutation Add($nodes: [NodeInput!]!, $rels: [RelationshipInput!]!, $skip: Boolean!) {
        ...Create
        gone: deleteNodes(ids: ["AT"]) @skip(if: $skip)
      }
      fragment Create on Mutation {
        createNodes(nodes: $nodes) { id }
        createRelationships(relationships: $rels) { type properties }
      }""", {"nodes": [{"id": "t-var", "label": "Company",
                        "properties": {"name": "Var Co", "country": "AT"}}],
             "rels": [{"startId": "t-var", "type": "MEMBER_OF", "endId": "demo-hub-00002",
                       "properties": {"since": 2020}}],
             "skip": True}, token=ALICE)
    assert got["createNodes"] == [{"id": "t-var"}] and "gone" not in got
    assert got["createRelationships"][0]["properties"]["since"] == 2020
    assert _exists(url, "AT")
