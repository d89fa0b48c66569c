"""HTML to Blocks without recursion: junk and hidden elements skipped, bold tracked."""

from __future__ import annotations

import re
from itertools import islice

from bs4 import NavigableString
from bs4 import Tag
from bs4.element import PreformattedString

from ..model import normalize_space
from .turns import Block

SKIP_TAGS = set(
    "script style noscript template nav header footer aside form iframe svg canvas button input "
    "select textarea option label dialog object embed map figure figcaption img picture video "
    "audio source track head title meta link".split()
)
_JUNK = re.compile(
    r"cookie|consent|banner|newsletter|subscri|share|social|related|comment|breadcrumb|menu|"
    r"nav|footer|sidebar|advert|popup|modal|promo|screen-reader|sr-only|visually-hidden|"
    r"(?:^|[\s_-])(?:ads?|top-?bar|masthead|(?:user|utility|account)-?bar|log-?in|sign-?in)"
    r"(?:[\s_-]|$)",
    re.IGNORECASE,
)
# A byline or dateline: never summary text, its text read as a header line ("By Jane Roe")
_BYLINE = re.compile(
    r"by-?line|dateline|(?:entry|post|article)-meta|"
    r"(?:^|\s)(?:(?:article|post|entry|story)[_-])?authors?(?:[_-]name)?(?:\s|$)",
    re.IGNORECASE,
)
# A link offering to log in or subscribe; in a short row of links it makes a top bar
_ACCOUNT_LINK = re.compile(
    r"(?:log\s?in|log\s?out|sign\s?in|sign\s?out|sign\s?up|register|my account|subscribe)",
    re.IGNORECASE,
)
_BAR_NODES = 40  # elements and strings in a top bar at most (keeps the check linear)
_BAR_CHARS = 80
_JUNK_ROLES = {
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BLOCK_TAGS = set(
    "p div section article main blockquote pre table thead tbody tr td th ul ol dl li dt dd "
    "h1 h2 h3 h4 h5 h6 br hr address details summary center body html".split()
)
_BOLD_TAGS = {"strong", "b"}


def _classes(tag: Tag) -> str:
    value = tag.get("class") or ""
    classes = " ".join(value) if isinstance(value, list) else str(value)
    return f"{classes} {tag.get('id') or ''}".strip()


def is_hidden(tag: Tag) -> bool:
    """Is an element invisible or never content (script, nav, form, hidden, ...)?"""
    if tag.name in SKIP_TAGS or tag.has_attr("hidden"):
        return True
    if str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    if str(tag.get("role", "")).lower() in _JUNK_ROLES:
        return True
    if _HIDDEN_STYLE.search(str(tag.get("style", ""))):
        return True
    return str(tag.get("type", "")).lower() == "hidden"


def has_junk_class(tag: Tag) -> bool:
    """Does an element's class or id name boilerplate (cookie banner, share bar, menu...)?"""
    return bool(_JUNK.search(_classes(tag)))


def is_byline(tag: Tag) -> bool:
    """Does an element's class or id name a byline ("byline", "author", "post-meta")?
    Not "author-bio": a bio is content."""
    return bool(_BYLINE.search(_classes(tag)))


def is_account_bar(tag: Tag) -> bool:
    """Is a small element a row of links (two or more, most of its text), one of them "Log
    in", "Sign up" or "Subscribe"? Site chrome whatever its class (a top bar's "Cancer Today
    Log in"), never summary text; a sentence that mentions signing in is not mostly links,
    and one link in an answer ("Register for the trial") is not a row. Only the first
    _BAR_NODES nodes are looked at, so deeply nested pages stay linear."""
    if tag.name not in _BLOCK_TAGS:
        return False
    nodes = list(islice(tag.descendants, _BAR_NODES + 1))
    links = [" ".join(n.get_text().split()) for n in nodes if isinstance(n, Tag) and n.name == "a"]
    if len(nodes) > _BAR_NODES or len(links) < 2:
        return False
    if not any(_ACCOUNT_LINK.fullmatch(link) for link in links):
        return False
    text = "".join("".join(str(n) for n in nodes if _is_text(n)).split())
    return len(text) <= _BAR_CHARS and len("".join(links).replace(" ", "")) >= 0.6 * len(text)


def _is_text(node: object) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _kind(tag: Tag, parent: tuple[str, int]) -> tuple[str, int]:
    name = tag.name
    if len(name) == 2 and name[0] == "h" and name[1] in "123456":
        return "h", int(name[1])
    if name in ("li", "dt", "dd"):
        return name, 0
    return parent if parent[0] in ("li", "dt", "dd", "h") else ("p", 0)


class _Collector:
    def __init__(self, keep: Tag | None, bylines: list[str] | None = None) -> None:
        self.blocks: list[Block] = []
        self.bylines = bylines if bylines is not None else []
        self.parts: list[tuple[str, bool]] = []
        self.kinds: list[tuple[str, int]] = [("p", 0)]
        self.bold = 0
        self.keep = keep  # never skipped as junk (the chosen content root)
        self.root_size = -1

    def _junk(self, tag: Tag) -> bool:
        if tag is self.keep:
            return False
        if is_hidden(tag) or is_account_bar(tag):
            return True
        byline = is_byline(tag)
        if not byline and not has_junk_class(tag):
            return False
        if self.root_size < 0:
            self.root_size = len(self.keep.get_text()) if self.keep else 0
        if len(tag.get_text()) > 0.6 * self.root_size:
            return False  # a junk class on most content: keep
        if byline:
            self.bylines.append(normalize_space(tag.get_text(" ")))
        return True

    def flush(self) -> None:
        text = normalize_space("".join(t for t, _ in self.parts))
        if text:
            total = sum(len(t.strip()) for t, _ in self.parts)
            bold = sum(len(t.strip()) for t, b in self.parts if b)
            kind, level = self.kinds[-1]
            self.blocks.append(Block(text, kind, level, bold == total))
        self.parts = []

    def start(self, tag: Tag) -> bool:
        if self._junk(tag):
            return False
        if tag.name in _BOLD_TAGS:
            self.bold += 1
        if tag.name in _BLOCK_TAGS:
            self.flush()
            self.kinds.append(_kind(tag, self.kinds[-1]))
        return True

    def end(self, tag: Tag) -> None:
        if tag.name in _BOLD_TAGS:
            self.bold -= 1
        if tag.name in _BLOCK_TAGS:
            self.flush()
            self.kinds.pop()


def html_blocks(root: Tag, bylines: list[str] | None = None) -> list[Block]:
    """The blocks of an element's visible text, in document order (iterative walk). The
    text of each byline element (skipped) is added to `bylines` when given."""
    collector = _Collector(root, bylines)
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            collector.end(node)  # type: ignore[arg-type]
        elif isinstance(node, Tag):
            if collector.start(node):
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
        elif _is_text(node):
            collector.parts.append((str(node), collector.bold > 0))
    collector.flush()
    return collector.blocks
