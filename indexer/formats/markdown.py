"""Markdown interviews: front matter, headings, lists, bold labels; markup stripped, text kept.

Front matter (`---` ... `---` with `key: value` lines) overrides detected metadata. A leading
`# Title` (or a first short line followed by a blank line) is the title. `## Question?`
headings work like HTML headings; `**Name:**`, `**Name**:` and `__Q:__` are speaker labels.
Every parse yields exactly one Interview (possibly without pairs).
"""

from __future__ import annotations

import html
import re

from ..model import ParseResult
from ..model import normalize_space
from . import labels as L
from . import text as T
from .turns import Block
from .turns import detect

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_HR = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")
_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?=\S)")
_QUOTE = re.compile(r"^(?:\s{0,3}>\s?)+")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_INLINE = [
    (re.compile(r"!\[([^\]]{0,300})\]\((?:[^()]|\([^()]{0,200}\)){0,1000}\)"), r"\1"),
    (re.compile(r"\[([^\]]{1,300})\]\((?:[^()]|\([^()]{0,200}\)){0,1000}\)"), r"\1"),
    (re.compile(r"\[([^\]]{1,300})\]\[[^\]]{0,100}\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"`+([^`]{1,300}?)`+"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.{1,300}?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.{1,300}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.{1,300}?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(.{1,300}?)~~"), r"\1"),
    (re.compile(r"</?[A-Za-z][\w-]{0,30}(?:\s[^<>]{0,1000})?/?>"), ""),
]
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>])")
# Raw HTML whose content is not text (a page would run or apply it): dropped with its content.
_RAW_OPEN = re.compile(r"<(script|style|template|noscript)\b[^<>]{0,1000}>", re.IGNORECASE)
_PRIVATE = 0xE000  # escaped characters are parked in the private-use area while markup is removed


def strip_inline(text: str) -> str:
    """Remove Markdown emphasis, links, code and inline HTML, keeping the words."""
    text = _ESCAPED.sub(lambda m: chr(_PRIVATE + ord(m[1])), text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m[0]) - _PRIVATE), text)
    return normalize_space(html.unescape(text))


def _clean_lines(text: str) -> list[str]:
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            out.append("")
        elif fenced:
            out.append(line)
        elif _SETEXT.match(line) and out and out[-1].strip() and not _LIST.match(out[-1]):
            out[-1] = ("# " if "=" in line else "## ") + out[-1].strip()
            out.append("")
        elif _HR.match(line) or _REFDEF.match(line):
            out.append("")
        else:
            line = _QUOTE.sub("", line)
            out.extend([line, ""] if _HEADING.match(line) else [line])
    return out


def _starts(line: str) -> bool:
    return bool(_HEADING.match(line) or _LIST.match(line) or T.starts_paragraph(strip_inline(line)))


def _is_bold(raw: str) -> bool:
    raw = raw.strip()
    return any(
        raw.startswith(m) and raw.endswith(m) and len(raw) > 4 and m not in raw[2:-2]
        for m in ("**", "__")
    )


def _block(raw: str) -> Block:
    heading = _HEADING.match(raw)
    if heading:
        inner = heading[2]
        return Block(strip_inline(inner), "h", len(heading[1]), _is_bold(inner))
    item = _LIST.match(raw)
    if item:
        return Block(strip_inline(raw[item.end() :]), "li")
    return Block(strip_inline(raw), "p", bold=_is_bold(raw))


def _take_title(blocks: list[Block], first_run: list[str], body: str) -> str:
    if not blocks:
        return ""
    first = blocks[0]
    h1_questions = [b for b in blocks if b.kind == "h" and b.level == 1 and L.is_question(b.text)]
    if first.kind == "h" and first.level == 1 and len(h1_questions) < 2:
        return blocks.pop(0).text
    if len(first_run) == 1 and first.kind == "p" and T.is_title_line(first.text, body):
        return blocks.pop(0).text
    return ""


def _drop_raw_code(text: str) -> str:
    """Remove <script>, <style>, <template> and <noscript> elements with their content (in
    linear time: an element that is never closed keeps its content, its tags go later)."""
    out, pos, unclosed = [], 0, set()
    for found in _RAW_OPEN.finditer(text):
        tag = found[1].lower()
        if found.start() < pos or tag in unclosed:
            continue
        close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(text, found.end())
        if close is None:
            unclosed.add(tag)
            continue
        out.append(text[pos:found.start()])
        pos = close.end()
    return "".join(out) + text[pos:]


def parse(text: str, name: str, result: ParseResult) -> None:
    """Parse a Markdown interview into result."""
    meta, text = T.front_meta(text, result)
    text = _drop_raw_code(text)
    runs = T.split_heading(T.chunks("\n".join(_clean_lines(text))), text, strip_inline)
    blocks = [_block(p) for run in runs for p in T.paragraphs(run, _starts)]
    blocks = [b for b in blocks if b.text]
    blocks = T.take_meta_lines(blocks, text, meta, result)
    title = _take_title(blocks, runs[0] if runs else [], text)
    if title:
        meta.setdefault("title", title)
    result.interviews.append(T.to_interview(detect(blocks), "markdown", name, meta))
