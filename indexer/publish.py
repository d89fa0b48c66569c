"""Corpus files as staff change them: safe names, no silent overwrite, withdraw to an archive.

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
    """Files a publish or withdraw created, and files it moved to the archive."""

    file: Path
    created: list[Path] = field(default_factory=list)
    archived: list[tuple[Path, Path]] = field(default_factory=list)
    replaced: Path | None = None  # the corpus file `file` replaces (it keeps that one's ids)

    def undo(self) -> None:
        """Put the corpus back as it was: remove what was created, restore what was archived."""
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


def corpus_path(corpus_dir: str | os.PathLike, relative: str) -> Path:
    """The corpus file `relative` names, refusing anything outside the corpus folder."""
    root = Path(corpus_dir).resolve()
    candidate = (root / (relative or "")).resolve()
    if root not in candidate.parents or not interview_name(candidate.relative_to(root)):
        raise PublishError(f"{relative!r} is not an interview file in the corpus.")
    return candidate


def interview_name(relative: Path) -> bool:
    """Whether a corpus-relative path names a file builds read (see corpus.is_corpus_file)."""
    return (not any(part.startswith(".") for part in relative.parts)
            and not relative.name.endswith(corpus.OVERRIDE_SUFFIX)
            and relative.suffix.lower() in formats.SUPPORTED_SUFFIXES)


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
    if target.exists() and target != old:
        raise PublishError(f"An interview file named {target.name} is already in the corpus. "
                           "Choose to replace it, or rename your file and upload it again.")
    change = Change(target, replaced=old)
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
    """Move a corpus file (and its overrides) to the archive; nothing is deleted."""
    path = corpus_path(corpus_dir, relative)
    if not path.is_file():
        raise PublishError(f"{relative} is not in the corpus (already withdrawn?).")
    return Change(path, archived=archive(path, archive_dir))


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
        target, n = folder / f"{stamp}-{n}-{path.name}", n + 1
    shutil.move(path, target)
    return path, target


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


def read_overrides(path: Path) -> dict[str, str]:
    """The override fields set in NAME.meta.json beside `path` ({} without a readable one:
    an index build ignores such a file, with a warning)."""
    try:
        values = json.loads(corpus.override_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(values, dict):
        return {}
    return {k: v.strip() for k, v in values.items()
            if k in corpus.OVERRIDE_FIELDS and isinstance(v, str) and v.strip()}


def write_overrides(path: Path, values: dict[str, str]) -> None:
    """Write NAME.meta.json beside `path` with the non-empty override fields (or remove it)."""
    kept = {k: v.strip() for k, v in values.items()
            if k in corpus.OVERRIDE_FIELDS and isinstance(v, str) and v.strip()}
    meta = corpus.override_path(path)
    if kept:
        meta.write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        meta.unlink(missing_ok=True)


def corpus_files(corpus_dir: str | os.PathLike) -> list[Path]:
    """The interview files a build of `corpus_dir` reads, sorted."""
    root = Path(corpus_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if corpus.is_corpus_file(p, root))
