"""Staged bulk writes on Neo4j: many small committed transactions that readers see all at once.

A bulk write (an import, ``coco migrate``, the demo) used to be one Neo4j transaction, whose
memory grows with the import (3.9M records needed more than 8.4 GiB of heap). Here each batch
commits on its own, so the server holds one batch at a time, and the import stays invisible
until one small statement publishes it:

1. **Lease.** The importing client opens a transaction that it never commits, tagged with the
   stage id in its metadata (``SHOW TRANSACTIONS`` lists it). The server ends it when the
   client's connection goes (a killed client, a lost host), which is how any later run tells a
   live import from a dead one without clocks.
2. **Stage.** A ``CocoStage`` node records the import; every node it creates carries the label
   ``CocoStaged`` and ``_stage = <id>``. Relationships need no marker: one at a staged node is
   hidden with it, and one between two older nodes waits for the publishing (3.).
   Readers (:data:`graph.neo4j.cypher.PUB`) skip nodes whose ``_stage`` is set and not in the
   meta node's ``published`` list, and relationships at such nodes.
3. **Publish.** One transaction marks the stage published, applies what the import changes in
   records that were already there (kept aside until then, see the store's bulk writer), adds
   the stage id to ``published`` and bumps the version. From its commit on, readers see all.
4. **Finalise.** The nodes' markers are removed in server-side batches (``CALL … IN TRANSACTIONS``)
   and the id leaves ``published``; readers see the same data throughout.

A failed batch or a failed publish discards the stage: its records are deleted in batches.
When the client dies instead, :func:`cleanup` (run whenever a store is opened) finds stages
whose lease is gone and discards them, or finalises them if they were already published.
``SHOW TRANSACTIONS`` lists every user's transactions to an admin, only one's own to others:
every coco process should therefore use the same Neo4j user (docs/deploy.md), or an admin one.
"""

from __future__ import annotations

import logging
import uuid

import neo4j

log = logging.getLogger(__name__)

STAGED = "CocoStaged"  # label of the nodes an unfinished import created
CHUNK = 10_000  # rows per server-side transaction when finalising or discarding


def new_id() -> str:
    return uuid.uuid4().hex


def schema_statements() -> list[str]:
    """Indexes that find an import's records by its id (idempotent)."""
    out = [f"CREATE INDEX coco_staged_nodes IF NOT EXISTS FOR (n:{STAGED}) ON (n._stage)",
           "CREATE CONSTRAINT coco_stage_id IF NOT EXISTS FOR (s:CocoStage) REQUIRE s.id IS UNIQUE",
           "CREATE CONSTRAINT coco_meta_key IF NOT EXISTS FOR (m:CocoMeta) REQUIRE m.key IS UNIQUE"]
    return out


def lease(session: neo4j.Session, stage: str) -> neo4j.Transaction:
    """The import's lease: an open transaction the server ends when the client goes."""
    tx = session.begin_transaction(metadata={"coco_stage": stage})
    tx.run("RETURN 1").consume()
    return tx


def register(session: neo4j.Session, stage: str, source: str) -> None:
    session.run("CREATE (s:CocoStage {id: $id, source: $source, state: 'writing', "
                "started: datetime()})", id=stage, source=source).consume()


def publish_mark(tx: neo4j.Transaction, stage: str) -> bool:
    """Mark the stage published in ``tx``; False when it is gone (discarded by a cleanup that
    took this import for dead)."""
    rec = tx.run("MATCH (s:CocoStage {id: $id, state: 'writing'}) SET s.state = 'published' "
                 "RETURN s.id", id=stage).single()
    return rec is not None


def publish_meta(tx: neo4j.Transaction, stage: str) -> int:
    """Add the stage to the published list and bump the version, in the publishing ``tx``."""
    rec = tx.run("MATCH (m:CocoMeta {key: 'meta'}) SET m.version = m.version + 1, "
                 "m.published = coalesce(m.published, []) + $id RETURN m.version AS v",
                 id=stage).single()
    return int(rec["v"]) if rec else 0


def finalise(session: neo4j.Session, stage: str) -> None:
    """Remove a published stage's markers in batches, then forget the stage."""
    session.run(f"MATCH (n:{STAGED} {{_stage: $id}}) CALL (n) {{ REMOVE n:{STAGED}, n._stage }} "
                f"IN TRANSACTIONS OF {CHUNK} ROWS", id=stage).consume()
    session.run("MATCH (m:CocoMeta {key: 'meta'}) "
                "SET m.published = [x IN coalesce(m.published, []) WHERE x <> $id] "
                "WITH m MATCH (s:CocoStage {id: $id}) DELETE s", id=stage).consume()


def discard(session: neo4j.Session, stage: str) -> None:
    """Delete everything an unpublished stage wrote, in batches, then the stage itself."""
    # from now on the stage cannot be published (publish_mark wants 'writing')
    session.run("MATCH (s:CocoStage {id: $id}) WHERE s.state <> 'published' "
                "SET s.state = 'discarding'", id=stage).consume()
    session.run(f"MATCH (n:{STAGED} {{_stage: $id}}) CALL (n) {{ DETACH DELETE n }} "
                f"IN TRANSACTIONS OF {CHUNK} ROWS", id=stage).consume()
    session.run("MATCH (s:CocoStage {id: $id}) DELETE s", id=stage).consume()


def cleanup(session: neo4j.Session) -> list[str]:
    """Discard (or finalise, if published) every stage whose client is gone; the ids done."""
    live = session.run("SHOW TRANSACTIONS YIELD metaData "
                       "RETURN collect(metaData.coco_stage) AS ids").single()
    alive = set(live["ids"]) if live else set()
    dead = [(r["id"], r["state"]) for r in session.run(
        "MATCH (s:CocoStage) RETURN s.id AS id, s.state AS state") if r["id"] not in alive]
    for stage, state in dead:
        if state == "published":
            log.info("finalising import %s, published by a client that is gone", stage)
            finalise(session, stage)
        else:
            log.warning("discarding the unfinished import %s left by a client that is gone",
                        stage)
            discard(session, stage)
    return [stage for stage, _ in dead]


def settle(session: neo4j.Session, stage: str) -> None:
    """Finalise the stage if its publishing committed, else discard it."""
    rec = session.run("MATCH (s:CocoStage {id: $id}) RETURN s.state AS state", id=stage).single()
    if rec is None:
        return
    (finalise if rec["state"] == "published" else discard)(session, stage)
