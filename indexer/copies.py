"""Copies of a pair: the same question and answer published in more than one interview (an
outlet's page and a hospital's text of one interview, or a pair repeated word for word), which
search lists once.

Each pair's ``fingerprint`` (:func:`indexer.corpus.fingerprint`, a column of the index) is a
digest of its question and answer read as words, so copies that differ only in case, spacing
or punctuation share it. Search collapses the ranked matches (:meth:`Copies.collapse`): the
best-ranked copy stays and names the others (``Hit.also_in``); totals and facet counts count
each pair once, as a filter on the facet's value would list them (:meth:`Copies.uncount`).

Whoosh's own collapsing (``collapse=`` in ``Searcher.search``, a ``CollapseCollector``) does
not fit: it collapses while Whoosh collects, by Whoosh's scores, before the matches are
re-ranked, fused with those found by meaning or sorted by date, and most searches are scored
without Whoosh's collectors (:class:`indexer.scoring.FastScorer`); nor does it record which
documents it dropped, which the results name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

FINGERPRINT = "fingerprint"  # the index field (indexer.schema)

Group = tuple[int, ...]  # the document numbers of a pair's copies, itself included, in order


@dataclass
class Copy:
    """Another copy of a result: where else it was published."""

    id: str
    interview_id: str
    title: str
    date: str
    outlet: str  # the source's site (news.example.org), or the source as written


class Copies:
    """The pairs of one build that have copies, each with its group (:data:`Group`)."""

    def __init__(self, fingerprints: Iterable[bytes]):
        """`fingerprints`: each document's, in document order (b"": none, as in a build before
        schema 5, or a document that lacks it)."""
        fingerprints = list(fingerprints)
        repeated = {key for key, count in Counter(fingerprints).items() if count > 1 and key}
        by_print: dict[bytes, list[int]] = {}
        for docnum, key in enumerate(fingerprints):
            if key in repeated:
                by_print.setdefault(key, []).append(docnum)
        self.group: dict[int, Group] = {}
        for docnums in by_print.values():
            group = tuple(docnums)
            self.group.update(dict.fromkeys(group, group))
        # the most matches a collapse can remove: room kept when the best are fetched
        self.spare = len(self.group) - len(set(self.group.values()))

    def __bool__(self) -> bool:
        return bool(self.group)

    def among(self, matches: Collection[int]) -> dict[Group, list[int]]:
        """The copies among `matches`, by group (read from the groups: there are far fewer
        copies than matches)."""
        found: dict[Group, list[int]] = {}
        for docnum, group in self.group.items():
            if docnum in matches:
                found.setdefault(group, []).append(docnum)
        return found

    def add(self, found: dict[Group, list[int]], docnums: Iterable[int]) -> None:
        """Add more matches (found by meaning) to `found` (:meth:`among`)."""
        for docnum in docnums:
            group = self.group.get(docnum)
            if group is not None:
                found.setdefault(group, []).append(docnum)

    @staticmethod
    def surplus(found: dict[Group, list[int]]) -> int:
        """How many of the matches are a copy of another match (collapsing removes them)."""
        return sum(len(docnums) - 1 for docnums in found.values())

    @staticmethod
    def uncount(counts: dict[str, dict], found: dict[Group, list[int]],
                columns: dict[str, list], keys: dict[str, Callable[[str], str]] | None = None
                ) -> None:
        """Count each pair once in the facet `counts` (field -> value -> matches), as a filter
        on the value would list the matches: copies with one value count once for it, and a
        copy with another value counts for that one (an interview's own copy). `keys` maps a
        field's stored values to those `counts` holds (an interviewee's name to their
        person's: copies under two forms of one name count once)."""
        keys = keys or {}
        for docnums in found.values():
            if len(docnums) < 2:
                continue
            for name, values in columns.items():
                key = keys.get(name, same)
                for value, count in Counter(key(values[d]) for d in docnums).items():
                    if count > 1:
                        counts[name][value] -= count - 1

    def collapse(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The ranked matches with only the first copy of each pair."""
        if not self.group:
            return ranked
        seen: set[Group] = set()
        kept = []
        for item in ranked:
            group = self.group.get(item[0])
            if group is not None:
                if group in seen:
                    continue
                seen.add(group)
            kept.append(item)
        return kept

    def others(self, docnum: int) -> Group:
        """The other copies of a pair (none for most pairs), in document order."""
        return tuple(other for other in self.group.get(docnum, ()) if other != docnum)


def same(value):
    """A value as it is (a field whose values :meth:`Copies.uncount` is given as they are)."""
    return value


def copy_of(doc: dict) -> Copy:
    """A copy's stored fields as the results name it."""
    return Copy(id=doc["id"], interview_id=doc.get("interview_id", ""),
                title=doc.get("title", ""), date=doc.get("date", ""),
                outlet=outlet(doc.get("source", "")))


def outlet(source: str) -> str:
    """Where an interview was published, briefly: an http(s) source's site without "www."
    (news.example.org); any other source as written."""
    source = (source or "").strip()
    try:
        parts = urlsplit(source)
        host = parts.hostname if parts.scheme.lower() in ("http", "https") else None
    except ValueError:
        host = None
    if not host:
        return source
    return host.removeprefix("www.")
