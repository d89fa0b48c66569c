"""The interviewee's full name, from the title and intro around the pairs.

News sites introduce "Dr. Sarah Klein" (or "Sarah Klein, MD") and then label her answers
"Klein:"; stored as is, the Interviewee filter, the interview list and "Cite this answer" show
a bare surname, and the same person appears under two names across interviews. And with
`Q:`/`A:` labels the labels name nobody, though the title often says "... an interview with
Dr. Ahmed Patel". Both are resolved here, and only when the text leaves no doubt.
"""

from __future__ import annotations

import re

from .bio import CREDENTIALS
from .bio import HONORIFICS
from .labels import NAME_PARTICLES as _PARTICLES

_HONORIFIC = re.compile(rf"^(?:{HONORIFICS})\.?$", re.IGNORECASE)
_CREDENTIAL = re.compile(rf",\s*(?:{CREDENTIALS})(?!\w)", re.IGNORECASE)  # ", MD", ", Ph.D."
_NOT_NAMES = {"a", "an", "and", "the", "with", "of", "on", "in", "for", "to", "from", "by",
              "about", "at", "interview", "interviews", "conversation", "meet", "talks", "says",
              "why", "how", "what", "when", "who", "q&a", "exclusive", "video", "podcast"}
# words of an outlet or institution, not a person ("In conversation with Oncology Frontier")
_ORGANISATION = re.compile(
    r"^(?:today|news|journal|oncology|frontier|weekly|daily|times|magazine|network|society|"
    r"institute|hospital|cent(?:er|re)|university|association|foundation|team|group|"
    r"editors?|staff|radio|tv|podcast|review|report|post|press|media|health)$",
    re.IGNORECASE,
)
_TITLE_WITH = re.compile(
    r"\b(?:interview|conversation|chat|talk|q&a|discussion)s?\s+with\s+(?P<rest>.+)",
    re.IGNORECASE,
)
MAX_GIVEN = 2  # given names walked back from a surname ("Maria Elena Gonzalez")


def _name_word(token: str) -> bool:
    """A capitalised word or initial that can be part of a name ("Sarah", "J.", "O'Neil")."""
    return bool(re.fullmatch(r"[^\W\d_][\w'’-]*\.?", token)) and token[0].isupper() \
        and token.lower() not in _NOT_NAMES


def _split_label(label: str) -> tuple[str, str] | None:
    """(honorific, surname) of a label that is a surname, bare or after a title ("Klein",
    "Dr. Gonzalez"); None for a label that already holds more of a name."""
    words = label.split()
    honorific = words.pop(0) if len(words) == 2 and _HONORIFIC.match(words[0]) else ""
    if len(words) != 1 or not _name_word(words[0]) or _HONORIFIC.match(words[0]):
        return None
    return honorific, words[0]


def _forms(surname: str, text: str) -> list[tuple[str, list[str], str]]:
    """(honorific, given names, surname as written) for each "Sarah Klein" / "Dr. Sarah
    Klein" in text: the capitalised words just before the surname, stopping at punctuation
    or a word that is no name ("with", "Interview")."""
    found = []
    for match in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text, re.IGNORECASE):
        if not match[0][0].isupper():
            continue
        honorific, given = "", []
        for token in reversed(text[: match.start()].split()[-(MAX_GIVEN + 1):]):
            if _HONORIFIC.match(token):
                honorific = token
                break
            initial = re.fullmatch(r"[A-Z]\.", token)
            if len(given) == MAX_GIVEN or not (
                    initial or (_name_word(token) and not token.endswith("."))):
                break
            given.insert(0, token)
        if given:
            found.append((honorific, given, match[0]))
    return found


def full_name(label: str, texts: list[str]) -> str:
    """The full name the texts give for a surname label, or the label itself when they give
    none or several people of that surname ("Sarah Klein and Tom Klein")."""
    parts = _split_label(label)
    if parts is None:
        return label
    forms = [form for text in texts if text for form in _forms(parts[1], text)]
    if len({given[-1].casefold() for _, given, _ in forms}) != 1:
        return label
    honorific, given, surname = next((f for f in forms if f[0]), forms[0])
    honorific = honorific or parts[0]  # "Dr. Gonzalez:" keeps its "Dr." before "Maria Gonzalez"
    return " ".join(([honorific] if honorific else []) + given + [surname])


def names_person(text: str, person: str) -> bool:
    """Does text name the person: every word of the person's name, titles and degrees
    aside, among its words? "Ana Ruiz, MD" names "Dr. Ana Ruiz" and "Ruiz", not "Dr. Tom
    Ruiz"."""
    words = name_words(person)
    return bool(words) and words <= name_words(text)


def name_words(name: str) -> set[str]:
    """A name's words, case, titles (Dr., Prof.) and degrees (", MD") aside: how two
    writings of one name are compared ("DR. GRACE HOPPER", "Grace Hopper, MD")."""
    tokens = re.findall(r"[^\W\d_][\w'’-]*", _CREDENTIAL.sub("", name))
    return {t.casefold() for t in tokens if not _HONORIFIC.match(t)}


def title_name(title: str) -> str:
    """The person of a title such as "... an interview with Dr. Ahmed Patel" or "A
    Conversation With Prof. Ana de la Cruz, MD", or "" ("an interview with the editors")."""
    match = _TITLE_WITH.search(title or "")
    if not match:
        return ""
    words: list[str] = []
    for token in match["rest"].split():
        word = token.rstrip(",;:")
        if not words and _HONORIFIC.match(word):
            words.append(word)
        elif _name_word(word) or (words and word in _PARTICLES):
            words.append(word)
        else:
            break
        if word != token or len(words) == 5:
            break
    while words and words[-1] in _PARTICLES:
        words.pop()
    names = [w for w in words if not _HONORIFIC.match(w) and w not in _PARTICLES]
    enough = names and (len(names) >= 2 or _HONORIFIC.match(words[0]))
    outlet = any(_ORGANISATION.match(w) for w in names)
    return " ".join(words) if enough and not outlet else ""
