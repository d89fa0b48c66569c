"""The query pipeline's back half: run a parsed query, page, facet, highlight, suggest.

``SearchIndex`` is the long-lived handle the web app and the CLI share: it follows the index
directory's ``CURRENT`` pointer (a tiny file read per call), reopens when a build or update
has switched it, and gives each thread its own Whoosh searcher on the serving build.

Two modes: ``keyword`` (BM25F over the analysed words) and ``hybrid``, which also finds pairs
by meaning: the query's sentence embedding against every stored question's
(``indexer.dense``), fused with the keyword ranking. Hybrid is the default when the semantic
extra is installed and the serving build has embeddings; otherwise, and for queries written
in the power-user syntax (which asks for exact matching), search is keyword-only and the
results say why.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
import time
from collections import Counter
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from whoosh import collectors
from whoosh import query as wq
from whoosh import sorting

from indexer import dense
from indexer import highlight
from indexer import prefix
from indexer import semantic
from indexer import store
from indexer.analysis import PREFIX_LETTERS
from indexer.analysis import QueryWord
from indexer.analysis import known_name
from indexer.analysis import prefix_words
from indexer.analysis import word_starts
from indexer.copies import FINGERPRINT
from indexer.copies import Copies
from indexer.copies import Copy
from indexer.copies import copy_of
from indexer.highlight import Marks
from indexer.people import Person
from indexer.people import group
from indexer.query import ParsedQuery
from indexer.query import Reading
from indexer.query import clean
from indexer.query import counted
from indexer.query import findings
from indexer.query import marks
from indexer.query import parse
from indexer.query import readings
from indexer.query import synonym_query
from indexer.query import unshout
from indexer.schema import SEARCH_FIELDS
from indexer.scoring import FastScorer
from indexer.scoring import TermCache
from indexer.spelling import Words
from indexer.spelling import load_words
from indexer.spelling import suggest

MAX_PER_PAGE = 100
RERANK_DEPTH = 100  # the best matches that are re-ranked (pages beyond are rare)
INTERVIEW_WEIGHT = 1.0
COVERAGE_POWER = 1.0  # how much the share of a keyword query's words a match holds counts
TERM_CACHE_POSTINGS = 1_000_000  # scored postings kept per build (about 12 MB)
CACHE_SIZE = 512  # recent searches kept per process (a page of results is a few dozen KB)
FACETS = ("interviewee", "interview_id")  # and "date", counted by year, when a build has dates
FACET_VALUES = 20  # values listed per facet (a filter list, not an index of the corpus)
CLOSEST = 3  # pairs nearest in meaning offered when nothing matches (hybrid mode)
MODES = ("keyword", "hybrid")
SORTS = ("relevance", "newest")  # newest: interview date, latest first; relevance within a date
AUTO = "auto"  # hybrid when it can be, else keyword
NAMES_NOTE = ("Keyword search only: codes and acronyms are matched as written; the model that "
              "compares meaning cannot read them.")


def check_sort(sort: str) -> str:
    """`sort` if it is relevance or newest; else ValueError saying so."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
    return sort


def check_mode(mode: str) -> str:
    """`mode` if it is keyword, hybrid or auto; else ValueError saying so."""
    if mode not in (*MODES, AUTO):
        raise ValueError(f"the search mode must be one of keyword, hybrid, auto, not {mode!r}")
    return mode


@dataclass(frozen=True)
class Hybrid:
    """How hybrid mode fuses: ``weight`` of the keyword side, ``depth`` candidates a side,
    and the least cosine (``similarity``) a pair needs to be found by meaning alone (dense
    search always has nearest neighbours; without a floor, a query about parking would list
    the corpus). When nothing matches, the pairs nearest in meaning under that floor but at
    least ``closest`` are offered apart, as leads (1 offers none)."""

    weight: float = 0.5
    depth: int = 100
    similarity: float = 0.35
    closest: float = 0.2

    def __post_init__(self):
        if not 0 <= self.weight <= 1:
            raise ValueError(f"the hybrid weight must be from 0 to 1, not {self.weight!r}")
        if not -1 <= self.similarity <= 1:
            raise ValueError(f"the hybrid similarity must be from -1 to 1, "
                             f"not {self.similarity!r}")
        if not -1 <= self.closest <= 1:
            raise ValueError(f"the hybrid closest similarity must be from -1 to 1, "
                             f"not {self.closest!r}")
        if not isinstance(self.depth, int) or isinstance(self.depth, bool) or self.depth < 1:
            raise ValueError(f"the hybrid depth must be a whole number of at least 1, "
                             f"not {self.depth!r}")


@dataclass
class Hit:
    """One matching pair, ready to display."""

    id: str
    question: str
    answer: str
    question_html: str
    answer_html: str
    score: float
    by_meaning: bool
    interview_id: str
    interviewee: str
    interviewer: str
    title: str
    date: str
    source: str
    position: int
    also_in: list[Copy] = field(default_factory=list)  # its copies (indexer.copies)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[dict]] = field(default_factory=dict)
    suggestion: str | None = None
    expansions: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)  # how each word was searched
    filters: dict[str, str] = field(default_factory=dict)
    filter_labels: dict[str, str] = field(default_factory=dict)  # see filter_labels()
    cached: bool = False
    mode: str = "keyword"
    sort: str = "relevance"
    mode_note: str | None = None  # why hybrid was not used, when it was asked for or default
    # nothing matched in hybrid mode: the pairs nearest in meaning (under the similarity
    # floor), offered apart as leads and not counted in the total
    closest: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class Snapshot:
    """The serving build as one process sees it."""

    build: str
    index: object
    manifest: dict
    path: Path
    _words: Words | None = None
    terms: TermCache = field(default_factory=lambda: TermCache(0))
    _dense: tuple[dense.Dense | None, str | None] | None = None
    _copies: Copies | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def words(self) -> Words:
        """The build's words as written, for "did you mean" (read on first use)."""
        if self._words is None:
            self._words = load_words(self.path)
        return self._words

    @cached_property
    def catalogue(self) -> list[dict]:
        """Every interview's manifest record (with its id), newest first, undated ones last,
        then by title."""
        records = [{**record, "id": interview_id}
                   for interview_id, record in self.manifest["interviews"].items()]
        records.sort(key=lambda r: ((r.get("title") or r["id"]).casefold(), r["id"]))
        return sorted(records, key=lambda r: r.get("date") or "", reverse=True)

    @cached_property
    def filter_values(self) -> dict[str, set[str]]:
        """What each filter may name in this build: interview ids, interviewees, years."""
        interviews = self.manifest["interviews"]
        return {"interview": set(interviews),
                "interviewee": {r["interviewee"] for r in interviews.values()
                                if r.get("interviewee")},
                "year": {r["date"][:4] for r in interviews.values() if r.get("date")}}

    @cached_property
    def people(self) -> list[Person]:
        """The build's interviewees, one per person, most pairs first (:func:`group`)."""
        return group(self.manifest)

    @cached_property
    def person(self) -> dict[str, Person]:
        """Each name the build stores as an interviewee ("Kenji Ono, MD"), to its person."""
        return {form: person for person in self.people for form in person.forms}

    def shown_name(self, name: str) -> str:
        """The name shown for the person `name` is one form of, or `name`."""
        person = self.person.get(name)
        return person.name if person is not None else name

    def forms(self, name: str) -> tuple[str, ...]:
        """Every name the build stores for the person `name` is one of, or just `name`."""
        person = self.person.get(name)
        return person.forms if person is not None else (name,)

    @cached_property
    def dated(self) -> bool:
        """Whether any interview of the build has a date (sorting by newest means something)."""
        return any(record.get("date") for record in self.manifest["interviews"].values())

    def copies(self, searcher) -> Copies:
        """The build's pairs that have copies (none in a build before schema 5), read with
        `searcher` on first use by any thread (about 10 ms on MedQuAD)."""
        if self._copies is None:
            with self._lock:
                if self._copies is None:
                    reader = searcher.reader()
                    held = FINGERPRINT in searcher.schema and reader.doc_count_all()
                    prints = reader.column_reader(FINGERPRINT) if held else ()
                    # a document an update deleted keeps its column value: no copy of anything
                    self._copies = Copies(b"" if reader.is_deleted(docnum) else key
                                          for docnum, key in enumerate(prints))
        return self._copies

    def dense(self, searcher) -> tuple[dense.Dense | None, str | None]:
        """The build's embeddings, or None and why hybrid search cannot run on it (read and
        checked on first use; damaged ones leave search keyword-only, not broken)."""
        if self._dense is None:
            with self._lock:
                if self._dense is None:
                    reason = dense.status(self.path)
                    found = None
                    if reason is None:
                        try:
                            found = dense.Dense(self.path, searcher)
                        except dense.DenseError as exc:
                            reason = str(exc)
                    self._dense = (found, reason)
        return self._dense


@dataclass
class View:
    """One thread's searcher on one build, with what is read from it once: a search uses a
    single view throughout, so a rebuild that switches mid-search cannot mix two builds."""

    snap: Snapshot
    searcher: object
    scorer: FastScorer
    columns: dict[str, list] = field(default_factory=dict)
    levels: dict[int, frozenset[tuple[int, str]]] = field(default_factory=dict)

    def copies(self) -> Copies:
        """The build's pairs that have copies (:meth:`Snapshot.copies`)."""
        return self.snap.copies(self.searcher)

    def findings(self, docnum: int) -> frozenset[tuple[int, str]]:
        """The levels a pair's stored question names (:func:`indexer.query.findings`)."""
        if docnum not in self.levels:
            question = self.searcher.stored_fields(docnum).get("question", "")
            self.levels[docnum] = findings(question)
        return self.levels[docnum]

    def column(self, name: str) -> list:
        """A sortable field's value for every document of the searcher."""
        if name not in self.columns:
            reader = self.searcher.reader()  # an empty index has no column readers
            self.columns[name] = list(reader.column_reader(name)) if reader.doc_count_all() else []
        return self.columns[name]


class ResultCache:
    """The most recent results of one build, by request; a new build starts it afresh."""

    def __init__(self, size: int):
        self.size = size
        self.build: str | None = None
        self.hits = self.misses = 0
        self._items: OrderedDict[tuple, SearchResults] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, build: str, key: tuple) -> SearchResults | None:
        if not self.size:
            return None
        with self._lock:
            found = self._items.get(key) if build == self.build else None
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return found

    def put(self, build: str, key: tuple, results: SearchResults) -> None:
        if not self.size:
            return
        with self._lock:
            if build != self.build:
                self._items.clear()
                self.build = build
            self._items[key] = results
            if len(self._items) > self.size:
                self._items.popitem(last=False)


class SearchIndex:
    """Searches the serving build of an index directory, following rebuilds."""

    def __init__(self, index_dir: str | Path, cache_size: int = CACHE_SIZE,
                 term_cache: int = TERM_CACHE_POSTINGS, mode: str = AUTO,
                 hybrid: Hybrid = Hybrid()):
        """`cache_size` recent searches and `term_cache` scored postings are kept (0: none);
        `mode` is the default mode (keyword, hybrid or auto), `hybrid` its fusion settings."""
        self.index_dir = Path(index_dir)
        self.term_cache = term_cache
        self.mode = check_mode(mode)
        self.hybrid = hybrid
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._local = threading.local()
        self.cache = ResultCache(cache_size)

    def snapshot(self) -> Snapshot:
        """The serving build, reopened if CURRENT has moved since the last call."""
        build = store.current_build(self.index_dir)
        snap = self._snapshot
        if snap is not None and snap.build == build:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.build != build:
                name, ix, manifest = store.open_build(self.index_dir)
                for record in manifest["interviews"].values():  # the next write's, not ours:
                    if isinstance(record, dict):  # 1.8 MB of every worker's for MedQuAD
                        record.pop("pair_marks", None)
                path = store.build_path(self.index_dir, name)
                self._snapshot = Snapshot(name, ix, manifest, path,
                                          terms=TermCache(self.term_cache))
            return self._snapshot

    def view(self) -> View:
        """This thread's view of the serving build (a new one after a switch)."""
        snap = self.snapshot()
        view = getattr(self._local, "view", None)
        if view is None or view.snap is not snap:
            if view is not None:
                view.searcher.close()
            searcher = snap.index.searcher()
            view = self._local.view = View(snap, searcher, FastScorer(searcher, snap.terms))
        return view

    def searcher(self):
        """This thread's searcher on the serving build."""
        return self.view().searcher

    def search(self, text: str, *, page: int = 1, per_page: int = 10,
               filters: dict[str, str] | None = None, expand: bool = True,
               highlight: bool = True, mode: str | None = None,
               sort: str = "relevance") -> SearchResults:
        """Search for `text` (keywords or a question); raises QueryError for bad input.

        `mode` is keyword, hybrid or auto (None: the index's default); hybrid falls back to
        keyword, saying why in ``mode_note``, when it cannot run. `sort` is relevance or
        newest (the latest interviews first, undated ones last, by relevance within a date).

        Results of recent searches of the serving build are kept (``cache``): the same search
        again, as when someone pages back or many ask the same, is answered from it.
        """
        started = time.perf_counter()
        page, per_page = max(1, page), min(max(1, per_page), MAX_PER_PAGE)
        filters = {k: v for k, v in (filters or {}).items() if v}
        text = clean(text)
        view = self.view()
        build = view.snap.build
        mode = check_mode(mode or self.mode)
        sort = check_sort(sort)
        key = (text, page, per_page, tuple(sorted(filters.items())), expand, highlight, mode,
               sort)
        kept = self.cache.get(build, key)
        if kept is not None:
            return replace(kept, took_ms=elapsed_ms(started), cached=True)
        results = self.compute(view, text, page, per_page, filters, expand, highlight, mode,
                               sort)
        if self.snapshot().build == build:  # not switched while searching
            self.cache.put(build, key, results)
        results.took_ms = elapsed_ms(started)
        return results

    def compute(self, view: View, text: str, page: int, per_page: int,
                filters: dict[str, str], expand: bool, highlight: bool,
                mode: str = "keyword", sort: str = "relevance") -> SearchResults:
        """search() without the cache, on one view."""
        searched = unshout(text)
        suggestion = suggest(view.searcher, searched, view.snap.words) if text else None
        parsed = parse(searched, expand=expand, corrected=suggestion)
        starts = with_prefixes(view, parsed)
        results = SearchResults(text, 0, page, per_page, 0.0, filters=filters, sort=sort,
                                filter_labels=filter_labels(filters, view.snap.manifest),
                                expansions=parsed.expansions, suggestion=suggestion,
                                # no capitals hint for text typed in capitals throughout
                                readings=counted(readings(searched, hints=searched == text,
                                                          held=holds(view.searcher.reader()),
                                                          synonyms=parsed.synonyms,
                                                          matched=finds(view.searcher)),
                                                 starts))
        found, results.mode_note = meaning(view, parsed, mode, names_only(results.readings))
        if found is not None:
            results.mode = "hybrid"
        if not parsed.empty:
            run(view, parsed, results, highlight, found, self.hybrid,
                lone=one_word(results.readings))
        return results

    def marks(self, text: str, expand: bool = True) -> Marks:
        """What a search for `text` marks in a pair (pair and interview pages): its words,
        their synonyms, and the words its prefixes (leuk*) match in the serving build."""
        view = self.view()
        parsed = parse(unshout(clean(text)), expand=expand)
        with_prefixes(view, parsed)
        return marks(parsed)

    def warm(self) -> None:
        """Open the serving build, read which pairs have copies and, unless the default mode
        is keyword, load its embeddings and the model, so that a new worker's first search
        does not pay for them."""
        view = self.view()
        view.copies()
        if self.mode != "keyword" and view.snap.dense(view.searcher)[0] is not None:
            dense.embedder()

    def modes(self) -> dict:
        """The default mode and whether hybrid can run on the serving build (and if not, why)."""
        view = self.view()
        found, reason = view.snap.dense(view.searcher)
        default = "hybrid" if found is not None and self.mode != "keyword" else "keyword"
        return {"default": default, "hybrid": found is not None, "reason": reason}

    def pair(self, pair_id: str) -> dict | None:
        """A pair's stored fields, or None."""
        return self.searcher().document(id=pair_id)

    def interview(self, interview_id: str) -> dict | None:
        """An interview's manifest record plus its pairs in order, or None."""
        record = self.snapshot().manifest["interviews"].get(interview_id)
        if record is None:
            return None
        pairs = sorted(self.searcher().documents(interview_id=interview_id),
                       key=lambda d: d["position"])
        return {**record, "pairs": pairs}

    def related(self, pair_id: str, limit: int = 5, mode: str | None = None) -> list[dict]:
        """Pairs asking something close to this one, nearest first.

        With embeddings (and a `mode`, else the default, other than keyword), the nearest in
        meaning, above the hybrid similarity floor: more-like-this picks a question's rarest
        words, which in a templated question are its template ("How should Metformin be used
        and what is the dosage?" was related to the dosage of zolmitriptan, amphetamine and
        glucagon; by meaning, to glyburide-metformin's dosage, three of metformin's other
        questions and methadone's dosage). Otherwise more-like-this on the question, then on
        the answer.

        Each pair is embedded with its interview's title, which the other pairs of the
        interview share word for word: by their embeddings, a hepatitis B question was related
        to its interview's stage I and HSCT questions before another interview's hepatitis B
        question. So those pairs are compared with the question alone, as a search for it
        would compare them; other interviews' titles still count, as topics."""
        view = self.view()
        searcher = view.searcher
        docnum = searcher.document_number(id=pair_id)
        if docnum is None:
            return []
        keyword = check_mode(mode or self.mode) == "keyword"
        store_dense = None if keyword else view.snap.dense(searcher)[0]
        if store_dense is not None:
            cosines = store_dense.scores(store_dense.matrix[docnum])
            question = searcher.stored_fields(docnum).get("question", "").strip()
            interview_of = view.column("interview_id")
            same = [near for near, interview in enumerate(interview_of)
                    if interview == interview_of[docnum]]
            if question and len(same) > 1:
                cosines[same] = store_dense.scores(dense.query_vector(question))[same]
            copies = view.copies()
            cosines[[docnum, *copies.others(docnum)]] = -2.0  # not related to itself
            return [searcher.stored_fields(near) for near, cosine
                    in copies.collapse(nearest(cosines, None, limit + copies.spare))[:limit]
                    if cosine >= self.hybrid.similarity]
        copies = view.copies()
        mine = {docnum, *copies.others(docnum)}
        found = []
        for field_name in ("question", "answer"):  # by the question, then by the answer
            hits = searcher.more_like(docnum, field_name, top=limit + copies.spare, numterms=12)
            for hit in hits:
                if hit.docnum not in mine:
                    mine.add(hit.docnum)  # (once, when both fields find it)
                    found.append((hit.docnum, hit.score))
            if len(copies.collapse(found)) >= limit:
                break
        return [searcher.stored_fields(near) for near, _score in copies.collapse(found)[:limit]]

    def stats(self) -> dict:
        snap = self.snapshot()
        return {"build": snap.build, "documents": snap.index.doc_count(),
                "schema_note": store.schema_note(snap.manifest),
                "interviews": len(snap.manifest["interviews"]),
                "built_at": snap.manifest.get("built_at"), "kind": snap.manifest.get("kind"),
                "size_bytes": directory_size(store.build_path(self.index_dir, snap.build))}


def elapsed_ms(started: float) -> float:
    """Milliseconds since `started` (a perf_counter() reading), to two decimals."""
    return round((time.perf_counter() - started) * 1000, 2)


def covered(view: View, parsed: ParsedQuery,
            best: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The best matches of a keyword query, each score times the share of the query's words
    it holds (:attr:`ParsedQuery.concepts`), each word weighing its idf: Lucene's
    coordination factor, by weight rather than count.

    BM25F adds up the words' scores, so one common word in a short stored question (weight
    2.5) outscored a rare word and the rest in a longer answer: for "Philadelphia chromosome"
    the "Chromosome ... deletion" pages came before the pairs that name the Philadelphia
    chromosome, and for "graft-versus-host disease" every "What is X disease?" before the
    pairs that say GVHD. A word counts as held in any form searched, and through a synonym of
    an expression it is part of (GVHD holds both words of "graft-versus-host disease"). By
    idf, a pair lacking "disease" loses little and one lacking "graft-versus-host" most of
    its score; a match holds at least the least of the words (it matched something: a typo
    fix, say). Only the matches re-ranked are checked, from the postings their scoring read.
    """
    if not parsed.concepts or not best:
        return best
    docnums = [docnum for docnum, _score in best]
    pairs = view.searcher.doc_count_all()
    held: Counter = Counter()
    weights = []
    for concept in parsed.concepts:
        weight = math.log(pairs / (view.scorer.frequency(concept) + 1)) + 1  # Whoosh's idf
        weights.append(weight)
        for docnum in view.scorer.holding(concept, docnums):
            held[docnum] += weight
    total, least = sum(weights), min(weights)
    return [(docnum, score * (max(held[docnum], least) / total) ** COVERAGE_POWER)
            for docnum, score in best]


def rerank(scored: list[tuple[int, str, float]]) -> list[tuple[int, float]]:
    """(document, interview, score) ranked by score plus the best score in its interview.

    An interview is about one topic; when one of its pairs matches the query strongly, its
    other pairs are likelier answers than isolated pairs elsewhere with similar scores
    (dev nDCG@10: summaries 0.526 -> 0.548, messages 0.448 -> 0.479).
    """
    best: dict[str, float] = {}
    for _doc, interview, score in scored:
        best[interview] = max(best.get(interview, 0.0), score)
    combined = [(doc, score + INTERVIEW_WEIGHT * best[interview])
                for doc, interview, score in scored]
    return sorted(combined, key=lambda item: -item[1])


def with_prefixes(view: View, parsed: ParsedQuery) -> dict[str, tuple[int, int]]:
    """Turn the parsed query's words typed with a trailing * (leuk*) into the terms they match
    in the view's build (:func:`indexer.prefix.expand`), in place; for each start, how many
    terms start with it and how many were searched."""
    if "*" not in parsed.text:  # (walking a long question's query costs 0.1 ms)
        return {}
    # the words held (concepts) expand with the query: one OR, so each start is read once
    whole, starts = prefix.expand(wq.Or([parsed.query, *parsed.concepts]), view.searcher,
                                  view.snap.words)
    parsed.query, *parsed.concepts = whole.subqueries
    return starts


def holds(reader) -> Callable[[QueryWord], bool]:
    """Whether the index of `reader` holds a query word in a searched field, in a form it is
    searched in: its term, or a compound joined or with every part (then maybe apart), or,
    typed in capitals, as written too (see QueryWord.written). A word held by no pair is
    told to the user: "sickle cell" on a corpus without "sickle" lists pairs on "cell"."""
    def has(term: str) -> bool:
        return any(reader.doc_frequency(name, term) for name in SEARCH_FIELDS)

    def held(word: QueryWord) -> bool:
        return any((form.joined and has(form.joined)) or all(map(has, form.terms))
                   for form in (word, word.written) if form is not None)
    return held


def finds(searcher) -> Callable[[str], bool]:
    """Whether a pair of `searcher` holds a vocabulary expression, searched as its synonym
    clause is (the phrase): what a word in no pair was found as instead."""
    def found(expression: str) -> bool:
        query = synonym_query(expression)
        return query is not None and searcher.search(query, limit=1).scored_length() > 0
    return found


def meaning(view: View, parsed: ParsedQuery, mode: str, names: bool = False):
    """(the query's cosine to every pair, None) for a hybrid search, else (None, why not).

    No reason is given for keyword mode, an empty query, or auto mode on a build that has no
    embeddings (keyword search is then simply what the index offers). A query of `names`
    only (:func:`names_only`) is not embedded at all: the model cannot read codes, so its
    nearest pairs are no leads either ("TTP", which no pair names, came nearest to ITP, the
    opposite emergency); the "did you mean" suggestion is the help for a name not found."""
    if mode == "keyword" or parsed.empty:
        return None, None
    store_dense, reason = view.snap.dense(view.searcher)
    if store_dense is None:  # said when hybrid was asked for, not when it is only the default
        return None, (f"Keyword search only: {reason}." if mode == "hybrid" else None)
    if parsed.exact:
        return None, ("Keyword search only: quotes, AND, NOT, -term and field: ask for "
                      "exact matching.")
    if names:
        return None, NAMES_NOTE
    if "*" in parsed.text:
        parsed.completions = completions(view, parsed.text)
    return store_dense.scores(dense.query_vector(parsed.meaning_text)), None


def completions(view: View, text: str) -> dict[str, str]:
    """For each word typed with a * in `text` (as typed, without it), the word of the view's
    build it most likely stands for (:func:`indexer.prefix.completion`)."""
    reader, fields = view.searcher.reader(), set(SEARCH_FIELDS)
    found = {}
    for word in prefix_words(text).values():
        if len(word) >= PREFIX_LETTERS:
            found_word = prefix.completion(reader, word_starts(word), fields, view.snap.words)
            if found_word:
                found[word] = found_word
    return found


def run(view: View, parsed: ParsedQuery, results: SearchResults, marked: bool,
        cosines=None, hybrid: Hybrid = Hybrid(), lone: bool = False) -> None:
    """Score every match once: exact total and facets, the best ones re-ranked, a page.

    With `cosines` (every pair's cosine to the query), the best keyword matches and the pairs
    nearest in meaning are fused (:func:`fused`) and counted in the total and facets, and when
    nothing matches, the nearest pairs are offered apart (:func:`closest`). The same best
    matches are re-ranked whatever the page, and the matches after them follow in keyword
    order, so pages never repeat or skip a pair. Sorted by newest, every match is ranked so,
    then ordered by its interview's date (:func:`newest_first`). For a `lone` word
    (:func:`one_word`) the meaning side only orders the pairs that hold it. Copies of a pair
    are listed once, where the best-ranked one is, and counted once (:mod:`indexer.copies`):
    enough matches are fetched for a full page after collapsing.
    """
    start = (results.page - 1) * results.per_page
    newest = results.sort == "newest"
    reranked = max(RERANK_DEPTH, hybrid.depth) if cosines is not None else RERANK_DEPTH
    query_filter = filter_query(results.filters, view.snap)
    found = view.scorer.scores(parsed.query)
    allowed = None  # the filter's documents, for scored matches and fused(); Whoosh's path
    if query_filter is not None and (found is not None or cosines is not None):  # filters itself
        allowed = set(query_filter.docs(view.searcher))
    if found is not None and allowed is not None:
        found = {docnum: score for docnum, score in found.items() if docnum in allowed}
    copies = view.copies()
    fetch = None if newest else max(reranked, start + results.per_page)  # None: every match
    counted = FACETS + (("date",) if view.snap.dated else ())
    if found is None:  # room for every copy a collapse may remove, as they are not known yet
        total, groups, best = whoosh_matches(view.searcher, parsed.query, query_filter,
                                             None if fetch is None else fetch + copies.spare,
                                             counted + ((FINGERPRINT,) if copies else ()))
        repeated = copies.among({docnum for docnums in groups.pop(FINGERPRINT, {}).values()
                                 if len(docnums) > 1 for docnum in docnums})
    else:  # room for the copies among the matches
        repeated = copies.among(found)
        total, groups, best = tally(view, found, None if fetch is None
                                    else fetch + copies.surplus(repeated), counted)
    matched = found if found is not None else dict(best)  # every keyword match, or the best
    best, rest = best[:reranked], best[reranked:]
    interview_of = view.column("interview_id")
    ranked = rerank([(docnum, interview_of[docnum], score)
                     for docnum, score in covered(view, parsed, best)])
    meant: set[int] = set()
    if cosines is not None:
        nearby = nearest(cosines, allowed, hybrid.depth)  # nearest first
        if lone:
            nearby = [(docnum, score) for docnum, score in nearby if docnum in matched]
        mixed, near = fused(ranked[:hybrid.depth], total, nearby, hybrid)
        ranked = followed_by(mixed, ranked[hybrid.depth:])
        meant = {docnum for docnum in near if docnum not in matched}
        total += len(meant)
        for name in counted:  # a Counter, or Whoosh's plain dict of counts
            values = view.column(name)
            for docnum in meant:
                groups[name][values[docnum]] = groups[name].get(values[docnum], 0) + 1
        copies.add(repeated, meant)
    if parsed.findings:
        opposite = {(-sign, target) for sign, target in parsed.findings}
        ranked = put_last(ranked, lambda docnum: bool(view.findings(docnum) & opposite))
    ranked = followed_by(ranked, rest)
    if newest:
        ranked = newest_first(ranked, view.column("date"))
    results.total = total - copies.surplus(repeated)
    groups["interviewee"] = by_person(groups["interviewee"], view.snap)
    copies.uncount(groups, repeated, {name: view.column(name) for name in counted},
                   {"interviewee": view.snap.shown_name})
    results.facets = facet_counts(groups, view.snap)
    found_marks = marks(parsed) if marked else None
    results.hits = [hit_of(view, docnum, score, found_marks, docnum in meant)
                    for docnum, score in copies.collapse(ranked)[start:start + results.per_page]]
    if cosines is not None and not total and results.page == 1:
        results.closest = closest(view, cosines, allowed, hybrid, found_marks)


def closest(view: View, cosines, allowed: set[int] | None, hybrid: Hybrid,
            found: Marks | None) -> list[Hit]:
    """The pairs (within the filters) nearest in meaning with cosine at least
    ``hybrid.closest``, as hits found by meaning: leads offered apart when nothing matches,
    since a query with no match may still be near a pair that answers it."""
    copies = view.copies()
    leads = copies.collapse(nearest(cosines, allowed, CLOSEST + copies.spare))[:CLOSEST]
    return [hit_of(view, docnum, score, found, True) for docnum, score in leads
            if score >= hybrid.closest]


def hit_of(view: View, docnum: int, score: float, found: Marks | None,
           by_meaning: bool) -> Hit:
    """A result (:func:`to_hit`) naming the other copies of its pair."""
    hit = to_hit(view.searcher.stored_fields(docnum), score, found, by_meaning=by_meaning)
    hit.also_in = [copy_of(view.searcher.stored_fields(other))
                   for other in view.copies().others(docnum)]
    return hit


def names_only(words: list[Reading]) -> bool:
    """Whether the query names only codes and the vocabulary's acronyms (BCMA, CD19 CAR-T),
    the words an embedding model cannot read, so that it is searched by keywords alone:
    "BCMA" came nearest to pairs on IL-6 and on BCR-ABL1, which were listed above a pair
    that names BCMA; "TTP", which no pair names, listed 4 pairs on ITP as results; and for
    "CAR-T", fusion put pairs whose interview title (embedded with each question) names
    CAR-T above those that ask about it. Other words in capitals ("DIABETES", "T-CELL") are
    read as words (:func:`indexer.analysis.read_as_word`), and a name without a digit that
    the vocabulary does not know ("IgG") is left to the model too
    (:func:`indexer.analysis.known_name`)."""
    searched = [word for word in words if word.how != "skipped"]
    return bool(searched) and all(  # a letter typed apart is read with its word: CAR T = CAR-T
        word.how == "name" and known_name("-".join(word.parts) if word.parts else word.word)
        for word in searched)


def one_word(words: list[Reading]) -> bool:
    """Whether the query searches one word (a compound or a prefix counts as one): then hybrid
    search lists only the pairs that hold it, ordered by keywords and meaning, and when none
    does offers the nearest apart (SearchResults.closest). The model reads a lone rare word by
    its pieces: "haploidentical" came nearest to hemifacial microsomia, listed first above
    the two pairs that say it, and "teclistamab", which no pair names, listed 53 pairs from
    sacrococcygeal teratoma on; a clinician typing one word wants the pairs that use it."""
    return sum(word.how != "skipped" for word in words) == 1


def put_last(ranked: list[tuple[int, float]],
             later: Callable[[int], bool]) -> list[tuple[int, float]]:
    """The ranked matches with those `later` picks after the others, at most the last other
    score, each part in its order.

    Used for pairs whose stored question names the opposite level of what the query asks about
    (a query's finding (sign, target) against a pair's (-sign, target): "Low white blood cell
    count" for "What causes an increase in white blood cell count?"), which share every other
    word of the query and which embeddings place close (dev summary avgScore@1 1.33 -> 1.37).
    """
    kept: list[tuple[int, float]] = []
    last: list[tuple[int, float]] = []
    for docnum, score in ranked:
        (last if later(docnum) else kept).append((docnum, score))
    if not last:
        return ranked
    floor = kept[-1][1] if kept else float("inf")
    return kept + [(docnum, min(score, floor)) for docnum, score in last]


def followed_by(ranked: list[tuple[int, float]],
                rest: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The ranked matches, then the `rest` (keyword matches beyond the re-ranked ones, best
    first, at most the last ranked score) that are not ranked already."""
    if not rest:
        return ranked
    seen = {docnum for docnum, _ in ranked}
    floor = ranked[-1][1] if ranked else 0.0
    return ranked + [(docnum, min(score, floor)) for docnum, score in rest
                     if docnum not in seen]


def newest_first(ranked: list[tuple[int, float]], dates: list[str]) -> list[tuple[int, float]]:
    """The ranked matches by date, latest first: a stable sort, so relevance decides within a
    date and undated pairs ("") come last."""
    return sorted(ranked, key=lambda item: dates[item[0]], reverse=True)


def fused(ranked: list[tuple[int, float]], matches: int, nearby: list[tuple[int, float]],
          hybrid: Hybrid) -> tuple[list[tuple[int, float]], dict[int, float]]:
    """The best keyword matches (`ranked`, of `matches` in all) fused with the `nearby` pairs
    (within the filters, nearest first) by :func:`indexer.semantic.fuse`; and those pairs.
    The keyword matches beyond them follow in keyword order (:func:`followed_by`), so deeper
    pages do not reshuffle the first ones."""
    near = {docnum: score for docnum, score in nearby if score >= hybrid.similarity}
    best = dict(ranked)
    # a list holding every keyword match, or every pair above the similarity floor, tells
    # what the pairs it lacks score (0: no word matched; under the floor); one cut at the
    # depth tells only that they score no more than its last
    missing = (0.0 if len(best) == matches else None,
               hybrid.similarity if len(near) < hybrid.depth else None)
    return semantic.fuse(best, near, weight_bm25=hybrid.weight, missing=missing), near


def nearest(cosines, allowed: set[int] | None, k: int) -> list[tuple[int, float]]:
    """The `k` pairs (within the filters' `allowed` documents) nearest in meaning, nearest
    first, with their cosines."""
    import numpy as np

    rows = None
    if allowed is not None:
        rows = np.fromiter(sorted(allowed), dtype=np.intp, count=len(allowed))
        cosines = cosines[rows]
    best, cos = semantic.top(cosines, k)
    if rows is not None:
        best = rows[best]
    return [(int(docnum), float(score)) for docnum, score in zip(best, cos, strict=True)]


Matches = tuple[int, dict[str, dict], list[tuple[int, float]]]  # total, counts, best matches


def tally(view: View, found: dict[int, float], depth: int | None,
          counted: tuple[str, ...] = FACETS) -> Matches:
    """Total, counts of the `counted` fields' values and the best `depth` (None: all) of
    scored matches (as Whoosh orders them)."""
    groups = {}
    for name in counted:
        values = view.column(name)
        groups[name] = Counter(values[docnum] for docnum in found)
    best = heapq.nlargest(len(found) if depth is None else depth, found.items(),
                          key=lambda item: (item[1], -item[0]))
    return len(found), groups, best


def whoosh_matches(searcher, query: wq.Query, query_filter: wq.Query | None,
                   depth: int | None, counted: tuple[str, ...] = FACETS) -> Matches:
    """What FastScorer cannot score, by Whoosh's collectors: total, counts of the `counted`
    fields' values (the matches of each fingerprint, when counted: copies), the best `depth`
    matches (None: all).

    (``search(groupedby=...)`` would keep every match as a hit; a TopCollector keeps `depth`.)
    """
    facets = {name: sorting.FieldFacet(name, maptype=sorting.UnorderedList
                                       if name == FINGERPRINT else sorting.Count)
              for name in counted}
    top = (collectors.UnlimitedCollector() if depth is None
           else collectors.TopCollector(depth, usequality=False))
    collector = collectors.FacetCollector(top, facets)
    if query_filter is not None:
        collector = collectors.FilterCollector(collector, query_filter)
    searcher.search_with_collector(query, collector)
    found = collector.results()
    groups = {name: found.groups(name) for name in counted}
    return len(found), groups, list(found.items())  # len: exact without block quality


# The index field each filter names (year is a prefix of the date).
FILTER_FIELDS = {"interviewee": "interviewee", "interview": "interview_id",
                 "interview_id": "interview_id"}


def filter_query(filters: dict[str, str], snapshot: Snapshot) -> wq.Query | None:
    """Facet filters as a Whoosh filter (interviewee, interview, year); an interviewee is
    every form of the name the build stores for that person (:meth:`Snapshot.forms`)."""
    terms = [wq.Or([wq.Term(FILTER_FIELDS[k], form) for form in snapshot.forms(v)])
             if k == "interviewee" else wq.Term(FILTER_FIELDS[k], v)
             for k, v in filters.items() if k in FILTER_FIELDS]
    if filters.get("year"):  # dates are ISO, YYYY-MM-DD
        terms.append(wq.Prefix("date", f"{filters['year']}-"))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.And(terms)


def unknown_filter(filters: dict[str, str], snapshot: Snapshot) -> str | None:
    """Why a filter names no interview, interviewee or year of the build, or None."""
    for name, value in filters.items():
        if value not in snapshot.filter_values.get(name, ()):
            return (f"The {name} filter names no {name} in the index ({value[:80]!r}); "
                    "remove it to search everything.")
    return None


def listing(index: SearchIndex, results: SearchResults, snapshot: Snapshot) -> SearchResults:
    """The pairs the filters select, for a request without a query ("all of Dr. Ono's
    questions"): interviews in the order of the interview list (newest first), each in its
    own order, a page at a time, with the facets of all of them (the search page and
    ``qa-index search`` alike)."""
    started = time.perf_counter()
    chosen = [record for record in snapshot.catalogue
              if selects(results.filters, record, snapshot)]
    groups: dict[str, Counter] = {"interviewee": Counter(), "interview_id": Counter(),
                                  "date": Counter()}
    for record in chosen:
        for name, value in (("interviewee", record.get("interviewee")),
                            ("interview_id", record["id"]), ("date", record.get("date"))):
            groups[name][value or ""] += record["pair_count"]
    groups["interviewee"] = by_person(groups["interviewee"], snapshot)
    start = (results.page - 1) * results.per_page
    end, seen, shown = start + results.per_page, 0, []
    for record in chosen:
        if seen < end and seen + record["pair_count"] > start:
            pairs = index.interview(record["id"])["pairs"]
            shown += pairs[max(0, start - seen):end - seen]
        seen += record["pair_count"]
    return replace(results, total=seen, hits=[to_hit(doc, 0.0, Marks()) for doc in shown],
                   facets=facet_counts(groups, snapshot),
                   took_ms=results.took_ms + elapsed_ms(started))


def selects(filters: dict[str, str], record: dict, snapshot: Snapshot) -> bool:
    """Whether filters (interviewee, interview, year) select an interview of the manifest
    (an interviewee under any form of the name, :meth:`Snapshot.forms`)."""
    return (("interviewee" not in filters
             or record.get("interviewee") in snapshot.forms(filters["interviewee"]))
            and filters.get("interview", record["id"]) == record["id"]
            and (record.get("date") or "").startswith(filters.get("year", "")))


def by_person(counts: dict[str, int], snapshot: Snapshot) -> Counter:
    """Counts by interviewee name as counts by person, under the name shown for them
    (:meth:`Snapshot.shown_name`; a name shown already stays)."""
    people: Counter = Counter()
    for name, count in counts.items():
        people[snapshot.shown_name(name)] += count
    return people


def facet_counts(groups: dict[str, dict], snapshot: Snapshot) -> dict[str, list[dict]]:
    """The FACET_VALUES largest values of each facet with counts, interviews by their title
    (interviewees counted by person already: :func:`by_person`); and every year of the dated
    matches, latest first."""
    manifest = snapshot.manifest
    out = {}
    for name in FACETS:
        values = heapq.nsmallest(FACET_VALUES, ((k, v) for k, v in groups[name].items() if k),
                                 key=lambda kv: (-kv[1], kv[0]))
        out[name] = [{"value": k, "count": v, "label": facet_label(name, k, manifest)}
                     for k, v in values]
    out["interview"] = out.pop("interview_id")
    years: Counter = Counter()
    for day, count in groups.get("date", {}).items():
        if day:
            years[day[:4]] += count
    out["year"] = [{"value": year, "count": years[year], "label": year}
                   for year in sorted(years, reverse=True)]
    return out


URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(?:www[.])?", re.I)


def filter_labels(filters: dict[str, str], manifest: dict) -> dict[str, str]:
    """Each filter's value as people read it (an interview by its title), whether or not any
    match is left to show it among the facets."""
    return {name: facet_label(FILTER_FIELDS.get(name, name), value, manifest)
            for name, value in filters.items()}


def facet_label(name: str, value: str, manifest: dict) -> str:
    """An interview by its title; untitled pages of one JSON Lines file, all titled after the
    file ("Corpus"), also by their address ("Corpus · cdc.gov/vaccines"), so they differ."""
    if name != "interview_id":
        return value
    record = manifest["interviews"].get(value) or {}
    title = record.get("title") or value
    key = record.get("key") or ""
    if key and key != title and dense.collection_name(title, record):
        return f"{title} · {URL_SCHEME.sub('', key).rstrip('/')}"
    return title


def to_hit(doc: dict, score: float, found: Marks | None, by_meaning: bool = False) -> Hit:
    """Stored fields as a display-ready Hit; highlighted unless `found` is None (a pair found
    by meaning alone shows the start of its answer)."""
    question, answer = doc.get("question", ""), doc.get("answer", "")
    return Hit(
        id=doc["id"], question=question, answer=answer,
        question_html=highlight.mark(question, found) if found is not None else "",
        answer_html=highlight.fragments(answer, found) if found is not None else "",
        score=round(score, 4), by_meaning=by_meaning, interview_id=doc.get("interview_id", ""),
        interviewee=doc.get("interviewee", ""), interviewer=doc.get("interviewer", ""),
        title=doc.get("title", ""), date=doc.get("date", ""), source=doc.get("source", ""),
        position=doc.get("position", 0),
    )


def directory_size(path: Path) -> int:
    """Total size in bytes of the files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
