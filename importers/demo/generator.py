"""A synthetic, plausible Central European CCI ecosystem with a history, for demos, tests and
benchmarks. **Invented data: every pattern below is put in by this module, on purpose.**

Deterministic: the same size and seed give the same graph, record for record (one
``numpy.random.Generator`` drives every choice; nothing iterates over a hashed set).

What makes it plausible rather than uniform noise:

* actors cluster in the six project countries, more densely in the project regions;
* companies belong to four sector groups (CCI, advanced manufacturing, ICT, other) with real
  NACE Rev.2 classes, and each group offers and needs different competence categories, so that
  supply and demand do not match everywhere (gaps to find);
* some regions lack whole competence categories on the supply side;
* partnerships grow by preferential attachment (Barabási & Albert 1999), giving the heavy-tailed
  degrees of real business networks;
* hubs form a transnational network, run trainings in the three COCO areas and gather members.

What happens over time (2015–2026). The parameters are the fields of
:class:`importers.demo.history.Mechanism` (named in brackets); docs/analysis.md, "What the demo
data is (and is not)", lists them with their values:

* actors: a quarter of the companies are founded during the window (``new_firm_share``), the rest
  before; companies and hubs outside the project regions close at a small per-year hazard
  (``close_hazard``, ``hub_close_hazard``: about 6 % of companies by 2026);
* ties: memberships, partnerships, offers and needs start (``since``) in a year both ends act
  and end (``until``) at per-year hazards (``*_end``); every tie of an actor that closes ends by
  its ``closedYear`` at the latest; attendances, participations and trainings fall in years
  their actors act;
* cross-sector links grow **by construction**: a new partnership is kept within its sector group
  with a chance falling from 0.6 in 2015 to 0.3 in 2026 (``homophily``), the share of
  collaborations set up across sector groups rises from 0.35 to 0.6 (``cross_share``), and
  collaborations per year grow (``collab_growth``);
* every company has a hidden *activity* (log-normal, mean 1, higher for larger firms and some
  sector groups: ``size_activity``, ``group_activity``, ``hidden_activity``). It raises its base
  chance to start offering competences (``offer_hazard``), to start partnerships
  (``partner_rate``) and to be drawn into collaborations — and its chance to attend a training
  (weight ``activity ** selection``): firms that already do more attend more (*selection*);
* the training *effect* is a mechanism, not a result: in the ``effect_years`` after a training an
  attendee has an extra per-year chance ``learn_hazard`` to start offering one of the
  competences it taught, and weighs ``cross_boost`` times more when participants of
  cross-sector collaborations are drawn. Comparing attendees with everyone else therefore
  overstates the effect; comparing within the same sector group, country and size class removes
  the part of activity those explain, not the hidden part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coco_atlas.importers import reference
from coco_atlas.importers.demo import vocab as V
from coco_atlas.importers.demo.history import (
    FIRST_YEAR,
    LAST_YEAR,
    MECHANISM,
    OPEN,
    YEARS,
    Mechanism,
    Pools,
    alive,
    closing_years,
    first_close,
    founding_years,
    last_years,
    ramp,
)
from coco_atlas.schema import TRAINING_AREAS, Edge, Node

SIZES = {"small": 2_000, "medium": 50_000, "large": 500_000}
SOURCE = "demo-data"
TAGS = ["synthetic"]
COUNTRIES = tuple(V.COUNTRY_WEIGHTS)
GROUPS = tuple(V.GROUP_WEIGHTS)
REFERENCE_DAY = f"{LAST_YEAR}-12-01"  # fixed "today" for statuses: output never reads the clock
TIES_FROM = 2000  # the earliest year a partnership or membership starts
LOCAL = 0.6  # share of a collaboration's further members drawn from the lead's country


@dataclass
class Batch:
    """One step of the generation: nodes and edges that only point at earlier nodes."""

    name: str
    nodes: list[Node]
    edges: list[Edge]


def generate(size: str = "small", seed: int = 42, *,
             mechanism: Mechanism = MECHANISM) -> Iterator[Batch]:
    """Yield the demo ecosystem in batches (reference data first, then actors, then ties).

    ``mechanism`` changes what is built in: e.g. ``dataclasses.replace(MECHANISM,
    learn_hazard=0, cross_boost=1)`` is a placebo demo whose trainings change nothing, to see
    what an impact analysis reports when there is no effect to find."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    return _Generator(SIZES[size], seed, mechanism).run()


@dataclass
class _Dated:
    """Ties with a ``since`` whose ``until`` is drawn for all of them at once when done."""

    rows: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    since: list[int] = field(default_factory=list)
    hazard: list[float] = field(default_factory=list)
    cap: list[int] = field(default_factory=list)

    def add(self, source: str, rel: str, target: str, props: dict[str, Any], since: int,
            hazard: float, cap: int) -> None:
        self.rows.append((source, rel, target, props))
        self.since.append(since)
        self.hazard.append(hazard)
        self.cap.append(cap)

    def edges(self, rng: np.random.Generator) -> list[Edge]:
        if not self.rows:
            return []
        last = last_years(rng, np.array(self.since), np.array(self.hazard), np.array(self.cap))
        out = []
        for (s, rel, t, props), since, until in zip(self.rows, self.since, last.tolist(),
                                                    strict=True):
            dates = {"since": since} if until == OPEN else {"since": since, "until": until}
            out.append(Edge(s, rel, t, {**props, **dates}))
        self.rows, self.since, self.hazard, self.cap = [], [], [], []
        return _unique(out)


class _Generator:
    def __init__(self, n: int, seed: int, mechanism: Mechanism = MECHANISM):
        self.n = n
        self.m = mechanism
        self.rng = np.random.default_rng(seed)
        self.n_hubs = max(24, n // 200)
        self.n_trainings = max(40, n // 50)
        self.n_collabs = max(60, n // 14)
        self.n_comp_target = int(min(max(140, n // 60), 6000))
        self.attendance: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.taught: list[list[str]] = []
        self.offered: set[int] = set()  # company * n_comp + competence, ever offered
        self.needed: set[int] = set()
        self.offer_cats: dict[tuple[int, str], list[str]] = {}

    def run(self) -> Iterator[Batch]:
        yield self._regions()
        yield self._sectors()
        yield self._competences()
        yield self._hubs()
        n_companies = self.n - self.n_hubs - self.n_trainings - self.n_collabs \
            - self.n_competences - len(self.region_ids) - self.n_sectors
        self._company_attributes(max(n_companies, 50))
        yield from self._companies()
        yield self._trainings()
        yield self._acquisitions()
        yield from self._collaborations()
        yield from self._partnerships()

    # -- reference data ----------------------------------------------------------------------
    def _regions(self) -> Batch:
        nodes, edges = reference.region_graph(COUNTRIES, max_level=2)
        self.region_ids = [n.id for n in nodes]
        level2 = [n for n in nodes if n.props["level"] == 2]
        self.regions_by_country = {
            c: [n.id for n in level2 if n.props["country"] == c] for c in COUNTRIES}
        return Batch("regions", nodes, edges)

    def _sectors(self) -> Batch:
        codes = [c for g in GROUPS for c in V.SECTOR_CLASSES[g]]
        nodes, edges = reference.sector_graph(codes)
        self.n_sectors = len(nodes)
        return Batch("sectors", nodes, edges)

    def _competences(self) -> Batch:
        rng = self.rng
        nodes, edges = [], []
        self.comp_by_cat: dict[str, list[str]] = {}
        self.comp_ids: list[str] = []
        per_base = max(1, self.n_comp_target // sum(len(v) for v in V.COMPETENCES.values()))
        for cat, labels in V.COMPETENCES.items():
            cat_id = "demo-comp-" + cat.replace(" ", "-")
            nodes.append(self._comp(cat_id, cat, "cross-sector"))
            ids = self.comp_by_cat[cat] = []
            for label in labels:
                base_id = f"{cat_id}-{len(ids):04d}"
                nodes.append(self._comp(base_id, label, "cross-sector"))
                edges.append(Edge(base_id, "BROADER", cat_id, {}))
                ids.append(base_id)
                variants = [(p, d) for p in V.VARIANT_PREFIXES for d in V.VARIANT_DOMAINS]
                picks = rng.permutation(len(variants))[: per_base - 1]
                for k in picks.tolist():
                    prefix, domain = variants[k]
                    vid = f"{cat_id}-{len(ids):04d}"
                    nodes.append(self._comp(vid, f"{prefix}{label} in {domain}",
                                            "sector-specific"))
                    edges.append(Edge(vid, "BROADER", base_id, {}))
                    ids.append(vid)
            self.comp_ids.extend(ids)
        self.comp_index = {c: k for k, c in enumerate(self.comp_ids)}
        self.n_competences = len(nodes)
        return Batch("competences", nodes, edges)

    def _comp(self, cid: str, label: str, reuse: str) -> Node:
        skill_type = "knowledge" if label.endswith(("theory", "methods")) else "skill/competence"
        return Node(cid, "Competence", {"name": label, "skillType": skill_type,
                                        "reuseLevel": reuse, "tags": TAGS})

    # -- actors ------------------------------------------------------------------------------
    def _country_region(self, k: int) -> tuple[np.ndarray, list[str]]:
        """Countries and level-2 regions for k actors; project regions weigh four times more."""
        rng = self.rng
        countries = rng.choice(len(COUNTRIES), size=k, p=list(V.COUNTRY_WEIGHTS.values()))
        regions = [""] * k
        for c, country in enumerate(COUNTRIES):
            where = np.flatnonzero(countries == c).tolist()
            options = self.regions_by_country[country]
            w = np.array([4.0 if r in V.PROJECT_REGIONS else 1.0 for r in options])
            for i, r in zip(where, rng.choice(len(options), size=len(where), p=w / w.sum()),
                            strict=True):
                regions[i] = options[int(r)]
        return countries, regions

    def _name(self, noun: str, country: str | None = None) -> str:
        a = V.SYLLABLES_A[self._below(len(V.SYLLABLES_A))]
        b = V.SYLLABLES_B[self._below(len(V.SYLLABLES_B))]
        name = f"{a}{b} {noun}"
        if country:
            forms = V.LEGAL_FORM[country]
            name += " " + forms[self._below(len(forms))]
        return name

    def _lifetime(self, founded: int, closed: int) -> dict[str, int]:
        return {"foundedYear": founded} if closed == OPEN else {
            "foundedYear": founded, "closedYear": closed}

    def _hubs(self) -> Batch:
        rng, m = self.rng, self.m
        kinds = tuple(V.HUB_WORDS)
        nodes, edges = [], []
        dated = _Dated()
        # At least one creative hub in every project region: the COCO network itself, founded
        # before the window and never closed.
        fixed = [(r[:2], r) for r in V.PROJECT_REGIONS]
        countries, regions = self._country_region(self.n_hubs - len(fixed))
        places = fixed + [(COUNTRIES[c], r) for c, r in zip(countries.tolist(), regions,
                                                              strict=True)]
        n = len(places)
        self.hub_founded = rng.integers(1990, 2022, size=n)
        self.hub_founded[: len(fixed)] = rng.integers(1990, FIRST_YEAR, size=len(fixed))
        self.hub_closed = closing_years(rng, self.hub_founded, m.hub_close_hazard)
        self.hub_closed[: len(fixed)] = OPEN
        self.hub_ids: list[str] = []
        self.hub_country: list[str] = []
        for i, (country, region) in enumerate(places):
            kind = "creative-hub" if i < len(fixed) else kinds[int(rng.choice(
                len(kinds), p=[0.35, 0.2, 0.1, 0.15, 0.1, 0.1]))]
            words = V.HUB_WORDS[kind]
            city = V.CITIES.get(region, "")
            hid = f"demo-hub-{i:05d}"
            name = f"{self._name(words[self._below(len(words))])} {city}".strip()
            founded, closed = int(self.hub_founded[i]), int(self.hub_closed[i])
            nodes.append(Node(hid, "Hub", {
                "name": name, "kind": kind, "country": country, "city": city,
                **self._lifetime(founded, closed), "tags": TAGS,
                "website": f"https://{hid}.example.org",
            }))
            edges.append(Edge(hid, "LOCATED_IN", region, {}))
            self.hub_ids.append(hid)
            self.hub_country.append(country)
            for cat in ("business", "future trends"):
                since = self._early(founded)
                dated.add(hid, "OFFERS", self._pick(self.comp_by_cat[cat]),
                          {"level": "advanced"}, since, m.offer_end, closed)
        self._hub_network(dated)
        return Batch("hubs", nodes, _unique(edges) + dated.edges(rng))

    def _hub_network(self, dated: _Dated) -> None:
        """The transnational hub network: every hub partners with about four others, from a
        year both existed."""
        rng = self.rng
        n = len(self.hub_ids)
        for i in range(n):
            for j in rng.choice(n, size=4, replace=False).tolist():
                cap = first_close(int(self.hub_closed[i]), int(self.hub_closed[j]))
                lo = max(int(self.hub_founded[i]), int(self.hub_founded[j]), 2010)
                if i != j and lo <= (cap or LAST_YEAR):
                    dated.add(self.hub_ids[i], "PARTNERS_WITH", self.hub_ids[j],
                              {"weight": float(self._between(1, 6))},
                              self._between(lo, (cap or LAST_YEAR) + 1),
                              self.m.hub_partnership_end, cap)

    def _below(self, n: int) -> int:
        """A uniform integer in [0, n): one float draw, much cheaper than a scalar
        ``Generator.integers`` call (the generator makes hundreds of thousands)."""
        return int(self.rng.random() * n)

    def _between(self, low: int, high: int) -> int:
        """A uniform integer in [low, high)."""
        return low + self._below(high - low)

    def _pick(self, options: list[str]) -> str:
        return options[self._below(len(options))]

    def _company_attributes(self, k: int) -> None:
        """Place, sector group, size, lifetime and (hidden) activity of every company."""
        rng, m = self.rng, self.m
        countries, self.co_region = self._country_region(k)
        self.co_country = countries.astype(np.int64)
        self.co_group = rng.choice(len(GROUPS), size=k, p=list(V.GROUP_WEIGHTS.values()))
        self.co_size = rng.choice(4, size=k, p=[0.62, 0.25, 0.09, 0.04])
        self.founded = founding_years(rng, k, m)
        self.closed = closing_years(rng, self.founded, m.close_hazard)
        log_activity = (np.array(m.size_activity)[self.co_size]
                        + np.array(m.group_activity)[self.co_group]
                        + m.hidden_activity * rng.standard_normal(k))
        self.activity = np.exp(log_activity) / np.exp(log_activity).mean()
        self.co_ids = [f"demo-co-{i:06d}" for i in range(k)]
        # Regions that lack some offered categories entirely: the supply gaps to discover.
        self.missing = {r: set(rng.choice(list(V.COMPETENCES), size=2, replace=False).tolist())
                        for r in self.region_ids}
        self.hubs_by_country = {c: [h for h, hc in enumerate(self.hub_country) if hc == c]
                                for c in COUNTRIES}

    def _companies(self) -> Iterator[Batch]:
        step = 50_000
        k = len(self.co_ids)
        for start in range(0, k, step):
            nodes, edges, dated = [], [], _Dated()
            for i in range(start, min(k, start + step)):
                nodes.append(self._company(i))
                edges.extend(self._company_edges(i, dated))
            yield Batch("companies", nodes, edges + dated.edges(self.rng))

    def _company(self, i: int) -> Node:
        country = COUNTRIES[int(self.co_country[i])]
        nouns = V.NOUNS[GROUPS[int(self.co_group[i])]]
        return Node(self.co_ids[i], "Company", {
            "name": self._name(nouns[self._below(len(nouns))], country),
            "country": country, "city": V.CITIES.get(self.co_region[i], ""),
            "sizeClass": ("micro", "small", "medium", "large")[int(self.co_size[i])],
            **self._lifetime(int(self.founded[i]), int(self.closed[i])), "tags": TAGS,
        })

    def _company_edges(self, i: int, dated: _Dated) -> list[Edge]:
        """Place and sectors (timeless), and what a company offers and needs from its founding
        (or before the window) and its membership: the dated ties go into ``dated``."""
        rng = self.rng
        cid, group, region = self.co_ids[i], GROUPS[int(self.co_group[i])], self.co_region[i]
        classes = V.SECTOR_CLASSES[group]
        edges = [Edge(cid, "LOCATED_IN", region, {}),
                 Edge(cid, "IN_SECTOR", classes[self._below(len(classes))],
                      {"primary": True})]
        if rng.random() < 0.2:
            other = V.SECTOR_CLASSES[GROUPS[self._below(len(GROUPS))]]
            edges.append(Edge(cid, "IN_SECTOR", other[self._below(len(other))],
                              {"primary": False}))
        founded = int(self.founded[i])
        for _ in range(self._between(1, 3)):
            self._offer(i, self._offer_pick(i), self._early(founded), dated)
        for _ in range(self._between(0, 3)):
            self._need(i, self._need_pick(i), self._early(founded), dated)
        self._membership(i, dated)
        return _unique(edges)

    def _early(self, founded: int) -> int:
        """The start of what an actor did from the outset: its founding, or a year between
        its founding and the window for older actors."""
        return founded if founded >= FIRST_YEAR - 1 else self._between(founded, FIRST_YEAR)

    def _offer_pick(self, i: int) -> str:
        place = (int(self.co_group[i]), self.co_region[i])
        cats = self.offer_cats.get(place)
        if cats is None:
            offered = V.CATEGORY_OFFER[GROUPS[place[0]]]
            cats = [c for c in offered if c not in self.missing[place[1]]] or ["business"]
            self.offer_cats[place] = cats
        return self._pick(self.comp_by_cat[cats[self._below(len(cats))]])

    def _need_pick(self, i: int) -> str:
        cats = V.CATEGORY_NEED[GROUPS[int(self.co_group[i])]]
        return self._pick(self.comp_by_cat[cats[self._below(len(cats))]])

    def _key(self, i: int, comp: str) -> int:
        return i * len(self.comp_ids) + self.comp_index[comp]

    def _offer(self, i: int, comp: str, since: int, dated: _Dated) -> None:
        """Company ``i`` starts offering ``comp`` in ``since`` (once in its life)."""
        key = self._key(i, comp)
        if key not in self.offered:
            self.offered.add(key)
            level = ("basic", "intermediate", "advanced", "expert")[self._below(4)]
            dated.add(self.co_ids[i], "OFFERS", comp, {"level": level}, since,
                      self.m.offer_end, int(self.closed[i]))

    def _need(self, i: int, comp: str, since: int, dated: _Dated) -> None:
        key = self._key(i, comp)
        if key not in self.needed:
            self.needed.add(key)
            priority = ("low", "medium", "high")[self._below(3)]
            dated.add(self.co_ids[i], "NEEDS", comp, {"priority": priority}, since,
                      self.m.need_end, int(self.closed[i]))

    def _membership(self, i: int, dated: _Dated) -> None:
        """Seven in ten companies join a hub of their country, in a year both exist."""
        rng = self.rng
        hubs = self.hubs_by_country[COUNTRIES[int(self.co_country[i])]]
        if not hubs or rng.random() >= 0.7:
            return
        h = hubs[self._below(len(hubs))]
        cap = first_close(int(self.closed[i]), int(self.hub_closed[h]))
        lo = max(int(self.founded[i]), int(self.hub_founded[h]), TIES_FROM)
        if lo <= (cap or LAST_YEAR):
            dated.add(self.co_ids[i], "MEMBER_OF", self.hub_ids[h], {},
                      self._between(lo, (cap or LAST_YEAR) + 1), self.m.membership_end, cap)

    def _alive_hubs(self, year: int) -> np.ndarray:
        return np.flatnonzero(alive(self.hub_founded, self.hub_closed, year))

    # -- activities --------------------------------------------------------------------------
    def _trainings(self) -> Batch:
        """Trainings of a hub alive in their year, attended that year by companies alive then,
        drawn by activity ** selection (most from the provider's country)."""
        rng, m = self.rng, self.m
        nodes, edges = [], []
        need_cats = ("design", "digital technology", "manufacturing technology",
                     "sustainability", "future trends", "business")
        w = np.array([m.training_rise if y >= m.training_from else 1.0 for y in YEARS])
        years = np.sort(rng.choice(YEARS, size=self.n_trainings, p=w / w.sum()))
        pools = self._attendance_pools(int(years[0]))
        for i, year in enumerate(years.tolist()):
            area = TRAINING_AREAS[int(rng.choice(4, p=[0.4, 0.25, 0.3, 0.05]))]
            cat = need_cats[self._below(len(need_cats))]
            hubs = self._alive_hubs(year)
            hub = int(hubs[self._below(len(hubs))])
            start = f"{year}-{self._between(1, 13):02d}-{self._between(1, 28):02d}"
            end = f"{year}-12-31" if rng.random() < 0.3 else start
            titles = V.TRAINING_TITLES[area]
            tid = f"demo-tr-{i:05d}"
            nodes.append(Node(tid, "Training", {
                "name": titles[self._below(len(titles))].format(x=cat),
                "area": area, "format": ("online", "face-to-face", "hybrid")[self._below(3)],
                "startDate": start, "endDate": end, "tags": TAGS,
                "language": "en" if rng.random() < 0.5 else V.LANGUAGE[self.hub_country[hub]],
            }))
            edges.append(Edge(self.hub_ids[hub], "PROVIDES", tid, {}))
            taught = [self._pick(self.comp_by_cat[cat])
                      for _ in range(1 + self._between(0, 3))]
            self.taught.append(list(dict.fromkeys(taught)))
            edges.extend(Edge(tid, "TEACHES", c, {}) for c in self.taught[-1])
            if i and year != years[i - 1]:
                pools = self._attendance_pools(year)
            country = COUNTRIES.index(self.hub_country[hub])
            for co in self._attendees(pools, country, self._between(3, 15)):
                edges.append(Edge(self.co_ids[co], "ATTENDED", tid, {"year": year}))
                self.attendance[year].append((co, i))
        return Batch("trainings", nodes, _unique(edges))

    def _attendance_pools(self, year: int) -> tuple[Pools, Pools]:
        live = alive(self.founded, self.closed, year)
        weight = self.activity ** self.m.selection
        return (Pools(np.where(live, self.co_country, -1), weight),
                Pools(np.where(live, 0, -1), weight))

    def _attendees(self, pools: tuple[Pools, Pools], country: int, k: int) -> list[int]:
        rng = self.rng
        out: list[int] = []
        for _ in range(4 * k):
            if len(out) == k:
                break
            local = rng.random() < self.m.local_attendance
            co = pools[0].draw(country, rng) if local else pools[1].draw(0, rng)
            if co is not None and co not in out:
                out.append(co)
        return out

    def _acquisitions(self) -> Batch:
        """Offers and needs companies start during the window: a base hazard (offers scaled by
        activity) for everyone alive, and the training effect for recent attendees."""
        rng, m = self.rng, self.m
        k = len(self.co_ids)
        dated = _Dated()
        for t in YEARS:
            live = alive(self.founded, self.closed, t)
            for i in np.flatnonzero(live & (rng.random(k) < m.offer_hazard * self.activity)):
                self._offer(int(i), self._offer_pick(int(i)), t, dated)
            for year in range(t - m.effect_years, t):
                for who, tr in self.attendance.get(year, []):
                    if live[who] and rng.random() < m.learn_hazard:
                        fresh = [c for c in self.taught[tr]
                                 if self._key(who, c) not in self.offered]
                        if fresh:
                            self._offer(who, fresh[self._below(len(fresh))], t, dated)
            for i in np.flatnonzero(live & (rng.random(k) < m.need_hazard)):
                self._need(int(i), self._need_pick(int(i)), t, dated)
        return Batch("offers and needs", [], dated.edges(rng))

    def _collaboration_pools(self, year: int) -> dict[str, dict[str, Pools]]:
        """Companies alive in ``year`` by group and country, weighted by activity; for
        cross-sector collaborations recent attendees weigh ``cross_boost`` times more."""
        m = self.m
        recent = np.zeros(len(self.co_ids), dtype=bool)
        for y in range(year - m.effect_years, year):
            for i, _ in self.attendance.get(y, []):
                recent[i] = True
        live = alive(self.founded, self.closed, year)
        g, c = self.co_group, self.co_country
        keys = {"gc": np.where(live, g * len(COUNTRIES) + c, -1), "g": np.where(live, g, -1),
                "c": np.where(live, c, -1), "all": np.where(live, 0, -1)}
        same = {kind: Pools(key, self.activity) for kind, key in keys.items()}
        boosted = self.activity * np.where(recent, m.cross_boost, 1.0)
        return {"same": same, "cross": {k: p.reweighted(boosted) for k, p in same.items()}}

    def _members(self, pools: dict[str, Pools], cross: bool) -> list[int]:
        """A lead and one to five further participants: all of the lead's sector group, or
        at least one of another group when ``cross``; most from the lead's country."""
        rng = self.rng
        lead = pools["all"].draw(0, rng)
        if lead is None:  # cannot happen: most companies are founded before the window
            raise RuntimeError("no company acts in this year")
        g, c = int(self.co_group[lead]), int(self.co_country[lead])
        members = [lead]
        k = self._between(2, 7)
        if cross:
            others = [x for x in range(len(GROUPS)) if x != g and pools["g"].total(x) > 0]
            if others:
                weight = np.array([pools["g"].total(x) for x in others])
                other = others[int(rng.choice(len(others), p=weight / weight.sum()))]
                second = pools["g"].draw(other, rng)
                if second is not None:
                    members.append(second)
        for _ in range(20):
            if len(members) >= k:
                break
            local = rng.random() < LOCAL
            if cross:
                j = pools["c"].draw(c, rng) if local else pools["all"].draw(0, rng)
            else:
                j = pools["gc"].draw(g * len(COUNTRIES) + c, rng) if local \
                    else pools["g"].draw(g, rng)
            if j is not None and j not in members:
                members.append(j)
        while len(members) < 2:  # a group with a single firm alive: anyone will do
            j = pools["all"].draw(0, rng)
            if j is not None and j not in members:
                members.append(j)
        return members

    def _collaborations(self) -> Iterator[Batch]:
        """Collaborations by start year (more each year), cross-sector ones ever more often."""
        rng, m = self.rng, self.m
        w = np.array([1 + m.collab_growth * (y - FIRST_YEAR) for y in YEARS])
        years = np.sort(rng.choice(YEARS, size=self.n_collabs, p=w / w.sum()))
        nodes: list[Node] = []
        edges: list[Edge] = []
        pools: dict[str, dict[str, Pools]] = {}
        for i, year in enumerate(years.tolist()):
            if i == 0 or year != years[i - 1]:
                pools = self._collaboration_pools(year)
            cross = bool(rng.random() < ramp(m.cross_share, year))
            members = self._members(pools["cross" if cross else "same"], cross)
            cid = f"demo-col-{i:06d}"
            nodes.append(self._collaboration(cid, year, members))
            roles = ["lead"] + [("partner", "client", "supplier")[self._below(3)]
                                for _ in members[1:]]
            for co, role in zip(members, roles, strict=True):
                edges.append(Edge(self.co_ids[co], "PARTICIPATES_IN", cid, {"role": role}))
            if rng.random() < 0.4:
                hubs = self._alive_hubs(year)
                hub = self.hub_ids[int(hubs[self._below(len(hubs))])]
                edges.append(Edge(hub, "PARTICIPATES_IN", cid, {"role": "partner"}))
            if len(nodes) >= 20_000:
                yield Batch("collaborations", nodes, _unique(edges))
                nodes, edges = [], []
        yield Batch("collaborations", nodes, _unique(edges))

    def _collaboration(self, cid: str, year: int, members: list[int]) -> Node:
        rng = self.rng
        kind = ("project", "contract", "co-creation-pilot", "matchmaking")[
            int(rng.choice(4, p=[0.35, 0.3, 0.2, 0.15]))]
        length = self._between(1, 4)
        start, end = f"{year}-{self._between(1, 13):02d}-01", f"{year + length}-06-30"
        status = "completed" if end < REFERENCE_DAY else "active"
        a, b = (GROUPS[int(self.co_group[co])] for co in (members[0], members[-1]))
        return Node(cid, "Collaboration", {
            "name": V.COLLAB_TITLES[self._below(len(V.COLLAB_TITLES))].format(
                a=a.upper() if a == "cci" else a.capitalize(), b=b.upper()
                if b == "cci" else b.capitalize()),
            "kind": kind, "startDate": start, "endDate": end, "status": status,
            "budget": float(self._between(5, 500) * 1000), "tags": TAGS,
        })

    def _partnerships(self) -> Iterator[Batch]:
        """Company partnerships by preferential attachment, companies taken in order of
        founding; each starts in a year both partners act, within the sector group with a
        chance that falls over the window (``homophily``)."""
        rng, m = self.rng, self.m
        order = np.argsort(self.founded, kind="stable").tolist()
        # each entry is one unit of attractiveness, overall and within each sector group
        targets: list[int] = order[:5]
        by_group: list[list[int]] = [[] for _ in GROUPS]
        for j in targets:
            by_group[int(self.co_group[j])].append(j)
        counts = np.minimum(rng.poisson(m.partner_rate * self.activity), 4)
        dated = _Dated()
        for i in order[5:]:
            g, closed = int(self.co_group[i]), int(self.closed[i])
            for _ in range(int(counts[i])):
                since = self._between(max(int(self.founded[i]), TIES_FROM),
                                      (closed or LAST_YEAR) + 1)
                pool = by_group[g] if rng.random() < ramp(m.homophily, since) else targets
                j = pool[self._below(len(pool))] if pool else i
                cap = first_close(closed, int(self.closed[j]))
                if j != i and since <= (cap or LAST_YEAR):
                    dated.add(self.co_ids[i], "PARTNERS_WITH", self.co_ids[j],
                              {"weight": float(self._between(1, 6))}, since, m.partnership_end,
                              cap)
                    targets.append(j)
                    by_group[int(self.co_group[j])].append(j)
            targets.append(i)
            by_group[g].append(i)
            if len(dated.rows) >= 100_000:
                yield Batch("partnerships", [], dated.edges(rng))
        yield Batch("partnerships", [], dated.edges(rng))


def _unique(edges: list[Edge]) -> list[Edge]:
    """Drop repeated (source, type, target) keys, keeping the first (order preserved)."""
    seen: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        seen.setdefault(e.key, e)
    return list(seen.values())
