""""Did you mean": corrections drawn from the index's own words, as they were written.

Only words the index has never seen (not even by their stem) are corrected; names (CD7, BCMA),
numbers, short words, stop words, titles (Prof, Dr) and the vocabulary's words
(``indexer/data/vocabulary.txt``: a medical term one letter from another, such as rubeola and
rubella, is not a typo) are left alone. A typo is measured against the words of the question
and answer fields as written, not against their stems: "hepatitis" is indexed as "hepat", three
edits from "hepatits", and the stems once made a rarer word two edits away ("hepatica") the
suggestion. ``surfaces.json`` in the build directory maps each indexed term to the words it was
made from, gathered while the build indexed them (:func:`indexer.analysis.collecting_words`);
:class:`Words` holds them grouped by first letter and length, so that the words within an edit
or two of a typo are found in a fraction of a millisecond.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from collections.abc import Iterator
from functools import cached_property
from functools import lru_cache
from pathlib import Path

from indexer.analysis import QUESTION_WORDS
from indexer.analysis import STOP_WORDS
from indexer.analysis import analyze_word
from indexer.analysis import finished
from indexer.analysis import is_name
from indexer.analysis import normalize_word
from indexer.analysis import prefix_words
from indexer.analysis import stem_word
from indexer.formats.names import honorific
from indexer.query import vocabulary_terms

FIELDS = ("question", "answer")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # words; compounds are checked part by part
FUNCTION_WORDS = frozenset(w for w in STOP_WORDS | QUESTION_WORDS if len(w) >= 3)
SURFACES = "surfaces.json"
MIN_LENGTH = 4


def suggest(searcher, text: str, words: Words) -> str | None:
    """The text with unknown words replaced by their closest indexed word, or None. A word
    typed with a trailing * (leuk*) is the start of words, not a typo (of "leak")."""
    reader = searcher.reader()
    pieces, last, changed = [], 0, False
    prefixes = [(start, start + len(word)) for start, word in prefix_words(text).items()]
    for match in WORD.finditer(text):
        raw = match.group(0)
        word = normalize_word(raw)
        if (any(start <= match.start() < end for start, end in prefixes)
                or not needs_check(raw, word) or known(reader, word) or near_function_word(word)):
            continue
        found = best_candidate(reader, word, words)
        if found:
            pieces += [text[last:match.start()], found.capitalize() if raw.istitle() else found]
            last, changed = match.end(), True
    return "".join(pieces) + text[last:] if changed else None


def needs_check(raw: str, word: str) -> bool:
    """Words worth correcting: long enough, ordinary (not a name, nor a title such as Prof,
    which is one letter from POF)."""
    return (len(word) >= MIN_LENGTH and word.isalpha() and not is_name(raw)
            and not honorific(raw))


@lru_cache(maxsize=4096)
def near_function_word(word: str) -> bool:
    """A slip on a function word ("whta") is not worth a suggestion."""
    return any(edit_distance(word, w) <= 1 for w in FUNCTION_WORDS)


def known(reader, word: str) -> bool:
    """A word of the index (by its stem) or of the vocabulary."""
    stem = stem_word(word)
    return stem in vocabulary_terms() or any(reader.doc_frequency(f, stem) for f in FIELDS)


def allowed_edits(word: str) -> int:
    """How far a correction may be from `word`: one edit up to five letters, else two. Two
    edits in a short word change half of it: on a small corpus "pale" became "path", "rash"
    "rates", and "toxicity" (by its stem, toxic) "topic"."""
    return 1 if len(word) <= 5 else 2


def best_candidate(reader, word: str, words: Words) -> str | None:
    """The real word closest to `word` among the index's words within its allowed edits
    (:func:`allowed_edits`, counting a swap of neighbouring letters as one); of equally close
    words, the one whose term is in most pairs (a source's own typo, "Rubell" in one pair,
    must not beat "rubella" in 47), then the shorter. One edit is looked for with the first
    letter kept; two only when none is found, and with the first two letters kept."""
    limit = allowed_edits(word)
    for edits, prefix in ((1, 1), (2, 2)):
        if edits > limit:
            break
        distance = {w: d for w, d in words.within(word, edits, prefix)
                    if w != word and (not reader.has_deletions() or live(reader, words.terms[w]))}
        if distance:
            frequency = {w: sum(reader.doc_frequency(name, words.terms[w]) for name in FIELDS)
                         for w in distance}
            return min(distance, key=lambda w: (distance[w], -frequency[w], len(w), w))
    return None


def live(reader, term: str) -> bool:
    """Whether a pair that is not deleted holds `term`: an update deletes the pairs of changed
    and removed files, and their terms stay in the index until its segments merge."""
    return any(reader.doc_frequency(name, term) and reader.postings(name, term).is_active()
               for name in FIELDS)


class Words:
    """The index's words as written, each with the term it is indexed as, grouped by first
    letter and length with a bit mask of the letters each holds (a word within k edits of
    another differs from it by at most 2k letters of the mask), so that a lookup compares a
    typo with a few dozen words instead of thousands."""

    def __init__(self, surfaces: dict[str, list[str]]):
        self.terms: dict[str, str] = {}  # word -> its indexed term
        self.groups: dict[tuple[str, int], tuple[array, list[str]]] = {}
        for term, written in surfaces.items():
            for word in written:
                if word and word not in self.terms:
                    self.terms[word] = term
                    masks, found = self.groups.setdefault((word[0], len(word)),
                                                          (array("Q"), []))
                    masks.append(letters(word))
                    found.append(word)

    @cached_property
    def ordered(self) -> list[str]:
        """The words in order, for :meth:`starting` (sorted on first use)."""
        return sorted(self.terms)

    def starting(self, start: str) -> list[str]:
        """The terms of the words that start with `start` (for prefix search: the index holds
        "leukocytes" as leukocyt, which does not start with "leukocytes")."""
        return [self.terms[word] for word in self.words_starting(start)]

    def written(self, term: str, start: str) -> str | None:
        """The shortest word (the first of equals) that starts with `start` and is indexed as
        `term`: its plain form ("immunotherapy" of immunotherapi, not "immunotherapies")."""
        return min((word for word in self.words_starting(start) if self.terms[word] == term),
                   key=len, default=None)

    def words_starting(self, start: str) -> Iterator[str]:
        """The words that start with `start`, in order."""
        ordered = self.ordered
        for i in range(bisect_left(ordered, start), len(ordered)):  # (islice stepped from 0)
            if not ordered[i].startswith(start):
                return
            yield ordered[i]

    def within(self, word: str, edits: int, prefix: int = 1) -> list[tuple[str, int]]:
        """(word, distance) for each word within `edits` edits of `word` that starts with its
        first `prefix` letters (at least one)."""
        mask, start, found = letters(word), word[:max(prefix, 1)], []
        for length in range(len(word) - edits, len(word) + edits + 1):
            masks, group = self.groups.get((word[0], length), NO_WORDS)
            for other_mask, other in zip(masks, group, strict=True):
                if (mask ^ other_mask).bit_count() <= 2 * edits and other.startswith(start):
                    distance = edit_distance(word, other)
                    if distance <= edits:
                        found.append((other, distance))
        return found


NO_WORDS: tuple[array, list[str]] = (array("Q"), [])


def letters(word: str) -> int:
    """A bit mask of the letters in `word` (a letter's code point modulo 64: a bound, not an
    identity, so letters beyond the alphabet may share a bit)."""
    mask = 0
    for char in word:
        mask |= 1 << (ord(char) & 63)
    return mask


def edit_distance(a: str, b: str) -> int:
    """Edits from `a` to `b`: insertions, deletions, substitutions, and swaps of neighbouring
    letters, the commonest typo ("leukemai"), each counting one (optimal string alignment;
    two short words, so a plain dynamic programme is enough)."""
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        before, previous = previous, current
    return previous[-1]


def save_surfaces(build_dir: Path, reader, raw_words: Iterable[str]) -> None:
    """Write the build's term -> words map: the words of `raw_words` (what the build indexed,
    as written) by the question or answer term each became, merged with the map of the build
    it was cloned from, for the terms those fields still hold."""
    forms = {term: set(words) for term, words in load_surfaces(build_dir).items()}
    for raw in raw_words:
        for term in written_terms(raw):
            forms.setdefault(finished(term), set()).add(term.text)
    indexed = {t.decode() if isinstance(t, bytes) else t
               for name in FIELDS for t in reader.lexicon(name)}
    kept = {term: sorted(words) for term, words in forms.items() if term in indexed}
    (build_dir / SURFACES).write_text(json.dumps(kept, ensure_ascii=False, sort_keys=True),
                                      encoding="utf-8")


def written_terms(raw: str) -> tuple:
    """The terms of a raw word that a typo may be corrected to: the word, or a compound's
    parts (not their joined form: "tcells" was never written), alphabetic and long enough
    to be a correction (a typo has at least MIN_LENGTH letters and a correction one edit
    fewer)."""
    terms = analyze_word(raw)
    if len(terms) > 1:
        terms = terms[1:]  # a compound: its joined term, then its parts
    return tuple(t for t in terms if not t.stopped and len(t.text) >= MIN_LENGTH - 1
                 and t.text.isalpha())


def load_surfaces(build_dir: Path) -> dict[str, list[str]]:
    """The build's term -> words map from surfaces.json; {} when missing or unreadable."""
    try:
        return json.loads((build_dir / SURFACES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load_words(build_dir: Path) -> Words:
    """The build's words for "did you mean" (none when surfaces.json is missing or unreadable:
    search works, without suggestions)."""
    return Words(load_surfaces(build_dir))
