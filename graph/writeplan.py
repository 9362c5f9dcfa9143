"""Turning a :class:`~graph.store.Transaction` into a validated write plan, for any store.

The plan is computed before anything is written: duplicates within the batch are merged, existing
properties are merged with the new ones (``None`` removes a property), the result is validated
against the schema as a whole, and deletions are expanded to the edges they detach. A store then
writes the plan in one transaction. Keeping this here means both stores accept and reject exactly
the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, compress, repeat
from operator import eq, itemgetter
from typing import Any, Protocol, cast

from coco_atlas.graph.store import Transaction, WriteResult
from coco_atlas.schema import SCHEMA, Edge, Node, Problem, ValidationError
from coco_atlas.schema.fastcheck import PropsCheck, compiled
from coco_atlas.schema.messages import N_, Msg
from coco_atlas.schema.records import edge_where, node_where
from coco_atlas.schema.validate import check_edge, check_node

EdgeKey = tuple[str, str, str]
_KEY = itemgetter(0, 1, 2)
_SRC, _DST = itemgetter(0), itemgetter(2)
_PROPS = itemgetter(3)
_LABEL = itemgetter(1)
_TYPE = itemgetter(1)
_ID = itemgetter(0)
_NODE_PROPS = itemgetter(2)


class Lookup(Protocol):
    """What the planner asks of a store about the data already there."""

    def labels_of(self, ids: Sequence[str]) -> dict[str, str]:
        """Labels of the ids that exist."""

    def node_props(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Properties of the ids that exist, without the stamps (source, updatedAt)."""

    def edge_props(self, keys: Sequence[EdgeKey]) -> dict[EdgeKey, dict[str, Any]]:
        """Properties of the edges that exist, without the stamps."""

    def incident(self, ids: Sequence[str], rel_types: Sequence[str] | None) -> list[EdgeKey]:
        """Keys of the edges, both directions, at existing nodes."""


class EndsLookup(Lookup, Protocol):
    """A store that answers :meth:`Lookup.labels_of` the ends of many edges and
    :meth:`Lookup.edge_props` in one go (the embedded store: one id lookup per end)."""

    def edge_ends(self, keys: Sequence[EdgeKey]) -> tuple[
            list[str | None], list[str | None], dict[EdgeKey, dict[str, Any]]]:
        """The label of each key's source and target (``None``: no such node) and the
        properties of the edges that exist, without the stamps."""


@dataclass
class WritePlan:
    nodes: list[Node] = field(default_factory=list)  # final, merged, stamped
    new_nodes: list[bool] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    new_edges: list[bool] = field(default_factory=list)
    edge_keys: list[EdgeKey] = field(default_factory=list)  # the key of each of ``edges``
    del_nodes: list[str] = field(default_factory=list)
    del_edges: list[EdgeKey] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # labels the edges check (planner only)
    source: str = ""  # stamped on every node and edge written, with ``stamp`` as updatedAt
    stamp: str = ""
    # With Transaction.keep_stamps: the (source, updatedAt) records brought along.
    node_stamps: dict[str, tuple[str, str]] = field(default_factory=dict)
    edge_stamps: dict[EdgeKey, tuple[str, str]] = field(default_factory=dict)
    result: WriteResult = field(default_factory=WriteResult)


def plan_write(store: Lookup, tx: Transaction, stamp: str) -> WritePlan:
    """Validate ``tx`` against the schema and what ``store`` holds; raise with every problem.

    A node may lack its recommended properties (stored as unknown) unless ``tx.strict``."""
    problems: list[Problem] = []
    plan = WritePlan(source=tx.source, stamp=stamp)
    stamps = {"source": tx.source, "updatedAt": stamp}
    if tx.keep_stamps:
        tx = _take_stamps(tx, plan)
    _plan_deletes(store, tx, plan, problems)
    deleted = set(plan.del_nodes)
    _plan_nodes(store, tx, plan, problems, stamps, deleted)
    _plan_edges(store, tx, plan, problems, stamps, deleted)
    _check_same(store, plan, problems)
    if problems:
        raise ValidationError(problems)
    r = plan.result
    r.nodes_created = sum(plan.new_nodes)
    r.nodes_updated = len(plan.nodes) - r.nodes_created
    r.edges_created = sum(plan.new_edges)
    r.edges_updated = len(plan.edges) - r.edges_created
    r.nodes_deleted = len(plan.del_nodes)
    r.edges_deleted = len(plan.del_edges)
    return plan


def _take_stamps(tx: Transaction, plan: WritePlan) -> Transaction:
    """Move the stamps records carry into the plan, so the rest validates them as usual. (A
    migration passes every record through here: copies and pops in C, and records built as
    tuples, not by ``_replace``, which took a third of this.)"""
    default = (plan.source, plan.stamp)

    def take(props: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str]]:
        rest = props.copy()
        return rest, (str(rest.pop("source", default[0])), str(rest.pop("updatedAt",
                                                                         default[1])))

    nodes, edges, new = [], [], tuple.__new__  # NamedTuple's own __new__ parses arguments
    for n in tx.nodes:
        props, plan.node_stamps[n.id] = take(n.props)
        nodes.append(new(Node, (n.id, n.label, props)))
    for e in tx.edges:
        props, plan.edge_stamps[e.key] = take(e.props)
        edges.append(new(Edge, (e.source, e.type, e.target, props)))
    return replace(tx, nodes=nodes, edges=edges, keep_stamps=False)


def _plan_deletes(store: Lookup, tx: Transaction, plan: WritePlan,
                  problems: list[Problem]) -> None:
    ids = list(dict.fromkeys(tx.delete_nodes))
    found = store.labels_of(ids)
    for node_id in ids:
        if node_id not in found:
            problems.append(Problem(Msg(N_("delete node {id}"), id=repr(node_id)), "id",
                                    N_("the id of an existing node")))
    plan.del_nodes = [i for i in ids if i in found]
    keys = list(dict.fromkeys(tx.delete_edges))
    existing = store.edge_props(keys)
    for key in keys:
        if key not in existing:
            problems.append(Problem(Msg(N_("delete {edge}"), edge=edge_where(*key)), "key",
                                    N_("an existing edge")))
    detached = store.incident(plan.del_nodes, None) if plan.del_nodes else []
    plan.del_edges = list(dict.fromkeys([*existing, *detached]))


def _plan_nodes(store: Lookup, tx: Transaction, plan: WritePlan, problems: list[Problem],
                stamps: dict[str, Any], deleted: set[str]) -> None:
    merged = _merge_nodes(tx.nodes, problems)
    ids = [i for i in merged if i not in deleted]
    old_labels = store.labels_of(ids)
    rules = compiled(SCHEMA, tx.strict)  # strict: recommended properties must be there too
    checks, keys_ok = rules.labels, rules.keys_ok
    nodes = list(merged.values())
    if not old_labels and not deleted and keys_ok(list(merged)) and _all_valid(checks, nodes, 1):
        plan.nodes, plan.new_nodes = nodes, [True] * len(nodes)  # the bulk-load fast path
        if tx.edges:  # what the edges of the batch ask about
            plan.labels.update(zip(merged, map(_LABEL, nodes), strict=True))
        return
    old_props = store.node_props([i for i in ids if i in old_labels])
    for node_id, node in merged.items():
        old = old_labels.get(node_id)
        given = node.props
        props = {**old_props[node_id], **given} if node_id in old_props else given
        if None in given.values():
            props = {k: v for k, v in props.items() if v is not None}
        final = Node(node_id, node.label, props)
        check = checks.get(node.label)
        if (old is not None and old != node.label) or check is None or not check.ok(props) \
                or not stamps.keys().isdisjoint(given) or not keys_ok([node_id]):
            _explain_node(node, old, final, stamps, problems, tx.strict)
        plan.nodes.append(final)
        plan.new_nodes.append(old is None)
        plan.labels[node_id] = node.label
    plan.labels.update({i: lab for i, lab in old_labels.items() if i not in plan.labels})


def _merge_nodes(nodes: list[Node], problems: list[Problem]) -> dict[str, Node]:
    """One node per id: later mentions in the batch add to earlier ones."""
    merged: dict[str, Node] = dict(zip(map(_ID, nodes), nodes, strict=True))
    if len(merged) == len(nodes) and {dict}.issuperset(map(type, map(_NODE_PROPS, nodes))):
        return merged  # no id twice, every props a dict: nothing to merge
    merged = {}
    for node in nodes:
        if not isinstance(node.props, dict):
            node = node._replace(props={"properties": node.props})
        prev = merged.get(node.id)
        if prev is None:
            merged[node.id] = node
        elif prev.label != node.label:
            problems.append(Problem(node_where(node.id, node.label), "label", Msg(
                N_("the same label as earlier in the batch ({label})"), label=prev.label)))
        else:
            merged[node.id] = Node(node.id, node.label, {**prev.props, **node.props})
    return merged


def _explain_node(node: Node, old: str | None, final: Node, stamps: dict[str, Any],
                  problems: list[Problem], strict: bool) -> None:
    where = node_where(node.id, node.label)
    if old is not None and old != node.label:
        problems.append(Problem(where, "label", Msg(N_("{label}, the label the node already has"),
                                                    label=old), node.label))
        return
    for name in stamps:
        if name in node.props:
            problems.append(Problem(where, name, N_("no value: the store stamps it"),
                                    node.props[name]))
    check_node(SCHEMA, final, problems, strict=strict)


def _plan_edges(store: Lookup, tx: Transaction, plan: WritePlan, problems: list[Problem],
                stamps: dict[str, Any], deleted: set[str]) -> None:
    """Validate edges; the common case (new edge, valid ends, few props) runs in C builtins."""
    merged = _merge_edges(tx.edges)
    if not merged:
        return
    keys = list(merged)
    src_labels, dst_labels, old_props = _ends(store, keys, plan, deleted)
    rules = compiled(SCHEMA)
    ends_ok = map(rules.ends.__contains__,
                  zip(src_labels, map(_TYPE, keys), dst_labels, strict=True))
    loops = map(eq, map(_SRC, keys), map(_DST, keys))
    edges = list(merged.values())
    plan.edge_keys = keys
    if not old_props and all(ends_ok) and not any(loops) and _all_valid(rules.rels, edges, 1):
        plan.edges, plan.new_edges = edges, [True] * len(edges)  # the bulk-load fast path
        return
    labels = dict(zip(chain(map(_SRC, keys), map(_DST, keys)), chain(src_labels, dst_labels),
                      strict=True))
    ends_ok = map(rules.ends.__contains__,
                  zip(src_labels, map(_TYPE, keys), dst_labels, strict=True))
    loops = map(eq, map(_SRC, keys), map(_DST, keys))
    checks, stamp_names = rules.rels, stamps.keys()
    for key, edge, ends, loop in zip(keys, merged.values(), ends_ok, loops, strict=True):
        given = edge.props
        old = old_props.get(key)
        final = edge
        if old is not None or None in given.values():
            final = Edge(*key, {k: v for k, v in {**(old or {}), **given}.items() if v is not None})
        if not ends or loop or (given and (not checks[key[1]].ok(final.props)
                                           or not stamp_names.isdisjoint(given))):
            _explain_edge(edge, final, labels, stamps, problems)
        plan.edges.append(final)
    plan.new_edges = [k not in old_props for k in keys]


def _ends(store: Lookup, keys: list[EdgeKey], plan: WritePlan, deleted: set[str]
          ) -> tuple[list[str | None], list[str | None], dict[EdgeKey, dict[str, Any]]]:
    """Labels of the source and target of each edge (``None``: no such node, or deleted in this
    batch) and the properties of the edges that exist already."""
    if not plan.nodes and not deleted and hasattr(store, "edge_ends"):
        return cast(EndsLookup, store).edge_ends(keys)  # a batch of edges alone
    srcs, dsts = list(map(_SRC, keys)), list(map(_DST, keys))
    labels = plan.labels
    labels.update(store.labels_of(list(set(chain(srcs, dsts)).difference(labels))))
    for gone in deleted:
        labels.pop(gone, None)
    # An edge at a node created by this very batch cannot exist yet: ask only about the others.
    created = {n.id for n, new in zip(plan.nodes, plan.new_nodes, strict=True) if new}
    old_props = store.edge_props(
        [k for k in keys if k[0] not in created and k[2] not in created] if created else keys)
    return list(map(labels.get, srcs)), list(map(labels.get, dsts)), old_props


def _all_valid(checks: dict[str, PropsCheck], records: list[Any], kind: int) -> bool:
    """Column-wise validity of many nodes (kind 1 = label) or edges (kind 1 = type) at once."""
    names = list(map(itemgetter(kind), records))
    props = list(map(itemgetter(-1), records))
    for name in set(names):
        check = checks.get(name)
        many = props if len(names) == names.count(name) else \
            list(compress(props, map(eq, names, repeat(name))))
        if check is None or not check.ok_many(many):
            return False
    return True


def _merge_edges(edges: list[Edge]) -> dict[EdgeKey, Edge]:
    """One edge per key; later mentions in the batch add to earlier ones' properties."""
    merged: dict[EdgeKey, Edge] = dict(zip(map(_KEY, edges), edges, strict=True))
    if len(merged) == len(edges) and {dict}.issuperset(map(type, map(_PROPS, edges))):
        return merged  # no key twice, every props a dict: nothing to merge
    merged = {}
    for edge in edges:
        key = edge[:3]
        prev = merged.get(key)
        if prev is None and type(edge.props) is dict:
            merged[key] = edge
            continue
        props = edge.props if isinstance(edge.props, dict) else {"properties": edge.props}
        merged[key] = Edge(*key, {**prev.props, **props} if prev else props)
    return merged


def _explain_edge(edge: Edge, final: Edge, labels: dict[str, str], stamps: dict[str, Any],
                  problems: list[Problem]) -> None:
    for name in stamps:
        if name in edge.props:
            problems.append(Problem(edge_where(*edge.key), name,
                                    N_("no value: the store stamps it"), edge.props[name]))
    check_edge(SCHEMA, final, labels.get, problems)


def _check_same(store: Lookup, plan: WritePlan, problems: list[Problem]) -> None:
    """Both ends of e.g. LOCATED_IN agree on ``country`` (schema ``RelType.same``)."""
    rules = {r.name: r.same for r in SCHEMA.relationships if r.same}
    if not rules:
        return
    edges = plan.edges
    to_check = list(map(_KEY, compress(edges, map(rules.__contains__, map(_TYPE, edges)))))
    same_props = {p for props in rules.values() for p in props}
    changed = [] if all(plan.new_nodes) else [
        n.id for n, new in zip(plan.nodes, plan.new_nodes, strict=True)
        if not new and same_props & n.props.keys()]
    if changed:
        seen = set(to_check)
        to_check += [k for k in store.incident(changed, list(rules)) if k not in seen]
    if not to_check:
        return
    props = dict(zip(map(_ID, plan.nodes), map(_NODE_PROPS, plan.nodes), strict=True))
    missing = [x for k in to_check for x in (k[0], k[2]) if x not in props]
    props.update(store.node_props(list(dict.fromkeys(missing))))
    gone = set(plan.del_nodes)
    for s, t, d in to_check:
        if s in gone or d in gone:
            continue
        for name in rules[t]:
            a, b = props.get(s, {}).get(name), props.get(d, {}).get(name)
            if a is not None and b is not None and a != b:
                problems.append(Problem(edge_where(s, t, d), name,
                                        Msg(N_("the same {property} at both ends"),
                                            property=name), f"{a} vs {b}"))
