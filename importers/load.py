"""Writing imported records into a store: all or nothing, idempotent, every problem reported.

The records of all inputs arrive as :class:`~importers.records.Chunk` s (blocks of up to 50k
rows), nodes before edges. Each chunk is one batch of one :meth:`Store.bulk` transaction, so the
store validates it against the schema and against what earlier chunks wrote. A chunk the store
rejects is not the end: its problems are translated to file/row/column, the rejected records are
set aside and the rest is written, so that the problems of *all* rows are found in one run. If
anything was wrong the transaction rolls back at the end and nothing is written.

Idempotent: a record whose values already stand in the store is not written again, so
re-importing a file changes nothing (not even provenance or the store's version).
``dry_run`` does everything, counts what would change, and rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Protocol

from coco_atlas.graph.duplicates import Candidate, import_candidates, import_notes
from coco_atlas.graph.store import Store, Transaction, WriteResult
from coco_atlas.importers.errors import ImportFailed, Location, Problems
from coco_atlas.importers.mapping import Mapping, Role
from coco_atlas.importers.records import GENERIC, Chunk, ChunkBuilder, Dialect, Resolver, Table
from coco_atlas.schema import SCHEMA, ValidationError
from coco_atlas.schema.messages import N_, Join, Msg, Num, either, lazy
from coco_atlas.schema.records import edge_where, node_where
from coco_atlas.schema.validate import RECOMMENDED, REQUIRED

_STORED = Msg(N_("(data already in the store)"))  # where a problem of stored data is
_KEY = itemgetter(0, 1, 2)
_ID, _LABEL, _TYPE = itemgetter(0), itemgetter(1), itemgetter(1)
_UNWEIGHTED = frozenset(r for r in SCHEMA.rel_names if "weight" not in SCHEMA.rel_properties(r))


class Progress(Protocol):
    """What an import tells a progress bar: bytes read of each input, records written."""

    def read(self, file: str, done: int, total: int) -> None: ...

    def wrote(self, what: str, records: int) -> None: ...


@dataclass
class Input:
    """One input of an import: its blocks of rows, what they hold and how to read them."""

    role: Role
    tables: Iterable[Table]
    dialect: Dialect = GENERIC
    resolve: Resolver | None = None


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    dry_run: bool = False
    nodes_created: int = 0
    nodes_changed: int = 0
    nodes_unchanged: int = 0
    edges_created: int = 0
    edges_changed: int = 0
    edges_unchanged: int = 0
    nodes_left_out: int = 0
    edges_left_out: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return (self.nodes_created + self.nodes_changed + self.nodes_unchanged
                + self.edges_created + self.edges_changed + self.edges_unchanged)

    def summary(self) -> str:
        """What changed, one line worded where shown (a :class:`~schema.messages.Msg`)."""
        counts = {"created": Num(self.nodes_created), "changed": Num(self.nodes_changed),
                  "unchanged": Num(self.nodes_unchanged),
                  "edges_created": Num(self.edges_created),
                  "edges_changed": Num(self.edges_changed),
                  "edges_unchanged": Num(self.edges_unchanged)}
        text = Msg(N_("nodes: {created} would create, {changed} would change, {unchanged} "
                      "unchanged; edges: {edges_created} would create, {edges_changed} would "
                      "change, {edges_unchanged} unchanged") if self.dry_run else
                   N_("nodes: {created} created, {changed} changed, {unchanged} unchanged; "
                      "edges: {edges_created} created, {edges_changed} changed, "
                      "{edges_unchanged} unchanged"), **counts)
        if self.nodes_left_out or self.edges_left_out:
            return Join(text, Msg(N_("; left out as the mapping says: {nodes} nodes, {edges} "
                                     "edges"), nodes=Num(self.nodes_left_out),
                                  edges=Num(self.edges_left_out)))
        return text


class _DryRun(Exception):
    """Raised inside the bulk write to roll it back after counting."""


def run_import(store: Store, inputs: Sequence[Input], *, mapping: Mapping, problems: Problems,
               source: str, dry_run: bool = False, progress: Progress | None = None,
               what: str = N_("the import"), strict: bool = False) -> ImportReport:
    """Read every input (nodes before edges) and :func:`load` what they hold."""
    problems.raise_if_any(what)  # a broken mapping would make every row look wrong

    def chunks() -> Iterator[Chunk]:
        for role in ("nodes", "edges"):
            for inp in inputs:
                if inp.role == role:
                    builder = ChunkBuilder(inp.role, inp.dialect, mapping, problems, inp.resolve)
                    for table in inp.tables:
                        if table.rows:
                            yield builder.build(table)

    return load(store, chunks(), problems, source=source, dry_run=dry_run, progress=progress,
                what=what, strict=strict)


def load(store: Store, chunks: Iterable[Chunk], problems: Problems, *, source: str,
         dry_run: bool = False, progress: Progress | None = None,
         what: str = N_("the import"), strict: bool = False) -> ImportReport:
    """Write ``chunks`` (nodes first) in one transaction; raise :class:`ImportFailed` with every
    problem, the parse problems in ``problems`` included, and write nothing if there is one.

    A node without a recommended property (a hub's country) is written with it unknown;
    ``strict`` refuses it instead, as imports did before recommended properties existed."""
    loader = _Loader(store, problems, source, progress, strict)
    report = ImportReport(source, dry_run)
    incoming: list[Candidate] = []
    try:  # the store's bulk pauses the cyclic garbage collector (graph.gcpause)
        with store.bulk(source) as writer:
            loader.writer = writer
            for chunk in chunks:
                if dry_run and chunk.kind == "nodes":  # likely duplicates, graph/duplicates.py
                    incoming.extend(import_candidates(chunk.records))
                loader.add(chunk)
            if problems:
                raise ImportFailed(_sorted(problems, loader.column_order()), what)
            loader.fill(report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.notes.extend(import_notes(store, incoming))  # the same actor, another id
    return report


def _sorted(problems: Problems, columns: dict[tuple[str, str], int]) -> list[Any]:
    """Problems in file order, then row, then the row's columns left to right (a cell the
    reader could not convert and a value the schema refuses read as one row of the file)."""
    files: dict[str, int] = {}
    for p in problems.items:
        files.setdefault(p.where.file, len(files))
    return sorted(problems.items, key=lambda p: (
        files[p.where.file], p.where.sheet or "", p.where.array,
        p.where.row if p.where.row is not None else -1,
        columns.get((p.where.file, p.where.column or ""), -1)))


def _located(chunk: Chunk, i: int, p: Any) -> tuple[Location, str, Any]:
    """A store problem of record ``i`` at its file, row and column."""
    where = chunk.locate(i, p.field)
    expected = p.expected
    need = expected.message if isinstance(expected, Msg) and expected.message in (
        REQUIRED, RECOMMENDED) else None
    strict = need == RECOMMENDED
    if where.column is None and need:
        expected = Msg(N_("a value for {field} (--strict), which the file has no column for: "
                          "{what}") if strict else
                       N_("a value for {field}, which the file has no column for: {what}"),
                       field=repr(p.field), what=expected.values["what"])
    elif where.column is None and p.field:
        expected = Join(p.field, " ", expected)
    elif need:
        expected = Msg(N_("a value (--strict): {what}") if strict else N_("a value: {what}"),
                       what=expected.values["what"])
    return where, expected, p.got


class _Loader:
    """Writes chunk after chunk (each one batch), keeping what the import has seen."""

    def __init__(self, store: Store, problems: Problems, source: str,
                 progress: Progress | None, strict: bool = False):
        self.store, self.problems, self.source, self.progress = store, problems, source, progress
        self.strict = strict
        self.writer: Any = None
        self.total = WriteResult()
        self.unchanged = {"nodes": 0, "edges": 0}
        self.left_out_edges = 0
        self.seen: set[Any] = set()  # every key so far
        self.places: list[Chunk] = []  # chunks without their records, to name a row later
        self.keys: list[list[Any]] = []  # the keys of each of those chunks
        self.first: dict[Any, tuple[int, int]] | None = None  # key -> (chunk, row), on demand
        self.done = 0
        self.imported: list[tuple[list[str], list[str]]] = []  # ids and labels of node chunks
        self.labels: dict[str, str] | None = None  # built from them when a type is inferred
        # Labels and types the store held before: a record of another one cannot be there
        # already (this import gives every key once), so checking for it can be skipped.
        counts = store.counts()
        self.held = {k for part in ("labels", "relationships")
                     for k, n in counts[part].items() if n}

    def add(self, chunk: Chunk) -> None:
        kind = chunk.kind
        keys = list(map(_ID, chunk.records)) if kind == "nodes" else \
            list(map(_KEY, chunk.records))
        chunk = self._unique(chunk, keys)
        if kind == "nodes":
            self.imported.append((list(map(_ID, chunk.records)),
                                  list(map(_LABEL, chunk.records))))
        else:
            chunk = self._prepare_edges(chunk)
        chunk = self._changed(chunk)
        self._write(chunk)
        self.done += len(chunk.records)
        if self.progress:
            self.progress.wrote(kind, self.done)

    def _unique(self, chunk: Chunk, keys: list[Any]) -> Chunk:
        """The chunk without records whose key this import has seen; those are problems."""
        seen = self.seen
        every = chunk.all_keys if chunk.all_keys is not None else keys
        place = chunk if chunk.all_rows is None else Chunk(
            chunk.kind, [], chunk.all_rows, chunk.where, chunk.columns)
        self.places.append(Chunk(chunk.kind, [], place.rows, chunk.where, chunk.columns))
        self.keys.append(every)
        if self.first is None and chunk.all_keys is None:
            before = len(seen)
            seen.update(keys)
            if len(seen) == before + len(keys):  # all new and distinct: the common case
                return chunk
        first = self._index()  # a duplicate, maybe: from now on keep where each key came first
        here = len(self.places) - 1
        again = set()
        for i, key in enumerate(every):
            if key is None:
                continue
            there = first.setdefault(key, (here, i))
            if there == (here, i):
                continue
            self._duplicate(place, i, key, self.places[there[0]], there[1])
            again.add(key)
        seen.update(k for k in every if k is not None)
        if not again:
            return chunk
        if chunk.kind == "nodes":
            self.problems.bad_nodes.update(again)
        at = chunk.kept if chunk.kept is not None else range(len(keys))
        return chunk.subset([i for i, (key, j) in enumerate(zip(keys, at, strict=True))
                             if key not in again or first[key] == (here, j)])

    def _index(self) -> dict[Any, tuple[int, int]]:
        """Where each key came first, built once (only imports with a duplicate pay for it)."""
        if self.first is None:
            self.first = {}
            for c, keys in enumerate(self.keys[:-1]):
                for i, key in enumerate(keys):
                    self.first.setdefault(key, (c, i))
        return self.first

    def _duplicate(self, chunk: Chunk, i: int, key: Any, other: Chunk, j: int) -> None:
        """Two rows with one key: a user's mistake (upserting both would hide it); name both."""
        there = other.locate(j)
        there_text = there.message(file=there.file != chunk.where.file
                                   or there.sheet != chunk.where.sheet)
        if chunk.kind == "nodes":
            by_label = chunk.columns.get("id") == chunk.columns.get("name")
            what = N_("a label used only once (or an ID column), but {there} has it too") \
                if by_label else N_("an id used only once, but {there} has it too")
            self.problems.add(chunk.locate(i, "id"), Msg(what, there=there_text), key)
        else:
            self.problems.add(chunk.locate(i), Msg(
                N_("a connection given only once, but {there} has it too"), there=there_text),
                " ".join(key))

    # -- edges -------------------------------------------------------------------------------
    def _prepare_edges(self, chunk: Chunk) -> Chunk:
        """Leave out edges at nodes the mapping left out; infer missing types; drop the
        weight 1.0 that Gephi gives every edge where the type has no weight."""
        records = chunk.records
        skipped = self.problems.skipped_nodes
        if skipped:
            keep = [i for i, e in enumerate(records)
                    if e.source not in skipped and e.target not in skipped]
            self.left_out_edges += len(records) - len(keep)
            chunk = chunk.subset(keep)
            records = chunk.records
        types = list(map(_TYPE, records))
        if "" in types:
            chunk = self._infer_types(chunk, types)
            records = chunk.records
            types = list(map(_TYPE, records))
        unweighted = _UNWEIGHTED.intersection(types)
        if unweighted and "weight" in chunk.columns:
            for i, e in enumerate(records):
                if e.type in unweighted and e.props.get("weight") == 1.0:
                    records[i] = e._replace(props={k: v for k, v in e.props.items()
                                                   if k != "weight"})
        return chunk

    def _infer_types(self, chunk: Chunk, types: list[str]) -> Chunk:
        records = chunk.records
        untyped = [i for i, t in enumerate(types) if not t]
        if self.labels is None:  # all nodes come before any edge
            self.labels = {i: lab for ids, labels in self.imported
                           for i, lab in zip(ids, labels, strict=True)}
        ends = {x for i in untyped for x in (records[i].source, records[i].target)}
        found = {x: self.labels[x] for x in ends if x in self.labels}
        found.update((n.id, n.label) for n in self.store.get_nodes(
            sorted(ends - found.keys())).values())
        failed = set()
        for i in untyped:
            e = records[i]
            a, b = found.get(e.source), found.get(e.target)
            fits = [r.name for r in SCHEMA.rels_between(a, b)
                    if not r.same_label or a == b] if a and b else []
            if len(fits) == 1:
                records[i] = e._replace(type=fits[0])
                continue
            failed.add(i)
            if not (a and b):
                continue  # reported as a missing node (or the node has its own problem)
            what = (Msg(N_("a relationship type: {types} could join {a} and {b}"),
                        types=either(fits), a=a, b=b)
                    if fits else Msg(N_("a pair of nodes some relationship joins, not {a} → {b}"),
                                     a=a, b=b))
            self.problems.add(chunk.locate(i, "type"), what)
        bad = self.problems.bad_nodes
        for i in failed:
            e = records[i]
            for end in (e.source, e.target):
                if end not in found and end not in bad:
                    self.problems.add(chunk.locate(i, "source" if end == e.source else
                                                   "target"), N_("the id of an existing node"), end)
        if not failed:
            return chunk
        return chunk.subset([i for i in range(len(records)) if i not in failed])

    # -- writing -----------------------------------------------------------------------------
    def _changed(self, chunk: Chunk) -> Chunk:
        """The chunk without records whose values already stand in the store."""
        records = chunk.records
        getter = _LABEL if chunk.kind == "nodes" else _TYPE
        if self.held.isdisjoint(map(getter, records)):
            return chunk
        if chunk.kind == "nodes":
            keys = list(map(_ID, records))
            old: dict[Any, Any] = self.store.get_nodes(keys)
        else:
            keys = list(map(_KEY, records))
            old = self.store.get_edges(keys)
        if not old:
            return chunk
        keep = []
        for i, (key, rec) in enumerate(zip(keys, records, strict=True)):
            prev = old.get(key)
            if prev is not None and getattr(prev, "label", None) == getattr(rec, "label", None) \
                    and all(prev.props.get(k) == v for k, v in rec.props.items()):
                self.unchanged[chunk.kind] += 1
            else:
                keep.append(i)
        return chunk.subset(keep)

    def _write(self, chunk: Chunk) -> None:
        """Write a chunk; on a ValidationError record its problems, set the records it names
        aside and write the rest (so later chunks see what this one would have written)."""
        for _ in range(4):
            if not chunk.records:
                return
            tx = Transaction(self.source, strict=self.strict)
            if chunk.kind == "nodes":
                tx.nodes = chunk.records
            else:
                tx.edges = chunk.records
            try:
                self.total = self.writer.write(tx)
                return
            except ValidationError as e:
                chunk = self._set_aside(chunk, e)
        if chunk.kind == "nodes":  # give up on what is left; the problems are recorded
            self.problems.bad_nodes.update(map(_ID, chunk.records))

    def _set_aside(self, chunk: Chunk, error: ValidationError) -> Chunk:
        records = chunk.records
        if chunk.kind == "nodes":
            index = {node_where(r.id, r.label): k for k, r in enumerate(records)}
        else:
            index = {edge_where(r.source, r.type, r.target): k for k, r in enumerate(records)}
        spoiled: set[int] = set()
        for p in error.problems:
            k = index.get(p.where)
            if k is None:
                self.problems.add(Location(_STORED), Msg(N_("{expected} ({where}, field "
                                                            "{field})"),
                                                         expected=lazy(p.expected),
                                                         where=p.where, field=repr(p.field)),
                                  p.got)
                continue
            spoiled.add(k)
            if self._cascade(chunk.kind, p, records[k]) or chunk.reported(k, p.field):
                continue  # reported already: the node's own problem, or an unreadable cell
            self.problems.add(*_located(chunk, k, p))
        if not spoiled:
            return chunk.subset([])
        if chunk.kind == "nodes":
            self.problems.bad_nodes.update(records[k].id for k in spoiled)
        return chunk.subset([k for k in range(len(records)) if k not in spoiled])

    def _cascade(self, kind: str, problem: Any, record: Any) -> bool:
        """An edge to a node that has its own problem: that problem is the one to report."""
        if kind != "edges" or problem.field not in ("source", "target"):
            return False
        return getattr(record, problem.field) in self.problems.bad_nodes

    def column_order(self) -> dict[tuple[str, str], int]:
        """(file, column) -> the column's place among the fields read from that file."""
        order: dict[tuple[str, str], int] = {}
        for chunk in self.places:
            for k, column in enumerate(chunk.columns.values()):
                order.setdefault((chunk.where.file, column), k)
        return order

    def fill(self, report: ImportReport) -> None:
        t = self.total
        report.nodes_created, report.nodes_changed = t.nodes_created, t.nodes_updated
        report.edges_created, report.edges_changed = t.edges_created, t.edges_updated
        report.nodes_unchanged = self.unchanged["nodes"]
        report.edges_unchanged = self.unchanged["edges"]
        report.nodes_left_out = len(self.problems.skipped_nodes)
        report.edges_left_out = self.left_out_edges + self.problems.skipped_edges
        report.notes = list(self.problems.notes)
