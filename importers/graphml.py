"""GraphML in and out (graphml.graphdrawing.org; as Gephi, yEd, networkx and igraph write it).

Reading: ``<key id for attr.name attr.type>`` declares data keys (with an optional
``<default>``); ``<node id>`` and ``<edge source target>`` carry ``<data key>`` values. A key's
``attr.name`` is the column name (its ``id`` when it has none). Node data ``label`` is our
``name`` (the id when there is none, as Gephi shows it), ``type`` our label; edge data
``label`` or ``type`` is our relationship type. Nested graphs and hyperedges are refused;
yEd's graphics data (no text) are empty and ignored.

Writing streams the XML: keys first (``n_…`` for node data, ``e_…`` for edge data, so a name
used by both stays unique), then nodes, then edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from coco_atlas.importers.errors import Location, Problems
from coco_atlas.importers.outputs import (
    atomic,
    edge_properties,
    node_properties,
    plain,
    xml_attr,
    xml_text,
)
from coco_atlas.importers.records import Dialect
from coco_atlas.importers.xmlgraph import XML_TYPES, GraphBlocks
from coco_atlas.importers.xmlstream import El, stream
from coco_atlas.schema import Edge, Node
from coco_atlas.schema.messages import N_

GRAPHML = Dialect(
    nodes={"id": "id", "label": "name", "type": "label"},
    edges={"source": "source", "target": "target", "label": "type", "type": "type"},
    name_from_id=True,
)
NS = "http://graphml.graphdrawing.org/xmlns"


class GraphmlReader(GraphBlocks):
    """One pass over a GraphML file: node blocks first, then edge blocks."""

    def __init__(self, path: str | Path, problems: Problems, progress: Any = None):
        self.path, self.problems = str(path), problems
        self.keys: dict[str, tuple[str, str, str | None]] = {}  # id -> (for, name, default)
        self._items = stream(path, {"key", "node", "edge", "hyperedge"}, set(), problems,
                             progress)

    def _declare(self, el: El) -> bool:
        if el.tag == "key":
            default = el.find("default")
            self.keys[el.attrs.get("id", "")] = (
                el.attrs.get("for", "all"), el.attrs.get("attr.name") or
                el.attrs.get("id", ""), default.text if default is not None else None)
            return True
        if el.tag == "hyperedge":
            self.problems.add(Location(self.path, "xml", el.line),
                              N_("nodes and edges (hyperedges are not supported)"))
            return True
        return False

    def _row(self, el: El, shown: dict[str, str]) -> dict[str, Any]:
        kind = el.tag
        if el.find("graph") is not None:
            self.problems.add(Location(self.path, "xml", el.line),
                              N_("a flat graph (nested graphs are not supported)"))
        own = ("id",) if kind == "node" else ("source", "target")
        row: dict[str, Any] = {k: el.attrs[k] for k in own if k in el.attrs}
        for k in row:
            shown.setdefault(k, f"attribute {k!r}")
        for key, (for_, name, default) in self.keys.items():
            if default is not None and for_ in (kind, "all"):
                row.setdefault(name, default)
                shown.setdefault(name, f"data {key!r}")
        for d in el.children:
            if d.tag != "data":
                continue
            key = d.attrs.get("key", "")
            name = self.keys.get(key, ("", key, None))[1]
            if name in own:
                name = f"{name} (data)"
            row[name] = d.text
            shown.setdefault(name, f"data {key!r}")
        return row


# -- writing -----------------------------------------------------------------------------------
_TYPES = XML_TYPES


def write_graphml(out: str | Path, nodes: Iterable[Node], edges: Iterable[Edge],
                  labels: Sequence[str] | None = None, types: Sequence[str] | None = None
                  ) -> None:
    """Stream GraphML: node data ``label`` (our name) and ``type`` (our label), edge data
    ``label`` (our relationship type), then every property with its GraphML type."""
    node_props = node_properties(labels)
    edge_props = edge_properties(types)
    node_keys = {"label": "n_label", "type": "n_type", **{p.name: f"n_{p.name}"
                                                          for p in node_props}}
    edge_keys = {"label": "e_label", **{p.name: f"e_{p.name}" for p in edge_props}}
    with atomic(out, "w", encoding="utf-8") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="{NS}">\n')
        for kind, keys, props in (("node", node_keys, node_props),
                                  ("edge", edge_keys, edge_props)):
            kinds = {p.name: _TYPES.get(p.type, "string") for p in props}
            for name, key in keys.items():
                f.write(f'  <key id="{key}" for="{kind}" attr.name={xml_attr(name)} '
                        f'attr.type="{kinds.get(name, "string")}"/>\n')
        f.write('  <graph edgedefault="directed">\n')
        for n in nodes:
            values = plain(n.props)
            data = {"label": values.pop("name", n.id), "type": n.label, **values}
            f.write(f"    <node id={xml_attr(n.id)}>")
            _data(f, data, node_keys)
            f.write("</node>\n")
        for e in edges:
            f.write(f"    <edge source={xml_attr(e.source)} target={xml_attr(e.target)}>")
            _data(f, {"label": e.type, **plain(e.props)}, edge_keys)
            f.write("</edge>\n")
        f.write("  </graph>\n</graphml>\n")


def _data(f: IO[str], values: dict[str, Any], keys: dict[str, str]) -> None:
    for name, value in values.items():
        if isinstance(value, float):
            value = repr(value)
        f.write(f'<data key="{keys[name]}">{xml_text(value)}</data>')
