"""Prefix search: a word typed with a trailing * (leuk*, transpl*) finds the indexed words that
start with it.

The parser makes each such word a :class:`WordStart` per field searched (a Whoosh ``Prefix``;
which words are read so is :func:`indexer.analysis.prefix_word`'s to say). Before a search
scores, :func:`expand` turns each into the OR of the terms it matches in the index, as Whoosh's
``MultiTerm.simplify`` does, with three differences:

* the index holds stems ("leukocytes" is ``leukocyt``, "disease" ``diseas``), so the terms of
  the words *as written* that start with the prefix count too (the build's ``surfaces.json``,
  :class:`indexer.spelling.Words`): "leukocytes*" and "disease*" find those words, which no
  indexed term starts with;
* at most MAX_WORDS terms, the commonest, are searched (Whoosh's ``Prefix`` has no cap), and
  the search results say when a prefix matched more;
* every term is scored with the idf of the commonest one: the prefix stands for one word the
  user did not finish, and a source's rare slip ("transplantand") must not outrank it.

The terms searched are plain ``Term`` queries, so the fast scorer (``indexer.scoring``) scores
them and the highlighter marks the words they match (``indexer.query.marks``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Protocol

from whoosh import query as wq

# The most terms one prefix is searched as, the commonest. Of MedQuAD's 29,000 terms, a
# three-letter prefix starts 2 at the median and 61 at the 99th percentile; the broadest,
# "hyp*", 345, which take 16-17 ms to pick and score with no posting cached (about 50 us a
# term; "leuk*", 23 terms, 9 ms for the whole keyword search). 300 keeps every family of
# words whole there but hyp*'s (its 45 rarest terms, 16 of 3,266 pairs), and bounds the cost
# on a larger index, where a three-letter prefix may start thousands of terms.
MAX_WORDS = 300


class WordStart(wq.Prefix):
    """The words of one field that start with `text` (already folded: see
    :func:`indexer.analysis.word_starts`), searched as the terms :func:`expand` picks. Left
    unexpanded, it is Whoosh's Prefix (every matching term)."""


class Forms(Protocol):
    """The index's words as written (:class:`indexer.spelling.Words`)."""

    def starting(self, start: str) -> Iterable[str]:
        """The terms of the words as written that start with `start`."""

    def written(self, term: str, start: str) -> str | None:
        """The plain word as written that starts with `start` and is indexed as `term`."""


def expand(query: wq.Query, searcher, forms: Forms | None = None
           ) -> tuple[wq.Query, dict[str, tuple[int, int]]]:
    """The query with every :class:`WordStart` made the OR of its field's terms among those
    picked for its start (:func:`picked`), and for each start how many terms start with it
    in the fields it is searched in and how many of those were searched (at most MAX_WORDS).
    `forms` adds the terms of the words as written that start with it."""
    fields: dict[str, set[str]] = {}
    for start in query.leaves():  # exclusions too
        if isinstance(start, WordStart):
            fields.setdefault(start.text, set()).add(start.fieldname)
    if not fields:
        return query, {}
    reader = searcher.reader()
    chosen, counts = {}, {}
    for text, names in fields.items():
        found = matching(reader, text, names, forms)
        chosen[text] = picked(reader, found, names)
        counts[text] = (len(found), len(chosen[text]))
    return replaced(query, lambda start: terms_query(searcher, start, chosen[start.text])), counts


def matching(reader, text: str, fields: set[str], forms: Forms | None) -> set[str]:
    """The terms of the `fields` that start with `text`, and those of the words as written
    that start with it (`forms`)."""
    found = {term.decode("utf-8") if isinstance(term, bytes) else term
             for name in fields for term in reader.expand_prefix(name, text)}
    if forms is not None:
        found.update(term for term in forms.starting(text)
                     if term not in found and any((name, term) in reader for name in fields))
    return found


def completion(reader, starts: Iterable[str], fields: set[str], forms) -> str | None:
    """The word a prefix most likely stands for: of the terms the `starts` match (as
    :func:`matching` finds them), the one in most pairs, as written (`forms`,
    :class:`indexer.spelling.Words`; else the term). Hybrid search embeds it in place of the
    prefix: the model reads "leukemia", while "leuk" came nearest to leukodystrophy."""
    best, most = None, 0
    for start in starts:
        for term in matching(reader, start, fields, forms):
            count = sum(reader.doc_frequency(name, term) for name in fields)
            if count > most or (count == most and best is not None and term < best[1]):
                best, most = (start, term), count
    if best is None:
        return None
    start, term = best
    return (forms.written(term, start) if forms is not None else None) or term


def picked(reader, found: set[str], fields: set[str]) -> list[str]:
    """The MAX_WORDS terms of `found` in most pairs (over the `fields`), alphabetical among
    equals."""
    if len(found) <= MAX_WORDS:
        return sorted(found)
    frequency = {term: sum(reader.doc_frequency(name, term) for name in fields)
                 for term in found}
    return sorted(found, key=lambda term: (-frequency[term], term))[:MAX_WORDS]


def terms_query(searcher, start: WordStart, terms: list[str]) -> wq.Query:
    """The OR of those `terms` that `start`'s field holds, each scored with the idf of the
    commonest of them (see the module's docstring); NullQuery when it holds none."""
    name = start.fieldname
    reader = searcher.reader()
    held = [term for term in terms if (name, term) in reader]
    if not held:
        return wq.NullQuery
    idf = {term: searcher.idf(name, term) for term in held}
    common = min(idf.values())
    found = wq.Or([wq.Term(name, term, boost=start.boost * common / idf[term]) for term in held])
    found.matcher_type = wq.Or.ARRAY_MATCHER  # as indexer.query.preload_unions does
    return found


def replaced(query: wq.Query, made) -> wq.Query:
    """The query with each WordStart replaced by made(it); the other nodes on the way copied
    (not rebuilt: Whoosh's ``apply`` drops an OR's matcher type and scale)."""
    if isinstance(query, WordStart):
        return made(query)
    children = list(query.children())
    new = [replaced(child, made) for child in children]
    if all(a is b for a, b in zip(new, children, strict=True)):
        return query
    query = copy.copy(query)
    if isinstance(query, wq.BinaryQuery):
        query.a, query.b = new
        query.subqueries = (query.a, query.b)
    elif isinstance(query, wq.CompoundQuery):
        query.subqueries = new
    elif isinstance(query, wq.Not):
        query.query = new[0]
    else:  # a wrapper (Require's, ConstantScoreQuery...)
        query.child = new[0]
    return query
