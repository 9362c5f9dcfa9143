"""Reference classifications shipped with the package: NACE Rev.2 sectors and NUTS 2021 regions.

The CSV files and their sources are described in ``importers/reference/README.md``. Sectors become
``Sector`` nodes with ``BROADER`` links up the NACE hierarchy; regions become ``Region`` nodes with
``PART_OF`` links up the NUTS hierarchy.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from schema import Edge, Node

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
    text = resources.files("importers").joinpath("reference", name).read_text(encoding="utf-8")
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
            "name": s.name, "level": s.level, "isCCI": s.is_cci,
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
