"""What every ``coco`` command shares: store options, the two consoles, progress and errors.

Its own module so that the command modules and :mod:`api.cli` both import it and nothing imports
back: the command line has no import circle (Click's own advice: build commands at module level,
gather them in one group).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from coco_atlas.api.settings import BY_NAME
from coco_atlas.api.stores import describe, open_store
from coco_atlas.graph.store import Store
from coco_atlas.viz.i18n import N_, number
from coco_atlas.viz.i18n import gettext as _

F = TypeVar("F", bound=Callable[..., Any])

# Messages embed user data (paths, names, values from imported files): no ``:smile:`` emoji
# codes are expanded, and text put inside markup goes through rich's ``escape``.
err = Console(stderr=True, emoji=False)
out = Console(emoji=False)

STORE_SETTINGS = ("db", "neo4j", "neo4j_database", "neo4j_user", "neo4j_password",
                  "neo4j_timeout")


def setting_option(name: str, **kwargs: Any) -> Callable[[F], F]:
    """A click option whose default, environment variable and help come from the settings table."""
    s = BY_NAME[name]
    option = name.replace('_', '-')
    if isinstance(s.default, bool):  # --access-log / --no-access-log
        return click.option(f"--{option}/--no-{option}", name, envvar=s.env, default=s.default,
                            show_default=True, show_envvar=True, help=s.help, **kwargs)
    kind = kwargs.pop("type", click.Path(path_type=Path) if name == "db"
                      else type(s.default) if s.default is not None else str)
    return click.option(f"--{option}", name, envvar=s.env, default=s.default,
                        show_default=not s.secret, show_envvar=True, help=s.help, type=kind,
                        **kwargs)


def store_options(command: F) -> F:
    """``--db`` or ``--neo4j URI`` (+ user, password): which store a command works on."""
    for name in reversed(STORE_SETTINGS):
        command = setting_option(name)(command)
    return command


json_option = click.option("--json", "as_json", is_flag=True,
                           help=N_("Print JSON instead of tables."))


def open_from(conn: dict[str, Any], *, must_exist: bool = True) -> Store:
    """Open the store named by a command's store options; a write that must wait for another
    process's write (an import) says so every few seconds."""
    store = open_store(conn, must_exist=must_exist)
    if hasattr(store, "on_wait"):
        store.on_wait = waiting_notice(describe(conn))
    return store


def waiting_notice(where: str, every: float = 5.0) -> Callable[[float], None]:
    """A callback that tells the user, at most every ``every`` seconds, that a write waits."""
    said = [1.0 - every]  # the first notice after a second

    def notice(waited: float) -> None:
        if waited - said[0] >= every:
            said[0] = waited
            err.print(_("waiting for another process to finish writing to {store} ({n} s)")
                      .format(store=where, n=f"{waited:.0f}"), markup=False, highlight=False)

    return notice


def spinner() -> Progress:
    """A transient spinner on stderr, so stdout stays clean for ``--json`` and pipes."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=err, transient=True)


def print_error(e: Exception) -> None:
    """One error as plain text: its message holds user data (a path, a value from a file), so
    neither rich markup (``[bold]``) nor emoji codes (``:smile:``) in it are interpreted."""
    err.print(_("error: {message}").format(message=e), markup=False, emoji=False,
              highlight=False, soft_wrap=True)


def count_tables(counts: dict[str, Any], other: dict[str, Any] | None = None) -> None:
    """Counts per label and relationship type as tables, in the reader's language and number
    format; with ``other``, side by side (a copy's counts against its source's)."""
    for title, key in ((_("Nodes"), "labels"), (_("Relationships"), "relationships")):
        table = Table(title=title)
        table.add_column(_("label") if key == "labels" else _("type"))
        table.add_column(_("count"), justify="right")
        if other is not None:
            table.add_column(_("copied"), justify="right")
        for name, n in counts[key].items():
            extra = [number(other[key][name])] if other is not None else []
            table.add_row(name, number(n), *extra)
        out.print(table)
