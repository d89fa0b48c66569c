"""The Whoosh schema: the only place index fields are defined (indexer and webapp import it).

One document per question/answer pair. ``question`` and ``answer`` are searched (``title`` is
indexed for field queries: searching it by default lowered nDCG@10 on the dev questions);
the rest is stored for display, filtering and facets, and ``fingerprint`` tells copies of a
pair apart from other pairs. There is no ``spelling=True`` field:
"did you mean" works from the words each build indexed, as written, kept beside the index by
term (``surfaces.json``, ``indexer.spelling``), which keeps builds fast (Whoosh's spelling
sub-fields cost a file-existence check per posting, and double the postings). Whoosh pickles
this schema into every index, so the field classes and analyzer live in importable modules
(this one and ``indexer.analysis``).
"""

from __future__ import annotations

from functools import lru_cache

from whoosh import columns
from whoosh import fields
from whoosh import formats
from whoosh import query as wq

from indexer.analysis import QueryWord
from indexer.analysis import medical_analyzer
from indexer.analysis import read_query
from indexer.analysis import term_positions
from indexer.prefix import WordStart

# The version of how pairs are indexed; an update refuses a build of another version (see
# store.same_schema). 3: capitals-only names written in capitals keep their case (PET, AIDS);
# 4: a capital A or I after a [lettered] word is indexed (hepatitis A, type I), Greek letters
# as their names (β-thalassemia as beta-thalassemia); 5: each pair's fingerprint, which copies
# of a pair share (search lists them once); 6: more capitals-only names (US, KIT, ABL, ET:
# "US" had met every "used", "ABL" every "able").
SCHEMA_VERSION = 6

# Fields searched by the query pipeline, with their weights (a match in the stored question
# says more than a match in a long answer).
SEARCH_FIELDS = {"question": 2.5, "answer": 1.0}
# Stored fields that the query syntax may name (`interviewee:"He Huang"`).
FILTER_FIELDS = ("interviewee", "interview_id")
# The weight of a compound's part searched on its own (CD19 for anti-CD19): below the
# compound as written, whose pairs also hold the part and so rank first.
PART_BOOST = 0.5


class MedicalText(fields.TEXT):
    """A TEXT field that turns each query word into medical-aware clauses.

    ``CAR-T`` becomes ``cart OR "car t"``; question words and stop words vanish; names
    keep their case meaning; ``leuk*`` becomes a :class:`indexer.prefix.WordStart` (the
    parser hands a self-parsing field every word, so Whoosh's PrefixPlugin would not reach
    it). Quoted phrases still go through the analyzer (parts only).
    """

    def self_parsing(self) -> bool:
        return True

    def index(self, value, **kwargs):
        """(term bytes, frequency, weight, encoded positions) per term: what Whoosh's Positions
        format makes of the analyzer's tokens, taken from ``term_positions`` (much faster)."""
        fmt = self.format
        if kwargs or not isinstance(value, str) or type(fmt) is not formats.Positions:
            return super().index(value, **kwargs)
        boost = fmt.field_boost
        return [(term.encode("utf-8"), len(poses), len(poses) * boost,
                 one_position(poses[0]) if len(poses) == 1 else fmt.encode(poses))
                for term, poses in term_positions(value).items()]

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> wq.Query:
        clauses = [word_clause(fieldname, word, boost)
                   for word in read_query(qstring) if not word.skipped]
        return any_of(clauses) if clauses else wq.NullQuery


def any_of(clauses: list[wq.Query]) -> wq.Query:
    """The clauses OR-ed; the clause itself when it is the only one."""
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def word_clause(fieldname: str, word: QueryWord, boost: float = 1.0) -> wq.Query:
    """What one query word (searched, not skipped) is searched as in a field: the starts of a
    word typed with a * (:class:`indexer.prefix.WordStart`), else each of its readings
    (:func:`word_query`), OR-ed."""
    if word.starts:
        return any_of([WordStart(fieldname, start, boost=boost) for start in word.starts])
    return any_of([word_query(fieldname, read.joined, list(read.terms), boost,
                              read.alone_terms) for read in word.clauses])


@lru_cache(maxsize=100_000)
def one_position(pos: int) -> bytes:
    """The encoded positions of a term found once (three postings in four), remembered."""
    return formats.Positions().encode([pos])


def word_query(fieldname: str, joined: str | None, parts: list[str], boost: float,
               alone: tuple[str, ...] = ()) -> wq.Query:
    """The clause for one analyzed word: a term, or a compound's joined term OR its parts
    next to each other OR, at PART_BOOST, those of its parts searched `alone` (anti-CD19:
    "anticd19" OR "anti cd19" OR cd19, so a pair naming CD19 alone is found, lower)."""
    if len(parts) == 1:
        by_parts = wq.Term(fieldname, parts[0], boost=boost)
    else:
        by_parts = wq.Phrase(fieldname, parts, boost=boost)
    if joined is None:
        return by_parts
    return wq.Or([wq.Term(fieldname, joined, boost=boost), by_parts,
                  *(wq.Term(fieldname, term, boost=boost * PART_BOOST) for term in alone)])


def medical_text(phrase: bool = True, **kwargs) -> MedicalText:
    """A MedicalText field with the medical analyzer (positions kept unless `phrase` is False)."""
    return MedicalText(analyzer=medical_analyzer(), phrase=phrase, **kwargs)


def make_schema() -> fields.Schema:
    """A fresh schema object (Whoosh wants one per index it creates)."""
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        interview_id=fields.ID(stored=True, sortable=True),
        file=fields.ID(stored=True),
        position=fields.NUMERIC(stored=True, sortable=True),
        question=medical_text(stored=True),
        answer=medical_text(stored=True),
        title=medical_text(stored=True),
        interviewee=fields.ID(stored=True, sortable=True),
        interviewer=fields.STORED(),
        date=fields.ID(stored=True, sortable=True),
        source=fields.STORED(),
        source_id=fields.STORED(),
        # corpus.fingerprint: a column only (read whole by indexer.copies), neither indexed
        # nor stored
        fingerprint=fields.COLUMN(columns.VarBytesColumn()),
    )
