"""The embedded store's records as CSV lines, built by SQLite itself: the fast path of an
offline bulk load (``coco neo4j-load``, :mod:`coco_atlas.graph.neo4j.load`).

Reading every record as a :class:`~coco_atlas.schema.Node` (a JSON parse and a dict per record)
and formatting it cell by cell in Python cost about 7 µs a record: half the time of loading the
large demo. Here one SQL statement per label (one for all relationship types) extracts the
properties with SQLite's JSON functions and joins the cells into a line in C, so Python only
moves finished lines to the file. The lines follow RFC 4180 (text always quoted, quotes
doubled), the first cells being the record's integer key (``idx``) and, for nodes, its id.

Every statement runs in a read transaction (SQLite's snapshot isolation in WAL mode); the
statements of one load may run in several processes, each checking that it reads the state the
first one read (:meth:`Snapshot.version`): nodes and relationships come from the same state of
the file even when another process writes to it meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BATCH = 50_000  # lines fetched at a time


@dataclass(frozen=True)
class Columns:
    """Which properties become cells, in order, and how: ``text`` ones quoted, ``flags``
    (booleans) as ``true``/``false``, ``lists`` joined with ``array``, the rest (numbers)
    as SQLite writes them. ``source`` and ``updatedAt`` are the write's stamps."""

    props: Sequence[str]
    text: frozenset[str]
    flags: frozenset[str]
    lists: frozenset[str]
    array: str


STAMPS = {"source": "w.source", "updatedAt": "w.at"}


class Snapshot:
    """One read transaction on the store's file: the lines of its nodes and relationships."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self.label_code = dict(db.execute("SELECT name, code FROM labels"))
        self.type_name = {c: n for n, c in db.execute("SELECT name, code FROM rel_types")}

    def version(self) -> object:
        """The store's version, raised by every write in its own transaction."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return None if row is None else row[0]

    def label_sizes(self) -> list[tuple[str, int]]:
        """Nodes per label name."""
        names = {code: name for name, code in self.label_code.items()}
        return [(names[code], n) for code, n in
                self._db.execute("SELECT label, count(*) FROM nodes GROUP BY label")
                if code in names]

    def unknown_property(self, label: str, declared: Sequence[str]) -> tuple[str, str] | None:
        """A node of ``label`` with a property not in ``declared``: (its id, the property)."""
        marks = ", ".join("?" * len(declared))
        row = self._db.execute(
            f"SELECT n.id, j.key FROM nodes n, json_each(n.props) j WHERE n.label = ? "
            f"AND j.key NOT IN ({marks}) LIMIT 1",
            [self.label_code.get(label, -1), *declared]).fetchone()
        return None if row is None else (row[0], row[1])

    def has_newline(self) -> bool:
        """Whether any value holds a line break (JSON writes it as ``\\n`` or ``\\r``); a
        literal backslash before n or r in a text also counts: a false alarm only slows the
        import tool, which then reads fields across lines."""
        return any(self._db.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE instr({col}, '\\n') "
            f"OR instr({col}, '\\r'))").fetchone()[0]
            for table, col in (("nodes", "props"), ("edges", "props"), ("writes", "source")))

    def node_lines(self, label: str, columns: Columns, head: str) -> Iterator[list[str]]:
        """``idx,"id",head,cells…`` per node of ``label`` (``head``: constant cells), in
        batches (a value may hold a line break: lines are not counted by their ends)."""
        cells = "||','||".join(["idx", _quoted("n.id"), _literal(head),
                                *(_cell(p, columns, "n.props") for p in columns.props)])
        yield from self._lines(f"SELECT {cells} FROM nodes n JOIN writes w ON w.id = n.wid "
                               "WHERE n.label = ?", [self.label_code.get(label, -1)])

    def source_ranges(self, parts: int) -> list[tuple[int, int]]:
        """``parts`` ranges [low, high) of node keys that together hold every relationship's
        source: :meth:`edge_lines` of each reads a slice of the table (its primary key begins
        with the source)."""
        low, high = self._db.execute("SELECT coalesce(min(idx), 0), coalesce(max(idx), 0) + 1 "
                                     "FROM nodes").fetchone()
        step = -(-(high - low) // parts) or 1
        return [(k, min(k + step, high)) for k in range(low, high, step)]

    def edge_lines(self, columns: Mapping[str, Columns],
                   sources: tuple[int, int] | None = None) -> Iterator[tuple[str, list[str]]]:
        """``src,dst,TYPE,cells…`` per relationship (those whose source key is in the range
        ``sources``, or all), in one pass over the table: batches of (type, lines); a type's
        cells are those of ``columns[type]``."""
        cases = " ".join(
            f"WHEN {code} THEN " + "||','||".join(
                ["e.src", "e.dst", _literal(name),
                 *(_cell(p, columns[name], "e.props") for p in columns[name].props)])
            for code, name in self.type_name.items() if name in columns)
        where, args = ("WHERE e.src >= ? AND e.src < ?", sources) if sources else ("", ())
        cursor = self._db.execute(f"SELECT e.type, CASE e.type {cases} END FROM edges e "
                                  f"JOIN writes w ON w.id = e.wid {where}", args)
        while rows := cursor.fetchmany(BATCH):
            by_type: dict[int, list[str]] = {}
            for code, line in rows:
                if line is not None:
                    by_type.setdefault(code, []).append(line)
            for code, lines in by_type.items():
                yield self.type_name[code], lines

    def _lines(self, sql: str, args: Sequence[object]) -> Iterator[list[str]]:
        cursor = self._db.execute(sql, list(args))
        while rows := cursor.fetchmany(BATCH):
            yield [r[0] for r in rows]


@contextmanager
def snapshot(path: Path) -> Iterator[Snapshot]:
    """A read-only connection to the store file at ``path``, inside one read transaction."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        db.execute("BEGIN")
        yield Snapshot(db)
        db.execute("COMMIT")
    finally:
        db.close()


def _cell(name: str, columns: Columns, props: str) -> str:
    """The SQL of one cell: the empty string when the property is absent (an empty text or
    list is no property either, as the csv module writes them)."""
    path = _literal('$."' + name.replace('"', '\\"') + '"')
    if name in columns.lists:
        joined = (f"(SELECT group_concat(value, {_literal(columns.array)}) "
                  f"FROM json_each({props}, {path}))")
        return _or_empty(_quoted(_not_empty(joined)))
    if name in columns.flags:
        return _or_empty(f"CASE json_type({props}, {path}) WHEN 'true' THEN 'true' "
                         "WHEN 'false' THEN 'false' END")
    value = STAMPS.get(name) or f"json_extract({props}, {path})"
    if name in columns.text or name in STAMPS:
        return _or_empty(_quoted(_not_empty(value)))
    return _or_empty(value)


def _or_empty(sql: str) -> str:
    return f"coalesce({sql}, '')"


def _not_empty(sql: str) -> str:
    return f"nullif({sql}, '')"


def _quoted(sql: str) -> str:
    return f"""('"' || replace({sql}, '"', '""') || '"')"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
