"""``coco map``: the files it writes, what they contain, and how it refuses bad input.

Expected counts come from slow, obvious reference code over the Store contract (every edge
streamed, hierarchies walked one step at a time), never from the map code itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from coco_atlas.api.cli import main
from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.graph.store import Store
from coco_atlas.schema import Edge, Node
from tests.mapdata import EXTERNAL, actors, ancestors, located, payload, tied_to


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Iterator[Store]:
    s = EmbeddedStore(demo_db)
    yield s
    s.close()


def draw(demo_db: Path, tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run ``coco map`` and return the map data embedded in the file it wrote."""
    out = tmp_path / "map.html"
    assert main(["map", "--db", str(demo_db), "--out", str(out), *args]) == 0
    return payload(out.read_text(encoding="utf-8"))


# -- reference values, computed the slow obvious way ------------------------------------------


# -- the ecosystem ----------------------------------------------------------------------------
def test_whole_ecosystem_is_one_node_per_actor(demo_db: Path, store: Store, tmp_path: Path) -> None:
    data = draw(demo_db, tmp_path)
    everyone = actors(store)
    assert sorted(n["k"] for n in data["nodes"]) == sorted(everyone)
    assert data["meta"]["counts"] == {"nodes": len(everyone), "edges": len(data["edges"])}
    assert all(n["name"] == everyone[n["k"]].props["name"] for n in data["nodes"])
    assert sorted(data["meta"]["order"]) == list(range(len(everyone)))  # who is labelled first
    assert not data["options"]["physics"]["enabled"], "physics must be off above the threshold"


def test_the_file_is_self_contained(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "eco.html"
    assert main(["map", "--db", str(demo_db), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert not EXTERNAL.findall(html), "the page loads something from elsewhere"
    for host in ("cdnjs", "jsdelivr", "unpkg", "googleapis", "bootstrap"):
        assert host not in html.lower(), host
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy and "default-src 'none'" in unescape(policy.group(1))
    assert "vis.Network" in html and "vis-network" in html  # inlined, not linked


def test_country_filter_keeps_exactly_that_country(demo_db: Path, store: Store,
                                                   tmp_path: Path) -> None:
    data = draw(demo_db, tmp_path, "--country", "AT", "--country", "SI")
    expected = {i for i, n in actors(store).items() if n.props["country"] in ("AT", "SI")}
    assert {n["k"] for n in data["nodes"]} == expected
    # country names in the reader's language (CLDR; ISO 3166 English short names here)
    assert data["meta"]["filters"] == ["country Austria (AT) or Slovenia (SI)"]


def test_region_filter_covers_sub_regions(demo_db: Path, store: Store, tmp_path: Path) -> None:
    up = ancestors(store, "PART_OF")
    expected = {a for a, r in located(store).items() if "AT1" in up.get(r, [r])}
    data = draw(demo_db, tmp_path, "--region", "AT1")
    assert {n["k"] for n in data["nodes"]} == expected and expected


def test_sector_filter_covers_sub_sectors(demo_db: Path, store: Store, tmp_path: Path) -> None:
    up = ancestors(store, "BROADER")
    expected = {e.source for e in store.iter_edges("IN_SECTOR") if "J" in up.get(e.target, [])}
    data = draw(demo_db, tmp_path, "--sector", "J")
    assert {n["k"] for n in data["nodes"]} == expected and expected


def test_label_and_years(demo_db: Path, store: Store, tmp_path: Path) -> None:
    data = draw(demo_db, tmp_path, "--label", "Hub", "--years", "2015-2018")
    everyone = actors(store)
    expected = {i for i, n in everyone.items() if n.label == "Hub"
                and n.props.get("foundedYear", 0) <= 2018}
    assert {n["k"] for n in data["nodes"]} == expected


def test_aggregated_by_region(demo_db: Path, store: Store, tmp_path: Path) -> None:
    up = ancestors(store, "PART_OF")
    levels = {n.id: n.props["level"] for n in store.iter_nodes("Region")}
    lifted = Counter(next(r for r in up.get(x, [x]) if levels[r] == 2)
                     for x in located(store).values())
    data = draw(demo_db, tmp_path, "--aggregate", "region")
    fields = data["meta"]["fields"]
    counts = {n["k"]: n["f"][fields.index("Actors")] for n in data["nodes"]}
    assert counts == dict(lifted)


def test_automatic_aggregation_above_the_limit(demo_db: Path, store: Store, tmp_path: Path) -> None:
    data = draw(demo_db, tmp_path, "--limit", "100")
    assert len(data["nodes"]) < 200 and "region" in data["meta"]["notes"][0]
    fields = data["meta"]["fields"]
    assert sum(n["f"][fields.index("Actors")] for n in data["nodes"]) == len(actors(store))


@pytest.mark.parametrize("by", ["group", "country", "community"])
def test_other_aggregations_account_for_every_actor(demo_db: Path, store: Store, tmp_path: Path,
                                                    by: str) -> None:
    data = draw(demo_db, tmp_path, "--aggregate", by)
    fields = data["meta"]["fields"]
    assert sum(n["f"][fields.index("Actors")] for n in data["nodes"]) == len(actors(store))
    if by == "country":
        expected = Counter(n.props["country"] for n in actors(store).values())
        assert {n["k"]: n["f"][fields.index("Actors")] for n in data["nodes"]} == expected


# -- ego, brokers, gaps -----------------------------------------------------------------------
def test_ego_map_one_hop_is_the_actor_and_its_ties(demo_db: Path, store: Store,
                                                  tmp_path: Path) -> None:
    data = draw(demo_db, tmp_path, "--kind", "ego", "--id", "demo-hub-00003", "--hops", "1")
    assert {n["k"] for n in data["nodes"]} == tied_to(store, "demo-hub-00003") | {
        "demo-hub-00003"}
    centre = data["nodes"][data["meta"]["centre"]]
    assert centre["k"] == "demo-hub-00003" and centre["shape"] == "star"


def test_ego_map_two_hops(demo_db: Path, store: Store, tmp_path: Path) -> None:
    first = tied_to(store, "demo-co-000100")
    second = set().union(*(tied_to(store, a) for a in first)) if first else set()
    data = draw(demo_db, tmp_path, "--kind", "ego", "--id", "demo-co-000100")
    assert {n["k"] for n in data["nodes"]} == first | second | {"demo-co-000100"}


def test_brokerage_map_sizes_by_the_measure(demo_db: Path, tmp_path: Path, store: Store) -> None:
    from coco_atlas.graph.analytics.brokerage import brokerage_table

    rows = {r["id"]: r for r in brokerage_table(store)}
    data = draw(demo_db, tmp_path, "--kind", "brokers", "--size", "liaison")
    biggest = max(data["nodes"], key=lambda n: n["size"])
    assert rows[biggest["k"]]["liaison"] == max(r["liaison"] for r in rows.values())
    groups = {n["id"]: rows[n["k"]]["group"] for n in data["nodes"]}
    highlighted = [e for e in data["edges"] if "color" in e]
    assert highlighted, "no tie across sector groups highlighted"
    for e in data["edges"]:
        a, b = groups[e["from"]], groups[e["to"]]
        across = a != b and "unknown" not in (a, b)
        assert ("color" in e) == across


def test_gap_map_colours_regions_by_unmet_needs(demo_db: Path, store: Store,
                                                tmp_path: Path) -> None:
    from coco_atlas.graph.analytics.gaps import region_gaps

    gaps = region_gaps(store, level=2)
    data = draw(demo_db, tmp_path, "--kind", "gaps")
    fields = data["meta"]["fields"]
    unmet = {n["k"]: n["f"][fields.index("Needed, offered by nobody here")] for n in data["nodes"]}
    assert unmet == {r: g["unmet"] for r, g in gaps.items()}
    legend = data["meta"]["legend"]["items"]
    for n in data["nodes"]:  # each region sits in the fixed class of its share of unmet needs
        g = gaps[n["k"]]
        if not g["needed"]:
            assert legend[n["c"]]["name"] == "none"
            continue
        low, high = (int(x) for x in legend[n["c"]]["name"].split("-"))
        share = 100 * g["unmet"] / g["needed"]
        assert low <= share < high or share == high == 100
        assert n["color"] == legend[n["c"]]["colour"]
    data = draw(demo_db, tmp_path, "--kind", "gaps", "--country", "AT")
    assert {n["k"] for n in data["nodes"]} == {r for r in gaps if r.startswith("AT")}


def test_gap_map_of_one_sector_counts_only_its_actors(demo_db: Path, store: Store,
                                                       tmp_path: Path) -> None:
    # Slow reference: walk each company in NACE section C (any class below it) by hand.
    sectors = {n.id for n in store.iter_nodes("Sector") if n.id.startswith("C")}
    companies = [c.id for c in store.iter_nodes("Company")]
    ties = store.neighbours(companies, ["IN_SECTOR", "LOCATED_IN", "NEEDS", "OFFERS"])
    needed: dict[str, set[str]] = {}
    offered: dict[str, set[str]] = {}
    for ns in ties.values():
        if not any(n.edge.type == "IN_SECTOR" and n.node.id in sectors for n in ns):
            continue
        [region] = [n.node.id for n in ns if n.edge.type == "LOCATED_IN"]
        needed.setdefault(region, set()).update(n.node.id for n in ns if n.edge.type == "NEEDS")
        offered.setdefault(region, set()).update(n.node.id for n in ns
                                                 if n.edge.type == "OFFERS")
    expected = {r: len(needed[r] - offered.get(r, set())) for r in needed}
    data = draw(demo_db, tmp_path, "--kind", "gaps", "--sector", "C", "--label", "Company")
    fields = data["meta"]["fields"]
    unmet = {n["k"]: n["f"][fields.index("Needed, offered by nobody here")] for n in data["nodes"]}
    assert {r: u for r, u in unmet.items() if r in expected} == expected
    assert all(u == 0 for r, u in unmet.items() if r not in expected)


# -- user data is escaped ---------------------------------------------------------------------
def test_names_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    demo_db = tmp_path / "hostile.db"
    evil = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    with EmbeddedStore(demo_db) as s:
        s.upsert_nodes([
            Node("AT", "Region", {"name": "Österreich", "level": 0, "country": "AT"}),
            Node("h1", "Hub", {"name": evil, "kind": "cluster", "country": "AT"}),
            Node("c1", "Company", {"name": "Łódź & <Košice>", "country": "AT"}),
        ], source="test")
        s.upsert_edges([Edge("c1", "MEMBER_OF", "h1", {})], source="test")
    out = tmp_path / "map.html"
    assert main(["map", "--db", str(demo_db), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert {n["name"] for n in payload(html)["nodes"]} == {evil, "Łódź & <Košice>"}


# -- refusals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--kind", "ego"], "id: the ego map needs"),
    (["--kind", "ego", "--id", "nobody"], "id: no actor 'nobody'"),
    (["--country", "Austria"], "country: expected ISO 3166"),
    (["--region", "XX99"], "region: 'XX99' not found"),
    (["--sector", "Z99"], "sector: 'Z99' not found"),
    (["--group", "arts"], "group: 'arts' not found"),
    (["--label", "Region"], "label: expected one of Company, Hub"),
    (["--years", "2025-2020"], "the first year 2025 comes after the last 2020"),
    (["--years", "soon"], "years: expected FIRST-LAST"),
    (["--hops", "7", "--kind", "ego", "--id", "x"], "hops: expected a whole number from 1"),
    (["--size", "total"], "size: expected one of degree, strength, none"),
    (["--kind", "brokers", "--size", "fame"], "size: expected a brokerage measure"),
    (["--aggregate", "none", "--limit", "10"], "more than the limit of 10"),
    (["--kind", "gaps", "--hops", "2"], "hops: the gaps map does not take this parameter"),
])
def test_bad_input_is_one_line_naming_the_field(demo_db: Path, tmp_path: Path, args: list[str],
                                                message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "map.html"
    assert main(["map", "--db", str(demo_db), "--out", str(out), *args]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert not out.exists(), "nothing is written when the map cannot be drawn"


def test_missing_folder_and_missing_store(demo_db: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "--db", str(demo_db), "--out", str(tmp_path / "no" / "map.html")]) != 0
    assert main(["map", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "m.html")]) != 0
    err = capsys.readouterr().err
    assert "no such folder" in err and "no such store" in err and "Traceback" not in err


# -- the guide --------------------------------------------------------------------------------
def test_guide_documents_every_parameter_and_shows_every_map() -> None:
    from coco_atlas.viz.params import KINDS, PARAMS

    root = Path(__file__).resolve().parents[1]
    guide = (root / "docs" / "maps.md").read_text(encoding="utf-8")
    for p in PARAMS:
        assert f"| `{p.name}` |" in guide, p.name
    for kind in KINDS:
        assert f"/maps/{kind}" in guide and f"--kind {kind}" in guide, kind
    for image in re.findall(r"\]\((img/[^)]+)\)", guide):
        assert (root / "docs" / image).is_file(), image
