"""What a client sees when something goes wrong: precise problems, never internals.

Problems the client can fix (bad filters, unknown ids, schema violations found by
:mod:`schema.validate`) become one GraphQL error each, with ``extensions`` naming ``where`` and
``field`` and saying what was ``expected`` and what came (``got``). Anything else is masked: the
client gets "internal error" and the server log gets the traceback (the approach of strawberry's
``MaskErrors`` extension, with validation problems let through on purpose).

Every error leaves with ``extensions.code``: graphql-core's own syntax, validation and variable
errors get the codes Apollo Server gives them (``GRAPHQL_PARSE_FAILED``,
``GRAPHQL_VALIDATION_FAILED``, ``BAD_USER_INPUT``). What an error carries is made safe to encode
and short: a value that came with a problem (``got``) is cut to a few hundred characters (a 3 MB
name is not echoed back), integers beyond 64 bits become text, lone surrogates are replaced
(OWASP API8:2023, no unhandled errors).

Messages are in the request's language (``Accept-Language``, ``?lang=``: :mod:`api.i18n` sets
it for the request's task, which the resolvers and this extension run in): ``message`` and the
human ``expected`` text are worded here, where the response is made, from the English messages
(:mod:`schema.messages`) the resolvers raised. What programs read stays as it is: the
``extensions`` ``code``, ``where``, ``field``, ``limit`` and ``got``, and graphql-core's own
syntax and validation messages (English, as every GraphQL server words them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from coco_atlas.graph.store import StoreBusy, StoreFull, StoreUnavailable
from coco_atlas.schema import Problem, ValidationError
from coco_atlas.schema.messages import Msg, english
from coco_atlas.viz.i18n import N_, gettext
from coco_atlas.viz.i18n import gettext as _

log = logging.getLogger("coco.graphql")

BAD_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
INTERNAL = "INTERNAL_SERVER_ERROR"
INTERNAL_MESSAGE = N_("internal error: the request could not be completed")
UNAVAILABLE = "STORE_UNAVAILABLE"
BUSY = "STORE_BUSY"
FULL = "STORE_FULL"
TIMEOUT = "QUERY_TIMEOUT"
RETRY = {BUSY: 1, UNAVAILABLE: 5, FULL: 60, TIMEOUT: 5}  # Retry-After seconds (RFC 9110)


class UserError(Exception):
    """A problem with the request that the client can fix; shown as it is (a message marked
    ``N_`` or a :class:`~schema.messages.Msg` is worded in the request's language)."""

    def __init__(self, message: str, *, code: str = BAD_INPUT, **details: Any):
        super().__init__(message)
        self.message = message
        self.extensions = {"code": code, **{
            k: v if isinstance(v, Msg) else _plain(v, limit=MAX_TEXT if k == "got" else
                                                   MAX_MESSAGE)
            for k, v in details.items()}}

    def __str__(self) -> str:
        return gettext(self.message)


def bad_input(where: str, field: str, expected: str, got: Any = None) -> ValidationError:
    """One problem with an argument: ``where`` names the GraphQL field, ``field`` the argument
    (or the part of it), as :class:`~schema.Problem` does for data."""
    return ValidationError([Problem(where, field, expected, got)])


def public_errors(error: GraphQLError) -> list[GraphQLError]:
    """The errors to send for one raised error: expanded, passed through, or masked."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return [_coded(error)]  # syntax, validation and coercion errors: written for clients
    if isinstance(original, ValidationError):
        return [_located(error, str(p), {"code": BAD_INPUT, "where": english(p.where),
                                         "field": p.field, "expected": gettext(p.expected),
                                         "got": _plain(english(p.got) if isinstance(
                                             p.got, Msg) else p.got)})
                for p in original.problems]
    if isinstance(original, UserError):
        return [_located(error, str(original), {
            k: gettext(v) if k == "expected" else english(v) if isinstance(v, Msg) else v
            for k, v in original.extensions.items()})]
    if isinstance(original, StoreBusy):
        return [_located(error, _("another process is writing to the store (an import?); "
                                  "nothing was written: try again in a moment"),
                         {"code": BUSY, "retryAfter": round(original.retry_after)})]
    if isinstance(original, StoreFull):
        return [_located(error, _("the store's disk is full; nothing was written"),
                         {"code": FULL})]
    if isinstance(original, StoreUnavailable):
        return [_located(error, _("the store is unavailable: try again later"),
                         {"code": UNAVAILABLE})]
    return [_located(error, _(INTERNAL_MESSAGE), {"code": INTERNAL})]


def retry_after(result: Any) -> int | None:
    """Seconds for ``Retry-After`` when an error says the service, not the request, failed
    (the answer is then HTTP 503), else None."""
    waits = [int((e.extensions or {}).get("retryAfter") or RETRY[code])
             for e in result.errors or () if (code := (e.extensions or {}).get("code")) in RETRY]
    return max(waits) if waits else None


def is_unexpected(error: GraphQLError) -> bool:
    """Errors worth a traceback in the server log (the client sees them masked)."""
    original = error.original_error
    return original is not None and not isinstance(
        original, (ValidationError, UserError, GraphQLError))


def _coded(error: GraphQLError) -> GraphQLError:
    """A GraphQL error written for clients, with a code when it came without one."""
    extensions = dict(error.extensions or {})
    extensions.setdefault("code", graphql_code(error))
    return _located(error, error.message, extensions)


def graphql_code(error: GraphQLError | dict[str, Any]) -> str:
    """The code of an error graphql-core raised (or its formatted form): parse, validation, or
    a bad input value."""
    message, path = (error.get("message", ""), error.get("path")) if isinstance(error, dict) \
        else (error.message, error.path)
    if str(message).startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if path is None and not str(message).startswith("Variable '$"):
        return "GRAPHQL_VALIDATION_FAILED"
    return BAD_INPUT  # a variable's value, or a value a resolver or scalar refused


def coded_response(response: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL response whose every error has a code and encodes. :class:`PublicErrors`
    codes errors as the operation ends; a parse error raised by strawberry's ``ParserCache``
    ends the operation early and would leave uncoded: this is the last look before sending."""
    errors = response.get("errors")
    if errors:
        response["errors"] = [_coded_dict(e) for e in errors]
    return response


def _coded_dict(error: dict[str, Any]) -> dict[str, Any]:
    extensions = dict(error.get("extensions") or {})
    extensions.setdefault("code", graphql_code(error))
    return {**error, "message": _text(str(error.get("message", "")), MAX_MESSAGE),
            "extensions": {str(k): _plain(v, limit=MAX_TEXT if k == "got" else MAX_MESSAGE)
                           for k, v in extensions.items()}}


def _located(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(_text(message, MAX_MESSAGE), nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path,
                        extensions={str(k): _plain(v, limit=MAX_TEXT if k == "got" else
                                                   MAX_MESSAGE)
                                    for k, v in extensions.items()})


MAX_MESSAGE = 2000  # characters of an error message
MAX_TEXT = 200  # characters of a value shown with a problem
MAX_ITEMS = 20  # elements of a list or object shown with a problem
_INT64 = 2**63


def _plain(value: Any, depth: int = 0, limit: int = MAX_TEXT) -> Any:
    """A JSON-safe, short rendering of a value that came with a problem."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if -_INT64 <= value < _INT64 else _huge(value)
    if isinstance(value, str):
        return _text(value, limit)
    if depth >= 4:
        return "…"
    if isinstance(value, (list, tuple)):
        out = [_plain(v, depth + 1, limit) for v in value[:MAX_ITEMS]]
        return [*out, f"… {len(value) - MAX_ITEMS:,} more"] if len(value) > MAX_ITEMS else out
    if isinstance(value, dict):
        items = list(value.items())
        shown = {_text(str(k), limit): _plain(v, depth + 1, limit) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            shown["…"] = f"{len(items) - MAX_ITEMS:,} more"
        return shown
    return _text(str(value), limit)


def _text(value: str, limit: int) -> str:
    """At most ``limit`` characters (saying how long it was), encodable as UTF-8."""
    if len(value) > limit:
        value = f"{value[:limit // 2]}… ({len(value):,} characters)"
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _huge(value: int) -> str:
    """An integer too large for JSON numbers (RFC 7493 I-JSON) as text."""
    try:
        return _text(str(value), MAX_TEXT)
    except ValueError:  # more digits than Python converts (sys.int_max_str_digits)
        return f"an integer of {value.bit_length():,} bits"


class PublicErrors(SchemaExtension):
    """Rewrites the result's errors with :func:`public_errors` once the operation is done."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [e for error in result.errors for e in public_errors(error)]
