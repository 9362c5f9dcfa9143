"""Duplicates and merging (``coco duplicates``, ``coco merge``).

A thin layer over :mod:`graph.duplicates` (likely duplicate pairs, with the evidence) and
:mod:`graph.merge` (one all-or-nothing commit, undoable from the record kept in the graph).
Problems (unknown ids, labels that differ) are ValidationErrors, which ``api.cli.main`` prints as
the list of problems with exit code 2. Tables and messages are in the reader's language; the
``--json`` outputs (pairs, evidence, merge records) stay English, for tools.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from coco_atlas.api.click_words import formatted
from coco_atlas.api.commands.common import open_from, store_options
from coco_atlas.graph.duplicates import DEFAULT_MIN_SCORE, LABELS
from coco_atlas.viz.i18n import N_, ngettext, number
from coco_atlas.viz.i18n import gettext as _

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)
TOP = 50


def _duplicates(db: Callable[..., Any]) -> click.Command:
    @click.command("duplicates", help=N_(
        "Likely duplicate actors and competences, best first, with the evidence (names "
        "compared without diacritics and legal forms, same country or city)."))
    @click.option("--label", "labels", multiple=True, type=click.Choice(LABELS),
                  help=N_("Only this label (repeatable) [default: Hub, Company and Competence]."))
    @click.option("--min-score", type=click.FloatRange(0, 100), default=DEFAULT_MIN_SCORE,
                  show_default=True, help=N_("Report pairs scoring at least this (0–100)."))
    @click.option("--first", type=click.IntRange(min=1), default=None,
                  help=formatted(N_("Only the N best pairs [default: all with --json, {n} in the "
                                    "table]."), n=TOP))
    @click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of a table."))
    @db
    def duplicates(labels: tuple[str, ...], min_score: float, first: int | None, as_json: bool,
                   **conn: Any) -> None:
        from coco_atlas.graph.duplicates import store_duplicates

        with open_from(conn) as store:
            found = store_duplicates(store, labels or LABELS, min_score=min_score)
        shown = found[:first] if first else found if as_json else found[:TOP]
        if as_json:
            click.echo(json.dumps([m.as_dict() for m in shown], indent=2, ensure_ascii=False))
            return
        table = Table(title=_("Likely duplicates (score ≥ {score}): {n}").format(
            score=f"{min_score:g}", n=number(len(found))))
        for col, title in (("score", _("score")), ("label", _("label")), ("id", _("id")),
                           ("name", _("name")), ("id ", _("id")), ("name ", _("name")),
                           ("place", _("place"))):
            table.add_column(title, justify="right" if col == "score" else "left",
                             no_wrap=col in ("score", "label", "id", "id "))  # ids: for merge
        for m in shown:
            table.add_row(f"{m.score:.0f}", m.a.label, escape(m.a.id), escape(m.a.name),
                          escape(m.b.id), escape(m.b.name), _place(m.a, m.b))
        out.print(table)
        if len(shown) < len(found):
            err.print(_("{n} more: use --first or --json").format(
                n=number(len(found) - len(shown))), highlight=False)

    return duplicates


def _merge(db: Callable[..., Any]) -> click.Command:
    @click.command("merge", help=N_(
        "Merge DROP nodes into KEEP in one all-or-nothing write: relationships moved, "
        "KEEP's properties winning, the others filled in; undoable with --undo KEEP."))
    @click.argument("keep")
    @click.argument("drop", nargs=-1)
    @click.option("--dry-run", is_flag=True, help=N_("Say what would change; write nothing."))
    @click.option("--undo", is_flag=True,
                  help=N_("Undo the last merge into KEEP from the record kept in it."))
    @click.option("--json", "as_json", is_flag=True, help=N_("Print the outcome as JSON."))
    @db
    def merge(keep: str, drop: tuple[str, ...], dry_run: bool, undo: bool, as_json: bool,
              **conn: Any) -> None:
        from coco_atlas.graph import merge as m

        if undo and drop:
            raise click.UsageError(_("--undo takes only KEEP: it undoes the last merge into it"))
        if not undo and not drop:
            raise click.UsageError(_("give KEEP and at least one DROP id (or --undo KEEP)"))
        with open_from(conn) as store:
            if undo:
                result = m.undo(store, keep, source="cli merge --undo", dry_run=dry_run)
            else:
                result = m.merge(store, keep, drop, source="cli merge", dry_run=dry_run)
        if as_json:
            click.echo(json.dumps(result, indent=2, ensure_ascii=False))
            return
        head = "[yellow]" + escape(_("dry run, nothing written:")) + "[/]" if dry_run \
            else "[green]✓[/]"
        err.print(f"{head} {escape(_describe(result, undo))}", highlight=False, soft_wrap=True)

    return merge


def _place(a: Any, b: Any) -> str:
    """Where the two are, in a few words (the full evidence is in --json)."""
    parts = []
    for same, other, x, y in ((N_("same country"), N_("other country"), a.country, b.country),
                              (N_("same city"), N_("other city"), a.place, b.place)):
        if x and y:
            parts.append(_(same) if x == y else _(other))
    return ", ".join(parts) or _("unknown")


def _describe(r: dict[str, Any], undo: bool) -> str:
    if undo:
        n = r["relationships"]
        return ngettext("restored {ids} and {n} relationship; {removed} relationship(s) the "
                        "merge had made removed from {keep}",
                        "restored {ids} and {n} relationships; {removed} relationship(s) the "
                        "merge had made removed from {keep}", n).format(
            ids=", ".join(r["restored"]), n=number(n), removed=number(r["removedCreated"]),
            keep=r["keep"])
    loops = r["selfLoopsDropped"]
    return _("{ids} merged into {keep} ({label}): {moved} relationship(s) moved, {combined} "
             "combined with existing ones, {loops} between the merged nodes dropped{which}; "
             "properties filled in: {filled}; undo with: coco merge --undo {keep}").format(
        ids=", ".join(r["drop"]), keep=r["keep"], label=r["label"],
        moved=number(len(r["moved"])), combined=number(len(r["combined"])),
        loops=number(len(loops)),
        which=f" ({'; '.join(' '.join(k) for k in loops)})" if loops else "",
        filled=", ".join(r["filled"]) or _("none"))


COMMANDS = (_duplicates(store_options), _merge(store_options))
