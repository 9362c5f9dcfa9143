"""The demo ecosystem: deterministic, valid against the schema, plausible in shape and in time.

The statistical checks read the medium demo (generated in memory, about 4 s) and test what the
generator documents it builds in (importers.demo.history.Mechanism): cross-sector links grow,
trainings select active firms and then raise their chances. They assert directions the mechanism
implies, not the figures an analysis should report."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Transaction
from coco_atlas.graph.timeline import Period
from coco_atlas.importers.demo.generator import SIZES, generate
from coco_atlas.importers.demo.history import MECHANISM, Mechanism
from coco_atlas.importers.demo.vocab import PROJECT_REGIONS, SECTOR_CLASSES
from coco_atlas.schema import Edge, Node

ACTOR_LABELS = ("Hub", "Company")
DATED = ("MEMBER_OF", "PARTNERS_WITH", "OFFERS", "NEEDS")
GROUP_OF = {code: group for group, codes in SECTOR_CLASSES.items() for code in codes}


def _records(size: str, seed: int) -> list[tuple[object, ...]]:
    return [(b.name, b.nodes, b.edges) for b in generate(size, seed)]


def test_same_seed_same_graph_other_seed_other_graph() -> None:
    assert _records("small", 7) == _records("small", 7)
    assert _records("small", 7) != _records("small", 8)


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="small, medium, large"):
        generate("huge", 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("demo") / "demo.db")
    with store.bulk("demo-data") as writer:  # the store validates every batch
        for batch in generate("small", 42):
            writer.write(Transaction(writer.source, batch.nodes, batch.edges))
    yield store
    store.close()


def test_small_is_about_two_thousand_nodes(demo: EmbeddedStore) -> None:
    counts = demo.counts()
    assert abs(sum(counts["labels"].values()) - SIZES["small"]) <= SIZES["small"] * 0.1
    assert all(n > 0 for n in counts["labels"].values())
    assert all(n > 0 for n in counts["relationships"].values())


def test_hubs_cover_the_six_project_regions(demo: EmbeddedStore) -> None:
    hubs = [n for n in demo.iter_nodes("Hub")]
    located = demo.neighbours([h.id for h in hubs], ["LOCATED_IN"])
    regions = {n.node.id for ns in located.values() for n in ns}
    assert set(PROJECT_REGIONS) <= regions
    assert {h.props["country"] for h in hubs} == {"PL", "SI", "AT", "SK", "IT", "DE"}


def test_companies_sit_in_real_cci_and_manufacturing_classes(demo: EmbeddedStore) -> None:
    sectors = {s.id: s.props for s in demo.iter_nodes("Sector")}
    links = demo.neighbours([c.id for c in demo.iter_nodes("Company")], ["IN_SECTOR"])
    primary = [n.node.id for ns in links.values() for n in ns if n.edge.props.get("primary")]
    assert len(primary) == demo.count("Company")
    assert any(sectors[s]["isCCI"] for s in primary)
    assert any(sectors[s]["isAdvancedManufacturing"] for s in primary)
    assert sectors["C26"]["name"].startswith("Manufacture of computer")


def test_needs_and_offers_do_not_always_match(demo: EmbeddedStore) -> None:
    actors = [c.id for c in demo.iter_nodes("Company")]
    ties = demo.neighbours(actors, ["LOCATED_IN", "OFFERS", "NEEDS"])
    supply, demand = set(), set()
    for ns in ties.values():
        [region] = [n.node.id for n in ns if n.edge.type == "LOCATED_IN"]
        supply |= {(region, n.node.id) for n in ns if n.edge.type == "OFFERS"}
        demand |= {(region, n.node.id) for n in ns if n.edge.type == "NEEDS"}
    assert demand & supply and demand - supply  # some needs met in the region, some not
    areas = Counter(t.props["area"] for t in demo.iter_nodes("Training"))
    assert {"technology-development", "future-trends", "advanced-manufacturing-mindset"} <= set(
        areas)


def test_collaborations_have_several_participants_in_2015_2026(demo: EmbeddedStore) -> None:
    collabs = list(demo.iter_nodes("Collaboration"))
    parts = demo.neighbours([c.id for c in collabs], ["PARTICIPATES_IN"], "in")
    assert all(len(parts[c.id]) >= 2 for c in collabs)
    assert all("2015" <= c.props["startDate"][:4] <= "2026" for c in collabs)
    assert {c.props["startDate"][:4] for c in collabs} == {str(y) for y in range(2015, 2027)}
    assert all(sum(n.edge.props["role"] == "lead" for n in parts[c.id]) == 1 for c in collabs)


def test_names_are_invented_and_marked_synthetic(demo: EmbeddedStore) -> None:
    companies = list(demo.iter_nodes("Company"))
    assert all(c.props["tags"] == ["synthetic"] for c in companies)
    assert all(c.props["source"].startswith("demo-data") for c in companies)


# -- time ------------------------------------------------------------------------------------


def _lifetimes(store: EmbeddedStore) -> dict[str, tuple[int, int | None]]:
    return {n.id: (n.props["foundedYear"], n.props.get("closedYear"))
            for label in ACTOR_LABELS for n in store.iter_nodes(label)}


def test_most_actors_predate_the_window_some_are_founded_in_it_a_few_close(
        demo: EmbeddedStore) -> None:
    life = _lifetimes(demo)
    founded = np.array([f for f, _ in life.values()])
    closed = [(f, c) for f, c in life.values() if c is not None]
    assert founded.max() <= 2026 and founded.min() >= 1950
    assert 0.1 < np.mean(founded >= 2015) < 0.4
    assert 0.01 < len(closed) / len(life) < 0.15
    assert all(2015 <= c <= 2026 and c > f for f, c in closed)


def test_ties_have_a_start_and_some_have_ended(demo: EmbeddedStore) -> None:
    for rel in DATED:
        edges = list(demo.iter_edges(rel))
        assert all(isinstance(e.props["since"], int) for e in edges), rel
        ended = [e for e in edges if "until" in e.props]
        assert 0.05 < len(ended) / len(edges) < 0.6, rel
        assert all(e.props["since"] <= e.props["until"] <= 2026 for e in ended), rel
    offers = [e.props["since"] for e in demo.iter_edges("OFFERS")]
    assert sum(y >= 2015 for y in offers) > 0.2 * len(offers)  # offers start over the window


def test_every_tie_lies_within_both_ends_lifetimes(demo: EmbeddedStore) -> None:
    """A tie starts when both ends act and ends, at the latest, when the first of them
    closes: a closed actor keeps no open tie."""
    life = _lifetimes(demo)
    checked = 0
    for rel in DATED:
        for e in demo.iter_edges(rel):
            for end in (e.source, e.target):
                if end in life:
                    founded, closed = life[end]
                    assert e.props["since"] >= founded, (rel, e.key)
                    if closed is not None:
                        assert e.props.get("until", 9999) <= closed, (rel, e.key)
                    checked += 1
    assert checked > 5000


def test_attendance_participation_and_provision_fall_in_years_the_actors_act(
        demo: EmbeddedStore) -> None:
    life = _lifetimes(demo)
    year = {t.id: int(t.props["startDate"][:4]) for t in demo.iter_nodes("Training")}
    year |= {c.id: int(c.props["startDate"][:4]) for c in demo.iter_nodes("Collaboration")}

    def acts(actor: str, y: int) -> bool:
        founded, closed = life[actor]
        return founded <= y <= (closed or 9999)

    attended = list(demo.iter_edges("ATTENDED"))
    assert attended and all(e.props["year"] == year[e.target] for e in attended)
    for rel in ("ATTENDED", "PROVIDES", "PARTICIPATES_IN"):
        edges = list(demo.iter_edges(rel))  # each from an actor to a dated activity
        assert edges and all(acts(e.source, year[e.target]) for e in edges), rel


def test_the_store_sees_closed_actors_leave_and_young_ones_arrive(demo: EmbeddedStore) -> None:
    """The projection in time (graph.timeline) finds the demo's history: fewer companies act
    in 2015 than in 2026, and a company closed in 2020 is gone from 2021."""
    life = _lifetimes(demo)
    early = demo.topology(["Company"], during=Period.as_of("2015"))
    late = demo.topology(["Company"], during=Period.as_of("2026"))
    assert len(early.ids) < len(late.ids)
    gone = {i for i, (_, c) in life.items() if c == 2020}
    assert gone and gone <= set(demo.topology(["Company"], during=Period.as_of("2020")).ids)
    assert not gone & set(demo.topology(["Company"], during=Period.as_of("2021")).ids)


# -- what the generator builds in, read back from the medium demo --------------------------


class _Medium:
    """The medium demo in memory, and per company the years it started offering something new
    and joined a cross-sector collaboration."""

    def __init__(self, mechanism: Mechanism = MECHANISM) -> None:
        nodes: dict[str, Node] = {}
        edges: list[Edge] = []
        for batch in generate("medium", 42, mechanism=mechanism):
            nodes.update((n.id, n) for n in batch.nodes)
            edges.extend(batch.edges)
        self.nodes, self.edges = nodes, edges
        self.companies = sorted(i for i, n in nodes.items() if n.label == "Company")
        self.row = {c: k for k, c in enumerate(self.companies)}
        self.group = {e.source: GROUP_OF[e.target] for e in edges
                      if e.type == "IN_SECTOR" and e.props["primary"]}
        self.offered = self._yearly(self._offer_years())
        self.crossed = self._yearly(self._cross_years())
        self.first_attended: dict[str, int] = {}
        for e in edges:
            if e.type == "ATTENDED":
                y = self.first_attended.get(e.source, 9999)
                self.first_attended[e.source] = min(y, e.props["year"])

    def _offer_years(self) -> Iterator[tuple[str, int]]:
        return ((e.source, e.props["since"]) for e in self.edges
                if e.type == "OFFERS" and e.source in self.row)

    def _cross_years(self) -> Iterator[tuple[str, int]]:
        members = defaultdict(list)
        for e in self.edges:
            if e.type == "PARTICIPATES_IN" and e.source in self.row:
                members[e.target].append(e.source)
        for collab, who in members.items():
            if len({self.group[m] for m in who}) > 1:
                year = int(self.nodes[collab].props["startDate"][:4])
                yield from ((m, year) for m in who)

    def _yearly(self, events: Iterator[tuple[str, int]]) -> np.ndarray:
        out = np.zeros((len(self.companies), 2030 - 2015), dtype=bool)
        for company, year in events:
            if year >= 2015:
                out[self.row[company], year - 2015] = True
        return out

    def stratum(self, c: str) -> tuple[Any, ...]:
        p = self.nodes[c].props
        return self.group[c], p["country"], p["sizeClass"]

    def comparison(self, outcome: np.ndarray) -> tuple[float, float, float]:
        """(attendees' rate, naive difference, matched difference) of ``outcome`` in the
        three years after a company's first training (2016–2022), against companies that
        never attended, acting in the same year — all of them, or those of the same sector
        group, country and size class."""
        att: list[tuple[int, tuple[Any, ...], bool]] = []
        rest: dict[tuple[int, tuple[Any, ...]], list[bool]] = defaultdict(list)
        for c in self.companies:
            p, k = self.nodes[c].props, self.row[c]
            for y in range(max(2016, p["foundedYear"]), min(2022, p.get("closedYear", 9999)) + 1):
                later = bool(outcome[k, y - 2014: y - 2011].any())
                if self.first_attended.get(c) == y:
                    att.append((y, self.stratum(c), later))
                elif c not in self.first_attended:
                    rest[(y, self.stratum(c))].append(later)
        rate = float(np.mean([o for _, _, o in att]))
        everyone = float(np.mean([o for v in rest.values() for o in v]))
        pairs = [(o, np.mean(rest[(y, s)])) for y, s, o in att if rest.get((y, s))]
        matched = float(np.mean([o - m for o, m in pairs]))
        return rate, rate - everyone, matched


@pytest.fixture(scope="module")
def medium() -> _Medium:
    return _Medium()


def _cross_share(pairs: list[tuple[int, bool]], first: int, last: int) -> float:
    return float(np.mean([x for y, x in pairs if first <= y <= last]))


def test_cross_sector_links_grow_as_the_generator_sets_them_to(medium: _Medium) -> None:
    g = medium.group
    partnerships = [(e.props["since"], g[e.source] != g[e.target]) for e in medium.edges
                    if e.type == "PARTNERS_WITH" and e.source in g and e.target in g]
    members = defaultdict(set)
    for e in medium.edges:
        if e.type == "PARTICIPATES_IN" and e.source in g:
            members[e.target].add(g[e.source])
    collabs = [(int(medium.nodes[c].props["startDate"][:4]), len(gs) > 1)
               for c, gs in members.items()]
    for pairs in (partnerships, collabs):
        assert _cross_share(pairs, 2015, 2018) + 0.08 < _cross_share(pairs, 2023, 2026)
    per_year = Counter(y for y, _ in collabs)
    assert per_year[2015] < per_year[2026]


def test_trainings_select_active_firms_so_a_naive_comparison_overstates(
        medium: _Medium) -> None:
    """Attendees start offering more and join more cross-sector collaborations afterwards
    (the effect is there), but part of the naive gap is selection: matched on sector group,
    country and size class, the gap shrinks."""
    for outcome in (medium.offered, medium.crossed):
        rate, naive, matched = medium.comparison(outcome)
        assert 0 < matched < naive < rate
        assert naive - matched > 0.1 * naive


def test_without_the_effect_matching_still_leaves_the_hidden_selection(medium: _Medium) -> None:
    """A placebo demo (trainings change nothing) shows what matching cannot remove: the part
    of activity no attribute explains still favours attendees, a little."""
    placebo = _Medium(dataclasses.replace(MECHANISM, learn_hazard=0.0, cross_boost=1.0))
    for real, none in ((medium.offered, placebo.offered), (medium.crossed, placebo.crossed)):
        _, _, with_effect = medium.comparison(real)
        _, naive, matched = placebo.comparison(none)
        assert 0 < matched < naive and matched < with_effect / 2


def test_the_training_effect_is_a_hazard_not_a_result(medium: _Medium) -> None:
    """Not every attendee changes, and non-attendees change too: the generator raises chances,
    it does not write outcomes."""
    k = [medium.row[c] for c in medium.first_attended]
    others = np.ones(len(medium.companies), dtype=bool)
    others[k] = False
    for outcome in (medium.offered, medium.crossed):
        assert 0 < outcome[k].any(axis=1).mean() < 0.95
        assert outcome[others].any(axis=1).mean() > 0.02


def test_the_guide_names_every_parameter_the_generator_builds_in() -> None:
    """docs/analysis.md says what the demo is: every Mechanism field, with its value."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "analysis.md").read_text("utf-8")
    section = text.split("## What the demo data is (and is not)", 1)[1].split("\n## ", 1)[0]
    for f in dataclasses.fields(MECHANISM):
        value = getattr(MECHANISM, f.name)
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        assert f"`{f.name}`" in section, f.name
        if not isinstance(value, tuple):
            assert shown in section, (f.name, shown)
