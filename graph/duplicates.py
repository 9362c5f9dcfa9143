"""Likely duplicate actors and competences: fuzzy names, blocked candidates, explained scores.

Method (record linkage in the Fellegi–Sunter tradition, simplified to one score; blocking as in
Christen, *Data Matching*, 2012, ch. 4):

1. **Normalise** each name: fold case and diacritics (:func:`graph.search.fold`, so ``Łódź`` and
   ``Lodz`` agree; German ``ue``/``oe``/``ae`` spellings of umlauts fold too), drop legal forms
   (``GmbH``, ``s.r.o.``, ``sp. z o.o.``, ``S.p.A.``, ``d.o.o.``, ``a.s.``, ``e.V.``, ``Ltd`` …),
   connecting words (``w``, ``v``, ``di``, ``der``, ``and`` …) and an acronym that only repeats
   the name's initials (``Gospodarska zbornica Slovenije (GZS)``).
2. **Stem** every word to its first five letters, a crude but language-independent prefix
   stemmer: Slavic names inflect the place (``w Szczecinie`` / ``Szczecin`` become the same
   stem; ``v Brně`` / ``Brno`` differ in one letter, which the fuzzy ratio forgives).
3. **Block**: a name is only compared with names of the same label sharing its rarest stem, or
   its second rarest unless that one is common (``logistics``, ``studio``): an inverted index, so
   the work grows with the block sizes, not with n²; each block is scored at once by
   ``rapidfuzz.process.cdist`` (C++, all cores) with a cut-off.
4. **Score** the surviving pairs: the mean of rapidfuzz's token-sort ratio (word order ignored)
   and token-set ratio (one name's words contained in the other's), on the stems, less
   :data:`CONFLICT` when each name has a word the other lacks (:func:`conflicting`); then the same
   country adds :data:`SAME_COUNTRY`, the same city :data:`SAME_CITY`, different countries
   subtract :data:`OTHER_COUNTRY` and different cities :data:`OTHER_CITY`. A pair at or above
   :data:`DEFAULT_MIN_SCORE` is reported, with that evidence.

The default threshold was chosen on the labelled pairs in
``tests/fixtures/duplicates/pairs.csv`` (Central European name variants: 63 true duplicates, 56
hard non-duplicates), where it finds every duplicate and two false ones (precision 0.97, recall
1.0); the tests hold both at ≥ 0.9. Speed: ``benchmarks/duplicates.py`` (50k actors in ~4 s).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from coco_atlas.graph.search import fold
from coco_atlas.schema import ACTOR_LABELS, SCHEMA, Node
from coco_atlas.schema.messages import N_, Join, Msg, Num

ACTORS: tuple[str, ...] = tuple(sorted(ACTOR_LABELS))
LABELS = (*ACTORS, SCHEMA.label("Competence").name)  # what duplicates are looked for among
DEFAULT_MIN_SCORE = 88.0
SAME_COUNTRY, SAME_CITY, OTHER_COUNTRY, OTHER_CITY = 3.0, 5.0, 20.0, 5.0
STEM = 5  # letters kept of each word
KEYS = 2  # blocking keys (rarest stems) per name
CONFLICT = 10.0  # less when each name has a word the other lacks (see conflicting)
WORD_ALIKE = 75.0  # words this alike are taken as spellings of one word (Brno / Brně)
BLOCK_CUTOFF = 50.0  # cdist's floor: a ratio below it counts as 0
COMMON_MIN, COMMON_SHARE = 50, 0.002  # a stem in more names is only a key if a name's rarest
MAX_BLOCK = 4_000  # a larger block is split by country (then by first letter)

# Legal forms as word sequences after folding and splitting on punctuation (sp. z o.o. -> sp z o o).
_LEGAL = (
    "gmbh & co kg", "gmbh co kg", "ggmbh", "gmbh", "mbh", "ag", "kg", "ohg", "og", "ug", "gbr",
    "e v", "ev", "eg", "se", "kgaa",
    "sp z o o", "sp zoo", "spzoo", "sp z oo", "sp j", "sp k", "s a", "sa", "s c", "spolka",
    "s r o", "sro", "spol s r o", "spol", "a s", "as", "n o", "no", "z s", "zs", "z u", "zu",
    "o p s", "ops", "v o s", "k s", "spolka akcyjna",
    "d o o", "doo", "d d", "dd", "s p", "k d", "d n o",
    "s r l", "srl", "s p a", "spa", "s a s", "sas", "s n c", "snc", "soc coop", "s c a r l",
    "scarl", "coop", "onlus", "aps", "ets",
    "ltd", "limited", "llc", "inc", "plc", "co", "corp", "bv", "nv", "kft", "zrt", "nyrt", "bt",
)
_STOP = frozenset((
    "w", "we", "z", "ze", "i", "oraz", "na", "do", "dla", "im",  # Polish
    "v", "vo", "a", "pri", "za", "s", "so", "na", "pre", "pro",  # Czech, Slovak, Slovenian
    "in", "der", "die", "das", "des", "dem", "den", "und", "fur", "f", "am", "an", "zu", "zum",
    "zur", "von", "vom",  # German
    "di", "del", "della", "delle", "dei", "degli", "da", "e", "ed", "il", "la", "lo", "le", "d",
    "l",  # Italian
    "the", "of", "and", "for", "at", "&",
))
_SPLIT = re.compile(r"[^\w&]+")
_UMLAUT = re.compile(r"(?<=[a-z])([aou])e")
_ACRONYM = re.compile(r"^[A-ZÀ-Ž]{2,6}$")


def _legal_forms() -> dict[int, frozenset[tuple[str, ...]]]:
    by_len: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for form in _LEGAL:
        words = tuple(form.split())
        by_len[len(words)].add(words)
    return {n: frozenset(v) for n, v in sorted(by_len.items(), reverse=True)}


LEGAL_FORMS = _legal_forms()


def normalise(name: str) -> str:
    """``"Akademia Sztuki w Szczecinie"`` → ``"akademia sztuki szczecinie"``, ``"Foo GmbH"`` →
    ``"foo"``: the words that identify an organisation (see the module notes)."""
    raw = [w for w in _SPLIT.split(name) if w]
    acronyms = {fold(w) for w in raw if _ACRONYM.match(w)}
    words = _strip_legal([_UMLAUT.sub(r"\1", fold(w)) for w in raw])
    kept = [w for w in words if w not in _STOP]
    initials = "".join(w[0] for w in kept if w not in acronyms)
    every = "".join(w[0] for w in words if w not in acronyms)
    out = [w for w in kept if not (w in acronyms and len(kept) > 2
                                   and (w in initials or w in every))]
    return " ".join(out or kept or words)


def _strip_legal(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for n, forms in LEGAL_FORMS.items():
            # a legal form anywhere but first (a firm called "AS Design" keeps its "as")
            if i > 0 and tuple(words[i:i + n]) in forms:
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def stems(normalised: str) -> str:
    """Each word cut to its first :data:`STEM` letters (a prefix stemmer for inflected names)."""
    return " ".join(w[:STEM] for w in normalised.split())


@dataclass(frozen=True)
class Candidate:
    """What the matcher knows of one node: its name and, for actors, where it is."""

    id: str
    label: str
    name: str
    country: str | None = None
    city: str | None = None
    normal: str = field(default="", compare=False)
    stem: str = field(default="", compare=False)
    place: str = field(default="", compare=False)  # the city, normalised and stemmed

    @classmethod
    def of(cls, node_id: str, label: str, name: str, country: Any = None, city: Any = None
           ) -> Candidate:
        normal = normalise(name)
        place = stems(" ".join(w for w in _SPLIT.split(fold(str(city or ""))) if w))
        return cls(node_id, label, name, country or None, city or None, normal, stems(normal),
                   place)

    @classmethod
    def from_node(cls, node: Node) -> Candidate:
        p = node.props
        return cls.of(node.id, node.label, str(p.get("name") or ""), p.get("country"),
                      p.get("city"))


@dataclass(frozen=True)
class Match:
    """A likely duplicate pair, ``a.id < b.id``, with the evidence behind its score."""

    a: Candidate
    b: Candidate
    score: float
    name_score: float
    evidence: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.a.label, "score": round(self.score, 1),
                "nameScore": round(self.name_score, 1),
                "a": _side(self.a), "b": _side(self.b), "evidence": list(self.evidence)}


def _side(c: Candidate) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "matchedAs": c.normal, "country": c.country,
            "city": c.city}


def name_score(a: Candidate, b: Candidate) -> float:
    """0–100: how alike two names are once normalised and stemmed (module notes, step 4)."""
    if not a.stem or not b.stem:
        return 0.0
    mean = (fuzz.token_sort_ratio(a.stem, b.stem) + fuzz.token_set_ratio(a.stem, b.stem)) / 2
    return max(0.0, mean - (CONFLICT if conflicting(a.normal, b.normal) else 0.0))


def conflicting(a: str, b: str) -> bool:
    """Each name has a word the other lacks (no word of the other is alike, rapidfuzz ratio ≥
    :data:`WORD_ALIKE`): ``Officine Grafiche Rossi`` / ``Officine Meccaniche Rossi`` name two
    firms, while ``Università di Padova`` / ``Università degli Studi di Padova`` only leaves a
    word out."""
    wa, wb = set(a.split()), set(b.split())
    return _lacks(wa - wb, wb, b.replace(" ", "")) and _lacks(wb - wa, wa, a.replace(" ", ""))


def _lacks(words: set[str], other: set[str], joined: str) -> bool:
    """Some word has no alike word in ``other`` and is not part of it written together
    (``Kreativ Wirtschaft`` / ``Kreativwirtschaft``)."""
    return any(process.extractOne(w, other, scorer=fuzz.ratio, score_cutoff=WORD_ALIKE) is None
               and not (len(w) >= 4 and w in joined) for w in words)


def score(a: Candidate, b: Candidate) -> Match:
    """The pair's score and its evidence: the name forms compared, then where they are."""
    names = name_score(a, b)
    total = names
    evidence: list[str] = [Msg(N_("names {score}: {a} ~ {b}"), score=f"{names:.0f}",
                               a=repr(a.normal), b=repr(b.normal))]
    if a.country and b.country:
        same = a.country == b.country
        total += SAME_COUNTRY if same else -OTHER_COUNTRY
        evidence.append(Msg(N_("same country ({country})"), country=a.country) if same else
                        Msg(N_("different country ({a} / {b})"), a=a.country, b=b.country))
    if a.place and b.place:
        same = a.place == b.place
        total += SAME_CITY if same else -OTHER_CITY
        evidence.append(Msg(N_("same city ({a} / {b})") if same else
                            N_("different city ({a} / {b})"), a=a.city, b=b.city))
    a, b = (a, b) if a.id < b.id else (b, a)
    return Match(a, b, max(0.0, min(100.0, total)), names, tuple(evidence))


def find_duplicates(candidates: Sequence[Candidate], *, min_score: float = DEFAULT_MIN_SCORE,
                    only_with: Iterable[str] | None = None) -> list[Match]:
    """Likely duplicate pairs among ``candidates``, best first. With ``only_with``, only pairs
    that involve one of those ids (new records checked against the store and each other)."""
    focus = set(only_with) if only_with is not None else None
    by_label: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.stem:
            by_label[c.label].append(c)
    found: list[Match] = []
    for group in by_label.values():
        for i, j in _candidate_pairs(group, focus, min_score - SAME_COUNTRY - SAME_CITY):
            m = score(group[i], group[j])
            if m.score >= min_score:
                found.append(m)
    found.sort(key=lambda m: (-m.score, m.a.id, m.b.id))
    return found


def _candidate_pairs(group: list[Candidate], focus: set[str] | None, floor: float
                     ) -> set[tuple[int, int]]:
    """Index pairs ``i < j`` worth scoring: in one block, and their mean ratio (computed for the
    whole block in C++) high enough that the best context could lift them to ``floor``."""
    pairs: set[tuple[int, int]] = set()
    for block in _blocks(group):
        if focus is not None and not any(group[i].id in focus for i in block):
            continue
        names = [group[i].stem for i in block]
        sims = [process.cdist(names, names, scorer=scorer, dtype=np.uint8, workers=-1,
                              score_cutoff=BLOCK_CUTOFF).astype(np.uint16)
                for scorer in (fuzz.token_sort_ratio, fuzz.token_set_ratio)]
        rows, cols = np.nonzero(np.triu(sims[0] + sims[1] >= 2 * floor, 1))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i, j = (block[r], block[c]) if block[r] < block[c] else (block[c], block[r])
            if focus is None or group[i].id in focus or group[j].id in focus:
                pairs.add((i, j))
    return pairs


def _blocks(group: list[Candidate]) -> list[list[int]]:
    """Positions sharing a blocking key (one of a name's :data:`KEYS` rarest stems)."""
    words = [c.stem.split() for c in group]
    freq: dict[str, int] = defaultdict(int)
    for ws in words:
        for w in set(ws):
            freq[w] += 1
    common = max(COMMON_MIN, COMMON_SHARE * len(group))
    index: dict[str, list[int]] = defaultdict(list)
    for pos, ws in enumerate(words):
        rarest = sorted(set(ws), key=lambda w: (freq[w], w))[:KEYS]
        for w in rarest[:1] + [w for w in rarest[1:] if freq[w] <= common]:
            index[w].append(pos)
    out: list[list[int]] = []
    for block in index.values():
        out.extend(_split(group, block))
    return out


def _split(group: list[Candidate], block: list[int], depth: int = 0) -> list[list[int]]:
    """A block too large to score whole, split by country, then by the name's first letter."""
    if len(block) < 2:
        return []
    if len(block) <= MAX_BLOCK or depth == 2:
        return [block]
    parts: dict[str, list[int]] = defaultdict(list)
    for pos in block:
        c = group[pos]
        parts[(c.country or "") if depth == 0 else c.stem[:1]].append(pos)
    if depth == 0 and "" in parts:  # unknown country: compared with every country
        unknown = parts.pop("")
        for key in parts:
            parts[key].extend(unknown)
        parts.setdefault("?", unknown)
    return [b for part in parts.values() for b in _split(group, part, depth + 1)]


# -- the store ------------------------------------------------------------------------------
def store_candidates(store: Any, labels: Sequence[str] = LABELS) -> list[Candidate]:
    """Every node of ``labels`` as a candidate, read by property columns (no whole nodes)."""
    out: list[Candidate] = []
    for label in labels:
        names = store.property_values("name", [label])
        props = SCHEMA.node_properties(label)  # competences have no place
        countries = store.property_values("country", [label]) if "country" in props else {}
        cities = store.property_values("city", [label]) if "city" in props else {}
        out.extend(Candidate.of(i, label, str(n), countries.get(i), cities.get(i))
                   for i, n in names.items())
    return out


def store_duplicates(store: Any, labels: Sequence[str] = LABELS, *,
                     min_score: float = DEFAULT_MIN_SCORE) -> list[Match]:
    """Likely duplicates among the nodes of ``labels`` in ``store``, best first."""
    return find_duplicates(store_candidates(store, labels), min_score=min_score)


def incoming_duplicates(store: Any, nodes: Iterable[Node], *, labels: Sequence[str] = LABELS,
                        min_score: float = DEFAULT_MIN_SCORE) -> list[Match]:
    """Nodes about to be written that look like a node already stored under another id, or
    like another node of the same batch: so an import's ``--dry-run`` can show them before
    anything is written. A node whose id is already stored is an update, not a duplicate of
    itself."""
    new = [Candidate.from_node(n) for n in nodes if n.label in labels and n.props.get("name")]
    return _against_store(store, new, min_score)


def _against_store(store: Any, new: Sequence[Candidate], min_score: float) -> list[Match]:
    if not new:
        return []
    ids = {c.id for c in new}
    stored = [c for c in store_candidates(store, sorted({c.label for c in new}))
              if c.id not in ids]
    return find_duplicates([*stored, *new], min_score=min_score, only_with=ids)


def import_candidates(records: Iterable[Node]) -> list[Candidate]:
    """The actors among records an import is about to write, kept small (an import may hold
    millions of rows): only what :func:`import_notes` compares."""
    return [Candidate.from_node(n) for n in records
            if n.label in ACTORS and n.props.get("name")]


def import_notes(store: Any, candidates: Sequence[Candidate], *, limit: int = 50) -> list[str]:
    """One line per likely duplicate actor among records an import would write (for
    ``--dry-run``): which record, which other record (stored, or in the same import) and why.
    Competences are left out: ESCO and imports key them by concept URI already."""
    found = _against_store(store, candidates, DEFAULT_MIN_SCORE)
    ids = {c.id for c in candidates}
    lines = [_note(m, ids) for m in found[:limit]]
    if len(found) > limit:
        lines.append(Msg(N_("… and {n} more likely duplicates (see coco duplicates after the "
                            "import)"), n=Num(len(found) - limit)))
    return lines


def _note(m: Match, new: set[str]) -> str:
    a, b = (m.a, m.b) if m.a.id in new else (m.b, m.a)
    return Msg(N_("likely duplicate ({score}): {label} {id} {name} looks like {other_id} "
                  "{other_name} in this import ({evidence}); merge them after the import with: "
                  "coco merge KEEP DROP") if b.id in new else
               N_("likely duplicate ({score}): {label} {id} {name} looks like {other_id} "
                  "{other_name} already stored ({evidence}); merge them after the import "
                  "with: coco merge KEEP DROP"),
               score=f"{m.score:.0f}", label=a.label, id=repr(a.id), name=repr(a.name),
               other_id=repr(b.id), other_name=repr(b.name), evidence=evidence_text(m))


def evidence_text(m: Match) -> str:
    """The evidence of a pair, one text worded where shown: "names 96: … ; same city (…)"."""
    return Join(*(x for i, e in enumerate(m.evidence) for x in (("; ", e) if i else (e,))))
