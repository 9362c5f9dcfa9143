"""Opening the configured store: the embedded file by default, Neo4j when a URI is given."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coco_atlas.graph.store import Store


def describe(settings: Mapping[str, Any]) -> str:
    """Where the data lives, for messages (never the password)."""
    return f"Neo4j {settings['neo4j']}" if settings.get("neo4j") else f"store {settings['db']}"


def open_store(settings: Mapping[str, Any], *, must_exist: bool = False) -> Store:
    """The Neo4j store when ``settings['neo4j']`` is set, else the embedded one at ``db``.

    ``must_exist`` refuses to create a new embedded file (commands that only read).
    """
    if settings.get("neo4j"):
        from coco_atlas.graph.neo4j.store import Neo4jStore

        timeout = settings.get("neo4j_timeout")
        if timeout is None:
            return Neo4jStore(settings["neo4j"], settings.get("neo4j_user"),
                              settings.get("neo4j_password"))
        return Neo4jStore(settings["neo4j"], settings.get("neo4j_user"),
                          settings.get("neo4j_password"), timeout=float(timeout))
    from coco_atlas.graph.embedded.store import EmbeddedStore

    db = Path(settings["db"])
    if must_exist and not db.exists():
        raise FileNotFoundError(f"{db}: no such store (create one with 'coco demo-data')")
    wait = settings.get("write_wait")
    return EmbeddedStore(db) if wait is None else EmbeddedStore(db, write_wait=float(wait))


def open_location(location: str, settings: Mapping[str, Any] | None = None) -> Store:
    """A store named by one string: a ``bolt://``/``neo4j://`` URI or a file path."""
    base = dict(settings or {})
    if location.split("://", 1)[0] in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc",
                                       "neo4j+ssc"):
        return open_store({**base, "neo4j": location})
    return open_store({**base, "db": location, "neo4j": None})
