"""Exports of the whole graph or a filtered part: our tables (CSV, JSON Lines, XLSX), GraphML,
GEXF, Gephi's spreadsheets and Kumu (JSON blueprint, XLSX workbook).

Every format is written so that its importer reads it back into the same graph (the round-trip
tests check this), streamed from the store without building the graph in memory, and moved into
place only when complete. Provenance stamps (``source``, ``updatedAt``) are not exported: an
import stamps its own.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from coco_atlas.graph.store import Store
from coco_atlas.importers.gephi import write_gephi_csv
from coco_atlas.importers.gexf import write_gexf
from coco_atlas.importers.graphml import write_graphml
from coco_atlas.importers.kumu import write_kumu_json, write_kumu_xlsx
from coco_atlas.importers.outputs import (
    atomic,
    atomic_path,
    csv_cell,
    edge_properties,
    node_properties,
    plain,
    xlsx_row,
)
from coco_atlas.importers.select import Selection, select
from coco_atlas.schema import Edge, Node
from coco_atlas.schema.messages import N_, Msg

Writer = Callable[[Path, Iterable[Node], Iterable[Edge], Sequence[str]], None]


@dataclass
class ExportReport:
    format: str
    out: str
    nodes: int = 0
    edges: int = 0


def export_graph(store: Store, format: str, out: str | Path, *,
                 labels: Sequence[str] | None = None, region: str | None = None,
                 sector: str | None = None) -> ExportReport:
    """Write (a filtered part of) the graph in ``format`` (one of :data:`FORMATS`) to ``out``.

    ``csv``, ``jsonl`` and ``gephi-csv`` write a directory with a nodes and an edges file; the
    others one file.
    """
    if format not in FORMATS:
        raise ValueError(Msg(N_("format must be one of {formats}, got {format}"),
                             formats=", ".join(FORMATS), format=repr(format)))
    chosen = select(store, labels=labels, region=region, sector=sector)
    report = ExportReport(format, str(out))
    FORMATS[format](Path(out), _nodes(store, chosen, report), _edges(store, chosen, report),
                    chosen.labels)
    return report


def _nodes(store: Store, chosen: Selection, report: ExportReport) -> Iterator[Node]:
    for n in store.iter_nodes():
        if chosen.keeps(n.id) and n.label in chosen.labels:
            report.nodes += 1
            yield n


def _edges(store: Store, chosen: Selection, report: ExportReport) -> Iterator[Edge]:
    for e in store.iter_edges():
        if chosen.keeps(e.source) and chosen.keeps(e.target):
            report.edges += 1
            yield e


# -- our own tables ----------------------------------------------------------------------------
def write_csv(out: Path, nodes: Iterable[Node], edges: Iterable[Edge],
              labels: Sequence[str] | None = None) -> None:
    """``nodes.csv`` (id, label, name, properties) and ``edges.csv`` (source, target, type,
    properties) in directory ``out``; lists joined by |, UTF-8, comma-separated, a text a
    spreadsheet would take for a formula behind an apostrophe (:func:`csv_cell`)."""
    node_cols, edge_cols = _columns(labels)
    with atomic(out / "nodes.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "name", *node_cols])
        w.writerows(_node_row(n, node_cols) for n in nodes)
    with atomic(out / "edges.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "target", "type", *edge_cols])
        w.writerows([csv_cell(e.source), csv_cell(e.target), e.type,
                     *(csv_cell(e.props.get(k)) for k in edge_cols)] for e in edges)


def _node_row(n: Node, cols: list[str]) -> list[str]:
    p = n.props
    return [csv_cell(n.id), n.label, csv_cell(p.get("name")),
            *(csv_cell(p.get(k)) for k in cols)]


def _columns(labels: Sequence[str] | None) -> tuple[list[str], list[str]]:
    return [p.name for p in node_properties(labels)], [p.name for p in edge_properties()]


def write_jsonl(out: Path, nodes: Iterable[Node], edges: Iterable[Edge],
                labels: Sequence[str] | None = None) -> None:
    """``nodes.jsonl`` and ``edges.jsonl`` in directory ``out``: one object per line with the
    same keys as the CSV columns, values in their JSON types."""
    with atomic(out / "nodes.jsonl", "wb") as f:
        for n in nodes:
            f.write(orjson.dumps({"id": n.id, "label": n.label, **plain(n.props)}) + b"\n")
    with atomic(out / "edges.jsonl", "wb") as f:
        for e in edges:
            f.write(orjson.dumps({"source": e.source, "target": e.target, "type": e.type,
                                 **plain(e.props)}) + b"\n")


def write_xlsx(out: Path, nodes: Iterable[Node], edges: Iterable[Edge],
               labels: Sequence[str] | None = None) -> None:
    """One workbook with sheets ``nodes`` and ``edges`` (openpyxl write-only, streamed); text
    is always stored as text (:func:`~importers.outputs.xlsx_cell`)."""
    from openpyxl import Workbook

    node_cols, edge_cols = _columns(labels)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("nodes")
    sheet.append(["id", "label", "name", *node_cols])
    for n in nodes:
        sheet.append(xlsx_row(sheet, [n.id, n.label, n.props.get("name"),
                                      *(n.props.get(k) for k in node_cols)]))
    sheet = book.create_sheet("edges")
    sheet.append(["source", "target", "type", *edge_cols])
    for e in edges:
        sheet.append(xlsx_row(sheet, [e.source, e.target, e.type,
                                      *(e.props.get(k) for k in edge_cols)]))
    with atomic_path(out) as tmp:
        book.save(tmp)


def _kumu_xlsx(out: Path, nodes: Iterable[Node], edges: Iterable[Edge],
               labels: Sequence[str]) -> None:
    write_kumu_xlsx(out, nodes, edges, labels)


FORMATS: dict[str, Writer] = {
    "csv": write_csv,
    "jsonl": write_jsonl,
    "xlsx": write_xlsx,
    "graphml": lambda out, n, e, labels: write_graphml(out, n, e, labels),
    "gexf": lambda out, n, e, labels: write_gexf(out, n, e, labels),
    "gephi-csv": lambda out, n, e, labels: write_gephi_csv(out, n, e, labels),
    "kumu-json": lambda out, n, e, labels: write_kumu_json(out, n, e),
    "kumu-xlsx": _kumu_xlsx,
}
