"""Corpus files on their way into the index: collect, hash, parse, number, diff.

A file's key is its absolute path, links resolved, so a file reached twice (itself and a link
to it) is indexed once, read at its own path when that is among them, else at the first link
(`read_at`); the manifest records the paths it was found at when a link was among them, and an
update drops a file once none of them leads to it. Interview ids come from the
file name (plus the group for JSON Lines files, and -2, -3... when names repeat) and pair ids
from the interview id and a number (its ordinal, in a first build), or the id the file gave
it. A write keeps the ids the index gave before to the files it indexes again and never hands
an id held by one file to another (see `keep_ids`), so ids survive updates and rebuilds; a pair
keeps its id while its interview asks its question, also when the file is edited (see
`earlier_ids`), and a pair's id is never given to another question. ``NAME.meta.json``
beside an interview file holds staff corrections (title, interviewee, interviewer, date) that
override what was parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections import deque
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from pathlib import Path

from indexer import formats
from indexer.formats.meta import ambiguous_date
from indexer.formats.meta import parse_date
from indexer.formats.meta import unread_date
from indexer.model import Interview
from indexer.model import ParseProblem
from indexer.model import ParseResult
from indexer.model import slugify

OVERRIDE_SUFFIX = ".meta.json"
OVERRIDE_FIELDS = ("title", "interviewee", "interviewer", "date", "source")
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
TELLING_ANSWER_WORDS = 8  # an answer this long, found once, tells its pair (see pair_mark)


@dataclass
class SourceFile:
    """One corpus file: its key (absolute path, links resolved), a display name, its content
    hash and the paths it was found at (see found_path)."""

    key: str
    path: Path
    display: str
    sha256: str
    found_at: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    source: SourceFile
    result: ParseResult


@dataclass
class Changes:
    """What an update has to do, as file keys, plus the files to parse; `found_at`: files whose
    content is unchanged but that were found at other paths (only the manifest changes)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    to_parse: list[SourceFile] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # missing outside the folders, pairs kept
    found_at: dict[str, list[str]] = field(default_factory=dict)


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
            if source:  # a file and a link to it are one file, found at two paths
                held = found.setdefault(source.key, source)
                found_at = sorted({*held.found_at, *source.found_at})
                if read_at([held.path, source.path]) is source.path:
                    found[source.key] = held = source
                held.found_at = found_at
            elif unreadable is not None:
                unreadable.add(str(file.resolve()))
    return list(found.values())


def read_at(paths: list[Path]) -> Path:
    """Of the paths one file was found at (in walking order), the one a build reads it at,
    beside which it reads its corrections (NAME.meta.json): the file's own path when it is
    among them, else the first link (the walk of a corpus folder is sorted)."""
    return next((path for path in paths if not path.is_symlink()), paths[0])


def reading_path(path: Path, root: Path) -> Path:
    """The path a build of the corpus folder `root` reads the corpus file `path` at (see
    read_at): `path` itself, unless it is a link to a file the folder holds at another path
    too (the file itself, or an earlier link to it)."""
    if not path.is_symlink():
        return path
    key = path.resolve()
    return read_at([p for p in interview_files(root, []) if p.resolve() == key] or [path])


def interview_files(root: Path, problems: list[ParseProblem]) -> list[Path]:
    """Interview files under `root`, sorted; other visible files are reported as skipped."""
    files = []
    for path in sorted(root.rglob("*")):
        if is_corpus_file(path, root):
            files.append(path)
        elif path.is_symlink() and path.is_dir() and is_visible(path, root):
            problems.append(ParseProblem(display_name(path), "skipped: a linked folder is not "
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
    return SourceFile(str(path.resolve()), path, display_name(path), digest.hexdigest(),
                      [found_path(path)])


def found_path(path: Path) -> str:
    """Where a file was found: its absolute path with its folder resolved but not the file, so
    a link is its own path, not its target's (the target may live on outside the corpus after
    the link is deleted; the link is what the corpus folder held)."""
    return str(path.absolute().parent.resolve() / path.name)


def display_name(path: Path) -> str:
    """Where the file was found (a link, not its target), relative to the working directory
    when it is under it, else as given."""
    try:
        return str(Path(found_path(path)).relative_to(Path.cwd()))
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


def overrides(values: dict) -> dict[str, str | None]:
    """The override fields of a NAME.meta.json's `values`: non-empty strings (stripped) set a
    field, None clears it (what the parser found is dropped); anything else is no override.
    The build applies them (apply_overrides), staff pages show and write them."""
    return {k: v.strip() if isinstance(v, str) else None for k, v in values.items()
            if k in OVERRIDE_FIELDS and (v is None or isinstance(v, str) and v.strip())}


def apply_overrides(path: Path, result: ParseResult) -> None:
    """Apply staff corrections from NAME.meta.json to the file's interview: a field set to
    a string replaces what was parsed, one set to null removes it (an interviewer the parser
    took from a byline by mistake); "" or a missing field keeps the parsed value.

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
    if unknown := sorted(set(values) - set(OVERRIDE_FIELDS)):
        result.warn(f"ignored {', '.join(map(repr, unknown))} in {override.name}: the fields "
                    f"it may correct are {', '.join(OVERRIDE_FIELDS)}")
    given = overrides(values)
    wanted = {name: value for name, value in given.items() if value is not None}
    if "date" in wanted:  # dates are ISO everywhere: the year filter and newest-first read them
        day = parse_date(wanted["date"])
        if not day:
            result.warn(f"ignored the date in {override.name}: {unread_date(wanted['date'])}")
            del wanted["date"]
        else:
            if note := ambiguous_date(wanted["date"]):
                result.warn(f"{override.name}: {note}")
            wanted["date"] = day
    cleared = {name: "" for name, value in given.items() if value is None}
    for interview in result.interviews:
        for name, value in {**cleared, **wanted}.items():
            setattr(interview, name, value)


def diff(sources: list[SourceFile], known: dict, paths: Iterable,
         keep: set[str] | frozenset[str] = frozenset()) -> Changes:
    """Compare files on disk with the manifest's: added, changed and removed keys.

    A file goes when none of the paths it was found at leads to it any more: paths under
    `paths` that this walk did not find are gone (a deleted link too, while the file it led to
    lives on elsewhere), and so is a file under them that no longer exists; paths outside them
    only when their file is gone and its content is among the files now found (a corpus
    folder moved or renamed, which would otherwise be indexed twice; a folder out of reach for
    a moment, an unmounted disk, keeps its pairs). Keys in `keep` (files present but
    unreadable just now) are never taken as removed.
    """
    changes = Changes()
    roots = [root_path(p) for p in paths]
    seen = set()
    for source in sources:
        seen.add(source.key)
        entry = known.get(source.key)
        found_at = sorted({*source.found_at, *(path for path in outside(entry, source.key, roots)
                                                 if leads_to(path, source.key))})
        if entry is None:
            changes.added.append(source.key)
        elif entry["sha256"] != source.sha256:
            changes.changed.append(source.key)
        else:
            if found_at != recorded_paths(entry, source.key):
                changes.found_at[source.key] = found_at
            continue
        changes.to_parse.append(replace(source, found_at=found_at))
    found = {source.sha256 for source in sources}
    for key, entry in known.items():
        if key in seen or key in keep:
            continue
        elsewhere = outside(entry, key, roots)
        if not any(leads_to(path, key) for path in elsewhere):
            if not elsewhere or under(key, roots) or entry["sha256"] in found:
                changes.removed.append(key)  # gone where this update looked, or moved here
                continue
            changes.gone.append(key)
        if elsewhere != recorded_paths(entry, key):  # paths under `paths` no longer lead to it
            changes.found_at[key] = elsewhere
    return changes


def known_paths(files: dict) -> set[str]:
    """The manifest's `files`: their keys and every path they were found at."""
    return set(files).union(*(recorded_paths(entry, key) for key, entry in files.items()))


def root_path(path: str | os.PathLike) -> str:
    """A path an update was given, as found paths are written (a folder resolved; a file, which
    may be a link, by where it is: see found_path)."""
    path = Path(path)
    return str(path.resolve()) if path.is_dir() else found_path(path)


def recorded_paths(entry: dict, key: str) -> list[str]:
    """The paths the manifest says a file was found at: the file itself, unless it was reached
    through a link (an index written before these were recorded reads the same)."""
    return entry.get("found_at") or [key]


def outside(entry: dict | None, key: str, roots: list[str]) -> list[str]:
    """The recorded paths of a known file that are not under `roots` (the walk did not look
    there, so they may still lead to it)."""
    if entry is None:
        return []
    return [path for path in recorded_paths(entry, key) if not under(path, roots)]


def under(path: str, roots: list[str]) -> bool:
    """Whether `path` is one of `roots` or inside one."""
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def leads_to(path: str, key: str) -> bool:
    """Whether the file found at `path` is still there: the file itself, or a link to it."""
    return present(path) and (path == key or os.path.realpath(path) == key)


def present(path: str) -> bool:
    """Whether anything may be at `path`: only "no such file" says no. A folder that cannot be
    searched just now (permissions, a stale network mount) may well still hold the file, and
    os.path.exists, which says no to any error, let an update drop it as moved."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return False
    except OSError:
        pass
    return True


def record_found_at(entry: dict, key: str, paths: list[str]) -> None:
    """Keep where a file was found in its manifest entry, only when that is not just the file
    itself (so the manifests of corpora without links do not change)."""
    if paths and paths != [key]:
        entry["found_at"] = paths
    else:
        entry.pop("found_at", None)


Owner = tuple[str, str]  # what an interview id belongs to: (file key, interview key)


@dataclass
class PairHistory:
    """The pair ids an interview was given: those of its pairs, in order, and those of pairs
    it had before them (`removed`), each with its pair's mark ("" when not recorded), and the
    number its next new pair takes. The manifest keeps them with the interview (`pair_ids`,
    `pair_marks`, `removed_pairs`, `next_pair`), also once it is withdrawn (``retired``)."""

    ids: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    next_number: int = 1

    @classmethod
    def of(cls, record: dict) -> PairHistory:
        """The history a manifest record holds (a record written before marks and removed
        pairs were kept, or a damaged one, reads as what it says)."""
        ids = record.get("pair_ids")
        ids = ids if isinstance(ids, list) and all(isinstance(p, str) for p in ids) else []
        marks = record.get("pair_marks")
        if not (isinstance(marks, list) and len(marks) == len(ids)
                and all(isinstance(m, str) for m in marks)):
            marks = [""] * len(ids)
        removed = record.get("removed_pairs")
        if not (isinstance(removed, dict) and all(isinstance(m, str) for m in removed.values())):
            removed = {}
        number = record.get("next_pair")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            number = len(ids) + 1
        return cls(dict(zip(ids, marks, strict=True)), dict(removed), number)

    def fields(self) -> dict:
        """The manifest fields of this history (no removed_pairs when there are none)."""
        found = {"pair_ids": list(self.ids), "pair_marks": list(self.ids.values()),
                 "next_pair": self.next_number}
        if self.removed:
            found["removed_pairs"] = dict(self.removed)
        return found

    def given(self) -> dict[str, str]:
        """Every id the interview was given, with its mark: its pairs' first, then older."""
        return {**self.ids, **{i: m for i, m in self.removed.items() if i not in self.ids}}


@dataclass
class IdBook:
    """The ids a write honours: those the index gave before, by owner, while it runs."""

    held: dict[Owner, list[str]] = field(default_factory=dict)  # owner -> its interview ids
    interviews: dict[str, Owner] = field(default_factory=dict)  # interview id -> its owner
    pairs: dict[str, Owner] = field(default_factory=dict)  # pair id -> its interview's owner
    history: dict[str, PairHistory] = field(default_factory=dict)  # interview id -> its pairs'
    hashes: dict[str, str] = field(default_factory=dict)  # file key -> its content's sha256
    moved: dict[str, str] = field(default_factory=dict)  # new file key -> the key it had


def keep_ids(manifest: dict, previous: dict, added: Iterable[SourceFile] = (),
             gone: Iterable[str] = (), renamed: dict[str, str] | None = None) -> None:
    """Hold the interview and pair ids of `previous` (the manifest being replaced) for their
    owners while `manifest` is written (see `index_file`).

    An interview indexed again (same file key and interview key) gets the id it had, and each
    of its pairs the id it had when it is the same pair (`earlier_ids`); a new pair gets a
    number the interview never gave out, so an id cited once opens that pair or none. No other
    interview gets an id held in `previous`, nor another interview's pairs its pairs' ids, also
    when its file is not indexed again: such interviews are kept under ``retired``
    (`settle_ids`) and their ids given back only to their file. A file of `added` whose
    content is that of exactly one file in `gone` (moved or renamed, a corpus folder moved) is
    taken as that file, as is one that `renamed` ({new key: gone key}) says replaces it. Fresh
    ids go to new interviews in indexing order.
    """
    book = IdBook()
    records = [*dict_of(previous, "interviews").items(), *dict_of(previous, "retired").items()]
    for interview_id, record in records:
        if not isinstance(record, dict):
            continue
        key, interview_key = record.get("file"), record.get("key") or ""
        if isinstance(key, str) and isinstance(interview_key, str):
            owner = (key, interview_key)
            book.held.setdefault(owner, []).append(interview_id)
            book.interviews.setdefault(interview_id, owner)
            history = book.history.setdefault(interview_id, PairHistory.of(record))
            for pair_id in history.given():
                book.pairs.setdefault(pair_id, owner)
    files = dict_of(previous, "files")
    book.hashes = {key: entry.get("sha256") for key, entry in files.items()
                   if isinstance(entry, dict)}
    added, gone = list(added), [key for key in gone if isinstance(files.get(key), dict)]
    book.moved = {new: old for new, old in (renamed or {}).items()
                  if old in gone and any(s.key == new for s in added)}
    before: dict[str, list[str]] = {}
    for key in gone:
        if key not in book.moved.values():
            before.setdefault(files[key].get("sha256"), []).append(key)
    now: dict[str, list[str]] = {}
    for source in added:
        if source.key not in book.moved:
            now.setdefault(source.sha256, []).append(source.key)
    for sha256, keys in now.items():
        if len(keys) == 1 and len(before.get(sha256, ())) == 1:
            book.moved[keys[0]] = before[sha256][0]
    manifest["_ids"] = book


def dict_of(manifest: dict, name: str) -> dict:
    """manifest[name] when it is a dict (a manifest read from disk may be damaged), else {}."""
    value = manifest.get(name) if isinstance(manifest, dict) else None
    return value if isinstance(value, dict) else {}


def id_book(manifest: dict) -> IdBook:
    """The ids `manifest`'s write holds (none when `keep_ids` was not called)."""
    return manifest.setdefault("_ids", IdBook())


def settle_ids(manifest: dict) -> None:
    """Drop a write's working state from `manifest`; record under ``retired`` the interview
    ids held before that no interview has now, with their owners and pair ids (what a
    withdrawn interview's addresses answer, and what its file gets back if it returns)."""
    manifest.pop("_used", None)
    book = manifest.pop("_ids", None)
    if book is not None:
        manifest["retired"] = {
            interview_id: {"file": key, "key": interview_key,
                           **book.history.get(interview_id, PairHistory()).fields()}
            for interview_id, (key, interview_key) in book.interviews.items()
            if interview_id not in manifest["interviews"]}


def removed_pair(manifest: dict, pair_id: str) -> tuple[str, bool] | None:
    """The interview a pair id was given to that has no pair of that id now: (its id, whether
    it is published), or None (an id never given out, or one that is there)."""
    for interview_id, record in dict_of(manifest, "interviews").items():
        removed = record.get("removed_pairs") if isinstance(record, dict) else None
        if isinstance(removed, dict) and pair_id in removed:  # (a 404 reads every record)
            return interview_id, True
    for interview_id, record in dict_of(manifest, "retired").items():
        if isinstance(record, dict) and pair_id in PairHistory.of(record).given():
            return interview_id, False
    return None


def index_file(item: ParsedFile, manifest: dict) -> Iterator[dict]:
    """Register a parsed file in the manifest and yield one document per pair."""
    source = item.source
    entry = {"sha256": source.sha256, "display": source.display, "interviews": [],
             "pairs": 0, "problems": [str(p) for p in item.result.problems]}
    record_found_at(entry, source.key, source.found_at)
    manifest["files"][source.key] = entry
    book = id_book(manifest)
    owner_key = book.moved.get(source.key, source.key)
    unchanged = book.hashes.get(owner_key) == source.sha256
    for interview in item.result.interviews:
        owner = (owner_key, interview.key)
        interview_id = interview_id_for(manifest, owner, source.path, interview)
        entry["interviews"].append(interview_id)
        record = interview_record(interview, source, interview_id)
        manifest["interviews"][interview_id] = record
        history = (book.history.get(interview_id, PairHistory())
                   if book.interviews.get(interview_id) == owner else PairHistory())
        words = [pair_words(pair.question, pair.answer) for pair in interview.pairs]
        record.update(pair_ids(manifest, interview_id, owner, interview.pairs,
                               [mark_of(*read) for read in words], history, unchanged).fields())
        for position, (pair, read) in enumerate(zip(interview.pairs, words, strict=True), 1):
            pair_id = record["pair_ids"][position - 1]
            yield pair_document(interview, interview_id, source.key, position, pair, pair_id,
                                fingerprint(*read))
        record["pair_count"] = len(record["pair_ids"])
        entry["pairs"] += record["pair_count"]


def interview_record(interview: Interview, source: SourceFile, interview_id: str) -> dict:
    """What the manifest keeps of an interview (everything but the pairs' text)."""
    record = {f.name: getattr(interview, f.name) for f in fields(interview) if f.name != "pairs"}
    record.update(id=interview_id, file=source.key, display=source.display, pair_ids=[],
                  pair_count=0)
    return record


def pair_document(interview: Interview, interview_id: str, key: str, position: int,
                  pair, pair_id: str, copy_key: bytes) -> dict:
    """The index document for one pair: its ids, position, text, interview fields and
    `fingerprint` (`copy_key`)."""
    return {
        "id": pair_id, "interview_id": interview_id, "file": key, "position": position,
        "question": pair.question, "answer": pair.answer, "title": interview.title,
        "interviewee": interview.interviewee, "interviewer": interview.interviewer,
        "date": interview.date, "source": interview.source, "source_id": pair.source_id,
        "fingerprint": copy_key,
    }


def interview_id_for(manifest: dict, owner: Owner, path: Path, interview: Interview) -> str:
    """The id an interview of `owner` (file key, interview key) read from `path` takes in
    this write: one held for it, else a new one (the preview of an upload says the same)."""
    return held_id(manifest, owner) or unique_interview_id(manifest, path, interview)


def held_id(manifest: dict, owner: Owner) -> str:
    """The first id held for `owner` that no interview of this write has taken yet, or ""."""
    return next((interview_id for interview_id in id_book(manifest).held.get(owner, ())
                 if interview_id not in manifest["interviews"]), "")


def new_file_ids(manifest: dict, path: Path, interviews: list[Interview]) -> list[str]:
    """The interview ids an update would give the interviews of a file not yet indexed at
    `path` (key: its absolute path), were it run now on the index `manifest` describes."""
    scratch = {"files": {}, "interviews": dict(dict_of(manifest, "interviews"))}
    keep_ids(scratch, manifest)
    found = []
    for interview in interviews:
        interview_id = interview_id_for(scratch, (str(path.resolve()), interview.key), path,
                                        interview)
        scratch["interviews"][interview_id] = {}
        found.append(interview_id)
    return found


def replacement_ids(manifest: dict, source: SourceFile, result: ParseResult,
                    replaced: str) -> dict[str, list[str]]:
    """The ids an update would give the interviews and pairs of `source` (its parse,
    `result`) replacing the indexed file `replaced` (a key: another file's, taken as renamed,
    or its own), were it run now on the index `manifest` describes: {interview id: its pair
    ids}. The update's own steps (keep_ids, forget_file, index_file) on a scratch copy."""
    scratch = {"files": dict(dict_of(manifest, "files")),
               "interviews": dict(dict_of(manifest, "interviews"))}
    if source.key == replaced:
        keep_ids(scratch, manifest)
    else:
        keep_ids(scratch, manifest, [source], [replaced], {source.key: replaced})
    forget_file(scratch, replaced)
    for _ in index_file(ParsedFile(source, result), scratch):
        pass
    return {interview_id: scratch["interviews"][interview_id]["pair_ids"]
            for interview_id in scratch["files"][source.key]["interviews"]}


def interview_slug(path: Path, interview: Interview) -> str:
    """The id an interview of `path` has when no other holds it: its file name's stem (and
    the interview's key) as a slug."""
    stem = path.name.split(".")[0]
    return slugify(f"{stem}-{interview.key}" if interview.key else stem)


def unique_interview_id(manifest: dict, path: Path, interview: Interview) -> str:
    """A slug of the file name (and interview key) neither in the manifest nor held for
    another interview (-2, -3... if taken)."""
    base = interview_slug(path, interview)
    held = id_book(manifest).interviews
    candidate, n = base, 2
    while candidate in manifest["interviews"] or candidate in held:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def pair_ids(manifest: dict, interview_id: str, owner: Owner, pairs: list, marks: list[str],
             history: PairHistory, unchanged: bool) -> PairHistory:
    """Ids for an interview's pairs (whose `pair_mark`s are `marks`), marked as used, and what
    the interview now holds.

    A pair takes the id it had (`earlier_ids`) when free; else the next number the interview
    has not given out takes it, and it gets the file's own id for it if safe, free and never
    the interview's, else `interview_id-number`, suffixed -2, -3... while that is taken. Free:
    not used in this write, nor held for an interview other than `owner`'s. In a first build
    the numbers are the pairs' ordinals. Ids the interview had and no pair takes now stay its
    own, as removed."""
    used = used_pair_ids(manifest)
    held = id_book(manifest).pairs
    past = history.given()

    def free(pair_id: str) -> bool:
        return pair_id not in used and held.get(pair_id, owner) == owner

    now = PairHistory(removed=past, next_number=history.next_number)
    for pair, mark, earlier in zip(pairs, marks, earlier_ids(history, pairs, marks, unchanged),
                                   strict=True):
        if earlier and free(earlier):
            candidate = earlier
        else:
            base, now.next_number = f"{interview_id}-{now.next_number}", now.next_number + 1
            given = pair.source_id
            candidate = (given if given and SAFE_ID.fullmatch(given) and free(given)
                         and given not in past else base)
            suffix = 1
            while not free(candidate) or candidate in past:
                suffix += 1
                candidate = f"{base}-{suffix}"
        used.add(candidate)
        now.ids[candidate] = mark
        now.removed.pop(candidate, None)
    return now


def earlier_ids(history: PairHistory, pairs: list, marks: list[str],
                unchanged: bool) -> list[str]:
    """The id each of `pairs` (whose `pair_mark`s are `marks`) had before, or "": a pair is
    the one that had the id the file
    gives it, else one of the same question (as `pair_mark` reads it), else the one of the
    same answer when each side has that answer once and it says enough (`pair_mark`): a
    reworded question answered as before. Earlier pairs of the interview come first, then
    pairs it had before them (a question taken out and put back gets its id back). Without
    marks (an index of an earlier version), an unchanged file's pairs keep theirs in order."""
    given = history.given()
    if not given:  # a first build
        return [""] * len(pairs)
    if unchanged and len(history.ids) == len(pairs) and "" in history.ids.values():
        return list(history.ids)
    found = [pair.source_id if pair.source_id in given else "" for pair in pairs]
    claimed = set(found)
    pool = {pair_id: mark.split(":") for pair_id, mark in given.items()
            if mark.count(":") == 1 and pair_id not in claimed}
    split = [mark.split(":") for mark in marks]
    for part in (0, 1):  # the question, then the answer
        earlier: dict[str, deque[str]] = {}
        for pair_id, old in pool.items():
            earlier.setdefault(old[part], deque()).append(pair_id)
        unfound = Counter(mark[part] for mark, pair_id in zip(split, found, strict=True)
                          if not pair_id)
        for i, mark in enumerate(split):
            candidates = earlier.get(mark[part])
            if found[i] or not mark[part] or not candidates:
                continue
            if part and (len(candidates) != 1 or unfound[mark[part]] != 1):
                continue  # an answer said twice tells neither pair
            found[i] = candidates.popleft()
            del pool[found[i]]
    return found


def pair_words(question: str, answer: str) -> tuple[list[str], list[str]]:
    """A pair's question and answer as words: case, spacing and punctuation aside (what
    `pair_mark` and `fingerprint` read; reading them takes 0.5 s of a MedQuAD build, so a
    build reads each pair once for both)."""
    return re.findall(r"\w+", question.casefold()), re.findall(r"\w+", answer.casefold())


def pair_mark(question: str, answer: str) -> str:
    """`mark_of` the pair's words."""
    return mark_of(*pair_words(question, answer))


def mark_of(asked: list[str], said: list[str]) -> str:
    """A short digest of a pair's question and of its answer (`pair_words`), "question:answer",
    to know it again in the next version of its file. The answer's is "" when it is under
    TELLING_ANSWER_WORDS words ("Yes." answers many questions)."""
    return f"{digest(asked)}:{digest(said) if len(said) >= TELLING_ANSWER_WORDS else ''}"


def fingerprint(asked: list[str], said: list[str]) -> bytes:
    """8 bytes of digest of a pair's question and answer together (`pair_words`): the same for
    copies of a pair (an interview published by an outlet and by a hospital), which search
    lists once (``indexer.copies``). Unlike the mark, a short answer counts: "Yes." and "No."
    to one question are different pairs."""
    text = " ".join(asked) + "\n" + " ".join(said)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def digest(words: list[str]) -> str:
    """8 hex digits of a word list: enough to tell apart the pairs of one interview."""
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=4).hexdigest()


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


@dataclass
class Served:
    """An interview of a file being brought back (restored from the archive) that the index
    serves now from another file: the `interview_id` there, its `file` key, and why it is
    taken as the same interview: it has the address the file's name gives (`address`, the
    ids went to the file that replaced it), or `matched` of its `pairs` are that
    interview's pairs, as an update would know them again (earlier_ids)."""

    interview_id: str
    file: str
    address: bool = False
    matched: int = 0
    pairs: int = 0


def served_elsewhere(manifest: dict, path: Path, interviews: list[Interview]) -> list[Served]:
    """Of the interviews a file not indexed now would bring in at `path`, those the index
    serves from another file (see Served). An interview given back an id held for it (of a
    withdrawn file) is its own again; one without (its file was replaced: the ids went to
    the replacement) is another file's interview when its address is that file's now, or
    when more than half of its pairs are one published interview's."""
    key = str(path.resolve())
    scratch = {"files": {}, "interviews": {}}
    keep_ids(scratch, manifest)
    published = {i: r for i, r in dict_of(manifest, "interviews").items()
                 if isinstance(r, dict) and r.get("file") != key}
    holders: dict[str, set[str]] = {}  # a question's or telling answer's digest -> interviews
    served = []
    for interview in interviews:
        if held_id(scratch, (key, interview.key)):
            continue
        address = interview_slug(path, interview)
        if address in published:
            served.append(Served(address, published[address].get("file", ""), address=True))
            continue
        if not holders:
            holders = digest_holders(published)
        if found := most_pairs(published, holders, interview):
            served.append(found)
    return served


def digest_holders(published: dict[str, dict]) -> dict[str, set[str]]:
    """The published interviews each digest of a question or telling answer (pair_mark) was
    given for, also of pairs they no longer hold."""
    holders: dict[str, set[str]] = {}
    for interview_id, record in published.items():
        for mark in PairHistory.of(record).given().values():
            for part in filter(None, mark.split(":")):
                holders.setdefault(part, set()).add(interview_id)
    return holders


def most_pairs(published: dict[str, dict], holders: dict[str, set[str]],
               interview: Interview) -> Served | None:
    """The published interview more than half of whose pairs `interview` holds (see
    earlier_ids), the one with most of them, or None."""
    pairs = interview.pairs
    marks = [pair_mark(pair.question, pair.answer) for pair in pairs]
    candidates = {i for mark in marks for part in filter(None, mark.split(":"))
                  for i in holders.get(part, ())}
    best = None
    for interview_id in sorted(candidates):
        record = published[interview_id]
        matched = sum(1 for found in earlier_ids(PairHistory.of(record), pairs, marks, False)
                      if found)
        if matched * 2 > len(pairs) and (best is None or matched > best.matched):
            best = Served(interview_id, record["file"], matched=matched, pairs=len(pairs))
    return best
