"""Records that lack what they should have (a hub's country and kind) come in as "unknown";
wrong values are still refused, every one of every row; ``--strict`` refuses the gaps too.

The Kumu JSON is shaped as Kumu exports a blueprint (docs.kumu.io "JSON / Blueprints":
``elements`` with ``_id`` and ``attributes`` holding ``label`` and ``element type``), as a hub
manager's map would be: hubs typed "Creative Hub" and nothing about country or kind.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.importing import graph, run, state
from tests.mapdata import payload
from tests.server import running_server

BLUEPRINT = {
    "name": "Creative hubs of the Danube region",
    "elements": [
        {"_id": "elem-Ab12Cd34", "attributes": {
            "label": "Kreativni center Maribor", "element type": "Creative Hub",
            "description": "Makerspace and co-working in the old town.",
            "tags": ["crafts", "design"]}},
        {"_id": "elem-Ef56Gh78", "attributes": {
            "label": "Hubert Design Lab", "element type": "Creative Hub",
            "website": "https://hubert.example.sk"}},
        {"_id": "elem-Ij90Kl12", "attributes": {
            "label": "Lesna d.o.o.", "element type": "Company", "country": "SI"}},
        {"_id": "elem-Mn34Op56", "attributes": {
            "label": "Omega Games", "element type": "Company"}},
    ],
    "connections": [
        {"_id": "conn-1", "direction": "directed", "from": "elem-Ij90Kl12",
         "to": "elem-Ab12Cd34", "attributes": {"connection type": "member"}},
        {"_id": "conn-2", "direction": "directed", "from": "elem-Mn34Op56",
         "to": "elem-Ef56Gh78", "attributes": {"connection type": "member"}},
        {"_id": "conn-3", "direction": "mutual", "from": "elem-Ab12Cd34",
         "to": "elem-Ef56Gh78", "attributes": {"connection type": "partner"}},
    ],
    "maps": [{"_id": "map-1", "name": "Map"}],
}
LABELS_ONLY = """# Kumu element and connection types -> our labels and types; nothing else.
[labels]
"Creative Hub" = "Hub"
"Company" = "Company"

[types]
member = "MEMBER_OF"
partner = "PARTNERS_WITH"
"""
HUBS = ("elem-Ab12Cd34", "elem-Ef56Gh78")


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    blueprint = tmp_path / "danube-hubs.json"
    blueprint.write_text(json.dumps(BLUEPRINT, ensure_ascii=False, indent=1), encoding="utf-8")
    mapping = tmp_path / "kumu-types.toml"
    mapping.write_text(LABELS_ONLY, encoding="utf-8")
    return blueprint, mapping


def _import(capsys: pytest.CaptureFixture[str], db: Path, blueprint: Path, mapping: Path,
            *extra: str) -> tuple[int, str]:
    return run(capsys, "import", "kumu", blueprint, "--mapping", mapping, "--db", db, *extra)


def test_hubs_without_country_and_kind_import_as_unknown(
        tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hubs.db"
    code, err = _import(capsys, db, *files)
    assert code == 0, err
    nodes, edges = graph(db)
    assert nodes["elem-Ab12Cd34"] == ("Hub", {
        "name": "Kreativni center Maribor", "tags": ["crafts", "design"],
        "description": "Makerspace and co-working in the old town."})
    assert nodes["elem-Ef56Gh78"] == ("Hub", {"name": "Hubert Design Lab",
                                              "website": "https://hubert.example.sk"})
    assert nodes["elem-Ij90Kl12"] == ("Company", {"name": "Lesna d.o.o.", "country": "SI"})
    assert set(edges) == {("elem-Ij90Kl12", "MEMBER_OF", "elem-Ab12Cd34"),
                          ("elem-Mn34Op56", "MEMBER_OF", "elem-Ef56Gh78"),
                          ("elem-Ab12Cd34", "PARTNERS_WITH", "elem-Ef56Gh78")}
    code, err = _import(capsys, db, *files)  # idempotent with the gaps too
    assert code == 0 and "4 unchanged" in err


def test_strict_refuses_the_same_file_naming_each_row_and_column(
        tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hubs.db"
    blueprint, _ = files
    report = tmp_path / "problems.csv"
    code, err = _import(capsys, db, *files, "--strict", "--report", report)
    assert code == 2 and "nothing was written" in err
    with report.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    got = {(r["row"], r["column"] or r["expected"].split("'")[1]) for r in rows}
    # hubs 0 and 1 lack kind (no column at all) and country; company 3 lacks country
    assert got == {("0", "kind"), ("1", "kind"), ("0", "attributes.country"),
                   ("1", "attributes.country"), ("3", "attributes.country")}, rows
    assert all(r["file"] == str(blueprint) for r in rows)
    assert all("--strict" in r["expected"] for r in rows)
    assert "Traceback" not in err
    with EmbeddedStore(db) as s:
        assert s.counts()["labels"]["Hub"] == 0


def test_a_row_with_two_wrong_values_reports_both(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One problem per column, in one run: an unreadable year does not hide a bad country,
    a future year and a kind outside the list are both named, and nothing is written."""
    nodes = tmp_path / "actors.csv"
    nodes.write_text("id,label,name,country,foundedYear,kind\n"
                     "h1,Hub,Design Hub Brno,Czechia,nineteen-ninety,cluster\n"
                     "h2,Hub,Hub Graz,AT,2999,hackerspace\n"
                     "h3,Hub,Hub Linz,,,\n", encoding="utf-8")
    db = tmp_path / "t.db"
    with EmbeddedStore(db):
        pass
    before = state(db)
    code, err = run(capsys, "import", "csv", "--nodes", nodes, "--db", db)
    assert code == 2
    assert err.startswith("error: 4 problems in the import"), err
    for line in (f"{nodes}, row 2, column 'foundedYear': expected a whole number, "
                 "got 'nineteen-ninety'",
                 f"{nodes}, row 2, column 'country': expected a string matching ^[A-Z]{{2}}$, "
                 "got 'Czechia'",
                 f"{nodes}, row 3, column 'foundedYear': expected an integer from 1000 to ",
                 f"{nodes}, row 3, column 'kind': expected a string in {{creative-hub"):
        assert line in err, (line, err)
    assert err.index("row 2, column 'country'") < err.index("row 2, column 'foundedYear'") \
        < err.index("row 3, column 'foundedYear'") < err.index("row 3, column 'kind'")
    assert "row 4" not in err  # the hub without country, year or kind is fine
    assert state(db) == before


def test_pages_maps_and_exports_say_unknown(
        tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hubs.db"
    assert _import(capsys, db, *files)[0] == 0
    with running_server(db) as base:
        page = httpx.get(base + "/nodes/elem-Ef56Gh78", timeout=30)
        map_html = httpx.get(base + "/maps/ecosystem", params={"colour": "country"},
                             timeout=60)
        chooser = httpx.get(base + "/maps/ego", params={"q": "hubert"}, timeout=30)
    assert "Hubert Design Lab</a> <span class=\"muted\">Hub · country unknown</span>" \
        in chooser.text
    assert page.status_code == 200
    text = page.text
    assert _row(text, "Kind") == _row(text, "Country") == '<span class="muted">unknown</span>'
    assert "None" not in text and "Brokers of its country" not in text
    assert map_html.status_code == 200
    data = payload(map_html.text)
    fields = data["meta"]["fields"]
    by_key = {n["k"]: dict(zip(fields, n["f"], strict=True)) for n in data["nodes"]}
    for hub in HUBS:
        assert by_key[hub]["Country"] == "unknown" and by_key[hub]["Kind"] == "unknown"
        assert by_key[hub]["Region"] == "unknown"
    # named from the CLDR even though the store holds no NUTS 0 region SI (issue 15): ISO 3166's
    # English short name
    assert by_key["elem-Ij90Kl12"]["Country"] == "Slovenia (SI)"
    assert by_key["elem-Ij90Kl12"]["Kind"] is None  # a company has no kind: not "unknown"
    legend = {i["name"]: i["text"] for i in data["meta"]["legend"]["items"]}
    assert legend == {"SI": "Slovenia (SI)", "": "unknown"}
    out = tmp_path / "export"
    assert run(capsys, "export", "csv", out, "--db", db)[0] == 0
    with (out / "nodes.csv").open(encoding="utf-8") as f:
        exported = {r["id"]: r for r in csv.DictReader(f)}
    assert exported["elem-Ef56Gh78"]["country"] == exported["elem-Ef56Gh78"]["kind"] == ""
    assert exported["elem-Ij90Kl12"]["country"] == "SI"


def _row(html: str, name: str) -> str:
    """The cell of property ``name`` in a node page's table."""
    start = html.index(f'<th scope="row">{name}</th><td>') + len(f'<th scope="row">{name}</th><td>')
    return html[start:html.index("</td>", start)]


def test_grouping_by_country_and_kind_puts_the_gaps_in_unknown(
        tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """docs/analysis.md: "Actors without a value form the group unknown"."""
    from coco_atlas.api.cli import main

    db = tmp_path / "hubs.db"
    assert _import(capsys, db, *files)[0] == 0
    for by, expected in (("country", {"elem-Ij90Kl12": "SI"}), ("kind", {})):
        capsys.readouterr()
        assert main(["brokers", "--group-by", by, "--json", "--db", str(db)]) == 0
        got: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
        groups = {r["id"]: r["group"] for r in got}
        assert set(groups) == {e["_id"] for e in BLUEPRINT["elements"]}  # type: ignore[index]
        assert groups == {i: expected.get(i, "unknown") for i in groups}, (by, groups)
