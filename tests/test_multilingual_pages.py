"""Competences and trainings named in the reader's language on the pages (issue 15): the gap
map's panel and the node pages use ``name_<lang>`` with the fallback to English, while actors
keep their own names. Over HTTP against ``coco serve`` on a copy of the small demo, where one
unmet need and a training that teaches it were given Polish and German names by an import.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from coco_atlas.graph.analytics.gaps import region_gap_details, region_gaps
from coco_atlas.graph.embedded.store import EmbeddedStore
from tests.server import running_server

POLISH, GERMAN, ENGLISH = "Projektowanie usług dla przemysłu", "Service-Design", "Service design"
TRAINING_PL = "Szkolenie z projektowania usług"
GAPS = re.compile(r'<script type="application/json" id="coco-gaps-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def served(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, dict[str, Any]]]:
    """The server, and the gap it names: {region, competence, training, needer}."""
    from coco_atlas.api.cli import main

    db = tmp_path_factory.mktemp("multilingual-pages") / "demo.db"
    shutil.copyfile(demo_db, db)  # the demo is shared by the page tests: write to a copy
    with EmbeddedStore(db) as store:  # an unmet need that a training teaches
        unmet = [r for r, f in sorted(region_gaps(store, level=2).items()) if f["unmet"]]
        details = region_gap_details(store, unmet, level=2)
        region, row = next((r, x) for r in unmet for x in details[r] if x["trainings"])
    gap = {"region": region, "competence": row["id"], "needer": row["needers"][0]["id"],
           "training": row["trainings"][0]["id"]}
    names = db.parent / "names.csv"
    names.write_text("id,label,name,name_pl,name_de,name_en\n"
                     f'{row["id"]},Competence,{row["name"]},{POLISH},{GERMAN},{ENGLISH}\n'
                     f'{gap["training"]},Training,Old name,{TRAINING_PL},,\n', encoding="utf-8")
    assert main(["import", "csv", "--nodes", str(names), "--db", str(db)]) == 0
    with running_server(db) as url:
        yield url, gap


def _get(url: str, path: str) -> str:
    r = httpx.get(url + path, timeout=120)
    assert r.status_code == 200, r.text[:300]
    return r.text


def _panel_row(url: str, lang: str, gap: dict[str, Any]) -> list[Any]:
    page = _get(url, f"/maps/gaps?level=2&lang={lang}")
    found = GAPS.search(page)
    assert found, "no gap panel data in the page"
    rows = json.loads(found.group(1))["regions"][gap["region"]]["rows"]
    return [r for r in rows if r["id"] == gap["competence"]]


def test_gap_panel_names_competences_in_the_readers_language(
        served: tuple[str, dict[str, Any]]) -> None:
    url, gap = served
    for lang, expected in (("pl", POLISH), ("de", GERMAN), ("en", ENGLISH), ("it", ENGLISH)):
        (row,) = _panel_row(url, lang, gap)
        assert row["name"] == expected, lang  # Italian has none: English is the fallback
        trainings = {t[0]: t[1] for t in row["trainings"]}
        assert trainings[gap["training"]] == (TRAINING_PL if lang == "pl" else "Old name")


def test_node_pages_name_competences_in_the_readers_language(
        served: tuple[str, dict[str, Any]]) -> None:
    url, gap = served
    page = _get(url, "/nodes/" + quote(gap["competence"], safe="") + "?lang=pl")
    assert f"<h1>{POLISH}</h1>" in page and f"<title>{POLISH} · COCO Atlas" in page
    needer = _get(url, "/nodes/" + quote(gap["needer"], safe="") + "?lang=de")
    assert GERMAN in needer and POLISH not in needer  # its needs, listed in German
    assert POLISH not in _get(url, "/nodes/" + quote(gap["needer"], safe="") + "?lang=it")
