"""Trailing biographies: name line + bullets, a bio-like bullet list, an "About ..." section."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .turns import Block

ABOUT_RE = re.compile(
    r"^(?:(?i:about\s+(?:the\s+)?(?:authors?|experts?|interviewee|speaker|guest|doctor)\b)"
    r"|(?:About|ABOUT)\s+(?:Dr\.?\s+|Prof\.?\s+|Professor\s+)?[A-Z][\w'’-]+\s+[A-Z]"
    r"|(?i:biography|bio|author bio|speaker bio|expert profile)\b)"
)
_BIO_WORDS = re.compile(
    r"professor|director|chair|chief|member|president|fellow|physician|surgeon|editor|"
    r"universit|hospital|institute|society|committee|association|college|school|founder|"
    r"head of|dean|consultant|scientist|researcher|award|board|academy|\bm\.?d\b|ph\.?d",
    re.IGNORECASE,
)
# Titles before a name (Dr. Sarah Klein), a regex alternation shared with names.py
HONORIFICS = r"dr|prof|professor|mr|mrs|ms|mx"
# Degrees after a name (He Huang, MD), a regex alternation shared with names.py
CREDENTIALS = (r"md|m\.d\.|phd|ph\.d\.|do|mbbs|mph|rn|np|frcp|frcpc|facp|facs|mba|ms|msc|"
               r"pharmd")
_TITLE_WORDS = re.compile(rf"^(?:{HONORIFICS})\.?\s|,?\s(?:{CREDENTIALS})\b", re.IGNORECASE)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "la", "le", "bin", "al", "and"}


def is_name_line(text: str) -> bool:
    """Does a short line look like a person's name ('Dr. He Huang', 'He Huang, MD')?"""
    text = text.strip()
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= 8 or len(text) > 80 or text.endswith((":", "?", "!", ";")):
        return False
    if text.endswith(".") and not re.search(r"(?:\b[A-Z]\.|\bDr\.|\bJr\.|\bSr\.)$", text):
        return False
    return all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


def _bio_like(lines: list[str]) -> bool:
    return 3 * sum(bool(_BIO_WORDS.search(t)) for t in lines) >= 2 * len(lines)


def split_bio(blocks: list[Block]) -> tuple[list[Block], str, str]:
    """(blocks without the trailing bio, bio text with one line per item, the bio's name line)."""
    start = len(blocks)
    while start and blocks[start - 1].kind == "li":
        start -= 1
    bullets = [b.text for b in blocks[start:]]
    head = blocks[start - 1].text if start else ""
    if bullets and ABOUT_RE.match(head):
        return blocks[: start - 1], "\n".join(bullets), head
    if bullets and is_name_line(head) and (_TITLE_WORDS.search(head) or _bio_like(bullets)):
        return blocks[: start - 1], "\n".join(bullets), head
    if len(bullets) >= 2 and _bio_like(bullets):
        return blocks[:start], "\n".join(bullets), ""
    return _split_about(blocks)


def _split_about(blocks: list[Block]) -> tuple[list[Block], str, str]:
    for i in range(len(blocks) - 1, max(-1, len(blocks) - 30), -1):
        block = blocks[i]
        if block.kind == "h" and ABOUT_RE.match(block.text):
            rest = [b.text for b in blocks[i + 1 :]]
            return blocks[:i], "\n".join(rest), block.text
        if block.kind == "h":
            break
    return blocks, "", ""
