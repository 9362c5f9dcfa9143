"""A synthetic, plausible Central European CCI ecosystem for demos, tests and benchmarks.

Deterministic: the same size and seed give the same graph, record for record (one
``numpy.random.Generator`` drives every choice; nothing iterates over a hashed set).

What makes it plausible rather than uniform noise:

* actors cluster in the six project countries, more densely in the project regions;
* companies belong to four sector groups (CCI, advanced manufacturing, ICT, other) with real
  NACE Rev.2 classes, and each group offers and needs different competence categories, so that
  supply and demand do not match everywhere (gaps to find);
* some regions lack whole competence categories on the supply side;
* partnerships grow by preferential attachment (Barabási & Albert 1999), giving the heavy-tailed
  degrees of real business networks, mostly within a country;
* hubs form a transnational network, run trainings in the three COCO areas and gather members.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from importers import reference
from importers.demo import vocab as V
from schema import TRAINING_AREAS, Edge, Node

SIZES = {"small": 2_000, "medium": 50_000, "large": 500_000}
SOURCE = "demo-data"
TAGS = ["synthetic"]
COUNTRIES = tuple(V.COUNTRY_WEIGHTS)
GROUPS = tuple(V.GROUP_WEIGHTS)
REFERENCE_DAY = "2026-06-30"  # fixed "today" for statuses, so output never depends on the clock


@dataclass
class Batch:
    """One step of the generation: nodes and edges that only point at earlier nodes."""

    name: str
    nodes: list[Node]
    edges: list[Edge]


def generate(size: str = "small", seed: int = 42) -> Iterator[Batch]:
    """Yield the demo ecosystem in batches (reference data first, then actors, then ties)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    return _Generator(SIZES[size], seed).run()


class _Generator:
    def __init__(self, n: int, seed: int):
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.n_hubs = max(24, n // 200)
        self.n_trainings = max(40, n // 50)
        self.n_collabs = max(60, n // 14)
        self.n_comp_target = int(min(max(140, n // 60), 6000))

    def run(self) -> Iterator[Batch]:
        yield self._regions()
        yield self._sectors()
        yield self._competences()
        yield self._hubs()
        n_companies = self.n - self.n_hubs - self.n_trainings - self.n_collabs \
            - self.n_competences - len(self.region_ids) - self.n_sectors
        yield from self._companies(max(n_companies, 50))
        yield self._trainings()
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
        regions = []
        for c in countries.tolist():
            options = self.regions_by_country[COUNTRIES[c]]
            w = np.array([4.0 if r in V.PROJECT_REGIONS else 1.0 for r in options])
            regions.append(options[int(rng.choice(len(options), p=w / w.sum()))])
        return countries, regions

    def _name(self, noun: str, country: str | None = None) -> str:
        rng = self.rng
        a = V.SYLLABLES_A[int(rng.integers(len(V.SYLLABLES_A)))]
        b = V.SYLLABLES_B[int(rng.integers(len(V.SYLLABLES_B)))]
        name = f"{a}{b} {noun}"
        if country:
            forms = V.LEGAL_FORM[country]
            name += " " + forms[int(rng.integers(len(forms)))]
        return name

    def _hubs(self) -> Batch:
        rng = self.rng
        kinds = tuple(V.HUB_WORDS)
        nodes, edges = [], []
        self.hub_ids: list[str] = []
        self.hub_country: list[str] = []
        # At least one creative hub in every project region: the COCO network itself.
        fixed = [(r[:2], r) for r in V.PROJECT_REGIONS]
        countries, regions = self._country_region(self.n_hubs - len(fixed))
        places = fixed + [(COUNTRIES[c], r) for c, r in zip(countries.tolist(), regions,
                                                              strict=True)]
        for i, (country, region) in enumerate(places):
            kind = "creative-hub" if i < len(fixed) else kinds[int(rng.choice(
                len(kinds), p=[0.35, 0.2, 0.1, 0.15, 0.1, 0.1]))]
            words = V.HUB_WORDS[kind]
            city = V.CITIES.get(region, "")
            hid = f"demo-hub-{i:05d}"
            name = f"{self._name(words[int(rng.integers(len(words)))])} {city}".strip()
            nodes.append(Node(hid, "Hub", {
                "name": name, "kind": kind, "country": country, "city": city,
                "foundedYear": int(rng.integers(1990, 2022)), "tags": TAGS,
                "website": f"https://{hid}.example.org",
            }))
            edges.append(Edge(hid, "LOCATED_IN", region, {}))
            self.hub_ids.append(hid)
            self.hub_country.append(country)
            for cat in ("business", "future trends"):
                comp = self._pick(self.comp_by_cat[cat])
                edges.append(Edge(hid, "OFFERS", comp, {"level": "advanced"}))
        # The transnational hub network: every hub partners with about four others.
        for i in range(len(self.hub_ids)):
            for j in rng.choice(len(self.hub_ids), size=4, replace=False).tolist():
                if i != j:
                    edges.append(Edge(self.hub_ids[i], "PARTNERS_WITH", self.hub_ids[j], {
                        "since": int(rng.integers(2015, 2024)),
                        "weight": float(rng.integers(1, 6))}))
        return Batch("hubs", nodes, _unique(edges))

    def _pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def _companies(self, k: int) -> Iterator[Batch]:
        rng = self.rng
        countries, regions = self._country_region(k)
        groups = rng.choice(len(GROUPS), size=k, p=list(V.GROUP_WEIGHTS.values()))
        sizes = rng.choice(4, size=k, p=[0.62, 0.25, 0.09, 0.04])
        self.co_ids: list[str] = []
        self.co_country: list[str] = []
        self.co_group: list[int] = []
        # Regions that lack some offered categories entirely: the supply gaps to discover.
        missing = {r: set(rng.choice(list(V.COMPETENCES), size=2, replace=False).tolist())
                   for r in self.region_ids}
        hubs_by_country = {c: [h for h, hc in zip(self.hub_ids, self.hub_country, strict=True)
                               if hc == c] for c in COUNTRIES}
        step = 50_000
        for start in range(0, k, step):
            nodes, edges = [], []
            for i in range(start, min(k, start + step)):
                country = COUNTRIES[int(countries[i])]
                group = GROUPS[int(groups[i])]
                cid = f"demo-co-{i:06d}"
                nodes.append(self._company(cid, country, group, int(sizes[i]), regions[i]))
                edges.extend(self._company_edges(cid, group, regions[i], missing[regions[i]],
                                                 hubs_by_country[country]))
                self.co_ids.append(cid)
                self.co_country.append(country)
                self.co_group.append(int(groups[i]))
            yield Batch("companies", nodes, edges)

    def _company(self, cid: str, country: str, group: str, size: int, region: str) -> Node:
        rng = self.rng
        nouns = V.NOUNS[group]
        return Node(cid, "Company", {
            "name": self._name(nouns[int(rng.integers(len(nouns)))], country),
            "country": country, "city": V.CITIES.get(region, ""),
            "sizeClass": ("micro", "small", "medium", "large")[size],
            "foundedYear": int(rng.integers(1950, 2026)), "tags": TAGS,
        })

    def _company_edges(self, cid: str, group: str, region: str, missing: set[str],
                       hubs: list[str]) -> list[Edge]:
        rng = self.rng
        classes = V.SECTOR_CLASSES[group]
        edges = [Edge(cid, "LOCATED_IN", region, {}),
                 Edge(cid, "IN_SECTOR", classes[int(rng.integers(len(classes)))],
                      {"primary": True})]
        if rng.random() < 0.2:
            other = V.SECTOR_CLASSES[GROUPS[int(rng.integers(len(GROUPS)))]]
            edges.append(Edge(cid, "IN_SECTOR", other[int(rng.integers(len(other)))],
                              {"primary": False}))
        offer_cats = [c for c in V.CATEGORY_OFFER[group] if c not in missing] or ["business"]
        for _ in range(int(rng.integers(1, 4))):
            cat = offer_cats[int(rng.integers(len(offer_cats)))]
            edges.append(Edge(cid, "OFFERS", self._pick(self.comp_by_cat[cat]), {
                "level": ("basic", "intermediate", "advanced", "expert")[int(rng.integers(4))]}))
        need_cats = V.CATEGORY_NEED[group]
        for _ in range(int(rng.integers(0, 3))):
            cat = need_cats[int(rng.integers(len(need_cats)))]
            edges.append(Edge(cid, "NEEDS", self._pick(self.comp_by_cat[cat]), {
                "priority": ("low", "medium", "high")[int(rng.integers(3))]}))
        if hubs and rng.random() < 0.7:
            edges.append(Edge(cid, "MEMBER_OF", self._pick(hubs),
                              {"since": int(rng.integers(2005, 2026))}))
        return _unique(edges)

    # -- activities --------------------------------------------------------------------------
    def _trainings(self) -> Batch:
        rng = self.rng
        nodes, edges = [], []
        need_cats = ("design", "digital technology", "manufacturing technology",
                     "sustainability", "future trends", "business")
        for i in range(self.n_trainings):
            area = TRAINING_AREAS[int(rng.choice(4, p=[0.4, 0.25, 0.3, 0.05]))]
            cat = need_cats[int(rng.integers(len(need_cats)))]
            topic = self._pick(self.comp_by_cat[cat])
            hub = int(rng.integers(len(self.hub_ids)))
            year = int(rng.integers(2019, 2027))
            start = f"{year}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 28)):02d}"
            end = f"{year}-12-31" if rng.random() < 0.3 else start
            titles = V.TRAINING_TITLES[area]
            tid = f"demo-tr-{i:05d}"
            nodes.append(Node(tid, "Training", {
                "name": titles[int(rng.integers(len(titles)))].format(x=cat),
                "area": area, "format": ("online", "face-to-face", "hybrid")[int(rng.integers(3))],
                "startDate": start, "endDate": end, "tags": TAGS,
                "language": "en" if rng.random() < 0.5 else V.LANGUAGE[self.hub_country[hub]],
            }))
            edges.append(Edge(self.hub_ids[hub], "PROVIDES", tid, {}))
            edges.append(Edge(tid, "TEACHES", topic, {}))
            for _ in range(int(rng.integers(0, 3))):
                edges.append(Edge(tid, "TEACHES", self._pick(self.comp_by_cat[cat]), {}))
            for _ in range(int(rng.integers(3, 15))):
                co = int(rng.integers(len(self.co_ids)))
                edges.append(Edge(self.co_ids[co], "ATTENDED", tid, {"year": year}))
        return Batch("trainings", nodes, _unique(edges))

    def _collaborations(self) -> Iterator[Batch]:
        rng = self.rng
        n_co = len(self.co_ids)
        co_by_country = {c: np.flatnonzero(np.array(self.co_country) == c) for c in COUNTRIES}
        nodes: list[Node] = []
        edges: list[Edge] = []
        for i in range(self.n_collabs):
            kind = ("project", "contract", "co-creation-pilot", "matchmaking")[
                int(rng.choice(4, p=[0.35, 0.3, 0.2, 0.15]))]
            year = int(rng.integers(2019, 2027))
            length = int(rng.integers(1, 4))
            start, end = f"{year}-{int(rng.integers(1, 13)):02d}-01", f"{year + length}-06-30"
            status = "completed" if end < REFERENCE_DAY else (
                "active" if start <= REFERENCE_DAY else "planned")
            lead = int(rng.integers(n_co))
            country = self.co_country[lead]
            k = int(rng.integers(2, 7))
            local = co_by_country[country]
            members = [lead]
            while len(members) < k:  # distinct participants, mostly from the lead's country
                m = int(local[int(rng.integers(len(local)))]) if rng.random() < 0.6 \
                    else int(rng.integers(n_co))
                if m not in members:
                    members.append(m)
            cid = f"demo-col-{i:06d}"
            a, b = (GROUPS[self.co_group[m]] for m in (members[0], members[-1]))
            nodes.append(Node(cid, "Collaboration", {
                "name": V.COLLAB_TITLES[int(rng.integers(len(V.COLLAB_TITLES)))].format(
                    a=a.upper() if a == "cci" else a.capitalize(), b=b.upper()
                    if b == "cci" else b.capitalize()),
                "kind": kind, "startDate": start, "endDate": end, "status": status,
                "budget": float(rng.integers(5, 500) * 1000), "tags": TAGS,
            }))
            roles = ["lead"] + [("partner", "client", "supplier")[int(rng.integers(3))]
                                for _ in members[1:]]
            for m, role in zip(members, roles, strict=True):
                edges.append(Edge(self.co_ids[m], "PARTICIPATES_IN", cid, {"role": role}))
            if rng.random() < 0.4:
                hub = self.hub_ids[int(rng.integers(len(self.hub_ids)))]
                edges.append(Edge(hub, "PARTICIPATES_IN", cid, {"role": "partner"}))
            if len(nodes) >= 20_000:
                yield Batch("collaborations", nodes, _unique(edges))
                nodes, edges = [], []
        yield Batch("collaborations", nodes, _unique(edges))

    def _partnerships(self) -> Iterator[Batch]:
        """Company partnerships by preferential attachment within a country (mostly)."""
        rng = self.rng
        n_co = len(self.co_ids)
        targets = list(range(min(5, n_co)))  # each entry is one unit of attractiveness
        edges: list[Edge] = []
        for i in range(5, n_co):
            for _ in range(int(rng.integers(0, 3))):
                j = targets[int(rng.integers(len(targets)))]
                if j != i:
                    edges.append(Edge(self.co_ids[i], "PARTNERS_WITH", self.co_ids[j], {
                        "since": int(rng.integers(2010, 2027)),
                        "weight": float(rng.integers(1, 6))}))
                    targets.append(j)
            targets.append(i)
            if len(edges) >= 100_000:
                yield Batch("partnerships", [], _unique(edges))
                edges = []
        yield Batch("partnerships", [], _unique(edges))


def _unique(edges: list[Edge]) -> list[Edge]:
    """Drop repeated (source, type, target) keys, keeping the first (order preserved)."""
    seen: dict[tuple[str, str, str], Edge] = {}
    for e in edges:
        seen.setdefault(e.key, e)
    return list(seen.values())
