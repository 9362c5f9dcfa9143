"""The event loop never waits: a write stuck behind another process's lock stalls nothing else,
and SIGTERM ends the server within its shutdown budget whatever its workers are doing.

Issue 11 found that a mutation waiting for SQLite's write lock blocked the event loop for about
10 s (every request waited), then answered a masked internal error.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.conftest import hub
from tests.server import ROOT, free_port, running_server

pytestmark = pytest.mark.slow  # a browser, a server, Neo4j or a fuzzer: run with -m slow

TOKEN = "stall-secret-0123456789"
CREATE = ('mutation { createNodes(nodes: [{ id: "h-new-%d", label: Hub, properties: '
          '{ name: "New Hub", kind: "cluster", country: "AT" } }]) { id } }')


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with EmbeddedStore(path) as s:
        s.upsert_nodes([hub("h-1", "First Hub")], source="seed")
    return path


@pytest.fixture
def locked(db: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction on the file, until the test ends."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    yield con
    if con.in_transaction:
        con.execute("ROLLBACK")
    con.close()


def _write_in_background(http: httpx.Client, i: int = 0
                         ) -> tuple[threading.Thread, list[httpx.Response | Exception]]:
    answers: list[httpx.Response | Exception] = []

    def write() -> None:
        try:
            answers.append(http.post("/graphql", json={"query": CREATE % i},
                                     headers={"Authorization": f"Bearer {TOKEN}"}))
        except httpx.HTTPError as e:  # the server went away (the SIGTERM test)
            answers.append(e)

    thread = threading.Thread(target=write)
    thread.start()
    return thread, answers


def test_reads_and_pages_answer_while_a_write_waits_for_the_lock(
        db: Path, locked: sqlite3.Connection) -> None:
    env = {"COCO_API_TOKENS": f"w:{TOKEN}", "COCO_WRITE_WAIT": "8",
           "COCO_GRAPHQL_TIMEOUT": "4"}
    limits = httpx.Limits(max_connections=20)
    with running_server(db, env=env) as base, \
            httpx.Client(base_url=base, timeout=30, limits=limits) as http:
        # more waiting writes than the server has threads, for reads or for writes
        waiting = [_write_in_background(http, i) for i in range(12)]
        time.sleep(0.5)  # the writes are now waiting for the lock
        for ask in (lambda: http.get("/healthz"), lambda: http.get("/docs"),
                    lambda: http.get("/-/stats.json"),
                    lambda: http.post("/graphql", json={"query": '{ node(id: "h-1") { id } }'})):
            started = time.monotonic()
            reply = ask()
            assert reply.status_code == 200, reply.text
            assert time.monotonic() - started < 2, "a read waited for the stuck write"
        # still waiting: no budget (8 s for the lock, 4 s for a query) has run out yet
        assert all(writer.is_alive() for writer, _ in waiting)
        locked.execute("ROLLBACK")  # the other process is done: the writes go through
        for i, (writer, answers) in enumerate(waiting):
            writer.join(timeout=30)
            answer = answers[0]
            assert isinstance(answer, httpx.Response) and answer.status_code == 200
            assert answer.json() == {"data": {"createNodes": [{"id": f"h-new-{i}"}]}}


def test_sigterm_ends_the_server_even_with_a_request_stuck(
        db: Path, locked: sqlite3.Connection) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coco_atlas.api.cli", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT, env={**os.environ, "COCO_API_TOKENS": f"w:{TOKEN}", "COCO_WRITE_WAIT": "120"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=60) as http:
            writer, answers = _write_in_background(http)
            time.sleep(0.5)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)
            took = time.monotonic() - started
            writer.join(timeout=30)
        assert took < 20, f"SIGTERM took {took:.1f} s"
        assert isinstance(answers[0], httpx.HTTPError)  # cut off, never a false success
        assert "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    with sqlite3.connect(db) as con:  # nothing half-written
        assert [i for (i,) in con.execute("SELECT id FROM nodes")] == ["h-1"]
