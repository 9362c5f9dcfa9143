"""GEXF in and out (the Gephi exchange format; versions 1.1 to 1.3, as Gephi writes them).

Reading (GEXF 1.3 specification, gexf.net): ``<attributes class="node|edge">`` declares
attributes by ``id`` with a ``title`` and optional ``<default>``; a ``<node id label>`` carries
``<attvalues><attvalue for value/>``; an ``<edge id source target type label weight>`` the same.
Here a node's ``label`` is our ``name`` (the id when there is none), its attribute titled
``type`` our label; an edge's ``label`` is our relationship type, ``weight`` our ``weight``.
Visual (``viz:``) data and the edge direction (``type``) are ignored: our relationship types
fix the direction. Nested nodes (hierarchical graphs) are refused.

Time (GEXF 1.3 "dynamics"): a node's or edge's ``start``/``end`` attributes, or the hull of its
``<spells>``, become the validity the schema declares for our label or relationship type
(:class:`schema.types.Validity`: an actor's ``foundedYear``/``closedYear``, a collaboration's
``startDate``/``endDate``, a partnership's ``since``/``until``…), as years or dates as the
property wants, unless the element carries that property itself. Writing does the reverse:
the graph is ``mode="dynamic"`` with ``timeformat="date"``, and each element with a validity
gets ``start``/``end`` dates (a year from its first to its last day), so Gephi's timeline
plays the ecosystem's history; the properties are written as attributes too, so a file
written here reads back exactly.

Writing streams the XML (no graph object in memory), so a 500k-node graph exports in seconds.
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
)
from coco_atlas.importers.records import Dialect
from coco_atlas.importers.xmlgraph import XML_TYPES, GraphBlocks
from coco_atlas.importers.xmlstream import El, stream
from coco_atlas.schema import SCHEMA, Edge, Node, PropType, Validity
from coco_atlas.schema.messages import N_

GEXF = Dialect(
    nodes={"id": "id", "label": "name", "type": "label"},
    edges={"source": "source", "target": "target", "label": "type", "weight": "weight"},
    name_from_id=True,
)
NS = "http://gexf.net/1.3"
_NODE_ATTRS = ("id", "label")
_EDGE_ATTRS = ("source", "target", "label", "weight")


class GexfReader(GraphBlocks):
    """One pass over a GEXF file: node blocks first, then edge blocks."""

    def __init__(self, path: str | Path, problems: Problems, progress: Any = None):
        self.path, self.problems = str(path), problems
        self.keys: dict[str, dict[str, tuple[str, str | None]]] = {"node": {}, "edge": {}}
        self._items = stream(path, {"attributes", "node", "edge"}, set(), problems, progress)

    def _declare(self, el: El) -> bool:
        if el.tag != "attributes":
            return False
        kind = el.attrs.get("class", "node")
        for a in el.all("attribute"):
            default = a.find("default")
            self.keys.setdefault(kind, {})[a.attrs.get("id", "")] = (
                a.attrs.get("title") or a.attrs.get("id", ""),
                default.text if default is not None else None)
        return True

    def _row(self, el: El, shown: dict[str, str]) -> dict[str, Any]:
        kind = el.tag
        if kind == "node" and el.find("nodes") is not None:
            self.problems.add(Location(self.path, "xml", el.line),
                              N_("a flat graph (nested nodes are not supported)"))
        own = _NODE_ATTRS if kind == "node" else _EDGE_ATTRS
        row: dict[str, Any] = {k: el.attrs[k] for k in own if k in el.attrs}
        for k in row:
            shown.setdefault(k, f"attribute {k!r}")
        keys = self.keys.get(kind, {})
        for title, default in keys.values():
            if default is not None:
                row.setdefault(title, default)
        values = el.find("attvalues")
        for v in values.children if values is not None else ():
            key = v.attrs.get("for", v.attrs.get("id", ""))
            title = keys.get(key, (key, None))[0]
            name = title if title not in own else f"{title} (attvalue)"
            row[name] = v.attrs.get("value")
            shown.setdefault(name, f"attvalue {title!r}")
        _time(el, row, shown)
        return row


def _time(el: El, row: dict[str, Any], shown: dict[str, str]) -> None:
    """The element's GEXF time as the validity of its label or relationship type."""
    start, end = el.attrs.get("start"), el.attrs.get("end")
    spells = el.find("spells")
    if spells is not None and start is None and end is None:
        bounds = [(s.attrs.get("start"), s.attrs.get("end")) for s in spells.all("spell")]
        starts = [b for b, _ in bounds if b]
        ends = [b for _, b in bounds if b]
        start = min(starts) if starts and all(b for b, _ in bounds) else None
        end = max(ends) if ends and all(b for _, b in bounds) else None
    if start is None and end is None:
        return
    kind = row.get("type") if el.tag == "node" else row.get("label")
    if el.tag == "node" and SCHEMA.has_label(str(kind)):
        validity, props = SCHEMA.label(str(kind)).validity, SCHEMA.node_properties(str(kind))
    elif el.tag == "edge" and SCHEMA.has_rel(str(kind)):
        validity, props = SCHEMA.rel(str(kind)).validity, SCHEMA.rel_properties(str(kind))
    else:
        return
    if validity is None:
        return
    for prop, value, first in ((validity.start, start, True), (validity.end, end, False)):
        if value and prop not in row:
            row[prop] = _as(props[prop], str(value).strip(), first)
            shown.setdefault(prop, f"attribute {'start' if first else 'end'!r}")


def _as(prop: Any, value: str, first: bool) -> Any:
    """A GEXF time (a date, a year, or a number as timeformat integer/double writes it) as the
    property wants it: a year, or a date (a bare year: its first or last day)."""
    if prop.type is PropType.INT:
        try:
            return int(float(value[:4] if len(value) >= 10 else value))
        except ValueError:
            return value  # refused by validation, naming the row and column
    if len(value) == 4 and value.isdigit():
        return f"{value}-01-01" if first else f"{value}-12-31"
    return value[:10]


# -- writing -----------------------------------------------------------------------------------
_GEXF_TYPES = XML_TYPES


def write_gexf(out: str | Path, nodes: Iterable[Node], edges: Iterable[Edge],
               labels: Sequence[str] | None = None, types: Sequence[str] | None = None) -> None:
    """Stream a GEXF 1.3 file Gephi opens: node ``label`` = our name, attribute ``type`` = our
    label; edge ``label`` = our relationship type, ``weight`` = our weight."""
    node_props = node_properties(labels)
    edge_props = [p for p in edge_properties(types) if p.name != "weight"]
    with atomic(out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<gexf xmlns="{NS}" version="1.3">\n'
                "  <meta>\n    <creator>COCO Atlas</creator>\n  </meta>\n"
                '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">\n')
        _declare(f, "node", [("type", "string"), *((p.name, _GEXF_TYPES.get(p.type, "string"))
                                                    for p in node_props)])
        _declare(f, "edge", [(p.name, _GEXF_TYPES.get(p.type, "string")) for p in edge_props])
        f.write("    <nodes>\n")
        for n in nodes:
            props = plain(n.props)
            name = props.pop("name", n.id)
            when = _when(SCHEMA.label(n.label).validity, n.props)
            f.write(f"      <node id={xml_attr(n.id)} label={xml_attr(name)}{when}>")
            _attvalues(f, {"type": n.label, **props})
            f.write("</node>\n")
        f.write("    </nodes>\n    <edges>\n")
        for k, e in enumerate(edges):
            props = plain(e.props)
            weight = props.pop("weight", None)
            kind = ' type="undirected"' if SCHEMA.rel(e.type).symmetric else ""
            extra = "" if weight is None else f" weight={xml_attr(repr(float(weight)))}"
            extra += _when(SCHEMA.rel(e.type).validity, e.props)
            f.write(f'      <edge id="{k}" source={xml_attr(e.source)} '
                    f"target={xml_attr(e.target)} label={xml_attr(e.type)}{kind}{extra}>")
            _attvalues(f, props)
            f.write("</edge>\n")
        f.write("    </edges>\n  </graph>\n</gexf>\n")


def _when(validity: Validity | None, props: dict[str, Any]) -> str:
    """`` start="…" end="…"`` of an element with a validity (dates; a year's first and last
    day), or nothing."""
    if validity is None:
        return ""
    out = ""
    for attr, prop, first in (("start", validity.start, True), ("end", validity.end, False)):
        value = props.get(prop)
        if isinstance(value, int) and not isinstance(value, bool):
            out += f' {attr}="{value:04d}-{"01-01" if first else "12-31"}"'
        elif isinstance(value, str) and len(value) >= 10:
            out += f" {attr}={xml_attr(value[:10])}"
    return out


def _declare(f: IO[str], kind: str, attrs: list[tuple[str, str]]) -> None:
    f.write(f'    <attributes class="{kind}" mode="static">\n')
    for name, kind_ in attrs:
        f.write(f"      <attribute id={xml_attr(name)} title={xml_attr(name)} "
                f'type="{kind_}"/>\n')
    f.write("    </attributes>\n")


def _attvalues(f: IO[str], props: dict[str, Any]) -> None:
    if not props:
        return
    f.write("<attvalues>")
    for k, v in props.items():
        f.write(f"<attvalue for={xml_attr(k)} value={xml_attr(v)}/>")
    f.write("</attvalues>")
