"""Opening the configured store: the embedded file by default, Neo4j when a URI is given."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coco_atlas.graph.store import Store
from coco_atlas.schema.messages import N_, Msg


def describe(settings: Mapping[str, Any]) -> str:
    """Where the data lives, for messages (never the password)."""
    if settings.get("neo4j"):
        return f"Neo4j {settings['neo4j']}"
    return Msg(N_("store {path}"), path=str(settings["db"]))


def open_store(settings: Mapping[str, Any], *, must_exist: bool = False) -> Store:
    """The Neo4j store when ``settings['neo4j']`` is set, else the embedded one at ``db``.

    ``must_exist`` refuses to create a new embedded file (commands that only read).
    """
    if settings.get("neo4j"):
        from coco_atlas.graph.neo4j.store import Neo4jStore

        timeout = settings.get("neo4j_timeout")
        database = settings.get("neo4j_database") or None
        if timeout is None:
            return Neo4jStore(settings["neo4j"], settings.get("neo4j_user"),
                              settings.get("neo4j_password"), database)
        return Neo4jStore(settings["neo4j"], settings.get("neo4j_user"),
                          settings.get("neo4j_password"), database, timeout=float(timeout))
    from coco_atlas.graph.embedded.store import EmbeddedStore

    db = Path(settings["db"])
    if must_exist and not db.exists():
        raise FileNotFoundError(Msg(N_("{store}: no such store (create one with 'coco "
                                       "demo-data')"), store=str(db)))
    wait = settings.get("write_wait")
    return EmbeddedStore(db) if wait is None else EmbeddedStore(db, write_wait=float(wait))


def open_location(location: str, settings: Mapping[str, Any] | None = None) -> Store:
    """A store named by one string: a ``bolt://``/``neo4j://`` URI or a file path."""
    base = dict(settings or {})
    if location.split("://", 1)[0] in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc",
                                       "neo4j+ssc"):
        return open_store({**base, "neo4j": location})
    return open_store({**base, "db": location, "neo4j": None})
