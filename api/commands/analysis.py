"""Brokerage and gap analysis commands (coco brokers, coco gaps, coco introductions).

A thin layer over :mod:`graph.analytics`: options map onto the keyword arguments of its functions,
``--json`` prints the JSON form of their typed results (``to_json()``), otherwise rich tables.
Bad input raises ValueError or click errors, which ``api.cli.main`` turns into one-line messages.
Tables, headings and errors are in the reader's language (``coco --lang``, ``LANG``); ``--json``
is for tools and stays as the analyses return it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from coco_atlas.api.click_words import formatted
from coco_atlas.api.commands.common import json_option, open_from, out, store_options
from coco_atlas.api.commands.search import cli_language, lang_option
from coco_atlas.graph.analytics.network import ALL_TIES, normalise_ties
from coco_atlas.viz.i18n import N_, decimal, ngettext, number, percent
from coco_atlas.viz.i18n import gettext as _
from coco_atlas.viz.words import GROUP_TEXT, value_text

if TYPE_CHECKING:
    from coco_atlas.graph.analytics.gaps import GapAnalysis

TOP = 20
YEARS = re.compile(r"^(\d{4})?(?:-(\d{4})?)?$")


def _brokers(*options: Callable[..., Any]) -> click.Command:
    db, as_json, ties = options

    @click.command("brokers", help=N_(
        "Bridging actors: Gould–Fernandez brokerage roles, Burt's constraint and effective "
        "size, betweenness."))
    @click.option("--group-by", default="sectorGroup", show_default=True,
                  help=N_("sectorGroup, country, region, nuts0…nuts3, label or an actor property."))
    @click.option("--directed", is_flag=True, help=N_("Keep the direction of partnerships."))
    @ties
    @click.option("--years", callback=_years, metavar="FROM-TO",
                  help=N_("Only ties active in these years, e.g. 2020-2024, 2022-, -2021."))
    @click.option("--first", type=click.IntRange(min=1), default=None,
                  help=formatted(N_("Only the first N brokers (by total brokerage) [default: all "
                                    "with --json, {n} in the table]."), n=TOP))
    @click.option("--between", metavar="GROUP,GROUP", callback=_pair,
                  help=N_("Only brokerage between these two groups, e.g. cci,ict."))
    @as_json
    @db
    def brokers(group_by: str, directed: bool, ties: tuple[str, ...],
                years: tuple[int | None, int | None] | None, first: int | None,
                between: tuple[str, str] | None, as_json: bool, **conn: Any) -> None:
        from coco_atlas.graph.analytics.brokerage import ROLES
        from coco_atlas.graph.analytics.brokerage import brokers as analyse

        if between is not None:
            return _between(conn, between, group_by=group_by, directed=directed, ties=ties,
                            years=years, first=first if as_json else (first or TOP),
                            as_json=as_json)
        with _store(conn) as store:
            result = analyse(store, group_by=group_by, directed=directed, ties=ties, years=years,
                             first=first if as_json else (first or TOP))
        if as_json:
            click.echo(json.dumps([{k: v for k, v in r.to_json().items() if k != "z"}
                                   for r in result.actors], indent=2, ensure_ascii=False))
            return
        title = _("Brokers by {grouping} (directed, ties: {ties})") if directed else \
            _("Brokers by {grouping} (undirected, ties: {ties})")
        table = Table(title=escape(title.format(grouping=group_by, ties=", ".join(ties))))
        for col, left in ((_("actor"), True), (_("group"), True), (_("total"), False),
                          (_("c / i / r / g / l"), False), (_("constraint"), False),
                          (_("eff. size"), False), (_("betweenness"), False)):
            table.add_column(col, justify="left" if left else "right",
                             min_width=16 if col == _("actor") else None)
        for r in result.actors:
            roles = " / ".join(number(getattr(r, k)) for k in ROLES[:-1])
            table.add_row(escape(r.name), escape(r.group), number(r.total), roles,
                          decimal(r.constraint, 3), decimal(r.effective_size, 3),
                          decimal(r.betweenness, 1))
        table.caption = escape(_("c / i / r / g / l: coordinator, itinerant, representative, "
                                 "gatekeeper, liaison"))
        _print(table)
        b = result.betweenness
        if b.method == "sampled":
            _print(escape(ngettext(
                "betweenness sampled from {n} pivot: within ±{epsilon} (±{share} of the "
                "maximum) with probability {probability}",
                "betweenness sampled from {n} pivots: within ±{epsilon} (±{share} of the "
                "maximum) with probability {probability}", b.pivots).format(
                    n=number(b.pivots), epsilon=decimal(b.epsilon, 0),
                    share=decimal(b.epsilon_normalised, 3), probability=percent(1 - b.delta))))

    return brokers


def _between(conn: dict[str, Any], pair: tuple[str, str], *, as_json: bool,
             **options: Any) -> None:
    """``coco brokers --between G,H``: who links the two groups, most first."""
    from coco_atlas.graph.analytics.brokerage import between_groups

    with _store(conn) as store:
        result = between_groups(store, pair, **options)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in result.actors], indent=2,
                              ensure_ascii=False))
        return
    table = Table(title=escape(_("Brokers between {a} and {b}").format(a=pair[0], b=pair[1])))
    for col, right in ((_("actor"), False), (_("group"), False), (_("between"), True)):
        table.add_column(col, justify="right" if right else "left")
    for r in result.actors:
        table.add_row(escape(r.name), escape(r.group), number(r.between))
    table.caption = escape(_("between: open two-paths with one end in each group"))
    _print(table)


def _pair(ctx: click.Context, param: click.Parameter, value: str | None
          ) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) != 2:
        raise click.BadParameter(_("expected two groups separated by a comma, got {value}")
                                 .format(value=repr(value)))
    return parts[0], parts[1]


def _gaps(*options: Callable[..., Any]) -> click.Command:
    db, as_json, ties, first = options

    @click.command("gaps", help=N_(
        "Competences needed versus offered: per region, or in detail for one region or hub."))
    @click.option("--region", help=N_("A NUTS region id (any level): its needs versus its offers."))
    @click.option("--hub", help=N_("A Hub id: the needs versus offers of the hub's network."))
    @click.option("--level", type=click.IntRange(0, 3), default=2, show_default=True,
                  help=N_("Without --region/--hub: one row per NUTS region of this level."))
    @ties
    @first
    @lang_option
    @as_json
    @db
    def gaps(region: str | None, hub: str | None, level: int, ties: tuple[str, ...], first: int,
             lang: str | None, as_json: bool, **conn: Any) -> None:
        from coco_atlas.graph.analytics.gaps import gap_analysis, region_gaps

        if region is None and hub is None:
            with _store(conn) as store:
                counts = region_gaps(store, level=level)
            if as_json:
                click.echo(json.dumps(counts, indent=2, ensure_ascii=False))
            else:
                _print(_region_table(counts, level))
            return
        with _store(conn) as store:
            result = gap_analysis(store, region=region, hub=hub, ties=ties, first=first,
                                  lang=cli_language(lang))
        if as_json:
            click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        else:
            _print_gap_analysis(result)

    return gaps


def _introductions(*options: Callable[..., Any]) -> click.Command:
    db, as_json, ties, first = options

    @click.command("introductions", help=N_(
        "Suggested introductions: who offers what someone else needs, and who can introduce "
        "them."))
    @click.option("--region", help=N_("Only the needs of actors in this NUTS region."))
    @click.option("--hub", help=N_("Only the needs of this hub's network."))
    @click.option("--max-hops", type=click.IntRange(min=2), default=4, show_default=True,
                  help=N_("Longest bridge searched when no broker is tied to both."))
    @ties
    @first
    @lang_option
    @as_json
    @db
    def introductions(region: str | None, hub: str | None, max_hops: int, ties: tuple[str, ...],
                      first: int, lang: str | None, as_json: bool, **conn: Any) -> None:
        from coco_atlas.graph.analytics.introductions import introductions as suggest

        with _store(conn) as store:
            result = suggest(store, region=region, hub=hub, first=first, ties=ties,
                             max_hops=max_hops, lang=cli_language(lang))
        if as_json:
            click.echo(json.dumps([s.to_json() for s in result], indent=2, ensure_ascii=False))
            return
        table = Table(title=escape(_("Suggested introductions")))
        for col, right in ((_("score"), True), (_("offerer"), False), (_("needer"), False),
                           (_("competences"), False), (_("via"), False)):
            table.add_column(col, justify="right" if right else "left")
        for s in result:
            via = ", ".join(b.name for b in s.brokers) or " → ".join(s.path)
            table.add_row(decimal(s.score, 2), escape(str(s.offerer.name)),
                          escape(str(s.needer.name)),
                          escape(", ".join(str(c.name) for c in s.competences)), escape(via))
        _print(table)

    return introductions


@contextmanager
def _store(conn: dict[str, Any]) -> Iterator[Any]:

    with open_from(conn) as store:
        yield store


def _ties(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return normalise_ties(value)
    except ValueError as e:
        raise click.BadParameter(str(e).removeprefix("ties: ")) from None


def _years(ctx: click.Context, param: click.Parameter, value: str | None
           ) -> tuple[int | None, int | None] | None:
    if value is None:
        return None
    match = YEARS.match(value.strip())
    if not match or not value.strip() or value.strip() == "-":
        raise click.BadParameter(_("expected FROM-TO years such as 2020-2024, got {value}")
                                 .format(value=repr(value)))
    first, last = (int(x) if x else None for x in match.groups())
    if "-" not in value:
        last = first
    if first is not None and last is not None and first > last:
        raise click.BadParameter(_("{first} comes after {last}").format(first=first,
                                                                         last=last))
    return first, last


def _region_table(result: dict[str, dict[str, int]], level: int) -> Table:
    table = Table(title=escape(_("Competences needed versus offered, NUTS {level} regions")
                               .format(level=level)))
    for col, left in ((_("region"), True), (_("needed"), False), (_("offered"), False),
                      (_("unmet"), False)):
        table.add_column(col, justify="left" if left else "right")
    for region, row in sorted(result.items(), key=lambda kv: (-kv[1]["unmet"], kv[0])):
        table.add_row(region, *(number(row[k]) for k in ("needed", "offered", "unmet")))
    return table


def _print_gap_analysis(result: GapAnalysis) -> None:
    from coco_atlas.graph.analytics.gaps import RegionScope

    scope = result.scope
    where = scope.region if isinstance(scope, RegionScope) else scope.hub
    _print(f"[bold]{escape(str(scope.name))}[/] " + escape(_(
        "({where}): {actors} actors need {needed} competences and offer {offered}; {unmet} "
        "needs are met by nobody inside").format(
            where=where, actors=number(result.actors), needed=number(result.needed),
            offered=number(result.offered), unmet=number(result.unmet))))
    table = Table(title=escape(_("Unmet needs and the nearest suppliers elsewhere")))
    for col, right in ((_("competence"), False), (_("demand"), True),
                       (_("nearest suppliers (hops, country)"), False), (_("trainings"), False)):
        table.add_column(col, justify="right" if right else "left")
    unknown = _("country unknown")
    for g in result.gaps:
        near = "; ".join(f"{escape(str(s.name))} "
                         f"({number(s.hops) if s.hops is not None else '∞'}, "
                         f"{escape(s.country or unknown)})"
                         for s in g.suppliers)
        train = ", ".join(f"{value_text('area', k)} {number(v)}" for k, v in g.training.items()
                          if v and k != "total")
        table.add_row(escape(str(g.competence.name)), number(g.demand), near,
                      escape(train) or escape(_("none")))
    _print(table)
    under = result.mixing.under_linked
    if under:
        _print(escape(_("Most under-linked sector groups: {pairs}").format(pairs="; ".join(
            ngettext("{a}–{b}: {n} tie, {expected} expected",
                     "{a}–{b}: {n} ties, {expected} expected", p.observed).format(
                a=_group(str(p.a)), b=_group(str(p.b)), n=number(p.observed),
                expected=decimal(p.expected, 1))
            for p in under))))


def _group(group: str) -> str:
    """A sector group in the reader's words; any other group (a country, a label) as it is."""
    return str(GROUP_TEXT[group]) if group in GROUP_TEXT else group


def _print(what: Any) -> None:

    out.print(what)


_tie_sources = click.option("--ties", default=",".join(ALL_TIES), show_default=True,
                            callback=_ties,
                            help=N_("Tie sources of the actor network, comma-separated."))
_first = click.option("--first", type=click.IntRange(min=1), default=TOP, show_default=True,
                      help=N_("How many rows to show."))
COMMANDS = (_brokers(store_options, json_option, _tie_sources),
            _gaps(store_options, json_option, _tie_sources, _first),
            _introductions(store_options, json_option, _tie_sources, _first))
