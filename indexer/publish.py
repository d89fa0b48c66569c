"""Corpus files as staff change them: safe names, no silent overwrite, withdraw to an archive,
restore from it, corrections in NAME.meta.json.

A link in the corpus folder is handled as the link: withdrawing archives the link itself (a
record of where it leads, which Restore makes the link again from; never the file it leads
to), corrections go where a build reads them (corpus.reading_path: beside
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
    link: str = ""  # `file` was (or is, restored) a link: where it leads (see link_target)
    led_to: Path | None = None  # the file a withdrawn link led to, resolved
    unlinked: list[tuple[Path, str]] = field(default_factory=list)  # links removed, their text
    removed: list[tuple[Path, bytes]] = field(default_factory=list)  # link records restored

    def undo(self) -> None:
        """Put the corpus back as it was: remove what was created, restore what was archived,
        return what was restored to the archive, make removed links and records again."""
        for archived, path in reversed(self.restored):
            if archived.exists():  # copied back but not yet removed from the archive
                path.unlink(missing_ok=True)
            else:
                shutil.move(path, archived)
        for path in reversed(self.created):
            path.unlink(missing_ok=True)
        for original, archived in reversed(self.archived):
            shutil.move(archived, original)
        for path, text in reversed(self.unlinked):
            os.symlink(text, path)
        for path, data in reversed(self.removed):
            path.write_bytes(data)


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
    return leads_to(path, corpus_dir) if path.is_symlink() else ""


def leads_to(path: Path, corpus_dir: str | os.PathLike) -> str:
    """Where `path` leads, links followed: its corpus name, OUTSIDE or MISSING (a loop too)."""
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
            archive(old, corpus_dir, archive_dir, change)
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
    file may go, also one builds cannot read; a link goes itself (see archive_link), also one
    leading nowhere, and the file it leads to stays where it is (its `link` and `led_to` say
    where)."""
    path = corpus_path(corpus_dir, relative, any_type=True)
    if not path.is_file() and not path.is_symlink():
        raise PublishError(f"{relative} is not in the corpus (already withdrawn?).")
    link = link_target(path, corpus_dir)
    change = Change(path, link=link, led_to=path.resolve() if link not in ("", MISSING) else None)
    try:
        archive(path, corpus_dir, archive_dir, change)
    except BaseException:
        change.undo()
        raise
    return change


def archive(path: Path, corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike,
            change: Change) -> None:
    """Move a corpus file (a link: see archive_link) and its NAME.meta.json to the archive,
    noting on `change` what moved."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    if path.is_symlink():
        archive_link(path, corpus_dir, archive_dir, stamp, change)
    else:
        change.archived.append(move_to_archive(path, archive_dir, stamp))
    meta = corpus.override_path(path)
    if meta.exists():
        change.archived.append(move_to_archive(meta, archive_dir, stamp))


def archive_link(link: Path, corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike,
                 stamp: str, change: Change) -> None:
    """Archive a corpus link as a record of it (`link`: its text, `from`: its corpus name),
    then remove it; the file it leads to is not touched. The archive holds no links: a link
    there is never restored (it may lead to any file the server can read), a record only
    this function writes is, by making the link again (see restore_link)."""
    text = os.readlink(link)
    record = {"link": text, "from": link.relative_to(Path(corpus_dir).resolve()).as_posix()}
    target = archive_name(Path(archive_dir), stamp, link.name, LINK_MARK)
    with target.open("x", encoding="utf-8") as out:  # never overwrites
        change.created.append(target)
        json.dump(record, out, ensure_ascii=False)
    link.unlink()
    change.unlinked.append((link, text))


def move_to_archive(path: Path, archive_dir: str | os.PathLike,
                    stamp: str = "") -> tuple[Path, Path]:
    """Move one file into the archive under a time-stamped name; never overwrites."""
    stamp = stamp or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = archive_name(Path(archive_dir), stamp, path.name)
    shutil.move(path, target)
    return path, target


def archive_name(folder: Path, stamp: str, name: str, mark: str = "") -> Path:
    """A free name in the archive folder (made if need be) for the corpus file `name` (see
    ARCHIVED)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stamp}{mark}-{name}"
    n = 2
    while occupied(target):
        target, n = folder / f"{stamp}.{n}{mark}-{name}", n + 1
    return target


class Superseded(PublishError):
    """A restore refused because a corpus file holds what the archived version would bring
    back (`current`: its name, when replacing that one file with the version is the way)."""

    def __init__(self, message: str, current: str = "") -> None:
        super().__init__(message)
        self.current = current


def name_taken(target: Path) -> Superseded:
    """Why an archived file is not restored to its corpus name `target`: a file of that name
    is there now (which it may replace, unless that is a link leading nowhere)."""
    return Superseded(f"A file named {target.name} is in the corpus now: withdraw it first to "
                      "restore this version, or replace it with this version.",
                      target.name if target.is_file() else "")


def restore(corpus_dir: str | os.PathLike, archive_dir: str | os.PathLike, archived: str,
            *, replace: str | None = None) -> Change:
    """Move an archived interview file (and the NAME.meta.json archived with it) back into the
    corpus under its own name, unless a file of that name is there now; an archived link is
    made again (see restore_link). With `replace`, that corpus file moves to the archive
    first (the restored file takes its ids, as a replacement does: see publish)."""
    source = archived_path(archive_dir, archived)
    match = ARCHIVED.fullmatch(source.name)
    target = corpus_path(corpus_dir, match["name"])
    old = corpus_path(corpus_dir, replace) if replace else None
    if old is not None and not old.is_file():
        raise PublishError(f"{replace} is no longer in the corpus; restore without replacing.")
    if occupied(target) and target != old:
        raise name_taken(target)
    change = Change(target, replaced=old.resolve() if old is not None else None)
    try:
        if old is not None:
            archive(old, corpus_dir, archive_dir, change)
        stray = corpus.override_path(target)
        if stray.exists():  # corrections left without their file: not this version's
            change.archived.append(move_to_archive(stray, archive_dir))
        moves = [(corpus.override_path(source.with_name(unmarked(match))),
                  corpus.override_path(target))]
        if match["link"]:
            restore_link(source, corpus_dir, change)
        else:
            moves.insert(0, (source, target))
        for kept, back in moves:
            if kept.is_file():
                link_new(kept, back)
                change.restored.append((kept, back))
                kept.unlink()
    except BaseException:
        change.undo()
        raise
    return change


def restore_link(record: Path, corpus_dir: str | os.PathLike, change: Change) -> None:
    """Make the link the archived `record` holds (see archive_link) again at `change.file`,
    and take the record out of the archive; refused when the file it led to is gone."""
    text, where, gone = archived_link(record, corpus_dir)
    if gone:
        raise PublishError(gone)
    try:
        os.symlink(text, change.file)
    except FileExistsError:
        raise PublishError(f"{change.file.name} appeared in the corpus meanwhile; try "
                           "again.") from None
    change.created.append(change.file)
    change.link = where
    change.removed.append((record, record.read_bytes()))
    record.unlink()


def archived_link(record: Path, corpus_dir: str | os.PathLike) -> tuple[str, str, str]:
    """What restoring the archived link `record` makes, in the corpus folder (as a file is
    restored): the link's text (its own; a relative link from a subfolder is made to lead to
    the same file), where it leads (see link_target) and why it cannot be made (its file is
    gone), or ""."""
    try:
        held = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        held = None
    text, came_from = (held.get("link"), held.get("from")) if isinstance(held, dict) else ("", "")
    if not (text and isinstance(text, str) and isinstance(came_from, str)):
        return "", MISSING, f"{record.name} is not a link the archive can restore (unreadable)."
    root = Path(corpus_dir).resolve()
    folder = (root / came_from).parent
    if not os.path.isabs(text) and folder != root:
        text = os.path.relpath(os.path.join(folder, text), root)
    where = leads_to(root / text, root)
    if where != MISSING:
        return text, where, ""
    name = ARCHIVED.fullmatch(record.name)["name"]
    led = Path(os.path.normpath(root / text))
    if root in led.parents:
        led_name = led.relative_to(root).as_posix()
        return text, where, (f"{name} was a link to {led_name}, which is not in the corpus "
                             f"now: restore {led_name} first, then the link.")
    return text, where, (f"{name} was a link to a file outside the corpus folder that is gone: "
                         "the link cannot be restored unless that file is back.")


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
# in the same microsecond), ".link" for the record of a link (see archive_link: no corpus name
# can make it), a dash, the name the file had in the corpus
LINK_MARK = ".link"
ARCHIVED = re.compile(r"(?P<stamp>\d{8}T\d{12}Z)(?:\.\d+)?(?P<link>\.link)?-(?P<name>[^/\\]+)")


def unmarked(match: re.Match) -> str:
    """An archived name without the mark of a link's record: the name its NAME.meta.json,
    archived with it, goes by."""
    name = match.string
    return name[:match.start("link")] + name[match.end("link"):] if match["link"] else name


def archived_path(archive_dir: str | os.PathLike, archived: str) -> Path:
    """The archived interview file (or link record) `archived` names (see ARCHIVED), refusing
    anything else: other folders, links leading out of the archive, NAME.meta.json, hidden
    names."""
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


def walk(corpus_dir: str | os.PathLike) -> list[Path]:
    """Everything under `corpus_dir`, sorted: one walk of the folder, for a page to take all
    it lists from (see shown_files)."""
    root = Path(corpus_dir)
    return sorted(root.rglob("*")) if root.is_dir() else []


def shown_files(walked: list[Path], corpus_dir: str | os.PathLike) -> list[Path]:
    """Of a walk of `corpus_dir`, the files staff see: every file a build reads or names as
    skipped, and links leading nowhere (the file deleted or moved, a loop: builds pass over
    them; staff may withdraw them)."""
    root = Path(corpus_dir)
    return [p for p in walked if corpus.is_visible_file(p, root) or is_broken_link(p, root)]


def is_broken_link(path: Path, root: Path) -> bool:
    """A visible link in the corpus folder `root` that leads nowhere (not to an override)."""
    return (path.is_symlink() and not path.exists() and corpus.is_visible(path, root)
            and not path.name.endswith(corpus.OVERRIDE_SUFFIX))


def corpus_files(corpus_dir: str | os.PathLike) -> list[Path]:
    """The interview files a build of `corpus_dir` reads, sorted."""
    root = Path(corpus_dir)
    return [p for p in walk(root) if corpus.is_corpus_file(p, root)]
