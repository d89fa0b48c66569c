"""Corpus files on their way into the index: collect, hash, parse, number, diff.

A file's key is its absolute path; interview ids come from the file name (plus the group for
JSON Lines files) and pair ids from the interview id and the pair's ordinal, or the id the
file gave it, so ids survive rebuilds. ``NAME.meta.json`` beside an interview file holds
staff corrections (title, interviewee, interviewer, date) that override what was parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from pathlib import Path

from indexer import formats
from indexer.formats.meta import ambiguous_date
from indexer.formats.meta import parse_date
from indexer.model import Interview
from indexer.model import ParseProblem
from indexer.model import ParseResult
from indexer.model import slugify

OVERRIDE_SUFFIX = ".meta.json"
OVERRIDE_FIELDS = ("title", "interviewee", "interviewer", "date", "source")
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


@dataclass
class SourceFile:
    """One corpus file: its key (absolute path), a display name and its content hash."""

    key: str
    path: Path
    display: str
    sha256: str


@dataclass
class ParsedFile:
    source: SourceFile
    result: ParseResult


@dataclass
class Changes:
    """What an update has to do, as file keys, plus the files to parse."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    to_parse: list[SourceFile] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # missing outside the folders, pairs kept


def collect(paths: Iterable[str | os.PathLike], problems: list[ParseProblem],
            unreadable: set[str] | None = None) -> list[SourceFile]:
    """Every interview file named by `paths` (directories are walked), in a stable order.

    Files that exist but cannot be read are reported in `problems` and their keys added to
    `unreadable` (an update keeps what the index holds of them rather than dropping it).
    """
    found: dict[str, SourceFile] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = interview_files(path, problems)
        elif path.is_file():
            files = [path]
        else:
            problems.append(ParseProblem(str(given), "no such file or directory", None, "error"))
            continue
        for file in files:
            source = source_file(file, problems)
            if source:
                found.setdefault(source.key, source)
            elif unreadable is not None:
                unreadable.add(str(file.resolve()))
    return list(found.values())


def interview_files(root: Path, problems: list[ParseProblem]) -> list[Path]:
    """Interview files under `root`, sorted; other visible files are reported as skipped."""
    files = []
    for path in sorted(root.rglob("*")):
        if is_corpus_file(path, root):
            files.append(path)
        elif path.is_symlink() and path.is_dir() and is_visible(path, root):
            where = str(Path(display_name(path.parent)) / path.name)  # the link, not its target
            problems.append(ParseProblem(where, "skipped: a linked folder is not "
                                         "followed; move the folder into the corpus instead"))
        elif is_visible_file(path, root):
            problems.append(ParseProblem(display_name(path),
                                         f"skipped: {formats.unsupported_type(path.name)}"))
    return files


def is_corpus_file(path: Path, root: Path) -> bool:
    """Files a directory walk picks up: supported formats, not hidden, not overrides."""
    return is_visible_file(path, root) and path.suffix.lower() in formats.SUPPORTED_SUFFIXES


def is_visible_file(path: Path, root: Path) -> bool:
    """A file under `root` that is neither hidden (nor in a hidden folder) nor an override."""
    return (path.is_file() and is_visible(path, root)
            and not path.name.endswith(OVERRIDE_SUFFIX))


def is_visible(path: Path, root: Path) -> bool:
    """Whether no part of `path` under `root` is hidden (starts with a dot)."""
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def source_file(path: Path, problems: list[ParseProblem]) -> SourceFile | None:
    """Hash a file (and its override file) without parsing it."""
    digest = hashlib.sha256()
    try:
        digest.update(path.read_bytes())
        override = override_path(path)
        if override.exists():
            digest.update(override.read_bytes())
    except OSError as exc:
        problems.append(ParseProblem(str(path), f"cannot read: {exc.strerror or exc}", None,
                                     "error"))
        return None
    return SourceFile(str(path.resolve()), path, display_name(path), digest.hexdigest())


def display_name(path: Path) -> str:
    """The path relative to the working directory when it is under it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def override_path(path: Path) -> Path:
    """The NAME.meta.json file of staff corrections beside `path`."""
    return path.with_name(path.name + OVERRIDE_SUFFIX)


def parse_all(sources: list[SourceFile], problems: list[ParseProblem],
              progress=None) -> list[ParsedFile]:
    """Parse each file; problems are collected, never raised."""
    parsed = []
    for done, source in enumerate(sources, 1):
        result = formats.parse_file(source.path, source.display)
        apply_overrides(source.path, result)
        problems.extend(result.problems)
        parsed.append(ParsedFile(source, result))
        if progress:
            progress(done, len(sources), source.display)
    return parsed


def apply_overrides(path: Path, result: ParseResult) -> None:
    """Apply staff corrections from NAME.meta.json to the file's interview.

    A file of several interviews (JSON Lines) keeps what it says, with a warning: one
    interviewee, title or date set on all of them would misattribute every answer but one,
    silently, while ignoring the corrections loses nothing the file holds."""
    override = override_path(path)
    if not override.exists():
        return
    if len(result.interviews) > 1:
        result.warn(f"ignored {override.name}: the file holds {len(result.interviews)} "
                    "interviews, and its corrections would be set on every one of them; "
                    "correct each interview in the file itself")
        return
    try:
        values = json.loads(override.read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        result.warn(f"ignored {override.name}: {exc}")
        return
    wanted = {name: values[name].strip() for name in OVERRIDE_FIELDS
              if isinstance(values.get(name), str) and values[name].strip()}
    if "date" in wanted:  # dates are ISO everywhere: the year filter and newest-first read them
        day = parse_date(wanted["date"])
        if not day:
            result.warn(f"ignored the date {wanted['date']!r} in {override.name}: "
                        "write it as YYYY-MM-DD")
            del wanted["date"]
        else:
            if note := ambiguous_date(wanted["date"]):
                result.warn(f"{override.name}: {note}")
            wanted["date"] = day
    for interview in result.interviews:
        for name, value in wanted.items():
            setattr(interview, name, value)


def diff(sources: list[SourceFile], known: dict, paths: Iterable,
         keep: set[str] | frozenset[str] = frozenset()) -> Changes:
    """Compare files on disk with the manifest's: added, changed and removed keys.

    Keys in `keep` (files present but unreadable just now) are never taken as removed; keys
    outside `paths` only when their file is gone and its content is among the files now
    found (a corpus folder moved or renamed, which would otherwise be indexed twice; a folder
    out of reach for a moment, an unmounted disk, keeps its pairs).
    """
    changes = Changes()
    seen = set()
    for source in sources:
        seen.add(source.key)
        entry = known.get(source.key)
        if entry is None:
            changes.added.append(source.key)
        elif entry["sha256"] != source.sha256:
            changes.changed.append(source.key)
        else:
            continue
        changes.to_parse.append(source)
    roots = [str(Path(p).resolve()) for p in paths]
    found = {source.sha256 for source in sources}
    for key, entry in known.items():
        if key in seen or key in keep:
            continue
        if any(key == r or key.startswith(r + os.sep) for r in roots):
            changes.removed.append(key)
        elif not os.path.exists(key):  # moved when its content is now found elsewhere
            (changes.removed if entry["sha256"] in found else changes.gone).append(key)
    return changes


def index_file(item: ParsedFile, manifest: dict) -> Iterator[dict]:
    """Register a parsed file in the manifest and yield one document per pair."""
    source = item.source
    entry = {"sha256": source.sha256, "display": source.display, "interviews": [],
             "pairs": 0, "problems": [str(p) for p in item.result.problems]}
    manifest["files"][source.key] = entry
    for interview in item.result.interviews:
        interview_id = unique_interview_id(manifest, source.path, interview)
        entry["interviews"].append(interview_id)
        record = interview_record(interview, source, interview_id)
        manifest["interviews"][interview_id] = record
        for position, pair in enumerate(interview.pairs, 1):
            pair_id = unique_pair_id(manifest, interview_id, position, pair.source_id)
            record["pair_ids"].append(pair_id)
            yield pair_document(interview, interview_id, source.key, position, pair, pair_id)
        record["pair_count"] = len(record["pair_ids"])
        entry["pairs"] += record["pair_count"]


def interview_record(interview: Interview, source: SourceFile, interview_id: str) -> dict:
    """What the manifest keeps of an interview (everything but the pairs' text)."""
    record = {f.name: getattr(interview, f.name) for f in fields(interview) if f.name != "pairs"}
    record.update(id=interview_id, file=source.key, display=source.display, pair_ids=[],
                  pair_count=0)
    return record


def pair_document(interview: Interview, interview_id: str, key: str, position: int,
                  pair, pair_id: str) -> dict:
    """The index document for one pair: its ids, position, text and interview fields."""
    return {
        "id": pair_id, "interview_id": interview_id, "file": key, "position": position,
        "question": pair.question, "answer": pair.answer, "title": interview.title,
        "interviewee": interview.interviewee, "interviewer": interview.interviewer,
        "date": interview.date, "source": interview.source, "source_id": pair.source_id,
    }


def unique_interview_id(manifest: dict, path: Path, interview: Interview) -> str:
    """A slug of the file name (and interview key) not yet in the manifest (-2, -3... if taken)."""
    stem = path.name.split(".")[0]
    base = slugify(f"{stem}-{interview.key}" if interview.key else stem)
    candidate, n = base, 2
    while candidate in manifest["interviews"]:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def unique_pair_id(manifest: dict, interview_id: str, position: int, given: str) -> str:
    """The file's own pair id if safe and free, else `interview_id-position`, suffixed -2, -3...
    while another file's given id holds it; marked as used."""
    used = used_pair_ids(manifest)
    base = f"{interview_id}-{position}"
    candidate = given if given and SAFE_ID.fullmatch(given) and given not in used else base
    suffix = 1
    while candidate in used:
        suffix += 1
        candidate = f"{base}-{suffix}"
    used.add(candidate)
    return candidate


def used_pair_ids(manifest: dict) -> set[str]:
    """Pair ids already taken (cached in the manifest while a write runs)."""
    if "_used" not in manifest:
        manifest["_used"] = {pid for i in manifest["interviews"].values() for pid in i["pair_ids"]}
    return manifest["_used"]


def forget_file(manifest: dict, key: str) -> list[str]:
    """Drop a file and its interviews from the manifest; return its pair ids."""
    entry = manifest["files"].pop(key, None) or {"interviews": []}
    pair_ids = []
    for interview_id in entry["interviews"]:
        record = manifest["interviews"].pop(interview_id, None)
        if record:
            pair_ids.extend(record["pair_ids"])
    used_pair_ids(manifest).difference_update(pair_ids)
    return pair_ids
