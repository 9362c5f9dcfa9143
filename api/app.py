"""The Starlette application: built once from a list of routes, the store opened in the lifespan.

Nothing lives in module globals: the store reaches handlers through ``request.app.state``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from coco_atlas.api import auth, chart_pages, graphql, pages
from coco_atlas.api.headers import SecurityHeaders
from coco_atlas.api.i18n import Language
from coco_atlas.api.offload import Offload
from coco_atlas.api.process import rss_mib
from coco_atlas.api.settings import public, resolve
from coco_atlas.api.stores import open_store
from coco_atlas.graph.store import Store, StoreUnavailable
from coco_atlas.schema import SCHEMA

log = logging.getLogger("coco.app")

HEALTH_WAIT = 1.0  # seconds /healthz waits for the store before saying it is unavailable


async def healthz(request: Request) -> JSONResponse:
    """Alive, and whether the store answers within a second (a hung Neo4j: 503 at once)."""
    store: Store = request.app.state.store
    try:
        version = await request.app.state.offload.call(_version, store, timeout=HEALTH_WAIT)
    except (TimeoutError, StoreUnavailable):
        return JSONResponse({"status": "unavailable", "store": "not answering"},
                            status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "version": version, "worker": os.getpid(),
                         "rss_mib": round(rss_mib(), 1)})


def _version(store: Store) -> int:
    return store.version


async def settings_json(request: Request) -> JSONResponse:
    return JSONResponse(public(request.app.state.settings))


async def schema_json(request: Request) -> JSONResponse:
    return JSONResponse(SCHEMA.describe())


async def stats_json(request: Request) -> JSONResponse:
    store: Store = request.app.state.store
    return JSONResponse(await request.app.state.offload.call(store.counts))


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """Unexpected failures answer JSON without internals (the traceback goes to the log)."""
    return JSONResponse({"error": "internal server error"}, status_code=500)


def middleware(conf: Mapping[str, Any]) -> list[Middleware]:
    """Security headers on every response (outermost, so refusals carry them too); the reader's
    language for everything inside (api/i18n.py); CORS only
    when origins are configured (secure by default); bearer tokens always (a request without
    one reads anonymously)."""
    out = [Middleware(SecurityHeaders), Middleware(Language)]
    origins = [o.strip() for o in str(conf.get("cors_origins") or "").split(",") if o.strip()]
    if origins:
        out.append(Middleware(CORSMiddleware, allow_origins=origins,
                              allow_methods=["GET", "POST"],
                              allow_headers=["Authorization", "Content-Type"], max_age=600))
    out.append(auth.middleware(conf))
    return out


def all_routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz),
        Route("/-/settings.json", settings_json),
        Route("/-/schema.json", schema_json),
        Route("/-/stats.json", stats_json),
        *graphql.routes(),
        *pages.routes(),
        *chart_pages.routes(),
    ]


async def unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The store is down or timed out: say so plainly, never hang, never leak a traceback.

    The client gets a generic coded answer; where the store is and what its driver said go to
    the log only, with any credentials in a URI masked (OWASP API8:2023; OWASP Logging Cheat
    Sheet: no secrets in logs)."""
    log.warning("store unavailable on %s %s: %s", request.method, request.url.path,
                redact(str(exc)))
    return JSONResponse({"error": "store unavailable", "code": "STORE_UNAVAILABLE"},
                        status_code=503, headers={"Retry-After": "5"})


_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


def redact(text: str) -> str:
    """``text`` with the user information of URIs masked (``bolt://***@host``, RFC 3986
    §3.2.1: a password there is deprecated, but people still write one)."""
    return _USERINFO.sub(r"\g<scheme>***@", text)


def create_app(settings: Mapping[str, Any] | None = None, store: Store | None = None) -> Starlette:
    """Build the app; ``store`` injects an open store (tests), else ``settings['db']`` is opened."""
    conf = resolve(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store if store is not None else open_store(conf)
        app.state.settings = conf
        app.state.offload = Offload()
        logging.getLogger("uvicorn.error").info(
            "worker %d ready: %.0f MiB resident", os.getpid(), rss_mib())
        try:
            yield
        finally:
            app.state.offload.shutdown()
            if own:
                app.state.store.close()

    return Starlette(routes=all_routes(), lifespan=lifespan, middleware=middleware(conf),
                     exception_handlers={StoreUnavailable: unavailable, 500: internal_error})
