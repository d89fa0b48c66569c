"""Highlighting: matched words in ``<mark>``, ``…`` where text is cut, everything escaped.

Whoosh 2.7's highlighter marks every word of a phrase wherever it occurs (a search for "B cell
maturation antigen" marks each lone "B" and "cell"), and cannot say "this phrase, here only"
(``strict_phrase`` came later and is buggy; shared notes §7.6-7.7). So this module finds match
spans itself with the index analyzer: single terms anywhere, phrases (quoted text, compounds
such as CAR-T, synonym expansions) only where their words stand in a row. The spans then become
the best one or two fragments of an answer, or the whole text marked, escaped in one place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from indexer.analysis import TOKEN_PATTERN
from indexer.analysis import index_terms
from indexer.analysis import word_terms

ELLIPSIS = "…"
FRAGMENT_CHARS = 260
SURROUND = 70
TOP_FRAGMENTS = 2
LEAD_CHARS = 240
TRAILING = " .,;:!?\"'”’)]"


@dataclass(frozen=True)
class Marks:
    """What to mark: terms anywhere, phrases (tuples of terms) only in a row."""

    terms: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def spans(text: str, marks: Marks) -> list[tuple[int, int]]:
    """Character spans of the matches in `text`, sorted and merged."""
    if not marks or not text:
        return []
    tokens = index_tokens(text)
    found = [(start, end) for term, _pos, start, end in tokens if term in marks.terms]
    if marks.phrases:
        found += phrase_spans(tokens, marks.phrases)
    return merge(found)


def index_tokens(text: str) -> list[tuple[str, int, int, int]]:
    """(term, position, start, end) of every indexed term of `text`, as the index analyzer
    yields them, built word by word from cached results (answers are long, words repeat)."""
    tokens, pos, last = [], 0, None
    for match in TOKEN_PATTERN.finditer(text):
        raw, base = match.group(0), match.start()
        if (raw == "A" or raw == "I") and last and text[last.end():base] == " ":
            terms, width = word_terms(raw, last.group(0))  # hepatitis A (rare: checked so)
        else:
            terms, width = index_terms(raw)
        last = match
        tokens += [(term, pos + offset, base + start, base + end)
                   for term, offset, start, end in terms]
        pos += width
    return tokens


def phrase_spans(tokens: list[tuple], phrases: frozenset[tuple[str, ...]]) -> list[tuple]:
    """Spans where each phrase's terms occupy consecutive positions."""
    at = defaultdict(list)
    for term, pos, _start, end in tokens:
        at[pos].append((term, end))
    found = []
    for phrase in phrases:
        for term, pos, start, _end in tokens:
            if term != phrase[0]:
                continue
            ends = [next((e for t, e in at[pos + i] if t == word), None)
                    for i, word in enumerate(phrase[1:], 1)]
            if None not in ends:
                found.append((start, max(ends, default=_end)))
    return found


def merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching (start, end) spans merged into one, in text order."""
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def render(text: str, found: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """Escaped text[start:end] with the spans inside it in <mark>."""
    end = len(text) if end is None else end
    out, cursor = [], start
    for s, e in found:
        if s < start or e > end:
            continue
        out += [escape(text[cursor:s]), '<mark class="match">', escape(text[s:e]), "</mark>"]
        cursor = e
    out.append(escape(text[cursor:end]))
    return "".join(out)


def mark(text: str, marks: Marks) -> str:
    """All of `text`, escaped, with every match marked."""
    return render(text, spans(text, marks))


def mark_paragraphs(text: str, marks: Marks) -> list[str]:
    """The text's paragraphs (blank-line separated), each marked as by mark()."""
    return [mark(p, marks) for p in text.split("\n\n") if p.strip()]


def fragments(text: str, marks: Marks, top: int = TOP_FRAGMENTS) -> str:
    """The best `top` fragments around matches, in text order, or the text's start."""
    found = spans(text, marks)
    if not found:
        return lead(text)
    windows = sorted(candidate_windows(text, found), key=lambda w: (-w[2], w[0]))
    chosen: list[tuple[int, int, float]] = []
    for window in windows:
        if len(chosen) < top and all(window[1] <= c[0] or window[0] >= c[1] for c in chosen):
            chosen.append(window)
    pieces = [render(text, found, a, b) for a, b, _ in sorted(chosen)]
    html = f" {ELLIPSIS} ".join(p.strip() for p in pieces)
    first, last = min(c[0] for c in chosen), max(c[1] for c in chosen)
    if first > 0:
        html = f"{ELLIPSIS} {html}"
    if text[last:].strip(TRAILING):
        html = f"{html} {ELLIPSIS}"
    return html


def candidate_windows(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int, float]]:
    """One window per match: context before, as many following matches as fit, a score."""
    windows = []
    for i, (start, _end) in enumerate(found):
        a = word_start(text, max(0, start - SURROUND))
        inside = [f for f in found[i:] if f[1] - a <= FRAGMENT_CHARS]
        b = word_end(text, min(len(text), max(inside[-1][1] + SURROUND, a + FRAGMENT_CHARS)))
        words = {text[s:e].lower() for s, e in inside}
        windows.append((a, b, len(words) + 0.1 * len(inside)))
    return windows


def word_start(text: str, index: int) -> int:
    """Move `index` forward to the start of a word (or a sentence close before it)."""
    if index == 0:
        return 0
    sentence = text.rfind(". ", max(0, index - 40), index)
    if sentence != -1:
        return sentence + 2
    space = text.find(" ", index)
    return space + 1 if space != -1 else index


def word_end(text: str, index: int) -> int:
    """Move `index` back to the end of a word; keep the rest when only punctuation is left."""
    if not text[index:].strip(TRAILING):
        return len(text)
    space = text.rfind(" ", 0, index)
    return space if space > 0 else index


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The escaped start of a text, cut at a word boundary with … when longer."""
    if len(text) <= limit:
        return escape(text)
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return escape(cut) + " " + ELLIPSIS
