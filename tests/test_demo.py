"""The demo ecosystem: deterministic, valid against the schema, plausible in shape."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from graph.embedded import EmbeddedStore
from graph.store import Transaction
from importers.demo.generator import SIZES, generate
from importers.demo.vocab import PROJECT_REGIONS


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


def test_collaborations_have_several_participants_in_2019_2026(demo: EmbeddedStore) -> None:
    collabs = list(demo.iter_nodes("Collaboration"))
    parts = demo.neighbours([c.id for c in collabs], ["PARTICIPATES_IN"], "in")
    assert all(len(parts[c.id]) >= 2 for c in collabs)
    assert all("2019" <= c.props["startDate"][:4] <= "2026" for c in collabs)
    assert all(sum(n.edge.props["role"] == "lead" for n in parts[c.id]) == 1 for c in collabs)


def test_names_are_invented_and_marked_synthetic(demo: EmbeddedStore) -> None:
    companies = list(demo.iter_nodes("Company"))
    assert all(c.props["tags"] == ["synthetic"] for c in companies)
    assert all(c.props["source"].startswith("demo-data") for c in companies)
