"""``coco neo4j-load SOURCE --data-dir HOME``: a whole graph into a stopped Neo4j at disk speed
(graph/neo4j/load.py), then the counts checked on the loaded database."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import click

from coco_atlas.api.commands.common import count_tables, err
from coco_atlas.viz.i18n import N_, number
from coco_atlas.viz.i18n import gettext as _


@click.command("neo4j-load", help=N_(
    "Build a Neo4j database from SOURCE (a store file or URI) with neo4j-admin's import.\n\n"
    "The database must not be running, and is replaced whole: this is for a first load of a "
    "big graph (several times faster than coco migrate, which writes through a running "
    "server and keeps it serving). The counts are checked by starting the dev server on "
    "DATA_DIR and reading them back."))
@click.argument("source")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help=N_("Home of the stopped Neo4j: its database goes to DATA_DIR/data/databases "
              "(the dev server's --data-dir, or an installation's NEO4J_HOME)."))
@click.option("--database", default="neo4j", show_default=True,
              help=N_("Name of the database to build."))
@click.option("--overwrite", is_flag=True, help=N_("Replace the database if it exists."))
@click.option("--heap", default="1g", show_default=True, help=N_("Heap of the import tool."))
def neo4j_load(source: str, data_dir: Path, database: str, overwrite: bool,
               heap: str) -> None:
    from coco_atlas.api.settings import resolve
    from coco_atlas.api.stores import open_location
    from coco_atlas.graph.neo4j.load import run_import, write_csv
    from coco_atlas.graph.neo4j.server.launcher import Neo4jServer
    from coco_atlas.graph.neo4j.store import Neo4jStore

    if "://" not in source and not Path(source).exists():
        raise click.ClickException(_("{store}: no such store").format(store=source))
    folder = Path(tempfile.mkdtemp(prefix="coco-neo4j-csv-"))
    started = time.perf_counter()
    try:
        with open_location(source, resolve()) as src:
            before = src.counts()
            files = write_csv(src, folder)
        written = time.perf_counter() - started
        report = run_import(data_dir, files, database=database, heap=heap,
                            overwrite=overwrite)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    loaded = time.perf_counter() - started
    err.print(report, markup=False, highlight=False)
    with Neo4jServer(data_dir=data_dir) as server, \
            Neo4jStore(server.uri, database=database) as store:
        after = store.counts()
    count_tables(before, after)
    if before != after:
        raise click.ClickException(_("counts differ after the load (see the table)"))
    records = files.records
    err.print("✓ " + _("{n} records in {seconds} s = {rate} records/s (CSV files {csv} s, import "
                       "{load} s); counts match").format(
        n=number(records), seconds=number(round(loaded, 1)),
        rate=number(round(records / loaded)), csv=number(round(written, 1)),
        load=number(round(loaded - written, 1))), markup=False, highlight=False)


COMMANDS = (neo4j_load,)
