"""Regions from places: reference places checked by hand against nuts2021.csv's names, places
the data cannot decide (never guessed), and ``coco regions --derive`` writing once, with its
provenance, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.places import (
    SOURCE,
    Ambiguous,
    Decided,
    Unknown,
    apply,
    derive_regions,
    locate,
)
from coco_atlas.graph.quality import quality
from coco_atlas.graph.store import Store
from coco_atlas.importers.reference import region_graph
from tests.conftest import company, edge, hub

# (city, country, NUTS region): each region's NAME_LATN names the city ("Miasto Szczecin",
# "Wien", "Graz", "Stuttgart, Stadtkreis", "Venezia", "Padova", "Hlavní město Praha" = CZ01
# "Praha", whose only NUTS-3 it is), or the city lies in the region by its admin1: Leoben is
# in Styria, whose anchors Graz (AT221) and Liezen (AT222) are both in AT22, but Kärnten (AT21),
# AT22's sibling, has no anchor, so only AT2 "Südösterreich" is trusted.
REFERENCE = [
    ("Szczecin", "PL", "PL424"), ("Wien", "AT", "AT130"), ("Graz", "AT", "AT221"),
    ("Stuttgart", "DE", "DE111"), ("Venezia", "IT", "ITH35"), ("Padova", "IT", "ITH36"),
    ("Praha", "CZ", "CZ010"), ("Leoben", "AT", "AT2"), ("Kraków", "PL", "PL213"),
    # alternate names that are spellings of the main name: RO321 "Bucureşti", RO113 "Cluj"
    ("Bucharest", "RO", "RO321"), ("Cluj-Napoca", "RO", "RO113"),
]
# Cities no NUTS-3/NUTS-2 name anchors: Radom is in Mazowieckie, whose only anchor (Warsaw) is
# in PL91 while Radom is in PL92 — the split makes its region undecidable, not PL91.
# Vienne (Isère) shares its name with the département of Vienne (FRI34), which does not hold
# it; Budapest's anchor is contradicted by Pest, a part of Budapest that GeoNames lists as a
# place and that NUTS names the county around it (HU120). Pécs (HU231 Baranya) carries the
# alternate name "Somogy", a district it absorbed and the next county's name (HU232): an
# alternate name that is no spelling of the place's own and that nothing else vouches for
# anchors nothing, so Pécs is unknown rather than misplaced.
UNDECIDED = [("Poprad", "SK"), ("Ljubljana", "SI"), ("Radom", "PL"), ("Bratislava", "SK"),
             ("Vienne", "FR"), ("Budapest", "HU"), ("Pécs", "HU")]


@pytest.mark.parametrize(("city", "country", "region"), REFERENCE)
def test_reference_places_get_their_nuts_region(city: str, country: str, region: str) -> None:
    got = locate(city, country)
    assert isinstance(got, Decided), got
    assert got.region == region
    assert "GeoNames" in got.evidence


@pytest.mark.parametrize(("city", "country"), UNDECIDED)
def test_places_the_data_does_not_decide_are_unknown(city: str, country: str) -> None:
    got = locate(city, country)
    assert isinstance(got, Unknown), got


def test_a_name_of_two_places_in_different_regions_is_ambiguous() -> None:
    got = locate("Frankfurt", "DE")  # am Main (DE712) and (Oder) (DE403)
    assert isinstance(got, Ambiguous)
    assert {"DE403", "DE712"} <= set(got.candidates)


def test_a_name_found_nowhere_is_unknown() -> None:
    assert isinstance(locate("Nowhere-on-Sea", "AT"), Unknown)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Regions of AT, DE, PL (not CZ); actors with a city and no region, one with a region,
    one without a city."""
    path = tmp_path / "p.db"
    nodes, edges = region_graph(["AT", "DE", "PL"])
    with EmbeddedStore(path) as s:
        s.upsert_nodes(nodes, source="reference")
        s.upsert_edges(edges, source="reference")
        s.upsert_nodes([
            hub("h-wien", "Wiener Hub", city="Wien"),
            company("c-graz", "Grazer GmbH", city=" Graz "),
            company("c-stgt", "Schwaben AG", "DE", city="Stuttgart"),
            company("c-szc", "Firma", "PL", city="Szczecin"),
            company("c-radom", "Radomska", "PL", city="Radom"),
            company("c-ffm", "Main GmbH", "DE", city="Frankfurt"),
            company("c-prg", "Pražská", "CZ", city="Praha"),
            company("c-done", "Placed", city="Linz"),
            company("c-nocity", "Nowhere"),
        ], source="fixture")
        s.upsert_edges([edge("c-done", "LOCATED_IN", "AT31")], source="fixture")
    return path


def test_derivation_decides_lists_and_reports_missing_regions(db: Path) -> None:
    with EmbeddedStore(db) as s:
        found = derive_regions(s)
    assert {(d.actor, d.region) for d in found.decided} == {
        ("h-wien", "AT130"), ("c-graz", "AT221"), ("c-stgt", "DE111"), ("c-szc", "PL424")}
    assert [(a.actor, a.city) for a in found.ambiguous] == [("c-ffm", "Frankfurt")]
    assert [u.actor for u in found.unknown] == ["c-radom"]
    assert [(d.actor, d.region) for d in found.missing] == [("c-prg", "CZ010")]


def _run(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["regions", *args, "--json", "--db", str(db)]) == 0
    return json.loads(capsys.readouterr().out)


def _located(db: Path) -> dict[str, tuple[str, str]]:
    with EmbeddedStore(db) as s:
        return {e.source: (e.target, e.props.get("source", "")) for e in s.iter_edges("LOCATED_IN")}


def test_cli_writes_once_with_provenance(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(db, "--derive", capsys=capsys)
    assert first["written"] == 4
    located = _located(db)
    assert located["c-szc"] == ("PL424", SOURCE)
    assert located["h-wien"] == ("AT130", SOURCE)
    assert located["c-done"][1] == "fixture"  # untouched
    assert "c-ffm" not in located and "c-radom" not in located and "c-prg" not in located
    with EmbeddedStore(db) as s:
        version = s.version
    again = _run(db, "--derive", capsys=capsys)
    assert again["written"] == 0 and again["decided"] == []
    with EmbeddedStore(db) as s:
        assert s.version == version
        derived = {f.kind: f for f in quality(s).findings}["derivedRegion"]
    assert derived.count == 4 and "c-szc" in derived.examples and "c-done" not in \
        derived.examples


def test_dry_run_writes_nothing(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with EmbeddedStore(db) as s:
        version = s.version
    got = _run(db, "--derive", "--dry-run", capsys=capsys)
    assert got["written"] == 0 and len(got["decided"]) == 4  # type: ignore[arg-type]
    assert got["source"] == SOURCE
    with EmbeddedStore(db) as s:
        assert s.version == version


def test_the_table_lists_ambiguous_and_unknown(db: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regions", "--db", str(db)]) == 0
    text = capsys.readouterr()
    assert "c-ffm" in text.out and "c-radom" in text.out and "DE712" in text.out
    assert "nothing written" in text.err


def test_write_is_all_or_nothing(db: Path) -> None:
    with EmbeddedStore(db) as s:
        found = derive_regions(s)
        s.delete_nodes(["PL424"])  # one target vanishes between deciding and writing
        version = s.version
        with pytest.raises(Exception, match="PL424"):
            apply(s, found)
        assert s.version == version
        assert {e.source for e in s.iter_edges("LOCATED_IN")} == {"c-done"}


def test_quality_report_counts_places_not_placed(db: Path) -> None:
    with EmbeddedStore(db) as s:
        findings = {f.kind: f for f in quality(s).findings}
    assert (findings["ambiguousPlace"].count, findings["ambiguousPlace"].examples) == (
        1, ["c-ffm"])
    assert (findings["unknownPlace"].count, findings["unknownPlace"].examples) == (
        1, ["c-radom"])


def test_derive_and_write_on_every_store(store: Store) -> None:
    """The derivation uses only the Store contract: the same on the embedded store and Neo4j."""
    nodes, edges = region_graph(["AT", "DE"])
    store.upsert_nodes([*nodes, company("c-graz", "Grazer GmbH", city="Graz"),
                        company("c-ffm", "Main GmbH", "DE", city="Frankfurt")],
                       source="fixture")
    store.upsert_edges(edges, source="fixture")
    found = derive_regions(store)
    assert [(d.actor, d.region) for d in found.decided] == [("c-graz", "AT221")]
    assert [a.actor for a in found.ambiguous] == ["c-ffm"]
    assert apply(store, found) == 1
    edge_ = store.get_edge("c-graz", "LOCATED_IN", "AT221")
    assert edge_ is not None and edge_.props["source"] == SOURCE
    assert derive_regions(store).decided == []
