"""What the maps know about every actor and place, read once per store version: label, country,
founding year, region, sectors and sector group (what filters and colours need), and the NUTS and
NACE hierarchies with their names.

Everything is read with the Store contract's bulk reads (``topology`` and ``property_values``),
never node by node, so that a 500k-node store is described in seconds. Names and the properties
tooltips show are read only for the actors a map draws (:func:`describe`). The sector group is
the analytics' own (:func:`graph.analytics.groups.sector_groups`), so that maps and brokerage
agree.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from coco_atlas.graph.store import Store
from coco_atlas.schema import ACTOR_LABELS, SCHEMA

ACTORS = tuple(sorted(ACTOR_LABELS))
REGION = SCHEMA.label("Region").name
SECTOR = SCHEMA.label("Sector").name
NAME = SCHEMA.node_properties(ACTORS[0])["name"].name
COUNTRY = SCHEMA.node_properties(ACTORS[0])["country"].name
FOUNDED = SCHEMA.node_properties(ACTORS[0])["foundedYear"].name
LEVEL = SCHEMA.node_properties(REGION)["level"].name
LOCATED_IN = SCHEMA.rel("LOCATED_IN").name
IN_SECTOR = SCHEMA.rel("IN_SECTOR").name
PART_OF = SCHEMA.rel("PART_OF").name
BROADER = SCHEMA.rel("BROADER").name
UNKNOWN_TEXT = "unknown"  # what pages and maps show for a value an actor should have but lacks


def key_properties(label: str) -> list[str]:
    """The properties a tooltip shows for a label: its own indexed properties (those a user
    filters and sorts by: kind, country, sizeClass, foundedYear …), never the stamps or the name."""
    return [p.name for p in SCHEMA.node_properties(label).values()
            if p.indexed and not p.stamped and p.name != NAME]


@dataclass(frozen=True)
class Tree:
    """A hierarchy of reference nodes (NUTS regions by PART_OF, NACE sectors by BROADER)."""

    names: dict[str, str]
    parent: dict[str, str]

    def ancestors(self, node: str) -> list[str]:
        """``node`` and every node above it, nearest first."""
        out = [node]
        while out[-1] in self.parent and len(out) < 16:
            out.append(self.parent[out[-1]])
        return out

    def within(self, nodes: Sequence[str], roots: set[str]) -> np.ndarray:
        """For each of ``nodes``: is it one of ``roots`` or below one of them?"""
        memo: dict[str, bool] = {}
        out = np.zeros(len(nodes), dtype=bool)
        for i, node in enumerate(nodes):
            hit = memo.get(node)
            if hit is None:
                hit = memo[node] = any(a in roots for a in self.ancestors(node))
            out[i] = hit
        return out


@dataclass(frozen=True)
class ActorTable:
    """Attributes of every actor, row ``i`` being actor ``ids[i]`` (the actor network's order)."""

    ids: list[str]
    labels: np.ndarray  # object: Hub / Company
    country: np.ndarray  # object, "" when unknown
    region: np.ndarray  # object: the LOCATED_IN region, "" when unknown
    group: np.ndarray  # object: sector group (graph.analytics.groups)
    sectors: list[tuple[str, ...]]
    founded: np.ndarray  # float, NaN when unknown
    regions: Tree
    sectors_tree: Tree
    region_level: dict[str, int]
    region_country: dict[str, str]
    version: int

    @cached_property
    def index(self) -> dict[str, int]:
        return {node_id: i for i, node_id in enumerate(self.ids)}

    def region_at(self, level: int) -> np.ndarray:
        """Each actor's region lifted to a NUTS level ("" when it has none at that level)."""
        lift: dict[str, str] = {}
        for region, lvl in self.region_level.items():
            if lvl >= level:
                up = [a for a in self.regions.ancestors(region)
                      if self.region_level.get(a) == level]
                lift[region] = up[0] if up else ""
        return np.array([lift.get(r, "") for r in self.region.tolist()], dtype=object)


def describe(store: Store, ids: Sequence[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Names and key properties (:func:`key_properties`) of the actors ``ids``, in one read; a
    recommended property the actor lacks reads :data:`UNKNOWN_TEXT`."""
    nodes = store.get_nodes(list(ids))
    names: list[str] = []
    props: list[dict[str, Any]] = []
    for node_id in ids:
        node = nodes.get(node_id)
        if node is None:
            names.append(node_id)
            props.append({})
            continue
        names.append(str(node.props.get(NAME, node_id)))
        wanted = SCHEMA.recommended(node.label)
        props.append({p: node.props.get(p, UNKNOWN_TEXT if p in wanted else None)
                      for p in key_properties(node.label)})
    return names, props


def actor_table(store: Store, ids: Sequence[str]) -> ActorTable:
    """The attributes of the actors ``ids`` (cached per store and version)."""
    return _CACHE.get(store, list(ids))


class _Cache:
    """The last table per store; rebuilt when the store's version changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tables: weakref.WeakKeyDictionary[Store, ActorTable] = weakref.WeakKeyDictionary()

    def get(self, store: Store, ids: list[str]) -> ActorTable:
        version = store.version
        with self.lock:
            table = self.tables.get(store)
        if table is None or table.version != version or table.ids != ids:
            table = _build(store, ids, version)
            with self.lock:
                self.tables[store] = table
        return table


_CACHE = _Cache()


def _build(store: Store, ids: list[str], version: int) -> ActorTable:
    from coco_atlas.graph.analytics.groups import UNKNOWN, sector_groups

    country = store.property_values(COUNTRY, list(ACTORS))
    founded = store.property_values(FOUNDED, list(ACTORS))
    located = _pairs(store, [*ACTORS, REGION], LOCATED_IN)
    in_sector: dict[str, list[str]] = {}
    for a, s in _edges(store, [*ACTORS, SECTOR], IN_SECTOR):
        in_sector.setdefault(a, []).append(s)
    groups = sector_groups(store)
    labels = _labels(store, ids)
    return ActorTable(
        ids=ids,
        labels=np.array(labels, dtype=object),
        country=np.array([str(country.get(i, "")) for i in ids], dtype=object),
        region=np.array([located.get(i, "") for i in ids], dtype=object),
        group=np.array([groups.get(i, UNKNOWN) for i in ids], dtype=object),
        sectors=[tuple(sorted(in_sector.get(i, ()))) for i in ids],
        founded=np.array([float(founded[i]) if i in founded else np.nan for i in ids]),
        regions=Tree(_names(store, REGION), _pairs(store, [REGION], PART_OF)),
        sectors_tree=Tree(_names(store, SECTOR), _pairs(store, [SECTOR], BROADER)),
        region_level={k: int(v) for k, v in store.property_values(LEVEL, [REGION]).items()},
        region_country={k: str(v) for k, v in store.property_values(COUNTRY, [REGION]).items()},
        version=version,
    )


def _labels(store: Store, ids: list[str]) -> list[str]:
    topo = store.topology(labels=list(ACTORS), rel_types=[])
    names = SCHEMA.label_names
    label_of = dict(zip(topo.ids, (names[c] for c in topo.labels.tolist()), strict=True))
    return [label_of.get(i, "") for i in ids]


def _names(store: Store, label: str) -> dict[str, str]:
    return {k: str(v) for k, v in store.property_values(NAME, [label]).items()}


def _edges(store: Store, labels: list[str], rel: str) -> list[tuple[str, str]]:
    topo = store.topology(labels=labels, rel_types=[rel])
    ids = topo.ids
    return [(ids[s], ids[d]) for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True)]


def _pairs(store: Store, labels: list[str], rel: str) -> dict[str, str]:
    """``{source: target}`` for a relationship each source has at most once (its lowest target
    if several)."""
    out: dict[str, str] = {}
    for s, d in sorted(_edges(store, labels, rel), reverse=True):
        out[s] = d
    return out
