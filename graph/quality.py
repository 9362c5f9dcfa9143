"""Data quality of a store: what is known, what is missing, what does not add up.

A data steward fixes the worst first, so every finding comes with its count and the records
that make it (the first ones by id, each a link in the pages). The measures follow the usual
dimensions of data quality — completeness, consistency, integration — as ISO/IEC 25012 (data
quality model) names them:

* **completeness**: per label and property, the share of nodes with a value (the schema says
  which properties a record should have: ``recommended`` ones, and the identity it cannot
  exist without);
* **actors without a region or a sector**: no LOCATED_IN, no IN_SECTOR relationship, so they
  are missing from region and gap maps and from sector analyses;
* **inconsistent country and region**: an actor whose ``country`` is not its region's;
* **isolated actors**: no partnership, collaboration or membership at all (the actor network
  has no tie for them);
* **places not placed**: actors with a city but no region whose city names several places in
  different regions (``ambiguousPlace``) or no place the gazetteer can put in a region
  (``unknownPlace``); :mod:`graph.places` decides the others (``coco regions --derive``);
* **suspected duplicates**: actors and competences whose names and places say they are one
  (:mod:`graph.duplicates`; ``coco duplicates`` shows the evidence, ``coco merge`` merges);
* **values not as given**: regions derived from a city (``derivedRegion``), and records whose
  values an import normalised or filled in (``normalisedValue``: a mapping's default or
  translation, ``https://`` added, ``1951,0`` read as 1951…, named per record in its stamped
  ``normalised`` property), worth a look since no person stated them so.

Only the Store contract is used, so the report is the same on every store.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coco_atlas.graph.analytics.network import ACTORS, COLLABORATION, TIES
from coco_atlas.graph.duplicates import store_duplicates
from coco_atlas.graph.store import Store
from coco_atlas.schema import NORMALISED, SCHEMA

__all__ = ["KINDS", "Finding", "Quality", "quality"]

KINDS = ("noRegion", "noSector", "countryMismatch", "isolated", "duplicates", "ambiguousPlace",
         "unknownPlace", "derivedRegion", "normalisedValue")  # every finding, in report order

EXAMPLES = 20  # records listed per finding
LOCATED_IN = SCHEMA.rel("LOCATED_IN").name
IN_SECTOR = SCHEMA.rel("IN_SECTOR").name
REGION = SCHEMA.label("Region").name
SECTOR = SCHEMA.label("Sector").name
COUNTRY = "country"


@dataclass
class Completeness:
    """How many nodes of a label have a value for one property."""

    label: str
    property: str
    known: int
    total: int
    recommended: bool

    @builtins.property  # the field above is named ``property``
    def share(self) -> float:
        return self.known / self.total if self.total else 1.0


@dataclass
class Finding:
    """One kind of problem: how many records have it, and the first of them by id."""

    kind: str
    title: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class Quality:
    """The whole report; ``to_json()`` gives the plain form the CLI and pages print."""

    counts: dict[str, int]
    completeness: list[Completeness]
    findings: list[Finding]
    version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "counts": self.counts,
            "completeness": [{"label": c.label, "property": c.property, "known": c.known,
                              "total": c.total, "share": round(c.share, 4),
                              "recommended": c.recommended} for c in self.completeness],
            "findings": [{"kind": f.kind, "title": f.title, "count": f.count,
                          "examples": f.examples} for f in self.findings],
        }


def quality(store: Store, *, examples: int = EXAMPLES) -> Quality:
    """The data-quality report of ``store`` (see the module notes for what it measures)."""
    counts = store.counts()["labels"]
    version = store.version
    completeness = [c for label in SCHEMA.label_names if counts.get(label)
                    for c in _completeness(store, label, counts[label])]
    topo = store.topology(labels=[*ACTORS, REGION, SECTOR, COLLABORATION],
                          rel_types=[LOCATED_IN, IN_SECTOR, *TIES.values()])
    findings = [
        *_missing_links(topo, examples),
        _inconsistent_countries(store, topo, examples),
        _isolated(topo, examples),
        _duplicates(store, examples),
        *_places(store, examples),
        _derived(store, examples),
        _normalised(store, examples),
    ]
    return Quality(counts, completeness, findings, version)


def _completeness(store: Store, label: str, total: int) -> list[Completeness]:
    out = []
    for prop in SCHEMA.node_properties(label).values():
        if prop.stamped or prop.name == "id":
            continue
        known = len(store.property_values(prop.name, [label]))
        out.append(Completeness(label, prop.name, known, total,
                                bool(getattr(prop, "recommended", False) or prop.required)))
    return out


def _positions(topo: Any, labels: Sequence[str]) -> np.ndarray:
    codes = [SCHEMA.label_names.index(x) for x in labels]
    return np.flatnonzero(np.isin(topo.labels, codes))


def _first(topo: Any, positions: np.ndarray, examples: int) -> list[str]:
    ids = topo.ids
    return sorted(ids[i] for i in positions.tolist())[:examples]


def _missing_links(topo: Any, examples: int) -> list[Finding]:
    actors = _positions(topo, ACTORS)
    out = []
    for rel, kind, title in ((LOCATED_IN, "noRegion", "actors without a region"),
                             (IN_SECTOR, "noSector", "actors without a sector")):
        has = np.zeros(topo.n_nodes, dtype=bool)
        has[topo.src[topo.types == SCHEMA.rel_names.index(rel)]] = True
        missing = actors[~has[actors]]
        out.append(Finding(kind, title, len(missing), _first(topo, missing, examples)))
    return out


def _inconsistent_countries(store: Store, topo: Any, examples: int) -> Finding:
    located = topo.types == SCHEMA.rel_names.index(LOCATED_IN)
    countries = store.property_values(COUNTRY, [*ACTORS, REGION])
    ids = topo.ids
    wrong = sorted({ids[a] for a, r in zip(topo.src[located].tolist(), topo.dst[located].tolist(),
                                            strict=True)
                    if ids[a] in countries and ids[r] in countries
                    and countries[ids[a]] != countries[ids[r]]})
    return Finding("countryMismatch", "actors whose country is not their region's country",
                   len(wrong), wrong[:examples])


def _isolated(topo: Any, examples: int) -> Finding:
    """Actors with no tie of the actor network: no partnership or membership edge, and no
    collaboration that has another participant."""
    tie_types = [SCHEMA.rel_names.index(t) for t in TIES.values()]
    ties = np.isin(topo.types, tie_types)
    src, dst = topo.src[ties], topo.dst[ties]
    venue = np.isin(topo.labels[dst], [SCHEMA.label_names.index(COLLABORATION)])
    linked = np.zeros(topo.n_nodes, dtype=bool)
    linked[src[~venue]] = linked[dst[~venue]] = True
    # a collaboration ties its participants only when it has two or more
    participants = np.bincount(dst[venue], minlength=topo.n_nodes)
    shared = venue.copy()
    shared[venue] = participants[dst[venue]] >= 2
    linked[src[shared]] = True
    actors = _positions(topo, ACTORS)
    alone = actors[~linked[actors]]
    return Finding("isolated", "actors without any partnership, collaboration or membership",
                   len(alone), _first(topo, alone, examples))


def _duplicates(store: Store, examples: int) -> Finding:
    """Records in a likely duplicate pair, best pairs first (both ids of each pair)."""
    pairs = store_duplicates(store)
    ids = list(dict.fromkeys(i for m in pairs for i in (m.a.id, m.b.id)))
    return Finding("duplicates", "records that look like another record (suspected duplicates)",
                   len(ids), ids[:examples])


def _places(store: Store, examples: int) -> list[Finding]:
    """Actors with a city and no region that :mod:`graph.places` cannot place: ambiguous
    names and unknown places, never guessed (the gazetteer is read only when there are any)."""
    from coco_atlas.graph.places import derive_regions

    found = derive_regions(store)
    ambiguous = [a.actor for a in found.ambiguous]
    unknown = [u.actor for u in found.unknown]
    return [Finding("ambiguousPlace", "actors whose city names places in different regions",
                    len(ambiguous), ambiguous[:examples]),
            Finding("unknownPlace", "actors with a city that could not be placed in a region",
                    len(unknown), unknown[:examples])]


def _derived(store: Store, examples: int) -> Finding:
    """Actors whose region COCO Atlas derived (``coco regions --derive``) rather than a person
    stated: worth a look, since the evidence is a gazetteer, not the actor."""
    from coco_atlas.graph.places import SOURCE

    ids = sorted({e.source for e in store.iter_edges(LOCATED_IN)
                  if e.props.get("source") == SOURCE})
    return Finding("derivedRegion", "actors whose region was derived from their city",
                   len(ids), ids[:examples])


def _normalised(store: Store, examples: int) -> Finding:
    """Records with a value an import changed from what the file said; the title counts them
    per property, most first (then by name)."""
    found = store.property_values(NORMALISED, list(SCHEMA.label_names))
    per = Counter(p for props in found.values() for p in props)
    detail = ", ".join(f"{p} {n:,}" for p, n in sorted(per.items(), key=lambda x: (-x[1], x[0])))
    ids = sorted(found)
    return Finding("normalisedValue", "records with values an import normalised or filled in"
                   + (f" ({detail})" if detail else ""), len(ids), ids[:examples])
