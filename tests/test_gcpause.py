"""A bulk write pauses the cyclic garbage collector while it runs and gives it back after, also
when it fails or when two overlap (graph/gcpause.py)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from coco_atlas.graph.gcpause import collector_paused
from coco_atlas.graph.store import Store, Transaction
from coco_atlas.schema import ValidationError
from tests.conftest import company, edge


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_bulk_write_runs_without_the_collector_on_both_stores(store: Store) -> None:
    seen = []
    with store.bulk("import") as writer:
        seen.append(gc.isenabled())  # between batches too: coco migrate reads its source here
        writer.write(Transaction("import", [company("c1", "One")]))
        seen.append(gc.isenabled())
    assert seen == [False, False]
    assert gc.isenabled()
    assert store.get_nodes(["c1"])


def test_a_failed_bulk_write_gives_the_collector_back(store: Store) -> None:
    with pytest.raises(ValidationError), store.bulk("import") as writer:
        writer.write(Transaction("import", [company("c1", "One")],
                                 [edge("c1", "MEMBER_OF", "nowhere")]))
    assert gc.isenabled()
    assert not store.get_nodes(["c1"])


def test_the_collector_comes_back_when_the_last_of_two_overlapping_writes_ends() -> None:
    first_in, second_out = threading.Event(), threading.Event()
    states: list[bool] = []

    def other() -> None:
        with collector_paused():
            first_in.set()
            second_out.wait(10)
            states.append(gc.isenabled())  # the main thread's pause has ended by now

    t = threading.Thread(target=other)
    t.start()
    assert first_in.wait(10)
    with collector_paused():
        assert not gc.isenabled()
    second_out.set()
    t.join(10)
    assert states == [False]
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
