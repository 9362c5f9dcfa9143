"""Gephi in and out: GEXF, GraphML and Gephi's spreadsheet (CSV) import format.

Gephi's spreadsheet import (Gephi docs, "Import CSV Data"): a nodes table with ``Id``, ``Label``
and any attribute column, an edges table with ``Source``, ``Target``, ``Type`` (``Directed`` or
``Undirected``), ``Id``, ``Label``, ``Weight`` and any attribute column. Here, as in the GEXF and
GraphML readers: a node's ``Label`` is our ``name`` (its ``Id`` when empty) and a ``Type``
column our label; an edge's ``Label`` is our relationship type and ``Weight`` our ``weight``.
Gephi's edge ``Type`` (the direction) is ignored: our relationship types fix it. Gephi gives
every edge weight 1.0; where our relationship type has no weight, that default is dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from coco_atlas.graph.store import Store
from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.gexf import GEXF, GexfReader
from coco_atlas.importers.graphml import GRAPHML, GraphmlReader
from coco_atlas.importers.load import ImportReport, Input, Progress, run_import
from coco_atlas.importers.mapping import Role, load_mapping, norm
from coco_atlas.importers.outputs import atomic, csv_cell, edge_properties, node_properties, plain
from coco_atlas.importers.readers import (
    check_encoding,
    csv_header,
    read_csv,
    readable,
    text_file,
    xml_file,
)
from coco_atlas.importers.records import Dialect
from coco_atlas.importers.refine import Refiner
from coco_atlas.schema import SCHEMA, Edge, Node
from coco_atlas.schema.messages import N_

SHEET = Dialect(
    nodes={"id": "id", "label": "name", "type": "label"},
    edges={"source": "source", "target": "target", "type": "", "label": "type",
           "weight": "weight", "id": ""},
    name_from_id=True,
)


def import_gephi(store: Store, files: Sequence[str | Path], *,
                 mapping: str | Path | None = None, source: str | None = None,
                 dry_run: bool = False, encoding: str | None = None,
                 progress: Progress | None = None, strict: bool = False) -> ImportReport:
    """Import Gephi files (.gexf, .graphml, nodes/edges .csv tables), all or nothing."""
    problems = Problems()
    mapped = load_mapping(mapping, problems)
    check_encoding(encoding, problems)
    problems.raise_if_any()  # a broken mapping or encoding would spoil every row
    inputs: list[Input] = []
    read = progress.read if progress else None
    refiner = Refiner(mapped, problems)
    for path in files:
        suffix = Path(path).suffix.lower()
        if suffix in (".gexf", ".graphml", ".xml"):
            what = N_("a GEXF file (XML)") if suffix == ".gexf" else N_("a GraphML file (XML)")
            if not readable(path, problems) or not xml_file(path, what, problems):
                continue
            reader = (GexfReader if suffix == ".gexf" else GraphmlReader)(path, problems, read)
            dialect = GEXF if suffix == ".gexf" else GRAPHML
            inputs += [Input("nodes", refiner.tables(reader.nodes(), "nodes", dialect),
                             dialect),
                       Input("edges", refiner.tables(reader.edges(), "edges", dialect),
                             dialect)]
        elif suffix in (".csv", ".tsv", ".txt"):
            if not readable(path, problems) or not text_file(path, N_("a CSV text file"),
                                                             problems):
                continue
            role = _role(csv_header(path, encoding), mapped.file_columns(path))
            if role is None:
                problems.add(Location(str(path), "table", 1),
                             N_("a Gephi nodes table (Id column) or edges table (Source and "
                             "Target columns)"), ", ".join(csv_header(path, encoding)))
                continue
            tables = read_csv(path, problems, encoding=encoding, progress=read)
            inputs.append(Input(role, refiner.tables(tables, role, SHEET), SHEET))
        else:
            problems.add(Location(str(path)), N_("a Gephi file: .gexf, .graphml or .csv"),
                         suffix or str(path))
    source = source or "import gephi " + " ".join(Path(p).name for p in files)
    report = run_import(store, inputs, mapping=mapped, problems=problems, source=source,
                        dry_run=dry_run, progress=progress, strict=strict)
    report.notes.extend(refiner.notes())
    return report


def _role(header: list[str], renames: dict[str, str] | None = None) -> Role | None:
    renames = renames or {}
    names = {renames.get(norm(h)) or norm(h) for h in header}
    if {"source", "target"} <= names:
        return "edges"
    if "id" in names:
        return "nodes"
    return None


# -- writing -----------------------------------------------------------------------------------
def write_gephi_csv(out: str | Path, nodes: Iterable[Node], edges: Iterable[Edge],
                    labels: Sequence[str] | None = None, types: Sequence[str] | None = None
                    ) -> None:
    """Gephi's spreadsheet format into a directory: ``nodes.csv`` (Id, Label, Type, …) and
    ``edges.csv`` (Source, Target, Type = Directed, Label = relationship type, Weight, …);
    a text a spreadsheet would take for a formula behind an apostrophe (:func:`csv_cell`)."""
    folder = Path(out)
    node_props = [p.name for p in node_properties(labels)]
    edge_props = [p.name for p in edge_properties(types) if p.name != "weight"]
    with atomic(folder / "nodes.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Label", "Type", *node_props])
        for n in nodes:
            p = plain(n.props)
            w.writerow([csv_cell(n.id), csv_cell(p.get("name", n.id)), n.label,
                        *(csv_cell(p.get(k)) for k in node_props)])
    with atomic(folder / "edges.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Source", "Target", "Type", "Label", "Weight", *edge_props])
        for e in edges:
            p = plain(e.props)
            w.writerow([csv_cell(e.source), csv_cell(e.target),
                        "Undirected" if SCHEMA.rel(e.type).symmetric else "Directed", e.type,
                        csv_cell(p.get("weight")),
                        *(csv_cell(p.get(k)) for k in edge_props)])
