"""The demo ecosystem's history, 2015–2026: the mechanisms and their parameters, in one place.

Everything the generator puts in *on purpose* about time and about trainings is a parameter of
:class:`Mechanism`; docs/analysis.md ("What the demo data is (and is not)") lists them for readers.
An analysis that finds one of these effects in the demo has found the generator, not the world.

Durations follow constant per-year hazards, so a tie's or an actor's remaining life is geometric
(the discrete-time analogue of the exponential survival model; Singer & Willett 2003, *Applied
Longitudinal Data Analysis*, ch. 10–11). Weighted draws use inverse transform sampling on
cumulative weights (:class:`Pools`), so one draw costs a binary search whatever the pool's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIRST_YEAR = 2015  # the window in which actors are founded and close, ties start and end
LAST_YEAR = 2026  # "this year": nothing is founded, started or closed after it
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
OLDEST = 1950  # no company is older
OPEN = 0  # an empty end: the actor still acts, the tie still holds


@dataclass(frozen=True)
class Mechanism:
    """What the generator builds in. Hazards are chances per year; "activity" is a latent
    propensity of each company (mean 1) that drives attendance *and* outcomes: the selection
    that makes a naive attendee/non-attendee comparison overstate the training effect."""

    new_firm_share: float = 0.25  # companies founded in 2015–2026 (uniform over the years)
    firm_age_scale: float = 14.0  # older firms: founded 2014 − Exponential(14) years, ≥ 1950
    close_hazard: float = 0.006  # companies closing, per year from 2015 (hubs: hub_close_hazard)
    hub_close_hazard: float = 0.004  # hubs outside the six project regions
    size_activity: tuple[float, ...] = (-0.6, 0.0, 0.6, 1.2)  # log activity: micro … large
    group_activity: tuple[float, ...] = (0.0, 0.2, 0.3, -0.4)  # cci, adv. manuf., ict, other
    hidden_activity: float = 0.4  # sd of the log activity no attribute explains
    offer_hazard: float = 0.04  # × activity: start offering a competence of the sector group
    need_hazard: float = 0.02  # start needing a competence of the sector group
    offer_end: float = 0.02  # an offer stops
    need_end: float = 0.05  # a need ends (met or given up)
    membership_end: float = 0.05
    partnership_end: float = 0.04
    hub_partnership_end: float = 0.02
    partner_rate: float = 1.0  # × activity: mean partnerships a company starts (Poisson, ≤ 4)
    homophily: tuple[float, float] = (0.6, 0.3)  # new partnerships kept within the sector
    # group on purpose, 2015 → 2026 (linear; flat before): cross-sector ties grow by design
    cross_share: tuple[float, float] = (0.35, 0.6)  # collaborations set up across sector
    # groups, 2015 → 2026 (linear)
    collab_growth: float = 0.08  # collaborations per year grow by 8 % of the 2015 number a year
    training_from: int = 2019  # COCO's training programme began: trainings per year ×
    training_rise: float = 2.0  # training_rise from then on
    selection: float = 2.0  # a company's weight to attend a training: activity ** 2
    local_attendance: float = 0.6  # attendees drawn from the provider's country
    learn_hazard: float = 0.1  # the training effect on offers: per year, in the
    # effect_years after a training, chance to start offering one of the competences it teaches
    cross_boost: float = 2.5  # the training effect on collaborations: weight to be drawn into a
    # cross-sector collaboration in the effect_years after a training
    effect_years: int = 3


MECHANISM = Mechanism()


def ramp(pair: tuple[float, float], year: int) -> float:
    """``pair[0]`` in FIRST_YEAR to ``pair[1]`` in LAST_YEAR, linearly; flat outside."""
    f = min(max((year - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR), 0.0), 1.0)
    return pair[0] + f * (pair[1] - pair[0])


def founding_years(rng: np.random.Generator, k: int, m: Mechanism) -> np.ndarray:
    """A share founded during the window, the rest before it with more young firms than old."""
    new = rng.random(k) < m.new_firm_share
    young = rng.integers(FIRST_YEAR, LAST_YEAR + 1, size=k)
    age = np.minimum(np.floor(rng.exponential(m.firm_age_scale, size=k)), FIRST_YEAR - 1 - OLDEST)
    return np.where(new, young, FIRST_YEAR - 1 - age.astype(np.int64))


def closing_years(rng: np.random.Generator, founded: np.ndarray, hazard: float) -> np.ndarray:
    """The year an actor closes (its last year) at a per-year hazard from the year after its
    founding (not before FIRST_YEAR); OPEN when it still acts in LAST_YEAR."""
    first = np.maximum(founded + 1, FIRST_YEAR)
    year = first + rng.geometric(hazard, size=len(founded)) - 1
    return np.where(year <= LAST_YEAR, year, OPEN)


def last_years(rng: np.random.Generator, since: np.ndarray, hazard: np.ndarray,
               cap: np.ndarray) -> np.ndarray:
    """The last year of ties held from ``since`` that end at a per-year ``hazard`` (counted
    from FIRST_YEAR for older ties), and at the latest in ``cap`` (the first closing of their
    ends, OPEN for none); OPEN while they hold. Never before ``since`` when ``cap >= since``."""
    start = np.maximum(since, FIRST_YEAR)
    last = start + rng.geometric(hazard) - 1
    last = np.where(last <= LAST_YEAR, last, OPEN)
    cut = (cap != OPEN) & ((last == OPEN) | (last > cap))
    return np.where(cut, cap, last)


def alive(founded: np.ndarray, closed: np.ndarray, year: int) -> np.ndarray:
    """Actors that act in ``year``."""
    return (founded <= year) & ((closed == OPEN) | (closed >= year))


def first_close(a: int, b: int) -> int:
    """The earlier closing year of two actors (OPEN if neither closed)."""
    if a == OPEN:
        return b
    return a if b == OPEN or a < b else b


class Pools:
    """Weighted draws with replacement from named subsets of items (a key per item, -1 for none;
    weights positive): cumulative weights per key and a binary search (inverse transform
    sampling)."""

    def __init__(self, keys: np.ndarray, weights: np.ndarray):
        ok = np.flatnonzero(keys >= 0)
        order = ok[np.argsort(keys[ok], kind="stable")]
        self.items = order
        self.cum = np.cumsum(weights[order])
        uniq, starts = np.unique(keys[order], return_index=True)
        ends = np.append(starts[1:], len(order))
        self.span = {int(u): (int(s), int(e))
                     for u, s, e in zip(uniq.tolist(), starts.tolist(), ends.tolist(), strict=True)}

    def reweighted(self, weights: np.ndarray) -> Pools:
        """The same pools with other weights (positive), without sorting again."""
        other = object.__new__(Pools)
        other.items, other.span = self.items, self.span
        other.cum = np.cumsum(weights[self.items])
        return other

    def total(self, key: int) -> float:
        s, e = self.span.get(key, (0, 0))
        if s == e:
            return 0.0
        return float(self.cum[e - 1] - (self.cum[s - 1] if s else 0.0))

    def draw(self, key: int, rng: np.random.Generator) -> int | None:
        """One item of ``key`` with chance proportional to its weight (None: empty pool)."""
        s, e = self.span.get(key, (0, 0))
        if s == e:
            return None
        base = float(self.cum[s - 1]) if s else 0.0
        x = base + rng.random() * (float(self.cum[e - 1]) - base)
        i = int(np.searchsorted(self.cum, x, side="right"))
        return int(self.items[min(max(i, s), e - 1)])
