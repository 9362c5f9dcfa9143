"""The languages COCO Atlas speaks, declared once, and how a request picks one.

Tags are BCP 47 (RFC 5646) primary language subtags. The project behind COCO Atlas ran in the
languages of its partner countries, so those are the ones we support; English is the fallback
every chain ends in. Stored labels, GraphQL's ``lang`` argument, the interface catalogues and the
CLI all take their list from here.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "pl", "de", "it", "sl", "sk", "cs", "hu", "hr")
"""Supported languages, English first: it is the default and the last fallback."""

DEFAULT = "en"


def normalise(tag: str) -> str | None:
    """The supported primary subtag of a BCP 47 tag (``pl-PL`` → ``pl``), or None.

    Matching on the primary subtag is the "lookup" scheme of RFC 4647 §3.4 truncated to one
    subtag: we keep no regional variants, so ``de-AT`` is served German.
    """
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def parse_accept_language(header: str | None) -> list[str]:
    """Supported languages named by an ``Accept-Language`` header, best first (RFC 9110 §12.5.4).

    Weights (``;q=0.8``) order the ranges; a weight of 0 excludes a range; ``*`` and unknown
    or malformed ranges are skipped, never an error: a browser's header must not fail a request.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        lang = normalise(tag) if tag and tag != "*" else None
        if lang and weight > 0:
            ranked.append((-weight, position, lang))
    seen: list[str] = []
    for _, _, lang in sorted(ranked):
        if lang not in seen:
            seen.append(lang)
    return seen


def negotiate(requested: str | None = None, accept_language: str | None = None) -> str:
    """The language to answer in: an explicit choice, else the browser's, else English."""
    if requested and (lang := normalise(requested)):
        return lang
    preferred = parse_accept_language(accept_language)
    return preferred[0] if preferred else DEFAULT


def fallback_chain(lang: str) -> tuple[str, ...]:
    """Where a label is looked for, in order: the language asked for, then English."""
    return (lang,) if lang == DEFAULT else (lang, DEFAULT)
