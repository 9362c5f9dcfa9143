"""Backing up the embedded store while it is in use: SQLite's online backup API.

``sqlite3.Connection.backup`` (the C API's ``sqlite3_backup_*``, https://sqlite.org/backup.html)
copies the database page by page into a new file and restarts when another connection writes
meanwhile, so the copy is one consistent state of the store, taken while the service keeps
serving and writing. The copy is written next to the target and renamed into place only once
it is complete and checked, so an interrupted backup never leaves a half file under the name.
Neo4j has its own tool for this (``neo4j-admin database dump``, docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coco_atlas.schema.messages import N_, Msg

PAGES = 4096  # pages copied per step: other connections may write between steps


def backup(source: Path, target: Path, *,
           progress: Callable[[int, int], Any] = lambda done, total: None) -> int:
    """Copy the SQLite store at ``source`` to ``target`` (which must not exist); the bytes
    written. ``progress(pages done, pages in all)`` is called after each step."""
    if target.exists():
        raise FileExistsError(Msg(N_("{file}: already exists (a backup never overwrites)"),
                                  file=str(target)))
    if not source.is_file():
        raise FileNotFoundError(Msg(N_("{store}: no such store"), store=str(source)))
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES,
                       progress=lambda status, remaining, total: progress(total - remaining,
                                                                          total))
            ok = dst.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(f"{partial}: the copy fails its check: {ok}")
        finally:
            dst.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return target.stat().st_size
