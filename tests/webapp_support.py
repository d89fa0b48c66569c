"""Helpers for the web app tests: a small hostile corpus, an app over an index, HTML parsing."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import write_interview
from flask import Flask

from indexer import store
from indexer.query import QueryError
from indexer.query import clean
from indexer.query import parse
from indexer.query import unshout
from webapp import create_app

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
RAW_TAGS = (SCRIPT, IMG, "<script", "<img")

WARD = [
    ("How do you manage febrile neutropenia in patients after chemotherapy?",
     "Start broad-spectrum antibiotics within one hour of the fever.\n\n"
     "Reassess the patients at 48 hours and narrow the antibiotics when cultures return."),
    ("When do you refer patients for CAR-T cell therapy?",
     "We refer patients with relapsed lymphoma early, because manufacturing takes weeks."),
    ("What do patients ask most often?", "Patients ask how long the fatigue lasts."),
    ("How do you explain risks to patients?",
     "We describe cytokine release syndrome plainly and give patients a written plan."),
    ("What would you tell a new resident?",
     "Listen to patients first; the history is usually the diagnosis."),
]
CLINIC = [
    ("How do you follow patients after transplant?",
     "Weekly visits for the first hundred days, then monthly."),
    ("Which vaccines do you give after transplant?",
     "We restart inactivated vaccines at six months."),
]
HOSTILE = [
    (f"Is <b>this</b> markup {SCRIPT} escaped in sepsis answers?",
     f"Yes: {SCRIPT} and {IMG} are only text about sepsis.\n\n"
     f"A second paragraph about sepsis {IMG} ends here."),
    ("Anything else to add?", "No, thank you."),
]


def write_small_corpus(folder: Path) -> Path:
    """Three interviews (nine pairs), one with markup in its text and a javascript: source."""
    folder.mkdir(parents=True, exist_ok=True)
    write_interview(folder, "ward-rounds.txt", WARD, title="Ward rounds with Dr. Ada Lovelace")
    write_meta(folder / "ward-rounds.txt", source="https://example.org/ward-rounds",
               date="2024-03-05", interviewer="Sam Host")
    write_interview(folder, "clinic-notes.txt", CLINIC, interviewee="Dr. Grace Hopper",
                    title="Clinic notes with Dr. Grace Hopper")
    write_interview(folder, "hostile.txt", HOSTILE, interviewee="Dr. Mallory",
                    title=f"Hostile {SCRIPT} interview")
    write_meta(folder / "hostile.txt", source="javascript:alert(1)")
    return folder


def write_meta(path: Path, **values: str) -> None:
    """A staff override file (NAME.meta.json) setting metadata the text format lacks."""
    path.with_name(path.name + ".meta.json").write_text(json.dumps(values), encoding="utf-8")


def build_small_index(root: Path) -> Path:
    """A real index of the small corpus under `root`; returns the index directory."""
    index_dir = root / "index"
    store.build(index_dir, [write_small_corpus(root / "corpus")])
    return index_dir


def make_app(index_dir: Path, **config) -> Flask:
    """The app in testing mode over `index_dir`."""
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), **config})


def soup(response) -> BeautifulSoup:
    """Parse an HTML response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def html_fields(value, key: str = "") -> list[str]:
    """Every string under a key ending in `_html`, anywhere in a JSON value."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in html_fields(v, k)]
    if isinstance(value, list):
        return [s for item in value for s in html_fields(item, key)]
    return [value] if key.endswith("_html") and isinstance(value, str) else []


def text(element) -> str:
    """An element's text with white space collapsed."""
    return " ".join(element.get_text(" ").split())


def refusal(query: str) -> str | None:
    """Why the app answers `query` with a 400 (too long, or only excluded words), else None:
    the same steps as SearchIndex.search before it reads the index."""
    try:
        parse(unshout(clean(query)), expand=False)
    except QueryError as exc:
        return str(exc)
    return None
