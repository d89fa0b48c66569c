"""HTML interviews (parsed with bs4's built-in "html.parser").

Pairs come from, in order: FAQPage JSON-LD, Question microdata, then the shared turn detector
over the visible blocks of the main content (<article>, else <main>, else <body>) with
navigation, scripts, forms, hidden elements and boilerplate classes skipped. Metadata comes from
<meta>, <link rel=canonical>, <time datetime>, <h1>/<title> and JSON-LD Article data first, then
from bylines (elements classed as such, wherever they stand) and the lines of <header> elements,
read as the header lines of plain text.
Every parse yields exactly one Interview (possibly without pairs).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4 import Tag

from ..model import ParseResult
from ..model import normalize_space
from . import text as T
from .htmlblocks import Byline
from .htmlblocks import SetAside
from .htmlblocks import html_blocks
from .meta import bare_byline
from .meta import meta_line
from .meta import parse_date
from .meta import unread_date
from .structured import jsonld
from .structured import microdata
from .turns import Block
from .turns import detect

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_LT = re.compile("<")
_BYLINES = 8  # bylines and <header> lines read at most, each (each is checked against the text)
_META_KEYS = {
    "og:title": "title",
    "twitter:title": "title",
    "article:published_time": "date",
    "datepublished": "date",
    "date": "date",
    "dc.date": "date",
    "dcterms.date": "date",
    "dc.date.issued": "date",
    "citation_publication_date": "date",
    "pubdate": "date",
    "publish-date": "date",
    "parsely-pub-date": "date",
    "og:url": "source",
    "description": "summary",
    "og:description": "summary",
    "author": "author",
    "dc.creator": "author",
    "citation_author": "author",
}


def _meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        content = normalize_space(str(tag.get("content") or ""))
        if key in _META_KEYS and content:
            found.setdefault(_META_KEYS[key], content)
    canonical = soup.find("link", rel="canonical", href=True)
    if canonical is not None:
        found["source"] = str(canonical["href"]).strip()
    return found


def _text_len(tag: Tag) -> int:
    return len(tag.get_text())


def content_root(soup: BeautifulSoup) -> Tag:
    """The element holding the interview: the longest <article>, else <main>, else <body>."""
    body = soup.body or soup
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    articles = soup.find_all("article")
    if articles:
        best = max(articles, key=_text_len)
        if _text_len(best) * 4 >= _text_len(main or body):
            return best
    return main or body


def _page_meta(
    soup: BeautifulSoup, root: Tag, ld_meta: dict[str, str], result: ParseResult
) -> dict[str, str]:
    meta = _meta_tags(soup)
    inner_h1, any_h1, title_tag = root.find("h1"), soup.find("h1"), soup.find("title")
    titles = [
        inner_h1.get_text(" ") if inner_h1 else "",
        meta.get("title", ""),
        title_tag.get_text(" ") if title_tag else "",
        any_h1.get_text(" ") if any_h1 else "",
        ld_meta.get("title", ""),
    ]
    meta["title"] = next((normalize_space(t) for t in titles if normalize_space(t)), "")
    time = root.find("time", datetime=True) or soup.find("time", datetime=True)
    dates = [meta.get("date", ""), str(time["datetime"]) if time else "", ld_meta.get("date", "")]
    date = next((d for d in dates if parse_date(d)), "")
    meta["date"] = parse_date(date)
    T.warn_ambiguous_date(date, result)
    if not date and (unread := unread_date(next((d for d in dates if d.strip()), ""))):
        result.warn(unread)
    for key in ("source", "author", "summary"):
        meta[key] = meta.get(key) or ld_meta.get(key, "")
    return meta


def _drop_title(blocks: list[Block], title: str) -> list[Block]:
    for i, block in enumerate(blocks):
        if block.kind == "h" and block.text == title:
            return blocks[:i] + blocks[i + 1 :]
    return blocks


def defuse_brackets(text: str) -> str:
    """Escape each '<' that meets another '<' (or the end) before any '>'.

    Such a '<' cannot open a tag, and long runs of them make html.parser quadratic.
    """
    parts, last, close = [], 0, -1
    for match in _LT.finditer(text):
        at = match.start()
        if close < at:
            close = text.find(">", at)
        following = text.find("<", at + 1, close if close >= 0 else len(text))
        if close < 0 or following >= 0:
            parts += [text[last:at], "&lt;"]
            last = at + 1
    return "".join(parts) + text[last:] if parts else text


def _soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(defuse_brackets(_XML_DECL.sub("", text, count=1)), "html.parser")


def _byline_meta(line: Byline, body: str) -> tuple[str, str] | None:
    """What a byline or <header> line says ("By Jane Roe", "Published: ..."); in an element
    classed as the author, a name alone ("Jane Roe") is the author."""
    found = meta_line(line.text, body)
    names = bare_byline(line.text) if line.named and not found else ""
    return ("author", names) if names else found


def parse(text: str, name: str, result: ParseResult) -> None:
    """Parse an HTML interview into result."""
    soup = _soup(text)
    ld_pairs, ld_meta = jsonld(soup, result)
    root = content_root(soup)
    meta = _page_meta(soup, root, ld_meta, result)
    aside = SetAside()
    try:
        blocks = html_blocks(root, aside)
    except RecursionError:
        lines = root.get_text("\n").split("\n")
        blocks = [Block(t) for t in map(normalize_space, lines) if t]
    blocks = _drop_title(blocks, meta["title"])
    body = "\n".join(b.text for b in blocks)
    header = [Byline(line, False) for line in aside.header]
    for line in aside.bylines[:_BYLINES] + header[:_BYLINES]:
        found = _byline_meta(line, body)
        if found:
            T.use_meta_line(found, line.text, meta, result)
    blocks = T.take_meta_lines(blocks, body, meta, result)  # header lines as in plain text
    turns = detect(blocks)
    structured = ld_pairs or microdata(soup)
    if structured:
        turns.pairs, turns.method = structured, "faq-jsonld" if ld_pairs else "faq-microdata"
    fallback = meta.pop("summary", "")  # detected summaries win over <meta description>
    interview = T.to_interview(turns, "html", name, meta, fallback)
    interview.summary = interview.summary or fallback
    result.interviews.append(interview)
