"""The Neo4j store beyond the shared contract: CLI, migration, and failures of a real server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.cli import main
from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import StoreUnavailable, Transaction
from schema import ValidationError
from tests.conftest import company, hub, wipe_neo4j
from tests.server import free_port, running_server


@pytest.fixture
def neo4j(neo4j_uri: str) -> str:
    wipe_neo4j(neo4j_uri)
    return neo4j_uri


@pytest.fixture
def own_server(neo4j_uri: str, tmp_path: Path) -> Iterator[object]:
    """A Neo4j of this test's own, which the test may stop (needs the shared one to exist)."""
    from graph.neo4j_server.launcher import Neo4jServer

    server = Neo4jServer(data_dir=tmp_path / "neo4j-data")
    server.start()
    yield server
    server.stop(keep_data=True)


def _snapshot(store: object) -> tuple[object, ...]:
    nodes = sorted((n.id, n.label, sorted(n.props.items())) for n in store.iter_nodes())  # type: ignore[attr-defined]
    edges = sorted((e.key, sorted(e.props.items())) for e in store.iter_edges())  # type: ignore[attr-defined]
    return nodes, edges


def test_demo_and_stats_on_neo4j_match_the_embedded_store(
        neo4j: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo-data", "--db", str(db), "--seed", "5"]) == 0
    assert main(["demo-data", "--neo4j", neo4j, "--seed", "5"]) == 0
    capsys.readouterr()
    assert main(["stats", "--json", "--db", str(db)]) == 0
    embedded = json.loads(capsys.readouterr().out)
    assert main(["stats", "--json", "--neo4j", neo4j]) == 0
    on_neo4j = json.loads(capsys.readouterr().out)
    assert embedded["labels"] == on_neo4j["labels"]
    assert embedded["relationships"] == on_neo4j["relationships"]


def test_migrate_there_and_back_keeps_every_record_and_its_provenance(
        neo4j: str, tmp_path: Path) -> None:
    first, back = tmp_path / "first.db", tmp_path / "back.db"
    assert main(["demo-data", "--db", str(first)]) == 0
    assert main(["migrate", str(first), neo4j]) == 0
    assert main(["migrate", neo4j, str(back)]) == 0
    with EmbeddedStore(first) as a, EmbeddedStore(back) as b:
        assert _snapshot(a) == _snapshot(b)
        assert a.counts() == b.counts()


def test_unreachable_neo4j_is_one_line_and_quick(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    assert main(["stats", "--neo4j", f"bolt://127.0.0.1:{free_port()}"]) == 1
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: Neo4j at bolt://127.0.0.1:") and "unreachable" in err
    assert len(err.splitlines()) == 1


def test_http_answers_503_when_neo4j_stops(own_server: object, tmp_path: Path) -> None:
    uri = own_server.uri  # type: ignore[attr-defined]
    assert main(["demo-data", "--neo4j", uri]) == 0
    with running_server(tmp_path / "unused.db", "--neo4j", uri) as base:
        assert httpx.get(base + "/-/stats.json", timeout=30).status_code == 200
        own_server.stop(keep_data=True)  # type: ignore[attr-defined]
        started = time.monotonic()
        r = httpx.get(base + "/-/stats.json", timeout=60)
        assert r.status_code == 503
        assert r.json()["error"] == "store unavailable" and "Traceback" not in r.text
        assert time.monotonic() - started < 30


def test_server_stopped_mid_bulk_leaves_no_partial_data(own_server: object) -> None:
    from graph.neo4j_server.launcher import Neo4jServer

    uri = own_server.uri  # type: ignore[attr-defined]
    with Neo4jStore(uri) as store:
        store.upsert_nodes([hub("h", "Hub")], source="setup")
        with pytest.raises(StoreUnavailable), store.bulk("doomed") as writer:
            writer.write(Transaction("doomed", [company(f"c{i}", "C") for i in range(500)]))
            own_server.stop(keep_data=True)  # type: ignore[attr-defined]
            writer.write(Transaction("doomed", [company(f"d{i}", "D") for i in range(500)]))
    restarted = Neo4jServer(data_dir=own_server.data_dir)  # type: ignore[attr-defined]
    restarted.start()
    try:
        with Neo4jStore(restarted.uri) as store:
            assert store.counts()["labels"]["Company"] == 0
            assert store.counts()["labels"]["Hub"] == 1
    finally:
        restarted.stop(keep_data=True)


def test_invalid_later_batch_rolls_back_earlier_ones(neo4j: str) -> None:
    with Neo4jStore(neo4j) as store:
        version = store.version
        with pytest.raises(ValidationError), store.bulk("bad") as writer:
            writer.write(Transaction("bad", [hub("h1", "Hub 1")]))
            writer.write(Transaction("bad", [company("c1", "C", country="Austria")]))
        assert store.get_node("h1") is None and store.version == version
