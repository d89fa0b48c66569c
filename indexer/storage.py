"""Whoosh storages: how builds are written (every file tracked) and read (shared bytes).

Reading: a serving build's files are read once per process and shared by every thread's reader.

Whoosh gives each reader (one per thread: readers keep file positions, so they are not
shared) its own copy of what it reads: a compound segment is copied from its memory map into
a ``BytesIO`` per reader, which cost about 30 MB per thread on MedQuAD. Builds are written as
separate files (``compound=False``) and read through this storage, which loads each file once
and hands every reader a ``BytesIO`` over the same bytes (CPython shares an immutable
``bytes`` with the ``BytesIO`` made from it; nothing is copied).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.util import random_name


class SharedReadStorage(FileStorage):
    """A read-only Whoosh storage whose files are loaded once and shared by all readers."""

    supports_mmap = False  # a legacy compound segment is then read from the shared bytes too

    def __init__(self, path: str | os.PathLike):
        super().__init__(str(path), readonly=True)
        self._contents: dict[str, bytes] = {}
        self._loading = threading.Lock()

    def open_file(self, name: str, onclose=None, **_kwargs) -> BufferFile:
        return BufferFile(self.contents(name), name=name, onclose=onclose)

    def contents(self, name: str) -> bytes:
        """The file's bytes, read on first use (build files never change once written)."""
        data = self._contents.get(name)
        if data is None:
            with self._loading:
                data = self._contents.get(name)
                if data is None:
                    data = self._contents[name] = Path(self._fpath(name)).read_bytes()
        return data


class TrackedStorage(FileStorage):
    """Whoosh's file storage, remembering the files it opens so that a failed write can close
    them all: Whoosh leaves them open when a write fails (a full disk), which would keep their
    space allocated after the failed build's directory is removed."""

    def __init__(self, path: str | os.PathLike, opened: list | None = None):
        super().__init__(str(path))
        self.opened: list = [] if opened is None else opened

    def create_file(self, name, *args, **kwargs):
        return self.track(super().create_file(name, *args, **kwargs))

    def open_file(self, name, *args, **kwargs):
        return self.track(super().open_file(name, *args, **kwargs))

    def track(self, handle):
        self.opened.append(handle)
        return handle

    def temp_storage(self, name=None):
        folder = os.path.join(self.folder, name or f"{random_name()}.tmp")
        return TrackedStorage(folder, self.opened).create()

    def close_all(self) -> None:
        for handle in self.opened:
            try:
                handle.file.close()  # the raw file: StructFile.close may write first
            except Exception:  # noqa: BLE001 - closed anyway; the write's error is reported
                pass
        self.opened = []
