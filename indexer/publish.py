"""Corpus files as staff change them: safe names, no silent overwrite, withdraw to an archive,
restore from it, corrections in NAME.meta.json.

A link in the corpus folder is handled as the link: withdrawing moves the link itself (never
the file it leads to), corrections go where a build reads them (corpus.reading_path: beside
the link, or beside the corpus file it leads to), and a download serves the file it leads to
only when that is in the corpus folder.

Every function returns a ``Change`` listing what it did on disk, so that a caller whose index
update then fails can ``undo()`` it and leave the corpus as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from pathlib import Path

from indexer import corpus
from indexer import formats
from indexer.model import slugify


class PublishError(ValueError):
    """A publish or withdraw that was refused; the message says what to do instead."""


@dataclass
class Change:
    """Files a change created, files it moved to the archive and files it moved back."""

    file: Path
    created: list[Path] = field(default_factory=list)
    archived: list[tuple[Path, Path]] = field(default_factory=list)
    replaced: Path | None = None  # the corpus file `file` replaces (it keeps that one's ids)
    restored: list[tuple[Path, Path]] = field(default_factory=list)  # (archived, corpus path)
    link: str = ""  # `file` was a link: where it led (see link_target)
    led_to: Path | None = None  # the file that link led to, resolved

    def undo(self) -> None:
        """Put the corpus back as it was: remove what was created, restore what was archived,
        return what was restored to the archive."""
        for archived, path in reversed(self.restored):
            if archived.exists():  # copied back but not yet removed from the archive
                path.unlink(missing_ok=True)
            else:
                shutil.move(path, archived)
        for path in reversed(self.created):
            path.unlink(missing_ok=True)
        for original, archived in reversed(self.archived):
            shutil.move(archived, original)


def allowed_types() -> str:
    """The file types staff may publish, for messages."""
    return ", ".join(sorted(formats.SUPPORTED_SUFFIXES))


def safe_name(filename: str) -> str:
    """A corpus file name from an uploaded one: no folders, a slug stem, an allowed suffix."""
    base = re.split(r"[\\/]", (filename or "").replace("\x00", ""))[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    suffix = "." + suffix.lower() if dot else ""
    if suffix not in formats.SUPPORTED_SUFFIXES:
        raise PublishError(f"{base or 'The file'} is not a type that can be published "
                           f"(allowed: {allowed_types()}).")
    return slugify(stem) + suffix


def corpus_path(corpus_dir: str | os.PathLike, relative: str, *,
                any_type: bool = False) -> Path:
    """The corpus file `relative` names as the corpus folder holds it: a link is the link, not
    the file it leads to (see link_target). Refused: anything outside the corpus folder (also
    through a linked folder), hidden files and NAME.meta.json, and any name but the file's
    own ("../corpus/x.txt", "./x.txt"); with `any_type`, a visible file that builds skip is
    taken too (a .docx dropped in the corpus, to withdraw or download it)."""
    root = Path(corpus_dir).resolve()
    given = root / (relative or "")
    try:
        candidate = given.parent.resolve() / given.name
    except (ValueError, OSError, RuntimeError):  # a loop of linked folders
        candidate = root
    if ("\x00" in (relative or "") or root not in candidate.parents
            or candidate.relative_to(root).as_posix() != relative
            or not interview_name(candidate.relative_to(root), any_type)):
        kind = "file" if any_type else "interview file"
        raise PublishError(f"{relative!r} is not an {kind} in the corpus.")
    return candidate


OUTSIDE = "a file outside the corpus folder"
MISSING = "a file that does not exist"


def link_target(path: Path, corpus_dir: str | os.PathLike) -> str:
    """Where the corpus file `path` leads when it is a link, for pages and messages: the
    corpus name of the file ("ward-rounds.txt"), OUTSIDE or MISSING (a loop too); "" when it
    is no link. The path outside is not told: it names the server's folders."""
    if not path.is_symlink():
        return ""
    root = Path(corpus_dir).resolve()
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return MISSING
    return target.relative_to(root).as_posix() if root in target.parents else OUTSIDE


def occupied(path: Path) -> bool:
    """Whether a corpus name is taken: by a file, or by a link (also one leading nowhere)."""
    return path.exists() or path.is_symlink()


def interview_path(corpus_dir: str | os.PathLike, relative: str) -> Path:
    """The interview file `relative` names as a build reads it, beside which its corrections
    are (corpus.reading_path: a link to another corpus file is that file)."""
    path = corpus_path(corpus_dir, relative)
    return corpus.reading_path(path, Path(corpus_dir).resolve())


def download_path(corpus_dir: str | os.PathLike, relative: str) -> Path:
    """The file whose bytes a download of the corpus file `relative` (any visible file)
    gives: the file, or the file a link leads to when that is in the corpus folder. A link
    out of it is refused: it may lead to any file the server can read."""
    path = corpus_path(corpus_dir, relative, any_type=True)
    where = link_target(path, corpus_dir)
    if where == OUTSIDE:
        raise PublishError(f"{relative} is a link to {OUTSIDE}: only files in the corpus "
                           "folder are downloaded.")
    if where == MISSING:
        raise PublishError(f"{relative} is a link to {MISSING}.")
    if not path.is_file():
        raise PublishError(f"{relative} is not in the corpus.")
    return path.resolve()


def interview_name(relative: Path, any_type: bool = False) -> bool:
    """Whether a corpus-relative path names a file builds read (see corpus.is_corpus_file),
    or with `any_type` one they would name as skipped."""
    return (not any(part.startswith(".") for part in relative.parts)
            and not relative.name.endswith(corpus.OVERRIDE_SUFFIX)
            and (any_type or relative.suffix.lower() in formats.SUPPORTED_SUFFIXES))


def publish(corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike, staged: Path,
            name: str, *, replace: str | None = None) -> Change:
    """Copy `staged` (and its NAME.meta.json) into the corpus as `name`.

    An existing file is overwritten only when `replace` names it; the replaced file (or the
    one `replace` names under another name) moves to the archive.
    """
    Path(corpus_dir).mkdir(parents=True, exist_ok=True)
    target = corpus_path(corpus_dir, safe_name(name))
    old = corpus_path(corpus_dir, replace) if replace else None
    if old is not None and not old.is_file():
        raise PublishError(f"{replace} is no longer in the corpus; publish without replacing.")
    if occupied(target) and target != old:
        raise PublishError(f"An interview file named {target.name} is already in the corpus. "
                           "Choose to replace it, or rename your file and upload it again.")
    # the index knows the replaced file by its key: a link's is the file it leads to
    change = Change(target, replaced=old.resolve() if old is not None else None)
    try:
        if old is not None:
            change.archived += archive(old, archive_dir)
        stray = corpus.override_path(target)
        if stray.exists():
            change.archived.append(move_to_archive(stray, archive_dir))
        link_new(staged, target)
        change.created.append(target)
        meta = corpus.override_path(staged)
        if meta.exists():
            link_new(meta, corpus.override_path(target))
            change.created.append(corpus.override_path(target))
    except BaseException:
        change.undo()
        raise
    return change


def withdraw(corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike,
             relative: str) -> Change:
    """Move a corpus file (and its overrides) to the archive; nothing is deleted. Any visible
    file may go, also one builds cannot read; a link goes itself, also one leading nowhere,
    and the file it leads to stays where it is (its `link` and `led_to` say where)."""
    path = corpus_path(corpus_dir, relative, any_type=True)
    if not path.is_file() and not path.is_symlink():
        raise PublishError(f"{relative} is not in the corpus (already withdrawn?).")
    link = link_target(path, corpus_dir)
    led_to = path.resolve() if link and link != MISSING else None
    return Change(path, archived=archive(path, archive_dir), link=link, led_to=led_to)


def archive(path: Path, archive_dir: str | os.PathLike) -> list[tuple[Path, Path]]:
    """Move a file and its NAME.meta.json to the archive; returns (original, archived) pairs."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    moved = [move_to_archive(path, archive_dir, stamp)]
    meta = corpus.override_path(path)
    if meta.exists():
        moved.append(move_to_archive(meta, archive_dir, stamp))
    return moved


def move_to_archive(path: Path, archive_dir: str | os.PathLike,
                    stamp: str = "") -> tuple[Path, Path]:
    """Move one file into the archive under a time-stamped name; never overwrites."""
    folder = Path(archive_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}-{path.name}"
    n = 2
    while target.exists():
        target, n = folder / f"{stamp}.{n}-{path.name}", n + 1  # see ARCHIVED
    shutil.move(path, target)
    return path, target


def restore(corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike,
            archived: str) -> Change:
    """Move an archived interview file (and the NAME.meta.json archived with it) back into the
    corpus under its own name, unless a file of that name is there now."""
    source = archived_path(archive_dir, archived)
    target = corpus_path(corpus_dir, original_name(source))
    if occupied(target):
        raise PublishError(f"A file named {target.name} is in the corpus now: withdraw it "
                           f"first to restore this version ({archived}).")
    change = Change(target)
    try:
        stray = corpus.override_path(target)
        if stray.exists():  # corrections left without their file: not this version's
            change.archived.append(move_to_archive(stray, archive_dir))
        for old, new in ((source, target),
                         (corpus.override_path(source), corpus.override_path(target))):
            if old.is_file():
                link_new(old, new)
                change.restored.append((old, new))
                old.unlink()
    except BaseException:
        change.undo()
        raise
    return change


def correct(corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike, relative: str,
            values: dict[str, str | None]) -> Change:
    """Make `values` the corrections of a corpus file (its NAME.meta.json, where a build
    reads it: see interview_path; none: no file). The corrections they replace go to the
    archive: nothing is deleted."""
    path = interview_path(corpus_dir, relative)
    if not path.is_file():
        raise PublishError(f"{relative} is not in the corpus (withdrawn?).")
    change = Change(path)
    meta = corpus.override_path(path)
    try:
        if meta.exists():
            change.archived.append(move_to_archive(meta, archive_dir))
        change.created.append(meta)
        write_overrides(path, values)
    except BaseException:
        change.undo()
        raise
    return change


# the archive's names: a UTC time stamp (".2", ".3" when two files of one name are archived
# in the same microsecond), a dash, the name the file had in the corpus
ARCHIVED = re.compile(r"(?P<stamp>\d{8}T\d{12}Z)(?:\.\d+)?-(?P<name>[^/\\]+)")


def archived_path(archive_dir: str | os.PathLike, archived: str) -> Path:
    """The archived interview file `archived` names (see ARCHIVED), refusing anything else:
    other folders, links leading out of the archive, NAME.meta.json, hidden names."""
    root = Path(archive_dir).resolve()
    match = ARCHIVED.fullmatch(archived or "")
    try:
        candidate = (root / (archived or "")).resolve()
    except (ValueError, OSError):
        candidate = root
    if (not match or candidate.parent != root or candidate.name != archived
            or not interview_name(Path(match["name"])) or not candidate.is_file()):
        raise PublishError(f"{archived!r} is not an interview file in the archive.")
    return candidate


def original_name(archived: Path) -> str:
    """The corpus name of an archived file."""
    return ARCHIVED.fullmatch(archived.name)["name"]


def archived_files(archive_dir: str | os.PathLike) -> list[Path]:
    """The interview files in the archive, the most recently archived first."""
    root = Path(archive_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_file() and not p.is_symlink()
             and (m := ARCHIVED.fullmatch(p.name)) and interview_name(Path(m["name"]))]
    return sorted(found, key=lambda p: p.name, reverse=True)


def link_new(source: Path, target: Path) -> None:
    """Copy `source` to `target` atomically and only if `target` does not exist."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # hidden: builds skip it
    shutil.copyfile(source, tmp)
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise PublishError(f"{target.name} appeared in the corpus meanwhile; try again.") from None
    finally:
        tmp.unlink(missing_ok=True)


def read_overrides(path: Path) -> dict[str, str | None]:
    """The override fields set in NAME.meta.json beside `path`, None for a field cleared
    (see corpus.apply_overrides; {} without a readable file: an index build ignores such a
    file, with a warning)."""
    try:
        values = json.loads(corpus.override_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(values, dict):
        return {}
    return corpus.overrides(values)


def write_overrides(path: Path, values: dict[str, str | None]) -> None:
    """Write NAME.meta.json beside `path` with the override fields set or cleared (None),
    or remove it when there are none."""
    kept = corpus.overrides(values)
    meta = corpus.override_path(path)
    if kept:
        meta.write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        meta.unlink(missing_ok=True)


def broken_links(corpus_dir: str | os.PathLike) -> list[Path]:
    """Links in `corpus_dir` that lead nowhere (the file deleted or moved, a loop), sorted:
    builds pass over them; staff may withdraw them."""
    root = Path(corpus_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_symlink() and not p.exists()
                  and corpus.is_visible(p, root) and not p.name.endswith(corpus.OVERRIDE_SUFFIX))


def visible_files(corpus_dir: str | os.PathLike) -> list[Path]:
    """Every file in `corpus_dir` a build reads or names as skipped, sorted."""
    root = Path(corpus_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if corpus.is_visible_file(p, root))


def corpus_files(corpus_dir: str | os.PathLike) -> list[Path]:
    """The interview files a build of `corpus_dir` reads, sorted."""
    root = Path(corpus_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if corpus.is_corpus_file(p, root))
