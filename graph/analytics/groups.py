"""Grouping actors for brokerage and mixing: sector group, country, NUTS region, label or any
actor property of the schema.

* ``sectorGroup`` — from the actor's primary IN_SECTOR sector: ``cci`` if the sector is cultural
  (Eurostat culture statistics), else ``advanced-manufacturing`` if it is high- or medium-high-tech
  manufacturing, else ``ict`` for NACE section J (the first letter of the Sector id, e.g. J62.01),
  else ``other``. With several sectors the one marked ``primary`` wins, then the lowest id.
* ``region`` — the LOCATED_IN region; ``nuts0`` … ``nuts3`` lift it to that NUTS level via PART_OF.
* ``label`` — Hub or Company.
* any other actor property (``country``, ``sizeClass``, ``kind`` …) — its value.

Actors without a value fall in the group ``unknown`` (a group of its own, so that every actor has
one, as R's ``sna::brokerage`` requires a class per vertex).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coco_atlas.graph.analytics.network import ACTORS, ActorNetwork
from coco_atlas.graph.memo import per_version
from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.messages import N_, Msg

UNKNOWN = "unknown"
SECTOR_GROUPS = ("cci", "advanced-manufacturing", "ict", "other")
IN_SECTOR = SCHEMA.rel("IN_SECTOR").name
LOCATED_IN = SCHEMA.rel("LOCATED_IN").name
PART_OF = SCHEMA.rel("PART_OF").name
SECTOR = SCHEMA.label("Sector").name
REGION = SCHEMA.label("Region").name
PRIMARY = SCHEMA.rel_properties(IN_SECTOR)["primary"].name
IS_CCI = SCHEMA.node_properties(SECTOR)["isCCI"].name
IS_AM = SCHEMA.node_properties(SECTOR)["isAdvancedManufacturing"].name
LEVEL = SCHEMA.node_properties(REGION)["level"].name
ICT_SECTION = "J"  # NACE Rev.2 section J: information and communication
NUTS_LEVELS = {f"nuts{k}": k for k in range(4)}
SPECIAL = ("sectorGroup", "region", *NUTS_LEVELS, "label")


def group_choices() -> tuple[str, ...]:
    """Every accepted ``group_by``: the derived groupings, then the actors' own properties."""
    props = sorted({p for lab in ACTORS for p, spec in SCHEMA.node_properties(lab).items()
                    if spec.type.value in ("string", "int", "bool") and not spec.stamped
                    and p not in ("name", "description", "website")})
    return (*SPECIAL, *props)


def actor_groups(store: Store, net: ActorNetwork, group_by: str) -> list[str]:
    """The group of every actor of ``net`` (``unknown`` where there is none)."""
    if group_by == "sectorGroup":
        values = sector_groups(store)
    elif group_by == "region":
        values = actor_regions(store)
    elif group_by in NUTS_LEVELS:
        values = actor_regions(store, level=NUTS_LEVELS[group_by])
    elif group_by == "label":
        return list(net.labels)
    elif group_by in group_choices():
        values = {k: str(v) for k, v in store.property_values(group_by, list(ACTORS)).items()}
    else:
        raise ValueError(Msg(N_("{field}: expected one of {choices}, got {got}"),
                             field="group by", choices=", ".join(group_choices()),
                             got=repr(group_by)))
    return [values.get(i, UNKNOWN) for i in net.ids]


def codes(groups: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Groups as integer codes (sorted names) for the array kernels.

    >>> codes(["ict", "cci", "ict"])
    (array([1, 0, 1]), ['cci', 'ict'])
    """
    text = list(map(str, groups))
    names = sorted(set(text))
    number = {name: i for i, name in enumerate(names)}
    return np.fromiter(map(number.__getitem__, text), np.int64, len(text)), names


def sector_groups(store: Store) -> dict[str, str]:
    """``{actor id: sector group}`` for the actors that have an IN_SECTOR sector (read once per
    store version: analyses over time ask it for every period; do not change the result)."""
    return per_version(store, ("sectorGroups",), lambda: _sector_groups(store))


def _sector_groups(store: Store) -> dict[str, str]:
    topo = store.topology(labels=[*ACTORS, SECTOR], rel_types=[IN_SECTOR])
    flags = {f: store.property_values(f, [SECTOR]) for f in (IS_CCI, IS_AM)}
    pairs: dict[str, list[str]] = {}
    ids = topo.ids
    for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True):
        pairs.setdefault(ids[s], []).append(ids[d])
    several = [(a, IN_SECTOR, x) for a, xs in pairs.items() if len(xs) > 1 for x in xs]
    primary = {e.source: e.target for e in store.get_edges(several).values()
               if e.props.get(PRIMARY)} if several else {}
    out = {}
    for actor, sectors in pairs.items():
        sector = primary.get(actor) or min(sectors)
        out[actor] = _sector_group(sector, flags)
    return out


def _sector_group(sector: str, flags: dict[str, dict[str, Any]]) -> str:
    if flags[IS_CCI].get(sector):
        return "cci"
    if flags[IS_AM].get(sector):
        return "advanced-manufacturing"
    return "ict" if sector[:1] == ICT_SECTION else "other"


def actor_regions(store: Store, level: int | None = None) -> dict[str, str]:
    """``{actor id: region id}`` from LOCATED_IN, lifted to a NUTS ``level`` if given (read
    once per store version; do not change the result).

    An actor located above the wanted level (e.g. only in a country) has no region of that level.
    """
    return per_version(store, ("actorRegions", level), lambda: _actor_regions(store, level))


def _actor_regions(store: Store, level: int | None) -> dict[str, str]:
    located = _pairs(store, [*ACTORS, REGION], LOCATED_IN)
    if level is None:
        return located
    lift = region_lift(store, level)
    return {a: lift[r] for a, r in located.items() if r in lift}


def region_lift(store: Store, level: int) -> dict[str, str]:
    """``{region id: its ancestor-or-self at NUTS level}`` for regions at or below ``level``."""
    levels = {k: int(v) for k, v in store.property_values(LEVEL, [REGION]).items()}
    parent = _pairs(store, [REGION], PART_OF)
    out = {}
    for region, lvl in levels.items():
        r, k = region, lvl
        while k > level and r in parent:
            r = parent[r]
            k = levels.get(r, k - 1)
        if k == level:
            out[region] = r
    return out


def _pairs(store: Store, labels: list[str], rel: str) -> dict[str, str]:
    topo = store.topology(labels=labels, rel_types=[rel])
    ids = topo.ids
    return {ids[s]: ids[d] for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True)}
