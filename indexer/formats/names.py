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
# words that speak of a person in a title ("Dr. Rachel Green answers ...", "Dr. Ana Ruiz on
# MDS"); in title case ("Answers Your Questions") they end the name all the same
_SPEAKING = ("answers", "discusses", "explains", "talks", "shares", "reflects", "weighs",
             "reviews", "describes", "outlines", "speaks", "on")
_NOT_NAMES = {"a", "an", "and", "the", "with", "of", "on", "in", "for", "to", "from", "by",
              "about", "at", "interview", "interviews", "conversation", "meet", "talks", "says",
              "why", "how", "what", "when", "who", "q&a", "exclusive", "video", "podcast",
              "questions", "answer", "ask", "expert", *_SPEAKING}
# words of an outlet, institution or group, not a person ("In conversation with Oncology
# Frontier", "Q&A With Cancer Survivors")
_ORGANISATION = re.compile(
    r"^(?:today|news|journal|oncology|frontier|weekly|daily|times|magazine|network|society|"
    r"institute|hospital|cent(?:er|re)|university|association|foundation|team|group|"
    r"editors?|staff|radio|tv|podcast|review|report|post|press|media|health|panel|clinic|"
    r"memorial|college|school|department|program(?:me)?|lab|laboratory|lecture|series|"
    r"award|symposium|conference|"
    r"patients|survivors|families|parents|caregivers|carers|nurses|doctors|physicians|"
    r"clinicians|experts|specialists|readers|listeners|researchers|scientists|students)$",
    re.IGNORECASE,
)
# Where a title names the person interviewed. A strong cue says an interview follows ("An
# interview with Maria Gomez", "Ask the expert: Ana Ruiz"): a full name or a title and
# surname will do. A weak one is a bare "with" ("Five questions on MDS with Dr. Sara Kim") or
# a name that speaks ("...: Dr. Rachel Green answers your questions", "Dr. Ana Ruiz on MDS"):
# there the name needs a title or degree and a given name ("Living with Dr. Google" is none).
_STRONG_CUES = (
    re.compile(r"\b(?:interview|conversation|chat|talk|q\s*(?:&|and)\s*a|discussion|question)s?"
               r"\s+with\s+", re.IGNORECASE),
    re.compile(r"\b(?:interview|in conversation|q\s*&\s*a|(?:ask|meet) the expert)"
               r"(?:\s*[:–—]|\s+-)\s*", re.IGNORECASE),
)
_WITH = re.compile(r"\bwith\s+", re.IGNORECASE)
# the start of a title or of a part after a colon, dash or bar, where a name may speak
_SUBJECT = re.compile(r"^\s*|[:|–—]\s*|\s-\s+")
_SPEAKS = re.compile(rf"^(?:{'|'.join(_SPEAKING)})\b", re.IGNORECASE)
MAX_NAME_WORDS = 5
MAX_GIVEN = 2  # given names walked back from a surname ("Maria Elena Gonzalez")


def _name_word(token: str) -> bool:
    """A capitalised word or initial that can be part of a name ("Sarah", "J.", "O'Neil"),
    not a possessive ("Green's tips")."""
    return bool(re.fullmatch(r"[^\W\d_][\w'’-]*\.?", token)) and token[0].isupper() \
        and token.lower() not in _NOT_NAMES and not token.endswith(("'s", "’s"))


def honorific(word: str) -> bool:
    """Whether a word is a title before a name (Dr, Prof., Professor, Mrs), in any case: one
    list of titles (:data:`HONORIFICS`) for names and queries alike."""
    return bool(_HONORIFIC.match(word))


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
    """The full name the texts give for a surname label ("Klein", "DR. NAIR"), or the label
    itself when they give none or several people of that surname ("Sarah Klein and Tom
    Klein"); a label in capitals as the texts write it ("PRIYA NAIR" -> "Priya Nair")."""
    label = _as_written(label, texts)
    parts = _split_label(label)
    if parts is None:
        return label
    forms = [form for text in texts if text for form in _forms(parts[1], text)]
    if len({given[-1].casefold() for _, given, _ in forms}) != 1:
        return label
    honorific, given, surname = next((f for f in forms if f[0]), forms[0])
    # "Dr. Gonzalez:" keeps its "Dr." before "Maria Gonzalez", and "DR. NAIR:" as "Dr."
    honorific = honorific or (parts[0].capitalize() if parts[0].isupper() else parts[0])
    return " ".join(([honorific] if honorific else []) + given + [surname])


def _as_written(label: str, texts: list[str]) -> str:
    """A label in capitals ("DR. NAIR", "PRIYA NAIR") as the texts write those words with
    capital initials ("Dr. Nair"): transcripts shout their speaker labels, while a name is
    stored as written. The label itself when the texts never write it so."""
    if not label.isupper():
        return label
    words = r"\s+".join(map(re.escape, label.split()))
    for text in texts:
        for match in re.finditer(rf"(?<![\w-]){words}(?![\w-])", text or "", re.IGNORECASE):
            found = match[0].split()
            if not match[0].isupper() and all(_name_word(w) or _HONORIFIC.match(w) for w in found):
                return " ".join(found)
    return label


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
    """The person a title names as interviewed ("... an interview with Dr. Ahmed Patel", "A
    Conversation With Prof. Ana de la Cruz, MD", "...: Dr. Rachel Green answers your
    questions", "Five questions on MDS with Dr. Sara Kim"), or "" ("an interview with the
    editors", "Living with Dr. Google")."""
    title = title or ""
    return (cue_name(title)
            or _first(_WITH, title, lambda name, _after: name)
            or _first(_SUBJECT, title, lambda name, after: name if _SPEAKS.match(after) else ""))


def cue_name(text: str) -> str:
    """The person after a strong cue in text ("An interview with Dr. Ama Owusu on ..."): an
    intro or a page description may name the interviewee so, as a title does."""
    return next((name for cue in _STRONG_CUES
                 if (name := _first(cue, text, lambda name, _after: name, strong=True))), "")


def _first(pattern: re.Pattern, text: str, check, strong: bool = False) -> str:
    """The first name that follows a match of pattern in text and passes check(name, the
    text after the name)."""
    for match in pattern.finditer(text):
        name, after = _leading_name(text[match.end():], strong)
        if name and check(name, after):
            return name
    return ""


def _leading_name(rest: str, strong: bool) -> tuple[str, str]:
    """(the name that opens rest, the text after it and its degrees), or ("", "") when
    rest opens with no person's name: "Dr. Sara Kim", "Ana Ruiz, MD, PhD"; with a strong cue
    also "Maria Gomez" or "Dr. Kim"."""
    words: list[str] = []
    end = 0
    for token in re.finditer(r"\S+", rest):
        word = token[0].rstrip(",;:")
        if not words and _HONORIFIC.match(word):
            words.append(word)
        elif _name_word(word) or (words and word in _PARTICLES):
            words.append(word)
        else:
            break
        end = token.start() + len(word)
        if word != token[0] or len(words) == MAX_NAME_WORDS:
            break
    while words and words[-1] in _PARTICLES:
        end = rest.rindex(words.pop(), 0, end)
    after, degree = _after_degrees(rest[end:])
    names = [w for w in words if not _HONORIFIC.match(w) and w not in _PARTICLES]
    titled = bool(names) and (degree or bool(_HONORIFIC.match(words[0])))
    enough = (titled or len(names) >= 2) if strong else (titled and len(names) >= 2)
    if not enough or any(_ORGANISATION.match(w) for w in names):
        return "", ""
    return " ".join(words), after


def _after_degrees(text: str) -> tuple[str, bool]:
    """The text after any degrees that open it (", MD, PhD, discusses" -> "discusses") and
    whether there were any."""
    rest = text
    while match := _CREDENTIAL.match(rest):
        rest = rest[match.end():]
    return rest.lstrip(" ,;:"), rest != text
