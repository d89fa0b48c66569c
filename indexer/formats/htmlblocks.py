"""HTML to Blocks without recursion: junk and hidden elements skipped, bold tracked, and
bylines and <header> lines set aside for the caller to read as metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from itertools import islice
from typing import NamedTuple

from bs4 import NavigableString
from bs4 import Tag
from bs4.element import PreformattedString

from ..model import normalize_space
from .meta import around_date
from .turns import Block

SKIP_TAGS = set(
    "script style noscript template nav footer aside form iframe svg canvas button input "
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
# A byline or an author: never summary text, its text read as a header line ("By Jane Roe")
# or as the author's name alone ("Jane Roe")
_AUTHOR = re.compile(
    r"by-?line|(?:^|\s)(?:(?:article|post|entry|story)[_-])?authors?(?:[_-]name)?(?:\s|$)",
    re.IGNORECASE,
)
# A dateline or post meta: never summary text, read as a header line ("Posted March 3, 2024")
_DATELINE = re.compile(r"dateline|(?:entry|post|article)-meta", re.IGNORECASE)
_INNER_AUTHORS = 4  # author elements read inside one byline at most
# What a line holds besides its byline and <time> elements when it is a byline as a whole
# ("By <a class=author>Jane Roe</a>, March 3, 2024"): these words and a date
_BYLINE_WORDS = {"by", "and", "on", "published", "posted", "updated", "written"}
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
# A pull quote repeats a sentence of the text around it, set large (as a figcaption, which
# is skipped, describes a picture): read, the sentence came twice in an answer
_PULL_QUOTE = re.compile(r"pull-?quote|(?:^|[\s_-])pq(?:[\s_-]|$)", re.IGNORECASE)
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
    """Is an element invisible or never content (script, nav, form, hidden, a pull quote)?"""
    if tag.name in SKIP_TAGS or tag.has_attr("hidden") or _PULL_QUOTE.search(_classes(tag)):
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


def is_author(tag: Tag) -> bool:
    """Does an element's class or id name a byline or an author ("byline", "author vcard",
    "author-name")? Not "author-bio": a bio is content."""
    return bool(_AUTHOR.search(_classes(tag)))


def is_byline(tag: Tag) -> bool:
    """Does an element's class or id name a byline, an author or a dateline ("post-meta")?"""
    return is_author(tag) or bool(_DATELINE.search(_classes(tag)))


class Byline(NamedTuple):
    """The text of a byline element, and whether its class names an author (then a name
    alone, "Jane Roe", is the author; in a "post-meta" line it may be anything)."""

    text: str
    named: bool


@dataclass
class SetAside:
    """What the walk keeps out of the blocks for the caller to read as metadata: bylines
    wherever they stand and the lines of <header> elements (a title, "By Jane Roe")."""

    bylines: list[Byline] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def _byline_rest(text: str) -> bool:
    """Is what a line holds besides its byline and <time> elements no more than "By", a
    date and punctuation ("By , March 3, 2024")?"""
    around = around_date(text)
    words = re.findall(r"[^\W_]+", "".join(around) if around else text)
    return all(word.lower() in _BYLINE_WORDS for word in words)


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
    def __init__(self, keep: Tag | None, aside: SetAside | None = None) -> None:
        self.blocks: list[Block] = []
        self.aside = aside if aside is not None else SetAside()
        self.parts: list[tuple[str, bool, bool]] = []  # (text, bold, in a byline or <time>)
        self.inline: list[Byline] = []  # byline elements inside the current block
        self.kinds: list[tuple[str, int]] = [("p", 0)]
        self.bold = 0
        self.time = 0  # depth of <time> elements
        self.header = 0  # depth of <header> elements: their lines are set aside
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
            self._byline(tag)
        return True

    def _byline(self, tag: Tag) -> None:
        """Set a byline element aside: its text, then the author elements inside it ("By
        <span class=author>Jane Roe</span> and ..."). One inside a line ("By <a class=author>
        Jane Roe</a>, March 3") also stays in the line: flush() sets the line aside first
        when it is a byline as a whole, else it keeps the line as content."""
        inner = tag.find_all(is_author, limit=_INNER_AUTHORS)
        found = [Byline(normalize_space(tag.get_text(" ")), is_author(tag))]
        found += [Byline(normalize_space(t.get_text(" ")), True) for t in inner]
        if tag.name in _BLOCK_TAGS:
            self.flush()
            self.aside.bylines.extend(found)
        else:
            self.parts.append((tag.get_text(), self.bold > 0, True))
            self.inline += found

    def flush(self) -> None:
        text = normalize_space("".join(t for t, _, _ in self.parts))
        if text and self.inline and _byline_rest("".join(t for t, _, aside in self.parts
                                                         if not aside)):
            self.aside.bylines.append(Byline(text, any(b.named for b in self.inline)))
        elif text and self.header:
            self.aside.header.append(text)
        elif text:
            total = sum(len(t.strip()) for t, _, _ in self.parts)
            bold = sum(len(t.strip()) for t, b, _ in self.parts if b)
            kind, level = self.kinds[-1]
            self.blocks.append(Block(text, kind, level, bold == total))
        self.aside.bylines += self.inline
        self.parts, self.inline = [], []

    def text(self, text: str) -> None:
        self.parts.append((text, self.bold > 0, self.time > 0))

    def start(self, tag: Tag) -> bool:
        if self._junk(tag):
            return False
        if tag.name in _BOLD_TAGS:
            self.bold += 1
        if tag.name == "time":
            self.time += 1
        if tag.name in _BLOCK_TAGS or tag.name == "header":
            self.flush()
            self.kinds.append(_kind(tag, self.kinds[-1]))
        if tag.name == "header" and tag is not self.keep:
            self.header += 1
        return True

    def end(self, tag: Tag) -> None:
        if tag.name in _BOLD_TAGS:
            self.bold -= 1
        if tag.name == "time":
            self.time -= 1
        if tag.name in _BLOCK_TAGS or tag.name == "header":
            self.flush()
            self.kinds.pop()
        if tag.name == "header" and tag is not self.keep:
            self.header -= 1


def html_blocks(root: Tag, aside: SetAside | None = None) -> list[Block]:
    """The blocks of an element's visible text, in document order (iterative walk). Byline
    elements and the lines of <header> elements are no blocks: they go to `aside` when
    given."""
    collector = _Collector(root, aside)
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
            collector.text(str(node))
    collector.flush()
    return collector.blocks
