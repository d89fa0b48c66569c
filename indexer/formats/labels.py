"""Speaker labels at the start of a paragraph ("Dr. He Huang:", "[00:01:12] HOST:", "Q.")."""

from __future__ import annotations

import re
from collections import Counter

_TS = r"(?:\[\d{1,2}(?::\d{2}){1,2}\]|\(\d{1,2}(?::\d{2}){1,2}\)|\d{1,2}(?::\d{2}){1,2})"
_LABEL_RE = re.compile(
    rf"^\s*(?P<ts>{_TS}\s*[-–—]?\s*)?"
    r"(?P<label>[^\W\d_][\w .,'’&()/–—-]{0,79})[:：](?=\s|$)\s*"
)
_QDOT_RE = re.compile(rf"^\s*(?P<ts>{_TS}\s*)?(?P<label>[QA])[.)]\s+")
TIMESTAMP_RE = re.compile(rf"^\s*{_TS}\s*[-–—]?\s*")
EDITOR_NOTE_RE = re.compile(
    r"^\s*(?:editor[’'`]?s?[’'`]?\s+note|editorial\s+note|ed\.\s*note|note\s+from\s+the\s+editor)"
    r"\s*[:：.\-–—]\s*",
    re.IGNORECASE,
)
# The editor's line under an interview ("This interview has been edited for length and
# clarity.", "(Condensed and edited for clarity.)"): about the text, no part of an answer
_EDITED_WHY = r"(?:length|clarity|brevity|space|style|readability)"
_EDITED_RE = re.compile(
    r"[\W_]*(?:(?:this|the|our)\s+)?"
    r"(?P<what>(?:interview|conversation|transcript|discussion|exchange|q\s*&\s*a|text"
    r"|responses?|answers?)\s+)?"
    r"(?:(?:has|have)\s+been\s+|(?:was|were|is|are)\s+)?(?:(?:lightly|slightly)\s+)?"
    r"(?P<how>edited|condensed)(?:\s+and\s+(?:(?:lightly|slightly)\s+)?(?:edited|condensed))?"
    rf"(?P<why>\s+for\s+{_EDITED_WHY}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_EDITED_WHY})*)?"
    r"[\W_]*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

ASKER_WORDS = {"q", "question", "interviewer", "host", "moderator", "reporter", "journalist"}
ANSWER_WORDS = {"a", "answer", "interviewee", "guest", "respondent"}
QA_WORDS = {"q", "question", "a", "answer"}
GENERIC_WORDS = ASKER_WORDS | ANSWER_WORDS
_NOT_SPEAKERS = set(
    "note notes nb n.b background source sources date published posted updated disclosure "
    "disclosures disclaimer reference references keywords keyword tags tag tip tips example "
    "examples summary conclusion conclusions abstract photo image caption credit credits warning "
    "important update correction transcript title by author url link website email e-mail tel "
    "phone fax address objective objectives method methods result results purpose step figure "
    "table pros cons bio biography introduction intro takeaways first second third finally".split()
) | {
    "editor's note",
    "editors note",
    "editor note",
    "editorial note",
    "read more",
    "see also",
    "key points",
    "key takeaways",
    "bottom line",
    "for example",
    "in other words",
    "in summary",
}


def canon(label: str) -> str:
    """A comparison key for a label: lower case, no trailing digits or dots, plain apostrophes."""
    key = label.lower().replace("’", "'").replace("`", "'")
    return re.sub(r"[\s.]*\d*[\s.]*$", "", key).strip()


def ident(label: str) -> str:
    """An identity key for a speaker: case and spacing ignored ("DR. SMITH" == "Dr. Smith")."""
    return " ".join(label.replace("’", "'").split()).casefold()


def valid_label(label: str, strict: bool = True) -> bool:
    """Is a prefix ending in ':' short and name-like enough to be a speaker label?"""
    words = label.split()
    if not words or len(words) > 8 or len(label) > 80 or not label[0].isupper():
        return False
    long_lower = sum(1 for w in words if w[0].islower() and len(w) > 3)
    return long_lower <= 1 and not (strict and canon(label) in _NOT_SPEAKERS)


def find_label(text: str, strict: bool = True) -> tuple[str, str, bool] | None:
    """(label, rest of the paragraph, has_timestamp) when text starts with a plausible label.

    strict=False also accepts non-speaker prefixes such as "Note:" or "Source:".
    """
    match = _QDOT_RE.match(text) or _LABEL_RE.match(text)
    if not match:
        return None
    label = match["label"].strip(" -–—")
    if match.re is _LABEL_RE and not valid_label(label, strict):
        return None
    return label, text[match.end() :].strip(), bool(match["ts"])


def is_question(text: str) -> bool:
    """Does the text end with a question mark (ignoring closing quotes and brackets)?"""
    return text.rstrip(" \"'”’)]*_").endswith(("?", "？"))


def choose_speakers(labels: list[tuple[str, str, bool] | None]) -> set[str]:
    """Identity keys of the labels that name real speakers: Q/A-style, timestamped, recurring.
    `labels` are the paragraphs' labels in order (:func:`find_label`; None: no label)."""
    counts: Counter[str] = Counter()
    accepted: set[str] = set()
    for found in labels:
        if not found:
            continue
        label, _rest, stamped = found
        label = ident(label)
        counts[label] += 1
        if stamped or canon(label) in GENERIC_WORDS:
            accepted.add(label)
    accepted |= {label for label, n in counts.items() if n >= 2}
    if "a" in accepted and not any(canon(x) == "q" for x in accepted):
        accepted.discard("a")  # "A." alone is more likely an initial than an answer marker
    return accepted | answering_names(labels, accepted) | one_exchange(labels)


NAME_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "del", "du", "le", "la", "al",
                  "bin", "ibn", "y"}


def answering_names(labels: list[tuple[str, str, bool] | None], accepted: set[str]) -> set[str]:
    """Identity keys of names labelling the reply to an accepted asker ("Host:", "Q:"), seen
    only once: the interviewee of a one-question interview ("Host: ...?" / "Dr. Blood: ...").
    `labels` are the paragraphs' labels in order (:func:`find_label`). Only a name qualifies
    (each word capitalised, but for particles such as "van"), so that "Short answer: yes"
    stays answer text."""
    found: set[str] = set()
    awaiting = False  # an asker's turn was the last labelled paragraph
    for match in labels:
        if not match:
            continue
        label = ident(match[0])
        if label in accepted:
            awaiting = canon(label) in ASKER_WORDS
            continue
        if awaiting and is_name(match[0]):
            found.add(label)
        awaiting = False
    return found


def is_name(label: str) -> bool:
    """A short label with every word capitalised but for particles ("Dr. Lena Fischer",
    "Oncology View", "Prof. Maria van der Berg"), not a phrase ("Short answer", "Why it
    matters")."""
    words = label.split()
    return len(words) <= 5 and all(w[0].isupper() or w in NAME_PARTICLES for w in words)


def one_exchange(labels: list[tuple[str, str, bool] | None]) -> set[str]:
    """Identity keys of the two parties of a one-question interview with named speakers
    ("Oncology View: ...?" / "Dr. Lena Fischer: ..."). A label seen once is no speaker by
    itself (prose has "Note: ..."), and a one-question interview repeats no label, so this
    asks for exactly two labelled paragraphs, both names, the first a question, the second
    not."""
    found = [match for match in labels if match]
    if len(found) != 2:
        return set()
    (asker, question, _), (answerer, answer, _) = found
    names = is_name(asker) and is_name(answerer) and ident(asker) != ident(answerer)
    asked = is_question(question) and bool(answer) and not is_question(answer)
    return {ident(asker), ident(answerer)} if names and asked else set()


def choose_askers(turns: list[tuple[str, str, int]]) -> set[str]:
    """Which speakers ask: Q/HOST-style labels, else those whose turns end with '?'."""
    labels = {label for label, _, _ in turns}
    generic = {label for label in labels if canon(label) in ASKER_WORDS}
    if generic:
        return generic
    candidates = {label for label in labels if canon(label) not in ANSWER_WORDS}
    asked: Counter[str] = Counter(label for label, text, _ in turns if is_question(text))
    count: Counter[str] = Counter(label for label, _, _ in turns)
    length: Counter[str] = Counter()
    for label, _, size in turns:
        length[label] += size
    ratio = {label: asked[label] / count[label] for label in candidates}
    best = max(ratio.values(), default=0.0)
    if best >= 0.5:
        askers = {label for label in candidates if ratio[label] >= 0.5}
    elif best > 0:
        askers = {label for label in candidates if ratio[label] == best}
    else:
        askers = set(candidates) if len(labels) >= 2 else set()
    if len(askers) >= 2 and askers == labels:  # everybody asks: keep the terser party
        askers = {min(askers, key=lambda x: length[x] / count[x])}
    return askers


def is_edit_note(text: str) -> bool:
    """Whether text is only an editor's line about editing the interview ("This interview has
    been edited for length and clarity."; not an answer's "It was edited for length.")."""
    found = _EDITED_RE.fullmatch(text)
    return bool(found) and bool(found["what"] or found["why"] or found["how"] == "condensed")


def without_edit_note(text: str) -> str:
    """Text without an editor's line about editing (:func:`is_edit_note`) as its last
    sentence: the line is often set right under the last answer, in its paragraph."""
    ends = list(_SENTENCE_END.finditer(text))
    if ends and is_edit_note(text[ends[-1].end():]):
        return text[:ends[-1].start()]
    return "" if is_edit_note(text) else text
