"""Shared fixtures: paths, a real index of the seed corpus, small corpora in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import store
from indexer.search import SearchIndex

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SEED = CORPUS / "he-huang-cellular-immunotherapy.txt"
SHARED = REPO.parent / "shared"
MEDQUAD = SHARED / "data" / "medquad-eval"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def needs_shared(*parts: str) -> Path:
    """The path under ../shared, or skip the test saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: place the project's shared/ folder beside the repo")
    return path


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory) -> Path:
    """An index of the shipped corpus/, built once per test session (treat as read-only)."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    store.build(index_dir, [CORPUS])
    return index_dir


@pytest.fixture(scope="session")
def seed_index(seed_index_dir) -> SearchIndex:
    return SearchIndex(seed_index_dir)


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    """An empty corpus folder; write interview files into it."""
    path = tmp_path / "corpus"
    path.mkdir()
    return path


def write_interview(folder: Path, name: str, pairs: list[tuple[str, str]],
                    interviewee: str = "Dr. Ada Lovelace", title: str = "") -> Path:
    """A plain-text interview file: a title line, then `Host:` / interviewee turns."""
    lines = [title, ""] if title else []
    for question, answer in pairs:
        lines += [f"Host: {question}", "", f"{interviewee}: {answer}", ""]
    path = folder / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --- reliability figures ---------------------------------------------------------------

FIGURES = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def figures(request) -> dict[str, dict]:
    """Reliability scenarios' figures (scenario -> {name: value}), printed at the end of the run.

    Tests add to it with ``figures[scenario] = {...}`` (and print them too); the table appears
    under "Reliability figures" in the terminal summary of every run, passing or not.
    """
    return request.config.stash.setdefault(FIGURES, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    found = config.stash.get(FIGURES, None)
    if not found:
        return
    terminalreporter.section("Reliability figures")
    width = max(len(name) for name in found)
    for name, values in sorted(found.items()):
        shown = ", ".join(f"{key} {value}" for key, value in values.items())
        terminalreporter.write_line(f"{name:<{width}}  {shown}")
