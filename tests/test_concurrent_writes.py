"""Two processes writing one embedded store at once: nothing lost, nothing overwritten.

Reproduces issue 11's first finding: a GraphQL ``createNodes`` sent while ``coco import`` wrote
the same file from another process overwrote an imported node with the web node's properties,
never stored the web node, answered success, and left the server's index stale. The truth we
compare against is the SQLite file itself, read with plain ``sqlite3``.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import StoreBusy
from tests.conftest import edge, hub
from tests.server import ROOT, running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

TOKEN = "writer-secret-0123456789"
N_IMPORTED = 30_000


def _companies_csv(path: Path, n: int, prefix: str = "imp") -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "name", "country"])
        w.writerows([f"{prefix}-{i}", "Company", f"Imported {i}", "AT"] for i in range(n))
    return path


def _import(db: Path, nodes: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "coco_atlas.api.cli", "import", "csv", "--nodes", str(nodes),
         "--db", str(db), *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str]) -> None:
    """Wait for a command and fail with its error output unless it succeeded."""
    _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr


def _file_nodes(db: Path) -> dict[str, dict[str, object]]:
    """Every node in the file, read without COCO Atlas."""
    with sqlite3.connect(db) as con:
        return {i: json.loads(p) for i, p in con.execute("SELECT id, props FROM nodes")}


def _seed(db: Path) -> None:
    with EmbeddedStore(db) as s:
        s.upsert_nodes([hub("h-seed", "Seed Hub")], source="seed")


def _wait_until_writing(db: Path, proc: subprocess.Popen[str]) -> None:
    """Until the importer holds the write lock (its transaction is open)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        con = sqlite3.connect(db, timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return  # locked: the import is writing
        finally:
            con.close()
        time.sleep(0.02)
    raise AssertionError("the import never started writing")


def test_a_write_from_a_stale_process_waits_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    other = EmbeddedStore(db)  # opened before the import: its index knows 1 node
    try:
        proc = _import(db, _companies_csv(tmp_path / "n.csv", N_IMPORTED))
        _wait_until_writing(db, proc)
        other.upsert_nodes([hub("h-web", "Web Hub", "SK")], source="web")
        _finish(proc)
        in_file = _file_nodes(db)
        assert len(in_file) == N_IMPORTED + 2
        assert in_file["h-web"]["name"] == "Web Hub"
        assert in_file["imp-0"]["name"] == "Imported 0"
        assert in_file[f"imp-{N_IMPORTED - 1}"]["name"] == f"Imported {N_IMPORTED - 1}"
        # the stale process now sees what the other one wrote, and only that
        assert other.counts()["labels"]["Company"] == N_IMPORTED
        got = other.get_nodes(["imp-0", "h-web", "h-seed"])
        assert {k: v.props["name"] for k, v in got.items()} == {
            "imp-0": "Imported 0", "h-web": "Web Hub", "h-seed": "Seed Hub"}
    finally:
        other.close()


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_so(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process's long write
    try:
        with EmbeddedStore(db, write_wait=0.5) as s:
            with pytest.raises(StoreBusy) as e:
                s.upsert_nodes([hub("h-late", "Late Hub")], source="web")
            assert "another process is writing" in str(e.value)
            assert s.get_node("h-late") is None and s.counts()["labels"]["Hub"] == 1
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_second_import_waits_its_turn(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    first = _import(db, _companies_csv(tmp_path / "a.csv", N_IMPORTED, "a"))
    _wait_until_writing(db, first)
    second = _import(db, _companies_csv(tmp_path / "b.csv", 1000, "b"))
    _finish(first)
    _finish(second)
    ids = _file_nodes(db)
    assert sum(i.startswith("a-") for i in ids) == N_IMPORTED
    assert sum(i.startswith("b-") for i in ids) == 1000


def test_server_and_import_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    env = {"COCO_API_TOKENS": f"w:{TOKEN}", "COCO_WRITE_WAIT": "60"}
    with running_server(db, env=env) as base, httpx.Client(base_url=base, timeout=90) as http:
        proc = _import(db, _companies_csv(tmp_path / "n.csv", N_IMPORTED))
        _wait_until_writing(db, proc)
        answers: list[httpx.Response] = []

        def create(i: int) -> None:
            answers.append(http.post("/graphql", headers={"Authorization": f"Bearer {TOKEN}"},
                                     json={"query": "mutation($n: [NodeInput!]!) { "
                                                    "createNodes(nodes: $n) { id name } }",
                                           "variables": {"n": [{
                                               "id": f"web-{i}", "label": "Hub", "properties": {
                                                   "name": f"Web {i}", "kind": "cluster",
                                                   "country": "SK"}}]}}))

        writers = [threading.Thread(target=create, args=(i,)) for i in range(3)]
        for t in writers:
            t.start()
        # reads go on while the import and the waiting writes hold their locks
        started = time.monotonic()
        health = http.get("/healthz", timeout=5)
        assert health.status_code == 200 and time.monotonic() - started < 5
        for t in writers:
            t.join()
        _finish(proc)
        for a in answers:
            assert a.status_code == 200, a.text
            assert "errors" not in a.json(), a.text
        in_file = _file_nodes(db)
        for i in range(3):
            assert in_file[f"web-{i}"]["name"] == f"Web {i}"
        assert in_file["imp-0"]["name"] == "Imported 0"
        assert len(in_file) == N_IMPORTED + 4
        stats = http.get("/-/stats.json").json()
        assert stats["labels"]["Company"] == N_IMPORTED and stats["labels"]["Hub"] == 4
        got = http.post("/graphql", json={"query": '{ node(id: "imp-7") { name } }'}).json()
        assert got == {"data": {"node": {"name": "Imported 7"}}}


def test_a_busy_store_answers_store_busy_with_retry_after(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    env = {"COCO_API_TOKENS": f"w:{TOKEN}", "COCO_WRITE_WAIT": "0.5"}
    with running_server(db, env=env) as base, httpx.Client(base_url=base, timeout=30) as http:
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            reply = http.post("/graphql", headers={"Authorization": f"Bearer {TOKEN}"}, json={
                "query": 'mutation { createNodes(nodes: [{ id: "late", label: Hub, properties: '
                         '{ name: "Late", kind: "cluster", country: "AT" } }]) { id } }'})
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert reply.status_code == 503
        assert int(reply.headers["retry-after"]) >= 1
        error = reply.json()["errors"][0]
        assert error["extensions"]["code"] == "STORE_BUSY"
        assert "try again" in error["message"]
        assert http.post("/graphql", json={"query": '{ node(id: "late") { id } }'}).json() == {
            "data": {"node": None}}


def test_a_stale_process_streams_edges_that_another_process_wrote(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    stale = EmbeddedStore(db)
    try:
        with EmbeddedStore(db) as other:
            other.upsert_nodes([hub("h-2", "Second Hub"), hub("h-3", "Third Hub")], source="x")
            other.upsert_edges([edge("h-2", "PARTNERS_WITH", "h-3")], source="x")
        assert [(e.source, e.type, e.target) for e in stale.iter_edges()] == [
            ("h-2", "PARTNERS_WITH", "h-3")]
    finally:
        stale.close()
