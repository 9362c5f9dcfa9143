"""Change over time and training impact: ``coco trends``, ``coco compare``, ``coco impact``.

A thin layer over :mod:`graph.analytics.change` and :mod:`graph.analytics.impact`: ``--json``
prints the JSON form of their typed results (what GraphQL serves too), otherwise rich tables.
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
    @click.command("trends")
    @click.option("--from", "first", type=int, required=True, help="First year.")
    @click.option("--to", "last", type=int, required=True, help="Last year.")
    @click.option("--by", "step", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Years per period.")
    @click.option("--group-by", type=click.Choice(GROUPINGS), default=None,
                  help="Also count actors and ties per group.")
    @click.option("--level", type=click.IntRange(0, 3), default=2, show_default=True,
                  help="NUTS level of the regions whose open gaps are counted.")
    @as_json
    @db
    def trends(first: int, last: int, step: int, group_by: str | None, level: int,
               as_json: bool, **conn: Any) -> None:
        """Per period: actors, ties, cross-sector ties, mixing, density, top brokers, gaps."""
        from coco_atlas.graph.analytics.change import trends as analyse

        result = _run(analyse, conn, first=first, last=last, step=step, group_by=group_by,
                      level=level)
        if as_json:
            return _echo_json(result)
        _print_trends(result)

    return trends


def _print_trends(result: Trends) -> None:

    table = Table(title="The ecosystem per period (ties: partnerships, shared collaborations, "
                        "memberships)")
    for col in ("period", "actors", "ties", "cross-sector", "share", "mixing o/e", "density",
                "open gaps"):
        table.add_column(col, justify="left" if col == "period" else "right")
    brokers = Table(title="Top brokers between sector groups (rank in the period before)")
    brokers.add_column("period")
    brokers.add_column("brokers")
    for r in result.periods:
        period = str(r.from_) if r.from_ == r.to else f"{r.from_}–{r.to}"
        share = "–" if r.cross_sector_share is None else f"{r.cross_sector_share:.0%}"
        ratio = r.mixing.ratio
        table.add_row(period, f"{r.actors:,}", f"{r.ties:,}", f"{r.cross_sector_ties:,}",
                      share, "–" if ratio is None else f"{ratio:.2f}", f"{r.density:.4f}",
                      f"{r.open_gaps:,}")
        brokers.add_row(period, escape(", ".join(
            f"{b.rank}. {b.name} ({b.previous_rank or 'new'})" for b in r.top_brokers)))
    out.print(table)
    out.print("[dim]mixing o/e: cross-sector ties observed ÷ expected if actors tied at random "
              "(below 1: sectors meet less than chance).[/dim]")
    out.print(brokers)


def _compare(db: Callable[..., Any], as_json: Callable[..., Any]) -> click.Command:
    @click.command("compare")
    @click.option("--before", required=True, callback=_period, metavar="PERIOD",
                  help="Year, years (2019-2020) or days (2019-01-01..2019-06-30).")
    @click.option("--after", required=True, callback=_period, metavar="PERIOD",
                  help="The later period, written the same way.")
    @click.option("--region", default=None, help="Only actors in this NUTS region (any level).")
    @click.option("--level", type=click.IntRange(0, 3), default=2, show_default=True,
                  help="NUTS level of the regions whose gaps are compared.")
    @click.option("--first", type=click.IntRange(min=1), default=20, show_default=True,
                  help="Items listed per kind of change.")
    @as_json
    @db
    def compare(before: Period, after: Period, region: str | None, level: int, first: int,
                as_json: bool, **conn: Any) -> None:
        """Two periods side by side: new and ended ties, new bridges, gaps, new actors."""
        from coco_atlas.graph.analytics.change import compare as analyse

        result = _run(analyse, conn, before=before, after=after, region=region, level=level,
                      first=first)
        if as_json:
            return _echo_json(result)
        _print_compare(result)

    return compare


def _print_compare(r: Comparison) -> None:

    c = r.counts
    out.print(f"[bold]{r.before} → {r.after}[/bold]"
              + (f" in {escape(r.region)}" if r.region else "") + ": "
              f"{c.new_ties:,} new ties ({c.new_cross_sector_ties:,} cross-sector), "
              f"{c.ended_ties:,} ended ({c.ended_cross_sector_ties:,} cross-sector); "
              f"{c.new_actors:,} new actors, {c.gone_actors:,} gone; "
              f"{c.gaps_closed:,} gaps closed, {c.gaps_opened:,} opened")
    for ties, title in ((r.new_ties, "New ties (cross-sector first)"),
                        (r.ended_ties, "Ended ties")):
        table = Table(title=title)
        for col in ("between", "and", "cross-sector", "evidence"):
            table.add_column(col)
        for t in ties:
            table.add_row(escape(t.a.name), escape(t.b.name), "yes" if t.cross_sector else "",
                          escape(_evidence(t.evidence)))
        out.print(table)
    table = Table(title="New bridges (brokerage rose most)")
    for col in ("actor", "brokerage before → after", "now connects"):
        table.add_column(col)
    for b in r.new_bridges:
        table.add_row(escape(b.name), f"{b.before} → {b.after}",
                      escape(", ".join(GROUP_TEXT.get(g, g) for g in b.connects)))
    out.print(table)
    for gaps, title in ((r.gaps_closed, "Gaps closed"), (r.gaps_opened, "Gaps opened")):
        table = Table(title=title)
        table.add_column("region")
        table.add_column("competence")
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
            words = {"PARTNERS_WITH": "partnership", "MEMBER_OF": "membership"}
            parts.append(f"{words.get(e.kind, e.kind)} {e.since or '?'}–{e.until or ''}")
    return "; ".join(parts)


def _impact(db: Callable[..., Any], as_json: Callable[..., Any]) -> click.Command:
    @click.command("impact")
    @click.option("--training", default=None, help="One training (its id).")
    @click.option("--area", type=click.Choice(TRAINING_AREAS), default=None,
                  help="The trainings of one area.")
    @click.option("--window", default="2y", show_default=True, callback=_window,
                  help="Years after the training in which outcomes count, e.g. 2y.")
    @click.option("--seed", type=int, default=0, show_default=True,
                  help="Seed of the bootstrap (the same seed gives the same interval).")
    @as_json
    @db
    def impact(training: str | None, area: str | None, window: int, seed: int, as_json: bool,
               **conn: Any) -> None:
        """Did the trainings help? Attendees against comparable companies that attended
        nothing (same sector group, country and size class)."""
        from coco_atlas.graph.analytics.impact import impact as analyse

        if training and area:
            raise click.UsageError("give --training or --area, not both")
        result = _run(analyse, conn, training=training, area=area, window=window, seed=seed)
        if as_json:
            return _echo_json(result)
        _print_impact(result)

    return impact


def _window(ctx: click.Context, param: click.Parameter, value: str) -> int:
    text = value.strip().lower().removesuffix("y").removesuffix("years").strip()
    if not text.isdigit() or int(text) < 1:
        raise click.BadParameter(f"expected a number of years such as 2y, got {value!r}")
    return int(text)


def _print_impact(r: Impact) -> None:

    what = f"training {r.training}" if r.training else (
        f"the {value_text('area', r.area).lower()} trainings" if r.area else "all trainings")
    left = r.left_out
    out.print(f"[bold]Impact of {escape(what)}[/bold], {r.window} years after: "
              f"{r.matched:,} of {r.attendances:,} attendances matched with "
              f"{r.comparison_companies:,} comparable companies ({left.no_stratum:,} without "
              f"sector group, country or size class; {left.no_comparison:,} without any "
              "comparable company)")
    table = Table(title="Attendees against comparable companies")
    for col in ("outcome", "attendees", "comparison", "difference", "95% interval", "verdict"):
        table.add_column(col, justify="right" if col in ("attendees", "comparison",
                                                          "difference") else "left")
    short = {"offers": "offers a taught competence", "crossSector": "cross-sector collaboration",
             "brokerage": "brokerage change"}
    for key, o in r.outcomes.items():
        interval = "–" if o.interval is None else \
            f"{o.interval[0]:+.3f} … {o.interval[1]:+.3f}"
        table.add_row(short.get(key, key), _num(o.attendees), _num(o.comparison),
                      _num(o.difference, signed=True), interval,
                      escape(o.verdict.split(":")[0].removesuffix(" than comparable companies")))
    out.print(table)
    out.print(f"[dim]{escape(r.caveat)} Method: {escape(r.method)}.[/dim]")


def _num(x: float | None, *, signed: bool = False) -> str:
    return "–" if x is None else (f"{x:+.3f}" if signed else f"{x:.3f}")


COMMANDS = (_trends(store_options, json_option), _compare(store_options, json_option),
            _impact(store_options, json_option))
