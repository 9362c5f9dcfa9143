"""Chart pages and exports of the service.

* ``/charts?…`` — the three charts (brokers, gaps by region, ties per year) on one page;
* ``/charts/{kind}?…`` — one chart on its page;
* ``/charts/{kind}.svg?…`` and ``/charts/{kind}.png?…`` — the chart as a file (PNG at 2×).

Parameters are the maps' filters (:mod:`viz.params`: country, region, sector, group, label,
years; ``level`` for the gaps; ``limit`` bars or regions), checked by the same parser, so a bad
value gets the same one-line message naming the parameter. Charts are computed in a worker
thread and kept in a small LRU keyed by the store's version and the request, like the maps.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from coco_atlas.graph.store import Store
from coco_atlas.viz.i18n import current
from coco_atlas.viz.i18n import gettext as _t

CACHE_SIZE = 24
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def routes() -> list[BaseRoute]:
    """The chart routes, mounted by :func:`api.app.create_app`."""
    return [Route("/charts", charts_page), Route("/charts/{name}", chart_route)]


async def charts_page(request: Request) -> Response:
    return await _serve(request, "all", "html")


async def chart_route(request: Request) -> Response:
    from coco_atlas.viz.charts import KINDS

    name = request.path_params["name"]
    kind, _, fmt = name.partition(".")
    if kind not in KINDS or fmt not in ("", *FORMATS):
        return _error(404, _t("No such chart"), _t(
            "There is no chart {name!r}; the charts are {kinds}, as a page or as .svg or "
            ".png.").format(name=name, kinds=", ".join(KINDS)))
    return await _serve(request, kind, fmt or "html")


async def _serve(request: Request, kind: str, fmt: str) -> Response:
    from coco_atlas.viz.params import MapError

    raw = {k: request.query_params.getlist(k) for k in request.query_params if k != "lang"}
    store: Store = request.app.state.store
    try:
        from coco_atlas.viz.charts import parse_chart

        chart = parse_chart(kind, raw)
    except MapError as e:
        return _error(400, _t("This chart cannot be drawn"), str(e))
    version = await run_in_threadpool(lambda: store.version)
    key = (version, kind, fmt, tuple(sorted((k, tuple(v)) for k, v in raw.items())), current())
    cache = _cache(request)
    body = cache.get(key)
    if body is None:
        try:
            body = await run_in_threadpool(_render, store, kind, fmt, chart)
        except MapError as e:
            return _error(400, _t("This chart cannot be drawn"), str(e))
        cache.put(key, body)
    if fmt == "html":
        from coco_atlas.api.pages import _html

        return _html(body.decode("utf-8") if isinstance(body, bytes) else body)
    return Response(body, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'inline; filename="coco-{kind}.{fmt}"',
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff"})


def _render(store: Store, kind: str, fmt: str, chart: Any) -> str | bytes:
    from coco_atlas.api.pages import nav
    from coco_atlas.viz.chart_draw import png, svg
    from coco_atlas.viz.chart_page import chart_form, render_charts
    from coco_atlas.viz.charts import KINDS, build_chart

    if fmt == "html":
        kinds = KINDS if kind == "all" else (kind,)
        charts = [build_chart(store, k, chart) for k in kinds]
        return render_charts(charts, chart, form=chart_form(store, chart), nav=nav("charts"))
    built = build_chart(store, kind, chart)
    return svg(built) if fmt == "svg" else png(built)


def _error(status: int, title: str, message: str) -> HTMLResponse:
    from coco_atlas.api.pages import _error as page_error

    return page_error(status, title, message)


class _Cache:
    """A small LRU of rendered chart pages and files."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.items: OrderedDict[Any, str | bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> str | bytes | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            return None

    def put(self, key: Any, body: str | bytes) -> None:
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _cache(request: Request) -> _Cache:
    """The app's chart cache (one per app, so two stores never share one)."""
    state = request.app.state
    cache: _Cache | None = getattr(state, "chart_cache", None)
    if cache is None:
        cache = state.chart_cache = _Cache()
    return cache
