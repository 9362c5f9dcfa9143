"""Writes: create, update and delete nodes and relationships, all-or-nothing per request.

GraphQL runs the fields of a mutation one after the other, each finishing before the next
starts. To make a whole request one transaction, the first mutation field to run reads the
arguments of *every* mutation field of the operation (aliases, fragments and ``@skip`` /
``@include`` honoured), stages them in one :class:`~graph.store.Transaction`, checks them and
commits once (``Store.commit``: validated by ``schema/`` as one batch, written whole or not at
all). Each field then returns its part of the committed result, read back from the store.

Only holders of an operator-issued bearer token write (:mod:`api.auth`); every record written is
stamped ``source = "graphql:<token name>"`` and ``updatedAt`` by the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional

import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from graphql.utilities import value_from_ast_untyped
from strawberry.scalars import JSON
from strawberry.types import Info

from coco_atlas.api.graphql.errors import FORBIDDEN, UserError
from coco_atlas.api.graphql.loaders import Loaders
from coco_atlas.api.graphql.nodes import NodeInterface, to_object
from coco_atlas.api.graphql.results import Relationship
from coco_atlas.api.graphql.types_common import Label, RelType
from coco_atlas.graph.merge import plan as plan_merge
from coco_atlas.graph.store import Transaction
from coco_atlas.schema import SCHEMA, Edge, Node, Problem, ValidationError
from coco_atlas.schema.messages import N_
from coco_atlas.schema.validate import check_edge, check_node

MAX_CHANGES = 10_000  # records one request may write
EdgeKey = tuple[str, str, str]
RESERVED = ("id", "label")  # node fields that are not properties


@strawberry.input(description="A node to create.")
class NodeInput:
    id: strawberry.ID = strawberry.field(description="Its key; must not be in use.")
    label: Label
    properties: JSON = strawberry.field(description=(
        "Its properties as an object, validated by the schema (see Label for what each label "
        "has)."))


@strawberry.input(description="Changes to an existing node.")
class NodeChangeInput:
    id: strawberry.ID
    properties: JSON = strawberry.field(description=(
        "Properties to set; null removes a property; others stay as they are."))


@strawberry.input(description="A relationship to create or change.")
class RelationshipInput:
    start_id: strawberry.ID
    type: RelType
    end_id: strawberry.ID
    properties: Optional[JSON] = strawberry.field(  # noqa: UP045
        default=None, description="Its properties (null removes one when changing).")


@strawberry.input(description="The key of a relationship.")
class RelationshipKeyInput:
    start_id: strawberry.ID
    type: RelType
    end_id: strawberry.ID


@dataclass
class Batch:
    """The request's staged writes and, once committed, each field's result."""

    tx: Transaction
    store: Any
    problems: list[Problem] = field(default_factory=list)
    created: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    plans: dict[str, tuple[str, Any]] = field(default_factory=dict)  # response key -> result
    error: Exception | None = None
    results: dict[str, Any] = field(default_factory=dict)


# -- staging --------------------------------------------------------------------------------
def _create_nodes(b: Batch, where: str, args: dict[str, Any]) -> tuple[str, Any]:
    items = _list(args.get("nodes"))
    existing = b.store.get_nodes([str(n.get("id")) for n in items])
    ids = []
    for i, item in enumerate(items):
        at, nid = f"{where}.nodes[{i}]", str(item.get("id"))
        if (nid in existing and nid not in b.deleted) or nid in b.created:
            b.problems.append(Problem(at, "id", "an id not in use yet", nid))
        props = _properties(b, at, item.get("properties"), required=True)
        b.tx.upsert_nodes([Node(nid, _text(item.get("label")), props)])
        b.created.add(nid)
        ids.append(nid)
    return "nodes", ids


def _update_nodes(b: Batch, where: str, args: dict[str, Any]) -> tuple[str, Any]:
    items = _list(args.get("nodes"))
    existing = b.store.get_nodes([str(n.get("id")) for n in items])
    ids = []
    for i, item in enumerate(items):
        at, nid = f"{where}.nodes[{i}]", str(item.get("id"))
        node = existing.get(nid)
        props = _properties(b, at, item.get("properties"), required=True)
        if (node is None and nid not in b.created) or nid in b.deleted:
            b.problems.append(Problem(at, "id", "the id of an existing node", nid))
            continue
        label = node.label if node is not None else _staged_label(b, nid)
        b.tx.upsert_nodes([Node(nid, label, props)])
        ids.append(nid)
    return "nodes", ids


def _delete_nodes(b: Batch, where: str, args: dict[str, Any]) -> tuple[str, Any]:
    ids = [str(i) for i in _list(args.get("ids"))]
    existing = b.store.get_nodes(ids)
    for i, nid in enumerate(ids):
        if nid not in existing or nid in b.deleted:
            b.problems.append(Problem(f"{where}.ids[{i}]", "id", "the id of an existing node",
                                      nid))
        b.tx.delete_node(nid)
        b.deleted.add(nid)
    return "ids", ids


def _edges(b: Batch, where: str, args: dict[str, Any], *, create: bool, delete: bool = False
           ) -> tuple[str, Any]:
    items = _list(args.get("relationships"))
    keys = [(str(r.get("startId")), _text(r.get("type")), str(r.get("endId"))) for r in items]
    existing = b.store.get_edges(keys)
    for i, (item, key) in enumerate(zip(items, keys, strict=True)):
        at = f"{where}.relationships[{i}]"
        if create and key in existing:
            b.problems.append(Problem(at, "endId", "a relationship that does not exist yet "
                                      "(use updateRelationships to change one)", key[2]))
        elif not create and key not in existing:
            b.problems.append(Problem(at, "endId", "an existing relationship", key[2]))
        if delete:
            b.tx.delete_edge(*key)
        else:
            props = _properties(b, at, item.get("properties"), required=False, edge=True)
            b.tx.upsert_edges([Edge(*key, props)])
    return ("count", len(keys)) if delete else ("edges", keys)


def _merge_nodes(b: Batch, where: str, args: dict[str, Any]) -> tuple[str, Any]:
    """Stage a merge as :func:`graph.merge.plan` (what ``coco merge`` runs) plans it, to be
    committed with the request's one commit."""
    keep, drops = str(args.get("keep")), [str(d) for d in _list(args.get("drop"))]
    try:
        p = plan_merge(b.store, keep, drops, source=b.tx.source)
    except ValidationError as e:
        b.problems.extend(Problem(where, x.field, x.expected, x.got) for x in e.problems)
        return "merge", None
    b.tx.upsert_nodes(p.tx.nodes)
    b.tx.upsert_edges(p.tx.edges)
    b.tx.delete_nodes.extend(p.tx.delete_nodes)
    b.deleted.update(drops)
    return "merge", p


STAGERS: dict[str, Callable[[Batch, str, dict[str, Any]], tuple[str, Any]]] = {
    "createNodes": _create_nodes,
    "updateNodes": _update_nodes,
    "deleteNodes": _delete_nodes,
    "createRelationships": lambda b, w, a: _edges(b, w, a, create=True),
    "updateRelationships": lambda b, w, a: _edges(b, w, a, create=False),
    "deleteRelationships": lambda b, w, a: _edges(b, w, a, create=False, delete=True),
    "mergeNodes": _merge_nodes,
}


def _properties(b: Batch, at: str, value: Any, *, required: bool, edge: bool = False
                ) -> dict[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        b.problems.append(Problem(at, "properties", "an object of property values", value))
        return {}
    stamped = {p.name for p in (*SCHEMA.common, *SCHEMA.edge_common) if p.stamped}
    for name in value:
        if name in stamped:
            b.problems.append(Problem(at, f"properties.{name}",
                                      "no value: the server stamps it", value[name]))
        elif name in RESERVED and not edge:
            b.problems.append(Problem(at, f"properties.{name}",
                                      f"no value here: {name} is a field of the input",
                                      value[name]))
    return {k: v for k, v in value.items() if k not in stamped and (edge or k not in RESERVED)}


def _schema_problems(b: Batch) -> list[Problem]:
    """What schema validation says about the staged records (new nodes complete, changed nodes
    by their given properties, relationships by their ends and properties)."""
    out: list[Problem] = []
    for node in b.tx.nodes:
        check_node(SCHEMA, node, out, complete=node.id in b.created)
    ends = {i for e in b.tx.edges for i in (e.source, e.target)}
    labels = {n.id: n.label for n in b.store.get_nodes(sorted(ends)).values()}
    labels.update({n.id: n.label for n in b.tx.nodes})
    for edge in b.tx.edges:
        check_edge(SCHEMA, edge, labels.get, out)
    return out


def _staged_label(b: Batch, node_id: str) -> str:
    return next(n.label for n in b.tx.nodes if n.id == node_id)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]


def _text(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


# -- the request's mutation fields ----------------------------------------------------------
def _fields(info: Info) -> list[tuple[str, str, dict[str, Any]]]:
    """(response key, field name, arguments) of every mutation field of the operation."""
    raw = info._raw_info
    # A dict under strawberry's executor; graphql-core 3.3's own passes a VariableValues pair
    # (sources, coerced) whose ``coerced`` part is that dict: accept both.
    values: Any = raw.variable_values
    variables: dict[str, Any] = dict(getattr(values, "coerced", values) or {})
    out: list[tuple[str, str, dict[str, Any]]] = []

    def visit(selection_set: SelectionSetNode) -> None:
        for sel in selection_set.selections:
            if not _included(sel, variables):
                continue
            if isinstance(sel, FieldNode):
                if not sel.name.value.startswith("__"):
                    args = {a.name.value: value_from_ast_untyped(a.value, variables)
                            for a in sel.arguments or ()}
                    out.append(((sel.alias or sel.name).value, sel.name.value, args))
            elif isinstance(sel, InlineFragmentNode):
                visit(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                visit(raw.fragments[sel.name.value].selection_set)

    visit(raw.operation.selection_set)
    return out


def _included(node: Any, variables: dict[str, Any]) -> bool:
    for d in node.directives or ():
        if d.name.value in ("skip", "include"):
            arg = next((a for a in d.arguments if a.name.value == "if"), None)
            flag = bool(value_from_ast_untyped(arg.value, variables)) if arg else False
            if flag == (d.name.value == "skip"):
                return False
    return True


def _oversized(where: str, args: dict[str, Any]) -> list[Problem]:
    """Input lists longer than one request may write (OWASP API4:2023), by field."""
    return [Problem(where, name, f"at most {MAX_CHANGES:,} items per request", len(value))
            for name, value in args.items()
            if isinstance(value, (list, tuple)) and len(value) > MAX_CHANGES]


def _commit(info: Info) -> Batch:
    ctx = info.context
    b = Batch(Transaction(f"graphql:{ctx.writer}"), ctx.store)
    fields = _fields(info)
    if len(fields) > 1 and any(name == "mergeNodes" for _, name, _ in fields):
        b.problems.append(Problem("mutation", "mergeNodes", "a request with no other field "
                                  "(a merge reads the store as it is)", len(fields)))
    for key, name, args in fields:
        oversized = _oversized(key, args)
        if oversized:
            b.problems.extend(oversized)  # refused before staging a million records
            continue
        b.plans[key] = STAGERS[name](b, key, args)
    if len(b.tx) > MAX_CHANGES:
        b.problems.append(Problem("mutation", "", f"at most {MAX_CHANGES} changes per request",
                                  len(b.tx)))
    if b.problems:  # report the schema's findings too, all at once
        raise ValidationError(b.problems + [p for p in _schema_problems(b)
                                            if p not in b.problems])
    if len(b.tx):
        result = ctx.store.commit(b.tx)  # validated whole by the store: or ValidationError
        ctx.wrote(b.tx, result)
    return b


async def _result(info: Info) -> Any:
    """This field's part of the request's single commit (run by the first field)."""
    ctx = info.context
    if ctx.write_batch is None:
        if ctx.writer is None:
            ctx.write_batch = UserError(ctx.denied or N_("writes are not allowed"),
                                        code=FORBIDDEN)
        else:
            try:
                ctx.write_batch = _commit(info)
            except (ValidationError, UserError) as e:
                ctx.write_batch = e
            else:
                ctx.loaders = Loaders(ctx.store)  # reads after the write see it
    if isinstance(ctx.write_batch, Exception):
        raise ctx.write_batch
    kind, value = ctx.write_batch.plans[info.path.key]
    if kind == "nodes":
        found = ctx.store.get_nodes(value)
        return [to_object(found[i]) for i in value if i in found]
    if kind == "edges":
        return [Relationship.of(k) for k in value]
    if kind == "merge":
        return MergeResult.of(value, ctx.store.get_node(value.keep))
    return value


@strawberry.type(description="What a merge did (see docs/analysis.md, Duplicates and merging).")
class MergeResult:
    keep: NodeInterface = strawberry.field(description="The kept node, as it is now.")
    dropped: list[strawberry.ID] = strawberry.field(description="The ids merged into it.")
    filled: list[str] = strawberry.field(description="Properties filled from the dropped.")
    moved: int = strawberry.field(description="Relationships moved to the kept node.")
    combined: int = strawberry.field(description="Relationships merged into existing ones.")
    self_loops_dropped: int = strawberry.field(
        description="Relationships between the merged nodes, dropped.")

    @classmethod
    def of(cls, p: Any, node: Node) -> MergeResult:
        return cls(keep=to_object(node), dropped=[strawberry.ID(d) for d in p.drop],
                   filled=sorted(p.filled), moved=len(p.moved), combined=len(p.combined),
                   self_loops_dropped=len(p.self_loops))


# -- the Mutation type ----------------------------------------------------------------------
@strawberry.type(description=(
    "Writes, for holders of a bearer token. All fields of one request commit together or "
    "not at all; every problem is reported with where, field and what was expected."))
class Mutation:
    @strawberry.mutation(description="Create nodes (their ids must not be in use).")
    async def create_nodes(self, info: Info, nodes: list[NodeInput]) -> list[NodeInterface]:
        return await _result(info)

    @strawberry.mutation(description="Change properties of existing nodes (null removes one).")
    async def update_nodes(self, info: Info, nodes: list[NodeChangeInput]
                           ) -> list[NodeInterface]:
        return await _result(info)

    @strawberry.mutation(description="Delete nodes and their relationships; returns the ids.")
    async def delete_nodes(self, info: Info, ids: list[strawberry.ID]) -> list[strawberry.ID]:
        return await _result(info)

    @strawberry.mutation(description="Create relationships (they must not exist yet).")
    async def create_relationships(self, info: Info, relationships: list[RelationshipInput]
                                   ) -> list[Relationship]:
        return await _result(info)

    @strawberry.mutation(description="Change properties of existing relationships.")
    async def update_relationships(self, info: Info, relationships: list[RelationshipInput]
                                   ) -> list[Relationship]:
        return await _result(info)

    @strawberry.mutation(description="Delete relationships; returns how many.")
    async def delete_relationships(self, info: Info,
                                   relationships: list[RelationshipKeyInput]) -> int:
        return await _result(info)

    @strawberry.mutation(description=(
        "Merge duplicates into `keep` (same label): their relationships moved, keep's "
        "properties winning, the rest filled in, the dropped deleted; the undo record is kept "
        "in keep's mergedFrom (coco merge --undo). Alone in its request."))
    async def merge_nodes(self, info: Info, keep: strawberry.ID, drop: list[strawberry.ID]
                          ) -> MergeResult:
        return await _result(info)
