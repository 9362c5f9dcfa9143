"""The ``coco`` command line: a thin layer over the stores, the generators and the app.

Options map onto :mod:`api.settings`; every error reaches the user as one line (or the list of
validation problems) and a non-zero exit code, never as a traceback.

Messages, tables and errors are in the reader's language (``--lang``, ``LC_ALL``/``LANG``;
:mod:`viz.i18n`), Click's own ("Error:", "Missing option") included (:mod:`api.click_words`).
What tools read stays English and stable: ``--json`` outputs, exported files, the server's log
lines (uvicorn's, and the one-line banner of ``coco serve`` meant for operators). ``--help``
is translated as well: commands and options declare their help as ``N_`` messages, worded for
the run by :func:`api.click_words.localised`.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from coco_atlas.api import click_words
from coco_atlas.api.commands import (
    analysis,
    backup,
    bulkload,
    change,
    charts,
    dedupe,
    io,
    maps,
    places,
    quality,
    search,
)
from coco_atlas.api.commands.common import (
    STORE_SETTINGS,
    count_tables,
    err,
    open_from,
    print_error,
    setting_option,
    spinner,
    store_options,
)
from coco_atlas.api.process import close_or_leave
from coco_atlas.api.settings import SETTINGS, resolve
from coco_atlas.api.stores import describe, open_location, open_store
from coco_atlas.schema import ValidationError
from coco_atlas.schema.messages import english
from coco_atlas.viz.i18n import N_, ngettext, number
from coco_atlas.viz.i18n import gettext as _

click_words.install()  # Click's own messages in the reader's language too


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """``--lang``, else the terminal's locale (``LC_ALL``, ``LANG``), else English."""
    from coco_atlas.schema.languages import LANGUAGES, normalise
    from coco_atlas.viz.i18n import from_environment

    if value is None:
        return from_environment()
    lang = normalise(value)
    if lang is None:
        raise click.BadParameter(_("expected one of {languages}, got {value}").format(
            languages=", ".join(LANGUAGES), value=repr(value)))
    return lang


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help=N_("COCO Atlas: the Cultural and Creative Industries ecosystem of Central Europe as a "
            "graph."))
@click.version_option(package_name="coco-atlas", prog_name="coco",
                      message="%(prog)s (COCO Atlas) %(version)s")
@click.option("--lang", envvar="COCO_LANG", callback=_language, metavar="TAG",
              help=N_("Language of messages, maps and charts: en, pl, de, it, sl, sk, cs, hu, hr "
                   "(default: the locale of LC_ALL or LANG, else English)."))
@click.pass_context
def app(ctx: click.Context, lang: str) -> None:
    from coco_atlas.viz.i18n import use

    ctx.with_resource(use(lang))  # every command renders in it (viz/i18n.py)


@app.command("demo-data", help=N_(
    "Generate the synthetic demo ecosystem into a store (all-or-nothing)."))
@click.option("--size", type=click.Choice(["small", "medium", "large"]), default="small",
              show_default=True, help=N_("small (~2k nodes), medium (~50k), large (~500k)."))
@click.option("--seed", type=int, default=42, show_default=True,
              help=N_("Random seed: the same seed gives the same graph."))
@store_options
def demo_data(size: str, seed: int, **conn: Any) -> None:
    from coco_atlas.graph.store import Transaction
    from coco_atlas.importers.demo.generator import SOURCE, generate

    with open_from(conn, must_exist=False) as store:
        with spinner() as progress:
            task = progress.add_task(_("generating"), total=None)
            with store.bulk(f"{SOURCE} size={size} seed={seed}") as writer:
                for batch in generate(size, seed):
                    total = writer.write(Transaction(writer.source, batch.nodes, batch.edges))
                    progress.update(task, description=ngettext(
                        "{what}: {n} record", "{what}: {n} records", total.records).format(
                        what=batch.name, n=number(total.records)))
        counts = store.counts()
    n_nodes, n_edges = sum(counts["labels"].values()), sum(counts["relationships"].values())
    text = _("{store}: {nodes}, {edges} (size {size}, seed {seed})").format(
        store=describe(conn), size=size, seed=seed,
        nodes=ngettext("{n} node", "{n} nodes", n_nodes).format(n=number(n_nodes)),
        edges=ngettext("{n} edge", "{n} edges", n_edges).format(n=number(n_edges)))
    err.print(f"[green]✓[/] {escape(text)}", highlight=False)


@app.command(help=N_("Counts per node label and relationship type."))
@store_options
@click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of tables."))
def stats(as_json: bool, **conn: Any) -> None:
    with open_from(conn) as store:
        counts: dict[str, Any] = dict(store.counts())
        counts["version"] = store.version
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    count_tables(counts)



def service_options(command: Any) -> Any:
    """Every other setting of the service (host, port, tokens, CORS, GraphQL limits)."""
    for s in reversed(SETTINGS):
        if s.name not in STORE_SETTINGS:
            command = setting_option(s.name)(command)
    return command


@app.command(help=N_(
    "Serve the HTTP API on HOST:PORT (127.0.0.1 unless told otherwise).\n\n"
    "Its start-up line, like uvicorn's log, is for operators and stays English."))
@store_options
@service_options
def serve(**options: Any) -> None:
    import uvicorn

    from coco_atlas.api.app import create_app
    from coco_atlas.api.workers import default_workers, serve_workers

    conn = {k: options[k] for k in STORE_SETTINGS}
    host, port = options["host"], options["port"]
    workers = options["workers"] or default_workers()
    if workers < 0:
        raise click.BadParameter(_("a number of processes, 0 for one per core, not {n}").format(
            n=workers), param_hint="--workers")
    store = open_store({**conn, "write_wait": options["write_wait"]}, must_exist=True)
    app_ = create_app(options, store=store)  # refuses a bad token file before listening
    err.print(f"COCO Atlas on http://{host}:{port}/  ({english(describe(conn))}; {workers} "
              f"worker{'s' if workers > 1 else ''})", markup=False, highlight=False)
    if workers > 1:  # each worker opens the store itself, after the checks above
        store.close()
        serve_workers(options, workers, graceful_shutdown=SHUTDOWN_WAIT)
        return
    uvicorn.run(app_, host=host, port=port, log_level="info", access_log=options["access_log"],
                timeout_graceful_shutdown=SHUTDOWN_WAIT)
    close_or_leave(store)


SHUTDOWN_WAIT = 10  # seconds open requests get to finish after SIGTERM or Ctrl-C




@app.command(help=N_(
    "Copy the whole graph from SOURCE to TARGET and check the counts.\n\n"
    "Each of SOURCE and TARGET is a store file path or a bolt:// / neo4j:// URI "
    "(credentials from COCO_NEO4J_USER / COCO_NEO4J_PASSWORD, the database from "
    "COCO_NEO4J_DATABASE). Provenance (source, updatedAt) is kept; the copy is "
    "all-or-nothing (on Neo4j: batches that commit on their own, published at the end, "
    "deleted if it fails)."))
@click.argument("source")
@click.argument("target")
@click.option("--batch", type=int, default=50_000, show_default=True,
              help=N_("Records per write batch."))
def migrate(source: str, target: str, batch: int) -> None:
    from coco_atlas.graph.migrate import copy_graph

    settings = resolve()
    if "://" not in source and not Path(source).exists():
        raise click.ClickException(_("{store}: no such store").format(store=source))
    with open_location(source, settings) as src, open_location(target, settings) as dst, \
            spinner() as progress:
        task = progress.add_task(_("copying"), total=None)
        before, after = copy_graph(src, dst, batch=batch, progress=lambda text: progress.update(
            task, description=text))
    count_tables(before, after)
    if before != after:
        raise click.ClickException(_("counts differ after the copy (see the table)"))
    err.print("[green]✓[/] " + escape(_("copied {source} → {target}; counts match").format(
        source=source, target=target)), highlight=False)


@app.command("neo4j-dev", help=N_(
    "Run a local Neo4j 5.26 Community server on 127.0.0.1 until Ctrl-C (Java 17 + Maven)."))
@click.option("--port", type=int, default=7687, show_default=True, help=N_("Bolt port (0: any)."))
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help=N_("Keep the database here (default: a temporary directory, deleted on exit)."))
def neo4j_dev(port: int, data_dir: Path | None) -> None:
    from coco_atlas.graph.neo4j.server.launcher import Neo4jServer, Neo4jUnavailable

    server = Neo4jServer(port=port, data_dir=data_dir)
    try:
        server.start()
    except Neo4jUnavailable as e:
        raise click.ClickException(str(e).splitlines()[0]) from None
    err.print(_("Neo4j ready at {uri}; use it with --neo4j {uri} (or export "
                "COCO_NEO4J_URI={uri}). Ctrl-C stops it.").format(uri=server.uri),
              markup=False, highlight=False)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


for _area in (analysis, change, io, maps, charts, quality, dedupe, places, search, backup,
              bulkload):
    for _command in _area.COMMANDS:
        app.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coco`` script: run a command, turn failures into one-line errors
    (in the language of ``--lang`` or the locale: the errors are worded here, after the
    command's context has ended, so the language is set again around them)."""
    from coco_atlas.viz.i18n import use

    with use(_language_of(argv)), click_words.localised(app):
        return _main(argv)


def _language_of(argv: list[str] | None) -> str:
    """The language ``--lang`` (or ``COCO_LANG``, or the locale) asks for, read before Click
    parses the command line (an error in it is worded in that language too)."""
    import os

    from coco_atlas.schema.languages import normalise
    from coco_atlas.viz.i18n import from_environment

    args = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else \
            arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if value is not None:
            return normalise(value) or "en"
        if not arg.startswith("-"):
            break  # the command: its own --lang (coco search --lang) is not the interface's
    env = os.environ.get("COCO_LANG")
    return (normalise(env) if env else None) or from_environment()


def _main(argv: list[str] | None) -> int:
    try:
        app.main(args=argv, prog_name="coco", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        err.print(_("aborted"))
        return 130
    except ValidationError as e:
        print_error(e)
        return 2
    except (OSError, sqlite3.Error, RuntimeError, ValueError) as e:
        print_error(e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
