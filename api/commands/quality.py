"""``coco quality``: the data-quality report (:mod:`graph.quality`) as tables or JSON."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from coco_atlas.api.commands.common import open_from, out, store_options
from coco_atlas.graph.quality import Quality
from coco_atlas.viz.i18n import N_, number, percent
from coco_atlas.viz.i18n import gettext as _

INCOMPLETE = 1.0  # the completeness table lists properties known for less than this share


@click.command("quality", help=N_(
    "What is known, what is missing and what does not add up, worst first."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of tables."))
@click.option("--examples", type=click.IntRange(min=0, max=1000), default=5,
              show_default=True, help=N_("Records listed per finding (ids)."))
@store_options
def quality(as_json: bool, examples: int, **conn: Any) -> None:
    from coco_atlas.graph.quality import quality as report

    with open_from(conn) as store:
        result = report(store, examples=examples if as_json else max(examples, 1))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    _print(result, examples)


def _print(result: Quality, examples: int) -> None:
    """The report as tables in the reader's language (``--json`` keeps the report's own
    English titles and keys, for tools)."""
    from coco_atlas.viz.words import finding_text

    findings = Table(title=_("Findings"))
    for col, right in ((_("finding"), False), (_("records"), True), (_("first ones"), False)):
        findings.add_column(col, justify="right" if right else "left")
    for f in sorted(result.findings, key=lambda f: -f.count):
        findings.add_row(escape(finding_text(f.kind, f.title)), number(f.count),
                         escape(", ".join(f.examples[:examples])))
    out.print(findings)
    table = Table(title=_("Completeness (properties not always known, least known first)"))
    for col, left in ((_("label"), True), (_("property"), True), (_("known"), False),
                      (_("of"), False), (_("share"), False), (_("recommended"), False)):
        table.add_column(col, justify="left" if left else "right")
    for c in sorted(result.completeness, key=lambda c: (not c.recommended, c.share, c.label)):
        if c.share < INCOMPLETE:
            table.add_row(c.label, c.property, number(c.known), number(c.total),
                          percent(c.share), _("yes") if c.recommended else "")
    out.print(table)


COMMANDS = (quality,)
