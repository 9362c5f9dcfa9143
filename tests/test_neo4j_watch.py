"""The watcher that bounds reads run on their caller's thread (graph/neo4j/watch.py).

The end-to-end cases (a frozen Neo4j: every read fails within the bound, then works again) are
in test_neo4j.py; these pin what the watcher decides between a busy server and a frozen one.
"""

from __future__ import annotations

import gc
import threading
import time

from coco_atlas.graph.neo4j.watch import Watch

TIMEOUT = 0.2


class Server:
    """What the store gives the watcher: the check of the server and the driver swap."""

    def __init__(self, answering: bool):
        self.answering = answering
        self.checks = 0
        self.abandoned: list[object] = []
        self.gone = threading.Event()

    def answers(self) -> bool:
        self.checks += 1
        return self.answering

    def abandon(self, driver: object) -> None:
        self.abandoned.append(driver)
        self.gone.set()


def test_a_read_on_a_frozen_server_is_given_up_with_every_read_on_its_driver() -> None:
    server = Server(answering=False)
    watch = Watch(TIMEOUT, server.answers, server.abandon)
    driver, other = object(), object()
    stuck, also, elsewhere = watch.begin(driver), watch.begin(driver), watch.begin(other)
    assert server.gone.wait(5 * TIMEOUT)
    time.sleep(TIMEOUT)
    assert stuck.abandoned and also.abandoned
    assert server.abandoned.count(driver) == 1  # one check, one swap for all its reads
    assert elsewhere.abandoned  # it was late too, on a server that did not answer
    watch.close()


def test_a_read_on_a_busy_server_waits_on_and_is_checked_again() -> None:
    server = Server(answering=True)
    watch = Watch(TIMEOUT, server.answers, server.abandon)
    slow = watch.begin(object())
    time.sleep(3.5 * TIMEOUT)
    assert not slow.abandoned and server.abandoned == []
    assert 2 <= server.checks <= 4  # about once a timeout, not at every tick
    watch.end(slow)
    checks = server.checks
    time.sleep(2 * TIMEOUT)
    assert server.checks == checks  # nothing in flight, nothing checked
    watch.close()


def test_reads_that_end_in_time_are_never_checked() -> None:
    server = Server(answering=False)
    watch = Watch(TIMEOUT, server.answers, server.abandon)
    for _ in range(50):
        watch.end(watch.begin(object()))
        time.sleep(TIMEOUT / 20)
    assert server.checks == 0 and server.abandoned == []
    watch.close()


def test_the_thread_ends_with_the_store() -> None:
    server = Server(answering=True)
    watch = Watch(TIMEOUT, server.answers, server.abandon)
    watch.begin(object())
    thread = watch._thread
    assert thread is not None and thread.is_alive()
    del server
    gc.collect()
    thread.join(5 * TIMEOUT)
    assert not thread.is_alive()
