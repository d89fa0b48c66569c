"""Request arguments to context dicts: one function per page, shared by the page and its JSON twin.

Keys ending in ``_html`` hold HTML made by ``indexer`` (escaped text plus ``<mark>``); every
other value is plain text or data. Nothing here builds markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from datetime import datetime
from datetime import timezone
from typing import NoReturn
from urllib.parse import quote
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import url_for
from werkzeug.exceptions import BadRequest

from indexer import corpus
from indexer import highlight
from indexer import people
from indexer.highlight import Marks
from indexer.query import absent_notice
from indexer.query import clean
from indexer.search import SearchIndex
from indexer.search import SearchResults
from indexer.search import Snapshot
from indexer.search import listing
from indexer.search import unknown_filter
from webapp.errors import Gone
from webapp.params import FILTERS
from webapp.params import SearchParams
from webapp.params import canonical_params
from webapp.params import search_params
from webapp.params import state_url
from webapp.params import whole_number


def get_index() -> SearchIndex:
    """The app's one SearchIndex."""
    return current_app.extensions["qa_index"]


# --- search ----------------------------------------------------------------------------


def search_context(args: Mapping[str, str]) -> dict:
    """The search page and /api/search: results, facets, suggestion, paging; without a
    query but with filters, the pairs they select (:func:`listing`)."""
    params = search_params(args)
    index = get_index()
    snapshot = index.snapshot()  # raises IndexMissing (503) even when the query is empty
    check_filters(params, snapshot)
    results = index.search(params.q, page=params.page, per_page=params.per_page,
                           filters=params.filters, expand=params.expand,
                           mode=params.mode or None, sort=params.sort or "relevance")
    if not results.query and params.filters:
        results = listing(index, results, snapshot)
    state = canonical_params(params, results.query)
    offered = [interviewee_link(person, query, state) for person, query
               in people.named(results.query, snapshot, params.filters.get("interviewee"))]
    return {
        "query": results.query, "total": results.total, "page": results.page,
        "pages": results.pages, "per_page": results.per_page, "took_ms": results.took_ms,
        "suggestion": results.suggestion, "expansions": results.expansions,
        "words": [asdict(reading) for reading in results.readings],
        "absent_note": absent_notice(results.readings) if results.total else None,
        "expand": params.expand, "mode": results.mode, "mode_note": results.mode_note,
        "sort": results.sort, "dated": snapshot.dated,
        "filters": active_filters(results), "interviewees": offered,
        "facets": facets(results), "results": [hit_dict(h, state) for h in results.hits],
        # a name is no topic: not other people's answers as the closest in meaning
        "closest": ([] if any(not link["query"] for link in offered)
                    else [hit_dict(h, state) for h in results.closest]),
        "params": state,
    }


def check_filters(params: SearchParams, snapshot: Snapshot) -> None:
    """Filters naming something of the build; an interviewee written loosely ("kenji ono")
    becomes the name as stored, else abort(400) saying what it might have meant."""
    value = params.filters.get("interviewee")
    meant = people.resolve_filter(params.filters, snapshot)
    if meant:
        raise UnknownInterviewee(meant, value)
    unknown = unknown_filter(params.filters, snapshot)
    if unknown:
        abort(400, unknown)


class UnknownInterviewee(BadRequest):
    """An interviewee filter naming nobody, and the interviewees it may mean (the search
    page links them)."""

    def __init__(self, meant: list[str], value: str):
        super().__init__(people.unknown_interviewee(meant, value))
        self.meant = meant


def interviewee_link(person: people.Person, query: str, state: dict) -> dict:
    """An interviewee the query names: their questions, or the rest of the query searched
    among them (other filters dropped, so the count holds)."""
    return {"name": person.name, "pairs": person.pairs, "query": query,
            "url": state_url("pages.search", state, q=query or None, interviewee=person.name,
                             interview=None, year=None, page=None)}


def interviews_context(args: Mapping[str, str]) -> dict:
    """The interview list and /api/interviews: every interview, newest first, a page at a time."""
    catalogue = get_index().snapshot().catalogue
    per_page = current_app.config["INTERVIEWS_PER_PAGE"]
    pages = max(1, -(-len(catalogue) // per_page))
    page = whole_number(args, "page", 1, 1, pages)
    shown = catalogue[(page - 1) * per_page:page * per_page]
    return {
        "total": len(catalogue), "page": page, "pages": pages, "per_page": per_page,
        "interviews": [{"id": r["id"], "title": r.get("title", ""),
                        "interviewee": r.get("interviewee", ""),
                        "interviewer": r.get("interviewer", ""), "date": r.get("date", ""),
                        "interviewee_url": interviewee_url(r.get("interviewee")),
                        "pairs": r["pair_count"],
                        "url": url_for("pages.interview", interview_id=r["id"])}
                       for r in shown],
    }


def hit_dict(hit, state: dict) -> dict:
    """One result: highlighted question and answer fragments, where it came from, its URL
    and its interview's (both carrying the search's `state`), and its copies published
    elsewhere with theirs (`also_in`)."""
    return {
        "id": hit.id, "question": hit.question, "question_html": hit.question_html,
        "answer_html": hit.answer_html, "score": hit.score, "by_meaning": hit.by_meaning,
        "interviewee": hit.interviewee,
        "interviewer": hit.interviewer, "title": hit.title, "date": hit.date,
        "interview_id": hit.interview_id, "position": hit.position,
        "url": state_url("pages.pair", state, pair_id=hit.id),
        "interview_url": state_url("pages.interview", state, interview_id=hit.interview_id,
                                   _anchor=hit.id),
        "also_in": [{**asdict(copy), "url": state_url("pages.pair", state, pair_id=copy.id),
                     "interview_url": state_url("pages.interview", state,
                                                interview_id=copy.interview_id,
                                                _anchor=copy.id)}
                    for copy in hit.also_in],
    }


def facets(results: SearchResults) -> dict[str, list[dict]]:
    """The library's facet values, each marked active when it is the current filter."""
    return {name: [{**value, "active": results.filters.get(name) == value["value"]}
                   for value in values]
            for name, values in results.facets.items()}


def active_filters(results: SearchResults) -> list[dict]:
    """The filters in force, with display labels (an interview's title)."""
    return [{"name": name, "value": value, "label": results.filter_labels.get(name, value)}
            for name, value in results.filters.items() if name in FILTERS]


# --- pair and interview ----------------------------------------------------------------


def carried(args: Mapping[str, str]) -> tuple[SearchParams, dict, Marks]:
    """The search a pair or interview page was reached from, validated as the search page
    validates it: (its parameters, its state for links, what to mark as it searched)."""
    params = search_params(args)
    query = clean(params.q)
    terms = get_index().marks(query, params.expand) if query else Marks()  # as searched
    return params, canonical_params(params, query), terms


def results_url(params: SearchParams, state: dict) -> str | None:
    """"Back to results": the list the page was reached from, or None without a search."""
    return state_url("pages.search", state) if params.q.strip() or params.filters else None


def pair_context(pair_id: str, args: Mapping[str, str]) -> dict:
    """The pair page and /api/pairs/<id>: the whole pair marked, its interview, neighbours."""
    index = get_index()
    pair = index.pair(pair_id) or no_pair(index, pair_id)
    params, state, terms = carried(args)
    record = index.interview(pair["interview_id"]) or {"pairs": [pair]}
    before, after = neighbours(record["pairs"], pair_id)
    related = index.related(pair_id, limit=current_app.config["RELATED_LIMIT"],
                            mode=params.mode or None)
    meta = interview_meta({**pair, **record, "id": pair["interview_id"]}, state)
    return {
        "query": params.q.strip(), "results_url": results_url(params, state),
        "id": pair_id, "position": pair.get("position", 0),
        "question": pair["question"], "answer": pair["answer"],
        "question_html": highlight.mark(pair["question"], terms),
        "answer_paragraphs_html": highlight.mark_paragraphs(pair["answer"], terms),
        "interview": meta, "passage_url": passage_url(meta["source_url"], pair["answer"]),
        "citation": citation(meta, pair.get("position", 0),
                             url_for("pages.pair", pair_id=pair_id, _external=True)),
        "previous": brief(before, state), "next": brief(after, state),
        "related": [brief(doc, state) for doc in related],
        "url": state_url("pages.pair", state, pair_id=pair_id),
    }


def no_pair(index: SearchIndex, pair_id: str) -> NoReturn:
    """Why no pair has the id: 410 when the index gave it out once (its question was taken
    out of its interview or rewritten, or the interview withdrawn; a citation of it must not
    read as a mistyped address), with the interview when it is still published; else 404."""
    manifest = index.snapshot().manifest
    found = corpus.removed_pair(manifest, pair_id)
    if found is None:
        abort(404, f"There is no question with the id {pair_id!r}.")
    interview_id, published = found
    if not published:
        raise Gone(f"The answer at this address ({pair_id}) was withdrawn with its interview.")
    record = manifest["interviews"][interview_id]
    raise Gone(f"The answer at this address ({pair_id}) was removed from its interview, or its "
               "question rewritten, when the interview was revised. The interview is still "
               "published.",
               {"id": interview_id, "title": record.get("title") or interview_id,
                "url": url_for("pages.interview", interview_id=interview_id)})


def no_interview(index: SearchIndex, interview_id: str) -> NoReturn:
    """Why no interview has the id: 410 when it was published once and withdrawn (a citation
    of it must not read as a mistyped address, as its pairs' do not), else 404."""
    if interview_id in corpus.dict_of(index.snapshot().manifest, "retired"):
        raise Gone(f"The interview at this address ({interview_id}) was withdrawn.")
    abort(404, f"There is no interview with the id {interview_id!r}.")


def citation(meta: dict, position: int, page_url: str) -> str:
    """A plain-text reference to one answer: who answered, who asked, the interview's title
    and question number, its date, where it is published (else this page), when accessed."""
    parts = [meta["interviewee"] or "Unnamed interviewee"]
    if meta["interviewer"]:
        parts.append(f"Interviewed by {meta['interviewer']}")
    title = meta["title"] or "Interview"
    parts.append(f"“{title},” question {position}" if position else f"“{title}”")
    if meta["date"]:
        parts.append(nice_date(meta["date"]))
    parts.append(meta["source_url"] or page_url)
    parts.append(f"Accessed {nice_date(date.today().isoformat())}")
    return ". ".join(part.rstrip(".") for part in parts) + "."


def nice_date(value: str) -> str:
    """An ISO date as "3 March 2024"; anything else unchanged."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    return f"{day.day} {day:%B %Y}"


def nice_time(value: str | None) -> str:
    """An ISO time as "25 Nov 2026, 11:57 UTC" (staff pages: when a build ran, a file was
    archived, an action taken); a value without a time or zone unchanged, as it cannot be
    told in UTC."""
    try:
        moment = datetime.fromisoformat(value or "")
    except (TypeError, ValueError):
        return value or ""
    if moment.tzinfo is None:
        return value
    moment = moment.astimezone(timezone.utc)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def counted(number: int, noun: str) -> str:
    """"1 question/answer pair", "2 question/answer pairs": a count and its noun, agreeing."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def its_pairs(count: int, state: str) -> str:
    """What became of a file's pairs, for staff messages: "its 1 question/answer pair is
    searchable now", "its 5 question/answer pairs are ..." (`state`: "searchable now")."""
    return f"its {counted(count, 'question/answer pair')} {'is' if count == 1 else 'are'} {state}"


def neighbours(pairs: list[dict], pair_id: str) -> tuple[dict | None, dict | None]:
    """The pairs just before and after `pair_id` in interview order."""
    ids = [p["id"] for p in pairs]
    if pair_id not in ids:
        return None, None
    at = ids.index(pair_id)
    return (pairs[at - 1] if at > 0 else None), (pairs[at + 1] if at + 1 < len(pairs) else None)


def brief(doc: dict | None, state: dict) -> dict | None:
    """A pair as a link: id, question, where it is from, page URL (carrying `state`)."""
    if doc is None:
        return None
    return {"id": doc["id"], "question": doc.get("question", ""),
            "interviewee": doc.get("interviewee", ""), "title": doc.get("title", ""),
            "url": state_url("pages.pair", state, pair_id=doc["id"])}


def interview_meta(record: dict, state: dict) -> dict:
    """An interview's public metadata (never the server's file paths); its URL carries
    the search's `state`."""
    return {"id": record["id"], "title": record.get("title", ""),
            "interviewee": record.get("interviewee", ""),
            "interviewee_url": interviewee_url(record.get("interviewee")),
            "interviewer": record.get("interviewer", ""), "date": record.get("date", ""),
            "source": record.get("source", ""), "source_url": source_url(record.get("source")),
            "url": state_url("pages.interview", state, interview_id=record["id"])}


def interviewee_url(name: str | None) -> str | None:
    """The search page listing every question the interviewee answered, or None."""
    return url_for("pages.search", interviewee=name) if name else None


def interview_context(interview_id: str, args: Mapping[str, str]) -> dict:
    """The interview page and /api/interviews/<id>: everything, in order, matches marked."""
    record = get_index().interview(interview_id) or no_interview(get_index(), interview_id)
    params, state, terms = carried(args)
    summary, bio = record.get("summary", ""), record.get("bio", "")
    return {
        **interview_meta(record, state), "query": params.q.strip(),
        "results_url": results_url(params, state),
        "summary": summary, "summary_html": highlight.mark_paragraphs(summary, terms),
        "bio": bio, "bio_html": [highlight.mark(line, terms)
                                 for line in bio.splitlines() if line.strip()],
        "pairs": [interview_pair(p, terms, state) for p in record["pairs"]],
    }


def interview_pair(pair: dict, terms: Marks, state: dict) -> dict:
    """One pair of an interview page, marked."""
    return {"id": pair["id"], "position": pair.get("position", 0),
            "question": pair["question"], "answer": pair["answer"],
            "question_html": highlight.mark(pair["question"], terms),
            "answer_paragraphs_html": highlight.mark_paragraphs(pair["answer"], terms),
            "url": state_url("pages.pair", state, pair_id=pair["id"])}


def source_url(source: str | None) -> str | None:
    """The source as a link target when it is an http(s) URL; otherwise None."""
    source = (source or "").strip()
    try:
        parts = urlsplit(source)
    except ValueError:
        return None
    return source if parts.scheme.lower() in ("http", "https") and parts.netloc else None


PASSAGE_WORDS = 5  # words of the answer's start and of its end that name the passage


def passage_url(url: str | None, answer: str) -> str | None:
    """A link to the answer inside its source page: a URL text fragment (``#:~:text=start,end``),
    which browsers that support it scroll to and highlight, and others ignore (they open the
    page at its top). None without a source URL.

    The fragment names the first few words of the answer's first paragraph and the last few
    of its last; everything in between is matched however the page lays it out. Each end
    stays inside its paragraph, since browsers match each term within one block of the page.
    A one-paragraph answer of up to twice that many words is named whole.
    """
    paragraphs = [words for words in (p.split() for p in answer.split("\n\n")) if words]
    if not url or not paragraphs:
        return None
    first, last = paragraphs[0], paragraphs[-1]
    if len(paragraphs) == 1 and len(first) <= 2 * PASSAGE_WORDS:
        directive = fragment_text(" ".join(first))
    else:
        directive = (fragment_text(" ".join(first[:PASSAGE_WORDS])) + ","
                     + fragment_text(" ".join(last[-PASSAGE_WORDS:])))
    return f"{url}{'' if '#' in url else '#'}:~:text={directive}"


def fragment_text(text: str) -> str:
    """Text for a text directive: percent-encoded, with the directive's own signs (, - &)
    encoded too (quote leaves '-' as it is)."""
    return quote(text, safe="").replace("-", "%2D")


# --- health ----------------------------------------------------------------------------


def health_context() -> dict:
    """/healthz: what the serving index holds and when it was built."""
    stats = get_index().stats()
    return {"status": "ok", "documents": stats["documents"], "interviews": stats["interviews"],
            "built_at": stats["built_at"], "build": stats["build"],
            "schema_note": stats["schema_note"]}
