"""Limits that keep one query from taking the service down, with errors that say which limit.

Depth, lexical tokens and aliases are strawberry's validation extensions (ports of
graphql-depth-limit and of graphql-js' token limit). The node budget is ours: a query may ask
for at most ``graphql_max_nodes`` nodes (500 000 by default), counted as the product of the page
sizes (``first``, or its default) along each chain of nested lists — the static node limit that
GitHub's GraphQL API applies, with the same default ("Rate limits and node limits for the
GraphQL API", docs.github.com).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.types import ExecutionResult

from api.graphql.errors import PublicErrors

NOT_NODES = {"AggregateRow"}  # rows computed once per list, not per node of the page


def _introspection(ctx: IgnoreContext) -> bool:
    """Introspection (what GraphiQL asks on load) nests ``ofType`` deeply by design."""
    return ctx.field_name.startswith("__")


def extensions(settings: Mapping[str, Any]) -> list[Callable[[], SchemaExtension]]:
    """Factories of the schema extensions for the configured limits (strawberry builds fresh
    extension instances per request from them)."""
    tokens, depth = int(settings["graphql_max_tokens"]), int(settings["graphql_max_depth"])
    aliases, nodes = int(settings["graphql_max_aliases"]), int(settings["graphql_max_nodes"])
    return [
        PublicErrors,
        lambda: MaxTokensLimiter(max_token_count=tokens),
        lambda: QueryDepthLimiter(max_depth=depth, should_ignore=_introspection),
        lambda: MaxAliasesLimiter(max_alias_count=aliases),
        lambda: NodeBudget(nodes),
        lambda: ParserCache(maxsize=256),  # researchers' tools repeat the same queries
        lambda: ValidationCache(maxsize=256),
    ]


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
                        f"the query could return up to {cost:,} nodes; the limit is "
                        f"{self.limit:,}: ask for smaller pages (first) or fewer nested lists",
                        extensions={"code": "QUERY_TOO_LARGE", "field": "first",
                                    "expected": f"at most {self.limit} nodes", "got": cost})])
        yield


def estimate(selection_set: SelectionSetNode, parent: Any, multiplier: int,
             fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any],
             schema: GraphQLSchema) -> int:
    """Nodes a selection may return: each list field with ``first`` multiplies its subtree."""
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            total += _field_cost(sel, parent, multiplier, fragments, variables, schema)
        elif isinstance(sel, (InlineFragmentNode, FragmentSpreadNode)):
            frag = sel if isinstance(sel, InlineFragmentNode) else fragments.get(sel.name.value)
            if frag is None:
                continue
            cond = frag.type_condition
            typ = schema.get_type(cond.name.value) if cond else parent
            total += estimate(frag.selection_set, typ or parent, multiplier, fragments,
                              variables, schema)
    return total


def _field_cost(node: FieldNode, parent: Any, multiplier: int,
                fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any],
                schema: GraphQLSchema) -> int:
    fields = getattr(parent, "fields", None)
    if node.name.value.startswith("__") or not fields or node.name.value not in fields:
        return 0
    definition = fields[node.name.value]
    named = get_named_type(definition.type)
    cost, n = 0, multiplier
    if "first" in definition.args and named.name not in NOT_NODES:
        n = multiplier * max(_first(node, definition, variables), 1)
        cost = n
    if node.selection_set is not None and is_composite_type(named):
        cost += estimate(node.selection_set, named, n, fragments, variables, schema)
    return cost


def _first(node: FieldNode, definition: Any, variables: dict[str, Any]) -> int:
    for arg in node.arguments or ():
        if arg.name.value == "first":
            if isinstance(arg.value, VariableNode) and arg.value.name.value not in variables:
                break
            value = value_from_ast_untyped(arg.value, variables)
            return value if isinstance(value, int) else 0
    default = definition.args["first"].default_value
    return default if isinstance(default, int) else 0
