"""Competences in several languages (issue 15), through the CLI: ESCO files of four languages
merge onto shared concepts, search finds a concept from any language's label, and gaps and
introductions match a need and an offer written in two languages.

The fixture (fixtures/esco_multi, see its README) is in ESCO's CSV layout; expected labels are
read from it with the csv module, not from the code under test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.importing import graph, run
from tests.multilingual import FIX, LANGS, SERVICE_DESIGN, SKILL, ecosystem, files, labels


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "m.db"
    code, err = run(capsys, "import", "esco", *files(*LANGS), "--db", path)
    assert code == 0, err
    return path


def test_four_languages_merge_onto_shared_concepts(db: Path) -> None:
    nodes, _ = graph(db)
    every = {uri for lang in LANGS for uri in labels(lang)}
    assert set(nodes) == every  # one node per conceptUri, not one per file
    for lang in LANGS:
        for uri, (pref, alts) in labels(lang).items():
            props = nodes[uri][1]
            assert props[f"name_{lang}"] == pref
            assert props.get(f"altLabels_{lang}", []) == alts
    english = labels("en")
    for uri, (_, props) in nodes.items():  # the display name: English, else the first given
        expected = english[uri][0] if uri in english else labels("pl")[uri][0]
        assert props["name"] == expected
    assert "name_de" not in nodes[SKILL + "0010"][1]  # the German file lacks it


def test_reimport_changes_nothing_and_one_language_updates(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = graph(db)
    code, err = run(capsys, "import", "esco", *files(*LANGS), "--db", db)
    assert code == 0 and f"0 created, 0 changed, {len(before[0])} unchanged" in err
    code, err = run(capsys, "import", "esco", *files("pl"), "--db", db)
    assert code == 0 and "0 changed" in err  # a language alone again: still unchanged
    assert graph(db) == before
    changed = tmp_path / "skills_pl.csv"  # a corrected Polish label updates that language only
    text = (FIX / "skills_pl.csv").read_text(encoding="utf-8")
    changed.write_text(text.replace("projektowanie usług", "projektowanie usług (design)"),
                       encoding="utf-8")
    code, err = run(capsys, "import", "esco", "--skills", changed, "--db", db)
    assert code == 0 and "1 changed" in err
    props = graph(db)[0][SERVICE_DESIGN][1]
    assert props["name_pl"] == "projektowanie usług (design)"
    assert props["name"] == props["name_en"] == labels("en")[SERVICE_DESIGN][0]


def test_problems_name_file_row_and_column_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "skills_it.csv"
    rows = (FIX / "skills_it.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # row 3 (the second concept) without its preferred label
    rows[2] = rows[2].replace("progettazione grafica", "")
    bad.write_text("".join(rows), encoding="utf-8")
    nolang = tmp_path / "skills.csv"
    nolang.write_text(rows[0] + rows[1], encoding="utf-8")
    db = tmp_path / "e.db"
    code, err = run(capsys, "import", "esco", *files("en"), "--skills", bad, "--skills", nolang,
                    "--db", db)
    assert code == 2
    assert f"{bad}, row 3, column 'preferredLabel': expected a preferred label" in err
    assert f"{nolang}: expected a language: a file name ending in _<lang>.csv" in err
    assert not db.exists() or graph(db) == ({}, {})
    code, err = run(capsys, "import", "esco", "--skills", nolang, "--lang", "it", "--db", db)
    assert code == 0, err  # --lang says what the name does not
    assert graph(db)[0][SERVICE_DESIGN][1]["name_it"] == labels("it")[SERVICE_DESIGN][0]


def _search(capsys: pytest.CaptureFixture[str], db: Path, text: str,
            *more: str) -> list[dict[str, object]]:
    code, out = _out(capsys, "search", text, "--json", *more, "--db", db)
    assert code == 0
    return list(json.loads(out))


def _out(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    from coco_atlas.api.cli import main

    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


@pytest.mark.parametrize("lang", LANGS)
def test_the_preferred_label_of_every_language_finds_the_concept_first(
        db: Path, capsys: pytest.CaptureFixture[str], lang: str) -> None:
    for uri, (pref, _) in labels(lang).items():
        hits = _search(capsys, db, pref)
        assert hits[0]["id"] == uri, (lang, pref, hits[:3])


def test_issue_examples_accents_inflection_and_the_askers_language(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("projektowanie usług", "progettazione di servizi", "service design",
                 "Service-Design",
                 "PROJEKTOWANIE USLUG",  # case and accents
                 "projektowania usług",  # Polish genitive: the Snowball Polish stemmer
                 "progettazione servizio",  # Italian singular: the Italian stemmer
                 "servic desig",  # prefixes
                 "Dienstleistungsdesign"):  # an alternative label
        hits = _search(capsys, db, text)
        assert hits and hits[0]["id"] == SERVICE_DESIGN, (text, hits[:3])
    # Names come in the asker's language, then English, then the display name.
    hits = _search(capsys, db, "projektowanie usług", "--lang", "pl")
    assert hits[0]["name"] == labels("pl")[SERVICE_DESIGN][0] and hits[0]["lang"] == "pl"
    hits = _search(capsys, db, "negotiate contracts", "--lang", "de")  # no German label
    assert hits[0]["name"] == labels("en")[SKILL + "0010"][0]
    hits = _search(capsys, db, "Industriedesign", "--lang", "hu")  # neither Hungarian nor en
    assert hits[0]["name"] == labels("pl")[SKILL + "0031"][0]


def test_a_need_in_polish_meets_an_offer_in_italian(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ecosystem(tmp_path, db)
    for lang in ("pl", "it", "de"):
        code, out = _out(capsys, "gaps", "--hub", "hub-krakow", "--lang", lang, "--json",
                         "--db", db)
        assert code == 0
        result = json.loads(out)
        gaps = {g["competence"]["id"]: g for g in result["gaps"]}
        assert set(gaps) == {SERVICE_DESIGN, SKILL + "0010"}
        assert [s["id"] for s in gaps[SERVICE_DESIGN]["suppliers"]] == ["co-it"]
        assert gaps[SERVICE_DESIGN]["competence"]["name"] == labels(lang)[SERVICE_DESIGN][0]
        want = labels(lang).get(SKILL + "0010") or labels("en")[SKILL + "0010"]  # fallback
        assert gaps[SKILL + "0010"]["competence"]["name"] == want[0]

        code, out = _out(capsys, "introductions", "--lang", lang, "--json", "--db", db)
        assert code == 0
        (intro,) = json.loads(out)
        assert (intro["offerer"]["id"], intro["needer"]["id"]) == ("co-it", "co-pl")
        assert [b["id"] for b in intro["brokers"]] == ["co-broker"]
        names = {c["id"]: c["name"] for c in intro["competences"]}
        assert names[SERVICE_DESIGN] == labels(lang)[SERVICE_DESIGN][0]
        assert labels(lang)[SERVICE_DESIGN][0] in intro["explanation"]
    code, out = _out(capsys, "introductions", "--db", db)  # a table, in the locale's language
    assert code == 0 and "Servizi Creativi" in out


def test_unsupported_language_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from coco_atlas.api.cli import main

    assert main(["search", "design", "--lang", "fr", "--db", str(db)]) == 2
    assert "expected one of en, pl, de" in capsys.readouterr().err


def test_exports_keep_every_language(db: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """CSV one column per language, GraphML and GEXF one attribute, Kumu one field; read back
    with the standard library's parsers, and the CSV imported again into a new store."""
    import xml.etree.ElementTree as ET

    want = {(uri, lang): pref for lang in LANGS for uri, (pref, _) in labels(lang).items()}
    for fmt in ("csv", "graphml", "gexf", "kumu-json"):
        code, err = run(capsys, "export", fmt, tmp_path / f"out.{fmt}", "--db", db)
        assert code == 0, err
    with open(tmp_path / "out.csv" / "nodes.csv", encoding="utf-8", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert {(u, lang): rows[u][f"name_{lang}"] for u, lang in want} == want
    assert rows[SERVICE_DESIGN]["altLabels_pl"] == "|".join(labels("pl")[SERVICE_DESIGN][1])

    graphml = ET.parse(tmp_path / "out.graphml").getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("id"): k.get("attr.name") for k in graphml.iterfind("g:key", ns)}
    found = {}
    for node in graphml.iterfind(".//g:node", ns):
        for data in node.iterfind("g:data", ns):
            name = keys[data.get("key")]
            if name and name.startswith("name_"):
                found[(node.get("id"), name[5:])] = data.text
    assert found == want

    gexf = ET.parse(tmp_path / "out.gexf").getroot()
    gns = {"x": gexf.tag.split("}")[0][1:]}
    titles = {a.get("id"): a.get("title") for a in gexf.iterfind(".//x:attribute", gns)}
    found = {}
    for node in gexf.iterfind(".//x:node", gns):
        for value in node.iterfind(".//x:attvalue", gns):
            title = titles.get(value.get("for"))
            if title and title.startswith("name_"):
                found[(node.get("id"), title[5:])] = value.get("value")
    assert found == want

    kumu = json.loads((tmp_path / "out.kumu-json").read_text(encoding="utf-8"))
    found = {(e["id"], k[5:]): v for e in kumu["elements"] for k, v in e.items()
             if k.startswith("name_")}
    assert found == want

    again = tmp_path / "again.db"
    code, err = run(capsys, "import", "csv", "--nodes", tmp_path / "out.csv" / "nodes.csv",
                    "--db", again)
    assert code == 0, err
    assert graph(again)[0] == graph(db)[0]


def test_reference_data_names_by_language(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """NACE titles are Eurostat's English ones: they are the English label too. NUTS names are
    local and the classification has no English ones: regions keep one display name, which
    every language falls back to."""
    reference = Path(__file__).resolve().parents[1] / "importers" / "reference"
    with open(reference / "nace_rev2.csv", encoding="utf-8", newline="") as f:
        nace = {r["code"]: r["name"] for r in csv.DictReader(f)}
    with open(reference / "nuts2021.csv", encoding="utf-8", newline="") as f:
        nuts = {r["NUTS_ID"]: r["NAME_LATN"] for r in csv.DictReader(f) if r["LEVL_CODE"] == "2"}
    db = tmp_path / "r.db"
    code, err = run(capsys, "import", "reference", "--max-level", "2", "--db", db)
    assert code == 0, err
    nodes = graph(db)[0]
    assert {c: nodes[c][1]["name_en"] for c in nace} == nace
    assert {r: nodes[r][1]["name"] for r in nuts} == nuts
    assert not any(k.startswith("name_") for r in nuts for k in nodes[r][1])
    hits = _search(capsys, db, nace["J62"], "--lang", "pl")  # no Polish: the English title
    assert hits[0]["id"] == "J62" and hits[0]["name"] == nace["J62"]
    hits = _search(capsys, db, "Łódzki", "--lang", "de")
    assert hits[0]["id"] == "PL71" and hits[0]["name"] == nuts["PL71"]
