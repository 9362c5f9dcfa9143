"""Which part of the graph to export: labels, a region (with its sub-regions), a sector (with
its narrower codes).

A region or sector filter picks the actors (hubs, companies) located in it or active in it; the
part exported is those actors, the non-actor nodes one step away from them (their competences,
trainings, collaborations, sectors, regions), the hierarchy above every kept region, sector and
competence (so a map can roll up), and the chosen region or sector subtree itself. Edges are
kept when both ends are. Works on the integer topology (numpy), so it stays fast on 500k nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coco_atlas.graph.store import Store, Topology
from coco_atlas.schema import ACTOR_LABELS, SCHEMA, Problem, ValidationError
from coco_atlas.schema.messages import N_, Msg


@dataclass(frozen=True)
class Selection:
    """The ids to export (``None``: everything) and the labels they may carry."""

    ids: frozenset[str] | None
    labels: tuple[str, ...]

    def keeps(self, node_id: str) -> bool:
        return self.ids is None or node_id in self.ids


def select(store: Store, *, labels: Sequence[str] | None = None, region: str | None = None,
           sector: str | None = None) -> Selection:
    """The part of ``store`` that an export with these filters writes."""
    wanted = _labels(labels)
    if region is None and sector is None:
        if labels is None:
            return Selection(None, SCHEMA.label_names)
        return Selection(frozenset(store.topology(labels=wanted).ids), wanted)
    topo = store.topology()
    lab = topo.labels
    code = {name: k for k, name in enumerate(SCHEMA.label_names)}
    actors = np.isin(lab, [code[x] for x in ACTOR_LABELS])
    roots = np.zeros(topo.n_nodes, dtype=bool)
    for value, label, down, link in ((region, "Region", "PART_OF", "LOCATED_IN"),
                                     (sector, "Sector", "BROADER", "IN_SECTOR")):
        if value is None:
            continue
        start = _find(topo, value, label, code[label])
        tree = _closure(topo, start, down, upward=False)
        roots |= tree
        actors &= _linked(topo, tree, link)
    keep = actors | roots | (_neighbours(topo, actors) & ~np.isin(lab, [code[x] for x in
                                                                         ACTOR_LABELS]))
    for rel in ("PART_OF", "BROADER"):
        keep |= _closure(topo, keep, rel, upward=True)
    keep &= np.isin(lab, [code[x] for x in wanted])
    return Selection(frozenset(topo.ids[k] for k in np.flatnonzero(keep).tolist()), wanted)


def _labels(labels: Sequence[str] | None) -> tuple[str, ...]:
    if labels is None:
        return SCHEMA.label_names
    by_lower = {x.lower(): x for x in SCHEMA.label_names}
    bad = [x for x in labels if x.lower() not in by_lower]
    if bad:
        raise ValidationError([Problem("export", "labels", Msg(
            N_("labels among {names}"), names=", ".join(SCHEMA.label_names)), ", ".join(bad))])
    return tuple(by_lower[x.lower()] for x in labels)


def _find(topo: Topology, value: str, label: str, code: int) -> np.ndarray:
    """The node of ``value`` as a mask; a NACE code may omit its section letter (26.11)."""
    hits = [k for k, i in enumerate(topo.ids) if i == value and topo.labels[k] == code]
    if not hits and label == "Sector":
        hits = [k for k, i in enumerate(topo.ids) if topo.labels[k] == code and
                i[1:] == value and i[:1].isalpha()]
    if not hits:
        example = "AT13" if label == "Region" else "J58.2 or 58.2"
        raise ValidationError([Problem("export", label.lower(), Msg(
            N_("the id of a {label} in the store (e.g. {example}; import reference data first)"),
            label=label, example=example), value)])
    mask = np.zeros(topo.n_nodes, dtype=bool)
    mask[hits] = True
    return mask


def _closure(topo: Topology, start: np.ndarray, rel: str, *, upward: bool) -> np.ndarray:
    """``start`` and every node reached along ``rel`` edges (child → parent edges: upward
    follows them, downward follows them backwards)."""
    t = SCHEMA.rel_names.index(rel)
    on = topo.types == t
    frm, to = (topo.src[on], topo.dst[on]) if upward else (topo.dst[on], topo.src[on])
    seen = start.copy()
    frontier = start.copy()
    while frontier.any():
        reached = np.zeros_like(seen)
        reached[to[frontier[frm]]] = True
        frontier = reached & ~seen
        seen |= reached
    return seen


def _linked(topo: Topology, targets: np.ndarray, rel: str) -> np.ndarray:
    """Nodes with a ``rel`` edge into ``targets``."""
    on = (topo.types == SCHEMA.rel_names.index(rel)) & targets[topo.dst]
    out = np.zeros(topo.n_nodes, dtype=bool)
    out[topo.src[on]] = True
    return out


def _neighbours(topo: Topology, nodes: np.ndarray) -> np.ndarray:
    out = np.zeros(topo.n_nodes, dtype=bool)
    out[topo.dst[nodes[topo.src]]] = True
    out[topo.src[nodes[topo.dst]]] = True
    return out
