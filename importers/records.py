"""Rows of a table (any format) to nodes and edges, column by column.

Every reader — CSV, JSON Lines, XLSX, Kumu, Gephi, GEXF, GraphML — hands over :class:`Table`
blocks: a header and the columns of up to some tens of thousands of rows. This module decides
what each column means (our field, a format's own name, a mapping's rename), converts whole
columns to the schema's types, and builds :class:`Chunk` s of records that remember the row they
came from, so that any later problem (the store's validation included) names file, row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress, repeat
from operator import is_not
from typing import Any

from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.mapping import SKIP, Mapping, Role, fields, norm, stamped
from coco_atlas.importers.values import (
    LIST_SEPARATOR,
    WHAT,
    convert_column,
    converter,
    is_empty,
    none_positions,
    prop_types,
)
from coco_atlas.schema import SCHEMA, Edge, Node, PropType
from coco_atlas.schema.messages import N_, Msg

CHUNK_ROWS = 50_000  # rows per block: big enough for C-speed columns, small enough for memory
LEFT_OUT = "\x00left out"  # a label or type the mapping leaves out ("")


@dataclass
class Table:
    """A block of rows of one input, column-major; ``rows`` numbers them as the user's tool
    does (spreadsheet row, line, or index in a JSON array)."""

    where: Location
    header: list[str]
    columns: list[list[Any]]
    rows: Sequence[int]
    header_row: int | None = 1  # where the header sits, for problems with a column name
    display: dict[str, str] | None = None  # header -> how a location names it (JSON paths)
    text: bool = False  # every cell is a str (CSV): conversion skips checking the types


@dataclass(frozen=True)
class Dialect:
    """What a format's own column names mean (normalised header → our field, "" ignores)."""

    nodes: dict[str, str] = field(default_factory=dict)
    edges: dict[str, str] = field(default_factory=dict)
    id_from_name: bool = False  # Kumu: the label is the key when there is no ID
    name_from_id: bool = False  # Gephi: a node without a label shows its id
    multi_target: bool = False  # Kumu: "To" may list several elements separated by |


GENERIC = Dialect()


@dataclass
class Chunk:
    """Records of one block with the row each came from and the columns that gave each field."""

    kind: Role
    records: list[Any]  # Node or Edge
    rows: list[int]
    where: Location
    columns: dict[str, str]  # our field -> their column, to name the column of a problem
    # Keys and rows of every row of the block, the ones left out for a problem included, so
    # that a key used twice is found even when one of the two rows has another problem.
    all_keys: list[Any] | None = None
    all_rows: list[int] | None = None
    kept: list[int] | None = None  # position in all_keys of each record
    # Row -> fields whose cell could not be converted (already reported, left out of the
    # record so that the rest of the row is still checked against the schema).
    dropped: dict[int, set[str]] = field(default_factory=dict)

    def subset(self, keep: list[int]) -> Chunk:
        """The chunk with only the records at ``keep`` (in order)."""
        if len(keep) == len(self.records):
            return self
        return Chunk(self.kind, [self.records[i] for i in keep], [self.rows[i] for i in keep],
                     self.where, self.columns, dropped=self.dropped)

    def reported(self, i: int, field_name: str) -> bool:
        """Whether record ``i``'s ``field_name`` was already reported as unreadable."""
        return field_name in self.dropped.get(self.rows[i], ())

    def locate(self, i: int, field_name: str | None = None) -> Location:
        column = self.columns.get(field_name) if field_name else None
        return self.where.at(self.rows[i], column)


class Columns:
    """What each column of one input means; kept across that input's blocks."""

    def __init__(self, table: Table, role: Role, dialect: Dialect, mapping: Mapping,
                 problems: Problems):
        self.role, self.problems, self.mapping = role, problems, mapping
        self.where, self.header = table.where, table.header
        self.fields: list[str | None] = []  # per column: our field, or None (ignored)
        self.unknown: dict[int, str] = {}  # columns nobody knows; fine while they stay empty
        ours, own, quiet = fields(role), (dialect.nodes if role == "nodes" else dialect.edges), \
            stamped(role)
        taken: dict[str, str] = {}
        at = table.where.at(table.header_row)
        for i, header in enumerate(table.header):
            h = norm(str(header))
            target = mapping.column(str(header), role)
            if target is None:
                target = own.get(h)
            if target is None:
                target = ours.get(h)
            if target is None and h in quiet:
                target = SKIP  # source/updatedAt: the store stamps them
            if target is None:
                self.unknown[i] = str(header)
            elif target and target in taken:
                problems.add(at.at(table.header_row, str(header)), Msg(
                    N_("a column of its own, but {other} also gives {field} (rename one in a "
                       "mapping file)"), other=repr(taken[target]), field=repr(target)),
                    str(header))
                target = SKIP
            if target:
                taken[target] = str(header)
            self.fields.append(target or None)
        self.index = {f: i for i, f in enumerate(self.fields) if f}
        shown = table.display or {}
        self.columns = {f: shown.get(h, h) for f, i in self.index.items()
                        for h in (table.header[i],)}
        self.dialect = dialect
        self._check_keys(table)

    def _check_keys(self, table: Table) -> None:
        at = table.where.at(table.header_row)
        if self.role == "nodes":
            need = [] if "id" in self.index or (self.dialect.id_from_name and
                                                "name" in self.index) else ["id"]
            if "label" not in self.index and "label" not in self.mapping.values["nodes"]:
                need.append("label")
        else:
            need = [k for k in ("source", "target") if k not in self.index]
        for key in need:
            self.problems.add(at, Msg(
                N_("a column {name} (or [nodes.values] label in a mapping file); the columns "
                   "are {columns}") if key == "label" else
                N_("a column {name}; the columns are {columns}"),
                name=repr(key), columns=", ".join(map(repr, table.header))))

    def check_unknown(self, table: Table) -> None:
        """An unknown column is a problem once it holds a value (empty ones are Excel litter)."""
        for i, header in list(self.unknown.items()):
            column = table.columns[i]
            hit = next((k for k, v in enumerate(column) if not is_empty(v)), None)
            if hit is None:
                continue
            del self.unknown[i]
            names = ", ".join(fields(self.role).values())
            what = N_("a column name") if not header.strip() else Msg(
                N_("a column named after one of our fields ({names}); rename it or ignore it "
                   "(\"\") in a mapping file"), names=names)
            shown = (table.display or {}).get(header, header)
            self.problems.add(table.where.at(table.rows[hit], shown or f"#{i + 1}"), what,
                              column[hit])


Resolver = Callable[[str], str | None]


class ChunkBuilder:
    """Turns the blocks of one input into chunks of nodes or edges."""

    def __init__(self, role: Role, dialect: Dialect, mapping: Mapping, problems: Problems,
                 resolve: Resolver | None = None):
        self.role, self.dialect, self.mapping, self.problems = role, dialect, mapping, problems
        self.resolve = resolve
        self.props = prop_types(edges=role == "edges")
        self.cols: Columns | None = None
        self.known: dict[tuple[str, ...], Columns] = {}
        self.fixed = self._fixed()

    def _fixed(self) -> dict[str, Any]:
        """The mapping's fixed values, converted once (a bad one is the mapping's problem)."""
        out: dict[str, Any] = {}
        where = Location(self.mapping.file or "mapping")
        for name, value in self.mapping.values[self.role].items():
            if name in ("label", "type", "name"):
                out[name] = str(value)
                continue
            prop = self.props[name]
            try:
                out[name] = converter(prop.type)(value)
            except (ValueError, TypeError):
                self.problems.add(where.at(column=f"{self.role}.values.{name}"),
                                  WHAT[prop.type], value)
        return out

    def build(self, table: Table) -> Chunk:
        key = tuple(table.header)  # JSON and XML blocks may differ in their keys
        self.cols = self.known.get(key)
        if self.cols is None:
            self.cols = self.known[key] = Columns(table, self.role, self.dialect, self.mapping,
                                                  self.problems)
        self.cols.check_unknown(table)
        if self.role == "nodes":
            return self._nodes(table)
        return self._edges(self._expand_targets(table))

    # -- nodes -------------------------------------------------------------------------------
    def _nodes(self, table: Table) -> Chunk:
        assert self.cols is not None
        n, bad = len(table.rows), set[int]()
        ids = self._text(table, "id", bad)
        names = self._text(table, "name", bad)
        if ids is None or (self.dialect.id_from_name and None in ids):
            ids = [i if i is not None else nm for i, nm in
                   zip(ids or [None] * n, names or [None] * n, strict=True)]
        if names is not None and self.dialect.name_from_id and None in names:
            names = [nm if nm is not None else i for nm, i in zip(names, ids, strict=True)]
        elif names is None and self.dialect.name_from_id:
            names = list(ids)
        for k in none_positions(ids):
            self._problem(table, k, "id", N_("an id"))
            bad.add(k)
        labels = self._kinds(table, "label", bad)
        props, prop_names, dropped = self._props(table, ("id", "label", "name"))
        if names is not None:
            props.insert(0, names)
            prop_names.insert(0, "name")
        nodes = _records(Node, [ids, labels], prop_names, props, n)
        keep = [k for k in range(n) if k not in bad] if bad else list(range(n))
        self.problems.bad_nodes.update(i for k in bad if (i := ids[k]) is not None)
        skipped = [k for k in keep if labels[k] == LEFT_OUT]
        if skipped:
            self.problems.skipped_nodes.update(i for k in skipped if (i := ids[k]) is not None)
            keep = [k for k in keep if labels[k] != LEFT_OUT]
        return self._chunk(table, nodes, keep, n, dropped)

    # -- edges -------------------------------------------------------------------------------
    def _edges(self, table: Table) -> Chunk:
        n, bad = len(table.rows), set[int]()
        ends = []
        for key in ("source", "target"):
            values = self._text(table, key, bad) or [None] * n
            if self.resolve is not None:
                values = [self._resolved(table, k, key, v, bad) for k, v in enumerate(values)]
            for k in none_positions(values):
                if k not in bad:
                    self._problem(table, k, key, N_("the id of the source node")
                                  if key == "source" else N_("the id of the target node"))
                    bad.add(k)
            ends.append(values)
        types = self._kinds(table, "type", bad)
        props, prop_names, dropped = self._props(table, ("source", "target", "type"))
        edges = _records(Edge, [ends[0], types, ends[1]], prop_names, props, n)
        if bad or LEFT_OUT in types:
            keep = [k for k in range(n) if k not in bad and types[k] != LEFT_OUT]
            self.problems.skipped_edges += types.count(LEFT_OUT)
        else:
            keep = list(range(n))
        return self._chunk(table, edges, keep, n, dropped)

    def _resolved(self, table: Table, k: int, key: str, value: str | None,
                  bad: set[int]) -> str | None:
        if value is None:
            return None
        assert self.resolve is not None
        try:
            return self.resolve(value)
        except LookupError as e:
            self._problem(table, k, key, e.args[0], value)
            bad.add(k)
            return None

    def _expand_targets(self, table: Table) -> Table:
        """Kumu: a "To" cell with ``a|b`` draws one connection to each element."""
        assert self.cols is not None
        i = self.cols.index.get("target")
        if not self.dialect.multi_target or i is None:
            return table
        column = table.columns[i]
        if not any(isinstance(v, str) and LIST_SEPARATOR in v for v in column):
            return table
        picks, targets = [], []
        for k, v in enumerate(column):
            parts = [p.strip() for p in v.split(LIST_SEPARATOR)] if isinstance(v, str) \
                else [v]
            for p in parts or [v]:
                picks.append(k)
                targets.append(p)
        cols = [[c[k] for k in picks] for c in table.columns]
        cols[i] = targets
        return Table(table.where, table.header, cols, [table.rows[k] for k in picks],
                     table.header_row, table.display, table.text)

    # -- columns -----------------------------------------------------------------------------
    def _text(self, table: Table, name: str, bad: set[int]) -> list[str | None] | None:
        assert self.cols is not None
        i = self.cols.index.get(name)
        if i is None:
            fixed = self.fixed.get(name)
            return None if fixed is None else [fixed] * len(table.rows)
        values, wrong = convert_column(table.columns[i], PropType.STRING, text=table.text)
        for k in wrong:
            self._problem(table, k, name, N_("text"), table.columns[i][k])
            bad.add(k)
        return values

    def _kinds(self, table: Table, name: str, bad: set[int]) -> list[str | None]:
        """Labels (nodes) or relationship types (edges), translated once per distinct value."""
        assert self.cols is not None
        n = len(table.rows)
        raw = self._text(table, name, set()) or [None] * n
        translate = self.mapping.label if name == "label" else self.mapping.rel_type
        choices = SCHEMA.label_names if name == "label" else SCHEMA.rel_names
        default = self.fixed.get(name)
        memo: dict[Any, str | None] = {}
        for value in set(raw):
            if value is None:
                memo[value] = default if default else ("" if name == "type" else None)
            else:
                got = translate(value)
                memo[value] = LEFT_OUT if got == SKIP else got
        out = list(map(memo.__getitem__, raw))
        missing = none_positions(out)
        if name == "label" and "label" not in self.cols.index:
            bad.update(missing)  # no label column and no fixed label: reported once, above
            return out
        for k in missing:
            section = "labels" if name == "label" else "types"
            self._problem(table, k, name, Msg(
                N_("one of {names} (or a [{section}] entry in a mapping file)"),
                names=", ".join(choices), section=section), raw[k])
            bad.add(k)
            out[k] = "?"
        return out  # edges: "" is a type to infer from the labels at both ends

    def _props(self, table: Table, keys: tuple[str, ...]
               ) -> tuple[list[list[Any]], list[str], dict[int, set[str]]]:
        """The property columns, converted, and per row the fields whose cell could not be.

        Such a cell is reported and left out, but its row is not: the store still checks the
        row's other values, so that every problem of a row is reported in one run (the import
        then fails as a whole, so the row is never written without it)."""
        assert self.cols is not None
        values: list[list[Any]] = []
        names: list[str] = []
        dropped: dict[int, set[str]] = {}
        n = len(table.rows)
        for name, i in self.cols.index.items():
            if name in keys:
                continue
            prop = self.props[name]
            column, wrong = convert_column(table.columns[i], prop.type, text=table.text)
            for k in wrong:
                self._problem(table, k, name, WHAT[prop.type], table.columns[i][k])
                column[k] = None
                dropped.setdefault(table.rows[k], set()).add(name)
            if name in self.fixed:
                column = [self.fixed[name] if v is None else v for v in column]
            values.append(column)
            names.append(name)
        for name, value in self.fixed.items():
            if name not in self.cols.index and name not in keys:
                values.append([value] * n)
                names.append(name)
        return values, names, dropped

    def _chunk(self, table: Table, records: list[Any], keep: list[int], n: int,
               dropped: dict[int, set[str]]) -> Chunk:
        assert self.cols is not None
        rows = list(table.rows)
        all_keys = all_rows = kept = None
        if len(keep) != n:
            if self.role == "nodes":
                all_keys, all_rows, kept = [r[0] for r in records], rows, keep
            records = [records[k] for k in keep]
            rows = [rows[k] for k in keep]
        columns = dict(self.cols.columns)
        if self.dialect.id_from_name and "name" in columns:
            columns.setdefault("id", columns["name"])  # the key is the Label
        if self.dialect.name_from_id and "id" in columns:
            columns.setdefault("name", columns["id"])
        return Chunk(self.role, records, rows, table.where, columns, all_keys, all_rows, kept,
                     dropped)

    def _problem(self, table: Table, k: int, name: str, expected: str, got: Any = None) -> None:
        assert self.cols is not None
        self.problems.add(table.where.at(table.rows[k], self.cols.columns.get(name)), expected,
                          got)


def _records(cls: type, keys: list[list[Any]], names: list[str], columns: list[list[Any]],
             n: int) -> list[Any]:
    """Nodes or edges from key columns and property columns, without the empty cells.

    The loop is generated for the column names (as :func:`collections.namedtuple` generates
    its class): a dict display in a comprehension builds a row's properties about twice as
    fast as ``dict(zip(names, values))``, and ``tuple.__new__`` skips the namedtuple's Python
    ``__new__`` — together most of the cost of a million-row import outside the store.
    """
    holes = [none_positions(c) for c in columns]
    # Columns mostly filled go into the dict displays and their holes are deleted; a column
    # mostly empty in this block (a property of another label) is left out, and the few rows
    # that have a value there are built again whole (keeping the order of the columns).
    dense = [2 * len(h) <= n for h in holes]
    props: list[dict[str, Any]] = _builder(tuple(compress(names, dense)))(
        *compress(columns, dense)) if any(dense) else [{} for _ in range(n)]
    again: set[int] = set()
    for name, column, empty, is_dense in zip(names, columns, holes, dense, strict=True):
        if is_dense:
            for k in empty:
                del props[k][name]
        elif len(empty) < n:
            again.update(compress(range(n), map(is_not, column, repeat(None))))
    for k in sorted(again):
        props[k] = {name: v for name, column in zip(names, columns, strict=True)
                    if (v := column[k]) is not None}
    return list(map(tuple.__new__, repeat(cls), zip(*keys, props, strict=True)))


@cache
def _builder(names: tuple[str, ...]) -> Callable[..., list[dict[str, Any]]]:
    """``f(*columns)``: one dict per row, a comprehension generated for these names."""
    values = [f"v{i}" for i in range(len(names))]
    pairs = ", ".join(f"{name!r}: {v}" for name, v in zip(names, values, strict=True))
    loop = ", ".join(values) + ("," if len(values) == 1 else "")
    source = (f"lambda {', '.join(f'_{x}' for x in values)}: "
              f"[{{{pairs}}} for {loop} in zip({', '.join(f'_{x}' for x in values)})]")
    # Safe: the names are schema property names, and repr() quotes them as string literals.
    return eval(source, {"zip": zip})
