""""Did you mean": corrections drawn from the index's own unstemmed vocabulary.

Only words the index has never seen are corrected; names (CD7, BCMA), numbers, short words and
stop words are left alone. Candidates come from Whoosh's spelling fields (``spell_question``,
``spell_answer``), which hold words as written, never stems.
"""

from __future__ import annotations

from whoosh import spelling as wsp

from indexer.analysis import QUESTION_WORDS
from indexer.analysis import STOP_WORDS
from indexer.analysis import TOKEN_PATTERN
from indexer.analysis import is_name
from indexer.analysis import normalize_word
from indexer.analysis import stem_word

SPELL_FIELDS = ("spell_question", "spell_answer")
MIN_LENGTH = 4


def suggest(searcher, text: str) -> str | None:
    """The text with unknown words replaced by their closest indexed word, or None."""
    reader = searcher.reader()
    fields = [f for f in SPELL_FIELDS if f in reader.indexed_field_names()]
    if not fields:
        return None
    pieces, last, changed = [], 0, False
    for match in TOKEN_PATTERN.finditer(text):
        word = normalize_word(match.group(0))
        if not needs_check(match.group(0), word) or known(reader, fields, word):
            continue
        if any(reader.doc_frequency(f, stem_word(word)) for f in ("question", "answer")):
            continue
        found = best_candidate(reader, fields, word)
        if found:
            pieces += [text[last:match.start()], found]
            last, changed = match.end(), True
    return "".join(pieces) + text[last:] if changed else None


def best_candidate(reader, fields: list[str], word: str) -> str | None:
    """The closest indexed word (each field's corrector ranks by distance, then frequency)."""
    ranked: dict[str, tuple[int, int]] = {}
    for name in fields:
        corrector = wsp.ReaderCorrector(reader, name, None)
        for rank, candidate in enumerate(corrector.suggest(word, limit=3, maxdist=2, prefix=1)):
            frequency = sum(reader.doc_frequency(f, candidate) for f in fields)
            ranked[candidate] = min(ranked.get(candidate, (rank, 0)), (rank, -frequency))
    ranked.pop(word, None)
    return min(ranked, key=ranked.get) if ranked else None


def needs_check(raw: str, word: str) -> bool:
    return (len(word) >= MIN_LENGTH and word.isalpha() and not is_name(raw)
            and word not in STOP_WORDS and word not in QUESTION_WORDS)


def known(reader, fields: list[str], word: str) -> bool:
    return any(reader.doc_frequency(f, word) for f in fields)
