"""Request arguments to context dicts: one function per page, shared by the page and its JSON twin.

Keys ending in ``_html`` hold HTML made by ``indexer`` (escaped text plus ``<mark>``); every
other value is plain text or data. Nothing here builds markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from urllib.parse import quote
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import url_for

from indexer import highlight
from indexer.highlight import Marks
from indexer.search import SearchIndex
from indexer.search import SearchResults
from indexer.search import unknown_filter
from webapp.params import FILTERS
from webapp.params import canonical_params
from webapp.params import flag
from webapp.params import query_link
from webapp.params import search_params
from webapp.params import whole_number


def get_index() -> SearchIndex:
    """The app's one SearchIndex."""
    return current_app.extensions["qa_index"]


# --- search ----------------------------------------------------------------------------


def search_context(args: Mapping[str, str]) -> dict:
    """The search page and /api/search: results, facets, suggestion, paging."""
    params = search_params(args)
    index = get_index()
    snapshot = index.snapshot()  # raises IndexMissing (503) even when the query is empty
    unknown = unknown_filter(params.filters, snapshot)
    if unknown:
        abort(400, unknown)
    results = index.search(params.q, page=params.page, per_page=params.per_page,
                           filters=params.filters, expand=params.expand,
                           mode=params.mode or None, sort=params.sort or "relevance")
    link = query_link(results.query, params.expand)
    return {
        "query": results.query, "total": results.total, "page": results.page,
        "pages": results.pages, "per_page": results.per_page, "took_ms": results.took_ms,
        "suggestion": results.suggestion, "expansions": results.expansions,
        "words": [asdict(reading) for reading in results.readings],
        "expand": params.expand, "mode": results.mode, "mode_note": results.mode_note,
        "sort": results.sort, "dated": snapshot.dated,
        "filters": active_filters(results),
        "facets": facets(results), "results": [hit_dict(h, link) for h in results.hits],
        "closest": [hit_dict(h, link) for h in results.closest],
        "params": canonical_params(params, results.query),
    }


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
                        "pairs": r["pair_count"],
                        "url": url_for("pages.interview", interview_id=r["id"])}
                       for r in shown],
    }


def hit_dict(hit, link: dict) -> dict:
    """One result: highlighted question and answer fragments, where it came from, its URL."""
    return {
        "id": hit.id, "question": hit.question, "question_html": hit.question_html,
        "answer_html": hit.answer_html, "score": hit.score, "by_meaning": hit.by_meaning,
        "interviewee": hit.interviewee,
        "interviewer": hit.interviewer, "title": hit.title, "date": hit.date,
        "interview_id": hit.interview_id, "position": hit.position,
        "url": url_for("pages.pair", pair_id=hit.id, **link),
        "interview_url": url_for("pages.interview", interview_id=hit.interview_id,
                                 _anchor=hit.id, **link),
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


def marking(args: Mapping[str, str]) -> tuple[str, bool, Marks]:
    """The query carried to a pair or interview page: (text, expand, what to mark)."""
    query, expand = args.get("q", "").strip(), flag(args, "expand")
    terms = get_index().marks(query, expand) if query else Marks()  # as searched
    return query, expand, terms


def pair_context(pair_id: str, args: Mapping[str, str]) -> dict:
    """The pair page and /api/pairs/<id>: the whole pair marked, its interview, neighbours."""
    index = get_index()
    pair = index.pair(pair_id) or abort(404, f"There is no question with the id {pair_id!r}.")
    query, expand, terms = marking(args)
    link = query_link(query, expand)
    record = index.interview(pair["interview_id"]) or {"pairs": [pair]}
    before, after = neighbours(record["pairs"], pair_id)
    related = index.related(pair_id, limit=current_app.config["RELATED_LIMIT"])
    meta = interview_meta({**pair, **record, "id": pair["interview_id"]}, link)
    return {
        "query": query, "id": pair_id, "position": pair.get("position", 0),
        "question": pair["question"], "answer": pair["answer"],
        "question_html": highlight.mark(pair["question"], terms),
        "answer_paragraphs_html": highlight.mark_paragraphs(pair["answer"], terms),
        "interview": meta, "passage_url": passage_url(meta["source_url"], pair["answer"]),
        "citation": citation(meta, pair.get("position", 0),
                             url_for("pages.pair", pair_id=pair_id, _external=True)),
        "previous": brief(before, link), "next": brief(after, link),
        "related": [brief(doc, link) for doc in related],
        "url": url_for("pages.pair", pair_id=pair_id, **link),
    }


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


def neighbours(pairs: list[dict], pair_id: str) -> tuple[dict | None, dict | None]:
    """The pairs just before and after `pair_id` in interview order."""
    ids = [p["id"] for p in pairs]
    if pair_id not in ids:
        return None, None
    at = ids.index(pair_id)
    return (pairs[at - 1] if at > 0 else None), (pairs[at + 1] if at + 1 < len(pairs) else None)


def brief(doc: dict | None, link: dict) -> dict | None:
    """A pair as a link: id, question, where it is from, page URL."""
    if doc is None:
        return None
    return {"id": doc["id"], "question": doc.get("question", ""),
            "interviewee": doc.get("interviewee", ""), "title": doc.get("title", ""),
            "url": url_for("pages.pair", pair_id=doc["id"], **link)}


def interview_meta(record: dict, link: dict) -> dict:
    """An interview's public metadata (never the server's file paths)."""
    return {"id": record["id"], "title": record.get("title", ""),
            "interviewee": record.get("interviewee", ""),
            "interviewer": record.get("interviewer", ""), "date": record.get("date", ""),
            "source": record.get("source", ""), "source_url": source_url(record.get("source")),
            "url": url_for("pages.interview", interview_id=record["id"], **link)}


def interview_context(interview_id: str, args: Mapping[str, str]) -> dict:
    """The interview page and /api/interviews/<id>: everything, in order, matches marked."""
    record = (get_index().interview(interview_id)
              or abort(404, f"There is no interview with the id {interview_id!r}."))
    query, expand, terms = marking(args)
    link = query_link(query, expand)
    summary, bio = record.get("summary", ""), record.get("bio", "")
    return {
        **interview_meta(record, link), "query": query,
        "summary": summary, "summary_html": highlight.mark_paragraphs(summary, terms),
        "bio": bio, "bio_html": [highlight.mark(line, terms)
                                 for line in bio.splitlines() if line.strip()],
        "pairs": [interview_pair(p, terms, link) for p in record["pairs"]],
    }


def interview_pair(pair: dict, terms: Marks, link: dict) -> dict:
    """One pair of an interview page, marked."""
    return {"id": pair["id"], "position": pair.get("position", 0),
            "question": pair["question"], "answer": pair["answer"],
            "question_html": highlight.mark(pair["question"], terms),
            "answer_paragraphs_html": highlight.mark_paragraphs(pair["answer"], terms),
            "url": url_for("pages.pair", pair_id=pair["id"], **link)}


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
