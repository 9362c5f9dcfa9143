"""Merging duplicate nodes into one, all-or-nothing, with an undo record kept in the graph.

``merge(store, keep, drops)`` builds one :class:`~graph.store.Transaction` and commits it once
(``Store.commit`` validates it whole: it lands entirely or not at all):

* every relationship of a dropped node, in both directions, is moved to the kept node; where the
  kept node already has that relationship (same type, same other end), the two are merged with
  the kept one's properties winning; a relationship that would join the kept node to itself (the
  duplicates were linked to each other) is dropped, and listed;
* the kept node's properties win; those it lacks are filled from the dropped nodes (first given
  first); the dropped nodes are deleted;
* the labels must match, or nothing happens.

**Where the record lives.** The undo record is kept in the kept node's ``mergedFrom`` property
(declared in ``schema/model.py``, stamped: callers of the API cannot write it): a list of JSON
pieces, several per merge when the record is long, since every text of the schema is bounded
(OWASP ASVS V5.1.4). A property of the surviving node, rather than a log file or a side table, is
part of the graph's truth on both stores: it travels with ``coco copy-graph`` and backups, is
committed in the same transaction as the merge (a merge without its record cannot exist), and
disappears only when the node does. The record holds the dropped nodes and their relationships
as they were (stamps included), the kept node's filled property names and former stamps, the kept
node's relationships as they were before the merge changed them, and the relationships the merge
created — everything :func:`undo` needs to put the graph back exactly (Memento pattern, Gamma et
al., *Design Patterns*, 1994).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from coco_atlas.graph.store import Store, Transaction, WriteResult
from coco_atlas.schema import SCHEMA, Edge, Node, Problem, ValidationError
from coco_atlas.schema.messages import N_, Msg

RECORD = "mergedFrom"
STAMPS = ("source", "updatedAt")
PIECE = SCHEMA.node_properties("Hub")[RECORD].max_length  # characters of one JSON piece
EdgeKey = tuple[str, str, str]


@dataclass
class MergePlan:
    """What a merge will do (``--dry-run`` prints it) and the transaction that does it."""

    keep: str
    drop: list[str]
    label: str
    filled: dict[str, Any] = field(default_factory=dict)
    moved: list[EdgeKey] = field(default_factory=list)  # new keys on the kept node
    combined: list[EdgeKey] = field(default_factory=list)  # merged into an existing one
    self_loops: list[EdgeKey] = field(default_factory=list)  # dropped: would join keep to keep
    tx: Transaction = field(default_factory=lambda: Transaction("merge"))

    def summary(self, result: WriteResult | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "keep": self.keep, "drop": self.drop, "label": self.label,
            "filled": sorted(self.filled), "moved": [list(k) for k in self.moved],
            "combined": [list(k) for k in self.combined],
            "selfLoopsDropped": [list(k) for k in self.self_loops],
            "written": result is not None}
        if result is not None:
            out["version"] = result.version
        return out


def plan(store: Store, keep: str, drops: Sequence[str], *, source: str = "merge") -> MergePlan:
    """Check a merge and stage it in one transaction; raise ValidationError naming every
    problem (unknown ids, labels that differ, the kept id among the dropped ones)."""
    drops = list(dict.fromkeys(str(d) for d in drops))
    nodes = store.get_nodes([keep, *drops])
    _check(keep, drops, nodes)
    kept = nodes[keep]
    p = MergePlan(keep, drops, kept.label, tx=Transaction(source))
    for d in drops:
        for name, value in nodes[d].props.items():
            if name not in kept.props and name not in p.filled and name not in (*STAMPS, RECORD):
                p.filled[name] = value
    dropped_edges = _edges_of(store, drops)
    moves: dict[EdgeKey, dict[str, Any]] = {}
    gone = {keep, *drops}
    for e in dropped_edges:
        key = (keep if e.source in gone else e.source, e.type,
               keep if e.target in gone else e.target)
        if key[0] == key[2] == keep:
            p.self_loops.append(e.key)
            continue
        moves.setdefault(key, {})
        for name, value in e.props.items():  # the first dropped relationship given wins
            if name not in STAMPS:
                moves[key].setdefault(name, value)
    existing = store.get_edges(list(moves))
    kept_before = []
    for key, props in moves.items():
        old = existing.get(key)
        if old is None:
            p.moved.append(key)
            p.tx.upsert_edges([Edge(*key, props)])
            continue
        p.combined.append(key)
        extra = {k: v for k, v in props.items() if k not in old.props}
        if extra:
            kept_before.append(old)
            p.tx.upsert_edges([Edge(*key, extra)])
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "by": source,
              "drop": drops, "filled": sorted(p.filled),
              "keepStamps": {k: kept.props[k] for k in STAMPS if k in kept.props},
              "nodes": [_node_json(nodes[d]) for d in drops],
              "edges": [_edge_json(e) for e in dropped_edges],
              "keptEdges": [_edge_json(e) for e in kept_before],
              "created": [list(k) for k in p.moved]}
    pieces = _pieces(kept.props.get(RECORD) or [], record)
    p.tx.upsert_nodes([Node(keep, kept.label, {**p.filled, RECORD: pieces})])
    for d in drops:
        p.tx.delete_node(d)
    return p


def merge(store: Store, keep: str, drops: Sequence[str], *, source: str = "merge",
          dry_run: bool = False) -> dict[str, Any]:
    """Merge ``drops`` into ``keep`` in one commit (see the module notes); with ``dry_run`` only
    say what would happen. The same function serves ``coco merge`` and GraphQL's
    ``mergeNodes``."""
    p = plan(store, keep, drops, source=source)
    if dry_run:
        return p.summary()
    return p.summary(store.commit(p.tx))


def undo(store: Store, keep: str, *, source: str = "merge undo", dry_run: bool = False
         ) -> dict[str, Any]:
    """Undo the last merge into ``keep`` from its record: the dropped nodes and their
    relationships come back as they were (stamps included), the relationships the merge created
    go, those it changed get their former properties, the filled properties are removed and the
    kept node gets its former stamps back. One commit, all or nothing."""
    kept = store.get_node(keep)
    if kept is None:
        raise ValidationError([Problem("undo", "keep", N_("the id of an existing node"),
                                                      keep)])
    records = _records(kept.props.get(RECORD) or [])
    if not records:
        raise ValidationError([Problem("undo", "keep",
                                                      N_("a node that has merges to undo"), keep)])
    number, record = max(records.items())
    taken = store.get_nodes([n["id"] for n in record["nodes"]])
    if taken:
        raise ValidationError([Problem("undo", "drop",
                                                      N_("ids not in use again since the merge"),
                                       ", ".join(sorted(taken)))])
    tx = Transaction(source, keep_stamps=True)
    created = [tuple(k) for k in record["created"]]
    tx.delete_edges.extend(store.get_edges(created))  # those still there
    pieces = [p for p in kept.props.get(RECORD) or [] if json.loads(p)["merge"] != number]
    tx.upsert_nodes([Node(keep, kept.label, {
        **{name: None for name in record["filled"]}, **record["keepStamps"],
        RECORD: pieces or None})])
    tx.upsert_nodes(Node(n["id"], n["label"], n["props"]) for n in record["nodes"])
    for e in record["keptEdges"]:
        now = store.get_edge(e[0], e[1], e[2])
        gone = {k: None for k in (now.props if now else {}) if k not in e[3]}
        tx.upsert_edges([Edge(e[0], e[1], e[2], {**gone, **e[3]})])
    tx.upsert_edges(Edge(e[0], e[1], e[2], e[3]) for e in record["edges"])
    result = None if dry_run else store.commit(tx)
    return {"keep": keep, "restored": [n["id"] for n in record["nodes"]],
            "relationships": len(record["edges"]), "removedCreated": len(created),
            "written": result is not None,
            **({"version": result.version} if result is not None else {})}


def history(node: Node) -> list[dict[str, Any]]:
    """The merge records kept in a node, oldest first."""
    return [r for _, r in sorted(_records(node.props.get(RECORD) or []).items())]


# -- helpers --------------------------------------------------------------------------------
def _check(keep: str, drops: list[str], nodes: dict[str, Node]) -> None:
    problems = []
    if not drops:
        problems.append(Problem("merge", "drop",
                                        N_("at least one id to merge into the kept node")))
    if keep in drops:
        problems.append(Problem("merge", "drop", N_("ids other than the kept one"), keep))
    for nid in (keep, *drops):
        if nid not in nodes:
            problems.append(Problem("merge", "keep" if nid == keep else "drop",
                                    N_("the id of an existing node"), nid))
    kept = nodes.get(keep)
    for d in drops:
        other = nodes.get(d)
        if kept is not None and other is not None and other.label != kept.label:
            problems.append(Problem(
                "merge", "drop", Msg(N_("a node with the label of {keep} ({label})"), keep=keep,
                                     label=kept.label),
                Msg(N_("{id} is a {label}"), id=d, label=other.label)))
    if problems:
        raise ValidationError(problems)


def _edges_of(store: Store, ids: Sequence[str]) -> list[Edge]:
    """Every relationship touching ``ids``, once each (an edge between two of them is seen from
    both ends)."""
    seen: dict[EdgeKey, Edge] = {}
    for items in store.neighbours(list(ids), None, "both").values():
        for n in items:
            seen.setdefault(n.edge.key, n.edge)
    return [seen[k] for k in sorted(seen)]


def _node_json(n: Node) -> dict[str, Any]:
    return {"id": n.id, "label": n.label, "props": n.props}


def _edge_json(e: Edge) -> list[Any]:
    return [e.source, e.type, e.target, e.props]


def _pieces(existing: list[str], record: dict[str, Any]) -> list[str]:
    """The node's record list with this merge appended, cut into pieces each within the
    property's bound."""
    numbers = _records(existing)
    number = max(numbers, default=0) + 1
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    slices: list[str] = []
    while text:
        size = min(len(text), PIECE // 2)
        # escapes lengthen a piece; the margin leaves room for its part numbers
        while len(_piece(number, 0, 0, text[:size])) > PIECE - 40:
            size //= 2
        slices.append(text[:size])
        text = text[size:]
    return [*existing, *(_piece(number, i, len(slices), s) for i, s in enumerate(slices))]


def _piece(number: int, part: int, parts: int, text: str) -> str:
    return json.dumps({"merge": number, "part": part, "parts": parts, "text": text},
                      ensure_ascii=False)


def _records(pieces: list[str]) -> dict[int, dict[str, Any]]:
    """``{merge number: record}`` from a node's pieces."""
    parts: dict[int, list[tuple[int, str]]] = {}
    for raw in pieces:
        piece = json.loads(raw)
        parts.setdefault(int(piece["merge"]), []).append((int(piece["part"]), piece["text"]))
    return {n: json.loads("".join(t for _, t in sorted(ps))) for n, ps in parts.items()}
