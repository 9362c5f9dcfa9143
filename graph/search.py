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

Scale: postings are Python lists of integers while the index is built, about 100 bytes per
indexed word, turned into numpy arrays the first time a query reads them; a query is a few
intersections of sorted arrays and one ``lexsort``. The medium demo (50k nodes) builds in about
two seconds; 20,000 competences with labels in five languages (550k labels) search in about
2 ms at the median (``benchmarks/multilingual.py``). :class:`LiveSearch` keeps one index
current: writes made through this process are applied to it incrementally (read-your-writes),
and a write by another process (an import) starts a rebuild in the background while searches go
on against the index as it was — near-real-time search, as in Elasticsearch's refresh interval.
Millions of nodes with long descriptions would want an on-disk index (SQLite FTS5, Neo4j
full-text indexes) behind the same interface.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
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


# Combining marks of the Basic Multilingual Plane as a translate table (dropped in C); the rare
# text beyond it takes the character loop.
_MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """``"Łódź"`` → ``"lodz"``: strip diacritics, fold case (see the module notes)."""
    if text.isascii():  # NFKD leaves ASCII as it is, and its case folding is lower()
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    if _ASTRAL.search(decomposed):
        return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return decomposed.translate(_MARKS).casefold()


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


# Field slots: every searchable property of the schema gets one slot number (a property shared by
# labels shares it); a posting is ``doc * SLOTS + slot``, so one integer says which node and which
# label of it a word is in, and "every query word in one and the same label" is an intersection.
def _slot_table() -> tuple[dict[str, int], list[int], list[str]]:
    slots: dict[str, int] = {}
    kinds: list[int] = []
    langs: list[str] = []
    for label in SCHEMA.label_names:
        by_lang = languages_of(label)
        for prop, kind in searchable_fields(label).items():
            if prop not in slots:
                slots[prop] = len(kinds)
                kinds.append(kind)
                langs.append(by_lang.get(prop, ""))
    return slots, kinds, langs


_SLOT, _SLOT_KINDS, _SLOT_LANGS = _slot_table()
SLOTS = 1 << max(1, (len(_SLOT_KINDS) - 1).bit_length())
_SLOT_KIND = np.array(_SLOT_KINDS, dtype=np.int64)
_IS_NAME = _SLOT_KIND == _NAME
_EMPTY = np.zeros(0, dtype=np.int64)


class SearchIndex:
    """An inverted index of folded words (and stems): built once, then kept current with
    :meth:`update`.

    Postings are numpy arrays of ``doc * SLOTS + slot`` (a node and which of its labels holds
    the word), so a query is a few array intersections however common its words are; ranking
    is one ``lexsort`` over the candidates. An updated or deleted node's old document stays in
    the postings but is marked dead and skipped (a tombstone, as Lucene does with deleted
    documents); :class:`LiveSearch` rebuilds the whole index when tombstones outnumber a
    quarter of the documents.
    """

    def __init__(self, nodes: Iterable[Node]):
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.names: list[str] = []  # folded display name
        self._texts: dict[int, str] = {}  # doc * SLOTS + slot -> folded preferred label
        self._by_folded_id: dict[str, int] = {}
        self._doc: dict[str, int] = {}  # id -> live doc
        self.dead: set[int] = set()
        self._postings: dict[str, list[int]] = {}  # word, or "lang:stem" -> postings
        self._arrays: dict[str, np.ndarray] = {}  # the same as sorted arrays, made on demand
        self._fields = {label: [(p, _SLOT[p]) for p in searchable_fields(label)]
                        for label in SCHEMA.label_names}
        self._label_code = {label: i for i, label in enumerate(SCHEMA.label_names)}
        self._codes: list[int] = []
        self._order: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # the preferred labels in sorted order with their postings, for "starts with the query"
        self._sorted_texts: list[str] = []
        self._sorted_keys: list[int] = []
        self._building = True
        for node in nodes:
            self._add(node)
        self.vocabulary = sorted(w for w in self._postings if ":" not in w)
        pairs = sorted(self._texts.items(), key=lambda kv: kv[1])
        self._sorted_texts = [t for _, t in pairs]
        self._sorted_keys = [k for k, _ in pairs]
        self._building = False

    def __len__(self) -> int:
        return len(self._doc)

    def _add(self, node: Node) -> list[str]:
        """Index one node as a new document; the words that were new to the index."""
        doc = len(self.ids)
        self.ids.append(node.id)
        self.labels.append(node.label)
        self._codes.append(self._label_code.get(node.label, -1))
        self._doc[node.id] = doc
        self._by_folded_id[fold(node.id)] = doc
        self.names.append(fold(str(node.props.get("name", ""))))
        postings, arrays, new = self._postings, self._arrays, []
        for prop, slot in self._fields.get(node.label, ()):
            value = node.props.get(prop)
            texts = value if isinstance(value, list) else [value] if value else []
            if not texts:
                continue
            entry = doc * SLOTS + slot
            if _SLOT_KINDS[slot] == _NAME:
                folded = self._texts[entry] = fold(str(texts[0]))
                if not self._building:  # kept in order as nodes come (dead ones are skipped)
                    at = bisect_right(self._sorted_texts, folded)
                    self._sorted_texts.insert(at, folded)
                    self._sorted_keys.insert(at, entry)
            keys = {w for t in texts for w in words(str(t))}
            lang = _SLOT_LANGS[slot]
            if lang in _STEMMERS:
                keys |= {f"{lang}:{s}" for t in texts for s in stems(str(t), lang)}
            for key in keys:
                found = postings.get(key)
                if found is None:
                    postings[key] = [entry]
                    if ":" not in key:
                        new.append(key)
                else:
                    found.append(entry)
                    arrays.pop(key, None)
        self._order = None
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
        self._order = None

    def _forget(self, node_id: str) -> None:
        doc = self._doc.pop(node_id, None)
        if doc is not None:
            self.dead.add(doc)
            folded = fold(node_id)
            if self._by_folded_id.get(folded) == doc:
                del self._by_folded_id[folded]
            self._order = None

    def _array(self, key: str) -> np.ndarray:
        """The postings of a word or stem as a sorted array (postings grow in doc order)."""
        arr = self._arrays.get(key)
        if arr is None:
            found = self._postings.get(key)
            arr = _EMPTY if found is None else np.array(found, dtype=np.int64)
            self._arrays[key] = arr
        return arr

    def _labels_starting(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Postings of the preferred labels that start with ``query``, and of those equal to
        it: two ranges of the labels in sorted order (made once per index state)."""
        texts, keys = self._sorted_texts, self._sorted_keys
        lo = bisect_left(texts, query)
        same = bisect_right(texts, query, lo)
        hi = bisect_left(texts, query + "\U0010ffff", same)
        return (np.array(keys[lo:hi], dtype=np.int64), np.array(keys[lo:same], dtype=np.int64))

    def _ranking(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per doc: alive, label code, length of the name (the first tie-break of equal
        scores), made once per index state."""
        if self._order is None:
            n = len(self.ids)
            alive = np.ones(n, dtype=bool)
            if self.dead:
                alive[np.fromiter(self.dead, dtype=np.int64)] = False
            lengths = np.fromiter(map(len, self.names), dtype=np.int64, count=n)
            self._order = (alive, np.array(self._codes, dtype=np.int64), lengths)
        return self._order

    def search(self, text: str, labels: Sequence[str] | None = None,
               first: int = 20, lang: str | None = None) -> list[Hit]:
        """The best ``first`` nodes for ``text``: every query word must match a word of a
        searchable field, as a whole word, (from two letters on) as its beginning, or by its
        Snowball stem; ``lang`` (BCP 47) ranks labels in that language first."""
        query = fold(text).strip()
        terms = list(dict.fromkeys(_WORD.findall(query)))
        if not terms or first <= 0:
            return []
        raw = _WORD.findall(text.casefold())
        query_stems = {lang: [fold(s) for s in _STEMMERS[lang].stemWords(raw)]
                       for lang in STEMMED} if len(raw) == len(_WORD.findall(query)) else {}
        position = {t: _WORD.findall(query).index(t) for t in terms}
        alive, codes, lengths = self._ranking()
        matched, whole = [], []
        for term in terms:
            words_ = self._expand(term)
            parts = [self._array(w) for w in words_]
            exact = [self._array(w) for w in words_ if w == term]
            for stem_lang, stemmed in query_stems.items():
                parts.append(self._array(f"{stem_lang}:{stemmed[position[term]]}"))
            matched.append(_union(parts))
            whole.append(exact[0] if exact else _EMPTY)
        docs = self._every_term(matched)
        exact_id = self._by_folded_id.get(query)
        if exact_id is not None and not alive[exact_id]:
            exact_id = None
        if exact_id is not None and exact_id not in set(docs.tolist()):
            docs = np.sort(np.append(docs, exact_id))
        docs = docs[alive[docs]]
        if labels:
            wanted = [self._label_code[x] for x in labels if x in self._label_code]
            docs = docs[np.isin(codes[docs], wanted)]
        if not len(docs):
            return []
        score, field, slot_of = self._scores(docs, matched, whole, query, lang)
        if exact_id is not None:
            at = int(np.searchsorted(docs, exact_id))
            if at < len(docs) and docs[at] == exact_id and score[at] < EXACT:
                score[at], field[at], slot_of[at] = EXACT, _FIELD_ID, -1
        order = self._best(docs, score, lengths[docs], first)
        return [Hit(self.ids[int(docs[i])], self.labels[int(docs[i])], float(score[i]),
                    _FIELD_NAMES[int(field[i])],
                    (_SLOT_LANGS[int(slot_of[i])] or None) if slot_of[i] >= 0 else None)
                for i in order]

    def _best(self, docs: np.ndarray, score: np.ndarray, length: np.ndarray,
               first: int) -> list[int]:
        """Positions of the ``first`` best docs: higher score, then shorter name (numpy), then
        name and id (Python, for the docs tied with the last one taken only)."""
        order = np.lexsort((length, -score))
        if len(order) <= first:
            cut = len(order)
        else:
            last = order[first - 1]
            tied = (score[order] == score[last]) & (length[order] == length[last])
            cut = int(np.flatnonzero(tied)[-1]) + 1
        head = order[:cut].tolist()
        head.sort(key=lambda i: (-score[i], length[i], self.names[int(docs[i])],
                                 self.ids[int(docs[i])]))
        return head[:first]

    @staticmethod
    def _every_term(matched: list[np.ndarray]) -> np.ndarray:
        """Docs where every term matches somewhere."""
        docs: np.ndarray | None = None
        for arr in sorted(matched, key=len):
            d = _distinct(arr // SLOTS)
            docs = d if docs is None else np.intersect1d(docs, d, assume_unique=True)
            if not len(docs):
                break
        return docs if docs is not None else _EMPTY

    def _scores(self, docs: np.ndarray, matched: list[np.ndarray], whole: list[np.ndarray],
                query: str, lang: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Score, field code and slot of the best label, per doc (see the module notes)."""
        n = len(docs)
        worst = np.zeros(n, dtype=np.int64)  # the weakest field kind any term needed
        for arr in matched:
            keys = arr[_member(arr // SLOTS, docs)]
            kinds = _SLOT_KIND[keys % SLOTS]
            best = np.full(n, _TEXT + 1, dtype=np.int64)
            np.minimum.at(best, np.searchsorted(docs, keys // SLOTS), kinds)
            worst = np.maximum(worst, best)
        score = np.where(worst == _NAME, WORD_PREFIXES,
                         np.where(worst == _LABEL, LABELS, DESCRIPTION))
        field = np.where(worst == _NAME, _FIELD_NAME,
                         np.where(worst == _LABEL, _FIELD_LABELS, _FIELD_DESCRIPTION))
        slot_of = np.full(n, -1, dtype=np.int64)
        # every term in one and the same preferred label: rank by how it matches that label
        same = self._one_label(matched, docs)
        if len(same):
            all_whole = np.isin(same, self._one_label(whole, docs), assume_unique=True)
            slots = same % SLOTS
            base = np.where(all_whole, WORDS, WORD_PREFIXES)
            starting, equal = self._labels_starting(query)
            base[np.isin(same, starting)] = PREFIX
            base[np.isin(same, equal)] = EXACT
            own = np.array([_SLOT_LANGS[s] == lang for s in slots.tolist()], dtype=bool) \
                if lang else np.zeros(len(same), dtype=bool)
            value = base + np.where(own, OWN_LANGUAGE, 0.0)
            at = np.searchsorted(docs, same // SLOTS)
            # best label per doc: sort by value, the last write of a doc wins
            order = np.argsort(value, kind="stable")
            better = value[order] > score[at[order]]
            take = order[better]
            score[at[take]] = value[take]
            field[at[take]] = _FIELD_NAME
            slot_of[at[take]] = slots[take]
        return score, field, slot_of

    @staticmethod
    def _one_label(per_term: list[np.ndarray], docs: np.ndarray) -> np.ndarray:
        """Postings of preferred labels (name slots) that every term matched, among ``docs``."""
        keys: np.ndarray | None = None
        for arr in sorted(per_term, key=len):
            named = arr[_IS_NAME[arr % SLOTS]]
            keys = named if keys is None else np.intersect1d(keys, named, assume_unique=True)
            if not len(keys):
                return _EMPTY
        if keys is None:
            return _EMPTY
        return keys[_member(keys // SLOTS, docs)]

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


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct postings of several sorted arrays."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    return _distinct(np.sort(np.concatenate(parts)))


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (no hashing: it is sorted already)."""
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _member(values: np.ndarray, universe: np.ndarray) -> np.ndarray:
    """Which ``values`` are in the sorted array ``universe`` (binary search, no hashing)."""
    if not len(universe):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(universe, values).clip(max=len(universe) - 1)
    return universe[at] == values


_FIELD_NAME, _FIELD_LABELS, _FIELD_DESCRIPTION, _FIELD_ID = 0, 1, 2, 3
_FIELD_NAMES = ("name", "labels", "description", "id")


CATCH_UP_WAIT = 0.5  # seconds a search waits for the index to take in another process's write


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
        """Search the index of store ``version``, or the last one while that is brought up.

        A search that finds the index behind waits up to :data:`CATCH_UP_WAIT` for the
        catch-up: a write by another process (another ``coco serve`` worker) of a few nodes
        is then found by the very next search; a large import is not waited for."""
        worker = None
        with self._lock:
            if self._index is not None:
                if version <= self._version:
                    return self._index.search(text, labels, first, lang)
                self._in_background(self._refresh, version)
                worker = self._worker
        if worker is not None:
            worker.join(CATCH_UP_WAIT)
            with self._lock:
                assert self._index is not None
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
