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
from itertools import compress, repeat
from operator import attrgetter, eq, not_
from typing import Any, TypeVar
from urllib.parse import urlsplit

import neo4j
import numpy as np
from neo4j import GraphDatabase, ManagedTransaction
from neo4j import Transaction as NeoTx
from neo4j.exceptions import (
    ConfigurationError,
    ConnectionPoolError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from coco_atlas.graph.gcpause import collector_paused
from coco_atlas.graph.neo4j import cypher
from coco_atlas.graph.neo4j import stage as neo4j_stage
from coco_atlas.graph.neo4j.fanout import RETRIES, SESSIONS, Fanout, quiet, split
from coco_atlas.graph.neo4j.stage import STAGED
from coco_atlas.graph.neo4j.watch import Watch
from coco_atlas.graph.query import Filter, Page, SortKey, check_find, decode_cursor, encode_cursor
from coco_atlas.graph.store import (
    Direction,
    Neighbour,
    NeighbourQuery,
    Store,
    StoreBusy,
    StoreUnavailable,
    Topology,
    Transaction,
    WriteResult,
    neighbour_order,
)
from coco_atlas.graph.timeline import Period, restrict
from coco_atlas.graph.writeplan import WritePlan, plan_write
from coco_atlas.schema import SCHEMA, Edge, Node, ValidationError

STAMPS = ("source", "updatedAt", "_stage")
PUB = cypher.PUB
VIS_N = cypher.visible("n")
# A relationship is staged when one of its ends is (an import keeps aside, until it publishes,
# the relationships it creates between older nodes): readers test both ends.
VIS_ARB = f"{cypher.visible('a')} AND {cypher.visible('b')}"
VIS_MINE_N = cypher.visible("n", mine=True)
VIS_MINE_ARB = f"{cypher.visible('a', mine=True)} AND {cypher.visible('b', mine=True)}"
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

    Driver calls run on lanes while their caller waits with a bound (:meth:`Neo4jStore._await`);
    one-statement reads run on their caller's thread instead, watched (:mod:`graph.neo4j.watch`).
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
        self._watch = Watch(self.timeout, self._answers, self._abandon)
        self._swap = threading.Lock()
        self._driver = self._new_driver()
        self._orphans = False  # a bulk could not settle its stage: tidy before the next write
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
            # every label's own index on id: the shared Entity constraint serves lookups by id
            # of any label, but a page of one label sorted by id needs an index on that label
            # (else Neo4j scans and sorts every node of the label: 53 ms against 5 ms a page,
            # medium demo)
            statements.append(f"CREATE INDEX coco_{label}_id IF NOT EXISTS "
                              f"FOR (n:{label}) ON (n.id)")
            for prop in SCHEMA.node_properties(label).values():
                if prop.indexed:
                    statements.append(f"CREATE INDEX coco_{label}_{prop.name} IF NOT EXISTS "
                                      f"FOR (n:{label}) ON (n.`{prop.name}`)")
        for statement in [*statements, *neo4j_stage.schema_statements()]:
            s.run(statement).consume()
        # indexes fill in the background: wait, so that the first queries are planned on them
        s.run("CALL db.awaitIndexes(300)").consume()
        s.run("MERGE (m:CocoMeta {key: 'meta'}) ON CREATE SET m.version = 0").consume()
        try:
            neo4j_stage.cleanup(s)  # what a killed import left
        except Neo4jError as e:  # e.g. a user who may not list transactions: leave it be
            log.warning("could not look for unfinished imports: %s", _first_line(e))

    # -- calls with a bound ------------------------------------------------------------------
    def _call(self, fn: Callable[[neo4j.Session], T], *, mode: str = neo4j.WRITE_ACCESS) -> T:
        """``fn(session)`` on a lane, in a session of its own, waited for by :meth:`_await`."""
        driver, lane = self._driver, self._lanes.take()
        try:
            return self._await(lane.submit(partial(self._in_session, driver, fn, mode)),
                               driver)
        finally:
            self._lanes.give(lane)

    def _in_session(self, driver: neo4j.Driver, fn: Callable[[neo4j.Session], T],
                    mode: str = neo4j.WRITE_ACCESS) -> T:
        with _translated(self._where), self._session(driver, default_access_mode=mode) as s:
            return fn(s)

    @contextmanager
    def _session(self, driver: neo4j.Driver, **options: Any) -> Iterator[neo4j.Session]:
        """A session of ``driver``, closed after. When the driver was given up meanwhile (a
        frozen server) it is being closed under its sessions, and closing one may fail in any
        way: the session is then only forgotten (:func:`_forget`)."""
        session = driver.session(database=self.database, **options)
        try:
            yield session
        finally:
            try:
                session.close()
            except Exception as e:
                if driver is self._driver:
                    raise
                _forget(session, e)

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
            raise StoreUnavailable(self._frozen(note))
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

    def _frozen(self, note: str = "") -> str:
        return (f"{self._where} stopped answering: nothing for {self.timeout:g} s, and a new "
                f"connection got no reply either (is the server frozen or overloaded?){note}")

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
        """One read statement, auto-committed in a read session: a statement is a transaction
        of its own, and without the explicit BEGIN/COMMIT of ``execute_read`` a read is one
        exchange with the server instead of two (0.23 ms against 0.47 ms for ``RETURN 1`` on
        loopback; the hub query is one statement).

        It runs on the calling thread, watched (:mod:`graph.neo4j.watch`) rather than handed to
        a lane: the hand-over cost more than the read's own Python work."""
        statement = neo4j.Query(query, timeout=TIMEOUT)
        driver = self._driver
        watched = self._watch.begin(driver)
        try:
            with _translated(self._where), \
                    self._session(driver, default_access_mode=neo4j.READ_ACCESS) as session:
                return list(session.run(statement, params))
        except Exception as e:  # a given-up read fails in whatever way its shut socket made
            if watched.abandoned:
                raise StoreUnavailable(self._frozen()) from e
            if isinstance(e, DriverError) and driver is not self._driver:  # closed meanwhile
                raise StoreUnavailable(f"{self._where} stopped answering") from e
            raise
        finally:
            self._watch.end(watched)

    # -- writes ------------------------------------------------------------------------------
    def commit(self, tx: Transaction) -> WriteResult:
        """One write in one transaction (an API mutation, a small edit): seen at its commit."""
        self._tidy()
        with self._single(tx.source) as writer:
            return writer.write(tx)

    @contextmanager
    def bulk(self, source: str) -> Iterator[Neo4jBulkWriter]:
        """Many batches, each committed on its own, published together (graph.neo4j.stage).

        Readers see none of it until the publishing commit, and all of it from then on. When
        a batch or the publishing fails, what was staged is deleted; when the server is gone
        meanwhile, the next write of this store, or the next store opened on the database,
        does it. Each call is waited for by :meth:`_await` on lanes of the bulk's own.
        """
        # the write's records live until it ends (graph.gcpause), and so do what the caller
        # makes between batches (coco migrate reads its source there)
        with collector_paused():
            self._tidy()
            driver, lane, holder = self._driver, _Lane(), _Lane()
            stage = neo4j_stage.new_id()
            leased: tuple[neo4j.Session, NeoTx] | None = None
            writer: Neo4jBulkWriter | None = None
            settled = False
            try:
                leased = self._await(holder.submit(partial(self._lease, driver, stage)), driver,
                                     UNSAVED)
                self._await(lane.submit(partial(self._in_session, driver, partial(
                    neo4j_stage.register, stage=stage, source=source))), driver, UNSAVED)
                writer = Neo4jBulkWriter(self, None, source, lane, driver, stage)
                yield writer
                self._await(lane.submit(partial(self._drain, writer)), driver, UNSAVED)
                if writer.failed:
                    raise StoreUnavailable(f"{self._where}: a batch of this write failed{UNSAVED}")
                if writer.batches:
                    self._await(lane.submit(partial(self._publish, writer)), driver, UNKNOWN)
                settled = self._settle(driver, lane, stage)  # finalise, or forget an empty one
            finally:
                if leased is not None:
                    if not settled and writer is not None and not lane.busy:
                        with suppress(Exception):  # the failure is the caller's, or raised above
                            self._await(lane.submit(partial(self._drain, writer)), driver)
                    if not settled and not self._settle(driver, lane, stage):
                        self._orphans = True  # the server is gone: settle on the next write
                    self._end_on(holder, leased, driver)
                lane.stop()
                holder.stop()

    def _drain(self, writer: Neo4jBulkWriter) -> None:
        """Wait for the statements a staged writer sent (graph.neo4j.fanout), before it is
        published or discarded."""
        with _translated(self._where):
            try:
                writer.drain()
            except BaseException:
                writer.failed = True
                raise

    def _lease(self, driver: neo4j.Driver, stage: str) -> tuple[neo4j.Session, NeoTx]:
        with _translated(self._where):
            session = driver.session(database=self.database)
            try:
                return session, neo4j_stage.lease(session, stage)
            except BaseException:
                session.close()
                raise

    def _settle(self, driver: neo4j.Driver, lane: _Lane, stage: str) -> bool:
        """Finalise the stage if it was published, else discard it; False if the server could
        not be reached (the stage is then left for :meth:`_tidy` or the next store)."""
        if lane.busy:
            return False
        try:
            self._await(lane.submit(partial(self._in_session, driver, partial(
                neo4j_stage.settle, stage=stage))), driver)
        except (StoreUnavailable, Neo4jError, DriverError) as e:
            log.warning("could not settle the import %s: %s", stage, _first_line(e))
            return False
        return True

    def _tidy(self) -> None:
        """Settle the stages a write of this store left when the server was gone."""
        if self._orphans:
            with suppress(StoreUnavailable):
                self._call(neo4j_stage.cleanup)
                self._orphans = False

    def _publish(self, writer: Neo4jBulkWriter) -> None:
        """The one transaction that makes the stage visible: the changes to older records that
        were kept aside, the stage added to the published list, the version bumped."""
        stage = writer.stage
        assert stage is not None
        with _translated(self._where), self._session(self._driver) as s, \
                s.begin_transaction(timeout=None) as ntx:
            if not neo4j_stage.publish_mark(ntx, stage):
                raise StoreUnavailable(f"{self._where}: this import was discarded by another "
                                       f"coco run that found its connection gone{UNSAVED}")
            for query, params in writer.deferred:
                ntx.run(query, quiet(params)).consume()
            writer.total.version = neo4j_stage.publish_meta(ntx, stage)
            ntx.commit()

    @contextmanager
    def _single(self, source: str) -> Iterator[Neo4jBulkWriter]:
        """Batches in one Neo4j transaction: all land together or none does.

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
                self._end_on(lane, opened, driver)
            lane.stop()

    def _end_on(self, lane: _Lane, opened: tuple[neo4j.Session, NeoTx],
                driver: neo4j.Driver) -> None:
        """End a transaction and its session on the lane they live on; waited for unless the
        lane is stuck on a frozen server (the end then runs once the abandoned connection is
        shut)."""
        stuck = lane.busy
        ended = lane.submit(partial(_end, *opened))
        if not stuck:
            with suppress(StoreUnavailable):
                self._await(ended, driver)

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
        """The database's version (the meta node's, bumped by every write transaction).

        Read on every call, never remembered: caches in every API process key on it, and a
        write through another replica must be seen by the very next request (issue 17). A
        request asks at most once (:attr:`Context.version`), and only when it reads a cache
        (search, aggregates, analyses); plain reads go to the database and need no version."""
        rec = self._read("MATCH (m:CocoMeta {key: 'meta'}) RETURN m.version AS v")
        return int(rec[0]["v"]) if rec else 0

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        rows = self._read(f"{PUB}UNWIND $ids AS i MATCH (n:Entity {{id: i}}) WHERE {VIS_N} "
                          "RETURN n.id AS id, labels(n) AS labels, properties(n) AS p",
                          ids=list(ids))
        return {r["id"]: _node(r) for r in rows}

    def nodes_and_neighbours(self, ids: Sequence[str], queries: Sequence[NeighbourQuery]
                             ) -> tuple[dict[str, Node], list[dict[str, list[Neighbour]]]]:
        """One statement: the nodes, and per query and direction a subquery that keeps only
        nodes of its label (``WITH n WHERE n:Hub``) and collects their neighbours (a hub with
        its first 20 members: one round trip of 0.9 ms instead of two of 1.7 ms together)."""
        calls: list[str] = []
        parts: list[tuple[int, str, str]] = []
        params: dict[str, Any] = {"ids": list(dict.fromkeys(ids))}
        for k, q in enumerate(queries):
            types = "|".join(t for t in q.rel_types if SCHEMA.has_rel(t))
            if (q.of not in SCHEMA.label_names or not types
                    or (q.labels is not None and not _known_labels(q.labels))):
                continue
            params[f"first{k}"] = q.first
            for way in (("out", "in") if q.direction == "both" else (q.direction,)):
                name = f"q{k}_{way}"
                calls.append(_collected(way, types, q.labels, q.first, name, f"first{k}",
                                        of=q.of))
                parts.append((k, way, name))
        rows = self._read(f"{PUB}UNWIND $ids AS i MATCH (n:Entity {{id: i}}) WHERE {VIS_N} "
                          + " ".join(calls) + " RETURN n.id AS id, labels(n) AS labels, "
                          "properties(n) AS p" + "".join(f", {n}" for _, _, n in parts),
                          **params)
        nodes = {r["id"]: _node(r) for r in rows}
        found: list[dict[str, list[Neighbour]]] = [{} for _ in queries]
        for r in rows:
            node = nodes[r["id"]]
            for k, way, name in parts:
                if node.label == queries[k].of:
                    found[k].setdefault(node.id, []).extend(_neighbours_of(node.id, way,
                                                                           r[name]))
        for k, q in enumerate(queries):
            if q.first is not None and q.direction == "both":
                found[k] = {i: sorted(nbs, key=neighbour_order)[:q.first]
                            for i, nbs in found[k].items()}
        return nodes, found

    def get_edges(self, keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], Edge]:
        out: dict[tuple[str, str, str], Edge] = {}
        by_type = _by_type(keys)
        for rel, pairs in by_type.items():
            rows = self._read(
                f"{PUB}UNWIND $pairs AS k MATCH (a:Entity {{id: k[0]}})-[r:{rel}]->"
                f"(b:Entity {{id: k[1]}}) WHERE {VIS_ARB} "
                "RETURN a.id AS s, b.id AS t, properties(r) AS p", pairs=pairs)
            out.update({(r["s"], rel, r["t"]): Edge(r["s"], rel, r["t"], _clean(r["p"]))
                        for r in rows})
        return out

    def find(self, label: str, where: Filter | None = None, order_by: Sequence[SortKey] = (),
             first: int = 50, after: str | None = None, *, count: bool = True) -> Page[Node]:
        """Keyset-paged in segments (:meth:`_segments`), so that no page sorts every match; the
        count only when asked (``count``)."""
        check_find(label, where, order_by, first)
        params = cypher.Params()
        cond = cypher.compile_filter(label, where, params)
        terms = cypher.sort_terms(order_by, label)
        count_params = dict(params.values)
        values = None
        if after is not None:
            values = decode_cursor(after, len(terms) - 1)
            values = [bool(v) if flag and v is not None else v
                      for v, (_, _, flag) in zip(values, terms, strict=True)]
        rows: list[tuple[neo4j.Record, list[Any]]] = []
        for extra, head, seg_terms, seg_values in self._segments(terms, values):
            want = int(first) + 1 - len(rows)
            if want <= 0:
                break
            page_cond = f"{cypher.visible_inline('n')} AND {cond} AND {extra}"
            if seg_values is not None:
                page_cond += " AND " + cypher.keyset(seg_terms, seg_values, params)
            cols = ", ".join(f"{e} AS k{i}" for i, (e, _, _) in enumerate(seg_terms))
            order = ", ".join(f"k{i} {'DESC' if d else 'ASC'}"
                              for i, (_, d, _) in enumerate(seg_terms))
            keys = ", ".join(f"k{i}" for i in range(len(seg_terms)))
            query = (f"MATCH (n:{label}) WHERE {page_cond} WITH n, {cols} ORDER BY {order} "
                     f"LIMIT {want} RETURN n.id AS id, labels(n) AS labels, "
                     f"properties(n) AS p, [{keys}] AS keys")
            rows.extend((r, [*head, *r["keys"]]) for r in self._read(query, **params.values))
        total = self._count(label, cond, count_params) if count else None
        has_next = len(rows) > first
        rows = rows[:first]
        cursors = [encode_cursor([cypher.cursor_value(v, flag) for v, (_, _, flag)
                                  in zip(keys, terms, strict=True)]) for _, keys in rows]
        return Page([_node(r) for r, _ in rows], total, has_next,
                    cursors[-1] if cursors else None, cursors)

    @staticmethod
    def _segments(terms: list[tuple[str, bool, bool]], values: list[Any] | None
                  ) -> list[tuple[str, list[Any], list[tuple[str, bool, bool]], list[Any] | None]]:
        """The parts of a sorted walk, each ``(condition, key values it fixes, its sort terms,
        its cursor values or None)``, read in turn until the page is full.

        Sorting on a property's null flag first (missing values last) kept Neo4j from walking
        the property's index in order: every page, the first one too, sorted all the matches.
        Split in two — the nodes that have the value, sorted by it, then those that lack it,
        sorted by the rest — each part is in index order (``n.p IS NOT NULL`` lets the planner
        read the range index sorted and stop after the page) and the order is the same.
        """
        first = terms[0][0] if terms else ""
        if len(terms) > 2 and terms[0][2]:  # an optional property leads: has it, then not
            prop = terms[1][0]
            in_nulls = values is not None and values[0] is True
            out: list[tuple[str, list[Any], list[tuple[str, bool, bool]], list[Any] | None]] = []
            if not in_nulls:
                out.append((f"{prop} IS NOT NULL", [False], terms[1:],
                            values[1:] if values is not None else None))
            out.append((f"{prop} IS NULL", [True, None], terms[2:],
                        values[2:] if in_nulls and values is not None else None))
            return out
        if terms:  # a required property or the id leads: never null, but say so for the index
            return [(f"{first} IS NOT NULL", [], terms, values)]
        return [("true", [], terms, values)]

    def count(self, label: str, where: Filter | None = None) -> int:
        check_find(label, where, (), 0)
        params = cypher.Params()
        cond = cypher.compile_filter(label, where, params)
        return self._count(label, cond, params.values)

    def _count(self, label: str, cond: str, params: dict[str, Any]) -> int:
        """Without a filter: the count store's figure less the unpublished staged nodes (no
        scan of the label); with one, a count of the visible matches."""
        if cond == "true":
            return self._label_counts([label])[label]
        return int(self._read(f"{PUB}MATCH (n:{label}) WHERE {VIS_N} AND {cond} "
                              "RETURN count(n) AS c", **params)[0]["c"])

    def _label_counts(self, labels: Sequence[str]) -> dict[str, int]:
        return self._exact_counts([f"(n:{lab})" for lab in labels], labels, VIS_N)

    def _exact_counts(self, patterns: Sequence[str], names: Sequence[str], vis: str
                      ) -> dict[str, int]:
        """Counts of visible records: the count store's figures (no scan) when no import is
        under way before and after reading them, else a scan that skips the staged records.
        Neo4j reads committed data, not a snapshot, so the count store's figure less the
        staged records counted a moment later could be off by a batch committed between.

        An import counts as under way until it is finalised (its stage node deleted), not only
        until it is published: a reader that looked while the server applied the publishing
        transaction saw the stage published but the count store not yet updated (2,002
        companies where the store held 2 before and 2,001 after)."""
        open_ = "CALL () { MATCH (s:CocoStage) RETURN count(s) AS o%s }"
        calls = " ".join(f"CALL () {{ MATCH {p} RETURN count(*) AS c{i} }}"
                         for i, p in enumerate(patterns))
        cs = ", ".join(f"c{i}" for i in range(len(patterns)))
        rec = self._read(f"{open_ % 'a'} {calls} {open_ % 'b'} RETURN oa + ob AS o, [{cs}] AS cs")
        if not rec[0]["o"]:
            return dict(zip(names, map(int, rec[0]["cs"]), strict=True))
        calls = " ".join(f"CALL (pub) {{ MATCH {p} WHERE {vis} RETURN count(*) AS c{i} }}"
                         for i, p in enumerate(patterns))
        rec = self._read(f"{PUB}{calls} RETURN [{cs}] AS cs")
        return dict(zip(names, map(int, rec[0]["cs"]), strict=True))

    def neighbours(self, ids: Sequence[str], rel_types: Sequence[str] | None = None,
                   direction: Direction = "out", *, labels: Sequence[str] | None = None,
                   first: int | None = None) -> dict[str, list[Neighbour]]:
        types = "|".join(t for t in (rel_types if rel_types is not None else SCHEMA.rel_names)
                         if SCHEMA.has_rel(t))
        out: dict[str, list[Neighbour]] = {i: [] for i in ids}
        if not types or (labels is not None and not _known_labels(labels)):
            return out
        unique = list(out)  # each id once, as the embedded store reads them
        for way in (("out", "in") if direction == "both" else (direction,)):
            for row in self._read(_neighbours_query(way, types, labels, first), ids=unique,
                                  first=first):
                out[row["i"]].extend(_neighbours_of(row["i"], way, row["nbs"]))
        if first is not None and direction == "both":  # each way was cut; cut the two together
            out = {i: sorted(nbs, key=neighbour_order)[:first] for i, nbs in out.items()}
        return out

    def counts(self) -> dict[str, dict[str, int]]:
        labels = self._label_counts(SCHEMA.label_names)
        rels = self._exact_counts([f"(a)-[r:{rel}]->(b)" for rel in SCHEMA.rel_names],
                                  SCHEMA.rel_names, VIS_ARB)
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
                    found = [r[0] for r in tx.run(f"{PUB}MATCH (n:{lab}) WHERE {VIS_N} "
                                                  "RETURN n.id")]
                    ids.extend(found)
                    codes.extend([i] * len(found))
            pos = {x: k for k, x in enumerate(ids)}
            src: list[int] = []
            dst: list[int] = []
            typ: list[int] = []
            for t in types:
                code = SCHEMA.rel_names.index(t)
                for a, b in tx.run(f"MATCH (a:Entity)-[r:{t}]->(b:Entity) "
                                   "RETURN a.id, b.id"):  # both ends visible: a, b in pos
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
            rows = self._read(f"{PUB}MATCH (n:{lab}) WHERE n.`{prop}` IS NOT NULL AND {VIS_N} "
                              f"RETURN n.id AS id, n.`{prop}` AS v")
            out.update((r["id"], r["v"]) for r in rows)
        return out

    def edge_property_values(self, prop: str, rel: str) -> dict[tuple[str, str], Any]:
        if not SCHEMA.has_rel(rel):
            return {}
        rows = self._read(f"{PUB}MATCH (a:Entity)-[r:{rel}]->(b:Entity) "
                          f"WHERE r.`{prop}` IS NOT NULL AND {VIS_ARB} "
                          f"RETURN a.id AS s, b.id AS d, r.`{prop}` AS v")
        return {(r["s"], r["d"]): r["v"] for r in rows}

    def iter_nodes(self, label: str | None = None, batch: int = 10_000) -> Iterator[Node]:
        labels = [label] if label else list(SCHEMA.label_names)
        for lab in labels:
            last = ""
            while True:
                rows = self._read(f"{PUB}MATCH (n:{lab}) WHERE n.id > $last AND {VIS_N} "
                                  "RETURN n.id AS id, "
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
                    f"{PUB}MATCH (a:Entity)-[r:{t}]->(b:Entity) WHERE [a.id, b.id] > $last "
                    f"AND {VIS_ARB} "
                    f"RETURN a.id AS s, b.id AS d, properties(r) AS p "
                    f"ORDER BY a.id, b.id LIMIT {int(batch)}", last=last)
                if not rows:
                    break
                last = [rows[-1]["s"], rows[-1]["d"]]
                yield from (Edge(r["s"], t, r["d"], _clean(r["p"])) for r in rows)

    def close(self) -> None:
        self._watch.close()
        self._lanes.close()
        self._driver.close()


class Neo4jBulkWriter:
    """Writes batches inside :meth:`Neo4jStore.bulk` (staged, ``stage`` set) or
    :meth:`Neo4jStore.commit` (one transaction); it answers the planner's questions too
    (graph.writeplan.Lookup), so later batches see earlier ones.

    What this writer learnt stays in memory until it ends: the label and element id of every
    node it created or looked up, and which nodes and edges it created. So the planner's
    questions about them cost no round trip, an edge between two nodes created here is known
    not to exist unless it was created here, and relationships are created between nodes found
    by element id (a direct record lookup) rather than by an index seek on ``id``. Edge
    statements are sent without waiting for their results, so the server writes one batch
    while the next is planned. Staged, they run on several sessions at once
    (:mod:`graph.neo4j.fanout`) and a batch returns once its nodes are written: its
    relationships may still be on their way, and a question the planner asks the server
    waits for them first (``_run``), except which ids exist (all of this writer's are known).

    Staged (:mod:`graph.neo4j.stage`): each batch commits on its own; what it creates carries
    the stage's marker, and changes to the stage's own records are written at once. Changes
    to records that were already there (updates, deletions) would be visible at once, so they
    are kept aside — their statements, and the properties they give, which the planner's
    later questions see — and run in the publishing transaction. Its size, and this process's
    memory, grow with those changes only; new records, the bulk of an import, never wait.
    """

    def __init__(self, store: Neo4jStore, tx: NeoTx | None, source: str, lane: _Lane,
                 driver: neo4j.Driver, stage: str | None = None):
        self.store = store
        self.tx = tx
        self.source = source
        self.stage = stage
        self._lane = lane  # the thread the transaction lives on
        self._driver = driver
        self.total = WriteResult()
        self.batches = 0
        self.failed = False  # a staged batch failed after it began writing: publish nothing
        self._labels: dict[str, str] = {}  # id → label of nodes known to exist
        self._eids: dict[str, str] = {}  # id → Neo4j element id
        self._fresh: set[str] = set()  # nodes created by this writer
        # hashes of the edges this writer created: a collision only costs a needless query
        self._fresh_edges: set[int] = set()
        self._pending: neo4j.Result | None = None  # the statement the server may still run
        # staged: the statements sent and not yet waited for (graph.neo4j.fanout), and the
        # node statements whose element ids are still to be read
        self._out: Fanout | None = None
        self._unread: list[tuple[list[dict[str, Any]], Callable[[], Sequence[Any]]]] = []
        # staged only: changes to records that were there before, run when publishing
        self.deferred: list[tuple[str, dict[str, Any]]] = []
        self._over_nodes: dict[str, dict[str, Any]] = {}
        self._over_edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._gone: set[str] = set()
        self._gone_edges: set[tuple[str, str, str]] = set()
        # properties of the nodes the planner asked about, stamps left out: an update sets the
        # ones it drops to null (``SET n += …``), so a reader sees each property old or new,
        # never a node whose properties are being replaced as a whole
        self._old: dict[str, dict[str, Any]] = {}

    def write(self, tx: Transaction) -> WriteResult:
        """Validate and write one batch (on the transaction's lane, waited for with a bound)."""
        if self.failed:
            raise StoreUnavailable(f"an earlier batch of this write failed{UNSAVED}")
        job = self._write_batch if self.stage is None else self._write_staged
        return self.store._await(self._lane.submit(partial(job, tx)), self._driver, UNSAVED)

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

    def _write_staged(self, tx: Transaction) -> WriteResult:
        """One batch, each statement of it (at most :data:`BATCH` rows) in an auto-commit
        transaction of its own: the server holds one statement's rows, whatever the size of
        the caller's batches. The stage must still be there (not discarded by a cleanup)."""
        written = self.batches
        with _translated(self.store._where), self.store._session(self._driver) as session:
            self.tx = session  # type: ignore[assignment]
            try:
                total = self._write_batch(tx)
                self._read_eids()  # the batch's nodes are written; its relationships may not be
                if session.run("MATCH (s:CocoStage {id: $id, state: 'writing'}) RETURN s.id",
                               id=self.stage).single() is None:
                    raise StoreUnavailable(f"{self.store._where}: this import was discarded by "
                                           f"another coco run that found its connection gone"
                                           f"{UNSAVED}")
                return total
            except BaseException as e:
                if self.batches > written or not isinstance(e, ValidationError):
                    self.failed = True  # something may have been written: stop here
                raise
            finally:
                self.tx = None

    def _run(self, query: str, *, after_sent: bool = True, **params: Any) -> list[neo4j.Record]:
        """Run a statement on the batch's session; ``after_sent``: once the statements sent
        before it have run (what it reads or deletes may be theirs)."""
        if after_sent:
            self.drain()
        return list(self.tx.run(query, quiet({"stage": self.stage, **params})))  # type: ignore[union-attr]

    def drain(self) -> None:
        """Wait for the statements sent (their failure is raised here)."""
        out, self._out = self._out, None
        try:
            if out is not None:
                out.close()
        finally:
            self._read_eids()

    def _read_eids(self) -> None:
        """Keep the element ids the node statements sent returned (waiting for them)."""
        unread, self._unread = self._unread, []
        for part, found in unread:
            for row, rec in zip(part, found(), strict=True):
                self._eids[row["id"]] = rec[0]

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
        self._pending = self.tx.run(query, quiet({"stage": self.stage, **params}))  # type: ignore[union-attr]

    def _defer(self, query: str, **params: Any) -> None:
        """Keep a statement for the publishing; rows of the same statement as the last one
        kept join it (one statement per :data:`BATCH` rows when publishing)."""
        (name, rows), = params.items()
        last = self.deferred[-1] if self.deferred else None
        if last is not None and last[0] == query and len(last[1][name]) < BATCH:
            last[1][name].extend(rows)
        else:
            self.deferred.append((query, {"stage": self.stage, name: list(rows)}))

    def _write(self, plan: WritePlan) -> None:
        if plan.del_edges or plan.del_nodes:
            self._delete(plan)
        self._write_nodes(plan)
        self._write_edges(plan)

    def _delete(self, plan: WritePlan) -> None:
        """Direct: delete. Staged: delete this stage's own records now, keep the deletion of
        older ones for the publishing transaction (they stay visible until then)."""
        staged, fresh = self.stage is not None, self._fresh
        now = plan.del_edges if not staged else [k for k in plan.del_edges
                                                 if k[0] in fresh or k[2] in fresh]
        later = [k for k in plan.del_edges if k[0] not in fresh and k[2] not in fresh]
        q = ("UNWIND $pairs AS k MATCH (a:Entity {{id: k[0]}})-[r:{}]->(b:Entity {{id: k[1]}}) "
             "DELETE r")
        for rel, pairs in _by_type(now).items():
            self._run(q.format(rel), pairs=pairs)
        if staged:
            for rel, pairs in _by_type(later).items():
                self._defer(q.format(rel), pairs=pairs)
            self._gone_edges.update(later)
        q = "UNWIND $ids AS i MATCH (n:Entity {id: i}) DETACH DELETE n"
        now_ids = plan.del_nodes if not staged else [i for i in plan.del_nodes if i in fresh]
        if now_ids:
            self._run(q, ids=now_ids)
        if staged and (later_ids := [i for i in plan.del_nodes if i not in fresh]):
            self._defer(q, ids=later_ids)
            self._gone.update(later_ids)
        for i in plan.del_nodes:
            for cache in (self._labels, self._eids, self._over_nodes):
                cache.pop(i, None)
            fresh.discard(i)
        for k in plan.del_edges:
            self._fresh_edges.discard(hash(k))
            self._over_edges.pop(k, None)

    def _write_nodes(self, plan: WritePlan) -> None:
        """CREATE the nodes the planner knows are new (no MERGE scan), SET the others."""
        stamps = {"source": plan.source, "updatedAt": plan.stamp}
        mark = {"_stage": self.stage} if self.stage is not None else {}
        by_label: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        ns = plan.node_stamps
        for node, new in zip(plan.nodes, plan.new_nodes, strict=True):
            if new and node.id in self._gone:
                raise ValueError(f"node {node.id!r} is deleted and written again in one bulk "
                                 "write; on Neo4j, write it again in a second one")
            own = {"source": ns[node.id][0], "updatedAt": ns[node.id][1]} if ns else stamps
            props = {**node.props, **own, "id": node.id}
            if not new:  # SET n += (the properties it loses set to null), not SET n = …
                props.update(dict.fromkeys(self._old.get(node.id, {}).keys() - props.keys()))
            if self.stage is not None and not new and node.id not in self._fresh:
                self._over_nodes[node.id] = _strip({k: v for k, v in props.items()
                                                    if k != "id" and v is not None})
                self._defer("UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n += r.p",
                            rows=[{"id": node.id, "p": props}])
                continue
            by_label[(node.label, new)].append({"id": node.id, "p": {**props, **mark}})
        staged = f":{STAGED}" if self.stage is not None else ""
        send = self._sender()
        for (label, new), rows in by_label.items():
            head = (f"CREATE (n:Entity:{label}{staged})" if new else
                    "MATCH (n:Entity {id: r.id})")
            for i in range(0, len(rows), BATCH):
                part = rows[i:i + BATCH]
                self._unread.append((part, send(
                    len(self._unread), f"UNWIND $rows AS r {head} SET n "
                    f"{'=' if new else '+='} r.p RETURN elementId(n) AS e",
                    {"stage": self.stage, "rows": part})))
                # known now, for the planner's next questions; element ids when they come
                self._labels.update(dict.fromkeys((row["id"] for row in part), label))
                if new:
                    self._fresh.update(row["id"] for row in part)
        if self.stage is None:
            self._read_eids()
        self._old.clear()  # only this plan's questions needed it

    def _sender(self) -> Callable[[int, str, dict[str, Any]], Callable[[], Sequence[Any]]]:
        """A function that sends statement ``k`` and gives a getter of its rows. In one
        transaction (direct writes) the statement runs there and then; staged, each commits on
        its own and they run on several sessions at once (graph.neo4j.fanout), statement ``k``
        on sender ``k`` modulo their number, not waited for: the next batch is planned
        meanwhile."""
        if self.stage is None:
            def run(k: int, query: str, params: dict[str, Any]) -> Callable[[], Sequence[Any]]:
                rows = self.tx.run(query, quiet(params)).values()  # type: ignore[union-attr]
                return lambda: rows
            return run
        if self._out is None:
            self._out = Fanout(partial(self.store._session, self._driver, **RETRIES), SESSIONS)
        out = self._out
        return lambda k, query, params: out.send(k % SESSIONS, query, params).result

    def _write_edges(self, plan: WritePlan) -> None:
        """CREATE or SET relationships between nodes found by element id, not waiting for the
        server between statements. Staged: one between two older nodes would be visible at
        once, so it waits for the publishing (with its properties, for later batches)."""
        stamps = {"source": plan.source, "updatedAt": plan.stamp}
        keys = [e.key for e in plan.edges]
        self._read_eids()
        self.labels_of([x for s, _, d in keys for x in (s, d) if x not in self._eids])
        by_rel: dict[tuple[str, bool], list[tuple[Edge, tuple[str, str, str]]]] = {}
        es, eids, fresh = plan.edge_stamps, self._eids, self._fresh

        def row(e: Edge, key: tuple[str, str, str]) -> dict[str, Any]:
            source, at = es[key] if es else (plan.source, plan.stamp)
            return {"s": eids[e.source], "t": eids[e.target],
                    "p": dict(e.props, source=source, updatedAt=at)}

        def lean(e: Edge, key: tuple[str, str, str]) -> dict[str, Any]:
            """A row whose stamps are the statement's (:func:`_edge_statement`)."""
            return {"s": eids[e.source], "t": eids[e.target], "p": e.props}

        sent = row if es else lean  # the same stamps on every row: given once per statement

        pairs = list(zip(plan.edges, keys, strict=True))
        groups = list(zip(map(_TYPE, plan.edges), plan.new_edges, strict=True))
        if self.stage is not None:  # between two older nodes: kept for the publishing
            later = [s not in fresh and d not in fresh for s, _, d in keys]
            for (e, key), (rel, new) in compress(zip(pairs, groups, strict=True), later):
                kept = row(e, key)
                self._over_edges[key] = _strip(kept["p"])
                self._gone_edges.discard(key)
                self._defer(_edge_statement(rel, new), rows=[kept])
            if any(later):
                pairs = list(compress(pairs, map(not_, later)))
                groups = list(compress(groups, map(not_, later)))
        for group in dict.fromkeys(groups):  # a few types: each pass runs in C
            by_rel[group] = list(compress(pairs, map(eq, groups, repeat(group))))
        # each statement's rows are made while the server runs the statement before it
        if self.stage is None:  # one transaction: one session
            for (rel, new), edges in by_rel.items():
                for i in range(0, len(edges), BATCH):
                    self._send(_edge_statement(rel, new, not es), **stamps,
                               rows=[sent(e, key) for e, key in edges[i:i + BATCH]])
        else:  # statements that commit on their own: several at once (graph.neo4j.fanout)
            send = self._sender()
            for (rel, new), edges in by_rel.items():
                parts = split(edges, (e.source for e, _ in edges), SESSIONS)
                for i in range(0, max(map(len, parts)), BATCH):
                    for part, mine in enumerate(parts):
                        if chunk := mine[i:i + BATCH]:
                            send(part, _edge_statement(rel, new, not es),
                                 {**stamps, "rows": [sent(e, key) for e, key in chunk]})
        self._fresh_edges.update(map(hash, compress(keys, plan.new_edges)))

    # -- graph.writeplan.Lookup ----------------------------------------------------------------
    # What this writer sees: published records, its own staged ones, none of another import's
    # staged ones, and not what it has deleted (kept aside until publishing).
    def labels_of(self, ids: Sequence[str]) -> dict[str, str]:
        known = self._labels
        missing = list({i for i in ids if i not in known and i not in self._gone})
        if missing:
            # none of the nodes sent and not yet written is asked about: they are all known
            for r in self._run(f"{PUB}UNWIND $ids AS i MATCH (n:Entity {{id: i}}) "
                               f"WHERE {VIS_MINE_N} RETURN n.id AS id, labels(n) AS labels, "
                               "elementId(n) AS e", ids=missing, after_sent=False):
                known[r["id"]] = _label(r["labels"])
                self._eids[r["id"]] = r["e"]
        return {i: known[i] for i in ids if i in known and i not in self._gone}

    def node_props(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        over = self._over_nodes
        ask = [i for i in ids if i not in over and i not in self._gone]
        out = {i: over[i] for i in ids if i in over}
        if ask:
            # node statements are waited for at the end of each batch: what is still on its
            # way is relationships, which change no node's properties
            rows = self._run(f"{PUB}UNWIND $ids AS i MATCH (n:Entity {{id: i}}) "
                             f"WHERE {VIS_MINE_N} RETURN n.id AS id, properties(n) AS p",
                             ids=ask, after_sent=False)
            out.update({r["id"]: _strip({k: v for k, v in r["p"].items() if k != "id"})
                        for r in rows})
        self._old.update(out)
        return out

    def edge_props(self, keys: Sequence[tuple[str, str, str]]
                   ) -> dict[tuple[str, str, str], dict[str, Any]]:
        """Properties of the edges that exist; an edge between two nodes this writer created
        exists only if this writer created it, so only the others cost a query."""
        fresh, made, over = self._fresh, self._fresh_edges, self._over_edges
        keys = [k for k in keys if k[0] not in fresh or k[2] not in fresh or hash(k) in made]
        out = {k: over[k] for k in keys if k in over}
        for rel, pairs in _by_type([k for k in keys if k not in over]).items():
            if not SCHEMA.has_rel(rel):
                continue
            rows = self._run(f"{PUB}UNWIND $pairs AS k MATCH (a:Entity {{id: k[0]}})-[r:{rel}]->"
                             f"(b:Entity {{id: k[1]}}) WHERE {VIS_MINE_ARB} "
                             "RETURN a.id AS s, b.id AS t, properties(r) AS p", pairs=pairs)
            for r in rows:
                key = (r["s"], rel, r["t"])
                if not self._hidden(key):
                    out[key] = _strip(dict(r["p"]))
        return out

    def _hidden(self, key: tuple[str, str, str]) -> bool:
        """An older edge (or one at an older node) this staged writer has deleted."""
        return key in self._gone_edges or key[0] in self._gone or key[2] in self._gone

    def incident(self, ids: Sequence[str], rel_types: Sequence[str] | None
                 ) -> list[tuple[str, str, str]]:
        ids = [i for i in ids if i not in self._gone]
        if not ids:
            return []
        types = "|".join(rel_types if rel_types is not None else SCHEMA.rel_names)
        rows = self._run(f"{PUB}UNWIND $ids AS i MATCH (n:Entity {{id: i}})-[r:{types}]-"
                         f"(m:Entity) WHERE {VIS_MINE_N} AND {cypher.visible('m', mine=True)} "
                         "RETURN startNode(r).id AS s, type(r) AS t, endNode(r).id AS d",
                         ids=list(ids))
        keys = ((r["s"], r["t"], r["d"]) for r in rows
                if not self._hidden((r["s"], r["t"], r["d"])))
        return list(dict.fromkeys(keys))


_TYPE = attrgetter("type")


def _edge_statement(rel: str, new: bool, stamped: bool = False) -> str:
    """Create (``new``) or update relationships between nodes given by element id.
    ``stamped``: the stamps are the statement's parameters ``$source`` and ``$updatedAt``, not
    in each row's properties (fewer bytes to pack and send, less garbage for the server)."""
    pattern = f"CREATE (a)-[e:{rel}]->(b)" if new else f"MATCH (a)-[e:{rel}]->(b)"
    stamps = ", e.source = $source, e.updatedAt = $updatedAt" if stamped else ""
    return (f"UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r.s MATCH (b) "
            f"WHERE elementId(b) = r.t {pattern} SET e = r.p{stamps}")


def _label(labels: Sequence[str]) -> str:
    return next(lab for lab in labels if lab not in ("Entity", STAGED))


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    """Properties without the staging marker (left on a published import until finalised)."""
    return {k: v for k, v in props.items() if k != "_stage"}


def _known_labels(labels: Sequence[str]) -> list[str]:
    return [lab for lab in labels if lab in SCHEMA.label_names]


def _neighbours_query(way: str, types: str, labels: Sequence[str] | None,
                      first: int | None) -> str:
    """The Cypher of :meth:`Neo4jStore.neighbours` for one direction: one row per id, its
    neighbours collected in a list. A row per neighbour made the driver build a record for
    each (a hub's 182 members: 5.4 ms, against 1.9 ms collected)."""
    return (f"{PUB}UNWIND $ids AS i MATCH (n:Entity {{id: i}}) WHERE {VIS_N} "
            + _collected(way, types, labels, first, "nbs", "first") + " RETURN i, nbs")


def _collected(way: str, types: str, labels: Sequence[str] | None, first: int | None,
               name: str, first_param: str, of: str | None = None) -> str:
    """A subquery binding ``name`` to the neighbours of ``n`` in one direction, as a list of
    maps (``t``, ``rp``, ``labels``, ``p``); only for ``n`` of the label ``of`` if given. Labels
    and types are spliced in from the schema only. With ``first``, the other ends are sorted
    by id and ``$first_param`` kept (``ORDER BY … LIMIT`` per node), so that one round trip
    sends a hub's 20 members rather than all 182 (0.9 ms)."""
    ends = "Entity" if labels is None else "|".join(_known_labels(labels))
    edge = f"-[r:{types}]->(m:{ends})" if way == "out" else f"<-[r:{types}]-(m:{ends})"
    only = "" if of is None else f"WITH n WHERE n:{of} "
    cut = "" if first is None else f"WITH r, m ORDER BY m.id, type(r) LIMIT ${first_param} "
    return (f"CALL (n, pub) {{ {only}MATCH (n){edge} WHERE {cypher.visible('m')} {cut}"
            "RETURN collect({t: type(r), rp: properties(r), labels: labels(m), "
            f"p: properties(m)}}) AS {name} }}")


def _neighbours_of(node_id: str, way: str, collected: list[dict[str, Any]]
                   ) -> Iterator[Neighbour]:
    for r in collected:
        other = _node(r)
        s, d = (node_id, other.id) if way == "out" else (other.id, node_id)
        yield Neighbour(Edge(s, r["t"], d, _clean(r["rp"])), other, way)  # type: ignore[arg-type]


def _node(r: neo4j.Record | dict[str, Any]) -> Node:
    props = _clean(r["p"])
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
    are only logged (the connection may already be shut).

    Any exception is, not only the driver's own: when the server froze and the driver was
    abandoned, closing it on another thread races with this reset of one of its connections,
    and the driver trips in whatever state it finds (``AttributeError`` on a dropped response,
    ``BufferError`` on a buffer being read; both seen in CI). The write has failed either way,
    and the caller is told so by the error it already has.
    """
    try:
        if ntx.closed() is False:
            ntx.rollback()
    except Exception as e:
        log.debug("rollback failed: %s", _first_line(e))
    finally:
        try:
            ntx.close()
        except Exception as e:
            log.debug("closing failed: %s", _first_line(e))
        try:
            session.close()
        except Exception as e:
            _forget(session, e)


def _forget(session: neo4j.Session, error: Exception) -> None:
    """Give up a session whose closing failed on a driver being closed under it: mark it
    closed, so that collecting it does not warn of a session left open (its connection went
    with the driver; a warning in a later, unrelated test failed CI)."""
    log.debug("closing a session of an abandoned driver failed: %s", _first_line(error))
    session._closed = True


def _close_quietly(driver: neo4j.Driver) -> None:
    """Close an abandoned driver (on a thread of its own, so nothing is there to catch)."""
    try:
        driver.close()
    except Exception as e:  # the driver is being thrown away: nothing to do but log
        log.debug("closing an abandoned Neo4j driver failed: %s", _first_line(e))


def _timed_out(e: BaseException) -> bool:
    """Whether a connection failure ends in a timeout (the driver's "failed to read the Bolt
    handshake response" before its deadline: the kernel accepted the connection for a server
    that did not answer), not a refusal or a name that does not resolve. The same frozen
    server then gets the same words whether the driver's deadline or :meth:`Neo4jStore._await`
    fires first (they fall within milliseconds of each other). A TCP connect that times out
    (a firewall dropping packets, a wrong address) is raised ``from None`` by the driver, and
    stays "unreachable" with the driver's "Timed out trying to establish connection"."""
    seen: BaseException | None = e
    for _ in range(10):  # the driver chains two or three
        if seen is None:
            return False
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ if seen.__cause__ is not None else \
            None if seen.__suppress_context__ else seen.__context__
    return False


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
        if _timed_out(e):  # the port took the connection, the server never said hello
            raise StoreUnavailable(f"{where} stopped answering: a new connection got no reply "
                                   "in time (is the server frozen or overloaded?)") from e
        raise StoreUnavailable(f"{where} is unreachable: {_first_line(e)}") from e
    except ConstraintError as e:
        raise StoreBusy(f"{where}: {_first_line(e)} (another write in progress, an import "
                        "perhaps, holds that id; try again when it is done)") from e
    except Neo4jError as e:
        if e.code == "Neo.ClientError.Database.DatabaseNotFound":
            raise ValueError(f"{where}: {e.message or 'no such database'} (the database is "
                             "named by --neo4j-database or COCO_NEO4J_DATABASE)") from None
        if e.code and "MemoryPoolOutOfMemoryError" in e.code:
            raise StoreUnavailable(f"{where} ran out of transaction memory: {_first_line(e)} "
                                   "(give the server more heap, or write smaller batches)") from e
        if e.code and (("Transaction" in e.code and "Terminated" in e.code)
                       or "DatabaseUnavailable" in e.code):
            raise StoreUnavailable(f"{where}: {_first_line(e)}") from e
        raise


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:200].rstrip(" :")
