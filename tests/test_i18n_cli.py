"""The command line in the reader's language (issue 15, item 4): real ``coco`` commands with
``--lang pl`` (or the locale) print their messages, tables, import problems and errors in
Polish, Click's own framing ("Error:", "Usage:") included, and no English sentence is left.

The check is :func:`tests.i18n_text.english_lines`, the one the pages pass: no line may be an
English message of the code that the catalogue translates, or read as English. Data stays as
it is (file and column names, values, ids, labels of the schema). Each test also asserts the
Polish it expects, so that an empty output cannot pass; one test shows the check catching the
same commands in English. Commands that write work on a copy of the demo store.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coco_atlas.api.cli import main
from tests.i18n_text import english_lines

BAD_NODES = """id,label,name,country,foundedYear,kind
hub-1,Hub,Hub Jeden,AT,2001,creative-hub
co-1,Company,Firma,PL,dwadzieścia,
co-2,Compnay,Inna,PL,2002,
co-3,Company,Trzecia,Austria,2003,
hub-1,Hub,Znowu,AT,2004,creative-hub
"""
BAD_EDGES = """source,target,type
co-1,hub-1,MEMBER_OF
co-x,hub-1,MEMBER_OF
"""


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a neutral name (no test name, whose English words would count),
    made the current one so that files are named as a user names them."""
    path = tmp_path_factory.mktemp("dane")
    monkeypatch.chdir(path)
    (path / "nodes.csv").write_text(BAD_NODES, encoding="utf-8")
    (path / "edges.csv").write_text(BAD_EDGES, encoding="utf-8")
    return path


def coco(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    """``coco ARGV`` in-process: (exit code, everything printed, stdout then stderr)."""
    code = main([str(a) for a in argv])
    got = capsys.readouterr()
    assert "Traceback" not in got.err
    return code, got.out + got.err


def lines(text: str, *hide: Path) -> list[str]:
    """The printed lines, without the paths of this run's folders (they are data)."""
    for path in hide:
        text = text.replace(str(path), "DIR")
    return [x for x in (line.strip(" │┃") for line in text.splitlines()) if x.strip()]


def no_english(text: str, *hide: Path) -> None:
    found = english_lines(lines(text, *hide), "pl")
    assert found == [], found


def test_import_problems_name_file_row_and_column_in_polish(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = coco(capsys, "--lang", "pl", "import", "csv", "--nodes", "nodes.csv", "--edges",
                     "edges.csv", "--db", "atlas.db", "--report", "problemy.csv")
    assert code == 2
    for expected in (
            "błąd: 5 problemów w imporcie, nic nie zapisano:",
            "nodes.csv, wiersz 3, kolumna 'foundedYear': oczekiwano: liczba całkowita, "
            "otrzymano: 'dwadzieścia'",
            "nodes.csv, wiersz 4, kolumna 'label': oczekiwano: jedno z: Hub, Company",
            "(albo wpis [labels] w pliku mapowania), otrzymano: 'Compnay'",
            "nodes.csv, wiersz 5, kolumna 'country': oczekiwano: ciąg znaków według wzorca "
            "^[A-Z]{2}$, otrzymano: 'Austria'",
            "nodes.csv, wiersz 6, kolumna 'id': oczekiwano: id użyte tylko raz, ale wiersz 2 też "
            "je ma, otrzymano: 'hub-1'",
            "edges.csv, wiersz 3, kolumna 'source': oczekiwano: id istniejącego węzła, "
            "otrzymano: 'co-x'",
            "wszystkie 5 problemów zapisane do problemy.csv"):
        assert expected in out, expected
    no_english(out, folder)
    assert not (folder / "atlas.db").exists() or code == 2
    # the report keeps its column names (tools read them) and words what was expected
    with (folder / "problemy.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["file", "sheet", "row", "column", "expected", "got"]
    assert {"row": "3", "column": "foundedYear", "expected": "liczba całkowita"}.items() \
        <= rows[0].items()


def test_a_dry_run_says_what_would_change_in_polish(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "nodes.csv").write_text(BAD_NODES.splitlines()[0] + "\n"
                                      + BAD_NODES.splitlines()[1] + "\n", encoding="utf-8")
    code, out = coco(capsys, "--lang", "pl", "import", "csv", "--nodes", "nodes.csv",
                     "--dry-run", "--db", "atlas.db")
    assert code == 0, out
    assert "próba na sucho, nic nie zapisano węzły: do utworzenia 1, do zmiany 0, bez zmian 0;" \
        " relacje: do utworzenia 0" in out
    no_english(out, folder)
    assert not (folder / "atlas.db").exists()


def test_stats_quality_and_search_in_polish(demo_db: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out = coco(capsys, "--lang", "pl", "stats", "--db", demo_db)
    assert code == 0 and "Węzły" in out and "Relacje" in out and "etykieta" in out
    assert "1\u00a0376" in out  # 1,376 companies, grouped the Polish way (CLDR)
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "quality", "--db", demo_db)
    assert code == 0 and "Ustalenia" in out and "podmioty bez sektora" in out
    assert "Kompletność" in out and "właściwość" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "search", "design", "--db", demo_db)
    assert code == 0 and "Wyszukiwanie: design" in out and "wynik" in out and "nazwa" in out
    no_english(out, demo_db)
    # machine output stays as it is
    code, out = coco(capsys, "--lang", "pl", "quality", "--json", "--db", demo_db)
    assert code == 0 and '"title": "actors without a sector"' in out


def test_a_refused_merge_is_explained_in_polish(demo_db: Path, tmp_path_factory:
                                                pytest.TempPathFactory,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path_factory.mktemp("kopia") / "atlas.db"
    shutil.copy(demo_db, db)
    code, out = coco(capsys, "--lang", "pl", "merge", "demo-hub-00000", "nie-ma-takiego",
                     "--db", db)
    assert code == 2
    assert "błąd: 1 problem:" in out
    assert "merge: pole 'drop': oczekiwano: id istniejącego węzła, otrzymano: 'nie-ma-takiego'" \
        in out
    no_english(out, db.parent)
    code, out = coco(capsys, "--lang", "pl", "merge", "demo-hub-00000", "--db", db)
    assert code == 2 and "Błąd: podaj KEEP i co najmniej jedno id DROP" in out
    assert "Użycie: coco merge" in out
    no_english(out, db.parent)


def test_map_errors_in_polish(demo_db: Path, folder: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    base = ("--lang", "pl", "map", "--db", demo_db)
    code, out = coco(capsys, *base, "--kind", "gaps", "--level", "9", "--out", "x.html")
    assert code != 0 and "oczekiwano liczby całkowitej od 0 do 3" in out
    no_english(out, demo_db)
    code, out = coco(capsys, *base, "--kind", "nope", "--out", "x.html")  # Click's own words
    assert code == 2 and "Błąd: Nieprawidłowa wartość dla '--kind': 'nope' nie jest jednym z:" \
        in out and "Użycie: coco map" in out and "Pomoc: 'coco map --help'." in out
    no_english(out, demo_db)
    code, out = coco(capsys, *base, "--kind", "gaps")
    assert code == 2 and "Błąd: Brak opcji '--out'." in out
    no_english(out, demo_db)
    code, out = coco(capsys, *base, "--kind", "gaps", "--out", "brak/x.html")
    assert code == 1 and "Błąd: brak/x.html: nie ma folderu brak" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "stats", "--db", folder / "nic.db")
    assert code == 1 and "nie ma takiego magazynu (utwórz go przez 'coco demo-data')" in out
    no_english(out, folder)


def test_the_english_check_catches_the_same_commands_in_english(
        folder: Path, demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """English output fails the check the Polish output passes: it is not blind."""
    _code, out = coco(capsys, "--lang", "en", "import", "csv", "--nodes", "nodes.csv",
                      "--edges", "edges.csv", "--db", "atlas.db")
    assert "5 problems in the import, nothing was written" in out
    assert len(english_lines(lines(out, folder), "pl")) >= 3
    _code, out = coco(capsys, "--lang", "en", "map", "--db", demo_db, "--kind", "nope",
                      "--out", "x.html")
    assert english_lines(lines(out, demo_db), "pl")


def test_the_locale_chooses_the_language_when_lang_is_not_given(
        folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "COCO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    code, out = coco(capsys, "import", "csv", "--nodes", "nodes.csv", "--db", "atlas.db")
    assert code == 2 and "Fehler: 4 Probleme in dem Import, nichts wurde geschrieben:" in out
    assert "nodes.csv, Zeile 3, Spalte 'foundedYear': erwartet: eine ganze Zahl" in out
    monkeypatch.setenv("LANG", "sl_SI.UTF-8")
    code, out = coco(capsys, "import", "csv", "--nodes", "nodes.csv", "--db", "atlas.db")
    assert "napaka: 4 težave v uvozu, nič ni bilo zapisano:" in out  # Slovenian "few" form
    assert "vrstica 5, stolpec 'country': pričakovano: niz po vzorcu ^[A-Z]{2}$" in out


def test_a_problem_built_in_one_language_is_worded_in_the_language_it_is_shown_in() -> None:
    """Messages are worded where shown: a problem found while Polish was current and printed
    under Italian reads Italian; its English text is what code and JSON see."""
    from coco_atlas.importers.errors import ImportFailed, Location, Problems
    from coco_atlas.schema.messages import N_, Msg
    from coco_atlas.viz.i18n import use

    with use("pl"):
        problems = Problems()
        where = Location("dati.csv", "table")
        problems.add(where.at(7, "name"), Msg(N_("at most {n} characters"), n=200), "x" * 300)
        problems.add(where.at(8, "name"), N_("a string"), 3)
        error = ImportFailed(problems.items)
    assert error.args[0].startswith("2 problems in the import, nothing was written:")
    assert problems.items[0].expected == "at most 200 characters"  # the English text
    with use("it"):
        shown = str(error)
    assert shown.startswith("2 problemi in importazione, non è stato scritto nulla:")
    assert "dati.csv, riga 7, colonna 'name': atteso: al massimo 200 caratteri" in shown
    assert "riga 8, colonna 'name': atteso: una stringa, ricevuto: 3" in shown


@pytest.fixture
def wide() -> object:
    """Tables as wide as a terminal that shows them whole (a test's console has 80 columns,
    and wrapped headings would be checked word by word)."""
    from coco_atlas.api.commands.common import out

    old = out._width
    out.width = 240
    yield
    out._width = old


@pytest.mark.usefixtures("wide")
def test_brokers_gaps_and_introductions_in_polish(demo_db: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The analysis commands' tables, headings, captions and summaries; names and group ids
    are data and stay as they are."""
    code, out = coco(capsys, "--lang", "pl", "brokers", "--first", "5", "--db", demo_db)
    assert code == 0 and "Pośrednicy według: sectorGroup (nieskierowane, powiązania:" in out
    assert "k / w / r / s / ł: koordynator, wędrowiec, reprezentant, strażnik, łącznik" in out
    assert "łącznie" in out and "ograniczenie (constraint)" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "brokers", "--between", "cci,ict", "--first", "5",
                     "--db", demo_db)
    assert code == 0 and "Pośrednicy między cci i ict" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "gaps", "--db", demo_db)
    assert code == 0 and "Kompetencje potrzebne a oferowane, regiony NUTS 2" in out
    assert "niezaspokojone" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "gaps", "--region", "PL42", "--first", "5",
                     "--db", demo_db)
    assert code == 0 and "(PL42): podmioty:" in out
    assert "Niezaspokojone potrzeby i najbliżsi dostawcy gdzie indziej" in out
    assert "Najsłabiej powiązane grupy sektorów:" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "introductions", "--first", "5", "--db", demo_db)
    assert code == 0 and "Proponowane zapoznania" in out and "oferujący" in out
    no_english(out, demo_db)
    # errors: the analyses' own and the options'
    code, out = coco(capsys, "--lang", "pl", "gaps", "--region", "XX9", "--db", demo_db)
    assert code == 1 and "region: w magazynie nie ma regionu NUTS 'XX9'" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "brokers", "--years", "2030-2020", "--db", demo_db)
    assert code == 2 and "2030 jest później niż 2020" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "brokers", "--ties", "friends", "--db", demo_db)
    assert code == 2 and "oczekiwano jednego lub więcej z: partners" in out
    no_english(out, demo_db)


@pytest.mark.usefixtures("wide")
def test_trends_compare_and_impact_in_polish(demo_db: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out = coco(capsys, "--lang", "pl", "trends", "--from", "2018", "--to", "2020",
                     "--db", demo_db)
    assert code == 0 and "Ekosystem w kolejnych okresach" in out and "otwarte luki" in out
    assert "Główni pośrednicy między grupami sektorów" in out and "(nowy)" in out
    assert "1\u00a0156" in out  # 1,156 actors in 2018, grouped the Polish way
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "compare", "--before", "2018", "--after", "2021",
                     "--first", "3", "--db", demo_db)
    assert code == 0 and "nowe powiązania:" in out and "Zakończone powiązania" in out
    assert "Nowe mosty (największy wzrost pośrednictwa)" in out and "Zamknięte luki" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "impact", "--db", demo_db)
    assert code == 0 and "Wpływ wszystkich szkoleń, 2 lata później:" in out
    assert "Uczestnicy a porównywalne firmy" in out and "brak wyraźnej różnicy" in out
    assert "Metoda: dokładne dopasowanie" in out
    no_english(out, demo_db)
    code, out = coco(capsys, "--lang", "pl", "impact", "--training", "nie-ma", "--db", demo_db)
    assert code == 2 and "training: 'nie-ma' nie jest szkoleniem w tym magazynie" in out
    no_english(out, demo_db)
    _code, out = coco(capsys, "--lang", "en", "impact", "--db", demo_db)  # the check sees
    assert len(english_lines(lines(out, demo_db), "pl")) >= 3  # the same lines in English
    # machine output stays as it is
    code, out = coco(capsys, "--lang", "pl", "impact", "--json", "--db", demo_db)
    assert code == 0 and '"verdict": "no clear difference: the interval includes zero"' in out


# -- --help ------------------------------------------------------------------------------------
HELP = (("import", "csv"), ("brokers",), ("serve",), ("map",), ("chart",), ("export",))
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "COCO_LANG")
OPTION = re.compile(r"^(?:-\w, )?--[\w-]+(?: \S+)?(?:\s{2,}|$)")  # "--db PATH   " column
COMMAND = re.compile(r"^[a-z0-9-]+\s{2,}")  # a command's name in the list of commands


def coco_help(*argv: str, env: dict[str, str] | None = None) -> str:
    """``coco ARGV`` as a user runs it (its own process, no locale unless ``env`` sets one):
    what it prints on stdout."""
    base = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    done = subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", *argv], text=True,
                          capture_output=True, env={**base, "COLUMNS": "100", **(env or {})},
                          timeout=120, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout


def descriptions(text: str) -> list[str]:
    """The help's own words: its lines without the options' and commands' names (which stay
    as they are: --dry-run, FILE, import)."""
    found = [COMMAND.sub("", OPTION.sub("", raw.strip())) for raw in text.splitlines()]
    return [x for x in found if x]


def test_help_in_polish_and_in_german_from_the_locale() -> None:
    """``--help`` of the group and of commands: descriptions and option help in the reader's
    language, Click's framing too; option names, metavars and examples as they are."""
    out = coco_help("--lang", "pl", "--help")
    assert "Użycie: coco [OPTIONS] COMMAND [ARGS]..." in out
    assert "COCO Atlas: ekosystem sektora kultury i kreatywności Europy Środkowej" in out
    assert "Liczności według etykiet węzłów i typów relacji." in out  # stats, in the list
    assert "Język komunikatów, map i wykresów: en, pl, de" in out
    assert english_lines(descriptions(out), "pl") == []
    expected = {
        "import": ("Węzły i relacje z plików CSV", "--dry-run", "nic nie zapisuj",
                   "[zmienna środowiskowa: COCO_DB; domyślnie: coco.db]"),
        "brokers": ("Podmioty-pomosty: role pośrednictwa", "--between GROUP,GROUP",
                    "np. cci,ict", "[domyślnie: wszyscy z --json, 20 w tabeli]"),
        "serve": ("Udostępnij API HTTP na HOST:PORT", "Port TCP serwera.",
                  "pozostaje po angielsku"),
        "map": ("Zapisz jedną mapę jako samodzielny plik HTML", "Która mapa.",
                "(--country AT --country SI)", "Tylko podmioty z tych krajów (ISO 3166 "
                "alpha-2, EL dla Grecji). Można podać wielokrotnie.",
                "(jego id). [mapa: ego]", "(domyślnie 2 000). [mapy: ecosystem, ego, brokers]",
                "o tych etykietach (Company, Hub)", "najwyżej 60 lat"),
        "chart": ("Zapisz wykres", "Tylko podmioty z tych grup sektorów (cci",
                  "(od 0 do 3; domyślnie 2). [gaps]"),
        "export": ("Wyeksportuj graf lub jego przefiltrowaną część", "Tylko podmioty z tym "
                   "kodem NACE"),
    }
    for command in HELP:
        out = coco_help("--lang", "pl", *command, "--help")
        assert f"Użycie: coco {' '.join(command)} [OPTIONS]" in out
        flat = " ".join(out.split())
        for text in expected[command[0]]:
            assert text in flat, (command, text)
        found = english_lines(descriptions(out), "pl")
        assert found == [], (command, found)
    out = coco_help("import", "csv", "--help", env={"LANG": "de_DE.UTF-8"})
    assert "Knoten und Kanten aus CSV-Dateien" in out and "Aufruf: coco import csv" in out
    assert "[Umgebungsvariable: COCO_DB; Standard: coco.db]" in " ".join(out.split())


def test_help_stays_english_without_a_language_and_the_check_sees_it() -> None:
    out = coco_help("--help")
    assert "COCO Atlas: the Cultural and Creative Industries ecosystem of Central Europe" in out
    assert "Counts per node label and relationship type." in out
    assert len(english_lines(descriptions(out), "pl")) >= 3
    for command in HELP:
        out = coco_help(*command, "--help")
        assert "Usage: coco" in out and "Show this message and exit." in out
        assert english_lines(descriptions(out), "pl"), command
    out = coco_help("import", "csv", "--help")
    flat = " ".join(out.split())
    assert "Nodes and edges from CSV files" in flat
    assert "[env var: COCO_DB; default: coco.db]" in flat


def test_help_is_english_again_after_a_run_in_another_language(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The command tree is worded for one run only: a caller using the commands after it
    (tests with CliRunner, a later main()) sees the English they declare."""
    from coco_atlas.api.cli import app

    code, out = coco(capsys, "--lang", "pl", "brokers", "--help")
    assert code == 0 and "Podmioty-pomosty" in out
    brokers = app.commands["brokers"]
    assert brokers.help is not None and brokers.help.startswith("Bridging actors")
    code, out = coco(capsys, "--lang", "en", "brokers", "--help")
    assert code == 0 and "Bridging actors" in out
