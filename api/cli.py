"""The ``coco`` command line: a thin layer over the stores, the generators and the app.

Options map onto :mod:`api.settings`; every error reaches the user as one line (or the list of
validation problems) and a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.settings import BY_NAME
from schema import ValidationError

app = typer.Typer(
    help="COCO Atlas: the Cultural and Creative Industries ecosystem of Central Europe as a graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True)
out = Console()


def _opt(name: str, *flags: str) -> Any:
    s = BY_NAME[name]
    return typer.Option(*(flags or (f"--{name}",)), envvar=s.env, help=s.help)


Db = Annotated[Path, _opt("db")]


class Size(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


def _open(db: Path) -> Any:
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(db)


@app.command("demo-data")
def demo_data(
    size: Annotated[Size, typer.Option(help="small (~2k nodes), medium (~50k), large (~500k).")
                    ] = Size.small,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same graph.")
                    ] = 42,
    db: Db = Path(BY_NAME["db"].default),
) -> None:
    """Generate the synthetic demo ecosystem into a store (all-or-nothing)."""
    from graph.store import Transaction
    from importers.demo.generator import SOURCE, generate

    store = _open(db)
    try:
        with _progress() as progress:
            task = progress.add_task("generating", total=None)
            with store.bulk(f"{SOURCE} size={size.value} seed={seed}") as writer:
                for batch in generate(size.value, seed):
                    total = writer.write(Transaction(writer.source, batch.nodes, batch.edges))
                    progress.update(task, description=f"{batch.name}: {total.records:,} records")
        counts = store.counts()
    finally:
        store.close()
    n_nodes, n_edges = sum(counts["labels"].values()), sum(counts["relationships"].values())
    err.print(f"[green]✓[/] {db}: {n_nodes:,} nodes, {n_edges:,} edges "
              f"(size {size.value}, seed {seed})")


@app.command()
def stats(
    db: Db = Path(BY_NAME["db"].default),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Counts per node label and relationship type."""
    if not db.exists():
        raise click.ClickException(f"{db}: no such store (create one with 'coco demo-data')")
    store = _open(db)
    try:
        counts = store.counts()
        counts["version"] = store.version  # type: ignore[assignment]
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps(counts))
        return
    for title, key in (("Nodes", "labels"), ("Relationships", "relationships")):
        table = Table(title=title)
        table.add_column("label" if key == "labels" else "type")
        table.add_column("count", justify="right")
        for name, n in counts[key].items():
            table.add_row(name, f"{n:,}")
        out.print(table)


@app.command()
def serve(
    db: Db = Path(BY_NAME["db"].default),
    host: Annotated[str, _opt("host")] = BY_NAME["host"].default,
    port: Annotated[int, _opt("port")] = BY_NAME["port"].default,
) -> None:
    """Serve the HTTP API on HOST:PORT (127.0.0.1 unless told otherwise)."""
    import uvicorn

    from api.app import create_app

    if not db.exists():
        raise click.ClickException(f"{db}: no such store (create one with 'coco demo-data')")
    err.print(f"COCO Atlas on http://{host}:{port}/  (store {db})")
    uvicorn.run(create_app({"db": str(db)}), host=host, port=port, log_level="info")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=err, transient=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coco`` script: run a command, turn failures into one-line errors."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="coco", standalone_mode=False)
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
