"""``coco backup TARGET``: a consistent copy of the embedded store while it is in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coco_atlas.api.commands.common import err, store_options
from coco_atlas.viz.i18n import N_, number
from coco_atlas.viz.i18n import gettext as _

DUMP = N_("Neo4j is backed up by its own tool, with the database stopped (Community) or "
          "online (Enterprise): neo4j-admin database dump neo4j --to-path=DIR (docs/deploy.md)")


@click.command("backup", help=N_(
    "Copy the embedded store to TARGET while it is in use (SQLite's online backup API).\n\n"
    "The copy is one consistent state even while the service writes; TARGET must not exist. "
    "For Neo4j, see neo4j-admin database dump (docs/deploy.md)."))
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@store_options
def backup(target: Path, **conn: Any) -> None:
    from coco_atlas.graph.backup import backup as copy

    if conn.get("neo4j"):
        raise click.ClickException(_(DUMP))
    size = copy(Path(conn["db"]), target)
    err.print("✓ " + _("{store} → {target} ({size} MiB)").format(
        store=conn["db"], target=target, size=number(round(size / 2**20, 1))), markup=False,
        highlight=False)


COMMANDS = (backup,)
