"""A node's details page in people's words: its properties and its neighbours, grouped by
relationship, with every group reachable in full.

Headings and property names come from :mod:`viz.words` ("Partners", "Offered by", "Founded"),
never the schema's identifiers (``PARTNERS_WITH``, ``partneredBy``, ``foundedYear``); a country
code reads with its name. A symmetric relationship is one group whichever way it was stored, and
so is a partnership (:data:`viz.words.BOTH_WAYS`). Each group shows :data:`PAGE` neighbours; a
longer one links to its next and previous pages (``?rel=PARTNERS_WITH&dir=both&page=2``), so
nothing is out of reach.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from coco_atlas.graph.names import name_in
from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA
from coco_atlas.viz.i18n import current
from coco_atlas.viz.words import BOTH_WAYS, label_text, property_text, relation_text, value_text

PAGE = 50  # neighbours per group and page
EDGE_HIDDEN = ("source", "updatedAt")  # provenance stamps: on the edge's own record, not here


def property_rows(store: Store, rows: list[tuple[str, Any, bool]]
                  ) -> list[tuple[str, Any, bool]]:
    """``(name, value, known)`` rows with the name and value in words (a country with its
    name, a kind without hyphens)."""
    codes = [str(v) for k, v, known in rows if k == "country" and known]
    countries = _country_names(store, codes)
    return [(property_text(k), value_text(k, v, countries) if known else v, known)
            for k, v, known in rows]


def relation_groups(node_id: str, around: list[Any], query: Mapping[str, str],
                    store: Store | None = None) -> list[dict[str, Any]]:
    """The neighbours of a node by relationship and direction, in words, one page each; the
    group named by ``query`` (``rel``, ``dir``, ``page``) shows the page asked for."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for nb in around:
        declared = SCHEMA.rel(nb.edge.type)
        way = "both" if declared.symmetric or declared.name in BOTH_WAYS else nb.direction
        groups.setdefault((nb.edge.type, way), []).append(nb)
    countries = _country_names(store, [str(nb.node.props.get("country"))
                                       for nb in around if nb.node.props.get("country")]) \
        if store is not None else {}
    out = []
    for (rel, way), items in sorted(groups.items(), key=lambda kv: _heading(*kv[0])):
        items.sort(key=lambda nb: (str(node_name(nb.node)), nb.node.id))
        asked = query.get("rel") == rel and query.get("dir") == way
        pages = max(1, -(-len(items) // PAGE))
        page = min(max(1, _int(query.get("page"), 1)), pages) if asked else 1
        shown = items[(page - 1) * PAGE: page * PAGE]
        out.append({
            "title": _heading(rel, way), "total": len(items), "id": f"{rel}-{way}",
            "items": [_item(nb, countries) for nb in shown],
            "page": page, "pages": pages, "first": (page - 1) * PAGE + 1,
            "last": (page - 1) * PAGE + len(shown),
            "more": len(items) - page * PAGE if page * PAGE < len(items) else 0,
            "next": _page_link(node_id, rel, way, page + 1) if page < pages else None,
            "previous": _page_link(node_id, rel, way, page - 1) if page > 1 else None})
    return out


def node_name(node: Any) -> Any:
    """A node's name in the reader's language where it has one (a competence's ``name_pl``),
    else English, else its display name, else its id (:func:`graph.names.name_in`)."""
    return name_in(node.label, node.props, current()) or node.id


def _heading(rel: str, way: str) -> str:
    r = SCHEMA.rel(rel)
    return relation_text(rel, "in" if way == "in" else "out", symmetric=way == "both",
                         field=r.in_field if way == "in" else r.out_field)


def _item(nb: Any, countries: dict[str, str]) -> dict[str, Any]:
    label = nb.node.label
    country = nb.node.props.get("country")
    facts = [value_text("country", country, countries)] if country else []
    facts += [f"{property_text(k).lower()} {value_text(k, v).lower()}"
              for k, v in nb.edge.props.items() if k not in EDGE_HIDDEN]
    return {"name": node_name(nb.node), "label": label_text(label),
            "href": "/nodes/" + quote(nb.node.id, safe=""), "props": " · ".join(facts)}


def _page_link(node_id: str, rel: str, way: str, page: int) -> str:
    return ("/nodes/" + quote(node_id, safe="") + "?"
            + urlencode({"rel": rel, "dir": way, "page": page}) + f"#{rel}-{way}")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def _country_names(store: Store | None, codes: list[str]) -> dict[str, str]:
    """NUTS level 0 names of these country codes (``AT`` → ``Österreich``), where stored."""
    if store is None or not codes:
        return {}
    found = store.get_nodes(sorted(set(codes)))
    return {c: str(n.props["name"]) for c, n in found.items()
            if n.label == "Region" and n.props.get("name")}
