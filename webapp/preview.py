"""What staff see before publishing: every field and pair the parser found, and warnings.

Plain Python over a staged batch, the corpus folder and the serving index's manifest.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from indexer import corpus
from indexer import formats
from indexer import publish
from indexer.model import Interview
from webapp import uploads
from webapp.uploads import Batch
from webapp.uploads import Item

EDITABLE = ("title", "interviewee", "interviewer", "date")
LONG_ANSWER_WORDS = 1500
MAX_FIELD_CHARS = 300
NO_PAIRS = ("Nothing to publish: the parser found no question/answer pairs. Check that each "
            "question and answer starts with a speaker label (see the formats in the README).")
NO_JSON_PAIRS = ("Nothing to publish: no line holds a question/answer pair. Each line must be "
                 'a JSON object with non-empty "question" and "answer" strings (the warnings '
                 "name the lines skipped).")


def batch_context(batch: Batch, corpus_dir: Path, manifest: dict) -> dict:
    """The preview page and its JSON twin: every staged file of the upload."""
    return {"token": batch.token, "staff": batch.staff,
            "items": [item_context(batch, item, corpus_dir, manifest) for item in batch.items]}


def item_context(batch: Batch, item: Item, corpus_dir: Path, manifest: dict) -> dict:
    """One staged file: what was found, the warnings, whether and how it can be published."""
    context = {"n": item.n, "original": item.original, "name": item.name, "size": item.size,
               "error": item.error, "replaces": item.replaces, "published": item.published,
               "interviews": [], "warnings": [], "publishable": False, "exists": False}
    if item.error:
        return context
    result = uploads.parse(batch, item)
    interviews = [interview_dict(i) for i in result.interviews]
    context.update(interviews=interviews,
                   editable=len(interviews) == 1 and bool(result.pair_count),
                   fields={k: interviews[0][k] for k in EDITABLE} if interviews else {},
                   format=result.interviews[0].format if result.interviews else "",
                   method=result.interviews[0].method if result.interviews else "",
                   exists=(Path(corpus_dir) / item.name).exists(),
                   pairs=result.pair_count)
    context["warnings"] = ([problem_text(p) for p in result.problems]
                           + long_answers(result.interviews)
                           + undated(result.interviews)
                           + unnamed(result.interviews)
                           + duplicates(batch, item, result.interviews, corpus_dir, manifest)
                           + addresses(item, result.interviews, corpus_dir, manifest))
    if not result.pair_count:
        context["error"] = NO_JSON_PAIRS if result.format == "jsonl" else NO_PAIRS
    context["publishable"] = bool(result.pair_count) and not item.published
    return context


def interview_dict(interview: Interview) -> dict:
    """An interview for the preview: metadata and numbered pairs with their word counts."""
    record = interview.to_dict()
    record["pairs"] = [{"n": n, "question": p.question, "answer": p.answer,
                        "words": len(p.answer.split())}
                       for n, p in enumerate(interview.pairs, 1)]
    return record


def problem_text(problem) -> str:
    """A parse problem without the (temporary) file name."""
    where = f"line {problem.line}: " if problem.line else ""
    return f"{problem.severity.capitalize()}: {where}{problem.message}"


def long_answers(interviews: list[Interview]) -> list[str]:
    """A warning per very long answer (often a speaker label the parser missed)."""
    warnings = []
    for interview in interviews:
        for n, pair in enumerate(interview.pairs, 1):
            words = len(pair.answer.split())
            if words > LONG_ANSWER_WORDS:
                warnings.append(f"Answer {n} is very long ({words:,} words): check that the "
                                "parser did not miss a question inside it.")
    return warnings


def undated(interviews: list[Interview]) -> list[str]:
    """A warning when interviews have no date: sorted by newest they come last, and no year
    filter finds them."""
    return lacking(interviews, "date",
                   "No date found: add one with the corrections (YYYY-MM-DD). Without it the "
                   "interview comes last when clinicians sort by newest, and no year filter "
                   "finds it.",
                   "have no date: sorted by newest they come last, and no year filter finds "
                   "them.")


def unnamed(interviews: list[Interview]) -> list[str]:
    """A warning when interviews name no interviewee: the Interviewee filter cannot find
    them and "Cite this answer" says "Unnamed interviewee"."""
    return lacking(interviews, "interviewee",
                   "No interviewee found: add one with the corrections. Without it the "
                   "Interviewee filter does not list the interview, and citations say "
                   "\u201cUnnamed interviewee\u201d.",
                   "name no interviewee: the Interviewee filter does not list them.")


def lacking(interviews: list[Interview], name: str, one: str, several: str) -> list[str]:
    """The warning `one` when the file's interview lacks the field `name`; "N of M
    interviews" and `several` when some of a file's interviews do; none for a file without
    pairs (refused anyway)."""
    missing = sum(1 for interview in interviews if not getattr(interview, name))
    if not missing or not any(interview.pairs for interview in interviews):
        return []
    if len(interviews) == 1:
        return [one]
    return [f"{missing:,} of {len(interviews):,} interviews {several}"]


def duplicates(batch: Batch, item: Item, interviews: list[Interview], corpus_dir: Path,
               manifest: dict) -> list[str]:
    """Warnings when the file repeats one already in the corpus or in the index."""
    warnings = [f"Same content as {name}, already in the corpus."
                for name in uploads.same_content(batch.path(item), Path(corpus_dir))]
    if (Path(corpus_dir) / item.name).exists() and item.replaces != item.name:
        warnings.append(f"A file named {item.name} is already in the corpus: publishing "
                        "needs \u201creplace\u201d (the old version goes to the archive).")
    seen = {(r.get("title", "").casefold(), r.get("interviewee", "").casefold()): r
            for r in manifest.get("interviews", {}).values()}
    for interview in interviews:
        record = seen.get((interview.title.casefold(), interview.interviewee.casefold()))
        if record and interview.title and Path(record.get("file", "")).name != item.replaces:
            warnings.append(f"Looks like a duplicate of the published interview "
                            f"\u201c{record.get('title')}\u201d ({Path(record['file']).name}).")
    return warnings


def addresses(item: Item, interviews: list[Interview], corpus_dir: Path,
              manifest: dict) -> list[str]:
    """A note per interview (three at most) whose address, made from the file name, is
    another interview's, published or withdrawn: the address it will have instead."""
    path = Path(corpus_dir) / item.name
    if item.replaces or path.exists():  # a replacement keeps the address of what it replaces
        return []
    published = corpus.dict_of(manifest, "interviews")
    withdrawn = corpus.dict_of(manifest, "retired")
    bases = [corpus.interview_slug(path, interview) for interview in interviews]
    if not any(base in published or base in withdrawn for base in bases):
        return []
    notes = []
    ids = corpus.new_file_ids(manifest, path, interviews)
    for base, interview_id in zip(bases, ids, strict=True):
        holder = published.get(base) or withdrawn.get(base)
        if interview_id == base or not isinstance(holder, dict):
            continue
        whose = (f"is the address of the published interview \u201c{holder.get('title')}\u201d"
                 if base in published else "stays with a withdrawn interview")
        notes.append(f"/interview/{base} {whose} ({Path(str(holder.get('file'))).name}): "
                     f"this one will be /interview/{interview_id} if published now.")
    return notes[:3]


def corrections(form: dict[str, str], current: dict[str, str]) -> tuple[dict[str, str],
                                                                        list[str]]:
    """Staff corrections from a form, cleaned: (values, error messages).

    A date is checked only when it was changed, so a parsed date in another form can stay.
    """
    values, errors = {}, []
    for name in EDITABLE:
        value = re.sub(r"[\x00-\x1f\x7f]+", " ", form.get(name, "")).strip()
        if len(value) > MAX_FIELD_CHARS:
            errors.append(f"The {name} is longer than {MAX_FIELD_CHARS} characters.")
        values[name] = value[:MAX_FIELD_CHARS]
    if values["date"] and values["date"] != current.get("date") and not iso_date(values["date"]):
        errors.append("Write the date as YYYY-MM-DD, e.g. 2024-03-05, or leave it empty.")
    return values, errors


def iso_date(value: str) -> bool:
    """Whether `value` is a real YYYY-MM-DD date."""
    try:
        return len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def current_fields(interviews: list[Interview]) -> dict[str, str]:
    """The editable fields as the preview shows them now (`interviews`: the staged file's,
    corrections included)."""
    return {k: getattr(interviews[0], k) for k in EDITABLE} if interviews else {}


def corrections_refused(item: Item, interviews: list[Interview]) -> str:
    """Why a file takes no corrections, or "": in a file of several interviews they would
    be set on every one (the preview hides the form; this answers a POST made without it)."""
    count = len(interviews)
    if count < 2:
        return ""
    return (f"Nothing saved or published: {item.original} holds {count} interviews, and "
            "corrections here would be set on every one of them. Correct each interview's "
            "details in the file itself and upload it again.")


def save_corrections(batch: Batch, item: Item, values: dict[str, str]) -> None:
    """Keep the fields that differ from what the parser found as the staged NAME.meta.json."""
    path = batch.path(item)
    parsed = formats.parse_file(path, item.name).interviews
    found = parsed[0].to_dict() if parsed else {}
    publish.write_overrides(path, {k: v for k, v in values.items() if v != found.get(k, "")})
