"""``coco search``: the full-text search of the API (:mod:`graph.search`) from the shell.

Labels in every language match (prefixes, Snowball stems); ``--lang`` (default: the POSIX
locale, ``LANG=pl_PL.UTF-8`` → Polish, else English) ranks labels in that language first and
names the hits in it, as GraphQL's ``search(lang:)`` does.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from coco_atlas.api.click_words import formatted
from coco_atlas.api.commands.common import json_option, open_from, out, store_options
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.languages import LANGUAGES, negotiate, normalise
from coco_atlas.viz.i18n import N_, current
from coco_atlas.viz.i18n import gettext as _


def cli_language(lang: str | None) -> str:
    """The language a command answers in: its ``--lang``, else the interface's (``coco
    --lang``, ``COCO_LANG``, the POSIX locale: ``LANG=pl_PL.UTF-8`` → Polish), else English."""
    if lang:
        return negotiate(lang)
    return current()


def _check_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and normalise(value) is None:
        raise click.BadParameter(_("expected one of {languages} (BCP 47), got {value}").format(
            languages=", ".join(LANGUAGES), value=repr(value)))
    return value


lang_option = click.option(
    "--lang", callback=_check_lang, metavar="LANG",
    help=formatted(N_("Language of the competence names (BCP 47: {languages}); default: the "
                      "locale (LANG), else English."), languages=", ".join(LANGUAGES)))


@click.command("search", help=N_(
    "Find nodes by name or alternative label in any language, accent- and case-insensitive, "
    "best first (a label in --lang first). ``--json`` prints the hits for tools: its keys "
    "and values are not translated."))
@click.argument("text")
@click.option("--label", "labels", multiple=True, type=click.Choice(SCHEMA.label_names),
              help=N_("Only nodes of this label (repeatable)."))
@click.option("--first", type=click.IntRange(1, 1000), default=20, show_default=True,
              help=N_("How many hits to show."))
@lang_option
@json_option
@store_options
def search(text: str, labels: tuple[str, ...], first: int, lang: str | None,
           as_json: bool, **conn: Any) -> None:
    from coco_atlas.graph.names import name_in
    from coco_atlas.graph.search import SearchIndex

    asker = cli_language(lang)
    with open_from(conn) as store:
        hits = SearchIndex(store.iter_nodes()).search(text, labels or None, first, asker)
        nodes = store.get_nodes([h.id for h in hits])
    rows = [{"id": h.id, "label": h.label,
             "name": name_in(h.label, nodes[h.id].props, asker) if h.id in nodes else None,
             "score": h.score, "matched": h.field, "lang": h.lang} for h in hits]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=escape(_("Search: {text}").format(text=text)))
    for col, title in (("score", _("score")), ("name", _("name")), ("label", _("label")),
                       ("id", _("id")), ("matched", _("matched"))):
        table.add_column(title, justify="right" if col == "score" else "left")
    for r in rows:
        table.add_row(f"{r['score']:.0f}", escape(str(r["name"])), str(r["label"]),
                      escape(str(r["id"])),
                      str(r["matched"]) + (f" ({r['lang']})" if r["lang"] else ""))
    out.print(table)


COMMANDS = (search,)
