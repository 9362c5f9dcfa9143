"""The translated interface (issue 15): catalogues complete, pages in the reader's language.

* The catalogues are checked against the code itself: Babel extracts the messages from the
  sources with ``babel.cfg`` (the extraction ``scripts/i18n`` runs), and every message must be in
  the template and translated in English, Polish, German, Italian and Slovenian; Slovak, Czech,
  Hungarian and Croatian must translate every message of the landing page and the maps. A
  translation keeps the message's placeholders (a lost ``{n}`` would raise at render time).
* Pages are fetched from the real service (``coco serve``) in Polish and their visible text is
  checked against the catalogue: no line may be an English message that Polish translates, and
  no line may read as an English sentence (a string nobody wrapped for translation).
* The language: ``?lang=`` (kept as a cookie across links), else ``Accept-Language``, else
  English; the switch on every page keeps the rest of the address.
* Numbers in the reader's format: grouping separators from the Unicode CLDR's published number
  symbols (``,`` en, ``.`` de and it, U+00A0 pl), checked on a five-digit count (CLDR's Polish
  ``minimumGroupingDigits`` of 2 leaves four digits ungrouped in browsers; Babel groups them).
"""

from __future__ import annotations

import html as html_lib
import io
import re
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po

from coco_atlas.graph.embedded.store import EmbeddedStore
from coco_atlas.schema.languages import LANGUAGES
from tests.i18n_text import (
    COMPLETE,
    LANDING_AND_MAPS,
    LOCALE,
    MAP_SOURCES,
    PLACEHOLDER,
    catalogue,
    english_lines,
    extracted,
    translated,
    visible,
)
from tests.server import ROOT


@pytest.fixture(scope="module")
def code_messages() -> dict[object, set[str]]:
    return extracted()


def test_every_message_of_the_code_is_in_the_template(code_messages: dict[object, set[str]]
                                                      ) -> None:
    with (LOCALE / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    missing = [m for m in code_messages if m not in template]
    assert not missing, f"run scripts/i18n: not in viz/locale/messages.pot: {missing[:10]}"


@pytest.mark.parametrize("lang", COMPLETE)
def test_complete_catalogues_translate_every_message(code_messages: dict[object, set[str]],
                                                     lang: str) -> None:
    strings = catalogue(lang)
    missing = [m for m in code_messages if not translated(strings.get(m))]
    assert not missing, f"{lang}: {len(missing)} messages untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", LANDING_AND_MAPS)
def test_other_catalogues_translate_the_landing_page_and_maps(
        code_messages: dict[object, set[str]], lang: str) -> None:
    strings = catalogue(lang)
    needed = [m for m, files in code_messages.items() if files & set(MAP_SOURCES)]
    assert len(needed) > 300  # the extraction found the maps' messages at all
    missing = [m for m in needed if not translated(strings.get(m))]
    assert not missing, f"{lang}: {len(missing)} messages untranslated, e.g. {missing[:5]}"


def test_every_supported_language_has_a_catalogue() -> None:
    assert sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/messages.po")) \
        == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    bad = []
    for msgid, string in catalogue(lang).items():
        if not translated(string):
            continue
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for s in string if isinstance(string, tuple) else (string,):
            got = set(PLACEHOLDER.findall(s))
            # a singular may name the count in words ("Map of this actor"), never add one
            if not got <= wanted or (not isinstance(msgid, tuple) and got != wanted):
                bad.append((msgid, s))
    assert not bad, bad[:5]


# -- pages over HTTP -------------------------------------------------------------------------

def get(demo_url: str, path: str, **kw: object) -> httpx.Response:
    return httpx.get(demo_url + path, timeout=120, **kw)  # type: ignore[arg-type]


def test_lang_parameter_sets_the_language_and_the_cookie_keeps_it(demo_url: str) -> None:
    r = get(demo_url, "/?lang=de")
    assert r.status_code == 200
    assert r.headers["content-language"] == "de"
    assert '<html lang="de">' in r.text
    assert "Das geladene Ökosystem" in r.text
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("coco_lang=de;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # following a link: no ?lang=, the saved choice holds over the browser's language
    again = get(demo_url, "/quality", cookies={"coco_lang": "de"},
                headers={"Accept-Language": "it"})
    assert again.headers["content-language"] == "de" and "Datenqualität" in again.text
    assert "set-cookie" not in again.headers


def test_browser_language_is_the_default_and_english_the_last(demo_url: str) -> None:
    r = get(demo_url, "/", headers={"Accept-Language": "fr-FR, sl-SI;q=0.8, en;q=0.5"})
    assert r.headers["content-language"] == "sl" and "Naloženi ekosistem" in r.text
    assert "accept-language" in r.headers["vary"].lower()
    r = get(demo_url, "/", headers={"Accept-Language": "fr, ja"})
    assert r.headers["content-language"] == "en" and "The loaded ecosystem" in r.text
    r = get(demo_url, "/?lang=xx", headers={"Accept-Language": "pl"})  # unknown: ignored
    assert r.status_code == 200 and r.headers["content-language"] == "pl"
    assert "set-cookie" not in r.headers


def test_the_switch_keeps_the_rest_of_the_address(demo_url: str) -> None:
    r = get(demo_url, "/maps/brokers?country=SK&lang=it")
    assert r.status_code == 200 and r.headers["content-language"] == "it"
    links = re.findall(r'<a href="([^"]+)" hreflang="([a-z]+)"', r.text)
    assert sorted(lang for _, lang in links) == sorted(LANGUAGES)
    for href, lang in links:
        assert html_lib.unescape(href) == f"?country=SK&lang={lang}"
    assert "Broker: " in r.text  # the map itself is Italian


@pytest.mark.parametrize("lang, separator", [("en", ","), ("de", "."), ("it", "."),
                                             ("pl", "\u00a0")])
def test_numbers_are_written_for_the_locale(demo_url: str, demo_db: Path, lang: str,
                                            separator: str) -> None:
    with EmbeddedStore(demo_db) as s:
        total = sum(s.counts()["relationships"].values())
    assert total >= 10_000  # five digits: every one of these locales groups it
    text = html_lib.unescape(get(demo_url, f"/?lang={lang}").text)
    assert f"<b>{total:,}</b>".replace(",", separator) in text


PAGES = ("/", "/maps/ecosystem", "/maps/brokers", "/maps/gaps", "/maps/ego?id=demo-hub-00003",
         "/maps/ecosystem?aggregate=region", "/maps/ego?q=a", "/quality", "/charts",
         "/nodes/demo-hub-00003", "/maps/nope", "/maps/brokers?years=1800", "/docs")
@pytest.mark.parametrize("path", PAGES)
def test_pages_in_polish_show_no_english(demo_url: str, path: str) -> None:
    r = get(demo_url, path, headers={"Accept-Language": "pl"})
    assert r.headers["content-language"] == "pl"
    lines = visible(r.text)
    assert len(lines) > 3
    assert english_lines(lines, "pl") == []


def test_the_english_check_can_fail(demo_url: str) -> None:
    """The same pages in English are caught by it: the check is not blind."""
    lines = visible(get(demo_url, "/maps/gaps?lang=en").text)
    assert len(english_lines(lines, "pl")) > 10


def test_map_scripts_get_their_words_in_the_page_language(demo_url: str) -> None:
    import json

    r = get(demo_url, "/maps/gaps?lang=sl")
    words = json.loads(html_lib.unescape(re.search(
        r'<script type="application/json" id="coco-words">(.*?)</script>', r.text, re.S)[1]))
    assert words["lang"] == "sl"
    assert words["messages"]["No match"] == "Ni zadetkov"
    # CLDR's Slovenian plural categories, each with its own form (1 akter, 2 akterja, 3 akterji,
    # 5 akterjev): the browser picks one with Intl.PluralRules
    assert words["messages"]["{n} actor"] == {"one": "{n} akter", "two": "{n} akterja",
                                              "few": "{n} akterji", "other": "{n} akterjev"}


def test_template_is_current() -> None:
    """``scripts/i18n --check`` agrees: the committed template is what the code says."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "scripts/i18n", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_catalogues_are_read_from_the_po_files() -> None:
    """The .po files are the catalogues (no compiled .mo to go stale)."""
    assert not list(LOCALE.rglob("*.mo"))
    with (LOCALE / "pl" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        assert read_po(io.BytesIO(f.read()), locale="pl").locale.language == "pl"


def test_polish_guide_is_served_with_its_pictures(demo_url: str) -> None:
    r = get(demo_url, "/docs/pl/maps.md")
    assert r.status_code == 200 and "Mapy ekosystemu" in r.text
    pictures = re.findall(r'<img src="([^"]+)"', r.text)
    assert pictures and all(p.startswith("../img/") for p in pictures)
    for p in pictures:  # relative to /docs/pl/: the same pictures as the English guide
        assert get(demo_url, "/docs/" + p.removeprefix("../")).status_code == 200
    assert "/docs/pl/maps.md" in get(demo_url, "/docs").text
    # the English guide links to the Polish one and back
    english = (ROOT / "docs" / "maps.md").read_text(encoding="utf-8")
    assert "(pl/maps.md)" in english
    assert "(README.pl.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/pl/maps.md" in (ROOT / "README.pl.md").read_text(encoding="utf-8")


def test_command_line_speaks_the_chosen_language(demo_db: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    def coco(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "coco_atlas.api.cli", *args], cwd=ROOT,
                              text=True, capture_output=True, timeout=300,
                              env={**os.environ, "LC_ALL": "", "LANG": "C", **env})

    bad = ["map", "--kind", "gaps", "--level", "9", "--db", str(demo_db), "--out",
           str(tmp_path / "x.html")]
    assert "expected a whole number from 0 to 3" in coco(*bad).stderr
    assert "oczekiwano liczby całkowitej od 0 do 3" in coco("--lang", "pl", *bad).stderr
    assert "erwartet wird eine ganze Zahl von 0 bis 3" in coco(*bad, LANG="de_AT.UTF-8").stderr
    done = coco("--lang", "sl", "map", "--kind", "gaps", "--db", str(demo_db), "--out",
                str(tmp_path / "gaps.html"))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "gaps.html").read_text(encoding="utf-8")
    assert '<html lang="sl">' in page and "Vrzeli v kompetencah" in page
    assert "language_switch" not in page and 'hreflang="' not in page  # a file has no switch
    refused = coco("--lang", "xx", "stats", "--db", str(demo_db))
    assert refused.returncode != 0 and "--lang" in refused.stderr
