"""The interface in the reader's language: gettext catalogues (Babel), locale formats (CLDR).

Messages are English in the code, marked ``_("…")`` / ``ngettext(…)`` in Python, ``{{ _("…") }}``
in the Jinja templates and ``t("…")`` / ``tn(…)`` in the map scripts; ``scripts/i18n`` extracts
them with Babel (``babel.cfg``) into ``viz/locale/messages.pot`` and updates one
``viz/locale/<lang>/LC_MESSAGES/messages.po`` per language of :data:`schema.languages.LANGUAGES`.

A message built in one place and shown in another (a problem found by an import, printed by the
CLI or sent by GraphQL) is an ``N_`` constant or a :class:`Msg` (:mod:`schema.messages`): English
text that :func:`gettext` and ``str()`` word in the current language where it is shown.

The ``.po`` files are the catalogues, read at run time (once per language, a few milliseconds):
no compiled ``.mo`` is committed or built, so the wheel (package data ``locale/*``) and a source
checkout can never disagree with the text translators edit, and no build step can be forgotten.

Which language: a context variable set per request (``api/i18n.py``: ``?lang=``, the reader's
saved choice, ``Accept-Language``, English) or per command (``coco --lang``, ``LANG``); worker
threads inherit it (``contextvars``). Numbers, dates, country and language names come from the
Unicode CLDR through Babel, the library that already reads the catalogues — one maintained
source for all locale data, never hand-written names.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import localcontext
from functools import cache
from importlib.resources import files
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from coco_atlas.schema import messages
from coco_atlas.schema.languages import DEFAULT, LANGUAGES, normalise
from coco_atlas.schema.messages import N_ as N_  # marking messages: schema/messages.py
from coco_atlas.schema.messages import Msg as Msg
from coco_atlas.schema.messages import Np_ as Np_
from coco_atlas.schema.messages import Num as Num

DOMAIN = "messages"
JS_KEYWORDS = {"t": None, "tn": (1, 2)}  # the map scripts' gettext and ngettext
SCRIPTS = ("map.js", "tables.js", "timeline.js", "geo.js", "points.js")


@dataclass(frozen=True)
class Context:
    """The language of what is being rendered, and for a served page the query its language
    switch keeps (None: a file written by ``coco map``, which has no switch)."""

    lang: str = DEFAULT
    query: tuple[tuple[str, str], ...] | None = None


_context: ContextVar[Context] = ContextVar("coco_language")
_NONE = Context()


def current() -> str:
    """The language being rendered in."""
    return _context.get(_NONE).lang


@contextlib.contextmanager
def use(lang: str, query: tuple[tuple[str, str], ...] | None = None) -> Iterator[str]:
    """Render in ``lang`` (a supported tag, else English) inside the block."""
    chosen = normalise(lang) or DEFAULT
    token = _context.set(Context(chosen, query))
    try:
        yield chosen
    finally:
        _context.reset(token)


def from_environment(env: Mapping[str, str] | None = None) -> str:
    """The language of a terminal: ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, ``LANGUAGE`` (POSIX
    order of precedence, ``pl_PL.UTF-8`` → ``pl``); English when none names a supported one."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "")
        for part in value.split(":"):
            lang = normalise(part.split(".", 1)[0]) if part and part not in ("C", "POSIX") else None
            if lang:
                return lang
        if value:
            break
    return DEFAULT


@cache
def catalogue_path(lang: str) -> Any:
    return files("coco_atlas.viz") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translations:
    """The catalogue of ``lang``, read from its ``.po`` (compiled in memory with Babel)."""
    path = catalogue_path(lang)
    if not path.is_file():
        return Translations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(message: str) -> str:
    """``message`` in the current language: a constant marked ``N_`` or a :class:`Msg` (worded
    now, whatever language it was built in); a text the catalogue does not know as it is."""
    return str(translations(current()).gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return str(translations(current()).ngettext(singular, plural, n))


_ = gettext


# -- locale formats (CLDR through Babel) -----------------------------------------------------
def number(value: Any) -> str:
    """An integer or decimal as the reader writes it (``12 345`` in Polish, ``12.345`` in
    German); anything else as its text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    with _digits_for(value):
        return str(format_decimal(value, locale=current()))


@contextlib.contextmanager
def _digits_for(value: int | float) -> Iterator[None]:
    """Enough decimal precision for ``value``: Babel rounds through :mod:`decimal`, whose
    default 28 digits raise InvalidOperation on a larger integer (a hostile ``first: 10**30``
    echoed back in an error message)."""
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, len(str(abs(int(value)))) + 10) if isinstance(value, int) \
            else ctx.prec
        yield


def decimal(value: float | None, digits: int, *, signed: bool = False, empty: str = "–") -> str:
    """A number with exactly ``digits`` decimals, the reader's way (``0,125`` in Polish);
    ``signed`` writes a plus too; ``empty`` for None."""
    if value is None:
        return empty
    body = "#,##0" + ("." + "0" * digits if digits else "")
    with _digits_for(value):
        return str(format_decimal(value, format=f"+{body};-{body}" if signed else body,
                                  locale=current()))


def percent(value: float, digits: int = 0) -> str:
    return str(format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "")
                              + "%", locale=current()))


def day(value: date) -> str:
    """A date in the reader's medium format (``7 gru 2026``, ``07.12.2026``)."""
    return str(format_date(value, format="medium", locale=current()))


def country_name(code: str) -> str:
    """A country's name in the reader's language from its ISO 3166 code (CLDR territories);
    the code itself when CLDR does not know it."""
    return str(_locale(current()).territories.get(code.upper(), code))


def language_name(tag: str, in_lang: str | None = None) -> str:
    """A language's name, by default in its own language and capitalised (how a switch offers
    it: "Polski"); in another language as that language writes it in a sentence ("polski")."""
    name = str(_locale(in_lang or tag).languages.get(tag, tag))
    return name[:1].upper() + name[1:] if in_lang is None else name


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


# -- the language switch and the scripts' words ----------------------------------------------
def switch() -> list[dict[str, Any]]:
    """Links to this page in every language, keeping the rest of its address; empty for a page
    that is a file (it has no address to keep)."""
    ctx = _context.get(_NONE)
    if ctx.query is None:
        return []
    from urllib.parse import urlencode

    rest = [(k, v) for k, v in ctx.query if k != "lang"]
    return [{"lang": lang, "text": language_name(lang), "current": lang == ctx.lang,
             "href": "?" + urlencode([*rest, ("lang", lang)])} for lang in LANGUAGES]


@cache
def script_messages() -> tuple[tuple[str, str | None], ...]:
    """The messages of the map scripts, found by Babel's JavaScript extractor (the one
    ``scripts/i18n`` uses): (singular, plural or None)."""
    found: list[tuple[str, str | None]] = []
    for name in SCRIPTS:
        code = (files("coco_atlas.viz") / "templates" / name).read_bytes()
        for _line, message, _comments, _context in extract(
                "javascript", io.BytesIO(code), keywords=JS_KEYWORDS):
            item = (message, None) if isinstance(message, str) else (message[0], message[1])
            if item not in found:
                found.append(item)
    return tuple(found)


def script_words() -> dict[str, Any]:
    """The scripts' messages in the reader's language, embedded in the page as JSON: a string
    per message, and per plural message one string per CLDR plural category (the browser picks
    with ``Intl.PluralRules``, so no plural formula is evaluated: the CSP forbids eval)."""
    rule = _locale(current()).plural_form
    samples: dict[str, int] = {}
    for n in range(0, 200):
        samples.setdefault(rule(n), n)
    out: dict[str, Any] = {}
    for singular, plural in script_messages():
        if plural is None:
            out[singular] = gettext(singular)
        else:
            out[singular] = {cat: ngettext(singular, plural, n) for cat, n in samples.items()}
    return {"lang": current(), "messages": out}


# Messages built elsewhere (schema/messages.py) are worded with these functions when shown.
messages.speak(messages.Words(current=current, gettext=gettext, ngettext=ngettext,
                              number=number))
