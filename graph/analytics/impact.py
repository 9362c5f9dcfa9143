"""Did the trainings help? Attendees against comparable companies that attended nothing.

For every attendance — a company ``c`` ATTENDED training ``t`` in year ``y`` (the edge's year,
else the training's start year) — three outcomes are read in the ``window`` years after it,
``(y, y + window]``:

* **offers** — ``c`` starts to offer a competence ``t`` TEACHES (an OFFERS whose ``since`` lies
  in the window, for a competence it did not offer in ``y``);
* **crossSector** — ``c`` takes part in a collaboration that starts in the window and has a
  participant of another (known) sector group;
* **brokerage** — the change of ``c``'s total brokerage between sector groups (Gould & Fernandez
  1989) from the network of year ``y`` to that of year ``y + window``.

The comparison group of an attendance is every company with the same sector group, country
and size class — exact matching on these strata, the finest case of coarsened exact matching
(Iacus, King & Porro 2012, "Causal inference without balance checking: coarsened exact
matching", Political Analysis 20(1), 1–24) — that exists in ``y`` and attended no training
from ``y − window`` to ``y + window``; its outcomes are read over the same window, for the same
competences. The effect is the average over attendances of (attendee's outcome − the mean of
its comparison group): the average effect on the treated (ATT). Attendances without a
comparable company, or whose company lacks a sector group, country or size class, are counted
and left out.

The 95 % confidence interval is a percentile bootstrap (Efron & Tibshirani 1993, *An
Introduction to the Bootstrap*, ch. 13): attendances are resampled, and within each, its
comparison group, ``reps`` times with a fixed seed. With fewer than :data:`MIN_MATCHED`
matched attendances or comparison companies the report says the groups are too small to tell
instead of giving an interval. Matching on three attributes removes only the differences they
explain: firms that choose to attend may differ in ways the data does not record, so the
result is an association, not proof of an effect — the report says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coco_atlas.graph.analytics.brokerage import brokerage_roles
from coco_atlas.graph.analytics.groups import UNKNOWN, actor_groups, sector_groups
from coco_atlas.graph.analytics.network import ACTORS, NAME, TIES, actor_network
from coco_atlas.graph.analytics.results import Result
from coco_atlas.graph.store import Store
from coco_atlas.graph.timeline import Period
from coco_atlas.schema import SCHEMA, TRAINING_AREAS
from coco_atlas.schema.messages import N_, Msg

__all__ = ["MIN_MATCHED", "OUTCOMES", "Impact", "LeftOut", "Outcome", "impact"]

COMPANY = SCHEMA.label("Company").name
TRAINING = SCHEMA.label("Training").name
COMPETENCE = SCHEMA.label("Competence").name
COLLABORATION = SCHEMA.label("Collaboration").name
ATTENDED, TEACHES, OFFERS = (SCHEMA.rel(r).name for r in ("ATTENDED", "TEACHES", "OFFERS"))
PARTICIPATES = TIES["collaborations"]
LIFETIME = SCHEMA.validity(COMPANY)
OFFER_TIME = SCHEMA.validity(OFFERS)
ATTEND_YEAR = SCHEMA.validity(ATTENDED).start
STRATA = ("sectorGroup", "country", "sizeClass")
OUTCOMES = ("offers", "crossSector", "brokerage")
OUTCOME_TEXT = {  # Msg: worded where shown (GraphQL, the CLI); the JSON keeps the English
    "offers": Msg(N_("share that start to offer a competence the training teaches")),
    "crossSector": Msg(N_("share that join a cross-sector collaboration")),
    "brokerage": Msg(N_("change in brokerage between sector groups")),
}
MORE = N_("attendees did more than comparable companies")
LESS = N_("attendees did less than comparable companies")
UNCLEAR = N_("no clear difference: the interval includes zero")
TOO_FEW = N_("too few to tell: {matched} matched attendances and {companies} comparison "
             "companies (at least {n} each are needed)")
SHORT = {MORE: N_("attendees did more"), LESS: N_("attendees did less"),
         UNCLEAR: N_("no clear difference"), TOO_FEW: N_("too few to tell")}
METHOD = N_("exact matching on sector group, country and size class (Iacus, King & Porro "
            "2012); average effect on attendees; percentile bootstrap 95% interval (Efron & "
            "Tibshirani 1993)")
CAVEAT = N_("Companies chose to attend; matching on sector group, country and size class "
            "removes only the differences these explain, so this is an association, not proof "
            "of an effect.")
MIN_MATCHED = 10  # attendances and comparison companies below which nothing is concluded
TOTAL = 5  # column of "total" in brokerage_roles' counts


@dataclass
class _Data:
    """What the method reads from the store, once; companies are numbered ``0..n-1``."""

    companies: list[str]
    index: dict[str, int]
    stratum: list[tuple[str, str, str] | None]
    founded: np.ndarray  # year, or a far past when unknown
    closed: np.ndarray  # year, or a far future while open
    attendances: list[tuple[int, str, int]]  # (company, training, year)
    teaches: dict[str, set[str]]
    offers: dict[str, tuple[np.ndarray, np.ndarray]]  # competence → (companies, since years)
    cross: tuple[np.ndarray, np.ndarray]  # (company, start year) of cross-sector collaborations
    brokerage: dict[int, np.ndarray] = field(default_factory=dict)  # year → per company


@dataclass(frozen=True, slots=True)
class LeftOut(Result):
    """Attendances left out: the company lacks a stratum, or nobody is comparable."""

    no_stratum: int
    no_comparison: int


@dataclass(frozen=True, slots=True)
class Outcome(Result):
    """One outcome: attendees' mean, their comparison groups' mean, the difference with its
    bootstrap 95% interval (None: too few to tell), and the verdict in words."""

    text: str
    attendees: float | None
    comparison: float | None
    difference: float | None
    interval: list[float] | None
    verdict: str


@dataclass(frozen=True, slots=True)
class Impact(Result):
    """The training impact report: :func:`impact`; ``outcomes`` by the names of
    :data:`OUTCOMES`."""

    training: str | None
    area: str | None
    window: int
    method: str
    attendances: int
    matched: int
    left_out: LeftOut
    comparison_companies: int
    outcomes: dict[str, Outcome]
    caveat: str


def impact(store: Store, *, training: str | None = None, area: str | None = None,
           window: int = 2, reps: int = 1000, seed: int = 0) -> Impact:
    """The training impact report (module notes) for one training, one area or all."""
    if window < 1:
        raise ValueError(Msg(N_("{field}: expected a number of years ≥ 1, got {got}"),
                             field="window", got=window))
    if area is not None and area not in TRAINING_AREAS:
        raise ValueError(Msg(N_("{field}: expected one of {choices}, got {got}"), field="area",
                             choices=", ".join(TRAINING_AREAS), got=repr(area)))
    data = _read(store)
    chosen = _trainings(store, training, area)
    rows = [a for a in data.attendances if a[1] in chosen]
    years = sorted({y for _, _, y in rows} | {y + window for _, _, y in rows})
    data.brokerage = {y: _brokerage(store, data, y) for y in years}
    matched, left_out = _match(data, rows, window)
    rng = np.random.default_rng(seed)
    outcomes = _Outcomes(data, window)
    return Impact(
        training=training, area=area, window=window, method=Msg(METHOD),
        attendances=len(rows), matched=len(matched), left_out=left_out,
        comparison_companies=_distinct(matched),
        outcomes={name: _effect(outcomes, matched, name, reps, rng) for name in OUTCOMES},
        caveat=Msg(CAVEAT))


# -- reading -------------------------------------------------------------------------------
def _read(store: Store) -> _Data:
    companies = sorted(store.property_values(NAME, [COMPANY]))
    index = {c: i for i, c in enumerate(companies)}
    groups = sector_groups(store)
    country = store.property_values("country", [COMPANY])
    size = store.property_values("sizeClass", [COMPANY])
    stratum: list[tuple[str, str, str] | None] = []
    for c in companies:
        g, k, s = groups.get(c), country.get(c), size.get(c)
        stratum.append((g, k, s) if g and k and s else None)
    founded = store.property_values(LIFETIME.start, [COMPANY])
    closed = store.property_values(LIFETIME.end, [COMPANY])
    return _Data(companies, index, stratum,
                 np.array([int(founded.get(c, -10_000)) for c in companies], dtype=np.int64),
                 np.array([int(closed.get(c, 10_000)) for c in companies], dtype=np.int64),
                 _attendances(store, index), _teaches(store), _offers(store, index),
                 _cross(store, groups, index))


def _pairs(store: Store, labels: list[str], rel: str) -> list[tuple[str, str]]:
    topo = store.topology(labels=labels, rel_types=[rel])
    ids = topo.ids
    return [(ids[s], ids[d]) for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True)]


def _attendances(store: Store, index: dict[str, int]) -> list[tuple[int, str, int]]:
    years = store.edge_property_values(ATTEND_YEAR, ATTENDED)
    starts = store.property_values("startDate", [TRAINING])
    rows = []
    for c, t in _pairs(store, [COMPANY, TRAINING], ATTENDED):
        y = years.get((c, t))
        if y is None and starts.get(t):
            y = int(str(starts[t])[:4])
        if y is not None and c in index:
            rows.append((index[c], t, int(y)))
    return sorted(rows)


def _teaches(store: Store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for t, k in _pairs(store, [TRAINING, COMPETENCE], TEACHES):
        out[t].add(k)
    return dict(out)


def _offers(store: Store, index: dict[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Competence → (companies offering it with a known start, that start year)."""
    since = store.edge_property_values(OFFER_TIME.start, OFFERS)
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c, k in _pairs(store, [COMPANY, COMPETENCE], OFFERS):
        year = since.get((c, k))
        if year is not None and c in index:
            found[k].append((index[c], int(year)))
    return {k: (np.array([c for c, _ in v], dtype=np.int64),
                np.array([y for _, y in v], dtype=np.int64)) for k, v in found.items()}


def _cross(store: Store, groups: dict[str, str],
           index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(company, start year) of each collaboration a company shares with an actor of another
    known sector group."""
    starts = store.property_values("startDate", [COLLABORATION])
    members: dict[str, list[str]] = defaultdict(list)
    for a, k in _pairs(store, [*ACTORS, COLLABORATION], PARTICIPATES):
        members[k].append(a)
    who, when = [], []
    for k, actors in members.items():
        if not starts.get(k):
            continue
        year = int(str(starts[k])[:4])
        known = {groups[a] for a in actors if groups.get(a, UNKNOWN) != UNKNOWN}
        for a in actors:
            mine = groups.get(a, UNKNOWN)
            if a in index and mine != UNKNOWN and known - {mine}:
                who.append(index[a])
                when.append(year)
    return np.array(who, dtype=np.int64), np.array(when, dtype=np.int64)


def _brokerage(store: Store, data: _Data, year: int) -> np.ndarray:
    """Total brokerage of every company in the network of ``year`` (0 when not in it)."""
    net = actor_network(store, during=Period.years(year, year))
    out = np.zeros(len(data.companies))
    if net.n:
        counts = brokerage_roles(net.adjacency, actor_groups(store, net, "sectorGroup"))["counts"]
        for actor, total in zip(net.ids, counts[:, TOTAL].tolist(), strict=True):
            i = data.index.get(actor)
            if i is not None:
                out[i] = total
    return out


def _trainings(store: Store, training: str | None, area: str | None) -> set[str]:
    areas = store.property_values("area", [TRAINING])
    every = set(store.property_values(NAME, [TRAINING]))
    if training is not None:
        if training not in every:
            raise ValueError(Msg(N_("{field}: {got} is not a training of this store"),
                                 field="training", got=repr(training)))
        return {training}
    return {t for t in every if area is None or areas.get(t) == area}


# -- matching and outcomes -------------------------------------------------------------------
@dataclass(frozen=True)
class _Match:
    company: int
    training: str
    year: int
    controls: np.ndarray  # company numbers
    cell: tuple[Any, ...]  # (stratum, training, year): attendances with the same comparisons


def _match(data: _Data, rows: list[tuple[int, str, int]],
           window: int) -> tuple[list[_Match], LeftOut]:
    """Each attendance with its comparison companies: the same stratum, existing in the
    attendance's year, no training attended within ``window`` years of it."""
    by_stratum: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, key in enumerate(data.stratum):
        if key is not None:
            by_stratum[key].append(i)
    members = {k: np.array(v, dtype=np.int64) for k, v in by_stratum.items()}
    who = np.array([c for c, _, _ in data.attendances], dtype=np.int64)
    when = np.array([y for _, _, y in data.attendances], dtype=np.int64)
    near: dict[int, np.ndarray] = {}
    matched = []
    no_stratum = no_comparison = 0
    pools: dict[tuple[Any, int], np.ndarray] = {}
    for c, t, y in rows:
        key = data.stratum[c]
        if key is None:
            no_stratum += 1
            continue
        if y not in near:
            near[y] = np.zeros(len(data.companies), dtype=bool)
            near[y][who[(when >= y - window) & (when <= y + window)]] = True
        if (key, y) not in pools:
            m = members[key]
            ok = (data.founded[m] <= y) & (data.closed[m] >= y) & ~near[y][m]
            pools[key, y] = m[ok]
        controls = pools[key, y]
        if not len(controls):
            no_comparison += 1
            continue
        matched.append(_Match(c, t, y, controls, (key, t, y)))
    return matched, LeftOut(no_stratum, no_comparison)


def _distinct(matched: list[_Match]) -> int:
    """Comparison companies of all the matches (many matches share one pool: count each once)."""
    pools = {id(m.controls): m.controls for m in matched}
    return len(np.unique(np.concatenate(list(pools.values())))) if pools else 0


class _Outcomes:
    """Each outcome for every company at once, per (training, year): boolean or number arrays
    indexed by company, built once and shared by attendees and comparison companies."""

    def __init__(self, data: _Data, window: int):
        self.data, self.window = data, window
        self.memo: dict[tuple[str, Any, int], np.ndarray] = {}

    def of(self, name: str, training: str, year: int) -> np.ndarray:
        key = (name, training if name == "offers" else None, year)
        if key not in self.memo:
            build = {"offers": self._offers, "crossSector": self._cross_sector,
                     "brokerage": self._brokerage}[name]
            self.memo[key] = build(training, year)
        return self.memo[key]

    def _offers(self, training: str, year: int) -> np.ndarray:
        """Starts to offer a taught competence in (year, year + window]; a company offers a
        competence through one relationship, so a start in the window is a new offer."""
        out = np.zeros(len(self.data.companies))
        for k in self.data.teaches.get(training, ()):
            who, since = self.data.offers.get(k, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
            out[who[(since > year) & (since <= year + self.window)]] = 1.0
        return out

    def _cross_sector(self, training: str, year: int) -> np.ndarray:
        who, start = self.data.cross
        out = np.zeros(len(self.data.companies))
        out[who[(start > year) & (start <= year + self.window)]] = 1.0
        return out

    def _brokerage(self, training: str, year: int) -> np.ndarray:
        b = self.data.brokerage
        zero = np.zeros(len(self.data.companies))
        return b.get(year + self.window, zero) - b.get(year, zero)


def _effect(outcomes: _Outcomes, matched: list[_Match], name: str, reps: int,
            rng: np.random.Generator) -> Outcome:
    treated = np.array([outcomes.of(name, m.training, m.year)[m.company] for m in matched])
    cells: dict[tuple[Any, ...], np.ndarray] = {}
    keys = [_cell(name, m) for m in matched]
    for m, key in zip(matched, keys, strict=True):
        if key not in cells:
            cells[key] = outcomes.of(name, m.training, m.year)[m.controls]
    order = list(cells)
    position = {c: i for i, c in enumerate(order)}
    cell_of = np.array([position[k] for k in keys], dtype=np.int64)
    means = np.array([cells[c].mean() for c in order])[cell_of] if matched else np.zeros(0)
    attendees, comparison = _mean(treated), _mean(means)
    diff = float((treated - means).mean()) if len(matched) else None
    n_controls = _distinct(matched)
    if len(matched) < MIN_MATCHED or n_controls < MIN_MATCHED:
        return Outcome(OUTCOME_TEXT[name], attendees, comparison, diff, None, Msg(
            TOO_FEW, matched=len(matched), companies=n_controls, n=MIN_MATCHED))
    low, high = _bootstrap(treated, [cells[c] for c in order], cell_of, reps, rng)
    return Outcome(OUTCOME_TEXT[name], attendees, comparison, diff, [low, high],
                   _verdict(low, high))


def _cell(name: str, m: _Match) -> tuple[Any, ...]:
    """Attendances whose comparison outcomes are the same array: same stratum and year, and
    for ``offers`` the same training (its competences)."""
    stratum, training, year = m.cell
    return (stratum, training if name == "offers" else None, year)


def _bootstrap(treated: np.ndarray, controls: list[np.ndarray], cell_of: np.ndarray, reps: int,
               rng: np.random.Generator) -> tuple[float, float]:
    """Percentile interval of the ATT: resample attendances, and each comparison group.

    A comparison group's resampled mean is drawn from its exact bootstrap distribution where
    that is cheap — Binomial(n, p̂)/n for a yes/no outcome — else by resampling (n < 30) or
    from the normal distribution it tends to, N(mean, sd/√n), saving one draw per company."""
    n = len(treated)
    ctrl = _resampled_means(controls, reps, rng)
    pick = rng.integers(0, n, size=(reps, n))
    stats = (treated[pick] - ctrl[cell_of[pick], np.arange(reps)[:, None]]).mean(axis=1)
    low, high = np.percentile(stats, [2.5, 97.5])
    return float(low), float(high)


def _resampled_means(groups: list[np.ndarray], reps: int,
                     rng: np.random.Generator) -> np.ndarray:
    """``reps`` bootstrap means of each group (rows), drawn in bulk per kind of group."""
    sizes = np.array([len(g) for g in groups])
    means = np.array([g.mean() for g in groups])
    binary = np.array([bool(np.isin(g, (0.0, 1.0)).all()) for g in groups])
    out = np.empty((len(groups), reps))
    if binary.any():
        out[binary] = rng.binomial(sizes[binary][:, None], means[binary][:, None],
                                   size=(int(binary.sum()), reps)) / sizes[binary][:, None]
    large = ~binary & (sizes >= 30)
    if large.any():
        sd = np.array([g.std() for g in groups])[large] / np.sqrt(sizes[large])
        out[large] = rng.normal(means[large][:, None], sd[:, None],
                                size=(int(large.sum()), reps))
    for i in np.flatnonzero(~binary & ~large).tolist():
        g = groups[i]
        out[i] = g[rng.integers(0, len(g), size=(reps, len(g)))].mean(axis=1)
    return out


def _verdict(low: float, high: float) -> str:
    return Msg(MORE if low > 0 else LESS if high < 0 else UNCLEAR)


def verdict_short(outcome: Outcome) -> str:
    """The verdict in a few words, for a table ("attendees did more"), worded where shown; a
    verdict read back from JSON (English text) is recognised by its words."""
    verdict = outcome.verdict
    key = verdict.message if isinstance(verdict, Msg) else next(
        (k for k in SHORT if str(verdict) == k or str(verdict).startswith(SHORT[k])),
        str(verdict))
    return Msg(SHORT[key]) if isinstance(key, str) and key in SHORT else str(verdict)


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None
