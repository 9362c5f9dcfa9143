"""From a drawn graph to vis-network data and a pyvis ``Network``.

:func:`draw` turns n nodes and their weighted ties into vis-network node and edge dicts: positions
from igraph (:mod:`viz.layout`), radii with area proportional to the size metric, colours per
category, compact tooltip values, and the order in which names get a label (most important
first). Names are not vis-network labels: the page draws them itself at each zoom, skipping any
that would overlap one already drawn (``templates/map.js``), so ten thousand names never pile up
into an unreadable disc. :func:`to_network` then fills a pyvis ``Network`` by assigning its node
and edge lists in one go: pyvis's ``add_edge`` checks every edge against the list of edges
already added, which is quadratic and takes minutes at 30,000 edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coco_atlas.viz.colours import TIE
from coco_atlas.viz.layout import SPACING, fan_out, positions, separate

PHYSICS_LIMIT = 150  # actors: vis-network's physics stays on up to here, off above
EDGE_HEAVY = 2_000  # nodes: above this, hide edges while dragging or zooming


@dataclass
class MapData:
    """Everything a map page needs: vis-network nodes, edges and options, and the page's meta
    (title, legend, tooltip field names, link templates, notes)."""

    kind: str
    title: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    springy: bool = True  # physics allowed when small (not for aggregates: big dots collide)

    @property
    def physics(self) -> bool:
        """Small maps settle by physics; never a geographic one (nodes stay at their place)."""
        return self.springy and 0 < len(self.nodes) <= PHYSICS_LIMIT and "geo" not in self.meta


@dataclass
class Drawing:
    """Input of :func:`draw`: node ``i`` is ``keys[i]``; ``pairs`` are undirected ties."""

    keys: Sequence[str]
    texts: Sequence[str]
    value: np.ndarray  # size metric (area of the dot is proportional to it)
    category: np.ndarray  # index into the legend's items
    colours: Sequence[str]  # colour of each category
    pairs: np.ndarray  # (m, 2) node index pairs
    ties: np.ndarray  # weight of each pair
    info: list[list[Any]]  # tooltip values per node, aligned with the map's field names
    radius: tuple[float, float] = (5.0, 40.0)
    edge_colours: list[str | None] | None = None
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # per-node overrides
    importance: np.ndarray | None = None  # who gets a label first (default: value)
    xy: np.ndarray | None = None  # given positions (a geographic map): no force layout;
    # nodes given the same point are fanned out around it (viz.layout.fan_out)


def draw(d: Drawing) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """vis-network node and edge dicts for a drawing, and what the page needs to label it:
    ``order`` (node ids, most important first) and ``spacing`` (canvas units between nodes)."""
    n = len(d.keys)
    value = np.nan_to_num(np.asarray(d.value, dtype=float), nan=0.0).clip(min=0)
    top = float(value.max()) if n else 0.0
    low, high = d.radius
    radius = low + (high - low) * np.sqrt(value / top) if top > 0 else np.full(n, (low + high) / 3)
    # Room for the dots: big dots (aggregated maps) need the nodes further apart.
    spacing = max(SPACING, 3.0 * float(radius.mean())) if n else SPACING
    if d.xy is None:
        xy = separate(positions(n, d.pairs, d.ties, spacing=spacing), radius)
    else:
        xy = fan_out(np.asarray(d.xy, dtype=float), value, step=low)
    importance = value if d.importance is None else np.asarray(d.importance, dtype=float)
    xs, ys = np.round(xy[:, 0], 1).tolist(), np.round(xy[:, 1], 1).tolist()
    rs = np.round(radius, 1).tolist()
    cats = d.category.tolist()
    nodes = []
    for i in range(n):
        node: dict[str, Any] = {"id": i, "k": d.keys[i], "name": d.texts[i], "x": xs[i],
                                "y": ys[i], "size": rs[i], "color": d.colours[cats[i]],
                                "c": cats[i], "f": d.info[i]}
        node.update(d.extra.get(i, {}))
        nodes.append(node)
    order = np.argsort(-importance, kind="stable").tolist()
    return nodes, _edges(d), {"order": order, "spacing": round(spacing, 1)}


def _edges(d: Drawing) -> list[dict[str, Any]]:
    pairs = d.pairs.tolist()
    widths = np.round(1 + np.minimum(4, np.log2(np.maximum(d.ties, 1))), 2).tolist()
    out: list[dict[str, Any]] = [{"from": a, "to": b, "width": w}
                                 for (a, b), w in zip(pairs, widths, strict=True)]
    if d.edge_colours is not None:
        for edge, colour in zip(out, d.edge_colours, strict=True):
            if colour is not None:
                edge["color"] = {"color": colour, "opacity": 0.85}
                edge["width"] += 1
    return out


def options(data: MapData) -> dict[str, Any]:
    """vis-network options: positions are given, so no improved layout; physics only for small
    maps, and then only until stabilised; straight edges (curves cost a lot to draw)."""
    n = len(data.nodes)
    heavy = n > EDGE_HEAVY
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "nodes": {"shape": "dot", "borderWidth": 1, "borderWidthSelected": 3},
        "edges": {
            "smooth": False, "width": 1, "selectionWidth": 2, "hoverWidth": 0.5,
            "color": {"color": TIE, "highlight": "#1f2328", "hover": "#1f2328",
                      "opacity": 0.35 if n < 3_000 else 0.22, "inherit": False},
        },
        "physics": {
            "enabled": data.physics, "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -2500, "springLength": 110,
                          "avoidOverlap": 0.6, "damping": 0.4},
            "stabilization": {"enabled": True, "iterations": 150, "fit": True},
        },
        "interaction": {"hover": True, "hideEdgesOnDrag": heavy, "hideEdgesOnZoom": heavy,
                        "tooltipDelay": 100, "keyboard": False, "zoomSpeed": 0.7},
    }


def to_network(data: MapData) -> Any:
    """A pyvis ``Network`` holding the map: node and edge lists assigned in bulk."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=False, heading=data.title,
                  cdn_resources="in_line")
    net.nodes = data.nodes
    net.edges = data.edges
    net.node_ids = [node["id"] for node in data.nodes]
    net.node_map = {node["id"]: node for node in data.nodes}
    net.options = options(data)
    return net


def count_text(n: int, one: str, many: str | None = None) -> str:
    """``1 actor``, ``2,345 actors``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def rounded(x: Any) -> Any:
    """Numbers for tooltips: integers stay, floats keep three significant digits."""
    if x is None or isinstance(x, (int, str)):
        return x
    x = float(x)
    if math.isnan(x):
        return None
    if x.is_integer():
        return int(x)
    return float(f"{x:.3g}")
