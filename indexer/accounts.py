"""Staff accounts: names and salted password hashes in one JSON file, shared by CLI and web app.

The file (default ``instance/staff.json``, the web app's ``STAFF_FILE``) maps each name to a
``werkzeug.security`` hash (scrypt, salted); passwords themselves are never stored. It is
written atomically with owner-only permissions.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from datetime import timezone
from pathlib import Path

from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

DEFAULT_STAFF_FILE = "instance/staff.json"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """An account that cannot be added, removed or read; the message says why."""


def load(path: str | os.PathLike) -> dict[str, dict]:
    """Every account in the file: {name: {"hash": ..., "created": ...}} ({} when absent)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise AccountError(f"Cannot read the staff accounts file {path}: {exc}") from exc
    accounts = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(accounts, dict):
        raise AccountError(f"{path} is not a staff accounts file (no \"accounts\" object).")
    return accounts


def names(path: str | os.PathLike) -> list[str]:
    """Account names, sorted."""
    return sorted(load(path))


def exists(path: str | os.PathLike, name: str) -> bool:
    """Whether `name` is a current account (a broken file counts as no accounts)."""
    try:
        return name in load(path)
    except AccountError:
        return False


def check_name(name: str) -> str:
    """`name` if it is a usable account name; AccountError otherwise."""
    if not NAME.fullmatch(name or ""):
        raise AccountError("An account name is 1-64 letters, digits, '.', '_', '@' or '-', "
                           "starting with a letter or digit.")
    return name


def check_password(password: str) -> str:
    """`password` if it is long enough; AccountError otherwise."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD} characters.")
    return password


def add(path: str | os.PathLike, name: str, password: str, *, replace: bool = False) -> None:
    """Store `name` with a salted hash of `password`; refuses to overwrite unless `replace`."""
    accounts = load(path)
    check_name(name)
    check_password(password)
    if name in accounts and not replace:
        raise AccountError(f"There is already an account named {name!r}.")
    accounts[name] = {"hash": generate_password_hash(password),
                      "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    save(path, accounts)


def remove(path: str | os.PathLike, name: str) -> None:
    """Delete the account `name`; AccountError when there is none."""
    accounts = load(path)
    if accounts.pop(name, None) is None:
        raise AccountError(f"There is no account named {name!r}.")
    save(path, accounts)


def verify(path: str | os.PathLike, name: str, password: str) -> bool:
    """Whether `password` is `name`'s; unknown names cost the same time as wrong passwords."""
    try:
        record = load(path).get(name)
    except AccountError:
        record = None
    stored = record.get("hash") if isinstance(record, dict) else None
    if not isinstance(stored, str):
        check_password_hash(decoy_hash(), password or "")
        return False
    return check_password_hash(stored, password or "")


_DECOY: list[str] = []


def decoy_hash() -> str:
    """A hash to check against when there is no account, so timing does not reveal names."""
    if not _DECOY:
        _DECOY.append(generate_password_hash("no such account"))
    return _DECOY[0]


def save(path: str | os.PathLike, accounts: dict[str, dict]) -> None:
    """Write the file atomically, readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"accounts": accounts}, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
