"""The multilingual ESCO sample and the ecosystem the multilingual tests share."""

from __future__ import annotations

import csv
from pathlib import Path

FIX = Path(__file__).parent / "fixtures" / "esco_multi"
LANGS = ("en", "pl", "it", "de")
SKILL = "http://data.europa.eu/esco/skill/i15-"
SERVICE_DESIGN = SKILL + "0001"


def labels(lang: str) -> dict[str, tuple[str, list[str]]]:
    """``{conceptUri: (preferredLabel, altLabels)}`` of one fixture file, read with csv."""
    with open(FIX / f"skills_{lang}.csv", encoding="utf-8", newline="") as f:
        return {r["conceptUri"]: (r["preferredLabel"],
                                  [x for x in r["altLabels"].splitlines() if x])
                for r in csv.DictReader(f)}


def files(*langs: str) -> list[str]:
    return [a for lang in langs for a in ("--skills", str(FIX / f"skills_{lang}.csv"))]


def ecosystem(tmp_path: Path, db: Path) -> None:
    """A Polish hub whose member needs service design; an Italian firm, tied to the member
    through a partner, offers it. Both edges point at the one ESCO concept."""
    nodes = tmp_path / "actors.csv"
    nodes.write_text(
        "id,label,name,kind,country\n"
        "hub-krakow,Hub,Klaster Kreatywny Kraków,cluster,PL\n"
        "co-pl,Company,Studio Projektowe Sp. z o.o.,,PL\n"
        "co-broker,Company,Mostek GmbH,,AT\n"
        "co-it,Company,Servizi Creativi S.r.l.,,IT\n", encoding="utf-8")
    edges = tmp_path / "ties.csv"
    edges.write_text(
        "source,target,type\n"
        "co-pl,hub-krakow,MEMBER_OF\n"
        "co-pl,co-broker,PARTNERS_WITH\n"
        "co-broker,co-it,PARTNERS_WITH\n"
        f"co-pl,{SERVICE_DESIGN},NEEDS\n"
        f"co-pl,{SKILL}0010,NEEDS\n"
        f"co-it,{SERVICE_DESIGN},OFFERS\n"
        f"co-it,{SKILL}0010,OFFERS\n", encoding="utf-8")
    from coco_atlas.api.cli import main

    argv = ["import", "csv", "--nodes", str(nodes), "--edges", str(edges), "--db", str(db)]
    assert main(argv) == 0
