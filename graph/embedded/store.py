"""The embedded store: a SQLite file (WAL mode) as the durable truth, an in-memory index beside it.

SQLite holds every node and edge with its properties as JSON;
:class:`graph.embedded.memindex.GraphIndex` holds the topology as integer arrays for fast
traversal and projections. A write is validated
whole, committed in one SQLite transaction, and only then applied to the index, so the two never
disagree; if another process commits to the same file, the index is rebuilt on the next call
(SQLite's ``PRAGMA data_version`` tells us).

Several processes may write one file (the server and ``coco import``, two imports): SQLite lets
one writer in at a time (``BEGIN IMMEDIATE`` takes the write lock). A writer takes that lock
first and only then brings its index up to date with what others committed, so it never plans a
write — new rowids above all — from a stale index. While it waits for another process's write it
holds no lock of its own, so this process's readers go on; after ``write_wait`` seconds it gives
up with :class:`~graph.store.StoreBusy`, having written nothing.

Durability: WAL with ``synchronous=NORMAL`` keeps every committed transaction across a crash or a
kill of the process (https://sqlite.org/wal.html); only an OS crash or power loss may lose the last
transactions, never corrupt the file.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from coco_atlas.graph.embedded import sqlfilter
from coco_atlas.graph.embedded.memindex import GraphIndex
from coco_atlas.graph.gcpause import collector_paused
from coco_atlas.graph.query import Filter, Page, SortKey, check_find, decode_cursor, encode_cursor
from coco_atlas.graph.store import (
    Direction,
    Neighbour,
    Store,
    StoreBusy,
    StoreFull,
    Topology,
    Transaction,
    WriteResult,
)
from coco_atlas.graph.timeline import Period, restrict
from coco_atlas.graph.writeplan import EdgeKey, WritePlan, plan_write
from coco_atlas.schema import SCHEMA, Edge, Node, Property, PropType
from coco_atlas.schema.messages import N_, Msg

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS labels (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS rel_types (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS writes (id INTEGER PRIMARY KEY, source TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    idx INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    label INTEGER NOT NULL,
    props TEXT NOT NULL,
    wid INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_label_id ON nodes(label, id);
CREATE INDEX IF NOT EXISTS nodes_wid ON nodes(wid);
CREATE TABLE IF NOT EXISTS deleted (id TEXT NOT NULL, wid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS edges (
    src INTEGER NOT NULL,
    type INTEGER NOT NULL,
    dst INTEGER NOT NULL,
    props TEXT NOT NULL,
    wid INTEGER NOT NULL,
    PRIMARY KEY (src, type, dst)
) WITHOUT ROWID;
"""
FORMAT = 1  # bump when the file layout changes
# Provenance: every node and edge points at the write (source, time) that last touched it. One row
# per write instead of two strings per record makes bulk inserts ~30% cheaper; reads put the
# stamps back into the properties.
SOURCE = "(SELECT source FROM writes WHERE writes.id = wid)"
UPDATED = "(SELECT at FROM writes WHERE writes.id = wid)"
FULL = f"json_set(props, '$.source', {SOURCE}, '$.updatedAt', {UPDATED})"
EDGE_FULL = FULL.replace("props", "e.props").replace("= wid", "= e.wid")  # edges e JOIN nodes
CHUNK = 500  # ids per IN (...) lookup
QUEUED = 4  # batches written by the SQL thread while the next ones are planned
WRITE_WAIT = 600.0  # seconds a write waits for another process's write (an import) by default
LOCK_POLL = 0.05  # seconds between two tries for the write lock
READ_BUSY_MS = 5000  # readers: WAL readers are blocked only briefly (recovery, checkpoints)
_ID, _LABEL, _NODE_PROPS = itemgetter(0), itemgetter(1), itemgetter(2)
_SRC, _TYPE, _DST, _EDGE_PROPS = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3)


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class EmbeddedStore(Store):
    """SQLite + in-memory index; opens or creates ``path`` (default ``./coco.db``).

    ``write_wait``: seconds a write waits for another process's write to end before it raises
    :class:`StoreBusy`; ``on_wait(seconds_waited)`` is called while it waits (progress).
    """

    def __init__(self, path: str | Path = "coco.db", *, write_wait: float = WRITE_WAIT,
                 on_wait: Callable[[float], None] | None = None):
        self.path = Path(path)
        self.write_wait = write_wait
        self.on_wait = on_wait
        self._lock = threading.RLock()
        self._pending: list[Future[None]] = []  # queued writes, in order
        # The integer form of the last edge keys the planner asked about, for the write.
        self._asked: tuple[Sequence[Any], np.ndarray, np.ndarray, np.ndarray] | None = None
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA page_size=16384")  # takes effect only when the file is new
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache
        self._db.execute(f"PRAGMA busy_timeout={READ_BUSY_MS}")
        self._init_schema()
        with self._lock:
            self._load()

    # -- opening -----------------------------------------------------------------------------
    def _init_schema(self) -> None:
        if not self._schema_complete():
            self._create_schema()
        self.label_code = dict(self._db.execute("SELECT name, code FROM labels"))
        self.type_code = dict(self._db.execute("SELECT name, code FROM rel_types"))
        self.label_name = {c: n for n, c in self.label_code.items()}
        self.type_name = {c: n for n, c in self.type_code.items()}

    def _schema_complete(self) -> bool:
        """Whether the file has every table, label and type (then opening needs no write lock,
        and a server can start while an import writes)."""
        try:
            fmt = self._db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
            labels = {n for (n,) in self._db.execute("SELECT name FROM labels")}
            types = {n for (n,) in self._db.execute("SELECT name FROM rel_types")}
        except sqlite3.OperationalError:
            return False  # a new file: no tables yet
        if fmt is not None and fmt[0] != FORMAT:
            raise RuntimeError(_format_error(self.path, fmt[0]))
        tables = {n for (n,) in self._db.execute("SELECT name FROM sqlite_master")}
        return (fmt is not None and labels >= set(SCHEMA.label_names)
                and types >= set(SCHEMA.rel_names) and {"nodes_wid", "deleted"} <= tables
                and self._indexes_current())

    def _indexes_current(self) -> bool:
        """Whether the partial indexes are exactly those the schema asks for (by shape)."""
        wanted = set(self._index_statements())
        have = {n for (n,) in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND (name LIKE ? OR name GLOB "
            "'nodes_[A-Z]*_*')", (sqlfilter.INDEX_PREFIX + "%",))}
        return have == wanted

    def _index_statements(self) -> dict[str, str]:
        codes = dict(self._db.execute("SELECT name, code FROM labels"))
        return {n: sql for label in SCHEMA.label_names
                for n, sql in sqlfilter.index_statements(label, codes[label]).items()}

    def _replace_indexes(self) -> None:
        """Create the partial indexes the schema asks for and drop those of an older shape
        (inside the schema's write transaction)."""
        wanted = self._index_statements()
        for (name,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND (name LIKE ? OR name "
                "GLOB 'nodes_[A-Z]*_*')", (sqlfilter.INDEX_PREFIX + "%",)).fetchall():
            if name not in wanted:
                self._db.execute(f'DROP INDEX "{name}"')
        for statement in wanted.values():
            self._db.execute(statement)

    def _create_schema(self) -> None:
        self._begin_write()
        try:
            for statement in DDL.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            fmt = self._db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
            if fmt is not None and fmt[0] != FORMAT:
                raise RuntimeError(_format_error(self.path, fmt[0]))
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?), ('version', 0)",
                             (FORMAT,))
            for table, names in (("labels", SCHEMA.label_names), ("rel_types", SCHEMA.rel_names)):
                known = {n for (n,) in self._db.execute(f"SELECT name FROM {table}")}
                for name in names:
                    if name not in known:
                        self._db.execute(
                            f"INSERT INTO {table}(code, name) VALUES "
                            f"((SELECT coalesce(max(code) + 1, 0) FROM {table}), ?)", (name,))
            self._replace_indexes()
            self._db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            self._lock.release()

    def _begin_write(self) -> None:
        """Take this process's lock and SQLite's write lock (``BEGIN IMMEDIATE``).

        Tries without SQLite's busy handler and sleeps between tries *without* this process's
        lock, so that readers here go on while another process writes. Raises
        :class:`StoreBusy` after ``write_wait`` seconds, holding nothing.
        """
        started = time.monotonic()
        while True:
            self._lock.acquire()
            try:
                self._db.execute("PRAGMA busy_timeout=0")
                try:
                    self._db.execute("BEGIN IMMEDIATE")
                    return  # holding both locks
                finally:
                    self._db.execute(f"PRAGMA busy_timeout={READ_BUSY_MS}")
            except sqlite3.OperationalError as e:
                self._lock.release()
                if e.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
            except BaseException:
                self._lock.release()
                raise
            waited = time.monotonic() - started
            if waited >= self.write_wait:
                raise StoreBusy(Msg(N_("{store}: another process is writing to this store (an "
                                       "import?); waited {n} s, nothing was written"),
                                    store=str(self.path), n=f"{waited:.1f}"),
                                retry_after=max(1.0, self.write_wait))
            if self.on_wait is not None:
                self.on_wait(waited)
            time.sleep(min(LOCK_POLL, self.write_wait - waited))

    def _rollback(self) -> None:
        """Roll back if a transaction is still open: SQLite ends one by itself on some errors
        (a full disk), and a second ROLLBACK would hide the cause behind 'no transaction'."""
        if self._db.in_transaction:
            # if the connection is gone, the file keeps its last commit anyway
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def _load(self) -> None:
        """Build the in-memory index from the file (the whole reopen cost).

        Nodes, edges and version are read in one read transaction, so they come from one
        snapshot even while another process commits (WAL readers see a fixed point in time).
        ``data_version`` is read before the snapshot: a commit in between makes the next
        :meth:`_fresh` look again rather than miss it.
        """
        data_version = self._db.execute("PRAGMA data_version").fetchone()[0]
        own = not self._db.in_transaction
        if own:
            self._db.execute("BEGIN")
        try:
            index = GraphIndex()
            rows = self._db.execute("SELECT idx, id, label FROM nodes ORDER BY idx").fetchall()
            if rows:
                idxs, ids, labels = zip(*rows, strict=True)
                index.add_nodes(list(idxs), list(ids), list(labels))
            del rows
            cur = self._db.execute("SELECT src, dst, type FROM edges")
            while chunk := cur.fetchmany(1_000_000):
                arr = np.array(chunk, dtype=np.int64)
                index.add_edges(arr[:, 0], arr[:, 1], arr[:, 2])
            version = int(self._meta("version"))
        finally:
            if own:
                self._db.execute("COMMIT")
        self.index, self._version, self._data_version = index, version, data_version

    def _meta(self, key: str) -> Any:
        return self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()[0]

    def _fresh(self) -> None:
        """Reload the index when another connection committed to the file."""
        self._sync()
        dv = self._db.execute("PRAGMA data_version").fetchone()[0]
        if dv != self._data_version:
            if int(self._meta("version")) != self._version:
                self._load()
            self._data_version = dv

    # -- writes ------------------------------------------------------------------------------
    def commit(self, tx: Transaction) -> WriteResult:
        with self.bulk(tx.source) as writer:
            return writer.write(tx)

    @contextmanager
    def bulk(self, source: str) -> Iterator[EmbeddedBulkWriter]:
        """Many batches in one SQLite transaction: all land together or none does.

        Each batch is validated against the store as the earlier batches left it; on any error
        the SQLite transaction rolls back and the index is rebuilt from the file. The write
        lock comes first and the index is refreshed under it: what another process committed
        before is seen, and nothing can commit in between.
        """
        with ThreadPoolExecutor(1, thread_name_prefix="coco-sql") as sql, collector_paused():
            self._begin_write()
            writer = EmbeddedBulkWriter(self, source, sql)
            try:
                self._fresh()
                self._wids: dict[tuple[str, str], int] = {}
                yield writer
                self._sync()
                if writer.batches:
                    self._db.execute("UPDATE meta SET value = value + 1 WHERE key='version'")
                self._db.execute("COMMIT")
                if writer.batches:
                    self._version += 1
                writer.total.version = self._version
            except BaseException as e:
                self._sync(quiet=True)
                self._rollback()
                self._load()  # memory equals the file again, whatever the failure did
                if isinstance(e, sqlite3.OperationalError) and \
                        e.sqlite_errorcode == sqlite3.SQLITE_FULL:
                    raise StoreFull(Msg(N_("{store}: the disk is full ({error}); the write was "
                                           "rolled back, the store is as it was"),
                                        store=str(self.path), error=str(e))) from e
                raise
            finally:
                self._lock.release()

    def _write_plan(self, plan: WritePlan, sql: ThreadPoolExecutor) -> None:
        """Queue the batch's SQL on the writer thread and update the index meanwhile.

        sqlite3 releases the GIL while SQLite works, so planning the next batches overlaps with
        writing this one (a short queue lets slow batches, e.g. nodes with many indexes,
        overlap with several fast ones); every other use of the connection waits for the
        queue first (:meth:`_sync`), and so does the commit, which fails if a write failed.
        """
        rows = self._rows(plan)
        if len(self._pending) >= QUEUED:
            self._pending.pop(0).result()  # bounded: batches wait in memory, not the whole file
        self._pending.append(sql.submit(self._write, rows))
        self._apply(rows)

    def _sync(self, quiet: bool = False) -> None:
        """Wait for the queued writes (re-raising the first error unless ``quiet``)."""
        pending, self._pending = self._pending, []
        error: Exception | None = None
        for write in pending:
            try:
                write.result()
            except Exception as e:
                error = error or e
        if error is not None and not quiet:
            raise error

    def _rows(self, plan: WritePlan) -> _Rows:
        """SQL rows of a plan, column by column; new nodes get the next free rowids."""
        pos, lc, tc = self.index.pos, self.label_code, self.type_code
        rows = _Rows(del_edges=[(pos[s], tc[t], pos[d]) for s, t, d in plan.del_edges],
                     del_nodes=[(pos[i],) for i in plan.del_nodes],
                     wid=self._write_id(plan.source, plan.stamp),
                     own_wids=(bool(plan.node_stamps), bool(plan.edge_stamps)))
        if plan.nodes:
            ids = list(map(_ID, plan.nodes))
            codes = list(map(lc.__getitem__, map(_LABEL, plan.nodes)))
            nxt = self.index.n_slots
            new = plan.new_nodes
            n_new = sum(new)
            if n_new == len(ids):  # a bulk load: every node new, rowids in order
                idxs = list(range(nxt, nxt + n_new))
            else:
                fresh = iter(range(nxt, nxt + n_new))
                idxs = [next(fresh) if is_new else pos[i]
                        for i, is_new in zip(ids, new, strict=True)]
            rows.nodes = list(zip(idxs, ids, codes, map(_NODE_PROPS, plan.nodes), strict=True))
            if plan.node_stamps:  # migrated records keep their own provenance
                rows.nodes = [(*r, self._write_id(*plan.node_stamps[r[1]])) for r in rows.nodes]
            if n_new < len(ids):
                idxs, ids, codes = (list(compress(c, new)) for c in (idxs, ids, codes))
            rows.new_nodes = (idxs, ids, codes)
            if plan.edges:  # early, for the edges (a failed write rebuilds the index anyway)
                pos.update(zip(ids, idxs, strict=True))
        if plan.edges:
            src, typ, dst = self._edge_positions(plan)
            rows.edges = list(zip(src.tolist(), typ.tolist(), dst.tolist(),
                                  map(_EDGE_PROPS, plan.edges), strict=True))
            if plan.edge_stamps:
                rows.edges = [(*r, self._write_id(*plan.edge_stamps[e.key]))
                              for r, e in zip(rows.edges, plan.edges, strict=True)]
            if all(plan.new_edges):
                rows.new_edges = (src, dst, typ)
            else:
                added = np.array(plan.new_edges, dtype=np.bool_)
                rows.new_edges = (src[added], dst[added], typ[added])
        rows.payloads = [orjson.dumps(rows.nodes) if rows.nodes else b"",
                         orjson.dumps(rows.edges) if rows.edges else b""]
        return rows

    def _edge_positions(self, plan: WritePlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(src, type, dst) integer columns of the plan's edges; the ones :meth:`edge_props`
        computed when the planner asked about exactly these keys (the common case)."""
        asked, self._asked = self._asked, None
        if asked is not None and asked[0] is plan.edge_keys:
            return asked[1], asked[2], asked[3]
        pos, tc, n = self.index.pos, self.type_code, len(plan.edges)
        return (np.fromiter(map(pos.__getitem__, map(_SRC, plan.edges)), np.int64, n),
                np.fromiter(map(tc.__getitem__, map(_TYPE, plan.edges)), np.int64, n),
                np.fromiter(map(pos.__getitem__, map(_DST, plan.edges)), np.int64, n))

    def _write_id(self, source: str, stamp: str) -> int:
        """The ``writes`` row of this source and time (inside the open transaction)."""
        wid = self._wids.get((source, stamp))
        if wid is not None:
            return wid
        self._wids[(source, stamp)] = wid = self._new_write_id(source, stamp)
        return wid

    def _new_write_id(self, source: str, stamp: str) -> int:
        """A new ``writes`` row: ids only grow, so ``wid > w`` finds what was written after
        write ``w`` (:meth:`node_changes`), migrated records with old stamps included."""
        self._sync()
        cur = self._db.execute("INSERT INTO writes(source, at) VALUES (?, ?)", (source, stamp))
        return int(cur.lastrowid or 0)

    def _write(self, rows: _Rows) -> None:
        """One statement per table: SQLite unpacks the batch from JSON (json_each) in C, with
        the GIL released, instead of Python binding every row (executemany).

        The JSON is bound as the UTF-8 bytes orjson wrote and cast to text in SQLite (no
        decode to str and encode back), and the write id, the same for every row unless
        migrated records bring their own, is bound once: reading it from each row's JSON,
        past the properties, costs SQLite about a third of an edge insert (measured).
        """
        db = self._db
        db.executemany("DELETE FROM edges WHERE src=? AND type=? AND dst=?", rows.del_edges)
        db.executemany("INSERT INTO deleted SELECT id, ? FROM nodes WHERE idx=?",
                       [(rows.wid, i) for (i,) in rows.del_nodes])
        db.executemany("DELETE FROM nodes WHERE idx=?", rows.del_nodes)
        for table, conflict, payload, own_wids in zip(
                ("nodes", "edges"), ("idx", "src, type, dst"), rows.payloads, rows.own_wids,
                strict=True):
            if payload:
                wid, args = ("value->>4", (payload,)) if own_wids else ("?2", (payload, rows.wid))
                db.execute(f"INSERT INTO {table} SELECT value->>0, value->>1, value->>2, "
                           f"value->3, {wid} FROM json_each(CAST(?1 AS TEXT)) WHERE true ON "
                           f"CONFLICT({conflict}) DO UPDATE SET props=excluded.props, "
                           "wid=excluded.wid", args)

    def _apply(self, rows: _Rows) -> None:
        """Mirror a written batch in the index (rebuilt from the file if the transaction fails)."""
        index = self.index
        for s, t, d in rows.del_edges:
            index.remove_edge(s, d, t)
        for (i,) in rows.del_nodes:
            index.remove_node(i)
        index.add_nodes(*rows.new_nodes)
        if len(rows.new_edges[0]):
            index.add_edges(*rows.new_edges)

    # -- the planner's questions (graph.writeplan.Lookup) --------------------------------------
    def _labels_of(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        idx = np.fromiter(map(self.index.pos.get, ids, repeat(-1)), np.int64, len(ids))
        found = np.flatnonzero(idx >= 0)
        names = [self.label_name.get(c, "") for c in range(128)]
        codes = self.index.labels.view[idx[found]].tolist()
        return dict(zip(map(ids.__getitem__, found.tolist()), map(names.__getitem__, codes),
                        strict=True))

    def _node_props(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        pos = self.index.pos
        found = self._props_by_idx([pos[i] for i in ids if i in pos])
        names = self.index.ids
        # Positions of live nodes: never a freed slot, whose id is None (so are those below).
        return {names[i]: p for i, p in found.items()}  # type: ignore[misc]

    def _edge_props(self, keys: Sequence[tuple[str, str, str]], full: bool = False
                   ) -> dict[tuple[str, str, str], dict[str, Any]]:
        if not keys:
            return {}
        si, ti, di = self._edge_codes(keys, remember=not full)
        return self._existing(keys, si, ti, di, full)

    def _edge_ends(self, keys: Sequence[tuple[str, str, str]]
                  ) -> tuple[list[str | None], list[str | None],
                             dict[tuple[str, str, str], dict[str, Any]]]:
        """:meth:`labels_of` each key's source and target and :meth:`edge_props`, mapping
        every id to its position once (graph.writeplan.EndsLookup)."""
        si, ti, di = self._edge_codes(keys, remember=True)
        labels = self.index.labels.view
        names = [*(self.label_name.get(c) for c in range(128)), None]  # [-1]: no such node

        def named(idx: np.ndarray) -> list[str | None]:
            codes = np.full(len(idx), -1, dtype=np.int64)
            known = idx >= 0
            codes[known] = labels[idx[known]]
            return list(map(names.__getitem__, codes.tolist()))

        return named(si), named(di), self._existing(keys, si, ti, di, False)

    def _edge_codes(self, keys: Sequence[tuple[str, str, str]], remember: bool
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(src, type, dst) positions and codes of edge keys, -1 where unknown; remembered for
        the write of the plan that asked (:meth:`_edge_positions`)."""
        pos, tc, n = self.index.pos, self.type_code, len(keys)
        si = np.fromiter(map(pos.get, map(_SRC, keys), repeat(-1)), np.int64, n)
        di = np.fromiter(map(pos.get, map(_DST, keys), repeat(-1)), np.int64, n)
        ti = np.fromiter(map(tc.get, map(_TYPE, keys), repeat(-1)), np.int64, n)
        if remember:
            self._asked = (keys, si, ti, di)
        return si, ti, di

    def _existing(self, keys: Sequence[tuple[str, str, str]], si: np.ndarray, ti: np.ndarray,
                  di: np.ndarray, full: bool) -> dict[tuple[str, str, str], dict[str, Any]]:
        """Properties of the edges among ``keys`` that exist."""
        known = np.flatnonzero((si >= 0) & (di >= 0) & (ti >= 0))
        found = self.index.find_edges(si[known], di[known], ti[known])
        hits = known[found >= 0].tolist()
        if not hits:
            return {}
        ikeys = {(int(si[i]), int(ti[i]), int(di[i])): keys[i] for i in hits}
        props = self._edge_props_by_idx(list(ikeys), full)
        return {ikeys[k]: p for k, p in props.items()}

    def _incident(self, ids: Sequence[str], rel_types: Sequence[str] | None
                 ) -> list[tuple[str, str, str]]:
        index, names, tn = self.index, self.index.ids, self.type_name
        types = None if rel_types is None else [self.type_code[t] for t in rel_types]
        src, dst, typ = index.src.view, index.dst.view, index.typ.view
        out = []
        for node_id in ids:
            i = index.pos.get(node_id)
            if i is not None:
                for p in index.incident(i, "both", types).tolist():
                    out.append((names[src[p]], tn[int(typ[p])], names[dst[p]]))
        return out

    def _props_by_idx(self, idxs: Sequence[int], full: bool = False) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        if not idxs:
            return out
        self._sync()
        rows: list[tuple[int, str, int]] = []
        for chunk in _chunks(idxs):
            q = f"SELECT idx, props, wid FROM nodes WHERE idx IN ({','.join('?' * len(chunk))})"
            rows.extend(self._db.execute(q, chunk))
        stamps = self._stamps({w for _, _, w in rows}) if full else {}
        for i, p, w in rows:
            out[i] = props = orjson.loads(p)
            if full:
                props["source"], props["updatedAt"] = stamps.get(w, (None, None))
        return out

    def _stamps(self, wids: set[int]) -> dict[int, tuple[str, str]]:
        """``(source, at)`` of writes, to stamp many records read together: one lookup per
        distinct write (a batch's records share a few) instead of two subqueries per row
        (:data:`FULL`, 2.5x the read for a hub's 182 members)."""
        out: dict[int, tuple[str, str]] = {}
        ids = sorted(wids)
        for chunk in _chunks(ids):
            q = f"SELECT id, source, at FROM writes WHERE id IN ({','.join('?' * len(chunk))})"
            out.update((w, (src, at)) for w, src, at in self._db.execute(q, chunk))
        return out

    def _edge_props_by_idx(self, keys: Sequence[tuple[int, int, int]], full: bool = False
                           ) -> dict[tuple[int, int, int], dict[str, Any]]:
        """Props of edges by (src, type, dst) integer keys, in a few round trips."""
        out: dict[tuple[int, int, int], dict[str, Any]] = {}
        self._sync()
        q = ("SELECT e.src, e.type, e.dst, e.props, e.wid FROM json_each(?) j JOIN edges e "
             "ON e.src = json_extract(j.value, '$[0]') AND e.type = json_extract(j.value, '$[1]')"
             " AND e.dst = json_extract(j.value, '$[2]')")
        rows: list[tuple[int, int, int, str, int]] = []
        for i in range(0, len(keys), 10_000):
            chunk = orjson.dumps([list(k) for k in keys[i:i + 10_000]]).decode()
            rows.extend(self._db.execute(q, (chunk,)))
        stamps = self._stamps({r[4] for r in rows}) if full else {}
        for s, t, d, p, w in rows:
            out[(s, t, d)] = props = orjson.loads(p)
            if full:
                props["source"], props["updatedAt"] = stamps.get(w, (None, None))
        return out

    # -- reads -------------------------------------------------------------------------------
    def node_changes(self, since: int | None) -> tuple[int, list[Node], list[str]]:
        """Nodes written and ids deleted after write ``since`` (all of them, in one read
        snapshot), and the write to ask from next time; ``since=None`` asks only for that."""
        with self._lock:
            self._sync()
            own = not self._db.in_transaction
            if own:
                self._db.execute("BEGIN")
            try:
                last = int(self._db.execute("SELECT coalesce(max(id), 0) FROM writes")
                           .fetchone()[0])
                if since is None:
                    return last, [], []
                nodes = [Node(i, self.label_name[lab], orjson.loads(p)) for i, lab, p in
                         self._db.execute(f"SELECT id, label, {FULL} FROM nodes WHERE wid > ?",
                                          (since,))]
                deleted = [i for (i,) in self._db.execute(
                    "SELECT id FROM deleted WHERE wid > ?", (since,))]
            finally:
                if own:
                    self._db.execute("COMMIT")
        return last, nodes, deleted

    @property
    def version(self) -> int:
        with self._lock:
            self._fresh()
            return self._version

    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        with self._lock:
            self._fresh()
            pos = self.index.pos
            idxs = [pos[i] for i in ids if i in pos]
            return {n.id: n for n in self._nodes_by_idx(idxs)}

    def _nodes_by_idx(self, idxs: Sequence[int]) -> list[Node]:
        out: list[Node] = []
        for chunk in _chunks(idxs):
            q = f"SELECT id, label, {FULL} FROM nodes WHERE idx IN ({','.join('?' * len(chunk))})"
            out.extend(Node(i, self.label_name[lab], orjson.loads(p))
                       for i, lab, p in self._db.execute(q, chunk))
        return out

    def get_edges(self, keys: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], Edge]:
        with self._lock:
            self._fresh()
            return {k: Edge(*k, p) for k, p in self._edge_props(keys, full=True).items()}

    def find(self, label: str, where: Filter | None = None, order_by: Sequence[SortKey] = (),
             first: int = 50, after: str | None = None, *, count: bool = True) -> Page[Node]:
        check_find(label, where, order_by, first)
        terms = sqlfilter.sort_terms(order_by, label)
        params: list[Any] = []
        cond = sqlfilter.compile_filter(label, where, params)
        count_params = list(params)
        if after is not None:
            values = decode_cursor(after, len(terms) - 1)
            cond += " AND " + sqlfilter.keyset(terms, values, params)
        cols = ", ".join(e for e, _ in terms)
        code = int(self.label_code[label])  # a literal, so that partial indexes apply
        sql = (f"SELECT id, {FULL}, {cols} FROM nodes WHERE label = {code} AND {cond} "
               f"ORDER BY {sqlfilter.order_clause(terms)} LIMIT ?")
        with self._lock:
            self._fresh()
            rows = self._db.execute(sql, [*params, first + 1]).fetchall()
            total = self._count(label, where, count_params) if count else None
        has_next = len(rows) > first
        rows = rows[:first]
        cursors = [encode_cursor(r[2:]) for r in rows]
        items = [Node(r[0], label, orjson.loads(r[1])) for r in rows]
        return Page(items, total, has_next, cursors[-1] if cursors else None, cursors)

    def count(self, label: str, where: Filter | None = None) -> int:
        check_find(label, where, (), 0)
        params: list[Any] = []
        sqlfilter.compile_filter(label, where, params)
        with self._lock:
            self._fresh()
            return self._count(label, where, params)

    def _count(self, label: str, where: Filter | None, params: list[Any]) -> int:
        cond = sqlfilter.compile_filter(label, where, [])
        sql = f"SELECT count(*) FROM nodes WHERE label = {int(self.label_code[label])} AND {cond}"
        return int(self._db.execute(sql, params).fetchone()[0])

    def neighbours(self, ids: Sequence[str], rel_types: Sequence[str] | None = None,
                   direction: Direction = "out", *, labels: Sequence[str] | None = None,
                   first: int | None = None) -> dict[str, list[Neighbour]]:
        with self._lock:
            self._fresh()
            index = self.index
            types = None if rel_types is None else [self.type_code[t] for t in rel_types]
            src, dst, typ = index.src.view, index.dst.view, index.typ.view
            wanted: list[tuple[str, int, int, int, Any]] = []  # (id, src, type, dst, direction)
            known = [(node_id, index.pos[node_id]) for node_id in dict.fromkeys(ids)
                     if node_id in index.pos]
            idxs = np.fromiter((i for _, i in known), dtype=np.int64, count=len(known))
            # one vectorised gather for the whole batch (a page's parents), not one per node
            for way, which, found in index.incident_many(idxs, direction, types):
                for k, s, t, d in zip(which.tolist(), src[found].tolist(),
                                      typ[found].tolist(), dst[found].tolist(), strict=True):
                    wanted.append((known[k][0], s, t, d, way))
            if labels is not None:
                codes = {self.label_code[lab] for lab in labels if lab in self.label_code}
                ends = index.labels.view
                wanted = [w for w in wanted if int(ends[w[3] if w[4] == "out" else w[1]]) in codes]
            if first is not None:
                wanted = self._first_each(wanted, first)
            props = self._edge_props_by_idx([(s, t, d) for _, s, t, d, _ in wanted], full=True)
            others = self._props_by_idx(sorted({d if w == "out" else s
                                                for _, s, _, d, w in wanted}), full=True)
            names, tn, codes_of = index.ids, self.type_name, index.labels.view
            out: dict[str, list[Neighbour]] = {i: [] for i in ids}
            for node_id, s, t, d, way in wanted:
                o = d if way == "out" else s
                other = Node(names[o], self.label_name[int(codes_of[o])], others[o])  # type: ignore[arg-type]
                edge = Edge(names[s], tn[t], names[d], props[(s, t, d)])  # type: ignore[arg-type]
                out[node_id].append(Neighbour(edge, other, way))
            return out

    def _first_each(self, wanted: list[tuple[str, int, int, int, Any]], first: int
                    ) -> list[tuple[str, int, int, int, Any]]:
        """The first ``first`` rows of each id in :func:`neighbour_order`, before any
        property is read (a hub's 20 members out of 182 read 20 nodes, not 182)."""
        names, tn = self.index.ids, self.type_name

        def order(w: tuple[str, int, int, int, Any]) -> tuple[str, str, bool]:
            return str(names[w[3] if w[4] == "out" else w[1]]), tn[w[2]], w[4] == "in"

        by_id: dict[str, list[tuple[str, int, int, int, Any]]] = defaultdict(list)
        for w in wanted:
            by_id[w[0]].append(w)
        return [w for rows in by_id.values() for w in sorted(rows, key=order)[:first]]

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            self._fresh()
            lc, tc = self.index.label_counts(), self.index.type_counts()
            return {
                "labels": {n: int(lc[self.label_code[n]]) for n in SCHEMA.label_names},
                "relationships": {n: int(tc[self.type_code[n]]) for n in SCHEMA.rel_names},
            }

    def iter_nodes(self, label: str | None = None, batch: int = 10_000) -> Iterator[Node]:
        last = -1
        while True:
            with self._lock:
                q = f"SELECT idx, id, label, {FULL} FROM nodes WHERE idx > ?"
                args: list[Any] = [last]
                if label is not None:
                    q += " AND label = ?"
                    args.append(self.label_code[label])
                rows = self._db.execute(q + " ORDER BY idx LIMIT ?", [*args, batch]).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for _, i, lab, p in rows:
                yield Node(i, self.label_name[lab], orjson.loads(p))

    def iter_edges(self, rel: str | None = None, batch: int = 10_000) -> Iterator[Edge]:
        """Edges in key order, their ends' ids read with them from the file (not from the
        index, which may not know yet the nodes another process just wrote)."""
        last: tuple[int, int, int] = (-1, -1, -1)
        while True:
            q = (f"SELECT e.src, e.type, e.dst, s.id, d.id, {EDGE_FULL} "
                 "FROM edges e JOIN nodes s ON s.idx = e.src JOIN nodes d ON d.idx = e.dst "
                 "WHERE (e.src, e.type, e.dst) > (?, ?, ?)")
            args: list[Any] = list(last)
            if rel is not None:
                q += " AND e.type = ?"
                args.append(self.type_code[rel])
            with self._lock:
                self._sync()
                rows = self._db.execute(q + " ORDER BY e.src, e.type, e.dst LIMIT ?",
                                        [*args, batch]).fetchall()
            if not rows:
                return
            last = rows[-1][:3]
            new, names, loads = tuple.__new__, self.type_name, orjson.loads
            for _, t, _, s, d, p in rows:  # a tuple, not NamedTuple's slower __new__
                yield new(Edge, (s, names[t], d, loads(p)))

    def topology(self, labels: Sequence[str] | None = None,
                 rel_types: Sequence[str] | None = None, *,
                 during: Period | None = None) -> Topology:
        topo = self._topology(labels, rel_types)
        return topo if during is None else restrict(self, topo, during)

    def _topology(self, labels: Sequence[str] | None,
                  rel_types: Sequence[str] | None) -> Topology:
        with self._lock:
            self._fresh()
            index = self.index
            # store codes -> schema positions (codes are fixed per file, the schema may grow)
            to_label = np.full(128, -1, dtype=np.int8)
            for name, code in self.label_code.items():
                if name in SCHEMA.label_names:
                    to_label[code] = SCHEMA.label_names.index(name)
            to_type = np.full(128, -1, dtype=np.int8)
            for name, code in self.type_code.items():
                if name in SCHEMA.rel_names:
                    to_type[code] = SCHEMA.rel_names.index(name)
            lab = index.labels.view
            keep = lab >= 0
            if labels is not None:
                keep &= np.isin(lab, [self.label_code[x] for x in labels])
            slots = np.flatnonzero(keep)
            position = np.full(len(lab) + 1, -1, dtype=np.int64)
            position[slots] = np.arange(len(slots))
            src, dst, typ = index.src.view, index.dst.view, index.typ.view
            live = index.alive.view & keep[src] & keep[dst]
            if rel_types is not None:
                live &= np.isin(typ, [self.type_code[x] for x in rel_types])
            e = np.flatnonzero(live)
            ids = index.ids
            return Topology([ids[i] for i in slots.tolist()],  # type: ignore[misc]  # live slots
                            to_label[lab[slots]], position[src[e]], position[dst[e]],
                            to_type[typ[e]], self._version)

    def property_values(self, prop: str, labels: Sequence[str] | None = None
                        ) -> dict[str, Any]:
        expr = sqlfilter.prop_expr(prop)
        sql = f"SELECT id, {expr} FROM nodes WHERE {expr} IS NOT NULL"
        args: list[Any] = []
        if labels is not None:
            sql += f" AND label IN ({','.join('?' * len(labels))})"
            args = [self.label_code[x] for x in labels]
        with self._lock:
            self._fresh()
            values = dict(self._db.execute(sql, args))
        types = {p.type for p in _props_named(prop)}
        if PropType.BOOL in types:
            values = {k: bool(v) for k, v in values.items()}  # json_extract gives 1/0
        elif PropType.STRING_LIST in types:  # json_extract gives a list as its JSON text
            values = {k: orjson.loads(v) if isinstance(v, str) else v for k, v in values.items()}
        return values

    def edge_property_values(self, prop: str, rel: str) -> dict[tuple[str, str], Any]:
        code = self.type_code.get(rel)
        if code is None:
            return {}
        path = "$." + json.dumps(prop)
        sql = ("SELECT s.id, d.id, json_extract(e.props, ?) AS v FROM edges e "
               "JOIN nodes s ON s.idx = e.src JOIN nodes d ON d.idx = e.dst "
               "WHERE e.type = ? AND v IS NOT NULL")
        with self._lock:
            self._sync()
            rows = self._db.execute(sql, (path, code)).fetchall()
        return {(a, b): v for a, b, v in rows}

    def close(self) -> None:
        with self._lock:
            self._sync(quiet=True)
            self._db.close()


@dataclass
class _Rows:
    """One batch as SQL rows (``nodes``, ``edges``, JSON ``payloads``) and as what the index
    adds: the new nodes' (rowids, ids, label codes), the new edges' (src, dst, type) arrays."""

    del_edges: list[tuple[int, int, int]]
    del_nodes: list[tuple[int]]
    wid: int  # the write of every row, unless rows carry their own (migrated records):
    own_wids: tuple[bool, bool]  # (nodes, edges) rows end with their write id
    nodes: list[Any] = field(default_factory=list)
    edges: list[Any] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)
    new_nodes: tuple[list[int], list[str], list[int]] = ([], [], [])
    new_edges: tuple[np.ndarray, ...] = (np.empty(0, np.int64),) * 3


class PlannerLookup:
    """What the write planner (:func:`graph.writeplan.plan_write`) reads of the stored graph:
    labels, properties, ends and incident edges of the records a write touches. Its own object,
    so these low-level reads are not part of the store's public surface."""

    def __init__(self, store: EmbeddedStore):
        self._store = store

    def labels_of(self, ids: Sequence[str]) -> dict[str, str]:
        return self._store._labels_of(ids)

    def node_props(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self._store._node_props(ids)

    def edge_props(self, keys: Sequence[EdgeKey]) -> dict[EdgeKey, dict[str, Any]]:
        return self._store._edge_props(keys)

    def edge_ends(self, keys: Sequence[EdgeKey]) -> tuple[
            list[str | None], list[str | None], dict[EdgeKey, dict[str, Any]]]:
        return self._store._edge_ends(keys)

    def incident(self, ids: Sequence[str], rel_types: Sequence[str] | None) -> list[EdgeKey]:
        return self._store._incident(ids, rel_types)


class EmbeddedBulkWriter:
    """Writes batches inside :meth:`EmbeddedStore.bulk`; ``total`` sums what they did."""

    def __init__(self, store: EmbeddedStore, source: str, sql: ThreadPoolExecutor):
        self.store = store
        self.sql = sql
        self.source = source
        self.stamp = now_stamp()
        self.total = WriteResult()
        self.batches = 0
        self.dirty = False

    def write(self, tx: Transaction) -> WriteResult:
        plan = plan_write(PlannerLookup(self.store), tx, self.stamp)  # raises ValidationError
        self.dirty = True  # from here on a failure must rebuild the index from the file
        self.store._write_plan(plan, self.sql)
        self.batches += 1
        for name in ("nodes_created", "nodes_updated", "edges_created", "edges_updated",
                     "nodes_deleted", "edges_deleted"):
            setattr(self.total, name, getattr(self.total, name) + getattr(plan.result, name))
        return self.total


def _props_named(name: str) -> list[Property]:
    return [props[name] for label in SCHEMA.label_names
            if name in (props := SCHEMA.node_properties(label))]


def _chunks(seq: Sequence[int]) -> Iterator[list[int]]:
    seq = list(seq)
    for i in range(0, len(seq), CHUNK):
        yield seq[i:i + CHUNK]


def _format_error(path: Any, found: Any) -> str:
    return Msg(N_("{store}: store format {found}, this version reads {format}"), store=str(path),
               found=found, format=FORMAT)
