"""Blocking work off the event loop: store calls, GraphQL execution, lock waits, heavy CPU.

The event loop only reads requests and writes responses. Everything that can wait — on SQLite's
write lock, a Neo4j server that stopped answering, an index rebuild, a costly query — runs on
the application's worker threads, so ``/healthz``, ``/docs`` and every other request keep
answering meanwhile, and SIGTERM is always heard. Work that overruns its budget is answered
with a timeout at once; where it can be (GraphQL, which awaits between store calls) it is also
cancelled in its thread, and a write is always waited for, so that its answer is the truth.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Offload:
    """The worker threads of one application (started in its lifespan).

    Writes have threads of their own: a write may wait seconds for another process's write
    (an import), and writes waiting together must not take every thread that reads need.
    """

    def __init__(self, readers: int = 8, writers: int = 4):
        self.pool = ThreadPoolExecutor(readers, thread_name_prefix="coco-work")
        self.write_pool = ThreadPoolExecutor(writers, thread_name_prefix="coco-work-write")

    async def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """``fn(*args)`` on a worker; :class:`TimeoutError` after ``timeout`` seconds (the
        worker finishes on its own, its result is dropped)."""
        context = contextvars.copy_context()  # the request's language (api/i18n.py) goes along
        future = asyncio.wrap_future(self.pool.submit(context.run, fn, *args))
        return await asyncio.wait_for(asyncio.shield(future), timeout)

    async def run(self, make: Callable[[], Awaitable[T]], *, timeout: float | None,
                  must_finish: Callable[[], bool] = lambda: False, write: bool = False) -> T:
        """Run the coroutine ``make()`` on a worker's own event loop.

        After ``timeout`` seconds the coroutine is cancelled at its next ``await`` and
        :class:`TimeoutError` is raised — unless ``must_finish()`` says it has started
        something that must not be abandoned (a write), which is then awaited to its end.
        """
        task = _Task(make)
        pool = self.write_pool if write else self.pool
        future = asyncio.wrap_future(pool.submit(contextvars.copy_context().run, task))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            if must_finish():
                return await future
            task.cancel()
            raise

    def shutdown(self) -> None:
        """Stop taking work; running work is not waited for (the process is ending)."""
        for pool in (self.pool, self.write_pool):
            pool.shutdown(wait=False, cancel_futures=True)


class _Task:
    """A coroutine run to its end on the calling worker thread's event loop, which another
    thread may cancel."""

    def __init__(self, make: Callable[[], Awaitable[Any]]):
        self.make = make
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Future[Any] | None = None
        self.cancelled = False
        self.lock = threading.Lock()

    def __call__(self) -> Any:
        loop = _thread_loop()
        try:
            with self.lock:
                if self.cancelled:
                    raise TimeoutError
                self.loop, self.task = loop, asyncio.ensure_future(self.make(), loop=loop)
            return loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            raise TimeoutError from None
        finally:
            with self.lock:
                self.loop = None

    def cancel(self) -> None:
        with self.lock:
            self.cancelled = True
            if self.loop is not None and self.task is not None:
                self.loop.call_soon_threadsafe(self.task.cancel)


class _OwnLoop:
    """A worker thread's event loop, closed when the thread ends (its thread-local data is
    dropped then). One per thread rather than one per task: making and closing a loop (an
    epoll descriptor, a socket pair to wake it) was a sixth of a small query's time on the
    worker. A task is run to its end; callbacks it left scheduled (a cancelled helper's
    cleanup) run when the next task starts, and touch nothing of that task's."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        if not self.loop.is_running():
            self.loop.close()


_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    own: _OwnLoop | None = getattr(_local, "own", None)
    if own is None:
        own = _local.own = _OwnLoop()
    return own.loop
