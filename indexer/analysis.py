"""Medical-aware text analysis: the tokenizer and filter behind every indexed and queried word.

Plain Whoosh analyzers lose exactly what clinicians search for (one-letter parts of T-cell,
ALL as a stop word, MDS stemmed to "md"). This pipeline instead:

* keeps compound tokens as written and as their parts: ``CAR-T`` gives ``CART`` (the joined
  form) at the position of its first part, then ``car`` and ``t`` at consecutive positions,
  so ``CART``, ``CAR-T`` and the phrase ``"CAR T"`` all meet;
* respects case: a token written in capitals (``ALL``, ``IT``, ``US``, ``MDS``) or with digits
  or inner capitals (``CD7``, ``HbA1c``) is a name: never a stop word, never stemmed. The same
  word in lower case is ordinary English (``all`` is a stop word). A query word in capitals
  that is no name the vocabulary knows (``DIABETES``) is searched as the word too
  (:func:`read_as_word`);
* keeps negations (``not``, ``no``) and one-letter parts next to a letter or digit;
* stems ordinary English words (Porter) and folds accents and UK spellings.

Whoosh pickles the analyzer into the index, so every piece here is a module-level class
without per-instance tables (the vocabulary is loaded lazily from the package).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache

from whoosh.analysis import Composable
from whoosh.analysis import Filter
from whoosh.analysis import Token
from whoosh.analysis import Tokenizer
from whoosh.lang.porter import stem as porter_stem

from indexer import vocabulary
from indexer.formats.names import honorific

# A translocation such as t(9;22) or inv(16), or a word with inner -, ‐, ‑ or a trailing +.
# Both start with a word character: saying so first, (?=\w), lets the regex engine pass over
# spaces and punctuation quickly (tokenizing MedQuAD takes a tenth less time).
TOKEN_PATTERN = re.compile(
    r"(?=\w)(?:"
    r"(?:t|inv|del|der|ins)\(\d+(?:;\d+)?\)(?:\([pq]\d+(?:\.\d+)?(?:;[pq]\d+(?:\.\d+)?)?\))?"
    r"|\w+(?:['’]\w+)*(?:[-‐‑+](?=\w)\w+(?:['’]\w+)*|\.(?=\d)\d+)*\+*"
    r")",
    re.IGNORECASE,
)
PART_SPLIT = re.compile(r"[-‐‑+]")

# English stop words, without the negations and the words that carry clinical meaning
# (not, no, nor, against, before, after, during, more, most, few, off, over, under).
# Lower-case "all", "it" and "us" are stop words; ALL, IT and US in capitals are names.
STOP_WORDS = frozenset(
    """a about above all an and any are as at be both each been being but by can could did do
    does doing for from had has
    have having he her here hers herself him himself his how i if in into is it its itself
    just me my myself of on once only or other our ours ourselves own same she should so
    some such than that the their theirs them themselves then there these they this those
    through to too until up us very was we were what when where which while who whom why
    will with would you your yours yourself yourselves s t d ll m re ve y""".split()
)


# Greek letters as medical text spells them out: β-thalassemia is beta-thalassemia, TNF-α
# TNF-alpha, κ light chains kappa light chains (mu is left: µg is micrograms).
GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon",
                       "θ": "theta", "κ": "kappa", "λ": "lambda", "ω": "omega"})


def fold(text: str) -> str:
    """Lower-case, strip accents (Sjögren -> sjogren) and spell out the Greek letters of
    :data:`GREEK` (β -> beta)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(GREEK)


def spelled_greek(word: str) -> bool:
    """A Greek letter that :func:`fold` spells out (β, Κ): a word, not a lone letter."""
    return len(word) == 1 and len(fold(word)) > 1


def is_name(word: str) -> bool:
    """True for acronyms, gene and drug codes: ALL, CD7, HbA1c, IL6; not for Cell or T."""
    letters = [c for c in word if c.isalpha()]
    if any(c.isdigit() for c in word):
        return True
    if len(letters) < 2:
        return False
    return all(c.isupper() for c in letters) or any(c.isupper() for c in letters[1:])


def is_code(word: str) -> bool:
    """A word with a digit or a joining sign: CD7, IL-6, CAR-T, CD4+ (not DON'T)."""
    return any(c.isdigit() or c in "+-" for c in word)


@lru_cache(maxsize=1)
def vocabulary_names() -> frozenset[str]:
    """The vocabulary's one-word names, in capitals: its expressions of one word and one part
    that are names (AML, HSCT, NSAIDS, CD7, CART; ALL and PET too, also English words), and
    its capitals-only names (KIT, ABL)."""
    return frozenset(expression.upper() for group in vocabulary.synonym_groups()
                     for expression in group
                     if TOKEN_PATTERN.fullmatch(expression) and is_name(expression)
                     and len(PART.findall(expression.rstrip("+"))) == 1
                     ) | {name.upper() for name in vocabulary.capitals_only()}


def known_name(word: str) -> bool:
    """A code (CD7, CAR-T, IL-6) or a one-word name the vocabulary knows, however it is typed
    (BCMA, bcma, HSCT, ALL): read as a name by every rule about capitals (:func:`read_as_word`,
    caps lock in ``indexer.query.unshout``, a query of names in ``indexer.search.names_only``)."""
    return is_code(word) or word.upper() in vocabulary_names()


def read_as_word(word: str) -> bool:
    """Whether a query word typed in capitals is searched as the English word as well as the
    name as written: letters in capitals, two or more, that are neither a stop word (IT and US
    in capitals are names, as indexed) nor a :func:`known_name`. Typed so, "DIABETES" and
    "HEPATITIS" are more often the words, in caps lock or for emphasis, than acronyms; but an
    acronym the vocabulary lacks is typed so too ("POEMS" syndrome, indexed as "poems" where
    written in capitals, as "poem" in lower case), so the name is searched beside the word
    rather than instead of it.
    A word with a capital letter read with it (HEPATITIS-B, typed "HEPATITIS B", see
    :func:`letter_pairs`; T-CELL) goes by its word, unless the two make a known name (CAR-T
    is CART)."""
    parts = PART_SPLIT.split(word)
    if len(parts) == 2 and min(map(len, parts)) == 1:
        if known_name("".join(parts)):
            return False
        word = max(parts, key=len)
    elif len(parts) != 1:
        return False
    return (word.isupper() and sum(c.isalpha() for c in word) >= 2 and not known_name(word)
            and fold(word) not in STOP_WORDS and len(word.lower()) == len(word))  # spans stay


def lowered(word: str) -> str:
    """A word :func:`read_as_word` reads, as the word: in lower case but for a letter read
    with it (HEPATITIS-B -> hepatitis-B, T-CELL -> T-cell)."""
    return PART.sub(lambda part: part[0] if len(part[0]) == 1 else part[0].lower(), word)


def normalize_word(word: str) -> str:
    """An ordinary word before stemming: folded, possessive dropped, UK spelling mapped."""
    folded = fold(word).replace("’", "'")
    if folded.endswith("'s"):
        folded = folded[:-2]
    folded = folded.replace("'", "")
    return vocabulary.spellings().get(folded, folded)


# Surface form -> stem of every ordinary word stemmed in this process, query words included:
# it makes stemming cheap (the same words recur constantly).
STEMS: dict[str, str] = {}
MAX_STEMS = 1_000_000


def stem_word(word: str) -> str:
    """Porter stem of an ordinary word, remembered."""
    try:
        return STEMS[word]
    except KeyError:
        stem = porter_stem(word)
        if len(STEMS) < MAX_STEMS:
            STEMS[word] = stem
        return stem


def normalize_name(word: str) -> str:
    """The indexed form of a name: folded, never stemmed."""
    return fold(word).replace("’", "'")


class MedicalTokenizer(Tokenizer):
    """Splits text into words, compounds (T-cell, CD4+) and translocations, keeping case."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        previous, end = None, None
        for match in TOKEN_PATTERN.finditer(value):
            t.text = match.group(0)
            # the word one space before, for a letter naming a kind with it (hepatitis A)
            t.previous = previous if value[end:match.start()] == " " else None
            previous, end = t.text, match.end()
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


class MedicalFilter(Filter):
    """Turns raw words into terms: names as written, compounds with their parts, no stops.

    Positions are assigned here, without gaps for stop words. In ``query`` mode (quoted
    phrases) a compound yields only its parts, so the phrase meets consecutive positions.
    Each term carries ``stemmable`` for :class:`MedicalStemFilter`.
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        pos = 0
        for t in tokens:
            word_start = t.startchar if t.chars else 0
            terms = (LETTER_TERMS[t.text] if names_letter(getattr(t, "previous", None), t.text)
                     else analyze_word(t.text, emit_joined=t.mode != "query"))
            for term in terms:
                if term.stopped and t.removestops:
                    continue
                t.text, t.stopped, t.stemmable = term.text, term.stopped, term.stemmable
                t.boost = 1.0
                if t.positions:
                    t.pos = pos + term.offset
                if t.chars:
                    t.startchar, t.endchar = word_start + term.start, word_start + term.end
                yield t
            pos += word_width(terms, t.removestops)


class MedicalStemFilter(Filter):
    """Porter-stems ordinary English words only (skipped for Whoosh's spelling field)."""

    is_morph = True

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        for t in tokens:
            if getattr(t, "stemmable", False):
                t.text = stem_word(t.text)
            yield t


def medical_analyzer() -> Composable:
    """The analyzer of every text field: tokenizer, medical filter, stemmer."""
    return MedicalTokenizer() | MedicalFilter() | MedicalStemFilter()


@dataclass(frozen=True)
class Term:
    """One term produced from a raw word, with its span inside the word and its offset."""

    text: str
    start: int
    end: int
    offset: int = 0
    stemmable: bool = False
    stopped: bool = False


TRANSLOCATION = re.compile(r"(?:t|inv|del|der|ins)\(.*", re.IGNORECASE)
PART = re.compile(r"[^-‐‑+]+")


@lru_cache(maxsize=200_000)
def analyze_word(raw: str, emit_joined: bool = True) -> tuple[Term, ...]:
    """The terms of one raw word: a plain word, a name, or a compound and its parts."""
    if TRANSLOCATION.fullmatch(raw):
        return (Term(fold(raw), 0, len(raw)),)
    core = raw.rstrip("+")
    parts = [(m.group(), m.start(), m.end()) for m in PART.finditer(core)]
    if len(parts) == 1 and core == raw:
        return (single_term(raw, 0, len(raw), 0, compound_part=False),)
    kept = []
    for text, start, end in parts:
        term = single_term(text, start, end, len([k for k in kept if not k.stopped]), True)
        kept.append(term)
    if not emit_joined:
        return tuple(kept)
    return (joined_term(raw, core, parts), *kept)


def word_width(terms: tuple[Term, ...], removestops: bool = True) -> int:
    """How many positions a word's terms take: up to and including its last term that counts
    (a stopped term counts only when stop words are kept, and takes no position of its own)."""
    return max((term.offset + (not term.stopped) for term in terms
                if not (term.stopped and removestops)), default=0)


def finished(term: Term) -> str:
    """A term's indexed text: stemmed when it is an ordinary word."""
    return stem_word(term.text) if term.stemmable else term.text


@lru_cache(maxsize=200_000)
def index_terms(raw: str) -> tuple[tuple[tuple[str, int, int, int], ...], int]:
    """What indexing makes of one raw word: its finished terms (stop words dropped) with their
    position offsets and character spans in the word, and its width in positions (shared by
    the build and the highlighter)."""
    terms = analyze_word(raw)
    kept = tuple((finished(t), t.offset, t.start, t.end) for t in terms if not t.stopped)
    return kept, word_width(terms)


# A and I are English words, not indexed, except as a letter naming a kind with the word
# before them, one space apart (hepatitis A, type I): then they are indexed as "a" and "i".
LETTER_TERMS = {letter: (Term(letter.lower(), 0, 1),) for letter in "AI"}
LETTER_INDEXED = {letter: (((letter.lower(), 0, 0, 1),), 1) for letter in "AI"}


@lru_cache(maxsize=1)
def lettered_stems() -> frozenset[str]:
    """The stems of the vocabulary's [lettered] words: any of their forms takes a letter."""
    return frozenset(stem_word(normalize_word(word)) for word in vocabulary.lettered())


def names_letter(previous: str | None, raw: str) -> bool:
    """Whether `raw`, typed one space after the word `previous`, is a capital A or I naming a
    kind with it ("hepatitis A", "type I diabetes", "stage I") rather than the English word:
    only after a [lettered] word of the vocabulary ("as I said", "the A team" keep the
    words). Other capital letters are kept everywhere (see single_term)."""
    return ((raw == "A" or raw == "I") and previous is not None
            and stem_word(normalize_word(previous)) in lettered_stems())


def word_terms(raw: str, previous: str | None) -> tuple[tuple[tuple[str, int, int, int], ...], int]:
    """index_terms() of a word typed one space after `previous` (None: not so): a letter
    naming a kind with its word (names_letter) is indexed."""
    return LETTER_INDEXED[raw] if names_letter(previous, raw) else index_terms(raw)


# The raw words indexed meanwhile, per thread (see collecting_words).
COLLECTING = threading.local()


@contextmanager
def collecting_words() -> Iterator[set[str]]:
    """Gather every raw word that :func:`term_positions` indexes in this thread meanwhile:
    what a build indexed, as written ("did you mean" compares typos with these words, not with
    their stems). Filling the set takes 0.06 s of a MedQuAD build's 10 s of CPU."""
    words: set[str] = set()
    outer = getattr(COLLECTING, "words", None)
    COLLECTING.words = words
    try:
        yield words
    finally:
        COLLECTING.words = outer


def term_positions(text: str) -> dict[str, list[int]]:
    """Each indexed term of `text` and its positions: exactly what the analyzer yields in index
    mode (stop words removed), but built word by word from cached results instead of one
    Token per term through the filter chain (the build analyzes millions of words)."""
    positions: dict[str, list[int]] = {}
    pos = 0
    raws = TOKEN_PATTERN.findall(text)
    if (seen := getattr(COLLECTING, "words", None)) is not None:
        seen.update(raws)
    previous = None
    for raw in raws:
        if (raw == "A" or raw == "I") and previous and f"{previous} {raw}" in text:
            kept, width = word_terms(raw, previous)  # (rare: checked only for A and I)
        else:
            kept, width = index_terms(raw)
        previous = raw
        for term, offset, _start, _end in kept:
            if term in positions:
                positions[term].append(pos + offset)
            else:
                positions[term] = [pos + offset]
        pos += width
    return positions


def single_term(word: str, start: int, end: int, offset: int, compound_part: bool) -> Term:
    """One word alone or as part of a compound."""
    if len(word) == 1 and not spelled_greek(word):
        keep = word.isdigit() or compound_part or (word.isupper() and word not in "AI")
        return Term(fold(word), start, end, offset, stopped=not keep)
    if is_name(word):
        return Term(name_term(word), start, end, offset)
    text = normalize_word(word)
    if text in STOP_WORDS:
        return Term(text, start, end, offset, stopped=True)
    stemmable = text not in vocabulary.no_stem() and not any(c.isdigit() for c in text)
    return Term(text, start, end, offset, stemmable=stemmable)


def name_term(word: str) -> str:
    """The indexed form of a name: folded (CD7 -> cd7), except a name of the vocabulary's
    capitals-only list written in capitals (PET, AIDS, CART), which keeps them: folded, it
    was the word "pet" or "aids", and "PET scan" opened on pet health, "AIDS" on hearing
    aids."""
    folded = normalize_name(word)
    return word if word.isupper() and folded in vocabulary.capitals_only() else folded


def joined_term(raw: str, core: str, parts: list) -> Term:
    """The joined form of a compound: CAR-T -> CART (a capitals-only name, see name_term),
    CD4+ -> cd4+, T-cells -> tcells."""
    name = is_name(core) or raw != core
    glued = "".join(p[0] for p in parts)
    joined = name_term(glued) if name else normalize_word(glued)
    return Term(joined + raw[len(core):], 0, len(raw), 0, stemmable=not name)


# Words that make a sentence a question but say nothing about its subject; dropped from
# queries only (the stored questions keep them).
QUESTION_WORDS = frozenset(
    """what whats how why when where which who whom whose does do did can could should would
    shall will may might tell explain know knowing please thank thanks hi hello dear want
    wanted wondering wonder like anyone someone somebody information info question
    questions regarding help""".split()
)


# Words a lone capital letter is not read with (see letter_pairs): those not searched, and
# the negations, which say something of the letter ("not B") rather than name it with it.
NO_MATES = QUESTION_WORDS | STOP_WORDS | {"not", "no", "nor"}
# Words that join clauses in power-user text (Whoosh's operators), in capitals too.
JOINING = frozenset({"and", "or", "not", "andnot", "andmaybe"})


def query_words(text: str) -> list[tuple[str | None, list[str], str]]:
    """Analyze query text into (joined term or None, part terms, raw word) per word.

    Stop words, question words and lone lower-case letters are dropped; names stay as
    written; ordinary words are stemmed exactly as at index time. A word typed with a
    trailing * (leuk*) has no terms, and its raw word keeps the star (the parser reads it
    by its start, :func:`prefix_word`).
    """
    return [(word.joined, list(word.terms), word.searched or word.raw)
            for word in read_query(text) if not word.skipped]


LONE_PART_CHARS = 3  # a compound's part searched on its own: a name of this many characters


def lone_parts(raw: str) -> tuple[Term, ...]:
    """The parts of a compound that are also searched on their own: its names and codes of
    three characters or more with two letters (CD19 of anti-CD19, HSCT of allo-HSCT, BCMA and
    CAR of BCMA-CAR), where a pair naming the code alone is about it too. None of a compound
    with a part of one character, which names one thing as a whole (CAR-T, T-ALL, IL-6: a
    lone T or 6 would match everything), nor shorter names (PD-L1 is not PD) or prefixes and
    other words (anti, allo, low-risk)."""
    parts = analyze_word(raw)[1:]
    if len(parts) < 2 or any(t.end - t.start < 2 for t in parts):
        return ()
    return tuple(t for t in parts if not t.stopped and lone_name(raw[t.start:t.end]))


def lone_name(part: str) -> bool:
    """Whether a compound's part is a name that says enough alone (CD19, HSCT; not 19)."""
    return (len(part) >= LONE_PART_CHARS and is_name(part)
            and sum(c.isalpha() for c in part) >= 2)


QUESTION_WORD = "question word"
COMMON_WORD = "common word"
LONE_LETTER = "single letter"
SHORT_PREFIX = "short prefix"
TITLE = "title"


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and what search makes of it (:func:`read_query`)."""

    raw: str
    start: int  # where the word starts in the query
    joined: str | None = None  # a compound's joined term (CAR-T -> cart), searched with its parts
    terms: tuple[str, ...] = ()  # the word's term, or a compound's part terms
    parts: tuple[str, ...] = ()  # a compound's parts as typed (CAR-T -> CAR, T)
    alone: tuple[str, ...] = ()  # the parts also searched on their own (anti-CD19 -> CD19)
    alone_terms: tuple[str, ...] = ()  # their terms
    stemmed: bool = False  # an ordinary word, matched in any of its forms
    skipped: str = ""  # why not searched: QUESTION_WORD, COMMON_WORD, LONE_LETTER, SHORT_PREFIX,
    #                    TITLE
    searched: str = ""  # the form the query parser is given, when not `raw` (hepatitis-B)
    written: QueryWord | None = None  # a word in capitals read as the word: also the name
    starts: tuple[str, ...] = ()  # a word typed with a trailing * (leuk*): the starts searched

    @property
    def clauses(self) -> tuple[QueryWord, ...]:
        """The readings searched, OR-ed: the word's, and the name as written if it differs."""
        return (self,) if self.written is None else (self, self.written)


def read_query(text: str) -> list[QueryWord]:
    """Every word of query text, searched or not, with its terms or why it is left out
    (:func:`reading`, remembered: one search reads its text a dozen times, for the parser, the
    synonyms, the findings and the words panel)."""
    return list(reading(text))


@lru_cache(maxsize=4096)
def reading(text: str) -> tuple[QueryWord, ...]:
    """The words of query text as :func:`read_query` gives them.

    A capital letter typed apart from the word it belongs to ("hepatitis B", "CAR T",
    "T cell") is read with that word, as if joined by a hyphen (see :func:`letter_pairs`):
    alone, "B" matched B-cell answers and "T" every T-lineage one. A word in capitals that
    :func:`read_as_word` reads as the word too ("DIABETES") is read in lower case, with its
    reading as the name kept in ``written`` when that searches other terms; it is left out
    where the word is (a question word, "HELP"). A word typed with a trailing * is read by
    its start (:func:`prefix_word`). A title before a name (:func:`title`) is left out."""
    prefixes = prefix_words(text)
    tokens = query_tokens(text, prefixes)
    words = [prefix_word(word, start) for start, word in prefixes.items()]
    for raw, start, searched in letter_pairs(text, tokens):
        if title(raw, text[start + len(raw):]):
            words.append(QueryWord(raw, start, skipped=TITLE))
            continue
        if not read_as_word(searched):
            words.append(read_word(raw, start, searched, searched))
            continue
        word = read_word(raw, start, searched, lowered(searched))
        written = None if word.skipped else read_word(raw, start, searched, searched)
        if written is not None and searches(written) != searches(word):
            word = replace(word, written=written)
        words.append(word)
    return tuple(sorted(words, key=lambda word: word.start))


def title(raw: str, after: str) -> bool:
    """Whether a query word (`raw`, followed by the text `after`) is a title before a name:
    an honorific (:func:`indexer.formats.names.honorific`) written as a title, with a capital
    initial or a full stop ("Prof. Zhang", "Dr Zhang", "dr. zhang"), and a word after it.
    Searched, "Prof" found "prof" in web addresses, and "did you mean" made it POF (premature
    ovarian failure). In capitals it is a name (MS, MR, DR); in lower case without a full stop
    a word ("ms"); with no word after it, what is asked about ("professor")."""
    return (honorific(raw) and not is_name(raw) and (raw[0].isupper() or after[:1] == ".")
            and re.match(r"\.?\s+[^\W\d_]", after) is not None)


PREFIX_LETTERS = 3  # the fewest letters (or digits) a word typed with a trailing * searches by
PREFIX_CHARS = re.compile(r"[^\W_]+")  # a prefix: letters and digits, no joining sign


def prefix_words(text: str) -> dict[int, str]:
    """The words of query text typed with a trailing * (leuk*, CD1*), by where they start,
    without the star: a whole word of letters and digits (not a compound's part, "anti-CD*",
    nor a word the * stands inside of, "leu*kemia", nor one in a row of stars, "leuk**").
    Whoosh's own syntax took the * for a wildcard, and a trailing ? too; a ? stays text."""
    found = {}
    for match in TOKEN_PATTERN.finditer(text):
        end = match.end()
        if (text[end:end + 1] == "*" and PREFIX_CHARS.fullmatch(match[0])
                and not re.match(r"[\w*]", text[end + 1:end + 2])):
            found[match.start()] = match[0]
    return found


def query_tokens(text: str, prefixes: dict[int, str] | None = None) -> list[tuple[str, int]]:
    """(raw word, start) of every word of query text but those typed with a trailing *
    (`prefixes`, by default :func:`prefix_words`), which are read apart: a capital letter
    beside one is not read with it (:func:`letter_pairs`)."""
    prefixes = prefix_words(text) if prefixes is None else prefixes
    return [(m.group(0), m.start()) for m in TOKEN_PATTERN.finditer(text)
            if m.start() not in prefixes]


def unstarred(text: str, completions: dict[str, str] | None = None) -> str:
    """Query text with each word typed with a * (:func:`prefix_words`) as its completion in
    `completions` (by the word as typed, without the *), or else without the *: for the
    meaning side, which reads "transplant outcomes" better than "transpl outcomes", and that
    better than "transpl* outcomes"."""
    completions = completions or {}
    for start, word in sorted(prefix_words(text).items(), reverse=True):
        text = text[:start] + completions.get(word, word) + text[start + len(word) + 1:]
    return text


def prefix_word(word: str, start: int) -> QueryWord:
    """A word typed with a trailing * (`word`, without it), searched as the indexed words
    that start with it (:func:`word_starts`): "leuk*" finds leukemia, leukaemia and
    leukocytes, "transpl*" transplant and transplantation. Such a word is never corrected
    (it is no typo of "leak") nor given the vocabulary's synonyms (it names no expression).
    A start of fewer than PREFIX_LETTERS letters or digits is not searched (SHORT_PREFIX):
    two letters start hundreds of unrelated words ("co*" 667 of MedQuAD's 29,000 terms, "my*"
    my, myalgia, myc, myelin... 132), which say nothing of what is asked and take long to
    score; three start a family at the median (2 terms; 61 at the 99th percentile, and 345
    for the broadest, "hyp*"), and a useful one (leu*, mye*, CD1*)."""
    if len(word) < PREFIX_LETTERS:
        return QueryWord(f"{word}*", start, skipped=SHORT_PREFIX)
    return QueryWord(f"{word}*", start, starts=word_starts(word))


def word_starts(word: str) -> tuple[str, ...]:
    """The starts of the indexed words that a prefix stands for: the prefix folded as words
    are (lower case, no accents), not stemmed (a stem cuts a word's end: "immunother" would
    be "immunoth", and find more than was typed); and, for the start of a UK spelling of the
    vocabulary, the US start it is indexed under ("leukaem": "leukem", from leukaemia =
    leukemia; "haem": "hem", from haematology = hematology). A start that another one
    begins is left out (its words are among the other's)."""
    folded = fold(word)
    starts = {folded}
    for variant, canonical in vocabulary.spellings().items():
        rest = variant[len(folded):]
        if variant.startswith(folded) and canonical.endswith(rest):
            us = canonical[:len(canonical) - len(rest)]
            if len(us) >= PREFIX_LETTERS:
                starts.add(us)
    kept = [s for s in starts if not any(o != s and s.startswith(o) for o in starts)]
    return tuple(sorted(kept, key=lambda s: (s != folded, s)))


def read_word(raw: str, start: int, searched: str, form: str) -> QueryWord:
    """One word of a query (`raw` as typed, `searched` as the parser is given it), read in the
    `form` analyzed: `searched`, or its lower case for a word in capitals read as the word."""
    if not is_name(form) and fold(form) in QUESTION_WORDS:
        return QueryWord(raw, start, skipped=QUESTION_WORD)
    terms = [t for t in analyze_word(form) if not t.stopped]
    if not terms:
        return QueryWord(raw, start, skipped=LONE_LETTER if len(raw) == 1 else COMMON_WORD)
    texts = tuple(finished(t) for t in terms)
    stemmed = any(t.stemmable for t in terms)
    if len(terms) > 1 and terms[0].offset == 0 and terms[0].end == len(form):
        alone = lone_parts(form)  # (`searched` is `raw`, or "type-I" for the I of "type I")
        return QueryWord(raw, start, texts[0], texts[1:],
                         tuple(searched[t.start:t.end] for t in terms[1:]),
                         tuple(searched[t.start:t.end] for t in alone),
                         tuple(finished(t) for t in alone), stemmed,
                         searched="" if searched == raw else searched)
    return QueryWord(raw, start, None, texts, stemmed=stemmed)


def searches(word: QueryWord) -> tuple:
    """What a word's reading searches: its joined term, its terms and its parts alone."""
    return word.joined, word.terms, word.alone_terms


def lone_letter(raw: str, before: str | None = None) -> bool:
    """Whether a word is a capital letter to read with the word `before` it (or after it):
    any but A and I, which only after a [lettered] word (:func:`names_letter`)."""
    return (len(raw) == 1 and raw.isalpha() and raw.isupper()
            and (raw not in "AI" or names_letter(before, raw)))


def letter_pairs(text: str, tokens: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """(raw, start, form to analyze) of each token, a capital letter standing alone after a
    word (or, first, before one) taken with it, one space apart: "hepatitis B" is searched
    as hepatitis-B (the phrase, or the joined "hepatitisb"), "CAR T" as CAR-T, "T cell" as
    T-cell. A and I are words, but after a [lettered] word they are letters too
    (:func:`names_letter`): "hepatitis A" is searched as hepatitis-A, and "type I" as the
    word type and, besides, type-I ("what type I need" keeps the word's matches, the pronoun
    being read as a letter). A letter beside a question word, common word or negation stays
    alone (so does a letter beside another letter, or beside a compound, which has its own
    letters)."""
    def mate(raw: str) -> bool:
        return (len(raw) > 1 and not PART_SPLIT.search(raw) and not TRANSLOCATION.fullmatch(raw)
                and fold(raw) not in JOINING and (is_name(raw) or fold(raw) not in NO_MATES))

    out, i = [], 0
    while i < len(tokens):
        raw, start = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following and " " == text[start + len(raw):following[1]] and (
                (lone_letter(following[0], raw) and mate(raw))
                or (lone_letter(raw) and mate(following[0]))):
            whole = text[start:following[1] + len(following[0])]
            if following[0] == "I":  # also the pronoun: the word stays searched alone
                out += [(raw, start, raw), (following[0], following[1], f"{raw}-I")]
            else:
                out.append((whole, start, f"{raw}-{following[0]}"))
            i += 2
            continue
        out.append((raw, start, raw))
        i += 1
    return out
