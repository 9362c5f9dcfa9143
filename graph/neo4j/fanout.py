"""Write statements spread over several sessions, so that the server runs them side by side.

A staged import's relationship statements each commit on their own (:mod:`graph.neo4j.stage`)
and nothing orders them: readers see none of them before the publishing commit, and a failure
discards the whole stage. One session runs one statement at a time on one server thread, and
while the client packs the next statement's rows the server waits. Two sessions keep the server
busy: the medium demo's 337k relationships took 6.2–7.0 s on two sessions where one took
8.0–8.6 s (bare driver, this 2-core machine, probe of 2026-12-07). The writer does not wait
for them between batches either: it plans the next batch meanwhile, and waits only where it
needs what they wrote.

Statements are split by their rows' source node (:func:`part_of`), so that two statements
running at once share only target nodes. Two transactions that lock the same nodes in another
order may still deadlock; the server then fails one of them with a transient error, and each
statement runs as a managed transaction (``Session.execute_write``), which the driver retries
with back-off: the Neo4j driver manual's answer to transient failures
(https://neo4j.com/docs/python-manual/current/transactions/). A statement that failed wrote
nothing, so running it again is safe.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from itertools import compress
from typing import Any, TypeVar

import neo4j
import numpy as np

T = TypeVar("T")
log = logging.getLogger(__name__)
_Job = tuple[str, dict[str, Any], "Future[list[list[Any]]]"]
SESSIONS = 2  # statements run at once: more did not help with two cores shared by both sides
# The senders' sessions retry a deadlocked statement sooner and for longer than the driver's
# defaults (1 s, doubling, for 30 s): the other statement goes on meanwhile, so waiting long
# gains nothing, and giving up fails a whole import. A frozen server is caught apart from this
# (``Neo4jStore._await``), and a statement that fails for good is not retried at all.
RETRIES = {"initial_retry_delay": 0.2, "max_transaction_retry_time": 120.0}


class QuietDeadlockRetries(logging.Filter):
    """Keep the driver's warning about a deadlocked transaction it retries (logger
    ``neo4j.session``) out of a user's console: between an import's own statements it is
    expected and harmless. It is logged here at INFO instead; every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "DeadlockDetected" not in record.getMessage():
            return True
        log.info("two statements of an import deadlocked; the driver runs one again")
        return False


logging.getLogger("neo4j.session").addFilter(QuietDeadlockRetries())


def split(items: Sequence[T], keys: Iterable[str], parts: int = SESSIONS) -> list[list[T]]:
    """``items`` in ``parts`` lists by a hash of their keys (the rows of one source node go
    together); the hashing and picking run in C (numpy, itertools), not per row in Python."""
    if parts == 1:
        return [list(items)]
    which = np.fromiter(map(hash, keys), np.int64, len(items)) % parts
    return [list(compress(items, which == k)) for k in range(parts)]


class Rows(list[Any]):
    """A statement's rows, with a short repr. The driver formats each RUN message's parameters
    for its debug log before the logger looks at the level (neo4j 6.x, ``Bolt5x5.run``): for
    20,000 rows that cost as much as packing them (22 ms), and a debug log would show every
    imported value. PackStream packs it as the list it is."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def quiet(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with their lists as :class:`Rows`."""
    return {k: Rows(v) if type(v) is list else v for k, v in params.items()}


class Fanout:
    """Senders, each a thread with a session of its own, running the statements given to it one
    after the other. :meth:`send` waits only while the sender has a statement queued already
    (back-pressure: the caller builds the next rows while the server runs the last ones);
    :meth:`close` waits for all and raises the first failure. After a failure the senders skip
    what they are still given, so that a failed import stops at once."""

    def __init__(self, session: Callable[[], AbstractContextManager[neo4j.Session]],
                 parts: int = SESSIONS):
        self._session = session
        self._queues: list[queue.Queue[_Job | None]] = [
            queue.Queue(maxsize=1) for _ in range(parts)]
        self._errors: list[BaseException] = []
        self._threads = [threading.Thread(target=self._loop, args=(q,), daemon=True,
                                          name="coco-neo4j-fanout") for q in self._queues]
        for t in self._threads:
            t.start()

    def send(self, part: int, query: str, params: dict[str, Any]) -> Future[list[list[Any]]]:
        """Queue a statement on sender ``part``; its future gives the rows it returns (each a
        list of values) once it has run, or its failure. A sender's failure is raised as soon
        as there is one."""
        if self._errors:
            raise self._errors[0]
        done: Future[list[list[Any]]] = Future()
        self._queues[part].put((query, quiet(params), done))
        return done

    def close(self) -> None:
        """Wait for every statement sent; raise the first failure. A sender stuck on a frozen
        server ends when the driver is closed under it (``Neo4jStore._await``)."""
        for q in self._queues:
            q.put(None)
        for t in self._threads:
            t.join()
        if self._errors:
            raise self._errors[0]

    def _loop(self, jobs: queue.Queue[_Job | None]) -> None:
        ended = False  # the caller's end mark was taken
        try:
            with self._session() as session:
                while (job := jobs.get()) is not None:
                    query, params, done = job
                    if self._errors:  # an import that failed stops at once
                        done.set_exception(self._errors[0])
                        continue
                    try:
                        done.set_result(session.execute_write(_run, query, params))
                    except BaseException as e:  # handed to the caller, never lost here
                        self._errors.append(e)
                        done.set_exception(e)
                ended = True
        except BaseException as e:  # the session could not be opened, or closed
            self._errors.append(e)
        while not ended:  # the caller may still give work: fail it, so nobody waits on it
            if (job := jobs.get()) is None:
                break
            job[2].set_exception(self._errors[0])


def _run(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> list[list[Any]]:
    return tx.run(query, params).values()
