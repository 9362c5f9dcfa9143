"""What a server process knows of itself: its memory, and how it stops.

Its own module because the one-process server (:mod:`api.cli`), the workers
(:mod:`api.workers`) and the health page (:mod:`api.app`) all need it, and none of them may
import another that imports it back.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from typing import Any

from coco_atlas.api.commands.common import err
from coco_atlas.graph.store import Store


def rss_mib() -> float:
    """Resident memory of this process in MiB (``/proc/self/statm``; elsewhere the peak,
    from ``getrusage``)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def close_or_leave(store: Store) -> None:
    """Close the store, unless work still runs on a worker thread (a query past its budget,
    a call to a hung Neo4j): then end the process now rather than wait for it. Committed
    writes are safe either way (SQLite's WAL, Neo4j's transactions)."""
    busy = [t for t in threading.enumerate() if t.name.startswith("coco-work") and t.is_alive()]
    if busy and any(working(t) for t in busy):
        err.print(f"stopping with {len(busy)} request(s) still running", highlight=False)
        sys.stderr.flush()
        os._exit(0)
    store.close()


def working(thread: Any) -> bool:
    """Whether a worker thread is inside a task (idle ones wait on the pool's queue)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "run" and "concurrent/futures/thread" in \
                frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False
