"""The shared turn detector: paragraphs ("blocks") in, question/answer pairs out.

Methods, tried in order, first one yielding pairs wins:
speaker-labels / qa-labels, headings, definition-list, bold-questions, question-paragraphs.
Editor's notes and text before the first question become the summary; a trailing
name + bullet list (or an "About ..." section) becomes the bio and never joins an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

from ..model import QAPair
from . import labels as L
from .bio import ABOUT_RE
from .bio import split_bio


@dataclass
class Block:
    """One paragraph-like unit of a document, markup already removed."""

    text: str
    kind: str = "p"  # p | h (heading) | li (list item) | dt | dd
    level: int = 0  # heading level
    bold: bool = False  # the whole block is bold


@dataclass
class Turns:
    """What the detector found in a list of blocks."""

    pairs: list[QAPair] = field(default_factory=list)
    summary: str = ""
    bio: str = ""
    interviewer: str = ""
    interviewee: str = ""
    method: str = ""


@dataclass
class _Draft:
    question: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    asker: str = ""
    answerer: str = ""


@dataclass
class _Found:
    method: str
    pre: list[str] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)
    askers: list[str] = field(default_factory=list)
    answerers: list[str] = field(default_factory=list)


def detect(blocks: list[Block]) -> Turns:
    """Find the pairs, summary, bio and the two parties in a document's blocks. An editor's
    line about editing ("This interview has been edited for length and clarity.") is
    dropped: set under the last answer, it was read as its end."""
    blocks = [replace(b, text=text) for b in blocks if (text := L.without_edit_note(b.text))]
    notes = [L.EDITOR_NOTE_RE.sub("", b.text, count=1) for b in blocks if _is_note(b)]
    blocks = [b for b in blocks if not _is_note(b)]
    blocks, bio, bio_name = split_bio(blocks)
    found = None
    for method in (_by_labels, _by_headings, _by_definitions, _by_bold, _by_question_paras):
        found = method(blocks)
        if found and any(any(d.answer) for d in found.drafts):
            break
    else:
        found = _Found("", pre=[b.text for b in blocks if b.kind != "h"][:1])
    pairs = [p for p in map(_to_pair, found.drafts) if p.question and p.answer]
    interviewee = _names(found.answerers)
    if not interviewee and bio_name and not ABOUT_RE.match(bio_name):
        interviewee = bio_name
    summary = "\n\n".join(t for t in notes + found.pre if t)
    return Turns(pairs, summary, bio, _names(found.askers), interviewee, found.method)


def _is_note(block: Block) -> bool:
    return bool(L.EDITOR_NOTE_RE.match(block.text))


def _names(labels: list[str]) -> str:
    names = [x for x in labels if x and L.canon(x) not in L.GENERIC_WORDS]
    return ", ".join(dict.fromkeys(names))


def _to_pair(draft: _Draft) -> QAPair:
    question = " ".join(q for q in draft.question if q)
    answer = "\n\n".join(a for a in draft.answer if a)
    return QAPair(question, answer, draft.asker, draft.answerer)


def _question_block(block: Block) -> bool:
    return (block.kind == "h" or block.bold) and L.is_question(block.text)


def _label_entries(blocks: list[Block]) -> list[tuple[str | None, str, Block]]:
    # list items are never labelled turns (a bio's "Director: ..." lines)
    labels = [L.find_label(b.text) if b.kind != "li" else None for b in blocks]
    speakers = L.choose_speakers([found for found, b in zip(labels, blocks, strict=True)
                                  if b.kind != "li"])
    spelling: dict[str, str] = {}  # identity key -> first spelling seen
    entries: list[tuple[str | None, str, Block]] = []
    for block, found in zip(blocks, labels, strict=True):
        if found and L.ident(found[0]) in speakers:
            label = spelling.setdefault(L.ident(found[0]), found[0])
            entries.append((label, found[1], block))
        else:
            entries.append((None, block.text, block))
    return entries


def _speaker_turns(entries: list[tuple[str | None, str, Block]]) -> list[tuple[str, str, int]]:
    turns: list[tuple[str, str, int]] = []
    for label, body, _block in entries:
        if label and (not turns or turns[-1][0] != label):
            turns.append((label, body, len(body)))
        elif turns:
            turns[-1] = (turns[-1][0], body, turns[-1][2] + len(body))
    return turns


def _by_labels(blocks: list[Block]) -> _Found | None:
    entries = _label_entries(blocks)
    askers = L.choose_askers(_speaker_turns(entries))
    asks = [(label in askers) if label else _question_block(b) for label, _, b in entries]
    if not any(asks) or not any(label for label, _, _ in entries):
        return None
    nxt = _answer_ahead(entries, asks)
    qa = all(L.canon(a) in L.QA_WORDS for a in askers) and askers
    found = _Found("qa-labels" if qa else "speaker-labels")
    cur: _Draft | None = None
    for (label, body, block), ask, answer_next in zip(entries, asks, nxt, strict=True):
        if ask:
            if cur is None or cur.answer:
                cur = _Draft()
                found.drafts.append(cur)
            cur.question.append(body)
            cur.asker = cur.asker or (label or "")
            found.askers.append(label or "")
        elif cur is None:
            found.pre.extend([block.text] if block.kind != "h" else [])
        elif label is None and not cur.answer and answer_next:
            cur.question.append(body)  # the question runs on until the labelled answer
        else:
            _add_answer(found, cur, label, body)
    return found


def _answer_ahead(entries: list[tuple[str | None, str, Block]], asks: list[bool]) -> list[bool]:
    """For each entry: is the next labelled (or question) entry after it an answer?"""
    ahead, upcoming = [False] * len(entries), False
    for i in range(len(entries) - 1, -1, -1):
        ahead[i] = upcoming
        if entries[i][0] or asks[i]:
            upcoming = not asks[i]
    return ahead


def _add_answer(found: _Found, cur: _Draft, label: str | None, body: str) -> None:
    if label and cur.answerer and label != cur.answerer:
        body = f"{label}: {body}"  # a second answering party keeps its name
    cur.answerer = cur.answerer or (label or "")
    cur.answer.append(body)
    found.answerers.append(label or "")


def _by_markers(blocks: list[Block], method: str, is_q, is_stop=None) -> _Found:
    found, cur = _Found(method), None
    for block in blocks:
        if is_q(block):
            if cur is None or cur.answer:
                cur = _Draft()
                found.drafts.append(cur)
            cur.question.append(block.text)
        elif cur is not None and is_stop and is_stop(block):
            cur = None
        elif cur is not None:
            cur.answer.append(block.text)
        elif not found.drafts and block.kind != "h":
            found.pre.append(block.text)
    return found


def _by_headings(blocks: list[Block]) -> _Found | None:
    levels = [b.level for b in blocks if b.kind == "h" and L.is_question(b.text)]
    if not levels:
        return None
    top = min(levels)
    return _by_markers(
        blocks,
        "headings",
        lambda b: b.kind == "h" and L.is_question(b.text),
        lambda b: b.kind == "h" and b.level <= top,
    )


def _by_definitions(blocks: list[Block]) -> _Found | None:
    terms = [b for b in blocks if b.kind == "dt"]
    if not terms or 2 * sum(L.is_question(b.text) for b in terms) < len(terms):
        return None
    return _by_markers(
        blocks, "definition-list", lambda b: b.kind == "dt", lambda b: b.kind not in ("dd", "dt")
    )


def _by_bold(blocks: list[Block]) -> _Found | None:
    if not any(b.bold and b.kind == "p" and L.is_question(b.text) for b in blocks):
        return None
    return _by_markers(blocks, "bold-questions", lambda b: b.bold and L.is_question(b.text))


def _by_question_paras(blocks: list[Block]) -> _Found | None:
    def is_q(block: Block) -> bool:
        return block.kind == "p" and len(block.text) <= 300 and L.is_question(block.text)

    starts = [i for i, b in enumerate(blocks[:-1]) if is_q(b) and not is_q(blocks[i + 1])]
    return _by_markers(blocks, "question-paragraphs", is_q) if len(starts) >= 2 else None
