""""Did you mean": corrections drawn from the index's own vocabulary, shown as real words.

Only words the index has never seen (not even by their stem) are corrected; names (CD7, BCMA),
numbers, short words, stop words and the vocabulary's words (``indexer/data/vocabulary.txt``:
a medical term one letter from another, such as rubeola and rubella, is not a typo) are left
alone. Candidates come from the terms of the question and answer fields through Whoosh's
corrector (its word graph makes this fast), and since those terms are stems, each is shown as
the surface word it was indexed from: ``surfaces.json`` in the build directory maps stems to
the words seen while indexing.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from whoosh import spelling as wsp
from whoosh.lang.porter import stem as porter_stem

from indexer.analysis import QUESTION_WORDS
from indexer.analysis import STOP_WORDS
from indexer.analysis import is_name
from indexer.analysis import normalize_word
from indexer.analysis import stem_word
from indexer.analysis import surface_forms
from indexer.query import vocabulary_terms

FIELDS = ("question", "answer")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # words; compounds are checked part by part
FUNCTION_WORDS = frozenset(w for w in STOP_WORDS | QUESTION_WORDS if len(w) >= 3)
SURFACES = "surfaces.json"
MIN_LENGTH = 4


def suggest(searcher, text: str, surfaces: dict[str, list[str]]) -> str | None:
    """The text with unknown words replaced by their closest indexed word, or None."""
    reader = searcher.reader()
    pieces, last, changed = [], 0, False
    for match in WORD.finditer(text):
        raw = match.group(0)
        word = normalize_word(raw)
        if not needs_check(raw, word) or known(reader, word) or near_function_word(word):
            continue
        found = best_candidate(reader, word, surfaces)
        if found:
            pieces += [text[last:match.start()], found.capitalize() if raw.istitle() else found]
            last, changed = match.end(), True
    return "".join(pieces) + text[last:] if changed else None


def needs_check(raw: str, word: str) -> bool:
    """Words worth correcting: long enough, ordinary (not a name)."""
    return len(word) >= MIN_LENGTH and word.isalpha() and not is_name(raw)


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


def best_candidate(reader, word: str, surfaces: dict[str, list[str]]) -> str | None:
    """The real word closest to `word` among the index terms within its allowed edits
    (:func:`allowed_edits`, counting a swap of neighbouring letters as one); of equally close
    words, the commonest (a source's own typo, "Rubell" in one pair, must not beat "rubella"
    in 47)."""
    limit = allowed_edits(word)
    for maxdist, prefix in ((1, 1), (2, 2)):  # one edit is cheap to look for; two only if needed
        candidates = set()
        for name in FIELDS:
            corrector = wsp.ReaderCorrector(reader, name, None)
            for probe in {word, stem_word(word)} if maxdist == 1 else {word}:
                candidates.update(corrector.suggest(probe, limit=5, maxdist=maxdist,
                                                    prefix=prefix))
        frequency: dict[str, int] = {}  # surface word -> documents of its term, both fields
        for term in candidates:
            found = sum(reader.doc_frequency(name, term) for name in FIELDS)
            for surface in surface_words(term, surfaces):
                frequency[surface] = max(found, frequency.get(surface, 0))
        distance = {w: edit_distance(word, w) for w in frequency if w != word}
        close = [w for w, edits in distance.items() if edits <= limit]
        if close:
            return min(close, key=lambda w: (distance[w], -frequency[w], len(w), w))
    return None


def surface_words(term: str, surfaces: dict[str, list[str]]) -> list[str]:
    """The words an index term was made from; a term that is its own stem stands for itself."""
    if term in surfaces:
        return surfaces[term]
    return [term] if term.isalpha() and porter_stem(term) == term else []


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


def save_surfaces(build_dir: Path, reader) -> None:
    """Write the build's stem -> words map, merged with the one it was cloned from."""
    path = build_dir / SURFACES
    merged = load_surfaces(build_dir)
    stems = {t.decode() if isinstance(t, bytes) else t
             for name in FIELDS for t in reader.lexicon(name)}
    for stem, words in surface_forms(stems).items():
        merged[stem] = sorted(set(merged.get(stem, [])) | set(words))
    merged = {stem: words for stem, words in merged.items() if stem in stems}
    path.write_text(json.dumps(merged, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def load_surfaces(build_dir: Path) -> dict[str, list[str]]:
    """The build's stem -> words map from surfaces.json; {} when missing or unreadable."""
    try:
        return json.loads((build_dir / SURFACES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
