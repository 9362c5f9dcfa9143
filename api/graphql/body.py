"""The GraphQL-over-HTTP request itself, checked before strawberry reads it.

strawberry parses the body with :func:`json.loads` and trusts its shape: a body that is not a
JSON object, not UTF-8 or nested a thousand levels deep used to end in an unhandled exception
(HTTP 500). Here the request is read once (capped), parsed strictly and bounded, and every
refusal is a 4xx with a coded GraphQL error, as the rest of the API answers:

- RFC 8259 §8.1: JSON exchanged between systems is UTF-8, without a byte order mark; orjson
  refuses invalid UTF-8 and lone surrogates (RFC 8259 §8.2), which Python's decoder would let
  through to crash the encoder later;
- the GraphQL over HTTP specification (graphql.github.io/graphql-over-http, "Request
  Parameters"): a JSON object with a string ``query``, an object (or null) ``variables`` and
  ``extensions``, a string (or null) ``operationName`` — which a document with several
  operations must give (GraphQL spec §6.1 GetOperation: otherwise a request error);
- OWASP API Security Top 10 2023, API4 "Unrestricted Resource Consumption": the body is capped
  and JSON nesting is bounded (a recursive decoder otherwise runs out of stack).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any, cast

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.datastructures import QueryParams
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Send

from coco_atlas.api.graphql.errors import BAD_INPUT
from coco_atlas.viz.i18n import N_, number
from coco_atlas.viz.i18n import gettext as _

MAX_BODY = 4 * 1024 * 1024  # bytes of one request body
MAX_JSON_DEPTH = 64  # nested arrays/objects in a request (filters need a dozen at most)
MEDIA_TYPE = "application/json"
ALLOWED_METHODS = ("GET", "POST")
_PARAMS = {"query": N_("a non-empty string (the GraphQL document)"),
           "variables": N_("an object or null"), "operationName": N_("a string or null"),
           "extensions": N_("an object or null")}
_CACHED_QUERY = 8192  # documents up to this length have their operations remembered


class Refusal(Exception):
    """A request refused before GraphQL runs: status, code, and what was expected."""

    def __init__(self, status: int, message: str, *, code: str = BAD_INPUT,
                 field: str | None = None, expected: str | None = None, got: Any = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, dict(headers or {})
        self.details = {k: v for k, v in (("field", field), ("expected", expected),
                                          ("got", got)) if v is not None}

    def response(self) -> JSONResponse:
        error = {"message": str(self), "extensions": {"code": self.code, **self.details}}
        return JSONResponse({"errors": [error]}, status_code=self.status, headers=self.headers)


def too_large() -> Refusal:
    most = _("at most {n} bytes").format(n=number(MAX_BODY))
    return Refusal(413, _("request body too large: {limit}").format(limit=most),
                   code="PAYLOAD_TOO_LARGE", expected=most)


def check_method(method: str) -> None:
    """Only GET and POST (GraphQL over HTTP); 405 names the allowed ones (RFC 9110 §15.5.6)."""
    if method not in ALLOWED_METHODS:
        raise Refusal(405, _("{method} is not allowed on /graphql: use GET or POST").format(
                      method=method), code="METHOD_NOT_ALLOWED", expected=_("GET or POST"),
                      got=method,
                      headers={"Allow": ", ".join(ALLOWED_METHODS)})


async def read_body(receive: Receive, declared: str | None) -> bytes:
    """The whole request body, refused past :data:`MAX_BODY` (declared or streamed)."""
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise too_large()
    chunks, seen = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise Refusal(400, "the client went away before sending the body")
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > MAX_BODY:
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands ``body`` over once, then waits on the real one (disconnects)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def check_post(content_type: str | None, body: bytes, max_tokens: int) -> dict[str, Any]:
    """A POST body: JSON media type, UTF-8, bounded JSON, GraphQL request parameters; the
    parameters, parsed (the view reuses them rather than parsing the body again)."""
    _check_media_type(content_type)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refusal(400, _("request body is not UTF-8 text (byte {n} is invalid)").format(
                      n=e.start), field="body", expected=_("UTF-8 text (RFC 8259 §8.1)"),
                      got=f"byte 0x{body[e.start]:02x} at offset {e.start}") from None
    data = parse_json(body, "body")
    check_params(data, max_tokens)
    return cast(dict[str, Any], data)


def check_get(params: QueryParams, max_tokens: int) -> None:
    """GET parameters: ``variables`` and ``extensions`` are JSON text, checked like a body."""
    data: dict[str, Any] = {k: params[k] for k in ("query", "operationName") if k in params}
    for name in ("variables", "extensions"):
        if params.get(name):
            data[name] = parse_json(params[name], name)
    check_params(data, max_tokens)


def parse_json(text: bytes | str, where: str) -> Any:
    """Strict JSON (orjson: no NaN, no lone surrogates, no BOM), nested at most
    :data:`MAX_JSON_DEPTH` levels."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        reason = str(e).split(":", 1)[0]
        if "surrogate" in reason:
            raise Refusal(400, _("{where}: a string holds a lone surrogate ({reason})").format(
                where=where, reason=reason), field=where, expected=_(
                "text without lone surrogates (\\uD800-\\uDFFF escapes only in pairs, RFC 8259 "
                "§8.2)"), got=reason) from None
        if "depth" in reason or "recursion" in reason.lower():
            raise _too_deep(where) from None
        raise Refusal(400, _("{where} is not valid JSON: {error}").format(where=where, error=e),
                      field=where, expected=_("JSON text (RFC 8259)"), got=reason) from None
    if _depth_over(value, MAX_JSON_DEPTH):
        raise _too_deep(where)
    return value


def check_params(data: Any, max_tokens: int) -> None:
    """The GraphQL request parameters, and an operation name where the document needs one."""
    if not isinstance(data, dict):
        raise Refusal(400, _("a GraphQL request is a JSON object with a query (batches of "
                             "operations are not supported)"), field="body",
                      expected=_("a JSON object {fields}").format(
                          fields="{query, variables, operationName}"),
                      got=_kind(data))
    query = data.get("query") or ""
    for name, expected in _PARAMS.items():
        value = data.get(name)
        ok = (isinstance(value, str) and value.strip() != "") if name == "query" else (
            value is None or isinstance(value, str if name == "operationName" else dict))
        if not ok:
            raise Refusal(400, _("{name}: expected {expected}").format(
                name=name, expected=_(expected)), field=name, expected=_(expected),
                got=_kind(value))
    if data.get("operationName") is None:
        names = _operations(query, max_tokens) if len(query) <= _CACHED_QUERY else \
            _operations.__wrapped__(query, max_tokens)
        if names is not None and len(names) > 1:
            listed = ", ".join(n or _("(anonymous)") for n in names)
            raise Refusal(400, _("the document has {n} operations ({names}): say which one to "
                                 "run with operationName").format(n=len(names), names=listed),
                          field="operationName",
                          expected=_("the name of one of the operations ({names})").format(
                              names=listed))


def _check_media_type(content_type: str | None) -> None:
    media, _sep, rest = (content_type or "").partition(";")
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in rest.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if media.strip().lower() != MEDIA_TYPE or charset != "utf-8":
        raise Refusal(415, _("POST /graphql takes Content-Type: {type} (UTF-8)").format(
                      type=MEDIA_TYPE), code="UNSUPPORTED_MEDIA_TYPE", field="Content-Type",
                      expected=f"{MEDIA_TYPE} (UTF-8)", got=(content_type or "none")[:100])


def _too_deep(where: str) -> Refusal:
    return Refusal(400, _("{where}: JSON nested deeper than {n} levels").format(
        where=where, n=MAX_JSON_DEPTH), field=where,
        expected=_("JSON nested at most {n} levels").format(n=MAX_JSON_DEPTH))


def _depth_over(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit`` (iteratively: no recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


@lru_cache(maxsize=256)
def _operations(query: str, max_tokens: int) -> tuple[str | None, ...] | None:
    """Names of the document's operations; None when it does not parse (GraphQL then says
    why, with its own limits)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except (GraphQLError, RecursionError):
        return None
    return tuple(d.name.value if d.name else None for d in document.definitions
                 if isinstance(d, OperationDefinitionNode))


def _kind(value: Any) -> str:
    """What came, in words, without echoing it back."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    return "an array" if isinstance(value, list) else "an object"


_CODES = {400: BAD_INPUT, 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE",
          415: "UNSUPPORTED_MEDIA_TYPE"}


def coded(send: Send) -> Send:
    """A ``send`` that turns strawberry's plain-text refusals ("Unknown operation named…",
    "mutations are not allowed when using GET") into coded JSON errors with the same status."""
    held: Message | None = None
    parts: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal held
        if message["type"] == "http.response.start" and message["status"] >= 400 \
                and not _is_json(message):
            held = message
            return
        if held is None or message["type"] != "http.response.body":
            await send(message)
            return
        parts.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        status = int(held["status"])
        text = b"".join(parts).decode("utf-8", "replace").strip()[:500]
        refusal = Refusal(status, text or HTTPStatus(status).phrase,
                          code=_CODES.get(status, "BAD_REQUEST"))
        response = refusal.response()
        await send({"type": "http.response.start", "status": status,
                    "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})

    return wrapped


def _is_json(start: Message) -> bool:
    return any(k.lower() == b"content-type" and v.lower().startswith(b"application/json")
               for k, v in start.get("headers", ()))
