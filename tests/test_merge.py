"""Merging duplicates: exact, all-or-nothing, undoable from the record kept in the graph — on
both stores through the Store contract, through ``coco merge`` and GraphQL's ``mergeNodes``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coco_atlas.api.cli import app
from coco_atlas.graph.merge import RECORD, history, merge, undo
from coco_atlas.graph.store import Store
from coco_atlas.schema import Node, ValidationError
from tests.conftest import company, edge, hub, region
from tests.graphql_client import gql
from tests.server import running_server

TOKEN = "merge-secret-0123456789"
STAMPS = ("source", "updatedAt")
Snapshot = tuple[dict[str, tuple[str, dict[str, Any]]], dict[tuple[str, str, str], dict[str, Any]]]


def _snapshot(store: Store, stamps: bool = True) -> Snapshot:
    def keep(props: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in props.items() if stamps or k not in (*STAMPS, RECORD)}

    return ({n.id: (n.label, keep(n.props)) for n in store.iter_nodes()},
            {e.key: keep(e.props) for e in store.iter_edges()})


def _seed(store: Store) -> None:
    store.upsert_nodes([
        region("AT13", "Wien"), region("SK04", "Východné Slovensko"),
        hub("h1", "Wiener Kreativhub"), hub("h2", "Grazer Kreativhub"),
        company("c1", "Foo GmbH"),
        company("c2", "FOO", website="https://foo.example"),
        company("c3", "Foo Wien", city="Wien", foundedYear=2001, website="https://other.example"),
        company("c4", "Bar AG"),
        Node("k1", "Competence", {"name": "3D modelling"}),
    ], source="fixture")
    store.upsert_edges([
        edge("c1", "MEMBER_OF", "h1", since=2010),
        edge("c2", "MEMBER_OF", "h1", since=2012, until=2020),  # combined: since kept
        edge("c2", "MEMBER_OF", "h2", since=2015),  # moved
        edge("c2", "PARTNERS_WITH", "c1", weight=1.0),  # would join c1 to itself
        edge("c3", "PARTNERS_WITH", "c2"),  # between two dropped nodes: the same
        edge("c4", "PARTNERS_WITH", "c3", weight=2.0),  # moved, the other end kept
        edge("c1", "PARTNERS_WITH", "c4", weight=0.5),  # another key than (c4, c1): stays
        edge("c1", "OFFERS", "k1"), edge("c3", "OFFERS", "k1", level="expert"),
        edge("c1", "LOCATED_IN", "AT13"),
    ], source="fixture")


def _expected_after_merge(before: Snapshot) -> Snapshot:
    """What merging c2, c3 into c1 must leave, written out by hand from the rules."""
    nodes = {k: v for k, v in before[0].items() if k not in ("c2", "c3")}
    nodes["c1"] = ("Company", {"name": "Foo GmbH", "country": "AT", "city": "Wien",
                               "foundedYear": 2001, "website": "https://foo.example"})
    edges = {k: v for k, v in before[1].items() if "c2" not in k and "c3" not in k}
    edges[("c1", "MEMBER_OF", "h1")] = {"since": 2010, "until": 2020}
    edges[("c1", "MEMBER_OF", "h2")] = {"since": 2015}
    edges[("c4", "PARTNERS_WITH", "c1")] = {"weight": 2.0}
    edges[("c1", "OFFERS", "k1")] = {"level": "expert"}
    return nodes, edges


def test_merge_is_exact_and_undo_restores_exactly(store: Store) -> None:
    _seed(store)
    before, exact = _snapshot(store, stamps=False), _snapshot(store)
    result = merge(store, "c1", ["c2", "c3"], source="test merge")
    assert _snapshot(store, stamps=False) == _expected_after_merge(before)
    assert sorted(map(tuple, result["selfLoopsDropped"])) == [
        ("c2", "PARTNERS_WITH", "c1"), ("c3", "PARTNERS_WITH", "c2")]
    assert result["filled"] == ["city", "foundedYear", "website"]
    [record] = history(store.get_node("c1"))  # type: ignore[arg-type]
    assert record["drop"] == ["c2", "c3"] and record["by"] == "test merge"
    assert store.get_node("c1").props["source"] == "test merge"  # type: ignore[union-attr]

    undo(store, "c1")
    assert _snapshot(store) == exact  # stamps included: as if the merge never happened


def test_undo_takes_the_last_merge_first(store: Store) -> None:
    _seed(store)
    exact = _snapshot(store)
    merge(store, "c1", ["c2"])
    middle = _snapshot(store)
    merge(store, "c1", ["c3"])
    assert len(history(store.get_node("c1"))) == 2  # type: ignore[arg-type]
    undo(store, "c1")
    assert _snapshot(store) == middle
    undo(store, "c1")
    assert _snapshot(store) == exact
    with pytest.raises(ValidationError, match="merges to undo"):
        undo(store, "c1")


@pytest.mark.parametrize("keep, drops, expected", [
    ("c1", ["h1"], "a node with the label of c1 (Company)"),
    ("c1", ["nope"], "the id of an existing node"),
    ("c1", ["c1"], "ids other than the kept one"),
    ("c1", [], "at least one id"),
])
def test_refused_merges_change_nothing(store: Store, keep: str, drops: list[str],
                                       expected: str) -> None:
    _seed(store)
    exact = _snapshot(store)
    with pytest.raises(ValidationError) as e:
        merge(store, keep, drops)
    assert any(expected in p.expected for p in e.value.problems), e.value.problems
    assert _snapshot(store) == exact


def test_a_merge_the_schema_refuses_is_not_written_at_all(store: Store) -> None:
    """c5 sits in a Slovak region: moved to the Austrian c1 that relationship breaks the rule
    that an actor's region is in its country, so the whole merge is refused."""
    _seed(store)
    store.upsert_nodes([company("c5", "Foo", "SK")], source="fixture")
    store.upsert_edges([edge("c5", "LOCATED_IN", "SK04"), edge("c5", "MEMBER_OF", "h2")],
                       source="fixture")
    exact = _snapshot(store)
    with pytest.raises(ValidationError):
        merge(store, "c1", ["c2", "c5"])
    assert _snapshot(store) == exact


def test_dry_run_writes_nothing(store: Store) -> None:
    _seed(store)
    exact = _snapshot(store)
    result = merge(store, "c1", ["c2"], dry_run=True)
    assert result["written"] is False
    assert result["moved"] == [["c1", "MEMBER_OF", "h2"], ["c3", "PARTNERS_WITH", "c1"]]
    assert _snapshot(store) == exact


# -- the command --------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> Path:
    from coco_atlas.graph.embedded.store import EmbeddedStore

    path = tmp_path / "merge.db"
    with EmbeddedStore(path) as s:
        _seed(s)
    return path


def _coco(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _open(db: Path) -> Store:
    from coco_atlas.graph.embedded.store import EmbeddedStore

    return EmbeddedStore(db)


def test_cli_merge_dry_run_merge_and_undo(db: Path) -> None:
    with _open(db) as s:
        exact = _snapshot(s)
    dry = _coco("merge", "c1", "c2", "c3", "--dry-run", "--db", str(db))
    assert dry.exit_code == 0 and "dry run, nothing written" in dry.stderr
    with _open(db) as s:
        assert _snapshot(s) == exact
    done = _coco("merge", "c1", "c2", "c3", "--json", "--db", str(db))
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["drop"] == ["c2", "c3"]
    with _open(db) as s:
        assert s.get_node("c2") is None and s.get_edge("c1", "MEMBER_OF", "h2") is not None
    back = _coco("merge", "--undo", "c1", "--db", str(db))
    assert back.exit_code == 0 and "restored c2, c3" in back.stderr
    with _open(db) as s:
        assert _snapshot(s) == exact


def test_cli_merge_names_both_labels_and_writes_nothing(db: Path) -> None:
    from coco_atlas.api.cli import main

    with _open(db) as s:
        exact = _snapshot(s)
    assert main(["merge", "c1", "h1", "--db", str(db)]) == 2
    with _open(db) as s:
        assert _snapshot(s) == exact


def test_cli_merge_usage_errors(db: Path) -> None:
    assert "at least one DROP" in _coco("merge", "c1", "--db", str(db)).output
    assert "--undo takes only KEEP" in _coco("merge", "--undo", "c1", "c2", "--db",
                                             str(db)).output


# -- GraphQL ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from coco_atlas.graph.embedded.store import EmbeddedStore

    db = tmp_path_factory.mktemp("merge-gql") / "g.db"
    with EmbeddedStore(db) as s:
        _seed(s)
    with running_server(db, env={"COCO_API_TOKENS": f"tester:{TOKEN}"}) as base:
        yield base


MERGE = """mutation($keep: ID!, $drop: [ID!]!) { mergeNodes(keep: $keep, drop: $drop) {
  keep { id name } dropped filled moved combined selfLoopsDropped } }"""


def test_graphql_merge_needs_a_token(url: str) -> None:
    reply = gql(url, MERGE, {"keep": "c1", "drop": ["c2"]})
    assert reply["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_graphql_merge_refusals_are_coded(url: str) -> None:
    reply = gql(url, MERGE, {"keep": "c1", "drop": ["h1"]}, token=TOKEN)
    [error] = reply["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "drop" and "(Company)" in error["extensions"][
        "expected"] and "Hub" in error["extensions"]["got"]
    mixed = gql(url, """mutation { a: mergeNodes(keep: "c1", drop: ["c2"]) { moved }
        deleteNodes(ids: ["c4"]) }""", token=TOKEN)
    assert any(e["extensions"].get("field") == "mergeNodes" for e in mixed["errors"])
    forged = gql(url, """mutation { updateNodes(nodes: [{ id: "c1",
        properties: { mergedFrom: ["{}"] } }]) { id } }""", token=TOKEN)
    assert forged["errors"][0]["extensions"]["field"] == "properties.mergedFrom"
    still = gql(url, '{ node(id: "c2") { id } c4: node(id: "c4") { id } }')["data"]
    assert still["node"] == {"id": "c2"} and still["c4"] == {"id": "c4"}


def test_graphql_merge_keeps_its_record_in_the_graph(url: str) -> None:
    reply = gql(url, MERGE, {"keep": "c1", "drop": ["c2", "c3"]}, token=TOKEN)
    assert "errors" not in reply, reply
    got = reply["data"]["mergeNodes"]
    assert got == {"keep": {"id": "c1", "name": "Foo GmbH"}, "dropped": ["c2", "c3"],
                   "filled": ["city", "foundedYear", "website"], "moved": 2, "combined": 2,
                   "selfLoopsDropped": 2}
    after = gql(url, '{ node(id: "c1") { ... on Company { city mergedFrom } } '
                     'gone: node(id: "c2") { id } }')["data"]
    assert after["gone"] is None and after["node"]["city"] == "Wien"
    assert json.loads(after["node"]["mergedFrom"][0])["merge"] == 1


def test_a_long_record_is_kept_in_pieces_and_still_undone_exactly(store: Store) -> None:
    """Every text of the schema is bounded: a record longer than one piece is cut into several
    (here a dropped node whose description is quotes, which JSON doubles)."""
    _seed(store)
    store.upsert_nodes([company("c2", "FOO", description='"' * 19_000)], source="fixture")
    exact = _snapshot(store)
    merge(store, "c1", ["c2", "c3"])
    pieces = store.get_node("c1").props[RECORD]  # type: ignore[union-attr]
    assert len(pieces) > 2 and all(len(p) <= 20_000 for p in pieces)
    assert store.get_node("c1").props["description"] == '"' * 19_000  # type: ignore[union-attr]
    undo(store, "c1")
    assert _snapshot(store) == exact


def test_undo_refuses_when_a_dropped_id_is_in_use_again(store: Store) -> None:
    _seed(store)
    merge(store, "c1", ["c2"])
    store.upsert_nodes([company("c2", "Someone else")], source="fixture")
    after = _snapshot(store)
    with pytest.raises(ValidationError, match="not in use again"):
        undo(store, "c1")
    assert _snapshot(store) == after
