"""Names in the reader's language: the fallback chain over a node's per-language labels.

A translatable name (:meth:`schema.Schema.translations`) is kept as ``name_<lang>`` beside the
display ``name``. A reader asking for a language gets the label in it, else the English one,
else the display name (:func:`schema.languages.fallback_chain`, the "lookup" scheme of RFC 4647
§3.4 ending in a default). One rule for the API, the CLI and the analyses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from coco_atlas.graph.store import Store
from coco_atlas.schema import SCHEMA
from coco_atlas.schema.languages import fallback_chain

NAME = "name"

__all__ = ["name_chain", "name_in", "names_in"]


def name_in(label: str, props: Mapping[str, Any], lang: str | None) -> Any:
    """The name of a node of ``label`` with ``props`` in ``lang`` (None: the display name)."""
    for prop in name_chain(label, lang):
        value = props.get(prop)
        if value:
            return value
    return props.get(NAME)


@cache
def name_chain(label: str, lang: str | None) -> tuple[str, ...]:
    """The per-language properties :func:`name_in` reads, in order, before the display
    name (none for a label whose names are not translated): worked out once per label and
    language (a bounded set: an unsupported language fails here), not per node."""
    by_lang = SCHEMA.translations(label).get(NAME) if lang else None
    if not by_lang or not lang:
        return ()
    return tuple(by_lang[wanted] for wanted in fallback_chain(lang))


def names_in(store: Store, labels: Sequence[str], lang: str | None) -> dict[str, Any]:
    """``{id: name in lang}`` over the nodes of ``labels``, read a property at a time
    (:meth:`Store.property_values`) as the analyses read names."""
    names = store.property_values(NAME, list(labels))
    if not lang:
        return names
    for label in labels:
        by_lang = SCHEMA.translations(label).get(NAME)
        if not by_lang:
            continue
        for wanted in reversed(fallback_chain(lang)):  # the requested language overlays last
            names.update(store.property_values(by_lang[wanted], [label]))
    return names
