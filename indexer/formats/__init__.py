"""Read interview files of every supported format into ParseResults.

Policy for files without pairs: text, Markdown and HTML files always yield exactly one
Interview (with whatever metadata was found) and, when it has no pairs, the warning
"no question/answer pairs found". JSON Lines files yield one Interview per (title, source)
group of valid lines, so a file without one valid line yields no Interview and that warning.
Empty files yield no Interview and the warning "empty file"; a file with an extension that is
not read (and content that is neither HTML nor JSON) yields the error "unrecognised format".
Nothing here raises for bad input: problems are reported in ParseResult.problems.
"""

from __future__ import annotations

import os

from ..model import ParseResult
from . import html as _html
from . import jsonl as _jsonl
from . import markdown as _markdown
from . import text as _text
from .detect import BY_SUFFIX
from .detect import detect_format
from .encoding import decode_bytes

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "decode_bytes",
    "detect_format",
    "parse_file",
    "parse_text",
    "unsupported_type",
]

MAX_FILE_BYTES = 50 * 1024 * 1024  # files larger are rejected with an error problem
SUPPORTED_SUFFIXES = frozenset(BY_SUFFIX)
_READ = ", ".join(sorted(SUPPORTED_SUFFIXES))
_PARSERS = {
    "text": _text.parse,
    "markdown": _markdown.parse,
    "html": _html.parse,
    "jsonl": _jsonl.parse,
}
NO_PAIRS = "no question/answer pairs found"
BINARY_SHARE = 0.05  # decoded text with more control characters than this is binary data
BINARY = "looks like binary data, not text (a PDF, an image or an archive?); skipped"
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


def parse_text(text: str, name: str, fmt: str | None = None) -> ParseResult:
    """Parse already-decoded text; name is used in messages and for the fallback title."""
    result = ParseResult(file=name)
    _parse_into(result, text, name, fmt)
    return result


def _parse_into(
    result: ParseResult, text: str, name: str, fmt: str | None, detect_name: str = ""
) -> None:
    binary = _looks_binary(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        result.warn("empty file")
        return
    fmt = fmt or detect_format(detect_name or name, text)
    if fmt not in _PARSERS:
        result.error(f"unrecognised format: {unsupported_type(detect_name or name)}; "
                     "HTML and JSON Lines are also read by their content")
        return
    if binary:
        result.error(BINARY)
        return
    result.format = fmt
    try:
        _PARSERS[fmt](text, name, result)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a corpus build
        result.error(f"could not parse as {fmt}: {type(exc).__name__}: {exc}")
        return
    if result.pair_count == 0:
        result.warn(NO_PAIRS)


def unsupported_type(name: str) -> str:
    """Why a file of this name is not read by its extension, listing the extensions read."""
    suffix = os.path.splitext(os.path.basename(name))[1].lower()
    kind = f"{suffix} files" if suffix else "files without an extension"
    return f"{kind} are not read as interviews (formats read: {_READ})"


def _looks_binary(text: str) -> bool:
    """Whether decoded text is really binary data: many control or replacement characters."""
    sample = text[:20_000]
    odd = sum(1 for c in sample if (c < " " and c not in _TEXT_CONTROLS) or c in "\x7f\ufffd")
    return odd > len(sample) * BINARY_SHARE


def parse_file(path: str | os.PathLike, display_name: str | None = None) -> ParseResult:
    """Read, size-check, decode, detect and parse one file; never raises for bad input."""
    name = display_name or str(path)
    result = ParseResult(file=name)
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            result.error(f"file is {size} bytes, over the {_limit()} size limit")
            return result
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        result.error(f"cannot read file: {exc.strerror or exc}")
        return result
    if len(data) > MAX_FILE_BYTES:
        result.error(f"file is over the {_limit()} size limit")
        return result
    if not data:
        result.warn("empty file")
        return result
    _parse_into(result, decode_bytes(data, result), name, None, os.fspath(path))
    return result


def _limit() -> str:
    mb, rest = divmod(MAX_FILE_BYTES, 1024 * 1024)
    return f"{mb} MB" if mb and not rest else f"{MAX_FILE_BYTES}-byte"
