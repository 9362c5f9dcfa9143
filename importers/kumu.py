"""Kumu in and out: spreadsheets (Elements / Connections sheets, XLSX or CSV) and JSON blueprints.

Kumu's import format (docs.kumu.io, "Import" and "JSON / Blueprints"): an element sheet has
``Label`` (or ``ID`` then ``Label``) in its first columns, then ``Type``, ``Description``,
``Tags`` and any custom column; a connection sheet has ``From`` and ``To`` (element IDs, or
labels when there are no IDs), ``Type``, ``Label``, ``Strength``, ``Direction``. ``|`` separates
several values in a cell, and a ``To`` cell listing several elements draws a connection to each.
Sheets named "… (ignore)" are skipped. A blueprint is ``{"elements": [...], "connections":
[...]}`` with the same fields as keys — flat, or nested under ``attributes`` with ``_id`` keys as
in Kumu's own project exports.

Here an element's ``Type`` becomes our label and a connection's ``Type`` our relationship type
(our own names are recognised; a mapping file translates others), ``Label`` becomes ``name``,
``Strength`` becomes ``weight``. An element's key is its ``ID`` (or ``id``/``_id``), else its
label — then two elements with one label are an error naming both rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from coco_atlas.graph.store import Store
from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.load import ImportReport, Input, Progress, run_import
from coco_atlas.importers.mapping import Mapping, Role, load_mapping, norm
from coco_atlas.importers.outputs import (
    atomic,
    atomic_path,
    edge_properties,
    node_properties,
    plain,
    xlsx_row,
)
from coco_atlas.importers.readers import (
    check_encoding,
    csv_header,
    dicts_table,
    read_csv,
    read_xlsx,
    readable,
    text_file,
)
from coco_atlas.importers.records import Columns, Dialect, Resolver, Table
from coco_atlas.importers.refine import Refiner
from coco_atlas.importers.values import is_empty, to_str
from coco_atlas.schema import SCHEMA, Edge, Node
from coco_atlas.schema.messages import N_, Msg

KUMU = Dialect(
    nodes={"id": "id", "label": "name", "type": "label", "elementtype": "label"},
    edges={"from": "source", "to": "target", "type": "type", "connectiontype": "type",
           "strength": "weight", "direction": "", "id": "", "delayed": "", "reversed": ""},
    id_from_name=True, multi_target=True,
)


def import_kumu(store: Store, files: Sequence[str | Path], *, mapping: str | Path | None = None,
                source: str | None = None, dry_run: bool = False,
                encoding: str | None = None, progress: Progress | None = None,
                strict: bool = False) -> ImportReport:
    """Import Kumu files (.xlsx workbooks, .csv sheets, .json blueprints), all or nothing."""
    problems = Problems()
    mapped = load_mapping(mapping, problems)
    check_encoding(encoding, problems)
    problems.raise_if_any()  # a broken mapping or encoding would spoil every row
    elements: list[Table] = []
    connections: list[Table] = []
    aliases: dict[str, str] = {}  # Kumu's _id of an element -> our id
    read = progress.read if progress else None
    refiner = Refiner(mapped, problems)
    for path in files:
        for role, table in _read(path, mapped, problems, encoding, aliases, read):
            table = refiner.table(table, role, KUMU)
            (elements if role == "nodes" else connections).append(table)
    notes = _one_element_per_label(elements, mapped)
    resolve = _resolver(elements, mapped, aliases)
    inputs = [Input("nodes", elements, KUMU), Input("edges", connections, KUMU, resolve)]
    source = source or "import kumu " + " ".join(Path(p).name for p in files)
    report = run_import(store, inputs, mapping=mapped, problems=problems, source=source,
                        dry_run=dry_run, progress=progress, strict=strict)
    report.notes.extend(refiner.notes())
    report.notes.extend(notes)
    return report


def _one_element_per_label(elements: list[Table], mapping: Mapping) -> list[str]:
    """Rows that repeat a label in sheets without an ID column are one element, as Kumu
    makes them ("Kumu assumes that each of your elements will have a unique label"; give an
    ID column for repeats: kumu/docs, FAQ "How do I add more than one element with the same
    label"). Their cells are merged into the first such row when they agree (a cell given in
    one row only fills the other; ignored columns do not count), and the report says so; rows
    that give one field two values are left for the loader to report, since merging them
    would lose one value."""
    first: dict[str, tuple[Table, int]] = {}
    merged: list[str] = []
    for table in elements:
        cols = Columns(table, "nodes", KUMU, mapping, Problems())  # only to find the columns
        if cols.index.get("id") is not None:
            continue
        table.columns[:] = [list(c) for c in table.columns]  # cells are merged in place
        i_name, drop = cols.index.get("name"), []
        used = sorted(set(cols.index.values()))  # columns that give a field (not ignored ones)
        for k in range(len(table.rows)):
            label = _text(table, i_name, k)
            if label is None:
                continue
            if label not in first:
                first[label] = (table, k)
                continue
            into, j = first[label]
            if into.header != table.header or any(
                    not is_empty(table.columns[c][k]) and not is_empty(into.columns[c][j])
                    and table.columns[c][k] != into.columns[c][j] for c in used):
                continue  # another sheet, or rows that disagree: the loader reports the repeat
            for col, into_col in zip(table.columns, into.columns, strict=True):
                if not is_empty(col[k]):
                    into_col[j] = col[k]
            drop.append(k)
            merged.append(f"{label!r} ({Path(into.where.file).name}, rows {into.rows[j]} and "
                          f"{table.rows[k]})")
        if drop:
            keep = [k for k in range(len(table.rows)) if k not in set(drop)]
            table.columns[:] = [[c[k] for k in keep] for c in table.columns]
            table.rows = [table.rows[k] for k in keep]
    if not merged:
        return []
    return [f"{len(merged)} label(s) given on several rows without an ID column were imported "
            f"as one element each, as Kumu does (their cells merged; give an ID column to "
            f"keep them apart): {'; '.join(merged[:5])}"
            + (" …" if len(merged) > 5 else "")]


# -- reading ---------------------------------------------------------------------------------
def _read(path: str | Path, mapping: Mapping, problems: Problems, encoding: str | None,
          aliases: dict[str, str], progress: Any = None) -> Iterator[tuple[Role, Table]]:
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        yield from _read_json(path, problems, aliases)
    elif suffix == ".xlsx":
        for sheet, blocks in read_xlsx(path, problems):
            tables = list(blocks)
            role = _role(tables[0].header, mapping, path) if tables else None
            if tables and role is None:
                problems.add(Location(str(path), "table", 1, sheet=sheet), _WHICH_SHEET,
                             ", ".join(tables[0].header))
            if role:
                yield from ((role, t) for t in tables)
    elif suffix in (".csv", ".txt", ".tsv"):
        if not readable(path, problems) or not text_file(path, N_("a CSV text file"), problems):
            return
        role = _role(csv_header(path, encoding), mapping, path)
        if role is None:
            problems.add(Location(str(path), "table", 1), _WHICH_SHEET,
                         ", ".join(csv_header(path, encoding)))
            return
        for t in read_csv(path, problems, encoding=encoding, progress=progress):
            yield role, t
    else:
        problems.add(Location(str(path)), N_("a Kumu file: .xlsx, .csv or .json"),
                     suffix or Path(path).name)


_BLUEPRINT = N_("a Kumu JSON blueprint (JSON)")
_WHICH_SHEET = N_("elements (a Label column) or connections (From and To columns), as Kumu's "
                  "import wants them")


def _role(header: list[str], mapping: Mapping, path: str | Path = "") -> Role | None:
    """Elements or connections, by the columns (Kumu looks at A1/B1; we look at all)."""
    def our(role: Role) -> set[str]:
        own = KUMU.nodes if role == "nodes" else KUMU.edges
        renames = mapping.file_columns(path, role)
        out = set()
        for h in header:
            got = renames.get(norm(h), mapping.column(h, role))
            out.add(got if got is not None else own.get(norm(h), ""))
        return out

    if {"source", "target"} <= our("edges"):
        return "edges"
    if our("nodes") & {"name", "id"}:
        return "nodes"
    return None


def _read_json(path: str | Path, problems: Problems, aliases: dict[str, str]
               ) -> Iterator[tuple[Role, Table]]:
    where = Location(str(path), "json")
    if not readable(path, problems) or not text_file(path, _BLUEPRINT, problems):
        return
    try:
        data = orjson.loads(Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as e:
        problems.add(where, _BLUEPRINT, str(e))
        return
    if not isinstance(data, dict):
        problems.add(where.at(column="$"), N_('an object with "elements" and "connections"'),
                     type(data).__name__)
        return
    parts: tuple[tuple[str, Role], ...] = (("elements", "nodes"), ("connections", "edges"))
    for key, role in parts:
        items = data.get(key, [])
        at = Location(str(path), "json", array=f"$.{key}")
        if not isinstance(items, list):
            problems.add(at, N_("a list"), type(items).__name__)
            continue
        rows, flat, shown = [], [], dict[str, str]()
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                problems.add(at.at(i), N_("an object"), item)
                continue
            rows.append(i)
            flat.append(_flatten(item, role, shown, aliases))
        if rows:
            table = dicts_table(at, flat, rows)
            table.header_row, table.display = None, shown
            yield role, table


def _flatten(item: dict[str, Any], role: str, shown: dict[str, str],
             aliases: dict[str, str]) -> dict[str, Any]:
    """One element or connection as a flat row: top-level keys and its ``attributes``."""
    attrs = item.get("attributes")
    flat = {k: v for k, v in item.items() if k != "attributes"}
    if isinstance(attrs, dict):
        for k, v in attrs.items():
            flat[k] = v
            shown.setdefault(k, f"attributes.{k}")
    elif attrs is not None:
        flat["attributes"] = attrs  # not an object: reported as an unknown column
    if role == "nodes":
        kumu_id = flat.pop("_id", None)
        our = flat.get("id") if not is_empty(flat.get("id")) else kumu_id
        if not is_empty(our):
            flat["id"] = our
        if not is_empty(kumu_id) and not is_empty(our) and kumu_id != our:
            aliases[str(kumu_id)] = str(our)
    return flat


# -- references from connections to elements ---------------------------------------------------
_AMBIGUOUS = "\x00ambiguous"


def _resolver(elements: list[Table], mapping: Mapping, aliases: dict[str, str]) -> Resolver:
    """From/To name an element by ID, Kumu's _id, or label; anything else is taken as the id
    of a node already in the store."""
    ids: set[str] = set()
    by_label: dict[str, str] = {}
    for table in elements:
        cols = Columns(table, "nodes", KUMU, mapping, Problems())  # only to find the columns
        i_id, i_name = cols.index.get("id"), cols.index.get("name")
        for k in range(len(table.rows)):
            label = _text(table, i_name, k)
            key = _text(table, i_id, k) or label
            if key is None:
                continue
            ids.add(key)
            if label is not None:
                by_label[label] = key if by_label.get(label, key) == key else _AMBIGUOUS

    def resolve(ref: str) -> str | None:
        if ref in ids:
            return ref
        if ref in aliases:
            return aliases[ref]
        hit = by_label.get(ref)
        if hit == _AMBIGUOUS:
            raise LookupError(Msg(N_("an element ID: the label {label} names several elements"),
                                  label=repr(ref)))
        return hit or ref

    return resolve


def _text(table: Table, i: int | None, k: int) -> str | None:
    if i is None or is_empty(table.columns[i][k]):
        return None
    try:
        return to_str(table.columns[i][k])
    except ValueError:
        return None


# -- writing -----------------------------------------------------------------------------------
def write_kumu_json(out: str | Path, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
    """A flat Kumu blueprint, streamed: elements carry ``id``, ``label`` (our name), ``type``
    (our label); connections ``from``, ``to``, ``type``, ``direction``, ``strength`` (weight)."""
    with atomic(out, "wb") as f:
        f.write(b'{"elements": [')
        for k, n in enumerate(nodes):
            f.write((b",\n  " if k else b"\n  ") + orjson.dumps(_element(n)))
        f.write(b'\n], "connections": [')
        for k, e in enumerate(edges):
            f.write((b",\n  " if k else b"\n  ") + orjson.dumps(_connection(e)))
        f.write(b"\n]}\n")


def _element(n: Node) -> dict[str, Any]:
    props = plain(n.props)
    return {"id": n.id, "label": props.pop("name", n.id), "type": n.label, **props}


def _connection(e: Edge) -> dict[str, Any]:
    props = plain(e.props)
    out = {"from": e.source, "to": e.target, "type": e.type,
           "direction": "mutual" if SCHEMA.rel(e.type).symmetric else "directed"}
    if "weight" in props:
        out["strength"] = props.pop("weight")
    return {**out, **props}


def write_kumu_xlsx(out: str | Path, nodes: Iterable[Node], edges: Iterable[Edge],
                    labels: Sequence[str] | None = None, types: Sequence[str] | None = None
                    ) -> None:
    """An Excel workbook Kumu imports: sheets Elements and Connections (openpyxl write-only
    mode, so a large graph streams instead of building the workbook in memory); text is
    always stored as text (:func:`~importers.outputs.xlsx_cell`)."""
    from openpyxl import Workbook

    node_props = [p.name for p in node_properties(labels) if p.name not in ("description",
                                                                                "tags")]
    edge_props = [p.name for p in edge_properties(types) if p.name != "weight"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Elements")
    sheet.append(["ID", "Label", "Type", "Description", "Tags", *node_props])
    for n in nodes:
        p = n.props
        sheet.append(xlsx_row(sheet, [n.id, p.get("name", n.id), n.label,
                                      p.get("description"), p.get("tags"),
                                      *(p.get(k) for k in node_props)]))
    sheet = book.create_sheet("Connections")
    sheet.append(["From", "To", "Type", "Direction", "Strength", *edge_props])
    for e in edges:
        c = _connection(e)
        sheet.append(xlsx_row(sheet, [e.source, e.target, e.type, c["direction"],
                                      c.get("strength"),
                                      *(e.props.get(k) for k in edge_props)]))
    with atomic_path(out) as tmp:
        book.save(tmp)
