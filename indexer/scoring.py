"""Score every match of a question-mode query at once: BM25F from posting blocks.

Question mode ORs many terms, so a query matches thousands of pairs, and the total, the facet
counts and the re-ranking need all of them scored. Whoosh does that one document at a time
through a tree of matcher objects (several Python calls per posting); this module reads each
term's postings a block at a time and adds up the same BM25F formula into one dictionary.

Scores are Whoosh's own: the same weighting parameters, ``idf`` and average field lengths from
the searcher, field lengths as the codec stores them, the boosts of every enclosing query, and
the sum that Whoosh's array OR matcher computes (``indexer.query.preload_unions`` makes every
OR one). Sub-queries other than ORs and terms (phrases, required or excluded terms) are scored
by Whoosh's own matchers and added in; a query whose root is not an OR or a term is left to
Whoosh entirely (``scores`` returns None). ``tests/test_scoring.py`` checks the equality.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher


class FastScorer:
    """BM25F scores of all matches for one Whoosh searcher (its lifetime, its thread)."""

    def __init__(self, searcher):
        self.searcher = searcher
        weighting = searcher.weighting
        self.usable = type(weighting) is scoring.BM25F
        self.weighting = weighting
        if searcher.is_atomic():
            self.segments = [(searcher.reader(), 0)]
        else:
            self.segments = [(sub.reader(), offset) for sub, offset in searcher.subsearchers]
        self._norms: dict[tuple[int, str], array] = {}

    def scores(self, query: wq.Query) -> dict[int, float] | None:
        """Every matching document number with its score, or None to let Whoosh score it."""
        if not self.usable or not (type(query) is wq.Term or is_array_or(query)):
            return None
        found: dict[int, float] = {}
        for leaf, boost in leaves(query, 1.0):
            if type(leaf) is wq.Term:
                if not self.add_term(found, leaf, boost):
                    return None
            else:
                self.add_matches(found, leaf, boost)
        return found

    def add_term(self, found: dict[int, float], term: wq.Term, boost: float) -> bool:
        """Add one term's BM25F scores (times `boost`); False when the field is not scored."""
        searcher, name, text = self.searcher, term.fieldname, term.text
        field = searcher.schema[name] if name in searcher.schema else None
        if field is None or not field.scorable:
            return False
        if (name, text) not in searcher.reader():
            return True
        weighting = self.weighting
        k1 = weighting.K1
        idf = searcher.idf(name, text)
        factor = boost * term.boost * idf * (k1 + 1)
        for index, (reader, offset) in enumerate(self.segments):
            if (name, text) not in reader:
                continue
            norm = self.norms(index, name)
            for ids, weights in postings(reader, name, text):
                for docnum, tf in zip(ids, weights, strict=True):
                    key = docnum + offset
                    found[key] = found.get(key, 0.0) + factor * tf / (tf + norm[docnum])
        return True

    def add_matches(self, found: dict[int, float], query: wq.Query, boost: float) -> None:
        """Add the scores Whoosh's own matcher gives any other query (phrases, AND, NOT...)."""
        matcher = query.matcher(self.searcher, self.searcher.context())
        while matcher.is_active():
            key = matcher.id()
            found[key] = found.get(key, 0.0) + matcher.score() * boost
            matcher.next()

    def norms(self, index: int, name: str) -> array:
        """Per document of a segment: K1 * (1 - B + B * length / average length)."""
        key = (index, name)
        if key not in self._norms:
            reader = self.segments[index][0]
            weighting = self.weighting
            b = weighting._field_B.get(name, weighting.B)
            k1 = weighting.K1
            average = self.searcher.avg_field_length(name) or 1
            length = reader.doc_field_length  # None for an empty field (never scored)
            self._norms[key] = array("d", (k1 * ((1 - b) + b * (length(d, name, 1) or 0) / average)
                                           for d in range(reader.doc_count_all())))
        return self._norms[key]


def is_array_or(query: wq.Query) -> bool:
    """An OR whose matcher sums its children's scores (no coordination factor)."""
    return isinstance(query, wq.Or) and query.matcher_type == wq.Or.ARRAY_MATCHER


def leaves(query: wq.Query, boost: float) -> Iterator[tuple[wq.Query, float]]:
    """Terms and other non-OR sub-queries of nested ORs, with the ORs' boosts multiplied in."""
    if is_array_or(query):
        for child in query.subqueries:
            yield from leaves(child, boost * query.boost)
    elif query is not wq.NullQuery:
        yield query, boost


def postings(reader, name: str, text: str) -> Iterator[tuple]:
    """A term's postings in a segment as (document numbers, term frequencies) blocks.

    A segment with deleted documents gives a filtering matcher: read one posting at a time.
    """
    matcher = reader.postings(name, text)
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():  # a whole block at a time (Whoosh 2.7's block reader)
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids, weights = [], []  # any other matcher (deletions filtered): one posting at a time
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights
