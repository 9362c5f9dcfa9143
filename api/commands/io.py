"""Import and export commands (``coco import …``, ``coco export FORMAT OUT``).

Every import validates everything first and writes all or nothing; problems come as one report
naming file, row and column (exit code 2), ``--report FILE`` writes them all as CSV, and
``--dry-run`` says what would change without writing. Formats: ``docs/formats.md``.

Messages are in the reader's language (``coco --lang``, ``LANG``); what is written for tools
stays as it is: the exported files, the ``--report`` CSV's column names, the mapping template
``--suggest-mapping`` writes (TOML, with the schema's names).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from coco_atlas.api.commands.common import open_from, store_options
from coco_atlas.viz.i18n import N_, Np_, ngettext, number
from coco_atlas.viz.i18n import gettext as _

if TYPE_CHECKING:
    from coco_atlas.importers.tables import Format

err = Console(stderr=True, emoji=False)  # data may contain :codes:

COMMON = [
    click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False),
                 help=N_("TOML mapping file: renamed columns, fixed values, types → labels.")),
    click.option("--dry-run", is_flag=True,
                 help=N_("Check everything and report what would change; write nothing.")),
    click.option("--source", help=N_("Provenance recorded on every node and edge written "
                 "(default: 'import FORMAT FILES').")),
    click.option("--report", type=click.Path(path_type=Path, dir_okay=False),
                 help=N_("On problems, also write every one of them to this CSV file.")),
]
STRICT = click.option("--strict", is_flag=True, help=N_("Refuse records that lack a recommended "
                      "property (a hub's country or kind) instead of storing it as unknown."))
SUGGEST = click.option(
    "--suggest-mapping", "suggest_mapping", is_flag=False, flag_value="-", default=None,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), metavar="[FILE.toml]",
    help=N_("Read the files and write a commented mapping template for them to FILE (or print "
    "it); nothing is imported."))
ENCODING = click.option("--encoding", help=N_("Encoding of CSV files that are not UTF-8 "
                        "(e.g. cp1250 for Excel in Central Europe)."))


def _open(conn: dict[str, Any], *, must_exist: bool) -> Any:

    return open_from(conn, must_exist=must_exist)


def _options(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(f: Any) -> Any:
        for d in reversed(decorators):
            f = d(f)
        return f
    return apply


# -- import ------------------------------------------------------------------------------------
def _import_group(stores: Callable[[Any], Any]) -> click.Group:
    @click.group("import", help=N_(
        "Import data people already have: tables, Kumu, Gephi, ESCO, reference data."))
    def import_() -> None:
        ...

    table_opts = _options(
        click.option("--nodes", "nodes", multiple=True, type=click.Path(path_type=Path),
                     help=N_("Node table (columns id, label, name, properties); repeatable.")),
        click.option("--edges", "edges", multiple=True, type=click.Path(path_type=Path),
                     help=N_("Edge table (columns source, target, type, properties); repeatable.")),
        *COMMON, STRICT, stores)

    formats: tuple[tuple[Format, str], ...] = (
        ("csv", N_("Nodes and edges from CSV files (',', ';' or tab; UTF-8 with or without "
                   "BOM).")),
        ("jsonl", N_("Nodes and edges from JSON Lines files (one object per line).")),
        ("xlsx", N_("Nodes and edges from Excel workbooks (sheet 'nodes' / 'edges', or the only "
                    "one).")))
    for fmt, what in formats:
        import_.add_command(_table_command(fmt, what, table_opts))

    @import_.command("kumu", help=N_(
        "Kumu spreadsheets (.xlsx, Elements/Connections .csv) or JSON blueprints (.json)."))
    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @SUGGEST
    @_options(*COMMON, ENCODING, STRICT, stores)
    def kumu(files: tuple[Path, ...], **opts: Any) -> None:
        from coco_atlas.importers.kumu import import_kumu

        if _suggested("kumu", [(None, f) for f in files], opts):
            return
        _run(lambda store, **kw: import_kumu(store, files, mapping=opts["mapping"],
                                              encoding=opts["encoding"], **kw), files, opts)

    @import_.command("gephi", help=N_(
        "Gephi files: .gexf, .graphml, or spreadsheet tables (nodes Id/Label, edges "
        "Source/Target/Type/Weight)."))
    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @SUGGEST
    @_options(*COMMON, ENCODING, STRICT, stores)
    def gephi(files: tuple[Path, ...], **opts: Any) -> None:
        from coco_atlas.importers.gephi import import_gephi

        if _suggested("gephi", [(None, f) for f in files], opts):
            return
        _run(lambda store, **kw: import_gephi(store, files, mapping=opts["mapping"],
                                              encoding=opts["encoding"], **kw), files, opts)

    @import_.command("esco", help=N_(
        "ESCO skills as Competence nodes (id = conceptUri), with their preferred and "
        "alternative labels in every language given, and BROADER links."))
    @click.option("--skills", required=True, multiple=True, type=click.Path(path_type=Path),
                  help=N_("ESCO skills_<lang>.csv; repeat for several languages (skills_en.csv, "
                       "skills_pl.csv…): their labels merge onto the same concepts."))
    @click.option("--broader", type=click.Path(path_type=Path),
                  help=N_("ESCO broaderRelationsSkillPillar_en.csv (BROADER links)."))
    @click.option("--groups", multiple=True, type=click.Path(path_type=Path),
                  help=N_("ESCO skillGroups_<lang>.csv (the groups the hierarchy points to)."))
    @click.option("--lang", help=N_("Language (BCP 47) of files whose name does not end in "
                                 "_<lang>.csv."))
    @_options(*(o for o in COMMON if o is not COMMON[0]), stores)
    def esco(skills: tuple[Path, ...], broader: Path | None, groups: tuple[Path, ...],
             lang: str | None, **opts: Any) -> None:
        from coco_atlas.importers.esco import import_esco

        files = (*skills, *groups, *((broader,) if broader is not None else ()))
        _run(lambda store, **kw: import_esco(store, skills=skills, broader=broader,
                                             groups=groups, lang=lang, **kw), files, opts)

    @import_.command("reference", help=N_(
        "NACE Rev.2 sectors and NUTS 2021 regions shipped with COCO Atlas (idempotent)."))
    @click.option("--max-level", type=click.IntRange(0, 3), default=3, show_default=True,
                  help=N_("Deepest NUTS level to load (0 countries … 3 small regions)."))
    @click.option("--dry-run", is_flag=True, help=N_("Report what would change; write nothing."))
    @stores
    def reference(max_level: int, dry_run: bool, **conn: Any) -> None:
        from coco_atlas.importers.reference import import_reference

        opts = {"dry_run": dry_run, "report": None, "source": None, **conn}
        _run(lambda store, source=None, **kw: import_reference(store, max_level=max_level,
                                                               **kw), (), opts)

    @import_.command("geometry", help=N_(
        "NUTS region boundaries from a GeoJSON file (Eurostat GISCO's NUTS_RG_…geojson, in "
        "EPSG:4326, 3035 or 3857): maps then draw regions as areas (choropleths)."))
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    @_options(*(o for o in COMMON if o is not COMMON[0]), stores)
    def geometry(file: Path, **opts: Any) -> None:
        from coco_atlas.importers.geometry import import_geometry

        _run(lambda store, **kw: import_geometry(store, file, **kw), (file,), opts)

    return import_


def _table_command(fmt: Format, help: str, options: Callable[[Any], Any]) -> click.Command:
    def command(nodes: tuple[Path, ...], edges: tuple[Path, ...], **opts: Any) -> None:
        from coco_atlas.importers.tables import import_tables

        if not nodes and not edges:
            raise click.UsageError(_("give --nodes and/or --edges files"))
        if _suggested(fmt, [*(("nodes", p) for p in nodes), *(("edges", p) for p in edges)],
                      opts):
            return
        _run(lambda store, **kw: import_tables(
            store, nodes=nodes, edges=edges, format=fmt, mapping=opts["mapping"],
            encoding=opts.get("encoding"), **kw), (*nodes, *edges), opts)

    if fmt == "csv":
        command = ENCODING(command)
    command = SUGGEST(command)
    return click.command(fmt, help=help)(options(command))


def _suggested(command: str, files: list[tuple[Any, Path]], opts: dict[str, Any]) -> bool:
    """``--suggest-mapping``: write the mapping template and return True (the store is not
    opened); False when the option was not given. Takes the option out of ``opts``."""
    target = opts.pop("suggest_mapping", None)
    if target is None:
        return False
    from coco_atlas.importers.errors import Problems
    from coco_atlas.importers.outputs import atomic
    from coco_atlas.importers.suggest import read_for_suggestion, suggest

    problems = Problems()
    seen = read_for_suggestion(command, files, opts.get("encoding"), problems)
    problems.raise_if_any(N_("reading the files for a mapping"))
    text = suggest(command, seen)
    if str(target) == "-":
        click.echo(text, nl=False)
    else:
        with atomic(target, "w", encoding="utf-8") as f:
            f.write(text)
        todo = sum(1 for line in text.splitlines() if line.startswith('# "'))
        err.print("[green]✓[/] " + escape(ngettext(
            "mapping template written to {file}: {n} line to check and fill in, then import "
            "with --mapping",
            "mapping template written to {file}: {n} lines to check and fill in, then import "
            "with --mapping", todo).format(file=target, n=number(todo))),
            highlight=False, soft_wrap=True)
    return True


def _run(do: Callable[..., Any], files: tuple[Path, ...], opts: dict[str, Any]) -> None:
    from coco_atlas.importers.errors import ImportFailed

    conn = {k: v for k, v in opts.items() if k not in ("mapping", "dry_run", "source", "report",
                                                       "encoding", "strict")}
    strict = {"strict": opts["strict"]} if "strict" in opts else {}  # where the format has it
    scratch = None
    if opts["dry_run"] and not conn.get("neo4j") and not Path(conn["db"]).exists():
        # Nothing to compare with: dry-run against an empty scratch store, create no file.
        scratch = tempfile.TemporaryDirectory(prefix="coco-dry-run-")
        conn = {**conn, "db": str(Path(scratch.name) / "empty.db")}
    store = _open(conn, must_exist=False)
    try:
        with _bar(files) as bar:
            report = do(store, source=opts["source"], dry_run=opts["dry_run"], progress=bar,
                        **strict)
    except ImportFailed as e:
        if opts.get("report"):
            e.write_csv(opts["report"])
            n = len(e.problems)
            err.print(ngettext("{n} problem written to {file}", "all {n} problems written to "
                               "{file}", n).format(n=number(n), file=opts["report"]),
                      markup=False, highlight=False, soft_wrap=True)
        raise
    finally:
        store.close()
        if scratch is not None:
            scratch.cleanup()
    head = "[yellow]" + escape(_("dry run, nothing written")) + "[/]" if report.dry_run \
        else "[green]✓[/]"
    err.print(f"{head} {escape(str(report.summary()))}", highlight=False, soft_wrap=True)
    for note in report.notes:
        err.print("  " + _("note: {note}").format(note=note), markup=False, highlight=False,
                  soft_wrap=True)


_CHECKED = {"nodes": Np_("{n} node checked", "{n} nodes checked"),
            "edges": Np_("{n} edge checked", "{n} edges checked")}


class _Bar:
    """Progress of an import: bytes read over all its files, records written."""

    def __init__(self, progress: Progress, files: tuple[Path, ...]):
        self.progress = progress
        self.done: dict[str, int] = {}
        total = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
        self.task = progress.add_task(_("reading"), total=total or None)

    def read(self, file: str, done: int, total: int) -> None:
        self.done[file] = done
        self.progress.update(self.task, completed=sum(self.done.values()))

    def wrote(self, what: str, records: int) -> None:
        self.progress.update(self.task, description=ngettext(*_CHECKED[what], records).format(
            n=number(records)))


@contextmanager
def _bar(files: tuple[Path, ...]) -> Iterator[_Bar | None]:
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn(
            "{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=err,
            transient=True) as progress:
        yield _Bar(progress, files)


# -- export ------------------------------------------------------------------------------------
def _export_command(stores: Callable[[Any], Any]) -> click.Command:
    from coco_atlas.importers.export import FORMATS

    @click.command("export", help=N_(
        "Export the graph, or a filtered part, as FORMAT to OUT (csv, jsonl and gephi-csv "
        "write a directory with a nodes and an edges file)."))
    @click.argument("format", type=click.Choice(list(FORMATS)))
    @click.argument("out", type=click.Path(path_type=Path))
    @click.option("--labels", help=N_("Only nodes of these labels, comma-separated "
                  "(e.g. Hub,Company)."))
    @click.option("--region", help=N_("Only actors located in this NUTS region or its "
                  "sub-regions (e.g. AT13), with what they link to."))
    @click.option("--sector", help=N_("Only actors in this NACE code or a narrower one "
                  "(e.g. J58 or 58.2), with what they link to."))
    @stores
    def export(format: str, out: Path, labels: str | None, region: str | None,
               sector: str | None, **conn: Any) -> None:
        from coco_atlas.importers.export import export_graph

        store = _open(conn, must_exist=True)
        try:
            report = export_graph(store, format, out, region=region, sector=sector,
                                  labels=[x.strip() for x in labels.split(",") if x.strip()]
                                  if labels else None)
        finally:
            store.close()
        text = _("{file}: {nodes}, {edges} ({format})").format(
            file=out, format=format,
            nodes=ngettext("{n} node", "{n} nodes", report.nodes).format(n=number(report.nodes)),
            edges=ngettext("{n} edge", "{n} edges", report.edges).format(n=number(report.edges)))
        err.print(f"[green]✓[/] {escape(text)}", highlight=False, soft_wrap=True)

    return export


COMMANDS = (_import_group(store_options), _export_command(store_options))
