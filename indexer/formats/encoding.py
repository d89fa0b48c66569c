"""Bytes to text: byte-order mark, declared HTML/XML charset, UTF-8, then a guess."""

from __future__ import annotations

import codecs
import logging
import re

from bs4 import UnicodeDammit

from ..model import ParseResult

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", ""),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]
_DECLARED = re.compile(
    rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)|<\?xml[^>]*?encoding\s*=\s*[\"']([-\w.:]+)",
    re.IGNORECASE,
)
# UnicodeDammit logs replaced bytes to stderr without naming the file; _guess warns instead.
logging.getLogger("bs4.dammit").addFilter(
    lambda record: "could not be decoded" not in record.getMessage()
)
# As browsers do (WHATWG), treat latin-1 and ASCII labels as windows-1252.
_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _decode_bom(data: bytes, result: ParseResult) -> str | None:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            if label:
                result.warn(f"decoded as {label} (byte order mark)")
            if "\ufffd" in text:
                result.warn(f"invalid {label or 'UTF-8'} bytes replaced")
            return text
    return None


def _utf16_without_bom(data: bytes, result: ParseResult) -> str | None:
    sample = data[:4000]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if len(data) % 2 or len(sample) < 4 or max(odd, even) < len(sample) // 3 or min(odd, even):
        return None  # UTF-16 text that is mostly ASCII has NULs in every other byte only
    codec = "utf-16-le" if odd > even else "utf-16-be"
    result.warn("decoded as UTF-16 (guessed from NUL bytes, no byte order mark)")
    return data.decode(codec, errors="replace")


def _decode_declared(data: bytes, result: ParseResult) -> str | None:
    match = _DECLARED.search(data[:4096])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "replace")
    codec = _codec(label)
    if codec is None:
        result.warn(f"unknown declared charset {label!r} ignored")
        return None
    if codec.startswith(("utf-8", "utf-16", "utf-32")):
        return None  # an ASCII-readable declaration cannot be UTF-16/32: try UTF-8
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        codec, text = "latin-1", data.decode("latin-1")
    result.warn(f"decoded as {codec} (declared charset {label!r})")
    return text


def decode_bytes(data: bytes, result: ParseResult) -> str:
    """Decode a file's bytes, warning in result whenever the encoding is not plain UTF-8."""
    try:
        text = _decode_bom(data, result)
        if text is None:
            text = _decode_declared(data, result)
        if text is None:
            text = _utf16_without_bom(data, result)
        if text is None:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = _guess(data, result)
    except Exception as exc:  # noqa: BLE001 - decoding must never fail
        result.warn(f"decoding failed ({exc}); read as latin-1")
        text = data.decode("latin-1")
    return text.lstrip("\ufeff")


def _guess(data: bytes, result: ParseResult) -> str:
    dammit = UnicodeDammit(data, user_encodings=["cp1252"])
    if dammit.unicode_markup is None:
        result.warn("not UTF-8; decoded as latin-1")
        return data.decode("latin-1")
    replaced = ", undecodable bytes replaced" if dammit.contains_replacement_characters else ""
    result.warn(f"not UTF-8; decoded as {dammit.original_encoding}{replaced}")
    return dammit.unicode_markup
