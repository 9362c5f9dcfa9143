"""Reads that run on their caller's thread, with the same bound on a frozen server as lanes.

Every other driver call of :class:`~coco_atlas.graph.neo4j.store.Neo4jStore` runs on a lane
while its caller waits with a bound. For a one-statement read that hand-over is most of what
is not the server's own time: two thread switches per call, 0.23 ms of a 4.9 ms hub query over
HTTP and 0.4 ms of its 2.2 ms in-process (issue 16). So reads run where they are called, and
one watcher thread per store keeps the bound instead: a read still unanswered after
``timeout`` seconds sets off the same check as a lane's wait (a new connection must get
through the handshake within the timeout). A server that answers it is only busy, and the read
waits on, checked again a timeout later; a frozen one gets its driver abandoned. Closing that
driver shuts every socket of its pool (``shutdown(SHUT_RDWR)``), which wakes the reads blocked
on them; they then report the server frozen (:attr:`Watched.abandoned`). A read is given up
within about twice the timeout plus the check's own, as on a lane.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TICKS = 4  # checks per timeout: how late past the timeout a stalled read is noticed


@dataclass(eq=False)
class Watched:
    """One read in flight: since when, on which driver, and whether it was given up."""

    driver: Any
    since: float = field(default_factory=time.monotonic)
    abandoned: bool = False


class Watch:
    """The reads in flight on one store, and the thread that looks after them.

    ``answers()`` is the store's check of the server and ``abandon(driver)`` its replacement of
    a driver. Both are bound methods of the store, held weakly, so that the watcher does not
    keep the store alive: the thread ends with it (:meth:`close`, or the store collected).
    """

    def __init__(self, timeout: float, answers: Callable[[], bool],
                 abandon: Callable[[Any], None]):
        self.timeout = timeout
        self._answers = weakref.WeakMethod(answers)
        self._abandon = weakref.WeakMethod(abandon)
        self._calls: dict[int, Watched] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self, driver: Any) -> Watched:
        entry = Watched(driver)
        self._calls[id(entry)] = entry  # one dict operation: atomic under the GIL
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="coco-neo4j-watch",
                                                    daemon=True)
                    self._thread.start()
        return entry

    def end(self, entry: Watched) -> None:
        self._calls.pop(id(entry), None)

    def close(self) -> None:
        self._closed.set()

    def _loop(self) -> None:
        while not self._closed.wait(self.timeout / TICKS):
            now = time.monotonic()
            late = [e for e in list(self._calls.values())
                    if not e.abandoned and now - e.since >= self.timeout]
            if late and not self._check(late):
                return

    def _check(self, late: list[Watched]) -> bool:
        """Check the server for reads that have waited a timeout; False once the store is
        gone."""
        answers, abandon = self._answers(), self._abandon()
        if answers is None or abandon is None:
            return False
        if answers():
            restart = time.monotonic()
            for e in late:  # busy, not frozen: look again a timeout from now
                e.since = restart
            return True
        for driver in {id(e.driver): e.driver for e in late}.values():
            for e in list(self._calls.values()):
                if e.driver is driver:
                    e.abandoned = True
            abandon(driver)
        return True
