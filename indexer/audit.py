"""The staff audit log: one JSON object per line (time, staff, action, file, outcome, detail)."""

from __future__ import annotations

import json
import os
from collections import deque
from datetime import datetime
from datetime import timezone
from pathlib import Path

ACTIONS = ("publish", "replace", "withdraw", "rebuild")
OUTCOMES = ("ok", "failed", "refused")


def append(path: str | os.PathLike, staff: str, action: str, file: str, outcome: str,
           detail: str = "") -> dict:
    """Append one entry (a single write of one line, so concurrent writers do not mix)."""
    entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "staff": staff,
             "action": action, "file": file, "outcome": outcome, "detail": detail}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return entry


def recent(path: str | os.PathLike, limit: int = 20) -> list[dict]:
    """The last `limit` entries, newest first (unreadable lines are skipped)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = deque(handle, maxlen=limit)
    except FileNotFoundError:
        return []
    entries = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
