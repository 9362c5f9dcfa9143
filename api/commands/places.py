"""``coco regions``: NUTS regions derived from actors' cities (:mod:`graph.places`).

Without ``--derive`` (or with ``--dry-run``) it only says what would be written; with it, the
decided LOCATED_IN relationships are written in one all-or-nothing commit whose ``source`` says
where they came from. Ambiguous and unknown places are listed, never guessed.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from coco_atlas.api.commands.common import open_from, store_options
from coco_atlas.viz.i18n import N_, ngettext, number
from coco_atlas.viz.i18n import gettext as _

out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


@click.command("regions", help=N_(
    "NUTS regions of the hubs and companies that have a city and a country but no region, "
    "from the GeoNames gazetteer (offline); ambiguous and unknown places are listed, never "
    "guessed."))
@click.option("--derive", is_flag=True,
              help=N_("Write the decided regions (LOCATED_IN), all or nothing."))
@click.option("--dry-run", is_flag=True, help=N_("Say what would be written; write nothing."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of tables."))
@store_options
def regions(derive: bool, dry_run: bool, as_json: bool, **conn: Any) -> None:
    from coco_atlas.graph.places import apply, derive_regions

    with open_from(conn) as store:
        found = derive_regions(store)
        written = apply(store, found) if derive and not dry_run else 0
    if as_json:
        click.echo(json.dumps({**found.to_json(), "written": written}, indent=2,
                              ensure_ascii=False))
        return
    _print(found, written, derive and not dry_run)


def _print(found: Any, written: int, writing: bool) -> None:
    from coco_atlas.graph.places import SOURCE

    actor, region, city = _("actor"), _("region"), _("city")
    table = Table(title=_("Decided: {n}").format(n=number(len(found.decided))))
    for col, wrap in ((actor, False), (region, False), (_("evidence"), True)):
        table.add_column(col, no_wrap=not wrap)
    for d in found.decided:
        table.add_row(escape(d.actor), d.region, escape(str(d.evidence)))
    out.print(table)
    _rows(_("Ambiguous (several places of that name, in different regions)"),
          (actor, city, _("candidate regions")), [(a.actor, a.city, ", ".join(a.candidates))
                                                  for a in found.ambiguous])
    _rows(_("Unknown (not placed)"), (actor, city, _("why")),
          [(u.actor, u.city, str(u.reason)) for u in found.unknown])
    _rows(_("Decided, but the region is not in the store (coco import reference loads it)"),
          (actor, region), [(d.actor, d.region) for d in found.missing])
    if writing:
        err.print(escape(ngettext("wrote {n} LOCATED_IN relationship, source {source}",
                                  "wrote {n} LOCATED_IN relationships, source {source}",
                                  written).format(n=number(written), source=repr(SOURCE))),
                  highlight=False)
    else:
        err.print(escape(_("nothing written (use --derive without --dry-run to write)")),
                  highlight=False)


def _rows(title: str, cols: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    if not rows:
        return
    table = Table(title=_("{title}: {n}").format(title=title, n=number(len(rows))))
    for col in cols:
        table.add_column(col)
    for row in rows:
        table.add_row(*(escape(v) for v in row))
    out.print(table)


COMMANDS = (regions,)
