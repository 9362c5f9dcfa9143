"""Staged imports send their statements on several sessions and do not wait for them between
batches (graph/neo4j/fanout.py, issue 17): what the next batch asks about is still seen, a
failure on any sender fails the whole import, and no imported value reaches a debug log."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import ClientError

from coco_atlas.graph.neo4j.fanout import Fanout
from coco_atlas.graph.neo4j.store import Neo4jStore
from coco_atlas.graph.store import Transaction
from tests.conftest import company, edge, hub
from tests.conftest import neo4j_value as _raw

pytestmark = pytest.mark.slow  # a real Neo4j


@pytest.fixture
def neo4j_db(neo4j_wiped: str) -> str:
    return neo4j_wiped


def test_a_relationship_written_again_in_the_next_batch_is_updated_not_doubled(
        neo4j_db: str) -> None:
    """The first batch's relationship to an older node may still be on its way when the next
    batch is planned; the planner's question about it must wait for it, or the relationship
    would be created twice."""
    with Neo4jStore(neo4j_db) as store:
        store.upsert_nodes([hub("h", "Hub")], source="before")
        with store.bulk("import") as writer:
            writer.write(Transaction("import", [company(f"n{i}", "N") for i in range(2000)],
                                     [edge(f"n{i}", "MEMBER_OF", "h", since=2015)
                                      for i in range(2000)]))
            writer.write(Transaction("import", [], [edge("n7", "MEMBER_OF", "h", until=2020)]))
        assert _raw(neo4j_db, "MATCH (:Company {id: 'n7'})-[r:MEMBER_OF]->() "
                              "RETURN count(r)") == 1
        props = store.get_edge("n7", "MEMBER_OF", "h").props  # type: ignore[union-attr]
        assert (props["since"], props["until"]) == (2015, 2020)
        assert _raw(neo4j_db, "MATCH ()-[r:MEMBER_OF]->() RETURN count(r)") == 2000


def test_a_failing_statement_fails_the_fanout_and_nothing_waits_forever(neo4j_db: str) -> None:
    with GraphDatabase.driver(neo4j_db, auth=None) as driver:
        @contextmanager
        def session() -> Any:
            with driver.session() as s:
                yield s

        out = Fanout(session, 2)
        good = out.send(0, "CREATE (:Probe {k: $k}) RETURN 1", {"k": 0})
        bad = out.send(1, "RETURN 1 / $zero", {"zero": 0})
        with pytest.raises(ClientError, match="/ by zero"):
            for k in range(2, 50):  # raised by a later send, or else by close
                out.send(k % 2, "CREATE (:Probe {k: $k})", {"k": k})
            out.close()
        assert good.result() == [[1]]
        assert isinstance(bad.exception(), ClientError)
    # what the failing sender was still given was dropped, not run; the other's first ran
    assert _raw(neo4j_db, "MATCH (p:Probe) WHERE p.k % 2 = 1 RETURN count(p)") == 0
    assert _raw(neo4j_db, "MATCH (p:Probe {k: 0}) RETURN count(p)") == 1


def test_the_driver_debug_log_shows_no_imported_value(neo4j_db: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """The driver logs each statement's parameters at DEBUG level, built before the level is
    checked; the rows carry a short repr instead (fanout.Rows)."""
    with Neo4jStore(neo4j_db) as store, caplog.at_level(logging.DEBUG, logger="neo4j"):
        with store.bulk("import") as writer:
            writer.write(Transaction("import", [company("c1", "Zyxwvut Works"),
                                                company("c2", "Other")],
                                     [edge("c1", "PARTNERS_WITH", "c2")]))
        assert store.get_node("c1").props["name"] == "Zyxwvut Works"  # type: ignore[union-attr]
    assert "RUN" in caplog.text and "<2 rows>" in caplog.text and "<1 rows>" in caplog.text
    assert "Zyxwvut" not in caplog.text


def test_a_retried_deadlock_is_no_warning_for_the_user(caplog: pytest.LogCaptureFixture) -> None:
    """The driver warns when it retries a deadlocked transaction; between an import's own
    statements that is routine, so it is told at INFO by the fanout instead."""
    import coco_atlas.graph.neo4j.fanout  # noqa: F401 (installs the filter)

    driver_log = logging.getLogger("neo4j.session")
    with caplog.at_level(logging.INFO):
        driver_log.warning("Transaction failed and will be retried in %ss (%s)", 0.2,
                           "{neo4j_code: Neo.TransientError.Transaction.DeadlockDetected}")
        driver_log.warning("Transaction failed and will be retried in %ss (%s)", 0.2,
                           "{neo4j_code: Neo.TransientError.General.MemoryPoolOutOfMemoryError}")
    levels = [(r.name, r.levelname) for r in caplog.records]
    assert levels == [("coco_atlas.graph.neo4j.fanout", "INFO"), ("neo4j.session", "WARNING")]
