"""Interviewees by name: a query that names one, and an interviewee filter written loosely.

Clinicians search for a colleague by name ("Dr. Kenji Ono", "Ono"), but names are not in
the searched text: such a query found nothing and offered other people's answers as the
closest in meaning. The search page now offers that interviewee's questions instead, and an
interviewee filter written as people write names ("kenji ono") finds its interviewee, on the
search page and in ``qa-index search`` alike.

Names are compared by their words, case, accents, titles and degrees aside (:func:`words`:
clinicians type "jose munoz"), never by spelling alone, so a query's ordinary words are left
to search: a link is offered only when every word of the query is in one interviewee's name,
or when the query holds an interviewee's whole name of two or more words (then the other
words can be searched among their answers). Outlets write one person's name differently ("Dr.
Kenji Ono", "Kenji Ono, MD"): names of the same words are one interviewee (:func:`group`),
in the filter, its facet and the links offered.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.analysis import fold
from indexer.formats.names import name_words

if TYPE_CHECKING:  # search.py reads the build's interviewees with group()
    from indexer.search import Snapshot

OFFERED = 3  # interviewees offered for one query, or named in one error
CLOSE = 0.8  # least difflib ratio for a misspelt name to be suggested ("Grace Hoper")


@dataclass(frozen=True)
class Person:
    """An interviewee of the build: one person however the interviews write the name ("Dr.
    Kenji Ono", "Kenji Ono, MD"): the form shown, its words, how many pairs, every form."""

    name: str
    words: frozenset[str]
    pairs: int
    forms: tuple[str, ...]

    @property
    def key(self) -> str:
        """The name's words in one order, to compare spellings."""
        return " ".join(sorted(self.words))


def group(manifest: dict) -> list[Person]:
    """The interviewees of a manifest, most pairs first: names with the same words, case,
    accents, titles and degrees aside (:func:`words`), are one person, shown under the form
    of most pairs (then the longest). Names sharing only some words ("Dr. Kim", "Dr. Sara
    Kim") stay apart: nothing says they are one person."""
    pairs: Counter = Counter()
    for record in manifest["interviews"].values():
        if record.get("interviewee"):
            pairs[record["interviewee"]] += record.get("pair_count", 0)
    forms: dict[frozenset[str] | str, list[str]] = {}
    for name in sorted(pairs, key=lambda name: (-pairs[name], -len(name), name)):
        forms.setdefault(frozenset(words(name)) or name, []).append(name)  # wordless: apart
    found = [Person(names[0], frozenset(words(names[0])), sum(pairs[n] for n in names),
                    tuple(names)) for names in forms.values()]
    return sorted(found, key=lambda person: (-person.pairs, person.name))


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
    for person in snapshot.people:
        if filtered in person.forms or not person.words:
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
    """An interviewee filter's value as the index shows the person, and the names to suggest
    when it names nobody: any form of the name the index holds, or the same words in another
    case, accents or title ("kenji ono", "jose munoz" are "Dr. Kenji Ono", "Dr. José Muñoz"),
    resolve; a part of names ("Ono"), or a near spelling ("Kenji Onno"), is suggested."""
    person = snapshot.person.get(value)
    if person is not None:
        return person.name, []
    asked = frozenset(words(value))
    if not asked:
        return value, []
    everyone = snapshot.people
    same = [person for person in everyone if person.words == asked]
    if same:  # one at most: a person is all the names of the same words
        return same[0].name, []
    near = [person for person in everyone if asked <= person.words]
    if not near:
        keys = {person.key: person for person in everyone}
        near = [keys[key] for key in difflib.get_close_matches(
            " ".join(sorted(asked)), list(keys), n=OFFERED, cutoff=CLOSE)]
    return value, [person.name for person in near[:OFFERED]]


def resolve_filter(filters: dict[str, str], snapshot: Snapshot) -> list[str]:
    """Set the interviewee filter of `filters` to the name as the index shows the person
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
