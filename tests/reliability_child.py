"""Run ``qa-index ARGS`` but stop, alive, at one phase of the write, so a test can kill -9 it.

Usage: python tests/reliability_child.py PHASE SIGNAL_FILE qa-index-arguments...

Phases (the product code is not changed; its functions are wrapped here, in the child only):

- ``parse``: while parsing, after the second file, with the writer lock held.
- ``write``: every document given to the Whoosh writer, nothing committed.
- ``commit``: the new build committed, checked and described (manifest), not switched to.
- ``switch``: the new ``CURRENT`` written to its temporary file, not yet renamed over the old.
- ``clone``: (update) the serving build copied into the new build directory.

On reaching its phase the child writes SIGNAL_FILE and sleeps until it is killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from indexer import cli
from indexer import formats
from indexer import store

PHASES = ("parse", "write", "commit", "switch", "clone")


def main(phase: str, signal_file: str, args: list[str]) -> None:
    if phase not in PHASES:
        raise SystemExit(f"unknown phase {phase!r}; one of {', '.join(PHASES)}")

    def reached() -> None:
        Path(signal_file).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(300)
        os._exit(3)  # never killed: fail loudly

    def after(function, condition=lambda *a, **k: True):
        def wrapped(*args, **kwargs):
            result = function(*args, **kwargs)
            if condition(*args, **kwargs):
                reached()
            return result
        return wrapped

    if phase == "parse":
        calls = []

        def second(*args, **kwargs):
            calls.append(1)
            return len(calls) == 2

        formats.parse_file = after(formats.parse_file, second)
    elif phase == "write":
        store.add_files = after(store.add_files)
        store.apply_changes = after(store.apply_changes)
    elif phase == "commit":
        store.check_build = after(store.check_build)
    elif phase == "switch":
        replace = os.replace

        def before_switch(src, dst, *args, **kwargs):
            if Path(dst).name == store.POINTER:
                reached()
            return replace(src, dst, *args, **kwargs)

        os.replace = before_switch
    elif phase == "clone":
        store.clone_build = after(store.clone_build)
    cli.cli(args, prog_name="qa-index")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
