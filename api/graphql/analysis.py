"""Brokerage and gap analysis over GraphQL: ``brokers``, ``gapAnalysis``, ``sectorMixing`` and
``introductions`` on the Query root.

Typed wrappers over :mod:`graph.analytics`, which implements and cites the methods
(Gould & Fernandez 1989, Burt 1992, Brandes 2001, Newman 2003, Granovetter 1973): arguments are
checked here and refused like every other bad input (``BAD_USER_INPUT`` with ``where``,
``field``, ``expected``, ``got``); the typed results (dataclasses whose fields are named as
these types' fields, built by :func:`api.graphql.types_common.typed`) become object types whose
nodes resolve through the request's DataLoader (one batched ``get_nodes`` per step, however many
actors). The analytics are CPU-bound (sparse products, igraph), so they run in Starlette's thread
pool, as the map pages do (:mod:`api.pages`), and never block the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Optional

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from coco_atlas.api.graphql.change import period_argument
from coco_atlas.api.graphql.errors import UserError, bad_input
from coco_atlas.api.graphql.nodes import TYPES, NodeInterface, in_language, reader_language
from coco_atlas.api.graphql.paths import MAX_HOPS
from coco_atlas.api.graphql.relations import check_first
from coco_atlas.api.graphql.results import load_object, load_objects
from coco_atlas.api.graphql.types_common import schema_enum, typed, value_of
from coco_atlas.graph.analytics import brokerage, gaps, introductions, mixing
from coco_atlas.graph.analytics.groups import REGION, group_choices
from coco_atlas.graph.analytics.network import ALL_TIES
from coco_atlas.graph.query import MAX_PAGE
from coco_atlas.schema.messages import N_, Msg
from coco_atlas.viz.i18n import current, use

__all__ = ["FIELDS"]

BROKERS_FIRST = 20  # default page of brokers, gaps and introductions (the CLI's table size)
MIXING_FIRST = 5  # under-linked pairs listed by default
SUPPLIERS = 3  # nearest suppliers listed per unmet need by default
MAX_SUPPLIERS = 100
INTRODUCTION_HOPS = 4  # longest bridge searched by default

TieSource = strawberry.enum(
    schema_enum("TieSource", ALL_TIES),
    description="Sources of ties of the actor network (docs/analysis.md): partners "
    "(PARTNERS_WITH), collaborations (shared PARTICIPATES_IN), membership (MEMBER_OF).")

ActorGrouping = strawberry.enum(
    schema_enum("ActorGrouping", group_choices()),
    description="How actors are grouped: sectorGroup (cci, advanced-manufacturing, ict, other, "
    "from the primary NACE sector), region (where located), nuts0…nuts3 (that region lifted to "
    "a NUTS level), label, or an actor property. Actors without a value form the group "
    "'unknown'.")

EVERY_TIE = [TieSource(t) for t in ALL_TIES]
Competence = TYPES[gaps.COMPETENCE]


@strawberry.input(description="Years, both ends included; a missing end is open.")
class YearRange:
    from_: Optional[int] = strawberry.field(default=None, name="from")  # noqa: UP045
    to: Optional[int] = None  # noqa: UP045


# -- brokers -----------------------------------------------------------------------------------
@strawberry.type(description="One value per Gould–Fernandez brokerage role (null: undefined).")
class RoleScores:
    coordinator: Optional[float]  # noqa: UP045
    itinerant: Optional[float]  # noqa: UP045
    representative: Optional[float]  # noqa: UP045
    gatekeeper: Optional[float]  # noqa: UP045
    liaison: Optional[float]  # noqa: UP045
    total: Optional[float]  # noqa: UP045


@strawberry.type(description=(
    "An actor's brokerage: open two-paths a → actor → b by the groups of the three "
    "(Gould & Fernandez 1989), Burt's constraint and effective size, betweenness."))
class Broker:
    node_id: strawberry.Private[str]
    group: str
    coordinator: int = strawberry.field(description="A → A → A: within its own group.")
    itinerant: int = strawberry.field(description="A → B → A: between members of another group.")
    representative: int = strawberry.field(description="A → A → B: its group to another.")
    gatekeeper: int = strawberry.field(description="A → B → B: another group into its own.")
    liaison: int = strawberry.field(description="A → B → C: between two other groups.")
    total: int = strawberry.field(description="All five roles.")
    constraint: Optional[float] = strawberry.field(  # noqa: UP045
        description="Burt's constraint (null without ties).")
    effective_size: Optional[float] = strawberry.field(  # noqa: UP045
        description="Burt's effective size (null without ties).")
    betweenness: float = strawberry.field(description=(
        "Shortest paths between other actors through this one (Freeman 1977), exact or "
        "sampled: see BrokerageResult.betweenness."))
    z: RoleScores = strawberry.field(description=(
        "z-scores of the role counts against a random network of the same density and group "
        "sizes (sna::brokerage); null where chance allows no variation."))

    @strawberry.field(description="The actor (a Hub or a Company).")
    async def node(self, info: Info) -> NodeInterface:
        return await _node(info, self.node_id)


@strawberry.type(description="Expected role counts of a broker of one group, and their sd.")
class GroupMoments:
    group: str
    size: int = strawberry.field(description="Actors in the group.")
    expected: RoleScores
    sd: RoleScores


@strawberry.type(description="How betweenness was computed and how far off it may be.")
class BetweennessEstimate:
    method: str = strawberry.field(description="exact, or sampled (Brandes & Pich 2007).")
    cross_group: bool = strawberry.field(description="Only paths between different groups.")
    pivots: int = strawberry.field(description="Source actors used (all when exact).")
    epsilon: float = strawberry.field(description=(
        "With probability 1 − delta every value is within ± epsilon (0 when exact)."))
    epsilon_normalised: float = strawberry.field(
        description="epsilon relative to the largest possible betweenness.")
    delta: float


@strawberry.type(description="The brokerage analysis of the actor network.")
class BrokerageResult:
    group_by: ActorGrouping
    directed: bool
    ties: list[TieSource]
    density: float = strawberry.field(description="Arcs / (N (N − 1)).")
    actor_count: int = strawberry.field(description="Actors in the network (not only listed).")
    actors: list[Broker] = strawberry.field(description="Most brokerage (total) first, then id.")
    groups: list[GroupMoments]
    betweenness: BetweennessEstimate


# -- mixing ------------------------------------------------------------------------------------
@strawberry.type(description="Ties between two groups (a ≤ b), observed and expected.")
class MixingPair:
    a: str
    b: str
    observed: int
    expected: float = strawberry.field(description="Under random mixing with the same tie ends.")
    ratio: Optional[float] = strawberry.field(  # noqa: UP045
        description="observed / expected (below 1: under-linked; null if none expected).")


@strawberry.type(description="Observed versus expected ties between groups (Newman 2003).")
class Mixing:
    group_by: ActorGrouping
    ties: int = strawberry.field(description="Ties counted, each pair of actors once.")
    assortativity: Optional[float] = strawberry.field(  # noqa: UP045
        description="Newman's r: 1 all ties within groups, 0 random, negative across.")
    pairs: list[MixingPair] = strawberry.field(description="Every pair of groups.")
    under_linked: list[MixingPair] = strawberry.field(
        description="The pairs of different groups with the lowest ratio, lowest first.")


# -- gaps --------------------------------------------------------------------------------------
@strawberry.type(description="A competence needed in the scope: demand, supply and their ratio.")
class CompetenceBalance:
    competence_id: strawberry.Private[str]
    lang: strawberry.Private[Optional[str]]  # noqa: UP045
    demand: int = strawberry.field(description="Actors in the scope that need it.")
    supply: int = strawberry.field(description="Actors in the scope that offer it.")
    ratio: float = strawberry.field(description="supply / demand.")

    @strawberry.field
    async def competence(self, info: Info) -> Competence:
        return in_language(await _node(info, self.competence_id), self.lang)


@strawberry.type(description="An actor outside the scope that offers an unmet need.")
class Supplier:
    node_id: strawberry.Private[str]
    hops: Optional[int] = strawberry.field(  # noqa: UP045
        description="Ties from the nearest actor that needs it (null: out of reach).")
    country: Optional[str]  # noqa: UP045

    @strawberry.field
    async def node(self, info: Info) -> NodeInterface:
        return await _node(info, self.node_id)


@strawberry.type(description="Trainings of one area.")
class AreaCount:
    area: str
    trainings: int


@strawberry.type(description="Trainings that teach a competence, per training area.")
class TrainingCoverage:
    total: int
    areas: list[AreaCount]


@strawberry.type(description="A competence needed in the scope that nobody in it offers.")
class Gap:
    competence_id: strawberry.Private[str]
    needer_ids: strawberry.Private[list[str]]
    lang: strawberry.Private[Optional[str]]  # noqa: UP045
    demand: int = strawberry.field(description="Actors in the scope that need it.")
    suppliers: list[Supplier] = strawberry.field(description="Nearest first, then by id.")
    training: TrainingCoverage

    @strawberry.field
    async def competence(self, info: Info) -> Competence:
        return in_language(await _node(info, self.competence_id), self.lang)

    @strawberry.field(description=f"Actors that need it (at most {gaps.NEEDERS_SHOWN}).")
    async def needers(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, self.needer_ids)


@strawberry.type(description="Competences needed versus offered in a region or a hub's network.")
class GapAnalysis:
    scope_id: strawberry.Private[str]
    level: Optional[int] = strawberry.field(  # noqa: UP045
        description="The NUTS level of a region scope (null for a hub).")
    actors: int = strawberry.field(description="Actors in the scope.")
    needed: int = strawberry.field(description="Distinct competences needed in the scope.")
    offered: int = strawberry.field(description="Distinct competences offered in the scope.")
    unmet: int = strawberry.field(description="Needed in the scope, offered by nobody in it.")
    ratio: Optional[float] = strawberry.field(description="offered / needed.")  # noqa: UP045
    coverage: Optional[float] = strawberry.field(  # noqa: UP045
        description="Share of the needed competences offered inside.")
    competences: list[CompetenceBalance] = strawberry.field(
        description="The most needed competences (at most `first`).")
    gaps: list[Gap] = strawberry.field(description="Unmet needs, most needed first (`first`).")
    mixing: Mixing = strawberry.field(description="Ties between sector groups in the scope.")

    @strawberry.field(description="The region, or the hub whose members and partners count.")
    async def scope(self, info: Info) -> NodeInterface:
        return await _node(info, self.scope_id)


# -- introductions -----------------------------------------------------------------------------
@strawberry.type(description=(
    "A suggested introduction: the offerer offers what the needer needs and they are not "
    "tied; brokers are tied to both, or else the path is the shortest bridge."))
class Introduction:
    found: strawberry.Private[introductions.Introduction]
    lang: strawberry.Private[Optional[str]]  # noqa: UP045
    score: float = strawberry.field(
        description="matched × (1 + ln brokers) / (hops − 1): highest first.")
    hops: int = strawberry.field(description="Ties between them (2: brokered).")
    explanation: str

    @strawberry.field
    async def offerer(self, info: Info) -> NodeInterface:
        return await _node(info, self.found.offerer.id)

    @strawberry.field
    async def needer(self, info: Info) -> NodeInterface:
        return await _node(info, self.found.needer.id)

    @strawberry.field(description="The needer's needs that the offerer offers.")
    async def competences(self, info: Info) -> list[Competence]:
        return [in_language(c, self.lang)
                for c in await load_objects(info, [c.id for c in self.found.competences])]

    @strawberry.field(description="Actors tied to both (empty for a bridge).")
    async def brokers(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, [b.id for b in self.found.brokers])

    @strawberry.field(description="The actors from the offerer to the needer.")
    async def path(self, info: Info) -> list[NodeInterface]:
        return await load_objects(info, self.found.path)


# -- the root fields ---------------------------------------------------------------------------
async def resolve_brokers(
    info: Info, group_by: ActorGrouping = ActorGrouping["sectorGroup"],
    directed: bool = False, ties: list[TieSource] = EVERY_TIE,
    years: Optional[YearRange] = None, first: int = BROKERS_FIRST,  # noqa: UP045
    as_of: Optional[str] = None, during: Optional[str] = None,  # noqa: UP045
) -> BrokerageResult:
    check_first("brokers", first)
    kwargs = {"group_by": value_of(group_by), "directed": directed,
              "ties": _ties("brokers", ties), "years": _years("brokers", years), "first": first,
              "during": period_argument("brokers", as_of, during)}
    r: brokerage.BrokerageResult = await _run(brokerage.brokers, info, **kwargs)
    return typed(
        BrokerageResult, r, group_by=ActorGrouping(r.group_by),
        ties=[TieSource(t) for t in r.ties],
        actor_count=sum(m.size for m in r.groups.values()),
        actors=[typed(Broker, a, node_id=a.id, z=_scores(a.z)) for a in r.actors],
        groups=[typed(GroupMoments, m, group=g, expected=_scores(m.expected), sd=_scores(m.sd))
                for g, m in r.groups.items()],
        betweenness=typed(BetweennessEstimate, r.betweenness))


async def resolve_sector_mixing(
    info: Info, group_by: ActorGrouping = ActorGrouping["sectorGroup"],
    ties: list[TieSource] = EVERY_TIE,
    years: Optional[YearRange] = None, first: int = MIXING_FIRST,  # noqa: UP045
    as_of: Optional[str] = None, during: Optional[str] = None,  # noqa: UP045
) -> Mixing:
    check_first("sectorMixing", first)
    r: mixing.SectorMixing = await _run(
        mixing.sector_mixing, info, group_by=value_of(group_by),
        ties=_ties("sectorMixing", ties), years=_years("sectorMixing", years), first=first,
        during=period_argument("sectorMixing", as_of, during))
    return _mixing(r, r.group_by)


async def resolve_gap_analysis(
    info: Info, region: Optional[strawberry.ID] = None,  # noqa: UP045
    hub: Optional[strawberry.ID] = None,  # noqa: UP045
    ties: list[TieSource] = EVERY_TIE,
    first: int = BROKERS_FIRST, suppliers: int = SUPPLIERS,
    max_hops: Optional[int] = None,  # noqa: UP045
    as_of: Optional[str] = None, during: Optional[str] = None,  # noqa: UP045
    lang: Optional[str] = None,  # noqa: UP045
) -> GapAnalysis:
    check_first("gapAnalysis", first)
    asker = _asker(info, lang)
    if not 0 <= suppliers <= MAX_SUPPLIERS:
        raise bad_input("gapAnalysis", "suppliers", _range(0, MAX_SUPPLIERS), suppliers)
    if max_hops is not None and not 1 <= max_hops <= MAX_HOPS:
        raise bad_input("gapAnalysis", "maxHops",
                        Msg(N_("from {low} to {high}, or null"), low=1, high=MAX_HOPS), max_hops)
    if region is None and hub is None:
        raise bad_input("gapAnalysis", "region", N_("a region id, or a hub id in `hub`"))
    scope = await _scope(info, "gapAnalysis", region, hub)
    r: gaps.GapAnalysis = await _run(
        gaps.gap_analysis, info, **scope, ties=_ties("gapAnalysis", ties), first=first,
        suppliers=suppliers, max_hops=max_hops,
        during=period_argument("gapAnalysis", as_of, during), lang=asker)
    scope_id, level = (r.scope.region, r.scope.level) if isinstance(r.scope, gaps.RegionScope) \
        else (r.scope.hub, None)
    return typed(
        GapAnalysis, r, scope_id=scope_id, level=level,
        competences=[typed(CompetenceBalance, c, competence_id=c.id, lang=asker)
                     for c in r.competences],
        gaps=[typed(Gap, g, competence_id=g.competence.id, needer_ids=g.needers, lang=asker,
                    suppliers=[typed(Supplier, s, node_id=s.id) for s in g.suppliers],
                    training=_coverage(g.training))
              for g in r.gaps],
        mixing=_mixing(r.mixing, "sectorGroup"))


async def resolve_introductions(
    info: Info, first: int = BROKERS_FIRST, region: Optional[strawberry.ID] = None,  # noqa: UP045
    hub: Optional[strawberry.ID] = None,  # noqa: UP045
    ties: list[TieSource] = EVERY_TIE,
    max_hops: int = INTRODUCTION_HOPS,
    as_of: Optional[str] = None, during: Optional[str] = None,  # noqa: UP045
    lang: Optional[str] = None,  # noqa: UP045
) -> list[Introduction]:
    asker = _asker(info, lang)
    if not 1 <= first <= MAX_PAGE:
        raise bad_input("introductions", "first",
                        Msg(N_("a page size from {low} to {high}"), low=1, high=MAX_PAGE), first)
    if not 2 <= max_hops <= MAX_HOPS:
        raise bad_input("introductions", "maxHops", _range(2, MAX_HOPS), max_hops)
    scope = await _scope(info, "introductions", region, hub)
    found: list[introductions.Introduction] = await _run(
        introductions.introductions, info, **scope, first=first,
        ties=_ties("introductions", ties), max_hops=max_hops,
        during=period_argument("introductions", as_of, during), lang=asker)
    with use(asker):  # the explanation in the asker's words, as its competences' names
        return [typed(Introduction, s, found=s, lang=asker, explanation=str(s.explanation))
                for s in found]


FIELDS: dict[str, Any] = {
    "brokers": strawberry.field(resolver=resolve_brokers, name="brokers", description=(
        "Who bridges the ecosystem: Gould–Fernandez brokerage roles with z-scores, Burt's "
        "constraint and effective size, and betweenness of every actor (hubs and companies) of "
        "the actor network built from `ties` (all by default), grouped by `groupBy`; the "
        f"`first` (default {BROKERS_FIRST}) actors with most brokerage. docs/analysis.md "
        "explains the measures. `asOf` (a day) or `during` (a period) takes the network as it "
        "stood then; every analysis field takes them.")),
    "gap_analysis": strawberry.field(resolver=resolve_gap_analysis, name="gapAnalysis",
                                     description=(
        "Competences needed versus offered by the actors of a NUTS region (any level) or of a "
        "hub's network (the hub, its members and partners): unmet needs with their nearest "
        "suppliers elsewhere (within `maxHops` ties, default unlimited) and the trainings "
        "that teach them, and the mixing of sector groups inside. Give `region` or `hub`. "
        "Needs and offers meet on the concept, whatever language each was written in; `lang` "
        "(BCP 47, default: Accept-Language) names the competences in that language.")),
    "sector_mixing": strawberry.field(resolver=resolve_sector_mixing, name="sectorMixing",
                                      description=(
        "Observed versus expected ties between groups of actors over the whole actor network "
        "(Newman 2003), with the `first` most under-linked pairs.")),
    "introductions": strawberry.field(resolver=resolve_introductions, name="introductions",
                                      description=(
        "Suggested introductions, best first: an actor offers what another (in `region` or "
        "`hub`'s network, or anywhere) needs, they are not tied, and a broker is tied to both "
        f"or a bridge of at most `maxHops` ties (default {INTRODUCTION_HOPS}) joins them. A "
        "need and an offer match on the concept, in whatever language each was written; "
        "`lang` (BCP 47, default: Accept-Language) names competences in the explanation and "
        "in `competences { name }`.")),
}


# -- helpers -----------------------------------------------------------------------------------
def _asker(info: Info, lang: str | None) -> str:
    """The language an analysis answers in: ``lang`` (checked), else the request's language as
    the service chose it for the whole response (``?lang=``, the reader's saved choice,
    ``Accept-Language``: :mod:`api.i18n`), else English. Competence names and explanations
    follow it, as the errors of the same request do."""
    return reader_language(info, lang) if lang is not None else current()


def _range(low: int, high: int) -> Msg:
    return Msg(N_("from {low} to {high}"), low=low, high=high)


async def _run(fn: Callable[..., Any], info: Info, **kwargs: Any) -> Any:
    """One analytics function on the request's store, in the thread pool."""
    return await run_in_threadpool(fn, info.context.store, **kwargs)


async def _node(info: Info, node_id: str) -> Any:
    obj = await load_object(info, node_id)
    if obj is None:
        raise UserError(Msg(N_("node {id} no longer exists"), id=repr(node_id)), code="NOT_FOUND")
    return obj


def _ties(where: str, ties: Sequence[Any]) -> tuple[str, ...]:
    if not ties:
        raise bad_input(where, "ties", Msg(N_("one or more of {choices}"),
                                           choices=", ".join(ALL_TIES)), [])
    return tuple(dict.fromkeys(t.value for t in ties))


def _years(where: str, years: YearRange | None) -> tuple[int | None, int | None] | None:
    if years is None or (years.from_ is None and years.to is None):
        return None
    if years.from_ is not None and years.to is not None and years.from_ > years.to:
        raise bad_input(where, "years", N_("`from` no later than `to`"),
                        f"from {years.from_} to {years.to}")
    return years.from_, years.to


async def _scope(info: Info, where: str, region: str | None, hub: str | None
                 ) -> dict[str, str | None]:
    """``{"region": …, "hub": …}`` once each given id is a node of the right label."""
    if region is not None and hub is not None:
        raise bad_input(where, "hub", N_("either `region` or `hub`, not both"), str(hub))
    for field, value, label in (("region", region, REGION), ("hub", hub, gaps.HUB)):
        if value is not None:
            node = await info.context.loaders.nodes.load(str(value))
            if node is None or node.label != label:
                raise bad_input(where, field, Msg(N_("the id of a {label}"), label=Msg(label)),
                                str(value))
    return {"region": None if region is None else str(region),
            "hub": None if hub is None else str(hub)}


def _scores(scores: brokerage.RoleScores) -> RoleScores:
    return typed(RoleScores, scores)


def _mixing(m: mixing.Mixing, group_by: str) -> Mixing:
    return typed(Mixing, m, group_by=ActorGrouping(group_by),
                 pairs=[typed(MixingPair, p) for p in m.pairs],
                 under_linked=[typed(MixingPair, p) for p in m.under_linked])


def _coverage(training: dict[str, int]) -> TrainingCoverage:
    """``{area: trainings, …, "total": n}`` (graph.analytics.gaps.training_coverage) as a type."""
    return TrainingCoverage(total=training["total"], areas=[
        AreaCount(area=a, trainings=n) for a, n in training.items() if a != "total"])
