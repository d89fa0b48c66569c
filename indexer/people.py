"""Interviewees by name: a query that names one, and an interviewee filter written loosely.

Clinicians search for a colleague by name ("Dr. Kenji Ono", "Ono"), but names are not in
the searched text: such a query found nothing and offered other people's answers as the
closest in meaning. The search page now offers that interviewee's questions instead, and an
interviewee filter written as people write names ("kenji ono") finds its interviewee, on the
search page and in ``qa-index search`` alike.

Names are compared by their words, case, accents, titles and degrees aside (:func:`words`:
clinicians type "jose munoz"), never by spelling
alone, so a query's ordinary words are left to search: a link is offered only when every word
of the query is in one interviewee's name, or when the query holds an interviewee's whole
name of two or more words (then the other words can be searched among their answers).
"""

from __future__ import annotations

import difflib
import threading
from collections import Counter
from dataclasses import dataclass

from indexer.analysis import fold
from indexer.formats.names import name_words
from indexer.search import Snapshot

OFFERED = 3  # interviewees offered for one query, or named in one error
CLOSE = 0.8  # least difflib ratio for a misspelt name to be suggested ("Grace Hoper")


@dataclass(frozen=True)
class Person:
    """An interviewee of the build: the name as stored, its words, how many pairs."""

    name: str
    words: frozenset[str]
    pairs: int

    @property
    def key(self) -> str:
        """The name's words in one order, to compare spellings."""
        return " ".join(sorted(self.words))


_PEOPLE: dict[str, list[Person]] = {}
_LOCK = threading.Lock()


def people(snapshot: Snapshot) -> list[Person]:
    """The build's interviewees, most pairs first (read once per build: it never changes)."""
    key = str(snapshot.path)
    found = _PEOPLE.get(key)
    if found is None:
        pairs: Counter = Counter()
        for record in snapshot.manifest["interviews"].values():
            if record.get("interviewee"):
                pairs[record["interviewee"]] += record.get("pair_count", 0)
        found = [Person(name, frozenset(words(name)), count)
                 for name, count in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))]
        with _LOCK:
            if len(_PEOPLE) > 8:  # builds no longer served
                _PEOPLE.clear()
            _PEOPLE[key] = found
    return found


def words(text: str) -> set[str]:
    """A name's words as typed and compared: case and accents folded as in searched words
    ("Jose Munoz" is "Dr. José Muñoz"), titles and degrees aside, a possessive too ("Ono's"
    is "ono")."""
    return {fold(w).removesuffix("'s").removesuffix("’s") for w in name_words(text)}


def named(query: str, snapshot: Snapshot, filtered: str | None) -> list[tuple[Person, str]]:
    """The interviewees `query` names, with the rest of the query to search among their
    answers ("" when the query is only the name); not the one already `filtered` on."""
    asked = words(query)
    if not asked:
        return []
    found = []
    for person in people(snapshot):
        if person.name == filtered or not person.words:
            continue
        if asked <= person.words:
            found.append((person, ""))
        elif len(person.words) > 1 and person.words <= asked:
            found.append((person, rest(query, person)))
    return found[:OFFERED]


def rest(query: str, person: Person) -> str:
    """The query without the words of the person's name, nor titles ("Dr.")."""
    kept = []
    for token in query.split():
        found = words(token)
        if not (found <= person.words and (found or any(c.isalpha() for c in token))):
            kept.append(token)
    return " ".join(kept)


def resolve(value: str, snapshot: Snapshot) -> tuple[str, list[str]]:
    """An interviewee filter's value as the index stores it, and the names to suggest when
    it names nobody: the same words in another case or with another title ("kenji ono" is
    "Dr. Kenji Ono") resolve when they name one interviewee; a part of names ("Ono"), or a
    near spelling ("Kenji Onno"), is suggested."""
    everyone = people(snapshot)
    if any(person.name == value for person in everyone):
        return value, []
    asked = frozenset(words(value))
    if not asked:
        return value, []
    same = [person for person in everyone if person.words == asked]
    if len(same) == 1:
        return same[0].name, []
    near = same or [person for person in everyone if asked <= person.words]
    if not near:
        keys = {person.key: person for person in everyone}
        near = [keys[key] for key in difflib.get_close_matches(
            " ".join(sorted(asked)), list(keys), n=OFFERED, cutoff=CLOSE)]
    return value, [person.name for person in near[:OFFERED]]


def resolve_filter(filters: dict[str, str], snapshot: Snapshot) -> list[str]:
    """Set the interviewee filter of `filters` to the name as the index stores it
    (:func:`resolve`); the names it may mean when it names nobody, else []."""
    value = filters.get("interviewee")
    if not value:
        return []
    filters["interviewee"], meant = resolve(value, snapshot)
    return meant


def unknown_interviewee(meant: list[str], value: str) -> str:
    """Why an interviewee filter is refused, naming who it may mean (:func:`resolve`)."""
    return (f"The interviewee filter names no interviewee in the index ({value[:80]!r}). "
            f"Did you mean {' or '.join(repr(name) for name in meant)}? "
            "Otherwise remove it to search everything.")
