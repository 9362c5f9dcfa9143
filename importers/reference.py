"""Reference classifications shipped with the package: NACE Rev.2 sectors and NUTS 2021 regions.

The CSV files and their sources are described in ``importers/reference/README.md``. Sectors become
``Sector`` nodes with ``BROADER`` links up the NACE hierarchy; regions become ``Region`` nodes with
``PART_OF`` links up the NUTS hierarchy. :func:`import_reference` (``coco import reference``) loads
both into a store; the demo generator takes the parts it needs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from coco_atlas.schema import SCHEMA, Edge, Node
from coco_atlas.schema.messages import N_

if TYPE_CHECKING:
    from coco_atlas.graph.store import Store
    from coco_atlas.importers.load import ImportReport, Progress

SOURCE = "reference NACE Rev.2 / NUTS 2021"
# Names by language (issue 15): the NACE titles are Eurostat's English ones, so they are the
# English label too; NUTS names are the official ones in the local language (Latin script) and
# the classification has no English names, so regions keep their one display name.
NACE_ENGLISH = SCHEMA.translations("Sector")["name"]["en"]
# Beside this module in the repository and in the wheel (package data); located by path because
# importlib.resources on the coco_atlas namespace fails under setuptools' editable finder (3.11).
REFERENCE = Path(__file__).resolve().parent / "reference"

CCI_SOURCE = ("Eurostat, Guide to Eurostat culture statistics (2018 edition), cultural "
              "enterprises by NACE Rev.2")
AM_SOURCE = ("Eurostat, high-tech aggregation by NACE Rev.2 (htec): high-technology and "
             "medium-high-technology manufacturing")


@dataclass(frozen=True)
class SectorRef:
    code: str
    level: int
    parent: str
    name: str
    is_cci: bool
    is_am: bool


@dataclass(frozen=True)
class RegionRef:
    nuts_id: str
    level: int
    country: str
    name: str
    parent: str


def _rows(name: str) -> list[dict[str, str]]:
    text = (REFERENCE / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def nace() -> tuple[SectorRef, ...]:
    return tuple(
        SectorRef(r["code"], int(r["level"]), r["parent"], r["name"],
                  r["isCCI"].lower() == "true", r["isAdvancedManufacturing"].lower() == "true")
        for r in _rows("nace_rev2.csv")
    )


@cache
def nuts() -> tuple[RegionRef, ...]:
    return tuple(
        RegionRef(r["NUTS_ID"], int(r["LEVL_CODE"]), r["CNTR_CODE"], r["NAME_LATN"], r["parent"])
        for r in _rows("nuts2021.csv")
    )


def sector_graph(codes: Iterable[str] | None = None) -> tuple[list[Node], list[Edge]]:
    """Sector nodes and BROADER edges; with ``codes``, only those and their ancestors."""
    by_code = {s.code: s for s in nace()}
    keep = set(by_code) if codes is None else _with_ancestors(codes, by_code)
    nodes, edges = [], []
    for s in nace():
        if s.code not in keep:
            continue
        nodes.append(Node(s.code, "Sector", {
            "name": s.name, NACE_ENGLISH: s.name, "level": s.level, "isCCI": s.is_cci,
            "isAdvancedManufacturing": s.is_am,
            "definitionSource": f"CCI: {CCI_SOURCE}; advanced manufacturing: {AM_SOURCE}",
        }))
        if s.parent:
            edges.append(Edge(s.code, "BROADER", s.parent, {}))
    return nodes, edges


def region_graph(countries: Iterable[str] | None = None,
                 max_level: int = 3) -> tuple[list[Node], list[Edge]]:
    """Region nodes and PART_OF edges, optionally for some countries and levels only."""
    wanted = None if countries is None else set(countries)
    nodes, edges = [], []
    for r in nuts():
        if (wanted is not None and r.country not in wanted) or r.level > max_level:
            continue
        nodes.append(Node(r.nuts_id, "Region", {"name": r.name, "level": r.level,
                                                "country": r.country}))
        if r.parent:
            edges.append(Edge(r.nuts_id, "PART_OF", r.parent, {}))
    return nodes, edges


def _with_ancestors(codes: Iterable[str], by_code: dict[str, SectorRef]) -> set[str]:
    keep: set[str] = set()
    for code in codes:
        while code and code not in keep:
            keep.add(code)
            code = by_code[code].parent
    return keep


def import_reference(store: Store, *, max_level: int = 3, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportReport:
    """Load every NACE Rev.2 code and the NUTS 2021 regions up to ``max_level`` (idempotent:
    a second run changes nothing). Source: ``reference NACE Rev.2 / NUTS 2021``."""
    from coco_atlas.importers.errors import Location, Problems
    from coco_atlas.importers.load import load
    from coco_atlas.importers.records import Chunk

    sectors, broader = sector_graph()
    regions, part_of = region_graph(max_level=max_level)
    nace_rows = {s.code: k + 2 for k, s in enumerate(nace())}  # header is row 1
    nuts_rows = {r.nuts_id: k + 2 for k, r in enumerate(nuts())}
    nace_at = Location("importers/reference/nace_rev2.csv", "table")
    nuts_at = Location("importers/reference/nuts2021.csv", "table")
    cols = {"id": "code", "name": "name", NACE_ENGLISH: "name", "level": "level", "isCCI": "isCCI",
            "isAdvancedManufacturing": "isAdvancedManufacturing", "target": "parent"}
    nuts_cols = {"id": "NUTS_ID", "name": "NAME_LATN", "level": "LEVL_CODE",
                 "country": "CNTR_CODE", "target": "parent"}
    chunks = [
        Chunk("nodes", sectors, [nace_rows[n.id] for n in sectors], nace_at, cols),
        Chunk("nodes", regions, [nuts_rows[n.id] for n in regions], nuts_at, nuts_cols),
        Chunk("edges", broader, [nace_rows[e.source] for e in broader], nace_at, cols),
        Chunk("edges", part_of, [nuts_rows[e.source] for e in part_of], nuts_at, nuts_cols),
    ]
    return load(store, chunks, Problems(), source=SOURCE, dry_run=dry_run, progress=progress,
                what=N_("the reference data"))
