"""What a client sees when something goes wrong: precise problems, never internals.

Problems the client can fix (bad filters, unknown ids, schema violations found by
:mod:`schema.validate`) become one GraphQL error each, with ``extensions`` naming ``where`` and
``field`` and saying what was ``expected`` and what came (``got``). Anything else is masked: the
client gets "internal error" and the server log gets the traceback (the approach of strawberry's
``MaskErrors`` extension, with validation problems let through on purpose).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.store import StoreUnavailable
from schema import Problem, ValidationError

log = logging.getLogger("coco.graphql")

BAD_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
INTERNAL = "INTERNAL_SERVER_ERROR"
INTERNAL_MESSAGE = "internal error: the request could not be completed"
UNAVAILABLE = "STORE_UNAVAILABLE"


class UserError(Exception):
    """A problem with the request that the client can fix; shown as it is."""

    def __init__(self, message: str, *, code: str = BAD_INPUT, **details: Any):
        super().__init__(message)
        self.extensions = {"code": code, **{k: _plain(v) for k, v in details.items()}}


def bad_input(where: str, field: str, expected: str, got: Any = None) -> ValidationError:
    """One problem with an argument: ``where`` names the GraphQL field, ``field`` the argument
    (or the part of it), as :class:`~schema.Problem` does for data."""
    return ValidationError([Problem(where, field, expected, got)])


def public_errors(error: GraphQLError) -> list[GraphQLError]:
    """The errors to send for one raised error: expanded, passed through, or masked."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return [error]  # syntax, validation and coercion errors: written for clients
    if isinstance(original, ValidationError):
        return [_located(error, str(p), {"code": BAD_INPUT, "where": p.where, "field": p.field,
                                         "expected": p.expected, "got": _plain(p.got)})
                for p in original.problems]
    if isinstance(original, UserError):
        return [_located(error, str(original), original.extensions)]
    if isinstance(original, StoreUnavailable):
        return [_located(error, "the store is unavailable: try again later",
                         {"code": UNAVAILABLE})]
    return [_located(error, INTERNAL_MESSAGE, {"code": INTERNAL})]


def is_unexpected(error: GraphQLError) -> bool:
    """Errors worth a traceback in the server log (the client sees them masked)."""
    original = error.original_error
    return original is not None and not isinstance(
        original, (ValidationError, UserError, GraphQLError))


def _located(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, extensions=extensions)


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a value that came with a problem."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class PublicErrors(SchemaExtension):
    """Rewrites the result's errors with :func:`public_errors` once the operation is done."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [e for error in result.errors for e in public_errors(error)]
