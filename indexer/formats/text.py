"""Plain-text interviews.

Paragraphs are separated by blank lines; inside a block of lines, a line that starts with a
speaker label, a timestamp or a bullet starts a new paragraph, and when any line is long
(> 100 characters, i.e. the text is not hard-wrapped) every line is its own paragraph.
A first short line followed by a blank line (or by header lines only) is the title; header
lines such as "Published: March 3, 2024", "Source: https://..." or "By Jane Roe" are metadata.
Plain text may also start with `---` front matter. Every parse yields exactly one Interview
(possibly without pairs).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..model import Interview
from ..model import ParseResult
from ..model import normalize_space
from . import labels as L
from .meta import OUTLET
from .meta import UNREAD_DATE
from .meta import ambiguous_date
from .meta import meta_line
from .meta import parse_date
from .meta import split_front_matter
from .meta import title_from_filename
from .meta import unread_date
from .names import cue_name
from .names import full_name
from .names import names_person
from .names import title_name
from .turns import Block
from .turns import Turns
from .turns import detect

BULLET_RE = re.compile(r"^\s*[-•*–·▪◦‣]\s+(?=\S)")
_WRAP_LIMIT = 100


def chunks(text: str) -> list[list[str]]:
    """Runs of non-blank lines."""
    out: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return [c for c in out if c]


def starts_paragraph(line: str) -> bool:
    """Does a line open a new paragraph even without a blank line before it?"""
    return bool(
        BULLET_RE.match(line) or L.TIMESTAMP_RE.match(line) or L.find_label(line, strict=False)
    )


def paragraphs(chunk: list[str], starts: Callable[[str], bool] = starts_paragraph) -> list[str]:
    """Split one run of lines into paragraphs, each with single spaces."""
    one_per_line = any(len(line) > _WRAP_LIMIT for line in chunk)
    paras: list[list[str]] = []
    for line in chunk:
        if one_per_line or not paras or starts(line):
            paras.append([line])
        else:
            paras[-1].append(line)
    return [normalize_space(" ".join(p)) for p in paras]


def block_for(text: str) -> Block:
    """A Block for a plain paragraph: bullets become list items without their marker."""
    bullet = BULLET_RE.match(text)
    return Block(text[bullet.end() :], "li") if bullet else Block(text)


def is_title_line(line: str, body: str) -> bool:
    """A short first line that is not a label, bullet, note, question or metadata line."""
    line = normalize_space(line)
    if len(line) > 150 or len(line.split()) > 20 or line.endswith((".", ":", ";", ",", "?")):
        return False
    if BULLET_RE.match(line) or L.TIMESTAMP_RE.match(line) or L.EDITOR_NOTE_RE.match(line):
        return False
    found = L.find_label(line)
    if found and (L.canon(found[0]) in L.GENERIC_WORDS or body.count(found[0] + ":") > 1):
        return False
    return meta_line(line, body) is None


def split_heading(
    runs: list[list[str]], body: str, clean: Callable[[str], str] = normalize_space
) -> list[list[str]]:
    """Split a first run of a title line above header lines ('Date: ...', 'By ...') by line."""
    head = runs[0] if runs else []
    if len(head) > 1 and is_title_line(clean(head[0]), body) and all(
        meta_line(clean(line), body) for line in head[1:]
    ):
        return [[line] for line in head] + runs[1:]
    return runs


def take_meta_lines(
    blocks: list[Block], body: str, meta: dict[str, str], result: ParseResult
) -> list[Block]:
    """Remove header metadata paragraphs from the first few blocks, filling meta. A byline
    counts only above the first block that asks or speaks (a question, a bold line, a
    speaker label): below one, "By MRI." is its answer; below a title or standfirst it is
    the byline."""
    kept: list[Block] = []
    header = True  # no block that asks or speaks yet
    for i, block in enumerate(blocks):
        is_meta = i < 8 and block.kind == "p"
        found = meta_line(block.text, body, byline=header) if is_meta else None
        if not found:
            kept.append(block)
            header = header and i < 8 and not asks_or_speaks(block)
        else:
            use_meta_line(found, block.text, meta, result)
    return kept


def use_meta_line(found: tuple[str, str], text: str, meta: dict[str, str],
                  result: ParseResult) -> None:
    """Fill meta from what meta_line found in a header line (`text`) unless a value came
    first; a date it cannot read is named in a warning. The date of a byline or of a
    "Published ... in Blood" line is read even when the author or outlet came first (from an
    author <meta>, or an author element inside the byline)."""
    field, value = found
    if field == UNREAD_DATE:
        result.warn(unread_date(value))
    elif not meta.get(field):
        meta[field] = value
        if field == "date":
            warn_ambiguous_date(text, result)
    if field in ("author", OUTLET) and (day := parse_date(text)):
        # the date of "By Jane Roe | March 3, 2024" or "Published 4 June 2024 in Blood":
        # the line leaves the summary, so its date must not be lost with it
        use_meta_line(("date", day), text, meta, result)


def asks_or_speaks(block: Block) -> bool:
    """Does a block open the interview (a question, a bold line, a speaker label)? A heading
    is no speaker: "# Treating T-cell ALL: a conversation" is a title with a colon."""
    label = block.kind != "h" and L.find_label(block.text)
    return bool(L.is_question(block.text) or block.bold or label)


def warn_ambiguous_date(text: str, result: ParseResult) -> None:
    """Warn when the date read from text could also be read with day and month swapped."""
    note = ambiguous_date(text)
    if note:
        result.warn(note)


def front_meta(text: str, result: ParseResult) -> tuple[dict[str, str], str]:
    """Front matter fields (date as ISO) and the text after it."""
    meta, rest = split_front_matter(text)
    if meta.get("date"):
        iso = parse_date(meta["date"])
        if not iso:
            result.warn(f"unrecognised date in front matter: {meta['date']!r}")
        warn_ambiguous_date(meta["date"], result)
        meta["date"] = iso
    return meta, rest


def to_interview(turns: Turns, fmt: str, name: str, meta: dict[str, str],
                 context: str = "") -> Interview:
    """An Interview from detected turns; explicit metadata wins over what was detected.
    `context` is more text that may name the interviewee (an HTML page's description)."""
    iv = Interview(
        interviewer=turns.interviewer,
        interviewee=turns.interviewee,
        summary=turns.summary,
        bio=turns.bio,
        pairs=turns.pairs,
        format=fmt,
        method=turns.method,
    )
    for key in ("title", "interviewee", "interviewer", "date", "source", "summary", "bio"):
        if meta.get(key):
            setattr(iv, key, meta[key])
    if not meta.get("interviewee"):
        name_interviewee(iv, [iv.title, iv.summary, context])
    iv.interviewer = (iv.interviewer or asking_author(meta.get("author", ""), iv.interviewee)
                      or meta.get(OUTLET, ""))  # the outlet when nobody named asks
    iv.title = iv.title or title_from_filename(name)
    for pair in iv.pairs:
        if not pair.asker or L.canon(pair.asker) in L.GENERIC_WORDS:
            pair.asker = iv.interviewer
        if not pair.answerer or L.canon(pair.answerer) in L.GENERIC_WORDS:
            pair.answerer = iv.interviewee
    return iv


def asking_author(author: str, interviewee: str) -> str:
    """The author of the page as the interviewer, unless the author is the interviewee (an
    expert's own Q&A page, "By Dr. Ana Ruiz" above her answers): then nobody known asks."""
    parties = [x for x in interviewee.split(", ") if x]
    return "" if any(names_person(author, party) for party in parties) else author


def name_interviewee(iv: Interview, texts: list[str]) -> None:
    """Surname labels ("Klein:", "DR. NAIR:") become the full name the title or intro gives
    (the first question too: a host introduces the guest); with labels that name nobody
    (Q:/A:, or none) the person the title names ("... an interview with Dr. X", "Dr. X
    answers ...") or the intro does ("An interview with Dr. X on ...") is the interviewee.
    The pairs' answerers follow, so a citation names the person in full."""
    texts = texts + [iv.pairs[0].question] if iv.pairs else texts
    parties = [x for x in iv.interviewee.split(", ") if x]
    labels = {x for x in parties + [p.answerer for p in iv.pairs] if x}
    names = {label: full_name(label, texts) for label in labels}
    iv.interviewee = (", ".join(dict.fromkeys(names[x] for x in parties))
                      or title_name(iv.title)
                      or next(filter(None, map(cue_name, texts[1:])), ""))
    for pair in iv.pairs:
        pair.answerer = names.get(pair.answerer, pair.answerer)


def parse(text: str, name: str, result: ParseResult) -> None:
    """Parse a plain-text interview into result."""
    meta, text = front_meta(text, result)
    runs = split_heading(chunks(text), text)
    if runs and len(runs[0]) == 1 and is_title_line(runs[0][0], text):
        meta.setdefault("title", normalize_space(runs.pop(0)[0]))
    blocks = [block_for(p) for run in runs for p in paragraphs(run)]
    blocks = take_meta_lines(blocks, text, meta, result)
    result.interviews.append(to_interview(detect(blocks), "text", name, meta))
