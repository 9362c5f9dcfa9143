"""The Store contract on Neo4j over Bolt, with the official ``neo4j`` driver.

Layout in Neo4j: every node carries its schema label plus the shared label ``Entity``, on which a
uniqueness constraint keeps ``id`` unique across labels (the embedded store's rule); properties are
plain Neo4j properties, ``source`` and ``updatedAt`` included; relationship types are the schema's.
A single ``CocoMeta`` node holds the version number, bumped in every write transaction.

Writes go through the same planner as the embedded store (:mod:`graph.writeplan`), run inside the
write transaction so that it sees the batches written before it, then as ``UNWIND $rows … MERGE``
statements (Neo4j's documented batching pattern). Labels and relationship types are spliced into
the Cypher text only from the schema; values are always parameters.

A frozen server (SIGSTOP, a stalled VM) keeps its TCP connections open, its kernel even accepts
new ones, and nothing answers. What the driver (neo4j 6.x) bounds then: ``connection_timeout``
the TCP connect; ``connection_acquisition_timeout`` a new connection's Bolt handshake and HELLO;
``connection_write_timeout`` each send. Nothing bounds a read on an open connection but the
server's own hint ``connection.recv_timeout_seconds`` (Bolt 4.3+; 120 s from Neo4j 5), applied
with ``settimeout`` on the socket, and there is no setting for it on the client side.
``liveness_check_timeout`` only adds a round trip (itself unbounded) before reusing an idle
connection, ``max_connection_lifetime`` retires old ones, and a transaction ``timeout`` is
enforced by the server, which is the part that is frozen. Hence the watchdog here: every driver
call runs on a worker thread (a :class:`_Lane`) while the caller waits with a bound and checks the
server when a call is slow (:meth:`Neo4jStore._await` says what the timeout bounds). It uses the
driver's public API only; setting a read timeout on its sockets would mean reaching into the
pool's private connections, and would cut long statements the server is still working on.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from functools import partial
from itertools import compress
from typing import Any, TypeVar
from urllib.parse import urlsplit

import neo4j
import numpy as np
from neo4j import GraphDatabase, ManagedTransaction
from neo4j import Transaction as NeoTx
from neo4j.exceptions import (
    ConfigurationError,
    ConnectionPoolError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from coco_atlas.graph.neo4j import cypher
from coco_atlas.graph.query import Filter, Page, SortKey, check_find, decode_cursor, encode_cursor
from coco_atlas.graph.store import (
    Direction,
    Neighbour,
    Store,
    StoreUnavailable,
    Topology,
    Transaction,
    WriteResult,
)
from coco_atlas.graph.timeline import Period, restrict
from coco_atlas.graph.writeplan import WritePlan, plan_write
from coco_atlas.schema import SCHEMA, Edge, Node

STAMPS = ("source", "updatedAt")
BATCH = 20_000  # rows per UNWIND statement
TIMEOUT = 60.0  # seconds a read may run before the server cancels it (useless if it is frozen)
DEFAULT_TIMEOUT = 5.0  # seconds the server may leave a call unanswered before it is checked
IDLE_LANES = 8  # worker threads kept for the next calls
UNSAVED = "; nothing of this write was saved"
UNKNOWN = "; it stopped during the commit, so the write may or may not have been saved"

T = TypeVar("T")
log = logging.getLogger(__name__)


def _strip(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in STAMPS}


class _Lane:
    """A daemon thread that runs the jobs given to it one after the other.

    Driver calls run on lanes while their caller waits with a bound (:meth:`Neo4jStore._await`).
    One lane per session keeps the driver's objects on one thread at a time (they are not
    thread-safe). A call stuck on a frozen server holds only its lane, which ends once the
    abandoned driver is closed under it. The threads are daemons because a stuck one must not
    hold up the end of the process (a ``ThreadPoolExecutor``'s workers are joined at exit).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = \
            queue.SimpleQueue()
        self._last: Future[Any] | None = None
        threading.Thread(target=self._loop, name="coco-neo4j-lane", daemon=True).start()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        fut: Future[T] = Future()
        self._last = fut
        self._jobs.put((fn, fut))
        return fut

    @property
    def busy(self) -> bool:
        """Whether the last job is still running (on a hung server: it may never end)."""
        return self._last is not None and not self._last.done()

    def stop(self) -> None:
        """End the thread once the jobs already given are done."""
        self._jobs.put(None)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            fn, fut = job
            try:
                fut.set_result(fn())
            except BaseException as e:  # handed to the caller, never lost in the thread
                fut.set_exception(e)


class _Lanes:
    """Idle lanes kept for the next one-shot calls (a new thread costs about 50 µs)."""

    def __init__(self) -> None:
        self._idle: list[_Lane] = []
        self._lock = threading.Lock()

    def take(self) -> _Lane:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Lane()

    def give(self, lane: _Lane) -> None:
        """Keep a lane for later, or let it end (at once, or when its stuck call ends)."""
        if not lane.busy:
            with self._lock:
                if len(self._idle) < IDLE_LANES:
                    self._idle.append(lane)
                    return
        lane.stop()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for lane in idle:
            lane.stop()


class Neo4jStore(Store):
    """A Store on a Neo4j 5 server (``bolt://`` or ``neo4j://``, with or without auth).

    ``timeout`` bounds how long the server may leave a call unanswered (see :meth:`_await`):
    a frozen server costs a call at most about twice that, then :class:`StoreUnavailable`.
    """

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, *, timeout: float = DEFAULT_TIMEOUT):
        if not timeout > 0:
            raise ValueError(f"the Neo4j timeout must be a positive number of seconds, "
                             f"not {timeout!r}")
        self.uri = uri
        self.database = database
        self.timeout = float(timeout)
        self._auth = (user, password or "") if user else None
        self._where = f"Neo4j at {_redacted(uri)}"
        self._lanes = _Lanes()
        self._swap = threading.Lock()
        self._driver = self._new_driver()
        try:
            self._call(self._init_schema)
        except BaseException:
            self.close()
            raise

    def _new_driver(self) -> neo4j.Driver:
        """A driver whose new connections must be made within the timeout.

        ``connection_timeout`` bounds the TCP connect and ``connection_acquisition_timeout`` the
        Bolt handshake and HELLO too (a frozen server's kernel still accepts the TCP
        connection). The pool is never short of connections (one per calling thread), so the
        latter only ever waits for the server. ``max_transaction_retry_time=0``: a failure is
        reported, not retried behind the caller's back.
        """
        try:
            return GraphDatabase.driver(
                self.uri, auth=self._auth, connection_timeout=self.timeout,
                connection_acquisition_timeout=self.timeout, max_transaction_retry_time=0,
                notifications_min_severity="OFF")
        except ConfigurationError as e:  # its text may quote the URI, user info and all
            raise ValueError(f"{self._where}: "
                             f"{_first_line(e).replace(self.uri, _redacted(self.uri))}") from None

    # -- set-up ------------------------------------------------------------------------------
    def _init_schema(self, s: neo4j.Session) -> None:
        """Constraints and indexes derived from the schema (idempotent)."""
        statements = ["CREATE CONSTRAINT coco_entity_id IF NOT EXISTS "
                      "FOR (n:Entity) REQUIRE n.id IS UNIQUE"]
        for label in SCHEMA.label_names:
            for prop in SCHEMA.node_properties(label).values():
                if prop.indexed:
                    statements.append(f"CREATE INDEX coco_{label}_{prop.name} IF NOT EXISTS "
                                      f"FOR (n:{label}) ON (n.`{prop.name}`)")
        for statement in statements:
            s.run(statement).consume()
        s.run("MERGE (m:CocoMeta {key: 'meta'}) ON CREATE SET m.version = 0").consume()

    # -- calls with a bound ------------------------------------------------------------------
    def _call(self, fn: Callable[[neo4j.Session], T]) -> T:
        """``fn(session)`` on a lane, in a session of its own, waited for by :meth:`_await`."""
        driver, lane = self._driver, self._lanes.take()
        try:
            return self._await(lane.submit(partial(self._in_session, driver, fn)), driver)
        finally:
            self._lanes.give(lane)

    def _in_session(self, driver: neo4j.Driver, fn: Callable[[neo4j.Session], T]) -> T:
        with _translated(self._where), driver.session(database=self.database) as s:
            return fn(s)

    def _await(self, fut: Future[T], driver: neo4j.Driver, note: str = "") -> T:
        """The result of a driver call running on a lane, or :class:`StoreUnavailable` once the
        server is found frozen.

        What the timeout bounds is the server's silence, not the call's duration: a call still
        running after ``timeout`` seconds sets off a check, a new connection that must get
        through the Bolt handshake and HELLO within ``timeout`` (:meth:`_answers`). A server
        that is merely busy (a long import, a big commit) passes and the call waits on, checked
        again every ``timeout``; a frozen one fails, so a call gives up within about twice the
        timeout. The Bolt spec's ``connection.recv_timeout_seconds`` hint rests on the same
        idea (the server promises a chunk or NOOP at least once per period, so silence means a
        dead peer), but its period is the server's (120 s); this test is made from outside the
        connection, on the client's own clock. The caller's bound does not depend on the driver
        noticing anything: the lane may stay stuck, the caller does not.

        Giving up abandons the driver: a new one takes its place, so the pool holds no connection
        left in an unknown state, and the old one is closed on another thread, which ends the
        stuck call (its socket is shut) and lets the server roll back what it had begun.
        """
        while True:
            try:
                fut.exception(timeout=self.timeout)  # raises only when the wait times out
                break
            except TimeoutError:
                if self._answers():
                    continue
            self._abandon(driver)
            raise StoreUnavailable(f"{self._where} stopped answering: nothing for "
                                   f"{self.timeout:g} s, and a new connection got no reply "
                                   f"either (is the server frozen or overloaded?){note}")
        try:
            return fut.result()
        except StoreUnavailable as e:  # the call itself found the server gone: say what it
            if not note or note in str(e):  # means for the write, as the timeout path does
                raise
            raise StoreUnavailable(f"{e}{note}") from e
        except DriverError as e:  # "driver closed": another call abandoned it meanwhile
            if driver is self._driver:
                raise
            raise StoreUnavailable(f"{self._where} stopped answering{note}") from e

    def _answers(self) -> bool:
        """Whether the server completes a new connection within the timeout (the lane's wait is
        only a backstop should the driver's own deadline not fire)."""
        lane = self._lanes.take()
        fut = lane.submit(self._probe)
        try:
            return fut.result(timeout=self.timeout + 1.0)
        except TimeoutError:
            return False
        finally:
            self._lanes.give(lane)

    def _probe(self) -> bool:
        probe = GraphDatabase.driver(self.uri, auth=self._auth, connection_timeout=self.timeout,
                                     connection_acquisition_timeout=self.timeout,
                                     notifications_min_severity="OFF")
        try:
            probe.verify_connectivity()
        except Neo4jError:
            return True  # it answered, if only with an error
        except (DriverError, OSError):
            return False
        finally:
            probe.close()
        return True

    def _abandon(self, driver: neo4j.Driver) -> None:
        """Replace ``driver`` (unless another call already did) and close it in the background
        (closing sends GOODBYE, which may wait on a full socket buffer)."""
        with self._swap:
            if self._driver is not driver:
                return
            self._driver = self._new_driver()
        threading.Thread(target=_close_quietly, args=(driver,), name="coco-neo4j-close",
                         daemon=True).start()

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        @neo4j.unit_of_work(timeout=TIMEOUT)
        def work(tx: ManagedTransaction) -> list[neo4j.Record]:
            return list(tx.run(query, params))

        return self._call(lambda s: s.execute_read(work))

    # -- writes ------------------------------------------------------------------------------
    def commit(self, tx: Transaction) -> WriteResult:
        with self.bulk(tx.source) as writer:
            return writer.write(tx)

    @contextmanager
    def bulk(self, source: str) -> Iterator[Neo4jBulkWriter]:
        """Many batches in one Neo4j transaction: all land together or none does.

        The transaction lives on a lane of its own; each batch and the commit are waited for by
        :meth:`_await`. When the server is found frozen the rollback is left queued on that lane
        (it runs once the abandoned connection is shut) rather than waited for.
        """
        driver, lane = self._driver, _Lane()
        opened: tuple[neo4j.Session, NeoTx] | None = None
        try:
            opened = self._await(lane.submit(partial(self._begin, driver)), driver, UNSAVED)
            writer = Neo4jBulkWriter(self, opened[1], source, lane, driver)
            yield writer
            self._await(lane.submit(partial(self._commit_bulk, writer, opened[1])), driver,
                        UNKNOWN)
        finally:
            if opened is not None:
                stuck = lane.busy
                ended = lane.submit(partial(_end, *opened))
                if not stuck:
                    with suppress(StoreUnavailable):
                        self._await(ended, driver)
            lane.stop()

    def _begin(self, driver: neo4j.Driver) -> tuple[neo4j.Session, NeoTx]:
        with _translated(self._where):
            session = driver.session(database=self.database)
            try:
                return session, session.begin_transaction(timeout=None)
            except BaseException:
                session.close()
                raise

    def _commit_bulk(self, writer: Neo4jBulkWriter, ntx: NeoTx) -> None:
        with _translated(self._where):
            writer.finish()
            if writer.batches:
                rec = ntx.run("MATCH (m:CocoMeta {key: 'meta'}) SET m.version = m.version + 1 "
                              "RETURN m.version AS v").single()
                writer.total.version = int(rec["v"]) if rec else 0
            ntx.commit()

    # -- reads -------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        rec = self._read("MATCH (m:CocoMeta {key: 'meta'}) RETURN m.version AS v")
        return int(rec[0]["v"]) if rec else 0

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        rows = self._read("UNWIND $ids AS i MATCH (n:Entity {id: i}) "
                          "RETURN n.id AS id, labels(n) AS labels, properties(n) AS p",
                          ids=list(ids))
        return {r["id"]: _node(r) for r in rows}

    def get_edges(self, keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], Edge]:
        out: dict[tuple[str, str, str], Edge] = {}
        by_type = _by_type(keys)
        for rel, pairs in by_type.items():
            rows = self._read(
                f"UNWIND $pairs AS k MATCH (a:Entity {{id: k[0]}})-[r:{rel}]->"
                "(b:Entity {id: k[1]}) RETURN a.id AS s, b.id AS t, properties(r) AS p",
                pairs=pairs)
            out.update({(r["s"], rel, r["t"]): Edge(r["s"], rel, r["t"], dict(r["p"]))
                        for r in rows})
        return out

    def find(self, label: str, where: Filter | None = None, order_by: Sequence[SortKey] = (),
             first: int = 50, after: str | None = None) -> Page[Node]:
        check_find(label, where, order_by, first)
        params = cypher.Params()
        cond = cypher.compile_filter(label, where, params)
        terms = cypher.sort_terms(order_by, label)
        count_query = f"MATCH (n:{label}) WHERE {cond} RETURN count(n) AS c"
        count_params = dict(params.values)
        page_cond = cond
        if after is not None:
            values = decode_cursor(after, len(terms) - 1)
            values = [bool(v) if flag and v is not None else v
                      for v, (_, _, flag) in zip(values, terms, strict=True)]
            page_cond += " AND " + cypher.keyset(terms, values, params)
        cols = ", ".join(f"{e} AS k{i}" for i, (e, _, _) in enumerate(terms))
        order = ", ".join(f"k{i} {'DESC' if d else 'ASC'}" for i, (_, d, _) in enumerate(terms))
        keys = ", ".join(f"k{i}" for i in range(len(terms)))
        query = (f"MATCH (n:{label}) WHERE {page_cond} WITH n, {cols} ORDER BY {order} "
                 f"LIMIT {int(first) + 1} RETURN n.id AS id, labels(n) AS labels, "
                 f"properties(n) AS p, [{keys}] AS keys")
        rows = self._read(query, **params.values)
        total = int(self._read(count_query, **count_params)[0]["c"])
        has_next = len(rows) > first
        rows = rows[:first]
        cursors = [encode_cursor([cypher.cursor_value(v, flag) for v, (_, _, flag)
                                  in zip(r["keys"], terms, strict=True)]) for r in rows]
        return Page([_node(r) for r in rows], total, has_next,
                    cursors[-1] if cursors else None, cursors)

    def count(self, label: str, where: Filter | None = None) -> int:
        check_find(label, where, (), 0)
        params = cypher.Params()
        cond = cypher.compile_filter(label, where, params)
        return int(self._read(f"MATCH (n:{label}) WHERE {cond} RETURN count(n) AS c",
                              **params.values)[0]["c"])

    def neighbours(self, ids: Sequence[str], rel_types: Sequence[str] | None = None,
                   direction: Direction = "out") -> dict[str, list[Neighbour]]:
        types = "|".join(rel_types if rel_types is not None else SCHEMA.rel_names)
        out: dict[str, list[Neighbour]] = {i: [] for i in ids}
        for way in (("out", "in") if direction == "both" else (direction,)):
            pattern = f"-[r:{types}]->(m:Entity)" if way == "out" else f"<-[r:{types}]-(m:Entity)"
            rows = self._read(
                f"UNWIND $ids AS i MATCH (n:Entity {{id: i}}){pattern} "
                "RETURN i, type(r) AS t, properties(r) AS rp, m.id AS id, labels(m) AS labels, "
                "properties(m) AS p", ids=list(ids))
            for r in rows:
                other = _node(r)
                s, d = (r["i"], other.id) if way == "out" else (other.id, r["i"])
                out[r["i"]].append(Neighbour(Edge(s, r["t"], d, dict(r["rp"])), other, way))
        return out

    def counts(self) -> dict[str, dict[str, int]]:
        labels = {lab: int(self._read(f"MATCH (n:{lab}) RETURN count(n) AS c")[0]["c"])
                  for lab in SCHEMA.label_names}
        rels = {rel: int(self._read(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS c")[0]["c"])
                for rel in SCHEMA.rel_names}
        return {"labels": labels, "relationships": rels}

    def topology(self, labels: Sequence[str] | None = None,
                 rel_types: Sequence[str] | None = None, *,
                 during: Period | None = None) -> Topology:
        topo = self._topology(labels, rel_types)
        return topo if during is None else restrict(self, topo, during)

    def _topology(self, labels: Sequence[str] | None,
                  rel_types: Sequence[str] | None) -> Topology:
        wanted = list(labels) if labels is not None else list(SCHEMA.label_names)
        types = list(rel_types) if rel_types is not None else list(SCHEMA.rel_names)

        def work(tx: ManagedTransaction) -> Topology:
            version = tx.run("MATCH (m:CocoMeta {key: 'meta'}) RETURN m.version AS v").single()
            ids: list[str] = []
            codes: list[int] = []
            for i, lab in enumerate(SCHEMA.label_names):
                if lab in wanted:
                    found = [r[0] for r in tx.run(f"MATCH (n:{lab}) RETURN n.id")]
                    ids.extend(found)
                    codes.extend([i] * len(found))
            pos = {x: k for k, x in enumerate(ids)}
            src: list[int] = []
            dst: list[int] = []
            typ: list[int] = []
            for t in types:
                code = SCHEMA.rel_names.index(t)
                for a, b in tx.run(f"MATCH (a:Entity)-[:{t}]->(b:Entity) RETURN a.id, b.id"):
                    if a in pos and b in pos:
                        src.append(pos[a])
                        dst.append(pos[b])
                        typ.append(code)
            return Topology(ids, np.array(codes, dtype=np.int8),
                            np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                            np.array(typ, dtype=np.int8), int(version["v"]) if version else 0)

        return self._call(lambda s: s.execute_read(work))

    def property_values(self, prop: str, labels: Sequence[str] | None = None
                        ) -> dict[str, Any]:
        wanted = list(labels) if labels is not None else list(SCHEMA.label_names)
        out: dict[str, Any] = {}
        for lab in wanted:
            rows = self._read(f"MATCH (n:{lab}) WHERE n.`{prop}` IS NOT NULL "
                              f"RETURN n.id AS id, n.`{prop}` AS v")
            out.update((r["id"], r["v"]) for r in rows)
        return out

    def edge_property_values(self, prop: str, rel: str) -> dict[tuple[str, str], Any]:
        if not SCHEMA.has_rel(rel):
            return {}
        rows = self._read(f"MATCH (a:Entity)-[r:{rel}]->(b:Entity) WHERE r.`{prop}` IS NOT NULL "
                          f"RETURN a.id AS s, b.id AS d, r.`{prop}` AS v")
        return {(r["s"], r["d"]): r["v"] for r in rows}

    def iter_nodes(self, label: str | None = None, batch: int = 10_000) -> Iterator[Node]:
        labels = [label] if label else list(SCHEMA.label_names)
        for lab in labels:
            last = ""
            while True:
                rows = self._read(f"MATCH (n:{lab}) WHERE n.id > $last RETURN n.id AS id, "
                                  f"labels(n) AS labels, properties(n) AS p "
                                  f"ORDER BY n.id LIMIT {int(batch)}", last=last)
                if not rows:
                    break
                last = rows[-1]["id"]
                yield from (_node(r) for r in rows)

    def iter_edges(self, rel: str | None = None, batch: int = 10_000) -> Iterator[Edge]:
        for t in ([rel] if rel else list(SCHEMA.rel_names)):
            last = ["", ""]
            while True:
                rows = self._read(
                    f"MATCH (a:Entity)-[r:{t}]->(b:Entity) WHERE [a.id, b.id] > $last "
                    f"RETURN a.id AS s, b.id AS d, properties(r) AS p "
                    f"ORDER BY a.id, b.id LIMIT {int(batch)}", last=last)
                if not rows:
                    break
                last = [rows[-1]["s"], rows[-1]["d"]]
                yield from (Edge(r["s"], t, r["d"], dict(r["p"])) for r in rows)

    def close(self) -> None:
        self._lanes.close()
        self._driver.close()


class Neo4jBulkWriter:
    """Writes batches inside :meth:`Neo4jStore.bulk`; it answers the planner's questions too
    (graph.writeplan.Lookup) from inside the open transaction, so later batches see earlier ones.

    What this bulk learnt stays in memory until it ends: the label and element id of every node it
    created or looked up, and which nodes and edges it created. So the planner's questions about
    them cost no round trip, an edge between two nodes created by this bulk is known not to exist
    unless this bulk created it, and relationships are created between nodes found by element id
    (a direct record lookup) rather than by an index seek on ``id``. Edge statements are sent
    without waiting for their results, so the server writes one batch while the next is planned;
    a failure still aborts the whole transaction, at the next statement or at the commit.
    """

    def __init__(self, store: Neo4jStore, tx: NeoTx, source: str, lane: _Lane,
                 driver: neo4j.Driver):
        self.store = store
        self.tx = tx
        self.source = source
        self._lane = lane  # the thread the transaction lives on
        self._driver = driver
        self.total = WriteResult()
        self.batches = 0
        self._labels: dict[str, str] = {}  # id → label of nodes known to exist
        self._eids: dict[str, str] = {}  # id → Neo4j element id
        self._fresh: set[str] = set()  # nodes created by this bulk
        # hashes of the edges this bulk created: a collision only costs a needless query
        self._fresh_edges: set[int] = set()
        self._pending: neo4j.Result | None = None  # the statement the server may still run

    def write(self, tx: Transaction) -> WriteResult:
        """Validate and write one batch (on the transaction's lane, waited for with a bound)."""
        return self.store._await(self._lane.submit(partial(self._write_batch, tx)),
                                 self._driver, UNSAVED)

    def _write_batch(self, tx: Transaction) -> WriteResult:
        from coco_atlas.graph.embedded.store import now_stamp

        with _translated(self.store._where):
            plan = plan_write(self, tx, now_stamp())
            self._write(plan)
        self.batches += 1
        for name in ("nodes_created", "nodes_updated", "edges_created", "edges_updated",
                     "nodes_deleted", "edges_deleted"):
            setattr(self.total, name, getattr(self.total, name) + getattr(plan.result, name))
        return self.total

    def _run(self, query: str, **params: Any) -> list[neo4j.Record]:
        return list(self.tx.run(query, params))

    def finish(self) -> None:
        """Wait for the statement still running (its failure is raised here)."""
        if self._pending is not None:
            self._pending.consume()
            self._pending = None

    def _send(self, query: str, **params: Any) -> None:
        """Run a statement without waiting for it; wait for the one before (back-pressure, and
        its error surfaces here rather than at the commit)."""
        if self._pending is not None:
            self._pending.consume()
        self._pending = self.tx.run(query, params)

    def _write(self, plan: WritePlan) -> None:
        if plan.del_edges or plan.del_nodes:
            self._delete(plan)
        self._write_nodes(plan)
        self._write_edges(plan)

    def _delete(self, plan: WritePlan) -> None:
        for rel, pairs in _by_type(plan.del_edges).items():
            self._run(f"UNWIND $pairs AS k MATCH (:Entity {{id: k[0]}})-[r:{rel}]->"
                      "(:Entity {id: k[1]}) DELETE r", pairs=pairs)
        if plan.del_nodes:
            self._run("UNWIND $ids AS i MATCH (n:Entity {id: i}) DETACH DELETE n",
                      ids=plan.del_nodes)
        for cache in (self._labels, self._eids, self._fresh, self._fresh_edges):
            cache.clear()  # rare: start learning again rather than track what went

    def _write_nodes(self, plan: WritePlan) -> None:
        """CREATE the nodes the planner knows are new (no MERGE scan), SET the others."""
        stamps = {"source": plan.source, "updatedAt": plan.stamp}
        by_label: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        ns = plan.node_stamps
        for node, new in zip(plan.nodes, plan.new_nodes, strict=True):
            own = {"source": ns[node.id][0], "updatedAt": ns[node.id][1]} if ns else stamps
            by_label[(node.label, new)].append({"id": node.id, "p": {**node.props, **own,
                                                                    "id": node.id}})
        for (label, new), rows in by_label.items():
            head = f"CREATE (n:Entity:{label})" if new else "MATCH (n:Entity {id: r.id})"
            for i in range(0, len(rows), BATCH):
                part = rows[i:i + BATCH]
                found = self._run(f"UNWIND $rows AS r {head} SET n = r.p "
                                  "RETURN elementId(n) AS e", rows=part)
                for row, rec in zip(part, found, strict=True):
                    self._eids[row["id"]] = rec[0]
                    self._labels[row["id"]] = label
                if new:
                    self._fresh.update(row["id"] for row in part)

    def _write_edges(self, plan: WritePlan) -> None:
        """CREATE or SET relationships between nodes found by element id, not waiting for the
        server between statements."""
        stamps = {"source": plan.source, "updatedAt": plan.stamp}
        keys = [e.key for e in plan.edges]
        self.labels_of([x for s, _, d in keys for x in (s, d) if x not in self._eids])
        by_rel: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        es, eids = plan.edge_stamps, self._eids
        for e, key, new in zip(plan.edges, keys, plan.new_edges, strict=True):
            own = {"source": es[key][0], "updatedAt": es[key][1]} if es else stamps
            by_rel[(e.type, new)].append({"s": eids[e.source], "t": eids[e.target],
                                          "p": {**e.props, **own}})
        for (rel, new), rows in by_rel.items():
            pattern = (f"CREATE (a)-[e:{rel}]->(b)" if new else
                       f"MATCH (a)-[e:{rel}]->(b)")
            for i in range(0, len(rows), BATCH):
                self._send(f"UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r.s "
                           f"MATCH (b) WHERE elementId(b) = r.t {pattern} SET e = r.p",
                           rows=rows[i:i + BATCH])
        self._fresh_edges.update(map(hash, compress(keys, plan.new_edges)))

    # -- graph.writeplan.Lookup ----------------------------------------------------------------
    def labels_of(self, ids: Sequence[str]) -> dict[str, str]:
        known = self._labels
        missing = list({i for i in ids if i not in known})
        if missing:
            for r in self._run("UNWIND $ids AS i MATCH (n:Entity {id: i}) RETURN n.id AS id, "
                               "labels(n) AS labels, elementId(n) AS e", ids=missing):
                known[r["id"]] = _label(r["labels"])
                self._eids[r["id"]] = r["e"]
        return {i: known[i] for i in ids if i in known}

    def node_props(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        rows = self._run("UNWIND $ids AS i MATCH (n:Entity {id: i}) RETURN n.id AS id, "
                         "properties(n) AS p", ids=list(ids))
        return {r["id"]: _strip({k: v for k, v in r["p"].items() if k != "id"}) for r in rows}

    def edge_props(self, keys: Sequence[tuple[str, str, str]]
                   ) -> dict[tuple[str, str, str], dict[str, Any]]:
        """Properties of the edges that exist; an edge between two nodes this bulk created
        exists only if this bulk created it, so only the others cost a query."""
        fresh, made = self._fresh, self._fresh_edges
        keys = [k for k in keys if k[0] not in fresh or k[2] not in fresh or hash(k) in made]
        out: dict[tuple[str, str, str], dict[str, Any]] = {}
        for rel, pairs in _by_type(keys).items():
            if not SCHEMA.has_rel(rel):
                continue
            rows = self._run(f"UNWIND $pairs AS k MATCH (a:Entity {{id: k[0]}})-[r:{rel}]->"
                             "(b:Entity {id: k[1]}) RETURN a.id AS s, b.id AS t, "
                             "properties(r) AS p", pairs=pairs)
            out.update({(r["s"], rel, r["t"]): _strip(dict(r["p"])) for r in rows})
        return out

    def incident(self, ids: Sequence[str], rel_types: Sequence[str] | None
                 ) -> list[tuple[str, str, str]]:
        if not ids:
            return []
        types = "|".join(rel_types if rel_types is not None else SCHEMA.rel_names)
        rows = self._run(f"UNWIND $ids AS i MATCH (n:Entity {{id: i}})-[r:{types}]-(m:Entity) "
                         "RETURN startNode(r).id AS s, type(r) AS t, endNode(r).id AS d",
                         ids=list(ids))
        return list(dict.fromkeys((r["s"], r["t"], r["d"]) for r in rows))


def _label(labels: Sequence[str]) -> str:
    return next(lab for lab in labels if lab != "Entity")


def _node(r: neo4j.Record) -> Node:
    props = dict(r["p"])
    node_id = props.pop("id")
    return Node(node_id, _label(r["labels"]), props)


def _by_type(keys: Sequence[tuple[str, str, str]]) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = defaultdict(list)
    for s, t, d in keys:
        if SCHEMA.has_rel(t):
            out[t].append([s, d])
    return out


def _end(session: neo4j.Session, ntx: NeoTx) -> None:
    """Roll back a bulk's transaction unless it committed, and close its session; failures
    are only logged (the connection may already be shut)."""
    try:
        if ntx.closed() is False:
            ntx.rollback()
    except (Neo4jError, DriverError, OSError) as e:
        log.debug("rollback failed: %s", _first_line(e))
    finally:
        for end in (ntx.close, session.close):
            try:
                end()
            except (Neo4jError, DriverError, OSError) as e:
                log.debug("closing failed: %s", _first_line(e))


def _close_quietly(driver: neo4j.Driver) -> None:
    """Close an abandoned driver (on a thread of its own, so nothing is there to catch)."""
    try:
        driver.close()
    except Exception as e:  # the driver is being thrown away: nothing to do but log
        log.debug("closing an abandoned Neo4j driver failed: %s", _first_line(e))


def _redacted(uri: str) -> str:
    """The URI without user info, query or fragment: what messages may show."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


@contextmanager
def _translated(where: str) -> Iterator[None]:
    """Turn driver connection failures into :class:`StoreUnavailable` with one clear line;
    ``where`` names the server (``Neo4j at bolt://host:port``)."""
    try:
        yield
    except (ServiceUnavailable, SessionExpired, ConnectionPoolError, OSError) as e:
        raise StoreUnavailable(f"{where} is unreachable: {_first_line(e)}") from e
    except Neo4jError as e:
        if e.code and (("Transaction" in e.code and "Terminated" in e.code)
                       or "DatabaseUnavailable" in e.code):
            raise StoreUnavailable(f"{where}: {_first_line(e)}") from e
        raise


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:200].rstrip(" :")
