"""The HTTP side of ``/graphql``: strawberry's ASGI view, one per application.

Each operation runs on a worker thread with a wall-clock budget (:mod:`api.offload`): the event
loop never waits on the store, a lock or a costly query.

The view is built on the first request from the application's settings (limits, tokens), so
that several apps with different settings can live in one process (tests do). Request bodies
are capped before strawberry reads them; responses are encoded with orjson.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any, cast

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from coco_atlas.api import auth
from coco_atlas.api.graphql import body, ide
from coco_atlas.api.graphql.context import Context, GraphCache
from coco_atlas.api.graphql.errors import TIMEOUT, coded_response, retry_after
from coco_atlas.api.graphql.schema import build_schema
from coco_atlas.api.offload import Offload
from coco_atlas.viz.i18n import gettext as _

MAX_BODY = body.MAX_BODY
# The POST body's parameters as Endpoint parsed and checked them, for this request's task
PARSED: ContextVar[dict[str, Any] | None] = ContextVar("coco_graphql_params", default=None)


# A mutation needs the keyword (a shorthand `{ … }` is a query): a document without it cannot
# write; one with it (perhaps only in a string) goes to the writers' threads, which is harmless.
_MUTATION = re.compile(r"\bmutation\b")


def may_write(query: object) -> bool:
    return isinstance(query, str) and _MUTATION.search(query) is not None


class GraphQLView(GraphQL[Context, None]):
    """strawberry's view with our context, our offline IDE and fast JSON."""

    def __init__(self, settings: dict[str, Any]):
        super().__init__(build_schema(settings), graphql_ide="graphiql",
                         allow_queries_via_get=True, multipart_uploads_enabled=False)
        self.cache = GraphCache()
        self.timeout = float(settings["graphql_timeout"])

    async def get_context(self, request: Any, response: Any) -> Context:
        state = request.app.state
        return Context(request=request, response=response, store=state.store,
                       settings=state.settings, cache=self.cache,
                       writer=auth.writer(request), denied=auth.write_denied(request))

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any,
                             context: Context, root_value: None,
                             request_data: Any) -> ExecutionResult:
        """Parse, validate and resolve on a worker thread (:mod:`api.offload`), within the
        ``graphql_timeout`` budget; store trouble answers 503 with ``Retry-After``."""
        parent = super().execute_single
        offload: Offload = request.app.state.offload
        try:
            result: ExecutionResult = await offload.run(
                lambda: parent(request, request_adapter, sub_response, context, root_value,
                               request_data),
                timeout=self.timeout, must_finish=lambda: context.write_batch is not None,
                write=may_write(request_data.query))
        except TimeoutError:
            result = ExecutionResult(data=None, errors=[GraphQLError(
                _("the query ran longer than {n} s and was stopped: ask for less (smaller "
                  "pages, fewer nested lists, narrower filters)").format(n=f"{self.timeout:g}"),
                extensions={"code": TIMEOUT})])
        retry = retry_after(result)
        if retry is not None:
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(retry)
        return result

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The parameters :class:`Endpoint` parsed and checked already (strawberry would
        parse the media type and the JSON body again: a tenth of a small query's time on
        the event loop); GET and anything else as strawberry does."""
        data = PARSED.get()
        if data is None or request.method != "POST":
            return await super().parse_http_body(request)
        transport = self._get_stream_transport_from_headers(request.headers)
        return GraphQLRequestData(
            query=data.get("query"), variables=data.get("variables"),
            operation_name=data.get("operationName"), extensions=data.get("extensions"),
            protocol=transport.protocol if transport else "http")

    async def process_result(self, request: Any, result: Any) -> GraphQLHTTPResponse:
        """strawberry's response with every error coded (:func:`errors.coded_response`)."""
        coded = coded_response(dict(await super().process_result(request, result)))
        return cast(GraphQLHTTPResponse, coded)

    async def render_graphql_ide(self, request: Any) -> Response:
        return await ide.page(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


class Endpoint:
    """The ASGI app mounted at ``/graphql``: the request is checked first
    (:mod:`api.graphql.body`: method, size, media type, strict bounded JSON, request
    parameters), then strawberry runs it; its plain-text refusals leave as coded JSON."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        view = getattr(state, "graphql_view", None)
        if view is None:
            view = state.graphql_view = GraphQLView(state.settings)
        request = Request(scope)
        tokens = int(state.settings["graphql_max_tokens"])
        try:
            body.check_method(request.method)
            if request.method == "POST":
                raw = await body.read_body(receive, request.headers.get("content-length"))
                PARSED.set(body.check_post(request.headers.get("content-type"), raw, tokens))
                receive = body.replay(raw, receive)
            elif "query" in request.query_params:
                body.check_get(request.query_params, tokens)
        except body.Refusal as refusal:
            await refusal.response()(scope, receive, send)
            return
        await view(scope, receive, body.coded(send))
