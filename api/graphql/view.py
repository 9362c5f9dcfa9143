"""The HTTP side of ``/graphql``: strawberry's ASGI view, one per application.

The view is built on the first request from the application's settings (limits, tokens), so
that several apps with different settings can live in one process (tests do). Request bodies
are capped before strawberry reads them; responses are encoded with orjson.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api import auth
from api.graphql import ide
from api.graphql.context import Context, GraphCache
from api.graphql.schema import build_schema

MAX_BODY = 4 * 1024 * 1024  # bytes of one request body


class BodyTooLarge(Exception):
    pass


class GraphQLView(GraphQL):  # type: ignore[type-arg]
    """strawberry's view with our context, our offline IDE and fast JSON."""

    def __init__(self, settings: dict[str, Any]):
        super().__init__(build_schema(settings), graphql_ide="graphiql",
                         allow_queries_via_get=True, multipart_uploads_enabled=False)
        self.cache = GraphCache()

    async def get_context(self, request: Any, response: Any) -> Context:
        state = request.app.state
        store = state.store
        return Context(request=request, response=response, store=store,
                       settings=state.settings, cache=self.cache, version=store.version,
                       writer=auth.writer(request), denied=auth.write_denied(request))

    async def render_graphql_ide(self, request: Any) -> Response:
        return await ide.page(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


class Endpoint:
    """The ASGI app mounted at ``/graphql``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        view = getattr(state, "graphql_view", None)
        if view is None:
            view = state.graphql_view = GraphQLView(state.settings)
        length = Request(scope).headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            await _too_large(scope, receive, send)
            return
        try:
            await view(scope, _capped(receive), send)
        except BodyTooLarge:
            await _too_large(scope, receive, send)


def _capped(receive: Receive) -> Receive:
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY:
            raise BodyTooLarge
        return message

    return capped


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"errors": [{
        "message": f"request body too large: at most {MAX_BODY:,} bytes",
        "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}, status_code=413)
    await response(scope, receive, send)
