"""Full-text search over the graph: accent- and case-insensitive, ranked, store-independent.

The index is built in memory from :meth:`graph.store.Store.iter_nodes` over the properties the
schema marks ``searchable`` (names, alternative labels, descriptions), so it works the same on
every store; callers rebuild it when :attr:`Store.version` changes.

Folding follows Unicode canonical decomposition (UAX #15, NFKD): a letter with a diacritic
decomposes into its base letter and combining marks, which are dropped, then the text is
case-folded (Unicode default case folding, ``str.casefold``). Letters whose stroke is part of the
letter rather than a combining mark (Polish ``ł``, Croatian ``đ``, Danish ``ø``) have no
decomposition and are mapped explicitly, so that ``lodz`` finds ``Łódź`` and ``kosice`` finds
``Košice``.

Labels in several languages (issue 15): a node's preferred labels are its ``name`` and every
``name_<lang>`` the schema derives for a translatable name (:meth:`schema.Schema.translations`);
its alternative labels ``altLabels`` and ``altLabels_<lang>``. A query matches any of them, in any
language. Inflection: a word of a label in a language with a Snowball stemmer (Porter 2001,
"Snowball: A language for stemming algorithms"; the PyStemmer build of the Snowball 3 algorithms:
English, German, Italian, Hungarian, Polish, Czech) is indexed by its stem as well, and each query
word is stemmed by the same stemmers, so "projektowania usług" finds "projektowanie usług" and
"Designs" finds "Design". Snowball has no Slovenian, Slovak or Croatian stemmer: labels in those
languages match by whole words and prefixes only (a query of the word's stem finds its inflected
forms, "dizajn" finds "dizajnu", not the reverse).

Ranking, best first: a preferred label equals the query; one starts with the query; every
query word is a word of one preferred label; every query word starts a word of one (or matches
its stem); the words match in alternative labels; the words match only in descriptions. A
match in a preferred label in the asker's language (``lang``) ranks above every match in other
languages (its score is raised by 100). Within a rank shorter names come first (a closer
match), then names and ids in order.

Scale: postings are Python lists of integers, about 100 bytes per indexed word; the medium demo
(50k nodes) builds in about a second. :class:`LiveSearch` keeps one index current: writes made
through this process are applied to it incrementally (read-your-writes), and a write by another
process (an import) starts a rebuild in the background while searches go on against the index
as it was — near-real-time search, as in Elasticsearch's refresh interval. Millions of nodes with
long descriptions would want an on-disk index (SQLite FTS5, Neo4j full-text indexes) behind the
same interface.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import Stemmer

from coco_atlas.schema import SCHEMA, Node, PropType
from coco_atlas.schema.languages import LANGUAGES

__all__ = ["Hit", "LiveSearch", "SearchIndex", "fold", "searchable_fields"]

# Letters that carry their diacritic as part of the glyph: NFKD leaves them whole. The maps'
# Find box folds with the same table (viz/page.py puts it in the page).
FOLD_LETTERS = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ħ": "h", "Ħ": "H",
    "ı": "i", "ŀ": "l", "Ŀ": "L", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th",
    "Þ": "TH", "ð": "d", "Ð": "D", "ß": "ss",
}
_LETTERS = str.maketrans(FOLD_LETTERS)
_WORD = re.compile(r"\w+")

# Rank of a hit, best first (the score reported to users).
EXACT, PREFIX, WORDS, WORD_PREFIXES, LABELS, DESCRIPTION = 100.0, 90.0, 70.0, 60.0, 40.0, 20.0
# Added when the preferred label that matched is in the asker's language: such a match ranks
# above any match in other languages (the issue's "preferred label in the user's language
# first"), and the score still orders matches of one kind.
OWN_LANGUAGE = 100.0
_NAME, _LABEL, _TEXT = 0, 1, 2  # field kinds, in order of weight
MIN_PREFIX = 2  # shorter query words match whole words only (a prefix "a" matches everything)


def fold(text: str) -> str:
    """``"Łódź"`` → ``"lodz"``: strip diacritics, fold case (see the module notes)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


# Snowball algorithms by BCP 47 tag, for the supported languages that have one (PyStemmer).
_SNOWBALL = {"en": "english", "de": "german", "it": "italian", "hu": "hungarian",
             "pl": "polish", "cs": "czech"}
STEMMED = tuple(lang for lang in LANGUAGES if lang in _SNOWBALL)
_STEMMERS = {lang: Stemmer.Stemmer(_SNOWBALL[lang]) for lang in STEMMED}


def stems(text: str, lang: str) -> set[str]:
    """The folded Snowball stems of a text's words in ``lang`` (stemmed before folding: the
    algorithms read the diacritics)."""
    stemmer = _STEMMERS.get(lang)
    if stemmer is None:
        return set()
    raw = _WORD.findall(text.casefold())
    return {fold(s) for s in stemmer.stemWords(raw)}


def languages_of(label: str) -> dict[str, str]:
    """``{per-language property: its language}`` of a label (``{"name_pl": "pl", …}``)."""
    return {prop: lang for by_lang in SCHEMA.translations(label).values()
            for lang, prop in by_lang.items()}


def _is_name(label: str, prop: str) -> bool:
    return prop == "name" or prop in SCHEMA.translations(label).get("name", {}).values()


def searchable_fields(label: str) -> dict[str, int]:
    """``{property: field kind}`` for one label, derived from the schema's ``searchable`` flags:
    the name, then list-valued properties (alternative labels), then other text."""
    out: dict[str, int] = {}
    for prop in SCHEMA.node_properties(label).values():
        if prop.searchable:
            out[prop.name] = (_NAME if _is_name(label, prop.name)
                              else _LABEL if prop.type is PropType.STRING_LIST else _TEXT)
    return out


@dataclass(frozen=True)
class Hit:
    """One search result: the node, its rank score and the field kind that matched best."""

    id: str
    label: str
    score: float
    field: str
    lang: str | None = None  # language of the preferred label that matched, when known


class SearchIndex:
    """An inverted index of folded words: built once, then kept current with :meth:`update`.

    An updated or deleted node's old document stays in the postings but is marked dead and
    skipped (a tombstone, as Lucene does with deleted documents); :class:`LiveSearch` rebuilds
    the whole index when tombstones outnumber a quarter of the documents.
    """

    def __init__(self, nodes: Iterable[Node]):
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.names: list[str] = []  # folded name
        self.preferred: list[tuple[tuple[str, str], ...]] = []  # (lang or "", folded label)
        self._by_folded_id: dict[str, int] = {}
        self._doc: dict[str, int] = {}  # id -> live doc
        self.dead: set[int] = set()
        self._postings: dict[str, list[int]] = {}  # word -> doc * 4 + field kind
        self._stems: dict[str, list[int]] = {}  # "lang:stem" -> doc * 4 + field kind
        self._fields = {label: searchable_fields(label) for label in SCHEMA.label_names}
        self._langs = {label: languages_of(label) for label in SCHEMA.label_names}
        for node in nodes:
            self._add(node)
        self.vocabulary = sorted(self._postings)

    def __len__(self) -> int:
        return len(self._doc)

    def _add(self, node: Node) -> list[str]:
        """Index one node as a new document; the words that were new to the index."""
        doc = len(self.ids)
        self.ids.append(node.id)
        self.labels.append(node.label)
        self._doc[node.id] = doc
        self._by_folded_id[fold(node.id)] = doc
        self.names.append(fold(str(node.props.get("name", ""))))
        postings, stemmed, new = self._postings, self._stems, []
        langs = self._langs.get(node.label, {})
        preferred = []
        for prop, kind in self._fields.get(node.label, {}).items():
            value = node.props.get(prop)
            texts = value if isinstance(value, list) else [value] if value else []
            if not texts:
                continue
            lang = langs.get(prop, "")
            if kind == _NAME:
                preferred.append((lang, fold(str(texts[0]))))
            for word in {w for t in texts for w in words(str(t))}:
                if word not in postings:
                    postings[word] = []
                    new.append(word)
                postings[word].append(doc * 4 + kind)
            if lang in _STEMMERS:
                for stem in {f"{lang}:{s}" for t in texts for s in stems(str(t), lang)}:
                    stemmed.setdefault(stem, []).append(doc * 4 + kind)
        self.preferred.append(tuple(preferred))
        return new

    def update(self, nodes: Iterable[Node], deleted: Iterable[str] = ()) -> None:
        """Index ``nodes`` as they now are and forget ``deleted`` ids (an incremental change:
        the cost is that of the changed nodes, not of the whole graph)."""
        for node_id in deleted:
            self._forget(node_id)
        new: list[str] = []
        for node in nodes:
            self._forget(node.id)
            new.extend(self._add(node))
        if new:
            self.vocabulary = sorted({*self.vocabulary, *new})

    def _forget(self, node_id: str) -> None:
        doc = self._doc.pop(node_id, None)
        if doc is not None:
            self.dead.add(doc)
            folded = fold(node_id)
            if self._by_folded_id.get(folded) == doc:
                del self._by_folded_id[folded]

    def search(self, text: str, labels: Sequence[str] | None = None,
               first: int = 20, lang: str | None = None) -> list[Hit]:
        """The best ``first`` nodes for ``text``: every query word must match a word of a
        searchable field, as a whole word, (from two letters on) as its beginning, or by its
        Snowball stem; ``lang`` (BCP 47) ranks labels in that language first."""
        query = fold(text).strip()
        terms = _WORD.findall(query)
        if not terms or first <= 0:
            return []
        wanted = set(labels) if labels else None
        raw = _WORD.findall(text.casefold())
        query_stems = {lang: [fold(s) for s in _STEMMERS[lang].stemWords(raw)]
                       for lang in STEMMED} if len(raw) == len(terms) else {}
        candidates = self._match_all(terms, query_stems)
        exact_id = self._by_folded_id.get(query)
        if exact_id is not None:
            candidates.setdefault(exact_id, {})
        ranked = []
        for doc, kinds in candidates.items():
            if wanted is not None and self.labels[doc] not in wanted:
                continue
            score, field, matched = self._score(doc, query, terms, kinds, doc == exact_id,
                                                lang)
            ranked.append((-score, len(self.names[doc]), self.names[doc], self.ids[doc], doc,
                           field, matched))
        ranked.sort()
        return [Hit(self.ids[doc], self.labels[doc], -neg, field, matched or None)
                for neg, _, _, _, doc, field, matched in ranked[:first]]

    def _match_all(self, terms: list[str], query_stems: dict[str, list[str]] | None = None
                   ) -> dict[int, dict[str, tuple[int, bool]]]:
        """Docs where every term matches: ``{doc: {term: (best field kind, whole word)}}``."""
        result: dict[int, dict[str, tuple[int, bool]]] | None = None
        position = {t: i for i, t in reversed(list(enumerate(terms)))}
        for term in dict.fromkeys(terms):
            found: dict[int, tuple[int, bool]] = {}
            lists = [(self._postings[w], w == term) for w in self._expand(term)]
            for lang, stemmed in (query_stems or {}).items():
                entries = self._stems.get(f"{lang}:{stemmed[position[term]]}")
                if entries:
                    lists.append((entries, False))
            for entries, whole in lists:
                for entry in entries:
                    doc, kind = divmod(entry, 4)
                    if doc in self.dead:
                        continue
                    best = found.get(doc)
                    if best is None or (kind, not whole) < (best[0], not best[1]):
                        found[doc] = (kind, whole)
            if result is None:
                result = {doc: {term: m} for doc, m in found.items()}
            else:
                result = {doc: {**ms, term: found[doc]} for doc, ms in result.items()
                          if doc in found}
            if not result:
                return {}
        return result or {}

    def _expand(self, term: str) -> list[str]:
        """Indexed words equal to ``term`` or, for terms of two letters or more, starting with
        it (a range of the sorted vocabulary)."""
        if len(term) < MIN_PREFIX:
            return [term] if term in self._postings else []
        vocab = self.vocabulary
        out = []
        for i in range(bisect_left(vocab, term), len(vocab)):
            if not vocab[i].startswith(term):
                break
            out.append(vocab[i])
        return out

    def _score(self, doc: int, query: str, terms: list[str],
               kinds: dict[str, tuple[int, bool]], exact_id: bool,
               lang: str | None) -> tuple[float, str, str]:
        """Rank, matched field and language of the best preferred label (see module notes)."""
        if exact_id and self.names[doc] != query:
            return EXACT, "id", ""
        best, best_lang = 0.0, ""
        for label_lang, label in self.preferred[doc]:
            if label == query:
                score = EXACT
            elif label.startswith(query):
                score = PREFIX
            else:
                have = _WORD.findall(label)
                if all(t in have for t in terms):
                    score = WORDS
                elif all(any(h.startswith(t) for h in have) for t in terms):
                    score = WORD_PREFIXES
                else:
                    continue
            if lang and label_lang == lang:
                score += OWN_LANGUAGE
            if score > best:
                best, best_lang = score, label_lang
        if best:
            return best, "name", best_lang
        matched = kinds.values()
        if all(k == _NAME for k, _ in matched):  # by stems, or words spread over languages
            return WORD_PREFIXES, "name", ""
        if all(k <= _LABEL for k, _ in matched):
            return LABELS, "labels", ""
        return DESCRIPTION, "description", ""


class LiveSearch:
    """One :class:`SearchIndex` kept current with a store whose version moves on.

    ``nodes()`` reads every node (``store.iter_nodes``); ``changes(since)`` is the store's
    :meth:`~graph.store.Store.node_changes`: the nodes written and ids deleted since a point,
    or None where the store cannot tell. Where it can, the index follows every write, this
    process's or another's, at the cost of what changed; where it cannot, this process's own
    writes are applied from ``changed(ids)`` (``store.get_nodes``) and a write elsewhere makes
    the whole index be rebuilt. Catching up after another process's write, and any rebuild,
    run on a daemon thread while searches use the index as it was; only the first search
    waits for a build.
    """

    def __init__(self, nodes: Callable[[], Iterable[Node]],
                 changed: Callable[[list[str]], dict[str, Node]],
                 changes: Callable[[int | None], tuple[int, list[Node], list[str]] | None]
                 = lambda since: None):
        self._nodes, self._changed, self._changes = nodes, changed, changes
        self._lock = threading.Lock()  # the index and its version
        self._catching_up = threading.Lock()  # one catch-up at a time: cursors only advance
        self._index: SearchIndex | None = None
        self._version = -1  # of the store that the index reflects
        self._cursor: int | None = None  # the store's change point, where it has them
        self._worker: threading.Thread | None = None

    def search(self, version: int, text: str, labels: Sequence[str] | None = None,
               first: int = 20, lang: str | None = None) -> list[Hit]:
        """Search the index of store ``version``, or the last one while that is brought up."""
        with self._lock:
            if self._index is not None:
                if version > self._version:
                    self._in_background(self._refresh, version)
                return self._index.search(text, labels, first, lang)
        self._build(version)  # the first search: nothing to serve yet
        with self._lock:
            assert self._index is not None
            return self._index.search(text, labels, first, lang)

    def wrote(self, before: int, after: int, ids: list[str], deleted: list[str]) -> None:
        """This process moved the store from version ``before`` to ``after`` by writing the
        nodes ``ids`` and deleting ``deleted``: searchable at once (read-your-writes)."""
        if self._index is None:
            return  # the first search builds it
        if self._cursor is not None:
            self._catch_up(after)
            return
        nodes = list(self._changed(ids).values()) if ids else []
        with self._lock:
            if self._index is None or self._version != before:
                return  # a rebuild (running or on the next search) brings the index up
            self._index.update(nodes, deleted)
            self._version = after

    def _refresh(self, version: int) -> None:
        if self._cursor is not None:
            self._catch_up(version)
        else:
            self._build(version)

    def _catch_up(self, version: int) -> None:
        """Apply what the store changed since the last catch-up (read after ``version``)."""
        with self._catching_up:
            found = self._changes(self._cursor)
            if found is None:
                return self._build(version)
            cursor, nodes, deleted = found
            with self._lock:
                assert self._index is not None
                self._index.update(nodes, deleted)
                self._cursor, self._version = cursor, max(version, self._version)
                crowded = len(self._index.dead) > max(len(self._index.ids) // 4, 1000)
            if crowded:
                self._build(version)  # more tombstones than documents are worth
        return None

    def _in_background(self, work: Callable[[int], None], version: int) -> None:
        """Start ``work(version)`` on a daemon thread unless one runs (the lock is held)."""
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=work, args=(version,),
                                            name="coco-search-index", daemon=True)
            self._worker.start()

    def _build(self, version: int) -> None:
        """Index every node as of ``version``; the change point is read before the scan, so
        what is written during it comes again with the next catch-up."""
        found = self._changes(None)
        cursor = None if found is None else found[0]
        index = SearchIndex(self._nodes())
        with self._lock:
            if version >= self._version or self._index is None:
                self._index, self._version, self._cursor = index, version, cursor
