"""Limits that keep one query from taking the service down, with errors that say which limit.

A GraphQL document can be small and still expand to an enormous query: fragments that spread
the previous fragment twice (``fragment F2 on Query { ...F1 ...F1 }``, …) double the query per
line, so 40 lines — under 800 bytes — stand for 2^40 fields, the "billion laughs" of XML
entity expansion. Every walk that follows fragment spreads naively then takes exponential time;
the OWASP GraphQL Cheat Sheet ("Query limiting: depth, amount and cost") asks for limits that
are themselves cheap to check. So each limit here reads a fragment once and remembers what it
expands to, and the document-shape limits run *before* graphql-core's validation, whose
field-overlap rule (OverlappingFieldsCanBeMergedRule) is quadratic in the repeated fields of
one selection set:

* lexical tokens: strawberry's ``MaxTokensLimiter`` (graphql-js' ``maxTokens``), during parsing;
* field selections, fragments spread in place (``graphql_max_fields``), nesting depth
  (``graphql_max_depth``, counted as graphql-depth-limit counts it, introspection subtrees
  left out) and aliases (``graphql_max_aliases``): :func:`shape_errors`, in one linear pass
  over the document, refused with ``QUERY_TOO_COMPLEX``;
* the node budget: a query may ask for at most ``graphql_max_nodes`` nodes (500 000 by default),
  counted as the product of the page sizes (``first``, or its default) along each chain of
  nested lists — the static node limit that GitHub's GraphQL API applies, with the same default
  ("Rate limits and node limits for the GraphQL API", docs.github.com); refused with
  ``QUERY_TOO_LARGE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import (
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionResult

from coco_atlas.api.graphql.errors import PublicErrors
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.i18n import number

NOT_NODES = {"AggregateRow"}  # rows computed once per list, not per node of the page
TOO_COMPLEX = "QUERY_TOO_COMPLEX"
# Counts saturate here: 2^53 is the largest integer a JavaScript client reads exactly, and a
# fan-out of fragments could otherwise grow a count to thousands of digits.
CAP = 2**53


def extensions(settings: Mapping[str, Any]) -> list[Callable[[], SchemaExtension]]:
    """Factories of the schema extensions for the configured limits (strawberry builds fresh
    extension instances per request from them)."""
    tokens, nodes = int(settings["graphql_max_tokens"]), int(settings["graphql_max_nodes"])
    limits = ShapeLimits(fields=int(settings["graphql_max_fields"]),
                         depth=int(settings["graphql_max_depth"]),
                         aliases=int(settings["graphql_max_aliases"]))
    return [
        PublicErrors,
        lambda: MaxTokensLimiter(max_token_count=tokens),
        lambda: NodeBudget(nodes),
        lambda: ParserCache(maxsize=256),  # researchers' tools repeat the same queries
        lambda: GuardedValidation(limits, maxsize=256),
    ]


# --- The shape of a document: fields, depth and aliases, each fragment expanded once ---------


@dataclass(frozen=True)
class ShapeLimits:
    """The most field selections, levels of nesting and aliases a document may have."""

    fields: int
    depth: int
    aliases: int


@dataclass(frozen=True)
class Shape:
    """What a selection set amounts to with its fragments spread in place."""

    fields: int = 0
    aliases: int = 0
    levels: int = 0  # levels of nested fields; introspection fields do not count their subtree


EMPTY = Shape()


@dataclass
class _Body:
    """One selection set read once: its own fields, and the fragments it spreads with the
    levels of fields above each spread (``None`` under an introspection field)."""

    own: Shape
    spreads: list[tuple[str, int | None]] = field(default_factory=list)


def _scan(selection_set: SelectionSetNode) -> _Body:
    """Read a selection set without following spreads (no recursion: nesting is bounded by the
    parser, but one loop is simpler and never near the interpreter's stack limit)."""
    fields = aliases = levels = 0
    spreads: list[tuple[str, int | None]] = []
    stack: list[tuple[SelectionSetNode, int, bool]] = [(selection_set, 1, True)]
    while stack:
        selections, level, counted = stack.pop()
        for sel in selections.selections:
            if isinstance(sel, FieldNode):
                fields += 1
                aliases += sel.alias is not None
                levels = max(levels, level) if counted else levels
                if sel.selection_set is not None:
                    stack.append((sel.selection_set, level + 1,
                                  counted and not sel.name.value.startswith("__")))
            elif isinstance(sel, InlineFragmentNode):
                stack.append((sel.selection_set, level, counted))
            elif isinstance(sel, FragmentSpreadNode):
                spreads.append((sel.name.value, level - 1 if counted else None))
    return _Body(Shape(fields, aliases, levels), spreads)


def _expand(body: _Body, shapes: Mapping[str, Shape]) -> Shape:
    """A body's shape from the shapes of the fragments it spreads (unknown or cyclic spreads
    add nothing: validation refuses them)."""
    fields, aliases, levels = body.own.fields, body.own.aliases, body.own.levels
    for name, above in body.spreads:
        spread = shapes.get(name, EMPTY)
        fields = min(fields + spread.fields, CAP)
        aliases = min(aliases + spread.aliases, CAP)
        if above is not None and spread.levels:
            levels = max(levels, above + spread.levels)
    return Shape(fields, aliases, levels)


class DocumentShape:
    """The shapes of a document's operations, each fragment read and expanded exactly once.

    Fragments are settled in post-order of their spreads (a depth-first walk with an explicit
    stack, as graphql-core's ``FragmentNestingVisitor`` does), so a fragment's shape is known
    before any fragment spreading it is computed: time linear in the size of the document,
    whatever it expands to. A spread that closes a cycle adds nothing.
    """

    def __init__(self, document: DocumentNode):
        self.definitions = [d for d in document.definitions
                            if isinstance(d, FragmentDefinitionNode)]
        self.fragments = {d.name.value: d for d in self.definitions}
        self.bodies = {name: _scan(d.selection_set) for name, d in self.fragments.items()}
        self.operations = [(op, _scan(op.selection_set)) for op in document.definitions
                           if isinstance(op, OperationDefinitionNode)]
        self.shapes: dict[str, Shape] = {}
        for name in self.bodies:
            self._settle(name)

    def _settle(self, root: str) -> None:
        if root in self.shapes:
            return
        path, on_path = [(root, iter(self.bodies[root].spreads))], {root}
        while path:
            name, spreads = path[-1]
            for spread, _kind in spreads:
                if spread in self.bodies and spread not in self.shapes and spread not in on_path:
                    path.append((spread, iter(self.bodies[spread].spreads)))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                self.shapes[name] = _expand(self.bodies[name], self.shapes)

    def operation_shapes(self) -> list[tuple[OperationDefinitionNode, Shape]]:
        return [(op, _expand(body, self.shapes)) for op, body in self.operations]

    def fields(self) -> int:
        """Field selections of the operations with fragments spread in place, plus those of
        fragments no operation spreads (validation reads them too, before refusing them)."""
        counts = [shape.fields for _op, shape in self.operation_shapes()]
        reached = self._reached()
        for d in self.definitions:
            name = d.name.value
            if self.fragments[name] is not d:  # shadowed by a later one of the same name
                counts.append(_expand(_scan(d.selection_set), self.shapes).fields)
            elif name not in reached:
                counts.append(self.shapes[name].fields)
        return min(sum(counts), CAP)

    def _reached(self) -> set[str]:
        todo = [name for _op, body in self.operations for name, _kind in body.spreads]
        reached: set[str] = set()
        while todo:
            name = todo.pop()
            if name in self.bodies and name not in reached:
                reached.add(name)
                todo.extend(spread for spread, _ in self.bodies[name].spreads)
        return reached


def shape_errors(document: DocumentNode, limits: ShapeLimits) -> list[GraphQLError]:
    """Coded errors for each shape limit the document exceeds; none if it is within them.

    The field count comes first and alone: it bounds every other walk, graphql-core's
    validation included.
    """
    shape = DocumentShape(document)
    fields = shape.fields()
    if fields > limits.fields:
        many = _("at least {n}").format(n=number(CAP)) if fields == CAP else number(fields)
        return [_too_complex(
            _("the document selects {n} fields once its fragments are spread in place; the "
              "limit (graphql_max_fields) is {limit}: select fewer fields or spread fragments "
              "fewer times").format(n=many, limit=number(limits.fields)), "graphql_max_fields",
            _("at most {n} field selections, fragments spread").format(n=limits.fields),
            fields)]
    return _operation_errors(shape.operation_shapes(), limits)


def _operation_errors(operations: list[tuple[OperationDefinitionNode, Shape]],
                      limits: ShapeLimits) -> list[GraphQLError]:
    """Depth per operation, as graphql-depth-limit has it (top-level fields at depth 0, the
    wording of strawberry's port); aliases summed over the operations, as strawberry's
    ``MaxAliasesLimiter`` does."""
    errors, aliases = [], 0
    for op, shape in operations:
        aliases = min(aliases + shape.aliases, CAP)
        depth = max(shape.levels - 1, 0)
        if depth > limits.depth:
            name = op.name.value if op.name else "anonymous"
            errors.append(_too_complex(
                _("'{name}' exceeds maximum operation depth of {limit} (graphql_max_depth): its "
                  "deepest field is at depth {depth}, counting top-level fields as 0").format(
                    name=name, limit=limits.depth, depth=depth),
                "graphql_max_depth",
                _("a depth of at most {n}").format(n=limits.depth), depth, op))
    if aliases > limits.aliases:
        errors.append(_too_complex(
            _("{n} aliases found; the limit (graphql_max_aliases) is {limit}").format(
                n=aliases, limit=limits.aliases),
            "graphql_max_aliases", _("at most {n} aliases").format(n=limits.aliases),
            aliases))
    return errors


def _too_complex(message: str, limit: str, expected: str, got: int,
                 node: OperationDefinitionNode | None = None) -> GraphQLError:
    return GraphQLError(message, nodes=[node] if node else None, extensions={
        "code": TOO_COMPLEX, "limit": limit, "expected": expected, "got": got})


class GuardedValidation(ValidationCache):
    """graphql-core's validation (cached), run only for documents within the shape limits.

    One extension so that the order is certain: strawberry's ``ValidationCache`` overwrites
    whatever errors an earlier extension's ``on_validate`` set, and validation rules
    (``AddValidationRules``) would run only together with the quadratic rules they guard.
    """

    def __init__(self, limits: ShapeLimits, maxsize: int):
        super().__init__(maxsize=maxsize)
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        doc = ec.graphql_document
        errors = shape_errors(doc, self.limits) if doc is not None else []
        if errors:
            ec.pre_execution_errors = errors
            yield
        else:
            yield from super().on_validate()


# --- The node budget -------------------------------------------------------------------------


class NodeBudget(SchemaExtension):
    """Refuses, before running it, a query that could return more than ``limit`` nodes."""

    def __init__(self, limit: int):
        self.limit = limit

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        doc = ec.graphql_document
        if doc is not None and not ec.result:
            op = get_operation_ast(doc, ec.operation_name)
            if op is not None:
                schema: GraphQLSchema = ec.schema._schema
                root = schema.get_root_type(op.operation)
                fragments = {d.name.value: d for d in doc.definitions
                             if isinstance(d, FragmentDefinitionNode)}
                cost = estimate(op.selection_set, root, 1, fragments, dict(ec.variables or {}),
                                schema) if root else 0
                if cost > self.limit:
                    ec.result = ExecutionResult(data=None, errors=[GraphQLError(
                        _("the query could return up to {n} nodes; the limit is {limit}: ask "
                          "for smaller pages (first) or fewer nested lists").format(
                            n=number(cost), limit=number(self.limit)),
                        extensions={"code": "QUERY_TOO_LARGE", "field": "first",
                                    "expected": _("at most {n} nodes").format(n=self.limit),
                                    "got": cost})])
        yield


def estimate(selection_set: SelectionSetNode, parent: Any, multiplier: int,
             fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any],
             schema: GraphQLSchema) -> int:
    """Nodes a selection may return: each list field with ``first`` multiplies its subtree."""
    return _Cost(fragments, variables, schema).selections(selection_set, parent, multiplier)


class _Cost:
    """The node cost of selections, each named fragment costed once per type it applies to.

    The cost is linear in the multiplier (every term is a product of the page sizes above it),
    so a fragment is costed at multiplier 1 and scaled wherever it is spread: time linear in the
    document, however often fragments spread each other.
    """

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: dict[str, Any], schema: GraphQLSchema):
        self.fragments, self.variables, self.schema = fragments, variables, schema
        self.memo: dict[tuple[str, str], int] = {}
        self.open: set[tuple[str, str]] = set()

    def selections(self, selection_set: SelectionSetNode, parent: Any, multiplier: int) -> int:
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self.field(sel, parent, multiplier)
            elif isinstance(sel, InlineFragmentNode):
                total += self.selections(sel.selection_set, self._on(sel, parent), multiplier)
            elif isinstance(sel, FragmentSpreadNode):
                total += multiplier * self.fragment(sel.name.value, parent)
        return total

    def fragment(self, name: str, parent: Any) -> int:
        """A named fragment's cost at multiplier 1 (0 for unknown or cyclic ones, which
        validation has refused before execution)."""
        frag = self.fragments.get(name)
        if frag is None:
            return 0
        typ = self._on(frag, parent)
        key = (name, str(getattr(typ, "name", typ)))
        if key not in self.memo:
            if key in self.open:
                return 0
            self.open.add(key)
            self.memo[key] = self.selections(frag.selection_set, typ, 1)
            self.open.discard(key)
        return self.memo[key]

    def _on(self, frag: InlineFragmentNode | FragmentDefinitionNode, parent: Any) -> Any:
        cond = frag.type_condition
        return (self.schema.get_type(cond.name.value) if cond else None) or parent

    def field(self, node: FieldNode, parent: Any, multiplier: int) -> int:
        fields = getattr(parent, "fields", None)
        if node.name.value.startswith("__") or not fields or node.name.value not in fields:
            return 0
        definition = fields[node.name.value]
        named = get_named_type(definition.type)
        cost, n = 0, multiplier
        if "first" in definition.args and named.name not in NOT_NODES:
            n = multiplier * max(_first(node, definition, self.variables), 1)
            cost = n
        elif "ids" in definition.args:  # nodes(ids: [...]): as many nodes as ids
            n = multiplier * max(_count(node, "ids", self.variables), 1)
            cost = n
        if node.selection_set is not None and is_composite_type(named):
            cost += self.selections(node.selection_set, named, n)
        return cost


def _count(node: FieldNode, name: str, variables: dict[str, Any]) -> int:
    """How many items a list argument holds (0 when it cannot be told before coercion)."""
    for arg in node.arguments or ():
        if arg.name.value == name:
            if isinstance(arg.value, VariableNode) and arg.value.name.value not in variables:
                return 0
            value = value_from_ast_untyped(arg.value, variables)
            return len(value) if isinstance(value, list) else 1
    return 0


def _first(node: FieldNode, definition: Any, variables: dict[str, Any]) -> int:
    for arg in node.arguments or ():
        if arg.name.value == "first":
            if isinstance(arg.value, VariableNode) and arg.value.name.value not in variables:
                break
            value = value_from_ast_untyped(arg.value, variables)
            return value if isinstance(value, int) else 0
    default = definition.args["first"].default_value
    return default if isinstance(default, int) else 0
