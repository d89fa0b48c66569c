"""The one vocabulary of the system: interviews, their question/answer pairs, parse problems."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field


@dataclass
class QAPair:
    """One question and its whole answer, in interview order."""

    question: str
    answer: str
    asker: str = ""
    answerer: str = ""
    source_id: str = ""  # an id the source file gave the pair (JSON Lines `id`)


@dataclass
class Interview:
    """An interview as found in one file (a JSON Lines file may hold many)."""

    title: str = ""
    interviewee: str = ""
    interviewer: str = ""
    date: str = ""  # ISO 8601 (YYYY-MM-DD) when known
    source: str = ""  # URL of the published interview
    summary: str = ""
    bio: str = ""
    pairs: list[QAPair] = field(default_factory=list)
    format: str = ""  # text, markdown, html, jsonl
    method: str = ""  # how the pairs were found, e.g. "speaker-labels", "faq-jsonld"
    key: str = ""  # distinguishes interviews inside one file (JSON Lines groups)

    def to_dict(self) -> dict:
        """A JSON-ready dict: the shape of `qa-index parse --json`."""
        return asdict(self)


@dataclass
class ParseProblem:
    """A warning or error about one input file, with a line number when known."""

    file: str
    message: str
    line: int | None = None
    severity: str = "warning"  # or "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class ParseResult:
    """What one file yielded: interviews (possibly none) and the problems met on the way."""

    file: str
    interviews: list[Interview] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    format: str = ""  # the parser used, also when it found no interview (advice on "no pairs")

    def warn(self, message: str, line: int | None = None) -> None:
        self.problems.append(ParseProblem(self.file, message, line))

    def error(self, message: str, line: int | None = None) -> None:
        self.problems.append(ParseProblem(self.file, message, line, "error"))

    @property
    def pair_count(self) -> int:
        return sum(len(i.pairs) for i in self.interviews)


def slugify(text: str, max_length: int = 80) -> str:
    """A lower-case ASCII slug: letters, digits and single dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "interview"


def normalize_space(text: str) -> str:
    """Collapse runs of white space (including no-break spaces) to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
