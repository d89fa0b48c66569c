"""The curated medical vocabulary: UK/US spellings, synonyms and abbreviations, unstemmed names.

The file format (``indexer/data/vocabulary.txt``, documented in its header) has five sections:

* ``[spellings]``: ``variant = canonical`` single words, applied by the analyzer at index and
  query time (so ``leukaemia`` and ``leukemia`` are one term; reindex after editing);
* ``[synonyms]``: groups of equivalent expressions separated by ``|``, expanded at query time in
  every direction; a one-word name (``AML``) also matches typed in lower case (``aml``);
* ``[findings]``: synonym groups of a lay and a clinical name of a raised or lowered level of
  something also eaten (``hyponatremia | low sodium``), which a query about food or diet does
  not expand (its "low sodium" is the food's);
* ``[capitals-only]``: one-word names whose lower-case form is another word or a word's stem
  (``PET``, ``AIDS``, ``KIT``, ``ABL`` of "able"): written in capitals they are indexed apart
  from the word, and expand only when typed in capitals, like the stop words ``ALL``;
* ``[no-stem]``: words the stemmer must leave alone (drug and gene names that Porter mangles).

``QA_VOCABULARY`` names another file to use instead.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("data") / "vocabulary.txt"
SECTIONS = ("spellings", "synonyms", "findings", "capitals-only", "no-stem", "lettered")


class VocabularyError(ValueError):
    """A malformed vocabulary line, named by file and line number."""


def vocabulary_path() -> Path:
    """The vocabulary file: $QA_VOCABULARY, else the bundled data/vocabulary.txt."""
    return Path(os.environ.get("QA_VOCABULARY") or DEFAULT_PATH)


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> dict:
    """Parse the vocabulary file into {"spellings": {}, "synonyms": [], "findings": [],
    "capitals-only": set(), "no-stem": set(), "lettered": set()}; "synonyms" holds the
    [findings] groups too."""
    path = path or vocabulary_path()
    data: dict = {"spellings": {}, "synonyms": [], "findings": [], "capitals-only": set(),
                  "no-stem": set(), "lettered": set()}
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
    elif section in ("synonyms", "findings"):
        group = [e.strip() for e in line.split("|") if e.strip()]
        if len(group) < 2:
            raise VocabularyError(f"{where}: a synonym group needs two expressions: {line!r}")
        data["synonyms"].append(group)
        if section == "findings":
            data["findings"].append(group)
    elif section == "capitals-only":
        for word in line.split():
            if not any(c.isupper() for c in word) or not word.isalnum():
                raise VocabularyError(f"{where}: a capitals-only name is one word of letters "
                                      f"and digits in capitals (PET, not pet or PET-CT): "
                                      f"{word!r}")
            data["capitals-only"].add(word.lower())
    elif section in ("no-stem", "lettered"):
        data[section].update(w.lower() for w in line.split())
    else:
        raise VocabularyError(f"{where}: line outside a [section]: {line!r}")


def spellings() -> dict[str, str]:
    """The [spellings] map: variant -> canonical, both lower case."""
    return load()["spellings"]


def synonym_groups() -> list[list[str]]:
    """The [synonyms] and [findings] groups, each a list of equivalent expressions as written."""
    return load()["synonyms"]


def finding_groups() -> list[list[str]]:
    """The [findings] groups (also among synonym_groups()): levels a food query does not
    expand."""
    return load()["findings"]


def capitals_only() -> set[str]:
    """One-word names (lower-cased) indexed apart from the English word when written in
    capitals, and expanded only when typed so."""
    return load()["capitals-only"]


def lettered() -> set[str]:
    """Words (lower case) after which a capital A or I names a kind: hepatitis A, type I."""
    return load()["lettered"]


@lru_cache(maxsize=1)
def no_stem() -> frozenset[str]:
    """Words never stemmed: the [no-stem] list and the one-word acronyms among the synonyms
    but the capitals-only ones (in lower case they are words: "aids" meets "aid").

    Read once, like spellings() (the analyzer asks for every new word it meets)."""
    data = load()
    words = set(data["no-stem"])
    for group in data["synonyms"]:  # not the capitals-only ones: in lower case they are
        words.update(e.lower() for e in group  # words ("aids" is hearing aid's plural)
                     if " " not in e and e.isupper() and e.lower() not in data["capitals-only"])
    return frozenset(words)
