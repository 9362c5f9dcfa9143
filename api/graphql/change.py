"""Change over time over GraphQL: ``trends``, ``compare`` and ``trainingImpact`` on the Query
root, and the ``asOf``/``during`` arguments the analysis fields share.

Typed wrappers over :mod:`graph.analytics.change` and :mod:`graph.analytics.impact` (which cite
their methods); the answers are their typed results (the ``coco trends|compare|impact --json``
data), built by :func:`api.graphql.types_common.typed`, with actors, regions and competences as
nodes resolved through the request's DataLoader. The analyses are
CPU-bound and run in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Optional

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from coco_atlas.api.graphql.errors import bad_input
from coco_atlas.api.graphql.nodes import NodeInterface
from coco_atlas.api.graphql.results import load_object, load_objects
from coco_atlas.api.graphql.types_common import typed
from coco_atlas.graph.analytics import change, impact
from coco_atlas.graph.timeline import Period, PeriodError
from coco_atlas.schema import TRAINING_AREAS
from coco_atlas.schema.messages import N_, Msg

__all__ = ["FIELDS", "period_argument"]

MAX_YEARS = 50  # periods of a trends query
MAX_FIRST = 200  # items per kind of change
MAX_WINDOW = 10

PERIOD_HELP = N_("a year (2020), years (2019-2021, 2019-, -2021) or days "
                 "(2019-03-01..2020-06-30)")


def period_argument(where: str, as_of: str | None, during: str | None) -> Period | None:
    """The period of ``asOf`` (one day; a year means its last day) or ``during``."""
    if as_of is not None and during is not None:
        raise bad_input(where, "during", N_("either `asOf` or `during`, not both"), during)
    try:
        if as_of is not None:
            return Period.as_of(as_of)
        return None if during is None else Period.parse(during, "during")
    except PeriodError as e:
        field = "asOf" if as_of is not None else "during"
        raise bad_input(where, field, N_("a day YYYY-MM-DD or a year") if as_of is not None
                        else PERIOD_HELP, as_of if as_of is not None else during) from e


# -- trends ------------------------------------------------------------------------------------
@strawberry.type(description="Cross-sector ties observed against those expected if actors "
                             "tied at random with the same tie ends (Newman 2003).")
class MixingFigures:
    observed: int
    expected: float
    ratio: Optional[float]  # noqa: UP045
    assortativity: Optional[float]  # noqa: UP045


@strawberry.type(description="An actor ranked by total brokerage between sector groups.")
class RankedBroker:
    node_id: strawberry.Private[str]
    rank: int
    previous_rank: Optional[int] = strawberry.field(description=(  # noqa: UP045
        "Its rank in the period before (null: not ranked then)."))
    total: int
    group: str

    @strawberry.field
    async def actor(self, info: Info) -> Optional[NodeInterface]:  # noqa: UP045
        return await load_object(info, self.node_id)


@strawberry.type(description="A count per group or region.")
class GroupCount:
    key: str
    actors: int = 0
    ties: int = 0
    cross_sector_ties: int = 0
    open_gaps: int = 0


@strawberry.type(description="The ecosystem in one period (docs/analysis.md, 'Change over "
                             "time').")
class TrendPeriod:
    from_: int = strawberry.field(name="from")
    to: int
    actors: int
    ties: int
    density: float
    cross_sector_ties: int
    cross_sector_share: Optional[float] = strawberry.field(description=(  # noqa: UP045
        "Of the ties whose two actors have a sector group."))
    mixing: MixingFigures
    top_brokers: list[RankedBroker]
    open_gaps: int
    open_gaps_by_region: list[GroupCount]
    groups: Optional[list[GroupCount]]  # noqa: UP045


@strawberry.type
class Trends:
    from_: int = strawberry.field(name="from")
    to: int
    step: int
    group_by: Optional[str]  # noqa: UP045
    level: int
    periods: list[TrendPeriod]


# -- compare -----------------------------------------------------------------------------------
@strawberry.type(description="What ties two actors: a partnership or membership with its "
                             "years, or a collaboration both took part in, with its dates.")
class TieEvidence:
    kind: str
    since: Optional[int] = None  # noqa: UP045
    until: Optional[int] = None  # noqa: UP045
    collaboration_id: strawberry.Private[Optional[str]] = None  # noqa: UP045
    start_date: Optional[str] = None  # noqa: UP045
    end_date: Optional[str] = None  # noqa: UP045

    @strawberry.field
    async def collaboration(self, info: Info) -> Optional[NodeInterface]:  # noqa: UP045
        return None if self.collaboration_id is None else \
            await load_object(info, self.collaboration_id)


@strawberry.type(description="A tie that began or ended between the two periods.")
class TieChange:
    ids: strawberry.Private[tuple[str, str]]
    groups: list[str]
    cross_sector: bool
    strength: float
    evidence: list[TieEvidence]

    @strawberry.field(description="The two actors (ids in order).")
    async def actors(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, list(self.ids))


@strawberry.type(description="An actor whose brokerage rose, with the groups it now connects.")
class BridgeChange:
    node_id: strawberry.Private[str]
    group: str
    before: int
    after: int
    rise: int
    connects: list[str]

    @strawberry.field
    async def actor(self, info: Info) -> Optional[NodeInterface]:  # noqa: UP045
        return await load_object(info, self.node_id)


@strawberry.type(description="A competence needed in a region and offered by nobody there.")
class GapChange:
    region_id: strawberry.Private[str]
    competence_id: strawberry.Private[str]

    @strawberry.field
    async def region(self, info: Info) -> Optional[NodeInterface]:  # noqa: UP045
        return await load_object(info, self.region_id)

    @strawberry.field
    async def competence(self, info: Info) -> Optional[NodeInterface]:  # noqa: UP045
        return await load_object(info, self.competence_id)


@strawberry.type
class ComparisonCounts:
    new_ties: int
    ended_ties: int
    new_cross_sector_ties: int
    ended_cross_sector_ties: int
    new_actors: int
    gone_actors: int
    gaps_closed: int
    gaps_opened: int


@strawberry.type(description="Two periods side by side (docs/analysis.md, 'Change over time').")
class PeriodComparison:
    before: str
    after: str
    region: Optional[str]  # noqa: UP045
    counts: ComparisonCounts
    new_ties: list[TieChange]
    ended_ties: list[TieChange]
    new_bridges: list[BridgeChange]
    gaps_closed: list[GapChange]
    gaps_opened: list[GapChange]
    new_actor_ids: strawberry.Private[list[str]]

    @strawberry.field(description="Actors of the later period absent from the earlier one.")
    async def new_actors(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, self.new_actor_ids)


# -- impact ------------------------------------------------------------------------------------
@strawberry.type(description="One outcome: attendees against comparable companies.")
class ImpactOutcome:
    name: str
    text: str
    attendees: Optional[float]  # noqa: UP045
    comparison: Optional[float]  # noqa: UP045
    difference: Optional[float]  # noqa: UP045
    interval: Optional[list[float]] = strawberry.field(description=(  # noqa: UP045
        "Percentile bootstrap 95% interval of the difference (null: too few to tell)."))
    verdict: str


@strawberry.type(description="Did the trainings help? (docs/analysis.md, 'Did the trainings "
                             "help?')")
class TrainingImpact:
    training: Optional[str]  # noqa: UP045
    area: Optional[str]  # noqa: UP045
    window: int
    method: str
    attendances: int
    matched: int
    left_out_without_stratum: int
    left_out_without_comparison: int
    comparison_companies: int
    outcomes: list[ImpactOutcome]
    caveat: str


# -- resolvers ---------------------------------------------------------------------------------
async def _run(fn: Callable[..., Any], info: Info, where: str, **kwargs: Any) -> Any:
    try:
        return await run_in_threadpool(fn, info.context.store, **kwargs)
    except ValueError as e:  # the analyses name the argument first: "region: 'X' is not…"
        # the field from the English text (a name, the same in every language), what was
        # expected in the request's (the message is a Msg; its translation keeps "{field}: ")
        english = str.__str__(e.args[0]) if e.args and isinstance(e.args[0], str) else str(e)
        field = english.partition(": ")[0]
        expected = str(e).partition(": ")[2] if ": " in english else ""
        raise bad_input(where, field.split()[-1], expected or str(e)) from e


async def resolve_trends(info: Info, from_: Annotated[int, strawberry.argument(name="from")],
                         to: int, by: int = 1, group_by: Optional[str] = None,  # noqa: UP045
                         level: int = 2, top: int = 5) -> Trends:
    if not 1 <= to - from_ + 1 <= MAX_YEARS:
        raise bad_input("trends", "to", Msg(N_("a year from `from` to `from` + {n}"),
                                            n=MAX_YEARS - 1), to)
    if not 1 <= top <= MAX_FIRST:
        raise bad_input("trends", "top", _range(1, MAX_FIRST), top)
    r: change.Trends = await _run(change.trends, info, "trends", first=from_, last=to,
                                  step=by, group_by=group_by, top=top, level=level)
    return typed(Trends, r, periods=[_trend(p) for p in r.periods])


def _trend(p: change.TrendPeriod) -> TrendPeriod:
    return typed(
        TrendPeriod, p, mixing=typed(MixingFigures, p.mixing),
        top_brokers=[typed(RankedBroker, b, node_id=b.id) for b in p.top_brokers],
        open_gaps_by_region=[GroupCount(key=k, open_gaps=v)
                             for k, v in p.open_gaps_by_region.items()],
        groups=None if p.groups is None else [typed(GroupCount, v, key=k)
                                              for k, v in p.groups.items()])


async def resolve_compare(info: Info, before: str, after: str,
                          region: Optional[strawberry.ID] = None,  # noqa: UP045
                          level: int = 2, first: int = 20) -> PeriodComparison:
    periods = []
    for name, text in (("before", before), ("after", after)):
        try:
            periods.append(Period.parse(text, name))
        except PeriodError as e:
            raise bad_input("compare", name, PERIOD_HELP, text) from e
    if not 1 <= first <= MAX_FIRST:
        raise bad_input("compare", "first", _range(1, MAX_FIRST), first)
    r: change.Comparison = await _run(
        change.compare, info, "compare", before=periods[0], after=periods[1],
        region=None if region is None else str(region), level=level, first=first)
    return typed(
        PeriodComparison, r, counts=typed(ComparisonCounts, r.counts),
        new_ties=[_tie(t) for t in r.new_ties], ended_ties=[_tie(t) for t in r.ended_ties],
        new_bridges=[typed(BridgeChange, b, node_id=b.id) for b in r.new_bridges],
        gaps_closed=[_gap(g) for g in r.gaps_closed],
        gaps_opened=[_gap(g) for g in r.gaps_opened],
        new_actor_ids=[a.id for a in r.new_actors])


def _tie(t: change.TieChange) -> TieChange:
    return typed(TieChange, t, ids=(t.a.id, t.b.id), groups=[t.a.group, t.b.group], evidence=[
        typed(TieEvidence, e, collaboration_id=getattr(e, "collaboration", None))
        for e in t.evidence])


def _gap(g: change.GapChange) -> GapChange:
    return GapChange(region_id=g.region, competence_id=g.competence)


async def resolve_training_impact(
    info: Info, training: Optional[strawberry.ID] = None,  # noqa: UP045
    area: Optional[str] = None, window: int = 2, seed: int = 0,  # noqa: UP045
) -> TrainingImpact:
    if training is not None and area is not None:
        raise bad_input("trainingImpact", "area", N_("either `training` or `area`, not both"),
                        area)
    if area is not None and area not in TRAINING_AREAS:
        raise bad_input("trainingImpact", "area", Msg(N_("one of {choices}"),
                                                      choices=", ".join(TRAINING_AREAS)), area)
    if not 1 <= window <= MAX_WINDOW:
        raise bad_input("trainingImpact", "window",
                        Msg(N_("from {low} to {high} years"), low=1, high=MAX_WINDOW), window)
    r: impact.Impact = await _run(impact.impact, info, "trainingImpact",
                                  training=None if training is None else str(training),
                                  area=area, window=window, seed=seed)
    return typed(  # the texts in the request's language (str() words a Msg now)
        TrainingImpact, r, left_out_without_stratum=r.left_out.no_stratum,
        left_out_without_comparison=r.left_out.no_comparison, method=str(r.method),
        caveat=str(r.caveat),
        outcomes=[typed(ImpactOutcome, o, name=k, text=str(o.text), verdict=str(o.verdict))
                  for k, o in r.outcomes.items()])


def _range(low: int, high: int) -> Msg:
    return Msg(N_("from {low} to {high}"), low=low, high=high)


FIELDS: dict[str, Any] = {
    "trends": strawberry.field(resolver=resolve_trends, name="trends", description=(
        "Per period of `by` years from `from` to `to`: actors, ties, cross-sector ties and "
        "share, mixing against random expectation, density, top brokers with their previous "
        "rank, open gaps per NUTS `level` region; with `groupBy` (sectorGroup, country, "
        "region) actors and ties per group. The same data as `coco trends --json`.")),
    "compare": strawberry.field(resolver=resolve_compare, name="compare", description=(
        "Two periods side by side (`before`, `after`: " + PERIOD_HELP + "): new and ended ties "
        "(cross-sector first) with their evidence, new bridges, gaps closed and opened, new "
        "actors; within a NUTS `region` when given. As `coco compare --json`.")),
    "training_impact": strawberry.field(resolver=resolve_training_impact, name="trainingImpact",
                                        description=(
        "Attendees of one training (`training`), an area's trainings (`area`) or all, against "
        "companies of the same sector group, country and size class that attended nothing, "
        "over `window` years: the difference with a bootstrap 95% interval, or 'too few to "
        "tell'. As `coco impact --json`.")),
}
