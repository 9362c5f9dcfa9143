"""Change over time and training impact: ``coco trends``, ``coco compare``, ``coco impact``.

A thin layer over :mod:`graph.analytics.change` and :mod:`graph.analytics.impact`: ``--json``
prints the JSON form of their typed results (what GraphQL serves too), otherwise rich tables in
the reader's language (``coco --lang``, ``LANG``); ``--json`` is for tools and is not translated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from coco_atlas.api.commands.common import json_option, open_from, out, store_options
from coco_atlas.graph.analytics.change import GROUPINGS
from coco_atlas.graph.timeline import Period, PeriodError
from coco_atlas.schema import TRAINING_AREAS
from coco_atlas.viz.i18n import N_, decimal, ngettext, number, percent
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.words import GROUP_TEXT, value_text

if TYPE_CHECKING:
    from coco_atlas.graph.analytics.change import Comparison, Evidence, Trends
    from coco_atlas.graph.analytics.impact import Impact
    from coco_atlas.graph.analytics.results import Result


def _period(ctx: click.Context, param: click.Parameter, value: str) -> Period:
    try:
        return Period.parse(value, param.name or "period")
    except PeriodError as e:
        raise click.BadParameter(str(e).split(": ", 1)[-1]) from None


def _run(fn: Callable[..., Any], conn: dict[str, Any], **kw: Any) -> Any:

    with open_from(conn) as store:
        try:
            return fn(store, **kw)
        except ValueError as e:
            raise click.UsageError(str(e)) from None


def _echo_json(result: Result) -> None:
    click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))


def _trends(db: Callable[..., Any], as_json: Callable[..., Any]) -> click.Command:
    @click.command("trends", help=N_(
        "Per period: actors, ties, cross-sector ties, mixing, density, top brokers, gaps."))
    @click.option("--from", "first", type=int, required=True, help=N_("First year."))
    @click.option("--to", "last", type=int, required=True, help=N_("Last year."))
    @click.option("--by", "step", type=click.IntRange(min=1), default=1, show_default=True,
                  help=N_("Years per period."))
    @click.option("--group-by", type=click.Choice(GROUPINGS), default=None,
                  help=N_("Also count actors and ties per group."))
    @click.option("--level", type=click.IntRange(0, 3), default=2, show_default=True,
                  help=N_("NUTS level of the regions whose open gaps are counted."))
    @as_json
    @db
    def trends(first: int, last: int, step: int, group_by: str | None, level: int,
               as_json: bool, **conn: Any) -> None:
        from coco_atlas.graph.analytics.change import trends as analyse

        result = _run(analyse, conn, first=first, last=last, step=step, group_by=group_by,
                      level=level)
        if as_json:
            return _echo_json(result)
        _print_trends(result)

    return trends


def _print_trends(result: Trends) -> None:

    table = Table(title=escape(_("The ecosystem per period (ties: partnerships, shared "
                                 "collaborations, memberships)")))
    for col, left in ((_("period"), True), (_("actors"), False), (_("ties"), False),
                      (_("cross-sector"), False), (_("share"), False), (_("mixing o/e"), False),
                      (_("density"), False), (_("open gaps"), False)):
        table.add_column(col, justify="left" if left else "right")
    brokers = Table(title=escape(_("Top brokers between sector groups (rank in the period "
                                   "before)")))
    brokers.add_column(_("period"))
    brokers.add_column(_("brokers"))
    new = _("new")  # no rank in the period before
    for r in result.periods:
        period = str(r.from_) if r.from_ == r.to else f"{r.from_}–{r.to}"
        share = "–" if r.cross_sector_share is None else percent(r.cross_sector_share)
        table.add_row(period, number(r.actors), number(r.ties), number(r.cross_sector_ties),
                      share, decimal(r.mixing.ratio, 2), decimal(r.density, 4),
                      number(r.open_gaps))
        brokers.add_row(period, escape(", ".join(
            f"{b.rank}. {b.name} ({b.previous_rank or new})" for b in r.top_brokers)))
    out.print(table)
    out.print("[dim]" + escape(_("mixing o/e: cross-sector ties observed ÷ expected if actors "
                                 "tied at random (below 1: sectors meet less than chance)."))
              + "[/dim]")
    out.print(brokers)


def _compare(db: Callable[..., Any], as_json: Callable[..., Any]) -> click.Command:
    @click.command("compare", help=N_(
        "Two periods side by side: new and ended ties, new bridges, gaps, new actors."))
    @click.option("--before", required=True, callback=_period, metavar="PERIOD",
                  help=N_("Year, years (2019-2020) or days (2019-01-01..2019-06-30)."))
    @click.option("--after", required=True, callback=_period, metavar="PERIOD",
                  help=N_("The later period, written the same way."))
    @click.option("--region", default=None, help=N_("Only actors in this NUTS region (any level)."))
    @click.option("--level", type=click.IntRange(0, 3), default=2, show_default=True,
                  help=N_("NUTS level of the regions whose gaps are compared."))
    @click.option("--first", type=click.IntRange(min=1), default=20, show_default=True,
                  help=N_("Items listed per kind of change."))
    @as_json
    @db
    def compare(before: Period, after: Period, region: str | None, level: int, first: int,
                as_json: bool, **conn: Any) -> None:
        from coco_atlas.graph.analytics.change import compare as analyse

        result = _run(analyse, conn, before=before, after=after, region=region, level=level,
                      first=first)
        if as_json:
            return _echo_json(result)
        _print_compare(result)

    return compare


def _print_compare(r: Comparison) -> None:

    c = r.counts
    counts = dict(new=number(c.new_ties), new_cross=number(c.new_cross_sector_ties),
                  ended=number(c.ended_ties), ended_cross=number(c.ended_cross_sector_ties),
                  actors=number(c.new_actors), gone=number(c.gone_actors),
                  closed=number(c.gaps_closed), opened=number(c.gaps_opened))
    text = _("{new} new ties ({new_cross} cross-sector), {ended} ended ({ended_cross} "
             "cross-sector); {actors} new actors, {gone} gone; {closed} gaps closed, {opened} "
             "opened").format(**counts)
    where = _("{before} → {after} in {region}").format(before=r.before, after=r.after,
                                                       region=r.region) if r.region else \
        f"{r.before} → {r.after}"
    out.print(f"[bold]{escape(where)}[/bold]: " + escape(text))
    for ties, title in ((r.new_ties, _("New ties (cross-sector first)")),
                        (r.ended_ties, _("Ended ties"))):
        table = Table(title=escape(title))
        for col in (_("between"), _("and"), _("cross-sector"), _("evidence")):
            table.add_column(col)
        for t in ties:
            table.add_row(escape(t.a.name), escape(t.b.name),
                          _("yes") if t.cross_sector else "", escape(_evidence(t.evidence)))
        out.print(table)
    table = Table(title=escape(_("New bridges (brokerage rose most)")))
    for col in (_("actor"), _("brokerage before → after"), _("now connects")):
        table.add_column(col)
    for b in r.new_bridges:
        table.add_row(escape(b.name), f"{number(b.before)} → {number(b.after)}",
                      escape(", ".join(GROUP_TEXT.get(g, g) for g in b.connects)))
    out.print(table)
    for gaps, title in ((r.gaps_closed, _("Gaps closed")), (r.gaps_opened, _("Gaps opened"))):
        table = Table(title=escape(title))
        table.add_column(_("region"))
        table.add_column(_("competence"))
        for g in gaps:
            table.add_row(escape(f"{g.region_name} ({g.region})"), escape(g.competence_name))
        out.print(table)


def _evidence(items: list[Evidence]) -> str:
    from coco_atlas.graph.analytics.change import CollaborationEvidence

    parts = []
    for e in items:
        if isinstance(e, CollaborationEvidence):
            parts.append(f"{e.name} ({e.start_date or '?'}–{e.end_date or ''})")
        else:
            words = {"PARTNERS_WITH": _("partnership"), "MEMBER_OF": _("membership")}
            parts.append(f"{words.get(e.kind, e.kind)} {e.since or '?'}–{e.until or ''}")
    return "; ".join(parts)


def _impact(db: Callable[..., Any], as_json: Callable[..., Any]) -> click.Command:
    @click.command("impact", help=N_(
        "Did the trainings help? Attendees against comparable companies that attended "
        "nothing (same sector group, country and size class)."))
    @click.option("--training", default=None, help=N_("One training (its id)."))
    @click.option("--area", type=click.Choice(TRAINING_AREAS), default=None,
                  help=N_("The trainings of one area."))
    @click.option("--window", default="2y", show_default=True, callback=_window,
                  help=N_("Years after the training in which outcomes count, e.g. 2y."))
    @click.option("--seed", type=int, default=0, show_default=True,
                  help=N_("Seed of the bootstrap (the same seed gives the same interval)."))
    @as_json
    @db
    def impact(training: str | None, area: str | None, window: int, seed: int, as_json: bool,
               **conn: Any) -> None:
        from coco_atlas.graph.analytics.impact import impact as analyse

        if training and area:
            raise click.UsageError(_("give --training or --area, not both"))
        result = _run(analyse, conn, training=training, area=area, window=window, seed=seed)
        if as_json:
            return _echo_json(result)
        _print_impact(result)

    return impact


def _window(ctx: click.Context, param: click.Parameter, value: str) -> int:
    text = value.strip().lower().removesuffix("y").removesuffix("years").strip()
    if not text.isdigit() or int(text) < 1:
        raise click.BadParameter(_("expected a number of years such as 2y, got {value}")
                                 .format(value=repr(value)))
    return int(text)


def _print_impact(r: Impact) -> None:
    from coco_atlas.graph.analytics.impact import verdict_short

    title = _("Impact of training {training}").format(training=r.training) if r.training \
        else _("Impact of the {area} trainings").format(
            area=value_text("area", r.area).lower()) if r.area else _("Impact of all trainings")
    left = r.left_out
    text = ngettext(
        "{n} year after: {matched} of {attendances} attendances matched with {companies} "
        "comparable companies ({no_stratum} without sector group, country or size class; "
        "{no_comparison} without any comparable company)",
        "{n} years after: {matched} of {attendances} attendances matched with {companies} "
        "comparable companies ({no_stratum} without sector group, country or size class; "
        "{no_comparison} without any comparable company)", r.window).format(
            n=number(r.window), matched=number(r.matched), attendances=number(r.attendances),
            companies=number(r.comparison_companies), no_stratum=number(left.no_stratum),
            no_comparison=number(left.no_comparison))
    out.print(f"[bold]{escape(title)}[/bold], " + escape(text))
    table = Table(title=escape(_("Attendees against comparable companies")))
    for col, right in ((_("outcome"), False), (_("attendees"), True), (_("comparison"), True),
                       (_("difference"), True), (_("95% interval"), False),
                       (_("verdict"), False)):
        table.add_column(col, justify="right" if right else "left")
    short = {"offers": _("offers a taught competence"),
             "crossSector": _("cross-sector collaboration"), "brokerage": _("brokerage change")}
    for key, o in r.outcomes.items():
        interval = "–" if o.interval is None else \
            f"{decimal(o.interval[0], 3, signed=True)} … {decimal(o.interval[1], 3, signed=True)}"
        table.add_row(short.get(key, key), decimal(o.attendees, 3), decimal(o.comparison, 3),
                      decimal(o.difference, 3, signed=True), interval,
                      escape(str(verdict_short(o))))
    out.print(table)
    out.print("[dim]" + escape(_("{caveat} Method: {method}.").format(
        caveat=r.caveat, method=r.method)) + "[/dim]")


COMMANDS = (_trends(store_options, json_option), _compare(store_options, json_option),
            _impact(store_options, json_option))
