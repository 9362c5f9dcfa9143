"""The ``coco`` command line: a thin layer over the stores, the generators and the app.

Options map onto :mod:`api.settings`; every error reaches the user as one line (or the list of
validation problems) and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands import analysis, io, maps
from api.settings import BY_NAME
from schema import ValidationError

err = Console(stderr=True)
out = Console()


def setting_option(name: str, **kwargs: Any) -> Any:
    """A click option whose default, environment variable and help come from the settings table."""
    s = BY_NAME[name]
    kind = kwargs.pop("type", click.Path(path_type=Path) if name == "db" else type(s.default))
    return click.option(f"--{name}", envvar=s.env, default=s.default, show_default=True,
                        show_envvar=True, help=s.help, type=kind, **kwargs)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def app() -> None:
    """COCO Atlas: the Cultural and Creative Industries ecosystem of Central Europe as a graph."""


def _open(db: Path) -> Any:
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(db)


def _existing(db: Path) -> Path:
    if not db.exists():
        raise click.ClickException(f"{db}: no such store (create one with 'coco demo-data')")
    return db


@app.command("demo-data")
@click.option("--size", type=click.Choice(["small", "medium", "large"]), default="small",
              show_default=True, help="small (~2k nodes), medium (~50k), large (~500k).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed: the same seed gives the same graph.")
@setting_option("db")
def demo_data(size: str, seed: int, db: Path) -> None:
    """Generate the synthetic demo ecosystem into a store (all-or-nothing)."""
    from graph.store import Transaction
    from importers.demo.generator import SOURCE, generate

    store = _open(db)
    try:
        with _progress() as progress:
            task = progress.add_task("generating", total=None)
            with store.bulk(f"{SOURCE} size={size} seed={seed}") as writer:
                for batch in generate(size, seed):
                    total = writer.write(Transaction(writer.source, batch.nodes, batch.edges))
                    progress.update(task, description=f"{batch.name}: {total.records:,} records")
        counts = store.counts()
    finally:
        store.close()
    n_nodes, n_edges = sum(counts["labels"].values()), sum(counts["relationships"].values())
    err.print(f"[green]✓[/] {db}: {n_nodes:,} nodes, {n_edges:,} edges "
              f"(size {size}, seed {seed})")


@app.command()
@setting_option("db")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(db: Path, as_json: bool) -> None:
    """Counts per node label and relationship type."""
    store = _open(_existing(db))
    try:
        counts: dict[str, Any] = dict(store.counts())
        counts["version"] = store.version
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    for title, key in (("Nodes", "labels"), ("Relationships", "relationships")):
        table = Table(title=title)
        table.add_column("label" if key == "labels" else "type")
        table.add_column("count", justify="right")
        for name, n in counts[key].items():
            table.add_row(name, f"{n:,}")
        out.print(table)


@app.command()
@setting_option("db")
@setting_option("host")
@setting_option("port")
def serve(db: Path, host: str, port: int) -> None:
    """Serve the HTTP API on HOST:PORT (127.0.0.1 unless told otherwise)."""
    import uvicorn

    from api.app import create_app

    _existing(db)
    err.print(f"COCO Atlas on http://{host}:{port}/  (store {db})")
    app_ = create_app({"db": str(db), "host": host, "port": port})
    uvicorn.run(app_, host=host, port=port, log_level="info")


for _area in (analysis, io, maps):
    _area.register(app)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=err, transient=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coco`` script: run a command, turn failures into one-line errors."""
    try:
        app.main(args=argv, prog_name="coco", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    except ValidationError as e:
        err.print(f"error: {e}", markup=False, highlight=False)
        return 2
    except (OSError, sqlite3.Error, RuntimeError, ValueError) as e:
        err.print(f"error: {e}", markup=False, highlight=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
