"""JSON Lines (and JSON arrays) of {question, answer, ...} records.

Optional string fields: id, title, source, url, interviewee, interviewer, date, summary, bio
(null counts as absent; a numeric id is accepted). All valid records are grouped by
(title, source) in order of first appearance, or (url, source) for records without a title;
each group is one Interview whose key is its title (else its url), or "key [source]" when the
same key occurs with several sources, so keys stay unique within the file. A broken record is
skipped with a warning naming its line (or array item); the rest of the file is still parsed.
No valid record means no Interview.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

from ..model import Interview
from ..model import ParseResult
from ..model import QAPair
from ..model import normalize_space
from .meta import ambiguous_date
from .meta import parse_date
from .meta import title_from_filename
from .meta import unread_date

_FIELDS = ("id", "title", "source", "url", "interviewee", "interviewer", "date", "summary", "bio")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def normalize_answer(text: str) -> str:
    """Single spaces inside paragraphs; blank-line paragraph breaks kept as '\\n\\n'.

    str.split() cuts at runs of the white space that \\s matches (no-break spaces included)
    and is several times faster than a regex substitution that rewrites every space.
    """
    if "\n" not in text:
        return " ".join(text.split())
    paras = (" ".join(p.split()) for p in _BLANK_LINE.split(text))
    return "\n\n".join(p for p in paras if p)


def _problem(obj: object) -> str | None:
    if not isinstance(obj, dict):
        return f"not a JSON object ({type(obj).__name__})"
    for key in ("question", "answer"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return f"{key!r} is not a string"
        if not value or not value.strip():
            return f"missing or empty {key!r}"
    for key in _FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            if key == "id" and isinstance(value, (int, float)) and not isinstance(value, bool):
                continue
            return f"{key!r} is not a string"
    return None


def _records(text: str, result: ParseResult) -> Iterator[dict]:
    """Each valid record; broken ones become warnings naming their line (or array item)."""
    stripped = text.lstrip()
    if stripped.startswith("[") or (stripped.startswith("{") and _first_line_broken(text)):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None  # not one JSON document: read it line by line
        if isinstance(data, (list, dict)):
            yield from _items(data if isinstance(data, list) else [data], result)
            return
    yield from _lines(text, result)


def _items(items: list, result: ParseResult) -> Iterator[dict]:
    for number, obj in enumerate(items, 1):
        problem = _problem(obj)
        if problem:
            result.warn(f"item {number}: {problem}; skipped")
        else:
            yield obj


def _lines(text: str, result: ParseResult) -> Iterator[dict]:
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            result.warn(f"invalid JSON: {str(exc)[:120]}; line skipped", line=number)
            continue
        problem = _problem(obj)
        if problem:
            result.warn(f"{problem}; line skipped", line=number)
        else:
            yield obj


def _first_line_broken(text: str) -> bool:
    line = next((x for x in text.split("\n", 1) if x.strip()), "")
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return True
    return False


def _id(value: object) -> str:
    return "" if value is None else str(value)


def _new_interview(obj: dict, name: str) -> Interview:
    url = obj.get("url") or ""
    source = obj.get("source") or ""
    return Interview(
        title=normalize_space(obj.get("title") or "") or title_from_filename(name),
        interviewee=obj.get("interviewee") or "",
        interviewer=obj.get("interviewer") or "",
        date=parse_date(obj.get("date") or ""),
        summary=normalize_answer(obj.get("summary") or ""),
        bio=obj.get("bio") or "",
        source=url or (source if source.startswith("http") else ""),
        format="jsonl",
        method="jsonl",
        key=normalize_space(obj.get("title") or "") or url,
    )


def parse(text: str, name: str, result: ParseResult) -> None:
    """Parse JSON Lines (or a JSON array) of pairs into result, one Interview per group."""
    groups: dict[tuple[str, str], Interview] = {}
    notes: set[str] = set()  # one warning per odd date, however many groups have it
    for obj in _records(text, result):
        group = (obj.get("title") or obj.get("url") or "", obj.get("source") or "")
        interview = groups.get(group)
        if interview is None:
            interview = groups[group] = _new_interview(obj, name)
            note = ambiguous_date(obj.get("date") or "") or unread_date(obj.get("date") or "")
            if note and note not in notes:
                notes.add(note)
                result.warn(note)
        pair = QAPair(
            normalize_space(obj["question"]),
            normalize_answer(obj["answer"]),
            interview.interviewer,
            interview.interviewee,
            _id(obj.get("id")),
        )
        interview.pairs.append(pair)
    titles = Counter(title for title, _ in groups)
    for (title, source), interview in groups.items():
        if titles[title] > 1:
            interview.key = f"{interview.key} [{source}]" if source else interview.key
    result.interviews.extend(groups.values())
