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

from graph.analytics.brokerage import brokerage_roles
from graph.analytics.groups import UNKNOWN, actor_groups, sector_groups
from graph.analytics.network import ACTORS, NAME, TIES, actor_network
from graph.store import Store
from graph.timeline import Period
from schema import SCHEMA, TRAINING_AREAS

__all__ = ["MIN_MATCHED", "OUTCOMES", "impact"]

COMPANY = SCHEMA.label("Company").name
TRAINING = SCHEMA.label("Training").name
COMPETENCE = SCHEMA.label("Competence").name
COLLABORATION = SCHEMA.label("Collaboration").name
ATTENDED, TEACHES, OFFERS = (SCHEMA.rel(r).name for r in ("ATTENDED", "TEACHES", "OFFERS"))
PARTICIPATES = TIES["collaborations"]
LIFETIME = SCHEMA.label(COMPANY).validity
OFFER_TIME = SCHEMA.rel(OFFERS).validity
ATTEND_YEAR = SCHEMA.rel(ATTENDED).validity.start  # type: ignore[union-attr]
STRATA = ("sectorGroup", "country", "sizeClass")
OUTCOMES = ("offers", "crossSector", "brokerage")
OUTCOME_TEXT = {
    "offers": "share that start to offer a competence the training teaches",
    "crossSector": "share that join a cross-sector collaboration",
    "brokerage": "change in brokerage between sector groups",
}
MIN_MATCHED = 10  # attendances and comparison companies below which nothing is concluded
TOTAL = 5  # column of "total" in brokerage_roles' counts


@dataclass
class _Data:
    """What the method reads from the store, once."""

    companies: list[str]
    stratum: dict[str, tuple[str, str, str] | None]
    alive: dict[str, tuple[int | None, int | None]]
    attendances: list[tuple[str, str, int]]  # (company, training, year)
    attended_years: dict[str, list[int]]
    teaches: dict[str, set[str]]
    offers: dict[str, list[tuple[str, int | None, int | None]]]  # company → (competence, since..)
    cross_starts: dict[str, list[int]]  # company → start years of its cross-sector collaborations
    brokerage: dict[int, dict[str, int]] = field(default_factory=dict)


def impact(store: Store, *, training: str | None = None, area: str | None = None,
           window: int = 2, reps: int = 1000, seed: int = 0) -> dict[str, Any]:
    """The training impact report (module notes) for one training, one area or all."""
    if window < 1:
        raise ValueError(f"window: expected a number of years ≥ 1, got {window}")
    if area is not None and area not in TRAINING_AREAS:
        raise ValueError(f"area: expected one of {', '.join(TRAINING_AREAS)}, got {area!r}")
    data = _read(store)
    chosen = _trainings(store, training, area)
    rows = [a for a in data.attendances if a[1] in chosen]
    years = sorted({y for _, _, y in rows} | {y + window for _, _, y in rows})
    data.brokerage = {y: _brokerage(store, y) for y in years}
    matched, left_out = _match(data, rows, window)
    out: dict[str, Any] = {
        "training": training, "area": area, "window": window, "method": (
            "exact matching on sector group, country and size class (Iacus, King & Porro "
            "2012); average effect on attendees; percentile bootstrap 95% interval (Efron & "
            "Tibshirani 1993)"),
        "attendances": len(rows), "matched": len(matched), "leftOut": left_out,
        "comparisonCompanies": len({c for m in matched for c in m.controls}),
        "outcomes": {},
        "caveat": ("Companies chose to attend; matching on sector group, country and size "
                   "class removes only the differences these explain, so this is an "
                   "association, not proof of an effect."),
    }
    rng = np.random.default_rng(seed)
    for name in OUTCOMES:
        out["outcomes"][name] = _effect(data, matched, name, window, reps, rng)
    return out


# -- reading -------------------------------------------------------------------------------
def _read(store: Store) -> _Data:
    companies = sorted(store.property_values(NAME, [COMPANY]))
    groups = sector_groups(store)
    country = store.property_values("country", [COMPANY])
    size = store.property_values("sizeClass", [COMPANY])
    stratum: dict[str, tuple[str, str, str] | None] = {}
    for c in companies:
        key = (groups.get(c), country.get(c), size.get(c))
        stratum[c] = key if all(key) else None  # type: ignore[assignment]
    founded = store.property_values(LIFETIME.start, [COMPANY])  # type: ignore[union-attr]
    closed = store.property_values(LIFETIME.end, [COMPANY])  # type: ignore[union-attr]
    alive = {c: (founded.get(c), closed.get(c)) for c in companies}
    return _Data(companies, stratum, alive, *_attendances(store), _teaches(store),
                 _offers(store), _cross_starts(store, groups))


def _pairs(store: Store, labels: list[str], rel: str) -> list[tuple[str, str]]:
    topo = store.topology(labels=labels, rel_types=[rel])
    ids = topo.ids
    return [(ids[s], ids[d]) for s, d in zip(topo.src.tolist(), topo.dst.tolist(), strict=True)]


def _attendances(store: Store) -> tuple[list[tuple[str, str, int]], dict[str, list[int]]]:
    years = store.edge_property_values(ATTEND_YEAR, ATTENDED)
    starts = store.property_values("startDate", [TRAINING])
    rows, by_company = [], defaultdict(list)
    for c, t in _pairs(store, [COMPANY, TRAINING], ATTENDED):
        y = years.get((c, t))
        if y is None and starts.get(t):
            y = int(str(starts[t])[:4])
        if y is not None:
            rows.append((c, t, int(y)))
            by_company[c].append(int(y))
    return sorted(rows), dict(by_company)


def _teaches(store: Store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for t, k in _pairs(store, [TRAINING, COMPETENCE], TEACHES):
        out[t].add(k)
    return dict(out)


def _offers(store: Store) -> dict[str, list[tuple[str, int | None, int | None]]]:
    since = store.edge_property_values(OFFER_TIME.start, OFFERS)  # type: ignore[union-attr]
    until = store.edge_property_values(OFFER_TIME.end, OFFERS)  # type: ignore[union-attr]
    out: dict[str, list[tuple[str, int | None, int | None]]] = defaultdict(list)
    for c, k in _pairs(store, [COMPANY, COMPETENCE], OFFERS):
        out[c].append((k, since.get((c, k)), until.get((c, k))))
    return dict(out)


def _cross_starts(store: Store, groups: dict[str, str]) -> dict[str, list[int]]:
    """Company → start years of the collaborations it shares with an actor of another known
    sector group."""
    starts = store.property_values("startDate", [COLLABORATION])
    members: dict[str, list[str]] = defaultdict(list)
    for a, k in _pairs(store, [*ACTORS, COLLABORATION], PARTICIPATES):
        members[k].append(a)
    out: dict[str, list[int]] = defaultdict(list)
    for k, who in members.items():
        if not starts.get(k):
            continue
        year = int(str(starts[k])[:4])
        known = {groups[a] for a in who if groups.get(a, UNKNOWN) != UNKNOWN}
        for a in who:
            mine = groups.get(a, UNKNOWN)
            if mine != UNKNOWN and known - {mine}:
                out[a].append(year)
    return dict(out)


def _brokerage(store: Store, year: int) -> dict[str, int]:
    net = actor_network(store, during=Period.years(year, year))
    if not net.n:
        return {}
    counts = brokerage_roles(net.adjacency, actor_groups(store, net, "sectorGroup"))["counts"]
    return dict(zip(net.ids, counts[:, TOTAL].astype(int).tolist(), strict=True))


def _trainings(store: Store, training: str | None, area: str | None) -> set[str]:
    areas = store.property_values("area", [TRAINING])
    every = set(store.property_values(NAME, [TRAINING]))
    if training is not None:
        if training not in every:
            raise ValueError(f"training: {training!r} is not a training of this store")
        return {training}
    return {t for t in every if area is None or areas.get(t) == area}


# -- matching and outcomes -------------------------------------------------------------------
@dataclass(frozen=True)
class _Match:
    company: str
    training: str
    year: int
    controls: tuple[str, ...]
    cell: tuple[Any, ...]  # (stratum, training, year): attendances with the same comparisons


def _match(data: _Data, rows: list[tuple[str, str, int]],
           window: int) -> tuple[list[_Match], dict[str, int]]:
    by_stratum: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for c in data.companies:
        key = data.stratum[c]
        if key is not None:
            by_stratum[key].append(c)
    matched, left = [], {"noStratum": 0, "noComparison": 0}
    pools: dict[tuple[Any, int], tuple[str, ...]] = {}
    for c, t, y in rows:
        key = data.stratum.get(c)
        if key is None:
            left["noStratum"] += 1
            continue
        if (key, y) not in pools:
            pools[key, y] = tuple(x for x in by_stratum[key] if _comparable(data, x, y, window))
        controls = pools[key, y]
        if not controls:
            left["noComparison"] += 1
            continue
        matched.append(_Match(c, t, y, controls, (key, t, y)))
    return matched, left


def _comparable(data: _Data, company: str, year: int, window: int) -> bool:
    founded, closed = data.alive[company]
    if (founded is not None and founded > year) or (closed is not None and closed < year):
        return False
    return not any(year - window <= y <= year + window
                   for y in data.attended_years.get(company, ()))


def _outcome(data: _Data, name: str, company: str, training: str, year: int,
             window: int) -> float:
    if name == "offers":
        taught = data.teaches.get(training, set())
        offers = data.offers.get(company, [])
        had = {k for k, since, until in offers if k in taught
               and (since is None or since <= year) and (until is None or until >= year)}
        return float(any(k in taught and k not in had and since is not None
                         and year < since <= year + window for k, since, _ in offers))
    if name == "crossSector":
        return float(any(year < y <= year + window for y in data.cross_starts.get(company, ())))
    after = data.brokerage.get(year + window, {}).get(company, 0)
    return float(after - data.brokerage.get(year, {}).get(company, 0))


def _effect(data: _Data, matched: list[_Match], name: str, window: int, reps: int,
            rng: np.random.Generator) -> dict[str, Any]:
    treated = np.array([_outcome(data, name, m.company, m.training, m.year, window)
                        for m in matched])
    cells: dict[tuple[Any, ...], np.ndarray] = {}
    for m in matched:
        if m.cell not in cells:
            cells[m.cell] = np.array([_outcome(data, name, x, m.training, m.year, window)
                                      for x in m.controls])
    order = list(cells)
    position = {c: i for i, c in enumerate(order)}
    cell_of = np.array([position[m.cell] for m in matched], dtype=np.int64)
    means = np.array([cells[c].mean() for c in order])[cell_of] if matched else np.zeros(0)
    result: dict[str, Any] = {"text": OUTCOME_TEXT[name], "attendees": _mean(treated),
                              "comparison": _mean(means), "difference": None,
                              "interval": None, "verdict": ""}
    n_controls = len({x for m in matched for x in m.controls})
    if len(matched) < MIN_MATCHED or n_controls < MIN_MATCHED:
        result["verdict"] = (f"too few to tell: {len(matched)} matched attendances and "
                             f"{n_controls} comparison companies (at least {MIN_MATCHED} each "
                             "are needed)")
        if len(matched):
            result["difference"] = float((treated - means).mean())
        return result
    diff = float((treated - means).mean())
    low, high = _bootstrap(treated, [cells[c] for c in order], cell_of, reps, rng)
    result.update(difference=diff, interval=[low, high], verdict=_verdict(low, high))
    return result


def _bootstrap(treated: np.ndarray, controls: list[np.ndarray], cell_of: np.ndarray, reps: int,
               rng: np.random.Generator) -> tuple[float, float]:
    """Percentile interval of the ATT: resample attendances, and each comparison group.

    A comparison group's resampled mean is drawn from its exact bootstrap distribution where
    that is cheap — Binomial(n, p̂)/n for a yes/no outcome — else by resampling (n < 30) or
    from the normal distribution it tends to, N(mean, sd/√n), saving one draw per company."""
    n = len(treated)
    ctrl = np.empty((len(controls), reps))
    for i, c in enumerate(controls):
        ctrl[i] = _resampled_means(c, reps, rng)
    pick = rng.integers(0, n, size=(reps, n))
    stats = (treated[pick] - ctrl[cell_of[pick], np.arange(reps)[:, None]]).mean(axis=1)
    low, high = np.percentile(stats, [2.5, 97.5])
    return float(low), float(high)


def _resampled_means(values: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    k = len(values)
    if np.isin(values, (0.0, 1.0)).all():
        return rng.binomial(k, values.mean(), size=reps) / k
    if k < 30:
        return values[rng.integers(0, k, size=(reps, k))].mean(axis=1)
    return rng.normal(values.mean(), values.std() / np.sqrt(k), size=reps)


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return "attendees did more than comparable companies"
    if high < 0:
        return "attendees did less than comparable companies"
    return "no clear difference: the interval includes zero"


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None
