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

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterator

from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher


class TermCache:
    """Recently used terms' (and phrases') scored postings for one build, shared by its
    searchers' threads: keys (field, text) for a term, ("query", query) for a phrase or any
    other sub-query.

    Question-mode queries share many terms (symptoms, treatment, cause) and the vocabulary's
    phrases; their postings are decoded and scored once. Bounded by the number of postings held
    (12 bytes each).
    """

    def __init__(self, max_postings: int):
        self.max_postings = max_postings
        self.held = 0
        self._items: OrderedDict[tuple, tuple[array, array]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[array, array] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[array, array]) -> tuple[array, array]:
        size = len(value[0])
        if size > self.max_postings:
            return value
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self.held += size
                while self.held > self.max_postings:
                    _, (dropped, _) = self._items.popitem(last=False)
                    self.held -= len(dropped)
        return value


class FastScorer:
    """BM25F scores of all matches for one Whoosh searcher (its lifetime, its thread)."""

    def __init__(self, searcher, cache: TermCache | None = None):
        self.searcher = searcher
        self.cache = TermCache(0) if cache is None else cache
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
        weights: dict[tuple[str, str], float] = {}  # a term met twice is read once
        for leaf, boost in leaves(query, 1.0):
            if type(leaf) is wq.Term:
                key = (leaf.fieldname, leaf.text)
                weights[key] = weights.get(key, 0.0) + boost * leaf.boost
            else:
                self.add_matches(found, leaf, boost)
        for (name, text), weight in weights.items():
            if not self.add_term(found, name, text, weight):
                return None
        return found

    def add_term(self, found: dict[int, float], name: str, text: str, factor: float) -> bool:
        """Add a term's BM25F scores times `factor`; False when the field is not scored."""
        field = self.searcher.schema[name] if name in self.searcher.schema else None
        if field is None or not field.scorable:
            return False
        self.add_scored(found, self.term_postings(name, text), factor)
        return True

    @staticmethod
    def add_scored(found: dict[int, float], scored: tuple[array, array],
                   factor: float) -> None:
        """Add `factor` times the scored postings (document numbers, scores) to `found`."""
        docnums, scores = scored
        get = found.get
        for docnum, score in zip(docnums, scores, strict=True):
            found[docnum] = get(docnum, 0.0) + factor * score

    def cached(self, key: tuple, compute: Callable[[], tuple[array, array]]
               ) -> tuple[array, array]:
        """The scored postings under `key`: computed once, then cached."""
        scored = self.cache.get(key)
        return self.cache.put(key, compute()) if scored is None else scored

    def term_postings(self, name: str, text: str) -> tuple[array, array]:
        """A term's matching documents and BM25F scores (:meth:`term_scores`), cached."""
        return self.cached((name, text), lambda: self.term_scores(name, text))

    def query_postings(self, query: wq.Query) -> tuple[array, array]:
        """Any other query's matching documents and Whoosh's scores for it without its boost
        (:meth:`query_scores`), cached."""
        unboosted = query.copy()
        unboosted.boost = 1.0
        return self.cached(("query", unboosted), lambda: self.query_scores(unboosted))

    def holding(self, query: wq.Query, docnums: list[int]) -> set[int]:
        """Those of `docnums` that an OR of terms and phrases (at any depth) matches, from
        the postings scores() caches, which the search for the same terms has just read:
        checking a hundred documents costs a binary search each per term or phrase (the
        document numbers ascend), not a pass over its postings."""
        held: set[int] = set()
        for leaf in or_leaves(query):
            left = [docnum for docnum in docnums if docnum not in held]
            if not left:
                break
            found = self.documents(leaf)
            held.update(docnum for docnum in left if contains(found, docnum))
        return held

    def frequency(self, query: wq.Query) -> int:
        """The most documents that one term or phrase of an OR (at any depth) matches: how
        common what the OR stands for is, at least (a term's count is the index's own)."""
        return max((self.searcher.doc_frequency(leaf.fieldname, leaf.text)
                    if type(leaf) is wq.Term else len(self.documents(leaf))
                    for leaf in or_leaves(query)), default=0)

    def documents(self, query: wq.Query) -> array:
        """The ascending document numbers a term or any other query matches (cached as
        scores() caches them)."""
        if type(query) is wq.Term:
            return self.term_postings(query.fieldname, query.text)[0]
        return self.query_postings(query)[0]

    def term_scores(self, name: str, text: str) -> tuple[array, array]:
        """A term's matching documents and their BM25F scores (before boosts)."""
        docnums, scores = array("I"), array("d")
        if (name, text) not in self.searcher.reader():
            return docnums, scores
        factor = self.searcher.idf(name, text) * (self.weighting.K1 + 1)
        for index, (reader, offset) in enumerate(self.segments):
            if (name, text) not in reader:
                continue
            norm = self.norms(index, name)
            for ids, weights in postings(reader, name, text):
                docnums.extend(docnum + offset for docnum in ids)
                scores.extend(factor * tf / (tf + norm[docnum])
                              for docnum, tf in zip(ids, weights, strict=True))
        return docnums, scores

    def add_matches(self, found: dict[int, float], query: wq.Query, boost: float) -> None:
        """Add the scores Whoosh's own matcher gives any other query (phrases, AND, NOT...)."""
        self.add_scored(found, self.query_postings(query), boost * query.boost)

    def query_scores(self, query: wq.Query) -> tuple[array, array]:
        """The documents a query matches and Whoosh's scores for them."""
        docnums, scores = array("I"), array("d")
        matcher = query.matcher(self.searcher, self.searcher.context())
        while matcher.is_active():
            docnums.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
        return docnums, scores

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


def or_leaves(query: wq.Query) -> Iterator[wq.Query]:
    """The sub-queries of nested ORs (of any matcher) that are not ORs."""
    if isinstance(query, wq.Or):
        for child in query.subqueries:
            yield from or_leaves(child)
    elif query is not wq.NullQuery:
        yield query


def contains(docnums: array, docnum: int) -> bool:
    """Whether ascending `docnums` hold `docnum`."""
    at = bisect_left(docnums, docnum)
    return at < len(docnums) and docnums[at] == docnum


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
