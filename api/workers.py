"""``coco serve --workers N``: the service as N processes sharing one listening socket.

GraphQL execution is Python and holds the interpreter lock, so one process uses one core
however many requests wait. Uvicorn's own supervisor (``uvicorn.supervisors.Multiprocess``,
what ``uvicorn --workers`` runs) binds the socket once, spawns the workers, restarts one that
dies and stops them all on SIGTERM; the kernel hands each new connection to one of them.

Every worker opens the store itself (a SQLite connection and its in-memory index, or a Neo4j
driver): nothing is shared but the store, so what one worker writes the others see on their
next request, exactly as two processes writing one store do (the embedded store checks the
file's write counter before each read and catches up; Neo4j is one server). Each worker logs
its resident memory once started, and ``/healthz`` reports it with the worker's process id.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette

from coco_atlas.api.process import close_or_leave

log = logging.getLogger("coco.workers")
# Seconds a worker may leave the supervisor's ping unanswered before it is replaced. Uvicorn's
# 5 s default kills workers still importing on a loaded machine (seconds for the imports alone
# with two cores shared, measured), then kills their replacements the same way.
HEALTHCHECK = 60


def default_workers() -> int:
    """One worker per core this process may run on (``sched_getaffinity``: a container's CPU
    set, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)




def worker_app(options: Mapping[str, Any]) -> Starlette:
    """The application of one worker (uvicorn calls this in the worker: ``factory=True``), on
    a store opened in this process. When it stops, the store is closed as by the one-process
    ``coco serve``: unless a request is still stuck on it (a hung Neo4j), in which case the
    worker ends at once rather than hang its supervisor's shutdown."""
    from coco_atlas.api.app import create_app
    from coco_atlas.api.commands.common import STORE_SETTINGS
    from coco_atlas.api.stores import open_store

    store = open_store({**{k: options[k] for k in STORE_SETTINGS},
                        "write_wait": options["write_wait"]}, must_exist=True)
    app = create_app(options, store=store)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Starlette) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            yield state
        close_or_leave(store)

    app.router.lifespan_context = lifespan
    return app


def serve_workers(options: Mapping[str, Any], workers: int, *,
                  graceful_shutdown: float) -> None:
    """Run ``workers`` processes of the service on ``options['host']:options['port']`` until
    SIGTERM or Ctrl-C. The options travel to the workers pickled over multiprocessing's pipe
    (spawn), not through the environment, so secrets stay out of ``/proc/PID/environ``."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(functools.partial(worker_app, dict(options)), factory=True,
                            host=options["host"], port=int(options["port"]), workers=workers,
                            log_level="info", access_log=bool(options["access_log"]),
                            timeout_graceful_shutdown=int(graceful_shutdown),
                            timeout_worker_healthcheck=HEALTHCHECK)
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
