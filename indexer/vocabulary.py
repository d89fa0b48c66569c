"""The curated medical vocabulary: UK/US spellings, synonyms and abbreviations, unstemmed names.

The file format (``indexer/data/vocabulary.txt``, documented in its header) has three sections:

* ``[spellings]``: ``variant = canonical`` single words, applied by the analyzer at index and
  query time (so ``leukaemia`` and ``leukemia`` are one term; reindex after editing);
* ``[synonyms]``: groups of equivalent expressions separated by ``|``, expanded at query time in
  every direction; an expression written in capitals (``ALL``) matches only when typed in
  capitals;
* ``[no-stem]``: words the stemmer must leave alone (drug and gene names that Porter mangles).

``QA_VOCABULARY`` names another file to use instead.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("data") / "vocabulary.txt"
SECTIONS = ("spellings", "synonyms", "no-stem")


class VocabularyError(ValueError):
    """A malformed vocabulary line, named by file and line number."""


def vocabulary_path() -> Path:
    return Path(os.environ.get("QA_VOCABULARY") or DEFAULT_PATH)


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> dict:
    """Parse the vocabulary file into {"spellings": {}, "synonyms": [], "no-stem": set()}."""
    path = path or vocabulary_path()
    data: dict = {"spellings": {}, "synonyms": [], "no-stem": set()}
    section = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section not in SECTIONS:
                raise VocabularyError(f"{path}:{number}: unknown section [{section}]")
            continue
        add_line(data, section, line, f"{path}:{number}")
    return data


def add_line(data: dict, section: str | None, line: str, where: str) -> None:
    """Add one non-empty line of a section to the parsed vocabulary."""
    if section == "spellings":
        variant, sep, canonical = line.partition("=")
        if not sep or not variant.strip() or not canonical.strip():
            raise VocabularyError(f"{where}: expected 'variant = canonical', got {line!r}")
        data["spellings"][variant.strip().lower()] = canonical.strip().lower()
    elif section == "synonyms":
        group = [e.strip() for e in line.split("|") if e.strip()]
        if len(group) < 2:
            raise VocabularyError(f"{where}: a synonym group needs two expressions: {line!r}")
        data["synonyms"].append(group)
    elif section == "no-stem":
        data["no-stem"].update(w.lower() for w in line.split())
    else:
        raise VocabularyError(f"{where}: line outside a [section]: {line!r}")


def spellings() -> dict[str, str]:
    return load()["spellings"]


def synonym_groups() -> list[list[str]]:
    return load()["synonyms"]


@lru_cache(maxsize=1)
def no_stem() -> frozenset[str]:
    """Words never stemmed: the [no-stem] list and every one-word acronym among the synonyms.

    Read once, like spellings() (the analyzer asks for every new word it meets)."""
    data = load()
    words = set(data["no-stem"])
    for group in data["synonyms"]:
        words.update(e.lower() for e in group if " " not in e and e.isupper())
    return frozenset(words)
