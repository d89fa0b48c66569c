"""Uploads awaiting publication: staged in WORK_DIR/uploads/<token>/<n>/, parsed for preview.

A batch is one upload of one or several files. Each item keeps the safe corpus name, an
error when the file was refused (type, size, name), the staff corrections (written as the
staged file's NAME.meta.json, so the preview shows exactly what an index build will read)
and, once published, where it went. Nothing here touches the corpus or the index.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import BinaryIO

from indexer import corpus
from indexer import formats
from indexer import publish
from indexer.model import ParseResult

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
BATCH = "batch.json"
CHUNK = 64 * 1024
MAX_AGE_SECONDS = 24 * 3600


@dataclass
class Upload:
    """One file of an upload as received: its name as sent and its content."""

    filename: str
    stream: BinaryIO


@dataclass
class Item:
    """One staged file."""

    n: int
    original: str
    name: str = ""
    size: int = 0
    error: str = ""
    replaces: str = ""
    published: dict = field(default_factory=dict)
    kept: dict = field(default_factory=dict)  # corrections carried over from the replaced file
    kept_from: str = ""  # the corpus file they were made to
    job: str = ""  # the id of its background publish (staffops.publish_in_background)


@dataclass
class Batch:
    """One upload: a token, who made it, its items."""

    token: str
    staff: str
    created: float
    items: list[Item]
    folder: Path

    def item(self, n: int) -> Item | None:
        """The item numbered `n`, or None."""
        return next((i for i in self.items if i.n == n), None)

    def path(self, item: Item) -> Path:
        """Where the item's staged file is."""
        return self.folder / str(item.n) / item.name


def stage(work_dir: Path, uploads: list[Upload], staff: str, max_bytes: int,
          replaces: str = "") -> Batch:
    """Save the uploaded files under a new token, refusing wrong types and oversize files."""
    remove_stale(work_dir)
    token = secrets.token_urlsafe(18)
    batch = Batch(token, staff, time.time(), [], uploads_dir(work_dir) / token)
    for n, upload in enumerate(uploads, 1):
        item = Item(n, upload.filename[:300], replaces=replaces)
        batch.items.append(item)
        try:
            item.name = publish.safe_name(upload.filename)
        except publish.PublishError as exc:
            item.error = str(exc)
            continue
        item.size, item.error = save_capped(upload.stream, batch.path(item), max_bytes,
                                            item.original)
    save(batch)
    return batch


def save_capped(stream: BinaryIO, path: Path, max_bytes: int, original: str) -> tuple[int, str]:
    """Copy `stream` to `path`, giving up (and removing it) past `max_bytes`: (size, error
    naming the file as uploaded, `original`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(path, "wb") as handle:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                break
            handle.write(chunk)
    if size > max_bytes:
        shutil.rmtree(path.parent, ignore_errors=True)
        return 0, f"{original} is larger than the {megabytes(max_bytes)} limit per file."
    if size == 0:
        return 0, f"{original} is empty."
    return size, ""


def megabytes(n: int) -> str:
    """A byte count as MB for messages."""
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def load(work_dir: Path, token: str) -> Batch | None:
    """The batch with `token`, or None (unknown, malformed or expired token)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    folder = uploads_dir(work_dir) / token
    try:
        data = json.loads((folder / BATCH).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    items = [Item(**item) for item in data["items"]]
    return Batch(token, data["staff"], data["created"], items, folder)


def save(batch: Batch) -> None:
    """Write the batch's record."""
    batch.folder.mkdir(parents=True, exist_ok=True)
    record = {"staff": batch.staff, "created": batch.created,
              "items": [asdict(item) for item in batch.items]}
    (batch.folder / BATCH).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def discard(batch: Batch, item: Item) -> None:
    """Drop one staged file; the batch goes when nothing is left to publish."""
    shutil.rmtree(batch.folder / str(item.n), ignore_errors=True)
    batch.items.remove(item)
    save(batch)


def uploads_dir(work_dir: Path) -> Path:
    """The folder holding all batches."""
    return Path(work_dir) / "uploads"


def remove_stale(work_dir: Path) -> None:
    """Remove batches older than a day."""
    folder = uploads_dir(work_dir)
    if not folder.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for batch in folder.iterdir():
        if batch.is_dir() and batch.stat().st_mtime < cutoff:
            shutil.rmtree(batch, ignore_errors=True)


def parse(batch: Batch, item: Item) -> ParseResult:
    """What an index build will read from the staged file, corrections included."""
    return read(batch.path(item), item.name)


def read(path: Path, name: str) -> ParseResult:
    """What an index build reads from the file at `path` (named `name` in messages), its
    NAME.meta.json corrections included."""
    result = formats.parse_file(path, name)
    corpus.apply_overrides(path, result)
    return result


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def same_content(path: Path, corpus_dir: Path) -> list[str]:
    """Corpus files (relative names) with exactly the bytes of `path`."""
    size, digest, found = path.stat().st_size, None, []
    for other in publish.corpus_files(corpus_dir):
        if other.stat().st_size == size:
            digest = digest or file_sha256(path)
            if file_sha256(other) == digest:
                found.append(str(other.relative_to(corpus_dir)))
    return found
