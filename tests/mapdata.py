"""Reading maps back: the data a map page embeds, and the store facts maps are checked against."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from shapely.geometry import Polygon
from shapely.ops import unary_union

from coco_atlas.graph.store import Store
from coco_atlas.schema import ACTOR_LABELS, Node

DATA = re.compile(r'<script type="application/json" id="coco-data">(.*?)</script>', re.S)


EXTERNAL = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["\']?(?:https?:)?//',
                      re.I)


def payload(html: str) -> dict[str, Any]:
    found = DATA.search(html)
    assert found, "no map data in the page"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def actors(store: Store) -> dict[str, Node]:
    return {n.id: n for label in ACTOR_LABELS for n in store.iter_nodes(label)}


def located(store: Store) -> dict[str, str]:
    return {e.source: e.target for e in store.iter_edges("LOCATED_IN")}


def ancestors(store: Store, rel: str) -> dict[str, list[str]]:
    parent = {e.source: e.target for e in store.iter_edges(rel)}
    out: dict[str, list[str]] = {}
    for node in set(parent) | set(parent.values()):
        chain = [node]
        while chain[-1] in parent:
            chain.append(parent[chain[-1]])
        out[node] = chain
    return out


def tied_to(store: Store, actor: str) -> set[str]:
    """Partners, hubs or members, and co-participants of one actor (no year filter)."""
    around = store.neighbours([actor], ["PARTNERS_WITH", "MEMBER_OF"], "both")[actor]
    out = {nb.node.id for nb in around}
    collabs = [nb.node.id for nb in store.neighbours([actor], ["PARTICIPATES_IN"], "out")[actor]]
    for nbs in store.neighbours(collabs, ["PARTICIPATES_IN"], "in").values():
        out |= {nb.node.id for nb in nbs}
    return out - {actor}


def outline(geo: dict[str, Any], code: str) -> Any:
    """A country's outline as drawn on the page (rings are flat x, y lists)."""
    rings = [np.array(r).reshape(-1, 2) for c in geo["outlines"] if c["c"] == code
             for r in c["p"]]
    assert rings, code
    return unary_union([Polygon(r).buffer(0) for r in rings])
