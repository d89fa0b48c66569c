"""schema.org data in HTML: FAQPage JSON-LD (also in @graph), Question microdata, Article meta."""

from __future__ import annotations

import html
import json
import re

from bs4 import BeautifulSoup
from bs4 import Tag

from ..model import ParseResult
from ..model import QAPair
from ..model import normalize_space
from .htmlblocks import html_blocks

_QUESTION_TYPE = re.compile(r"schema\.org/Question\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)


def fragment_text(value: object) -> str:
    """Text of an HTML fragment (or plain string), paragraphs joined by blank lines."""
    if isinstance(value, list):
        return "\n\n".join(fragment_text(v) for v in value if v)
    if isinstance(value, dict):
        return fragment_text(value.get("text", ""))
    if not isinstance(value, str):
        return ""
    if "<" not in value:
        paras = re.split(r"\n\s*\n", html.unescape(value))
        return "\n\n".join(p for p in (normalize_space(x) for x in paras) if p)
    soup = BeautifulSoup(value, "html.parser")
    return "\n\n".join(b.text for b in html_blocks(soup))


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1] for v in values}


def _walk(data: object):
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            yield node
            stack.extend(v for v in reversed(list(node.values())) if isinstance(v, (list, dict)))


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value] if value else []


def _faq_pairs(node: dict) -> list[QAPair]:
    pairs = []
    for question in _as_list(node.get("mainEntity")):
        if not isinstance(question, dict):
            continue
        answers = _as_list(question.get("acceptedAnswer")) or _as_list(
            question.get("suggestedAnswer")
        )
        text = fragment_text(answers)
        name = normalize_space(fragment_text(question.get("name") or question.get("text") or ""))
        if name and text:
            pairs.append(QAPair(name, text))
    return pairs


def jsonld(soup: BeautifulSoup, result: ParseResult) -> tuple[list[QAPair], dict[str, str]]:
    """FAQPage pairs and Article-level metadata from <script type="application/ld+json">."""
    pairs: list[QAPair] = []
    meta: dict[str, str] = {}
    nodes: list[dict] = []
    for script in soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)}):
        try:
            data = json.loads(script.get_text())
        except (ValueError, RecursionError) as exc:
            result.warn(f"invalid JSON-LD ignored: {str(exc)[:80]}")
            continue
        nodes.extend(_walk(data))
    names = {}  # the name of each node with an @id: an author may be given by reference
    for node in nodes:
        if isinstance(node.get("@id"), str) and isinstance(node.get("name"), str):
            names.setdefault(node["@id"], node["name"])
    for node in nodes:
        if "FAQPage" in _types(node):
            pairs.extend(_faq_pairs(node))
        _article_meta(node, meta, names)
    return pairs, meta


def _authors(value: object, names: dict[str, str]) -> str:
    """The names of an Article's authors, joined as a byline joins them ("Jane Roe and John
    Doe"): each a name, a Person or Organization, or a reference to one ({"@id": ...}, as
    Yoast's @graph gives it); a URL is no name."""
    found = []
    for author in _as_list(value):
        if isinstance(author, dict):
            ref = author.get("@id")
            author = author.get("name") or (names.get(ref) if isinstance(ref, str) else None)
        if isinstance(author, str) and normalize_space(author) and not _URL.match(author):
            found.append(normalize_space(author))
    found = list(dict.fromkeys(found))
    if len(found) > 1:
        return f"{', '.join(found[:-1])} and {found[-1]}"
    return found[0] if found else ""


def _article_meta(node: dict, meta: dict[str, str], names: dict[str, str]) -> None:
    if not _types(node) & {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "WebPage",
        "FAQPage",
        "ScholarlyArticle",
        "MedicalWebPage",
        "Interview",
    }:
        return
    values = {
        "title": node.get("headline") or node.get("name"),
        "date": node.get("datePublished"),
        "source": node.get("url") if isinstance(node.get("url"), str) else None,
        "author": _authors(node.get("author"), names),
        "summary": node.get("description"),
    }
    for key, value in values.items():
        if isinstance(value, str) and value.strip():
            meta.setdefault(key, normalize_space(value))


def _prop(tag: Tag, name: str) -> Tag | None:
    return tag.find(attrs={"itemprop": re.compile(rf"(?:^|\s){name}(?:\s|$)")})


def _prop_text(tag: Tag) -> str:
    if tag.name == "meta":
        return fragment_text(str(tag.get("content", "")))
    return "\n\n".join(b.text for b in html_blocks(tag))


def microdata(soup: BeautifulSoup) -> list[QAPair]:
    """Pairs from elements with itemtype schema.org/Question."""
    pairs = []
    for question in soup.find_all(attrs={"itemtype": _QUESTION_TYPE}):
        name = _prop(question, "name")
        answer = _prop(question, "acceptedAnswer") or _prop(question, "suggestedAnswer")
        if name is None or answer is None:
            continue
        body = _prop(answer, "text") or answer
        qtext, atext = normalize_space(_prop_text(name)), _prop_text(body)
        if qtext and atext:
            pairs.append(QAPair(qtext, atext))
    return pairs
