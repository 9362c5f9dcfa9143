"""Bulk writes to Neo4j commit batch by batch and stay invisible until published (issue 17):
readers never see half an import, a failed or killed import leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.neo4j.store import Neo4jStore
from coco_atlas.graph.query import SortKey
from coco_atlas.graph.store import StoreUnavailable, Transaction
from coco_atlas.schema import ValidationError
from tests.conftest import company, edge, hub
from tests.conftest import neo4j_value as _raw
from tests.server import ROOT

pytestmark = pytest.mark.slow  # a real Neo4j and a killed subprocess


@pytest.fixture
def neo4j(neo4j_wiped: str) -> str:
    return neo4j_wiped


def _state(store: Neo4jStore) -> tuple[object, ...]:
    nodes = sorted((n.id, n.label, sorted(n.props.items())) for n in store.iter_nodes())
    edges = sorted((e.key, sorted(e.props.items())) for e in store.iter_edges())
    return nodes, edges, store.counts()


def _seed(store: Neo4jStore) -> None:
    store.upsert_nodes([hub("h", "Hub"), company("c1", "Alpha"), company("c2", "Beta")],
                       source="before")
    store.upsert_edges([edge("c1", "MEMBER_OF", "h", since=2015)], source="before")


class Watcher:
    """Reads counts and one node's name again and again on a thread, recording what it saw."""

    def __init__(self, uri: str):
        self.store = Neo4jStore(uri)
        self.seen: dict[str, set[object]] = {"nodes": set(), "edges": set(), "companies": set(),
                                             "hub": set()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            counts = self.store.counts()
            h = self.store.get_node("h")
            total = self.store.count("Company")
            for key, value in (("nodes", sum(counts["labels"].values())),
                               ("edges", sum(counts["relationships"].values())),
                               ("companies", total), ("hub", h.props["name"] if h else None)):
                self.seen[key].add(value)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)
        self.store.close()


def test_a_failed_batch_leaves_the_store_as_it_was(neo4j: str) -> None:
    with Neo4jStore(neo4j) as store:
        _seed(store)
        before, version = _state(store), store.version
        with pytest.raises(ValidationError), store.bulk("doomed") as writer:
            writer.write(Transaction("doomed", [company(f"n{i}", "N") for i in range(300)],
                                     [edge("n1", "PARTNERS_WITH", "c1"),
                                      edge("c2", "PARTNERS_WITH", "c1")]))
            writer.write(Transaction("doomed", [hub("h", "Renamed hub")]))  # an older record
            # committed and staged so far, not visible:
            assert _raw(neo4j, "MATCH (n:CocoStaged) RETURN count(n)") == 300
            assert store.count("Company") == 2 and store.get_node("n1") is None
            assert store.get_node("h").props["name"] == "Hub"  # type: ignore[union-attr]
            assert store.neighbours(["c1"], direction="in")["c1"] == []
            page = store.find("Company", None, [SortKey("foundedYear")], first=10)
            assert [n.id for n in page.items] == ["c1", "c2"] and page.total_count == 2
            writer.write(Transaction("doomed", [company("bad", "X", foundedYear="soon")]))
        assert _state(store) == before and store.version == version
        assert _raw(neo4j, "MATCH (n) WHERE n:CocoStaged OR n:CocoStage RETURN count(n)") == 0
        assert _raw(neo4j, "MATCH ()-[r]->() RETURN count(r)") == 1


def test_an_import_appears_whole_at_its_publishing(neo4j: str) -> None:
    """Updates and deletions of older records wait for the publishing too; the markers are
    gone afterwards."""
    with Neo4jStore(neo4j) as store:
        _seed(store)
        with Watcher(neo4j) as watch:
            time.sleep(0.3)
            with store.bulk("import") as writer:
                for k in range(5):
                    writer.write(Transaction("import", [company(f"n{k}-{i}", "N")
                                                        for i in range(400)]))
                    time.sleep(0.2)  # give the watcher time to look between batches
                writer.write(Transaction("import", [hub("h", "Renamed hub")],
                                         [edge("n0-1", "MEMBER_OF", "h"),
                                          edge("c1", "MEMBER_OF", "h", until=2020)],
                                         delete_nodes=["c2"]))
                time.sleep(0.3)
            time.sleep(0.3)
        # each reading (one statement) gives the before or the after figure, never between
        assert watch.seen == {"nodes": {3, 2002}, "edges": {1, 2}, "companies": {2, 2001},
                              "hub": {"Hub", "Renamed hub"}}
        assert store.get_edge("c1", "MEMBER_OF", "h").props == {  # type: ignore[union-attr]
            "since": 2015, "until": 2020, "source": "import",
            "updatedAt": store.get_edge("c1", "MEMBER_OF", "h").props["updatedAt"]}  # type: ignore[union-attr]
        assert store.get_node("c2") is None
    assert _raw(neo4j, "MATCH (n) WHERE n:CocoStaged OR n:CocoStage OR n._stage IS NOT NULL "
                       "RETURN count(n)") == 0
    assert _raw(neo4j, "MATCH ()-[r]->() RETURN count(r)") == 2
    assert _raw(neo4j, "MATCH (m:CocoMeta) RETURN size(m.published)") == 0


@contextmanager
def importing(uri: str) -> Iterator[subprocess.Popen[bytes]]:
    """``coco demo-data --size medium`` into the Neo4j, in a subprocess the test may kill."""
    proc = subprocess.Popen([sys.executable, "-m", "coco_atlas.api.cli", "demo-data",
                             "--size", "medium", "--seed", "3", "--neo4j", uri], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_killed_import_is_seen_by_no_reader_and_cleaned_by_the_next_run(neo4j: str) -> None:
    with Neo4jStore(neo4j) as store:
        _seed(store)
        before = _state(store)
    with Watcher(neo4j) as watch, importing(neo4j) as proc:
        deadline = time.monotonic() + 300
        while _raw(neo4j, "MATCH (n:CocoStaged) RETURN count(n)") < 20_000:
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.5)
    assert watch.seen == {"nodes": {3}, "edges": {1}, "companies": {2}, "hub": {"Hub"}}
    assert _raw(neo4j, "MATCH (n:CocoStaged) RETURN count(n)") >= 20_000  # left behind
    assert main(["stats", "--neo4j", neo4j]) == 0  # any later coco run tidies up
    assert _raw(neo4j, "MATCH (n) WHERE n:CocoStaged OR n:CocoStage RETURN count(n)") == 0
    assert _raw(neo4j, "MATCH ()-[r]->() RETURN count(r)") == 1
    assert _raw(neo4j, "MATCH (n) RETURN count(n)") == 3 + 1  # the records and the meta node
    with Neo4jStore(neo4j) as store:
        assert _state(store) == before


def test_a_live_import_is_left_alone_by_other_runs(neo4j: str) -> None:
    """Tidying up must not take a running import for a dead one (its lease is open)."""
    with Neo4jStore(neo4j) as store, store.bulk("slow") as writer:
        writer.write(Transaction("slow", [company("n1", "N")]))
        with Neo4jStore(neo4j) as other:  # opening a store tidies up
            assert other.get_node("n1") is None
        writer.write(Transaction("slow", [company("n2", "N")], [edge("n2", "PARTNERS_WITH",
                                                                     "n1")]))
    with Neo4jStore(neo4j) as store:
        assert store.count("Company") == 2 and store.get_edge("n2", "PARTNERS_WITH", "n1")


def test_a_write_on_an_id_being_imported_is_told_to_wait(neo4j: str) -> None:
    with Neo4jStore(neo4j) as store, store.bulk("import") as writer:
        writer.write(Transaction("import", [company("n1", "N")]))
        with pytest.raises(StoreUnavailable, match="another write in progress"):
            store.upsert_nodes([company("n1", "Mine")], source="api")


def test_an_empty_bulk_leaves_no_open_import(neo4j: str) -> None:
    with Neo4jStore(neo4j) as store:
        with store.bulk("nothing"):
            pass
        assert _raw(neo4j, "MATCH (s:CocoStage) RETURN count(s)") == 0
