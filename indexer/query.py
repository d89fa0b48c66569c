"""User text to a Whoosh query: question mode, power-user syntax, synonym expansion.

People type keywords or whole questions. Terms are OR-ed, and of a short keyword query a pair
holding more (by their idf) ranks higher (:func:`held_words`); matches in the stored question
weigh more than in the answer; question words and punctuation do not count (a trailing ``?``
is never a wildcard). Quotes, ``AND``/``OR``/``NOT`` in capitals, ``-term`` and ``field:``
work where they are unambiguous. Text the parser cannot
use falls back to its plain words. Vocabulary synonyms are added as extra OR-ed alternatives
of the words searched for, within the exclusions that apply to those words, and left out with
the words excluded (``-term``, ``NOT term``), but for a synonym of a word searched for ("AML
-ANLL" leaves out ANLL only); a synonym holding an excluded word is not searched.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from functools import lru_cache

from whoosh import matching
from whoosh import qparser
from whoosh import query as wq
from whoosh.lang.porter import stem
from whoosh.qparser import syntax

from indexer import vocabulary
from indexer.analysis import QUESTION_WORD
from indexer.analysis import SHORT_PREFIX
from indexer.analysis import STOP_WORDS
from indexer.analysis import QueryWord
from indexer.analysis import is_name
from indexer.analysis import known_name
from indexer.analysis import letter_pairs
from indexer.analysis import lone_letter
from indexer.analysis import query_tokens
from indexer.analysis import query_words
from indexer.analysis import read_query
from indexer.analysis import searches
from indexer.analysis import unstarred
from indexer.analysis import vocabulary_names
from indexer.highlight import Marks
from indexer.schema import SEARCH_FIELDS
from indexer.schema import make_schema
from indexer.schema import word_clause

MAX_QUERY_CHARS = 1000
SYNONYM_BOOST = 0.6
TYPO_BOOST = 0.8
HELD_WORDS = 4  # a keyword query of up to this many words ranks pairs by how many they hold
# Parts of a query that must reach the analyzer whole: t(9;22) would otherwise be a group.
PROTECT = re.compile(r"(?<![\w\"])((?:t|inv|del|der|ins)\(\d+(?:;\d+)?\)(?:\([^()\s]*\))?)",
                     re.IGNORECASE)
QUOTED = re.compile(r'"[^"]*"')  # a quoted phrase (an unclosed quote is no phrase)
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})  # Whoosh's operator words
SYNTAX = re.compile(r"\"|(?:^|\s)[-+](?=[\w\"(])|\b(?:AND|OR|NOT|ANDNOT)\b|\b\w+:")
# Syntax that restricts what may match (a phrase, a required or excluded word): only keyword
# search can honour it. OR widens, and "Subject:" in a pasted message is no field.
RESTRICTING = re.compile(r"\"|(?:^|\s)[-+](?=[\w\"(])|\b(?:AND|NOT|ANDNOT)\b")
# Words (and word pairs) that say a finding is raised or lowered: "high potassium", "an increase
# in white cells", "low-risk MDS". Verbs are left out ("how to lower cholesterol" is about
# high cholesterol; "foods that increase iron" about low iron), and so are "higher"/"lower" and
# "deficiency", which names diseases (G6PD deficiency) more often than a level.
RAISED = frozenset({"high", "elevated", "raised", "increased", "excess", "excessive",
                    "overactive", "increase in"})
LOWERED = frozenset({"low", "decreased", "reduced", "underactive", "decrease in"})
# Words between a level and what it is the level of: "high blood sugar" is about sugar, "high
# levels of calcium" about calcium, "high and low blood pressure" about pressure; and, for a
# level said after it, "why is my potassium high", "blood pressure too low".
FINDING_FILLERS = frozenset({"a", "an", "the", "in", "of", "my", "your", "blood", "serum",
                             "plasma", "and", "or", "level", "levels", "count", "counts",
                             "amount", "amounts", *RAISED, *LOWERED})
AFTER_FILLERS = FINDING_FILLERS | {"is", "are", "was", "were", "be", "been", "too", "very", "so"}
# A query about food or diet names the level of what is eaten ("low salt diet", "foods high
# in potassium"), not a finding: it asks for no level.
DIET_WORDS = frozenset({"diet", "diets", "food", "foods", "eat", "eating", "intake", "meal",
                        "meals", "drink", "drinks"})


class QueryError(ValueError):
    """The query cannot be run as given (too long, or only excluded words); the message says
    why."""


@dataclass
class ParsedQuery:
    """The Whoosh query for some user text, and what the pipeline did to it."""

    text: str
    query: wq.Query
    expansions: list[str] = field(default_factory=list)  # also searched: synonyms, then typo fix
    advanced: bool = False
    exact: bool = False  # the syntax restricts matches: a phrase, AND, NOT, -term, field:
    synonyms: list[str] = field(default_factory=list)  # the vocabulary's part of expansions
    findings: frozenset[tuple[int, str]] = frozenset()  # see asked_findings()
    completions: dict[str, str] = field(default_factory=dict)  # leuk -> leukemia, for meaning
    concepts: list[wq.Query] = field(default_factory=list)  # see held_words()

    @property
    def meaning_text(self) -> str:
        """What hybrid search embeds: the text with its vocabulary synonyms in brackets. The
        model knows "acute myeloid leukemia" better than "AML", and "rubeola" alone sits near
        "rubra" (dev nDCG@10: summaries 0.608 -> 0.612, messages 0.582 -> 0.593). A typo fix
        is not added: it is a guess, and it lowered summary avgScore@1 (1.33 -> 1.28). A
        prefix (leuk*) is its commonest word in the index when known (`completions`, set by
        the search: "leukemia"), else the start without its *: the model reads words, not
        query syntax, and "leuk" alone came nearest to leukodystrophy."""
        text = unstarred(self.text, self.completions)
        return f"{text} ({', '.join(self.synonyms)})" if self.synonyms else text

    @property
    def empty(self) -> bool:
        return self.query is wq.NullQuery


class PlusMinus(qparser.PlusMinusPlugin):
    """``+term``, ``-term`` and ``-(group)`` only after a space or at the start, so CAR-T and
    "ER (-ve)" stay words; inside brackets too (Whoosh reads them in the outermost group
    only, and searched "(lymphoma -AML)" for AML)."""

    def __init__(self):
        super().__init__(plusexpr=r"(?:^|(?<=\s))\+(?=[\w\"(])",
                         minusexpr=r"(?:^|(?<=\s))-(?=[\w\"(])")

    def do_plusminus(self, parser, group):
        """Sort each bracketed group's nodes too, innermost first."""
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.do_plusminus(parser, node)
        if not any(isinstance(node, (self.Plus, self.Minus)) for node in group):
            return group
        return super().do_plusminus(parser, group)


class OrOperator(syntax.InfixOperator):
    """``OR`` that keeps a bracketed group holding a NOT whole. Whoosh added what follows the
    OR to the group on its left, so "(lymphoma NOT AML) OR myeloma" left AML out of the
    myeloma pairs too, where "myeloma OR (lymphoma NOT AML)" did not."""

    def replace_self(self, parser, group, position):
        """Group the two sides anew when the left one is such a bracket."""
        if 0 < position < len(group) - 1 and holds_not(group[position - 1], self.grouptype):
            group[position - 1:position + 2] = [self.grouptype(group[position - 1:position + 2:2])]
            return position
        return super().replace_self(parser, group, position)


def holds_not(node: syntax.SyntaxNode, made: type) -> bool:
    """Whether the node is a bracketed group with a NOT among its own nodes: a group of
    another type than `made`, the plain group of the operator (brackets make the parser's
    group, a subclass), whose NOT is still an operator (the operators inside brackets are
    applied after those outside)."""
    return (isinstance(node, syntax.GroupNode) and type(node) is not made
            and any(isinstance(child, syntax.NotGroup)
                    or (isinstance(child, syntax.Operator) and child.grouptype is syntax.NotGroup)
                    for child in node))


def operators() -> qparser.OperatorsPlugin:
    """Whoosh's AND, OR, NOT... with :class:`OrOperator` for OR (in the same order, which is
    their precedence)."""
    plugin = qparser.OperatorsPlugin()
    for tagger, _priority in plugin.ops:
        if tagger.grouptype is syntax.OrGroup:
            tagger.optype = OrOperator
    return plugin


@lru_cache(maxsize=1)
def parser() -> qparser.MultifieldParser:
    """The one query parser: our fields and weights, safe plugins only."""
    schema = make_schema()
    result = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts=SEARCH_FIELDS,
                                      group=qparser.OrGroup.factory(0.9))
    for plugin in (qparser.WildcardPlugin, qparser.RangePlugin, qparser.SingleQuotePlugin,
                   qparser.EveryPlugin, qparser.PlusMinusPlugin, qparser.BoostPlugin):
        result.remove_plugin_class(plugin)
    result.add_plugin(PlusMinus())
    result.replace_plugin(operators())
    return result


def parse(text: str, expand: bool = True, corrected: str | None = None) -> ParsedQuery:
    """The query pipeline's front half: user text to a ParsedQuery (may be empty).

    `corrected` is the text with misspelled words fixed ("did you mean"); with `expand`, its
    words are searched too, so a typo still finds what was meant.
    """
    parsed = parse_clean(clean(text), expand, corrected)
    if parsed.advanced:  # only power-user text holds an ANDNOT
        parsed.query = set_exclusions(parsed.query)
    preload_unions(parsed.query)
    return parsed


class Excluding(wq.AndNot):
    """``a ANDNOT b`` that reads b's documents into a set and filters a's matches by it.
    Whoosh's AndNotMatcher let an excluded document through when b's first match came before
    a's ("leukemia -ALL" listed an acute lymphoblastic leukemia pair) and lost matches after
    a collector replaced it (`total` changed from page to page)."""

    def matcher(self, searcher, context=None):
        """a's matcher without b's documents (both of this segment's `searcher`)."""
        excluded = set(self.b.docs(searcher))
        found = self.a.matcher(searcher, context)
        return matching.FilterMatcher(found, excluded, exclude=True) if excluded else found


def set_exclusions(query: wq.Query) -> wq.Query:
    """The query with every ANDNOT made an :class:`Excluding`."""
    if isinstance(query, wq.AndNot) and not isinstance(query, Excluding):
        return Excluding(set_exclusions(query.a), set_exclusions(query.b))
    return query.apply(set_exclusions)


def parse_clean(text: str, expand: bool, corrected: str | None) -> ParsedQuery:
    """parse() of cleaned text, before the matcher choice."""
    advanced = bool(SYNTAX.search(text))
    wanted, excluded = split_words(text) if advanced else (text, [])
    if excluded and not has_words(wanted):
        raise nothing_to_find(text)
    fielded = advanced and names_fields(text)
    groups = expanding(wanted) if expand and not fielded else frozenset()
    how = Widening(groups, named_groups(wanted, groups) if excluded else frozenset())
    main = parse_text(text, how) if advanced else None
    widened_already = main is not None and main is not wq.NullQuery
    if not widened_already:  # words only: what they leave out, everywhere
        main = plain_query(wanted)
        if main is not wq.NullQuery:
            main = without(main, leaving_out(excluded, groups - how.searched))
    exact = advanced and (bool(RESTRICTING.search(text)) or fielded)
    parsed = ParsedQuery(text, main, advanced=advanced, exact=exact,
                         findings=frozenset() if advanced else asked_findings(text))
    if not advanced and not parsed.empty:
        parsed.concepts = held_words(wanted, groups, corrected if expand else None)
    if parsed.empty or not expand or fielded:
        return parsed
    fixed = typo_alternative(text, wanted, corrected, advanced, groups)
    if widened_already:
        parsed.synonyms = how.shown
    else:
        extras, shown = synonym_clauses(wanted, groups, phrases=False,
                                        left_out=tuple(map(terms_of, excluded)))
        if fixed is not None and not advanced:
            extras.append(fixed)
        parsed.query = with_extras(main, extras)
        parsed.synonyms = shown if parsed.query is not main else []
    if fixed is not None and advanced:  # with its own syntax, beside the query as typed
        parsed.query = wq.Or([parsed.query, fixed])
    parsed.expansions = parsed.synonyms + ([corrected] if fixed is not None else [])
    return parsed


def typo_alternative(text: str, wanted: str, corrected: str | None, advanced: bool,
                     groups: frozenset[int]) -> wq.Query | None:
    """The query of the "did you mean" text, at TYPO_BOOST, when it fixes a word searched
    for (not one excluded): its plain words, or for power-user text the corrected text with
    the same syntax ("lymphomma AND myeloma" had found nothing, its fix never searched),
    whose exclusions leave out their synonyms from the vocabulary `groups`."""
    if not corrected or corrected == text:
        return None
    if advanced:  # compare the words searched for, operators and exclusions aside
        fixed_words = split_words(corrected)[0]
        if words_only(fixed_words) == words_only(wanted):
            return None
        fixed = parse_text(corrected, Widening(groups, named_groups(fixed_words, groups),
                                               expand=False))
    else:
        fixed = plain_query(corrected)
    return None if fixed is None or fixed is wq.NullQuery else boosted(fixed, TYPO_BOOST)


def findings(text: str) -> frozenset[tuple[int, str]]:
    """The levels the text names, as (1 raised or -1 lowered, the stem of what is raised or
    lowered): "What causes an increase in white blood cell count?" is {(1, "white")}, "Low
    blood sugar" {(-1, "sugar")}, "low-risk MDS" {(-1, "risk")}."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    found = set()
    for i, word in enumerate(words):
        pair = " ".join(words[i:i + 2])
        said = pair if pair in RAISED or pair in LOWERED else word
        if said not in RAISED and said not in LOWERED:
            continue
        start = i + len(said.split())
        after = words[start:start + 5]
        before = words[max(0, i - 4):i][::-1]  # nearest first
        target = (next((w for w in after if w not in FINDING_FILLERS), None)
                  or next((w for w in before if w not in AFTER_FILLERS), None))
        if target:
            found.add((1 if said in RAISED else -1, stem(target)))
    return frozenset(found)


def asked_findings(text: str) -> frozenset[tuple[int, str]]:
    """The query's findings, leaving out anything it names both raised and lowered ("high and
    low blood pressure" asks about both), and none for a query about food or diet."""
    if about_food(text):
        return frozenset()
    named = findings(text)
    return frozenset(f for f in named if (-f[0], f[1]) not in named)


def about_food(text: str) -> bool:
    """Whether the text is about food or diet (one of DIET_WORDS): its levels are of what is
    eaten ("low salt diet", "foods high in potassium"), not findings."""
    return bool(DIET_WORDS & set(re.findall(r"[a-z]+", text.lower())))


def expanding(text: str) -> frozenset[int]:
    """The vocabulary groups (numbers in :func:`vocabulary_groups`) that a query searching
    the words of `text` expands: all, but in a query about food or diet none of [findings]
    ("low sodium diet" is not about hyponatremia)."""
    return expanded_groups(about_food(text))


@lru_cache(maxsize=2)
def expanded_groups(food: bool) -> frozenset[int]:
    """Every vocabulary group's number, less the [findings] groups for a query about `food`
    (worked out once each, not per query)."""
    groups, _by_first = vocabulary_groups()
    every = frozenset(range(len(groups)))
    return every - finding_groups() if food else every


def names_fields(text: str) -> bool:
    """Whether the text names a field of the index right before what it searches there
    (question:metformin, interviewee:"He Huang"), as the parser reads it: "Subject: ..." of
    a pasted message, or "Question:" in capitals, is text."""
    schema = parser().schema
    tagged = list(parser().tag(protect(text)))
    pairs = zip(tagged, tagged[1:], strict=False)
    return any(isinstance(node, syntax.FieldnameNode) and node.fieldname in schema
               and not following.is_ws() for node, following in pairs)


def split_words(text: str) -> tuple[str, list[str]]:
    """Power-user text without the parts it excludes (-word, -"phrase", NOT ..., ANDNOT ...),
    and each excluded word or phrase as typed: "leukemia -AML" is ("leukemia -", ["AML"]),
    "CAR-T -(CD19 OR BCMA)" ("CAR-T -( OR )", ["CD19", "BCMA"]). The operators stay, so
    words on either side of a NOT are not taken as one expression. The text is as the parser
    reads it (:func:`parser_text`)."""
    protected = parser_text(text)
    try:
        parts = [text_nodes(part) for part in exclusions(syntax_tree(protected))]
    except Exception:  # as parse_text: the whole text is taken as words
        return text, []
    spans = sorted({(n.startchar, n.endchar) for nodes in parts for n in nodes
                    if n.startchar is not None})
    if not spans:
        return text, []
    kept = protected
    for start, end in spans:
        kept = kept[:start] + " " * (end - start) + kept[end:]
    return " ".join(kept.split()), list(dict.fromkeys(protected[start:end]
                                                      for start, end in spans))


def exclusions(node: syntax.SyntaxNode) -> list[syntax.SyntaxNode]:
    """The parts of a syntax tree that its NOT, ANDNOT and -term leave out."""
    if not isinstance(node, syntax.GroupNode):
        return []
    if isinstance(node, (syntax.NotGroup, syntax.AndNotGroup)) and node.nodes:
        *searched, excluded = node.nodes  # NOT y: [y]; x -y and x ANDNOT y: [x, y]
        parts = list(excluded) if isinstance(excluded, syntax.GroupNode) else [excluded]
        return [part for child in searched for part in exclusions(child)] + parts
    return [part for child in node for part in exclusions(child)]


def text_nodes(node: syntax.SyntaxNode) -> list[syntax.SyntaxNode]:
    """The word and phrase nodes under a syntax node."""
    if isinstance(node, syntax.GroupNode):
        return [leaf for child in node for leaf in text_nodes(child)]
    return [node] if isinstance(node, syntax.TextNode) else []


def words_only(text: str) -> str:
    """The text without operator words (AND, OR, NOT in capitals) and lone + or - signs."""
    return " ".join(w for w in text.split() if w not in OPERATORS and w not in "+-")


def has_words(text: str) -> bool:
    """Whether the text has a word to search for, operator words aside ("AND OR NOT x")."""
    return any(raw not in OPERATORS for _joined, _parts, raw in query_words(text))


def preload_unions(query: wq.Query) -> wq.Query:
    """Make every OR in the query read its postings into an array before scoring.

    Whoosh's default OR matcher advances a heap of sub-matchers document by document; for the
    many-term ORs of question mode, reading each term's postings once into a score array
    ranks the same documents in the same order about twice as fast (measured on MedQuAD).
    """
    if isinstance(query, wq.Or):
        query.matcher_type = wq.Or.ARRAY_MATCHER
    for child in query.children():
        preload_unions(child)
    return query


def without(query: wq.Query, excluded: list[wq.Query]) -> wq.Query:
    """The query, leaving out what any of `excluded` matches."""
    return wq.AndNot(query, wq.Or(excluded)) if excluded else query


def with_extras(main: wq.Query, extras: list[wq.Query]) -> wq.Query:
    """Add optional clauses without weakening exclusions (-term) or required terms (AND);
    `main` itself when they have no place."""
    if not extras:
        return main
    if isinstance(main, wq.AndNot):
        searched = with_extras(main.a, extras)
        return main if searched is main.a else wq.AndNot(searched, main.b)
    if isinstance(main, wq.AndMaybe):  # +term: the extras join the optional side
        optional = with_extras(main.b, extras)
        return main if optional is main.b else wq.AndMaybe(main.a, optional)
    if isinstance(main, (wq.And, wq.Not, wq.Require)):
        return main
    return wq.Or([main, *extras])


def clean(text: str) -> str:
    """Control characters out, white space collapsed; QueryError when over-long."""
    if len(text) > 4 * MAX_QUERY_CHARS:  # not worth cleaning first
        raise too_long(len(text))
    text = re.sub(r"\s+", " ", "".join(c if c.isprintable() else " " for c in text)).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise too_long(len(text))
    return text


SHOUTED_WORDS = 4  # capitals throughout from this many words on: caps lock, not names
TOKEN = re.compile(r"[^\W_][\w+'’-]*")


def unshout(text: str) -> str:
    """Text typed in capitals throughout ("CAN LIPNODES AND OR LIVER CANCER BE DETECTED"), whose
    case says nothing, with its words in lower case: stemmed, stop words dropped, AND/OR/NOT
    words rather than operators. Codes (CD7, IL-6, CAR-T) and the vocabulary's names (AML,
    HSCT, BCMA: :func:`known_name`) stay as written; a name that is also an English word (ALL,
    PET, AIDS) only when the nearest words beside it, stop words aside, include a code or name
    ("AML AND ALL", "T-CELL ALL", "HIV AIDS"; not "WITH ALL MY PILLS", "HEARING AIDS"). Text
    with a lower-case letter, or under four words, is returned as it is ("CD7 CAR-T", "T-CELL
    ALL BCMA"; there another word in capitals is searched as the word and as written,
    :func:`indexer.analysis.read_as_word`)."""
    words = TOKEN.findall(text)
    if len(words) < SHOUTED_WORDS or any(c.islower() for c in text):
        return text
    words_too = names_also_words()

    def technical(word: str) -> bool:
        return known_name(word) and word not in words_too

    content = [i for i, word in enumerate(words) if word.lower() not in STOP_WORDS]

    def beside_technical(i: int) -> bool:  # the nearest words either side, stop words skipped
        before = [j for j in content if j < i][-1:]
        after = [j for j in content if j > i][:1]
        return any(technical(words[j]) for j in before + after)

    kept = {i for i, word in enumerate(words)  # and letters: "HEPATITIS B", "T CELL",
            if technical(word) or (word in words_too and beside_technical(i))  # "TYPE I"
            or lone_letter(word, words[i - 1] if i else None)}
    count = iter(range(len(words)))
    return TOKEN.sub(lambda m: m[0] if next(count) in kept else m[0].lower(), text)


@lru_cache(maxsize=1)
def names_also_words() -> frozenset[str]:
    """The vocabulary's one-word names in capitals (:func:`vocabulary_names`) that are also
    English words: stop words (ALL) and the capitals-only list (PET, AIDS)."""
    ambiguous = vocabulary.capitals_only()
    return frozenset(name for name in vocabulary_names()
                     if name.lower() in STOP_WORDS or name.lower() in ambiguous)


@dataclass(frozen=True)
class Reading:
    """How one word of a plain query was searched, said for people (search page, API, CLI).

    ``how`` is "name" (an acronym or code: as written, capitals matter, no other forms),
    "word" (an ordinary word, in any of its forms: treatment, treatments, treated) or
    "prefix" (a word typed with a trailing *, leuk*: the indexed words that start with its
    ``starts``, see :func:`indexer.analysis.prefix_word`; a search says how many terms
    start so, ``found``, and how many of them it searched, ``kept``: at most
    :data:`indexer.prefix.MAX_WORDS`) or
    "skipped", with ``why``: a question word, a common word, a single letter or a short
    prefix (under :data:`indexer.analysis.PREFIX_LETTERS` letters). A searched word no pair
    of the index holds, in any form searched, is ``absent`` (a search sets it: "sickle" in
    "sickle cell", whose results then match "cell" alone). A compound
    (CAR-T, T-cell) is also searched as its ``parts`` next to each other, and those of its
    parts that name something alone (CD19 of anti-CD19) on their own, ``alone``. A skipped
    word that the vocabulary knows as a name in capitals (all: ALL) carries a ``hint``: that
    name, what it means, and the query with it in capitals. An absent word's vocabulary
    synonyms that were searched with it and that pairs hold are its ``also`` ("BCR-ABL",
    in no pair, is found as BCR-ABL1)."""

    word: str
    how: str
    parts: tuple[str, ...] = ()
    why: str | None = None
    hint: dict | None = None
    alone: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    found: int | None = None
    kept: int | None = None
    absent: bool = False
    also: tuple[str, ...] = ()


def counted(found: list[Reading], counts: dict[str, tuple[int, int]]) -> list[Reading]:
    """The readings with, for each prefix, how many indexed terms start with it and how many
    of them were searched (`counts` by start: :func:`indexer.prefix.expand`)."""
    return [replace(reading, found=sum(counts.get(s, (0, 0))[0] for s in reading.starts),
                    kept=sum(counts.get(s, (0, 0))[1] for s in reading.starts))
            if reading.starts else reading for reading in found]


def readings(text: str, hints: bool = True,
             held: Callable[[QueryWord], bool] | None = None,
             synonyms: list[str] | tuple[str, ...] = (),
             matched: Callable[[str], bool] | None = None) -> list[Reading]:
    """How each word of `text` is searched (:class:`Reading`); for power-user syntax, whose
    words are operators and fields as much as words, only its words typed with a trailing *
    outside quotes (searched by their start, or too short to be). With `held` (whether an
    index holds a searched word), a word it does not hold is ``absent``, and with the
    `synonyms` searched and `matched` (whether pairs hold one), it is found ``also`` as
    those of its synonyms that pairs hold."""
    power = bool(SYNTAX.search(text))
    names = name_meanings() if hints and not power else {}
    found = []
    for word in read_query(QUOTED.sub(lambda m: " " * len(m[0]), text) if power else text):
        if power and not (word.starts or word.skipped == SHORT_PREFIX):
            continue
        if word.starts:
            found.append(Reading(word.raw, "prefix", starts=word.starts))
        elif word.skipped:
            name = word.raw.upper()
            hint = ({"word": name, "means": names[name],
                     "query": text[:word.start] + name + text[word.start + len(word.raw):]}
                    if name in names else None)  # (typed in capitals it is a name, not skipped)
            found.append(Reading(word.raw, "skipped", why=word.skipped, hint=hint))
        else:
            absent = held is not None and not held(word)
            also = (tuple(e for e in synonyms_of(word, text, synonyms) if matched(e))
                    if absent and matched is not None else ())
            found.append(Reading(word.raw, "word" if word.stemmed else "name", word.parts,
                                 alone=word.alone, absent=absent, also=also))
    return found


def synonyms_of(word: QueryWord, text: str, synonyms: list[str] | tuple[str, ...]
                ) -> list[str]:
    """Those of the `synonyms` searched for `text` that are synonyms of an expression holding
    `word` (BCR-ABL1 of BCR-ABL; SCD of the "sickle" of "sickle cell disease")."""
    groups, _by_first = vocabulary_groups()
    terms = set(word.terms)
    found: list[str] = []
    for number, named in naming(text, frozenset(range(len(groups)))):
        if any(terms <= set(parts) for _text, parts, _name in named):
            found += [e for e, _parts, _name in groups[number]
                      if e in synonyms and e not in found]
    return found


def absent_notice(found: list[Reading]) -> str | None:
    """What the results of a search match when some of its words are in no pair (the search
    page above its results, the API's ``absent_note``, ``qa-index search``); None when every
    searched word is in some pair. "The rest of your search" was said even where all the
    results matched a synonym of the word (BCR-ABL1 of BCR-ABL) and there was no rest."""
    absent = [reading for reading in found if reading.absent]
    if not absent:
        return None
    words = [f"“{reading.word}”" for reading in absent]
    listed = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    also = list(dict.fromkeys(name for reading in absent for name in reading.also))
    rest = any(reading.how != "skipped" and not reading.absent for reading in found)
    matches = ([f"what was also searched ({', '.join(also)})"] if also else []) + (
        ["the rest of your search"] if rest or not also else [])
    return (f"No question or answer uses {listed} itself: the results match "
            f"{' and '.join(matches)}.")


@lru_cache(maxsize=1)
def name_meanings() -> dict[str, str]:
    """The vocabulary's one-word names that are English stop words in lower case (ALL), each
    with its first expansion: typed in lower case they are not searched at all."""
    groups, _by_first = vocabulary_groups()
    words_too = names_also_words()
    meanings = {}
    for group in groups:
        spelled = [text for text, _parts, name in group if not name]
        for text, _parts, name in group:
            if name and text in words_too and text.lower() in STOP_WORDS and spelled:
                meanings[text] = spelled[0]
    return meanings


def too_long(length: int) -> QueryError:
    """The QueryError for a query of `length` characters, over MAX_QUERY_CHARS."""
    return QueryError(f"The query is {length} characters long; the limit is "
                      f"{MAX_QUERY_CHARS}. Shorten it to its key words.")


def nothing_to_find(text: str) -> QueryError:
    """The QueryError for text that only excludes words (-vaccines, NOT vaccines)."""
    return QueryError(f"Nothing to search for: add the words to find; {text} only leaves "
                      "pairs out.")


def protect(text: str) -> str:
    """The text with each PROTECT match quoted, so the parser hands it to the analyzer whole."""
    return PROTECT.sub(r'"\1"', text)


def parse_text(text: str, how: Widening | None = None) -> wq.Query | None:
    """Parse with the power-user syntax; None when the parser cannot make sense of it. With
    vocabulary groups to expand (`how`), each exclusion leaves out its synonyms too, where it
    stands, and the words searched have theirs added where they stand (:func:`widened`)."""
    try:
        protected = parser_text(text)
        query = syntax_tree(protected).query(parser()) or wq.NullQuery
        query = exclusions_apart(query)
        if how is not None and how.groups:
            query = scoped(query, protected, how)
        return query.normalize()
    except Exception:  # Whoosh raises assorted errors on odd input: fall back to words
        return None


def parser_text(text: str) -> str:
    """Power-user text as the parser is given it: capital letters typed apart joined to their
    word, and what must reach the analyzer whole quoted (same positions for the first)."""
    return protect(joined_letters(text))


@lru_cache(maxsize=64)
def syntax_tree(text: str) -> syntax.GroupNode:
    """The parser's syntax tree of `text` (from :func:`parser_text`), which nothing changes:
    split_words(), parse_text() and the typo fix of a query read the same tree, parsed once
    (it was parsed three to four times per query)."""
    return parser().process(text)


def joined_letters(text: str) -> str:
    """Power-user text with each capital letter typed apart joined to its word by a hyphen,
    outside quotes, as plain text is read (:func:`indexer.analysis.letter_pairs`): "hepatitis
    B -C" searched a lone B (and found more pairs than "hepatitis B"). Same length, so the
    positions of words stay."""
    quoted = [m.span() for m in QUOTED.finditer(text)]
    tokens = [(raw, at) for raw, at in query_tokens(text)  # (not a prefix: "B leuk*")
              if not any(start <= at < end for start, end in quoted)]
    for raw, start, searched in letter_pairs(text, tokens):
        if searched != raw:
            text = text[:start] + searched + text[start + len(searched):]
    return text


@dataclass
class Widening:
    """How :func:`widened` adds synonyms to power-user text: from the vocabulary `groups`; an
    exclusion leaves out none of the groups `searched` (those the words searched for name: the
    synonyms of ANLL are AML's, and "AML -ANLL" left everything out), and a synonym holding a
    word `left_out` where it would stand is not searched (as terms: ("anll",)). With
    `expand`, the words searched have their synonyms added, listed in `shown`; otherwise only
    exclusions leave out theirs."""

    groups: frozenset[int]
    searched: frozenset[int] = frozenset()
    expand: bool = True
    left_out: tuple[tuple[str, ...], ...] = ()
    shown: list[str] = field(default_factory=list)


def scoped(query: wq.Query, text: str, how: Widening) -> wq.Query:
    """:func:`widened` `query`, beside the synonyms of the words that the same exclusions
    apply to (:func:`scope_spans`), so that they leave those out too: "(CLL -AML) OR myeloma"
    had searched "chronic lymphocytic leukemia" beside the whole query, and found the pairs
    that say it and AML. `text` is what the parser read (the positions of the words)."""
    inner = widened(query, text, how)
    return beside(inner, synonyms_at(scope_spans(query), text, how)) if how.expand else inner


def widened(query: wq.Query, text: str, how: Widening) -> wq.Query:
    """The unnormalized query with each ANDNOT and NOT leaving out the synonyms of what it
    names, within its own clause ("(lymphoma -AML) OR myeloma" leaves pairs that say "acute
    myeloid leukemia" out of the lymphoma pairs, not out of the myeloma pairs), and what each
    ANDNOT keeps widened in its turn (:func:`scoped`). Under an AND, a NOT or a +term no word
    takes synonyms (they would be optional beside required words); those of +terms join the
    optional words beside them."""
    if isinstance(query, wq.AndNot):
        parts = typed_parts(query.b, text)
        within = replace(how, left_out=how.left_out + tuple(map(terms_of, parts)))
        return wq.AndNot(scoped(query.a, text, within), excluded_too(query.b, parts, how))
    if isinstance(query, wq.Not):
        return wq.Not(excluded_too(query.query, typed_parts(query.query, text), how))
    if isinstance(query, wq.AndMaybe) and how.expand:
        spans = scope_spans(query.a, required=True) | scope_spans(query.b)
        optional = beside(widened(query.b, text, how), synonyms_at(spans, text, how))
        return wq.AndMaybe(widened(query.a, text, replace(how, expand=False)), optional)
    if isinstance(query, (wq.And, wq.Require)):
        how = replace(how, expand=False)
    return query.apply(lambda child: widened(child, text, how))


SCOPED = (wq.AndNot, wq.AndMaybe, wq.Not)  # with exclusions or required words of their own
REQUIRED = (wq.And, wq.Require)


def scope_spans(query: wq.Query, required: bool = False) -> set[tuple[int, int]]:
    """Where the words of `query` stand that share its exclusions (in the text the parser
    read): those reached through OR, not those of an ANDNOT or +term within, which have
    their own (:func:`widened`), nor those under a NOT or, unless `required`, an AND."""
    return open_spans(query, SCOPED if required else SCOPED + REQUIRED)[0]


def open_spans(query: wq.Query, closed: tuple[type, ...]) -> tuple[set[tuple[int, int]], bool]:
    """:func:`scope_spans` of the query, past none of the `closed` types, and whether none is
    within it. The parser marks where it read each word and group (not the terms inside a
    compound): the innermost marks are the words, and a group holding no closed part is
    read whole."""
    if isinstance(query, closed):
        return set(), False
    inner = [open_spans(child, closed) for child in query.children()]
    spans = {span for found, _open in inner for span in found}
    whole = all(is_open for _found, is_open in inner)
    if whole and not spans and getattr(query, "startchar", None) is not None:
        return {(query.startchar, query.endchar)}, True
    return spans, whole


def synonyms_at(spans: set[tuple[int, int]], text: str, how: Widening) -> list[str]:
    """The synonyms of the words at `spans` of `text` (a quoted phrase has none), less those
    holding a word left out there; each listed once in `how.shown`."""
    words = [" "] * len(text)
    for start, end in spans:
        words[start:end] = text[start:end]
    _clauses, shown = synonym_clauses("".join(words), how.groups, phrases=False,
                                      left_out=how.left_out)
    how.shown.extend(s for s in dict.fromkeys(shown) if s not in how.shown)
    return shown


def beside(query: wq.Query, expressions: list[str]) -> wq.Query:
    """The query OR-ed with the vocabulary `expressions`, if any: their phrases, made once,
    go straight into the OR (as normalize() would put them, copying each one anew: a third
    of parsing power-user text)."""
    if not expressions:
        return query
    phrases = [phrase for expression in expressions for phrase in synonym_phrases(expression)]
    if type(query) is wq.Or and query.boost == 1 and not query.scale:  # merged the same way
        return wq.Or([*query.subqueries, *phrases])
    return wq.Or([query, *phrases])


def excluded_too(excluded: wq.Query, parts: list[str], how: Widening) -> wq.Query:
    """An exclusion with the synonyms of what it names (`parts`, as typed), but those of the
    groups the query searches."""
    groups = how.groups - how.searched
    return beside(excluded, [expression for part in parts
                             for expression in excluded_synonyms(part, groups)])


def typed_parts(query: wq.Query, text: str) -> list[str]:
    """The words and phrases of an unnormalized query as typed (in the `text` parsed)."""
    return [text[start:end] for start, end in sorted(typed_spans(query))]


def terms_of(text: str) -> tuple[str, ...]:
    """The terms of some query text, in order (compounds as their parts)."""
    return tuple(term for term, _name in analyzed(text))


def typed_spans(query: wq.Query) -> set[tuple[int, int]]:
    """Where the words and phrases of an unnormalized query stand in the parsed text: the
    parser marks what it makes of each (and of groups), not the terms inside a phrase or a
    compound (T-ALL)."""
    inner = {span for child in query.children() for span in typed_spans(child)}
    if inner or getattr(query, "startchar", None) is None:
        return inner
    return {(query.startchar, query.endchar)}


def leaving_out(parts: list[str], groups: frozenset[int]) -> list[wq.Query]:
    """What excluded words and phrases (as typed) leave out: the words themselves, and their
    synonyms from the vocabulary `groups` (:func:`excluded_synonyms`)."""
    found = []
    for part in parts:
        typed = parse_text(part)
        if typed is not None and typed is not wq.NullQuery:
            found.append(typed)
        found += [synonym_query(expression) for expression in excluded_synonyms(part, groups)]
    return found


def excluded_synonyms(part: str, groups: frozenset[int]) -> list[str]:
    """The synonyms from the vocabulary `groups` that an excluded word or phrase (as typed)
    leaves out with it: those of the whole part (an excluded T-ALL leaves out its own
    synonyms, not those of ALL)."""
    return synonym_clauses(part, groups, whole=True)[1]


def exclusions_apart(query: wq.Query) -> wq.Query:
    """The query with every OR that holds NOT clauses made (the rest) ANDNOT (what they
    negate), at any depth: with OR as the default, Whoosh reads "X NOT Y" as X OR (NOT Y),
    which matches nearly every pair."""
    if not isinstance(query, wq.Or):
        return query.apply(exclusions_apart)
    children = []
    for child in map(exclusions_apart, query.subqueries):
        nots = isinstance(child, wq.Or) and all(isinstance(c, wq.Not) for c in child.subqueries)
        children += child.subqueries if nots else [child]  # "x (NOT y)" is "x NOT y"
    kept = copy.copy(query)  # its boost and scale
    kept.subqueries = [child for child in children if not isinstance(child, wq.Not)]
    if not kept.subqueries:  # "(NOT y)": left to the AND around it, which honours a NOT
        kept.subqueries = children
        return kept
    return without(kept, [child.query for child in children if isinstance(child, wq.Not)])


def held_words(text: str, groups: frozenset[int], corrected: str | None = None
               ) -> list[wq.Query]:
    """For a short keyword query (:func:`short_keywords`), a query per word searched (once
    each) of what holds it: the word in any form searched, in any search field; the synonyms
    (from the vocabulary `groups`) of each expression of the text that the word is part of
    (GVHD holds both words of "graft-versus-host disease", t(9;22) both of "Philadelphia
    chromosome"); and the word at its place in the `corrected` text ("did you mean") when
    it differs there. The search gives a pair holding more of them a larger share of its
    score (:func:`indexer.search.covered`). Empty for any other text."""
    if not short_keywords(text):
        return []
    words = [word for word in read_query(text) if not word.skipped]
    held: list[list[wq.Query]] = [[any_fields(word)] for word in words]
    fixes = [word for word in read_query(corrected) if not word.skipped] if corrected else []
    if len(fixes) == len(words):  # a fix is word for word: else its words have no place
        for clauses, word, fix in zip(held, words, fixes, strict=True):
            if searched_as(fix) != searched_as(word):
                clauses.append(any_fields(fix))
    for covered, synonyms in expressions_held(text, groups):
        for index in covered:
            held[index].extend(synonyms)
    concepts = {}  # a word typed twice ("cancer cancers") is one
    for word, clauses in zip(words, held, strict=True):
        concepts.setdefault(searched_as(word), wq.Or(clauses))
    return list(concepts.values()) if len(concepts) > 1 else []


def short_keywords(text: str) -> bool:
    """Whether plain text is a short keyword query, each of whose words names something
    wanted: at most HELD_WORDS words searched, no ``?`` and no question word (how, what,
    does...). In a question the other words often say what is asked about a topic ("How is
    hepatitis transmitted?", "Is dementia inherited or acquired?"), which the pair that
    answers need not repeat; longer text adds context or a second topic ("amphetamine salts
    20 mg are they gluten free", which the amphetamine pairs answer, though gluten-free
    diets hold more of its words). Weighing what a pair holds lowered every dev figure when
    applied to such text (README, Relevance)."""
    words = read_query(text)
    return ("?" not in text and not any(word.skipped == QUESTION_WORD for word in words)
            and sum(not word.skipped for word in words) <= HELD_WORDS)


def searched_as(word: QueryWord) -> tuple:
    """What tells a query word's searches apart: its reading's terms, the name as written,
    the starts of a word typed with a *."""
    return searches(word), word.written and searches(word.written), word.starts


def any_fields(word: QueryWord) -> wq.Query:
    """A query word as searched in every search field (unboosted: it says which pairs hold the
    word, not how well)."""
    return wq.Or([word_clause(name, word) for name in SEARCH_FIELDS])


def expressions_held(text: str, groups: frozenset[int]
                     ) -> list[tuple[list[int], list[wq.Query]]]:
    """For each vocabulary expression (of `groups`) found in plain text, the words of the text
    it spans (by their number among the words searched) and the clauses of the synonyms
    searched for it (:func:`synonym_clauses`: the group's other expressions)."""
    if not groups:
        return []
    word_of, terms = [], []  # each term of the text: the word it is part of; (term, name)
    for number, (_joined, parts, raw) in enumerate(query_words(text)):
        word_of += [number] * len(parts)
        terms += [(part, is_name(raw)) for part in parts]
    every_group, _by_first = vocabulary_groups()
    found = []
    for number, named in naming(text, groups, phrases=False):
        typed = {tuple(parts) for _text, parts, _name in named}
        synonyms = [clause for expression, parts, _name in every_group[number]
                    if tuple(parts) not in typed
                    for clause in [synonym_query(expression)] if clause is not None]
        for typed_expression in named:
            for start in occurrences(typed_expression, terms):
                spanned = word_of[start:start + len(typed_expression[1])]
                found.append((sorted(set(spanned)), synonyms))
    return found


def plain_query(text: str) -> wq.Query:
    """Every word of the text, OR-ed over the search fields; no syntax at all."""
    words = [raw for _joined, _parts, raw in query_words(text)]
    if not words:
        return wq.NullQuery
    try:
        return parser().parse(protect(" ".join(words))).normalize()
    except Exception:  # operator words in a row (NOT NOT x) trip Whoosh: take them as words
        quoted = " ".join(f'"{w}"' if w in OPERATORS else w for w in words)
        return parser().parse(protect(quoted)).normalize()


def synonym_clauses(text: str, expanded: frozenset[int], whole: bool = False,
                    phrases: bool = True, left_out: tuple[tuple[str, ...], ...] = ()
                    ) -> tuple[list[wq.Query], list[str]]:
    """Alternatives from the vocabulary groups `expanded` (see :func:`expanding`) for
    expressions found in the text (with `whole`, only for an expression that is the whole
    text: an excluded T-ALL leaves out its own synonyms, not those of ALL, which it
    contains). Without `phrases`, none for the words of a quoted phrase: quotes ask for the
    phrase exactly, and "CAR-T cell therapy" OR-ed with CART would find every pair naming
    CART (an excluded phrase still leaves out its synonyms). None holding the terms of an
    expression `left_out` (excluded) either: "AML -leukemia" cannot find a pair through
    "acute myeloid leukemia", nor list it as searched."""
    groups, _by_first = vocabulary_groups()
    clauses, shown, seen = [], [], set()
    for number, found in naming(text, expanded, whole, phrases):
        seen.update(tuple(parts) for _text, parts, _name in found)
        for expression, parts, _single_name in groups[number]:
            if tuple(parts) in seen or any(holds(parts, run) for run in left_out):
                continue
            seen.add(tuple(parts))
            clause = synonym_query(expression)
            if clause is not None:
                clauses.append(clause)
                shown.append(expression)
    return clauses, shown


def naming(text: str, expanded: frozenset[int], whole: bool = False, phrases: bool = True
           ) -> list[tuple[int, list[Expression]]]:
    """The vocabulary groups of `expanded` that the text names, each with the expressions of
    it found there (see :func:`synonym_clauses` for `whole` and `phrases`)."""
    segments = [analyzed(part) for part in (QUOTED.split(text) if not phrases else [text])]
    words = [word for segment in segments for word in segment]
    groups, by_first = vocabulary_groups()
    named = []
    for number in sorted({g for word, _name in words for g in by_first.get(word, ())}
                         & expanded):
        found = [e for e in groups[number] if any(occurs(e, segment) for segment in segments)
                 and (not whole or len(e[1]) == len(words))]
        if found:
            named.append((number, found))
    return named


def named_groups(text: str, expanded: frozenset[int]) -> frozenset[int]:
    """The vocabulary groups of `expanded` that the words of the text name, in a quoted
    phrase or not."""
    return frozenset(number for number, _found in naming(text, expanded))


def holds(parts: list[str], run: tuple[str, ...]) -> bool:
    """Whether the terms `run` occur in a row in `parts`."""
    return bool(run) and any(tuple(parts[i:i + len(run)]) == run
                             for i in range(len(parts) - len(run) + 1))


@lru_cache(maxsize=4096)
def synonym_query(expression: str) -> wq.Query | None:
    """A vocabulary expression's clause: the phrase over the search fields at SYNONYM_BOOST
    (None if no word of it is searched). Parsed once and shared by the queries that use it:
    nothing changes a query once made, but preload_unions(), which sets the same matcher
    each time."""
    clause = parser().parse(f'"{expression}"')
    return None if clause is wq.NullQuery else boosted(clause, SYNONYM_BOOST)


@lru_cache(maxsize=4096)
def synonym_phrases(expression: str) -> tuple[wq.Query, ...]:
    """:func:`synonym_query` as the OR around it takes it in when normalized: its phrase in
    each field, the clause's boost multiplied in."""
    clause = synonym_query(expression)
    if not isinstance(clause, wq.Or):
        return () if clause is None else (clause,)
    return tuple(phrase.normalize().with_boost(phrase.boost * clause.boost)
                 for phrase in clause.subqueries)


def analyzed(text: str) -> list[tuple[str, bool]]:
    """The query's terms in order, compounds as their parts, each with is-a-name."""
    return [(part, is_name(raw)) for _joined, parts, raw in query_words(text) for part in parts]


Expression = tuple[str, list[str], bool]


@lru_cache(maxsize=1)
def vocabulary_groups() -> tuple[list[list[Expression]], dict[str, set[int]]]:
    """Synonym groups, each expression analyzed once: (text, parts, is a one-word name); and
    the groups in which each first term of an expression occurs (only those can match)."""
    groups: list[list[Expression]] = []
    by_first: dict[str, set[int]] = {}
    for number, group in enumerate(vocabulary.synonym_groups()):
        groups.append([expression(e) for e in group])
        for _text, parts, _name in groups[-1]:
            if parts:
                by_first.setdefault(parts[0], set()).add(number)
    return groups, by_first


def expression(text: str) -> Expression:
    """A vocabulary expression analyzed: (text, parts, is a one-word name). Only a
    capitals-only name of one part must be typed as a name (PET, not "pet", see
    :func:`occurs`); a compound name matches however its parts are typed ("allo HSCT")."""
    parts = [p for p, _ in analyzed(text)]
    return text, parts, len(parts) == 1 and is_name(text)


@lru_cache(maxsize=1)
def finding_groups() -> frozenset[int]:
    """The numbers (in :func:`vocabulary_groups`) of the vocabulary's [findings] groups."""
    findings = [tuple(group) for group in vocabulary.finding_groups()]
    return frozenset(number for number, group in enumerate(vocabulary.synonym_groups())
                     if tuple(group) in findings)


@lru_cache(maxsize=1)
def vocabulary_terms() -> frozenset[str]:
    """Every term of the vocabulary's expressions, as analyzed: medical words in their own
    right, which "did you mean" must not correct even where the index lacks them (rubeola is
    measles, not a typo of rubella)."""
    groups, _by_first = vocabulary_groups()
    return frozenset(part for group in groups for _text, parts, _name in group for part in parts)


def occurs(expression: Expression, words: list[tuple[str, bool]]) -> bool:
    """Whether the expression's terms appear in a row in the query (:func:`occurrences`)."""
    return next(occurrences(expression, words), None) is not None


def occurrences(expression: Expression, words: list[tuple[str, bool]]) -> Iterator[int]:
    """Where the expression's terms appear in a row among the query's (term, is-a-name).

    A one-word name matches however it is typed (AML, aml), except a capitals-only one
    (:func:`capitals_only`): PET must be typed as a name, "pet" is a word.
    """
    _text, parts, single_name = expression
    if not parts:
        return
    typed_as_name = single_name and parts[0] in capitals_only()
    for start in range(len(words) - len(parts) + 1):
        window = words[start:start + len(parts)]
        if [w for w, _ in window] == parts and (not typed_as_name or window[0][1]):
            yield start


@lru_cache(maxsize=1)
def capitals_only() -> frozenset[str]:
    """One-word names (lower-cased) that match only typed in capitals: the names that are
    also English words (:func:`names_also_words`: stop words such as ALL, and the
    vocabulary's [capitals-only] list)."""
    return frozenset(name.lower() for name in names_also_words())


def boosted(q: wq.Query, factor: float) -> wq.Query:
    """A copy of `q` with its boost multiplied by `factor`."""
    q = q.copy()
    q.boost = q.boost * factor
    return q


def marks(parsed: ParsedQuery) -> Marks:
    """What to highlight for a parsed query: its terms and phrases, not its exclusions."""
    terms: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    if not parsed.empty:
        collect_marks(parsed.query, terms, phrases)
    return Marks(frozenset(terms), frozenset(phrases))


def collect_marks(q: wq.Query, terms: set[str], phrases: set[tuple[str, ...]]) -> None:
    """Add to `terms` and `phrases` what `q` matches in the search fields, skipping exclusions."""
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        collect_marks(q.a, terms, phrases)
    elif isinstance(q, wq.Term) and q.fieldname in SEARCH_FIELDS:
        terms.add(q.text)
    elif isinstance(q, wq.Phrase) and q.fieldname in SEARCH_FIELDS and q.slop <= 1:
        if len(q.words) == 1:
            terms.add(q.words[0])
        else:
            phrases.add(tuple(q.words))
    else:
        for child in q.children():
            collect_marks(child, terms, phrases)
