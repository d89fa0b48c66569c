"""Which parser a file needs: by extension, corrected by content.

A file with none of the extensions below is read only when its content is HTML or JSON."""

from __future__ import annotations

import json
import os
import re

BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_BINARY = set(
    ".pdf .doc .docx .odt .rtf .xls .xlsx .ppt .pptx .png .jpg .jpeg .gif .webp .svg .ico "
    ".zip .gz .tgz .bz2 .xz .7z .tar .exe .dll .so .bin .mp3 .mp4 .wav .mov .avi .woff .woff2 "
    ".ttf .otf .pyc .sqlite .db".split()
)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(r"<(?:head|body|p|div|article|main|h[1-6]|dl|ul|title)\b[^>]*>", re.I)


def _first_line(text: str) -> str:
    for line in text.split("\n", 50)[:50]:
        if line.strip():
            return line.strip()
    return ""


def _is_json_record(line: str) -> bool:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict)


def _looks_like_jsonl(text: str) -> bool:
    """Does text that has a plain-text extension really hold JSON records of pairs?"""
    start = text.lstrip()[:1]
    if start == "[":
        return _json_array(text)
    line = _first_line(text)
    return start == "{" and _is_json_record(line) and '"question"' in line and '"answer"' in line


def detect_format(name: str, text: str) -> str | None:
    """'text', 'markdown', 'html' or 'jsonl' from the file name and content; None if unknown."""
    suffix = os.path.splitext(str(name))[1].lower()
    if suffix in _BINARY:
        return None
    known = BY_SUFFIX.get(suffix)
    if known == "jsonl":
        return known
    if _HTML_START.match(text):
        return "html"
    if known in ("text", "markdown") and _looks_like_jsonl(text):
        return "jsonl"
    if known == "html" and "<" not in text:
        return "text"
    if known:
        return known
    if text.lstrip().startswith("<") and _HTML_TAG.search(text[:5000]):
        return "html"
    if _is_json_record(_first_line(text)) or (text.lstrip()[:1] == "[" and _json_array(text)):
        return "jsonl"
    return None


def _json_array(text: str) -> bool:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)
