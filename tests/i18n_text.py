"""Helpers of the interface-language tests (tests/test_i18n.py, tests/test_i18n_browser.py): the
catalogues, the messages Babel extracts from the code, and the check that a page's visible text
holds no English the catalogue translates."""

from __future__ import annotations

import functools
import html as html_lib
import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.server import ROOT

LOCALE = ROOT / "viz" / "locale"
COMPLETE = ("en", "pl", "de", "it", "sl")
LANDING_AND_MAPS = ("sk", "cs", "hu", "hr")
# the sources of the landing page and the maps: every message found there is needed by them
MAP_SOURCES = ("viz/templates/base.html", "viz/templates/landing.html",
               "viz/templates/map.html", "viz/templates/ranked.html", "viz/templates/map.js",
               "viz/templates/tables.js", "viz/templates/timeline.js", "viz/templates/geo.js",
               "viz/templates/points.js", "viz/kinds.py", "viz/words.py", "viz/ranked.py",
               "viz/geo.py", "viz/timeline.py", "viz/colours.py", "viz/filters.py",
               "viz/page.py", "api/pages.py")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Np_": (1, 2),
            "t": None, "tn": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z0-9_]+(?:![rs])?\}|%\([a-z]+\)s")


@functools.cache
def extracted() -> dict[object, set[str]]:
    """Every message of the code, with the files it is in (Babel's extraction, babel.cfg)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[object, set[str]] = {}
    for filename, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault(key, set()).add(filename)
    return found


def catalogue(lang: str) -> dict[object, object]:
    """A language's translations; a fuzzy one is none (gettext does not use it)."""
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale=lang) if m.id and not m.fuzzy}


def translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


# English words that a Polish page shows only when a string escaped the catalogue
ENGLISH = re.compile(r"\b(the|and|of|with|by|per|to|from|is|are|its|this|that|drawn|actors|"
                     r"ties|ranked|find|map|share|show|draw)\b", re.I)
DATA = re.compile(r'<a href="/nodes/[^"]*"[^>]*>.*?</a>|<button[^>]*data-node=[^>]*>.*?</button>|'
                  r'<option value="[A-Z]{2}[0-9A-Z]*"[^>]*>.*?</option>|<code>.*?</code>',
                  re.S)


CODED = re.compile(r"\([A-Z]{1,3}[0-9.]*\)(; |$)")  # "Name (C28.22)": a sector or region, data


def visible(page: str) -> list[str]:
    """The text a reader sees (and the tooltips, labels and placeholders they hear), one
    segment per element, without names from the data (links to nodes, NUTS names)."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    page = DATA.sub(" ", page)
    attrs = re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", "\n", page)
    return [s for s in (html_lib.unescape(x).strip() for x in [*text.split("\n"), *attrs])
            if s and re.search(r"[A-Za-z]", s)]


def english_lines(lines: list[str], lang: str) -> list[str]:
    """Lines that are an English message of the code the catalogue translates otherwise, or
    that read as English: the check that nothing shown escaped the catalogue. (The schema's
    words are left out of the first check: the demo's data uses some as names.)"""
    strings = catalogue(lang)
    code = set(extracted())
    patterns = []
    for msgid, string in strings.items():
        if msgid not in code:
            continue
        for i, english in enumerate(msgid if isinstance(msgid, tuple) else (msgid,)):
            local = string[min(i, len(string) - 1)] if isinstance(string, tuple) else string
            if local and local != english and len(english) > 3:
                body = re.escape(re.sub(r"<[^>]+>", "", english))
                patterns.append(re.compile(PLACEHOLDER.sub(".+?", body.replace("\\{", "{")
                                                           .replace("\\}", "}"))))
    found = []
    for line in (x for x in lines if not CODED.search(x)):
        words = ENGLISH.findall(line)
        if len(words) >= 2 or any(p.fullmatch(line) for p in patterns):
            found.append(line)
    return found
