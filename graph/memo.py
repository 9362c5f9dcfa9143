"""Per-store, per-version memory of derived data that many questions share.

Analyses over time ask the same things again and again (each record's validity, each actor's
sector group) while the store does not change. :func:`per_version` keeps such results for the
store's current :attr:`~graph.store.Store.version` only — a write makes them stale and they are
rebuilt on next use — and for a handful of keys per store, so memory stays bounded.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from coco_atlas.graph.store import Store

__all__ = ["per_version"]

T = TypeVar("T")
KEYS = 32  # results kept per store

_LOCK = threading.Lock()
_MEMO: weakref.WeakKeyDictionary[Store, tuple[int, OrderedDict[Hashable, Any]]] = \
    weakref.WeakKeyDictionary()


def per_version(store: Store, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result for ``key`` at the store's current version (built once)."""
    version = store.version
    with _LOCK:
        seen, found = _MEMO.get(store, (None, None))
        if seen == version and found is not None and key in found:
            found.move_to_end(key)
            return found[key]
    value = build()
    with _LOCK:
        seen, found = _MEMO.get(store, (None, None))
        if seen != version or found is None:
            found = OrderedDict()
            _MEMO[store] = (version, found)
        found[key] = value
        while len(found) > KEYS:
            found.popitem(last=False)
    return value
