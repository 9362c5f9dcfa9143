"""A small GraphQL client for the HTTP tests, and a server for apps built in-process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.server import free_port


def gql(url: str, query: str, variables: dict[str, Any] | None = None,
        token: str | None = None) -> dict[str, Any]:
    """POST a GraphQL request; the decoded JSON reply (errors included)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = httpx.post(url + "/graphql", json={"query": query, "variables": variables},
                   headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def data(url: str, query: str, variables: dict[str, Any] | None = None,
         token: str | None = None) -> dict[str, Any]:
    """The ``data`` of a request that must succeed."""
    reply = gql(url, query, variables, token)
    assert "errors" not in reply, reply["errors"]
    return reply["data"]  # type: ignore[no-any-return]


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an app built in this process (e.g. over an instrumented store) with uvicorn in a
    thread on a free loopback port; yield its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(),
                                           log_level="error", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("in-process server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
