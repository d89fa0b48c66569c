"""Metadata helpers shared by the format parsers: dates, front matter, titles, meta lines."""

from __future__ import annotations

import calendar
import datetime as _dt
import os
import re

from ..model import normalize_space

_MONTH_WORDS = [
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
]
_MONTHS = {name: number for number, names in enumerate(_MONTH_WORDS, 1) for name in names}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DAY = r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_MONTH_FIRST = re.compile(r"(?<!\d)(?P<mon>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})(?!\d)")
# 12.03.2024: dotted dates are day first (the European order), unless the "month" is over 12
_DAY_FIRST = re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})(?!\d)")
_SHORT_YEAR = (  # 12.3.24, 3/12/24, 3-12-24, March 3, 24, 3 March '24: no full year
    re.compile(r"(?<![\d.])\d{1,2}([./-])\d{1,2}\1\d{2}(?!\d|\.\d)"),
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+'?\d{{2}}(?!\d|\.\d)"),
    re.compile(rf"{_DAY}\.?\s+(?:of\s+)?{_MONTH},?\s+'?\d{{2}}(?!\d|\.\d)"),
)
_SWAPPABLE = (_MONTH_FIRST, _DAY_FIRST)  # numeric orders read the other way round if need be
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<mon>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"),
    _MONTH_FIRST,
    _DAY_FIRST,
]
_FRONT_KEYS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "interviewee": "interviewee",
    "guest": "interviewee",
    "interviewer": "interviewer",
    "host": "interviewer",
    "author": "author",
    "source": "source",
    "url": "source",
    "link": "source",
    "canonical": "source",
    "summary": "summary",
    "description": "summary",
    "bio": "bio",
}
_META_LINE = re.compile(
    r"^(?P<key>published(?: on)?|publication date|date|posted(?: on)?|source|url|link|"
    r"title|interviewer|interviewee|guest)\s*[:：]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
# "Posted March 3, 2024", "Published 4 June 2024 in Thalassemia Today": a date line without
# a colon when all that follows is a date, and perhaps the outlet that published it
_DATED_LINE = re.compile(r"^(?:published|posted)(?: on)?\s+(?P<value>.{6,100}?)\.?$",
                         re.IGNORECASE)
# the outlet before or after the date: "in Blood, " / "in Blood on " + date, date + " in Blood"
_OUTLET_BEFORE = re.compile(r"^in\s+(?P<name>[^,;:]+?)(?:\s*,|\s+on)?\s*$", re.IGNORECASE)
_OUTLET_AFTER = re.compile(r"^\s*in\s+(?P<name>[^,;:]+?)\s*$", re.IGNORECASE)
_OUTLET_WORDS = {"of", "and", "&", "for", "the", "in", "on", "de"}  # "Journal of Oncology"
_URL = re.compile(r"(?:https?://|www\.)\S+")
_BYLINE = re.compile(r"^by\s*[:：]?\s+(?P<names>.{2,150})$", re.IGNORECASE)
_BYLINE_END = re.compile(r"\s+[|·•]\s+")  # "By Jane Roe | March 3, 2024"
_BYLINE_ROLES = {"staff", "writer", "writers", "reporter", "reporters", "editor", "editors",
                 "correspondent", "contributor", "team", "desk"}  # "By Hematology Weekly staff"
# what leads from a byline's names to its date: "Jane Roe, March 3", "Jane Roe on March 3"
_DATE_LEAD = re.compile(r"(?:[\s,;|·•–—-]|\b(?:on|published|posted|updated)\b)*$",
                        re.IGNORECASE)
_NAME_PARTICLES = {"and", "&", "al", "bin", "da", "de", "del", "der", "di", "du", "la", "le",
                   "van", "von"}


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else _MONTHS.get(text.lower(), 0)


def _first_date(text: str) -> tuple[str, re.Match | None]:
    """The first valid date in text as ISO YYYY-MM-DD and the match it was read from."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text or ""):
            year, month, day = int(match["year"]), _month_number(match["mon"]), int(match["day"])
            if pattern in _SWAPPABLE and month > 12:
                month, day = day, month  # 31/12/2023, 12.31.2023: only one order is a date
            try:
                return _dt.date(year, month, day).isoformat(), match
            except ValueError:
                continue
    return "", None


def parse_date(text: str) -> str:
    """The first date found in text as ISO YYYY-MM-DD, or ""."""
    return _first_date(text)[0]


def ambiguous_date(text: str) -> str:
    """A warning when parse_date read a numeric date one way but the other order is a date
    too: 05/03/2023 is read month first (the US order of slashes), 05.03.2023 day first (the
    European order of dots); the warning says what to write if the other was meant."""
    other = other_reading(text)
    if not other:
        return ""
    iso, match = _first_date(text)
    order = "day.month, the usual order of dotted dates" if match.re is _DAY_FIRST else "month/day"
    month, day = int(match["mon"]), int(match["day"])
    meant = f"{month} {_MONTH_WORDS[day - 1][0].capitalize()}"
    return f"read the date {match[0]!r} as {iso} ({order}); write {other} if it is {meant}"


def other_reading(text: str) -> str:
    """The date parse_date's numeric date is with day and month the other way round
    ("05/03/2023": 2023-03-05, read as 2023-05-03), or "" when only one order is a date."""
    _, match = _first_date(text)
    if match is None or match.re not in _SWAPPABLE:
        return ""
    month, day = int(match["mon"]), int(match["day"])
    if month == day or max(month, day) > 12:
        return ""
    return _dt.date(int(match["year"]), day, month).isoformat()


def unread_date(value: str) -> str:
    """A warning when a date field holds something parse_date cannot read ("March 2024"):
    left unsaid, the interview would silently go undated (last by newest, out of year
    filters). A date that is written well but does not exist ("2024-02-30") is told so:
    asking for YYYY-MM-DD would not help."""
    value = normalize_space(value)
    if not value or parse_date(value):
        return ""
    if reason := _no_such_day(value):
        return f"{value!r} is not a date: {reason}"
    message = f"could not read the date {value!r}: write it as YYYY-MM-DD"
    problem = _date_problem(value)
    return f"{message} {problem}" if problem else message


def _no_such_day(value: str) -> str:
    """Why a date in a form parse_date knows is no date ("February 2024 has 29 days",
    "there is no month 13"), or "" when value holds none (called once parse_date found no
    date in value, so any such date in it is impossible)."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(value):
            year, month, day = int(match["year"]), _month_number(match["mon"]), int(match["day"])
            if pattern in _SWAPPABLE and month > 12 >= day:
                month, day = day, month
            if not month or year < _dt.MINYEAR:
                continue
            if month > 12:
                return f"there is no month {month}"
            if day == 0:
                return "there is no day 0"
            name = _MONTH_WORDS[month - 1][0].capitalize() + (f" {year}" if month == 2 else "")
            return f"{name} has {calendar.monthrange(year, month)[1]} days"
    return ""


def _date_problem(value: str) -> str:
    """What keeps parse_date from reading value, in brackets, when it can tell: a two-digit
    year ("12.3.24", "March 3, 24") or no day ("March 2024", "Spring 2024"); "" otherwise
    ("31 February 2024")."""
    found = (m for p in _SHORT_YEAR for m in p.finditer(value))
    if any(_month_number(m["mon"]) if "mon" in m.re.groupindex else m for m in found):
        return "(its year has two digits)"
    if not re.search(r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])(?!\d)", value):
        return "(a date without a day is not stored)"
    return ""


def title_from_filename(name: str) -> str:
    """The title of a file without one, made from its name: 'he-huang-cellular-immunotherapy.txt'
    is 'He Huang Cellular Immunotherapy'. Codes and acronyms go in capitals, not as words
    ("zhang-cd7-car-t.txt" was "Zhang Cd7 Car T"; see :func:`in_capitals`); a word with
    capitals of its own stays as written (McKinley)."""
    stem = os.path.splitext(os.path.basename(str(name)))[0]
    words = re.sub(r"[-_.\s]+", " ", stem).split()
    upper = in_capitals(words)
    return " ".join(w if any(c.isupper() for c in w) else w.upper() if i in upper
                    else w.capitalize() for i, w in enumerate(words))


def in_capitals(words: list[str]) -> set[int]:
    """Which lower-case words of a file name are a code or acronym: a word with a digit and a
    letter, not an ordinal (cd7, il6; not 8th), a one-word name of the vocabulary that is no
    English word too (bcma, gvhd; not all, pet), and two words that together make one (car t,
    CART)."""
    from indexer.analysis import vocabulary_names  # (analysis reads names through formats)
    from indexer.query import names_also_words
    names, words_too = vocabulary_names(), names_also_words()
    found = {i for i, w in enumerate(words)
             if (re.search(r"\d", w) and re.search(r"[^\W\d_]", w)
                 and not re.fullmatch(r"\d+(?:st|nd|rd|th)", w, re.IGNORECASE))
             or (w.upper() in names and w.upper() not in words_too)}
    for i in range(len(words) - 1):
        if (words[i] + words[i + 1]).upper() in names:
            found |= {i, i + 1}
    return found


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split YAML-style `---` front matter (simple `key: value` lines) off the top of text."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in _FRONT_KEYS and not line[:1].isspace() and _unquote(value):
            fields.setdefault(_FRONT_KEYS[key], normalize_space(_unquote(value)))
    return fields, "\n".join([""] * end + lines[end + 1 :])


def meta_line(text: str, body: str, byline: bool = True) -> tuple[str, str] | None:
    """(field, value) for a header line like 'Published: March 3, 2024' or (with `byline`)
    'By Jane Roe'."""
    names = _byline(text) if byline else ""
    if names:
        return "author", names
    match = _META_LINE.match(text)
    if not match or len(text) > 200:
        return _dated_line(text)
    key, value = match["key"].lower(), match["value"].strip()
    if key.startswith(("published", "publication", "date", "posted")):
        return _date_field(value)
    if key in ("source", "url", "link"):
        url = _URL.search(value)
        return ("source", url.group(0).rstrip(".,;)")) if url else None
    if len(value.split()) > 10 or value.endswith(("?", ".")):
        return None
    if key != "title" and len(re.findall(rf"(?im)^{re.escape(key)}\s*:", body)) > 1:
        return None  # a recurring speaker label, not a header line
    field = {"guest": "interviewee"}.get(key, key)
    return field, value


def _dated_line(text: str) -> tuple[str, str] | None:
    """("date", ISO) for 'Posted March 3, 2024' or 'Published on 2024-03-03'; (OUTLET, name)
    for 'Published 4 June 2024 in Thalassemia Today' or 'Published in Blood on March 3,
    2024', whose date the caller reads from the line; None for a sentence ('Published March
    3, 2024 in Blood, the trial changed practice.')."""
    match = _DATED_LINE.match(text)
    around = around_date(match["value"]) if match else None
    if around is None:
        return None
    before, after = around
    if not before.strip() and not after.strip():
        return "date", parse_date(match["value"])
    where = (_OUTLET_AFTER.match(after) if not before.strip()
             else _OUTLET_BEFORE.match(before) if not after.strip() else None)
    name = normalize_space(where["name"]) if where else ""
    return (OUTLET, name) if _outlet_name(name) else None


def _outlet_name(text: str) -> bool:
    """Is text the name of a journal or site ("Blood", "The Hematologist", "Journal of
    Oncology Practice"), not words of a sentence ("print and online")?"""
    words = text.split()
    return 1 <= len(words) <= 8 and words[0][0].isupper() and words[-1][0].isupper() and all(
        w[0].isupper() or w.lower() in _OUTLET_WORDS for w in words)


UNREAD_DATE = "unread-date"  # meta_line's field for a header date that parse_date cannot read
OUTLET = "outlet"  # meta_line's field for the outlet of a "Published ... in Blood" line


def _date_field(value: str) -> tuple[str, str] | None:
    """("date", ISO) for a header date; (UNREAD_DATE, value) for a short value with a year-like
    number that is no full date ("March 2024", "12.3.24"): still a header line, so the title
    above it stays the title and the caller can say which date it could not read."""
    iso = parse_date(value)
    if iso:
        return "date", iso
    if len(value) <= 40 and len(value.split()) <= 5 and re.search(r"\d{2}", value):
        return UNREAD_DATE, value
    return None


def _byline(text: str) -> str:
    """The names of a byline such as 'By Dr. Jane Roe and John Smith', 'By Hematology Weekly
    staff', 'By Jane Roe | March 3, 2024' or 'By Jane Roe, March 3, 2024' (the date is read by
    the caller), or ""."""
    match = _BYLINE.match(text)
    return _names(match["names"]) if match else ""


def bare_byline(text: str) -> str:
    """The names of an element classed as the author that holds no "By": "Jane Roe", "Jane
    Roe · March 3, 2024". Two words at least, so a lone "Admin" or "Editor" is no name."""
    names = _names(text) if len(text) <= 150 else ""
    return names if len(names.replace(",", " ").split()) >= 2 else ""


def _names(text: str) -> str:
    """The names that open a byline ("Jane Roe | March 3, 2024", "Jane Roe, March 3, 2024"):
    capitalised words, particles and staff words only, not roles alone ("Staff Writer")."""
    names = _without_date(_BYLINE_END.split(text, maxsplit=1)[0].strip())
    words = names.replace(",", " ").split()
    if not words or len(words) > 12 or not words[0][0].isupper():
        return ""
    if words[0].lower() in ("the", "this", "our"):  # "By The Numbers": a heading ("By An
        return ""                                      # Nguyen", "By A Smith" are names)
    if all(w.lower() in _BYLINE_ROLES for w in words):
        return ""
    lower_ok = _NAME_PARTICLES | _BYLINE_ROLES
    return names if all(w[0].isupper() or w.lower() in lower_ok for w in words) else ""


def _without_date(names: str) -> str:
    """Names without the date that ends them ("Jane Roe, March 3, 2024", "Jane Roe on
    2024-03-03"), with the comma or word that led to it."""
    around = around_date(names)
    if around is None or around[1].strip(" .") or not around[0].strip():
        return names
    return _DATE_LEAD.sub("", around[0])


def around_date(text: str) -> tuple[str, str] | None:
    """The text before and after the first date parse_date reads in text; None without one."""
    match = _first_date(text)[1]
    return (text[: match.start()], text[match.end() :]) if match else None
