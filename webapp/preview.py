"""What staff see before publishing: every field and pair the parser found, and warnings;
the correction form's rules, also for a published file (Edit details on the Status page).

Plain Python over a staged batch, the corpus folder and the serving index's manifest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from indexer import corpus
from indexer import formats
from indexer import publish
from indexer.formats.meta import other_reading
from indexer.formats.meta import parse_date
from indexer.formats.meta import title_from_filename
from indexer.formats.meta import unread_date
from indexer.model import Interview
from indexer.model import ParseProblem
from indexer.model import ParseResult
from webapp import uploads
from webapp.uploads import Batch
from webapp.uploads import Item

EDITABLE = ("title", "interviewee", "interviewer", "date")
CLEARABLE = ("interviewee", "interviewer", "date")  # "No ..." removes what the parser found
LABELS = {"title": "Title", "interviewee": "Interviewee", "interviewer": "Interviewer or outlet",
          "date": "Date"}  # the form's labels, also naming a field in its error
LONG_ANSWER_WORDS = 1500
MAX_FIELD_CHARS = 300
NO_PAIRS = ("Nothing to publish in {name}: the parser found no question/answer pairs. Check "
            "that each question and answer starts with a speaker label, such as \u201cQ:\u201d "
            "and \u201cA:\u201d, or \u201cInterviewer:\u201d and the interviewee\u2019s name.")
NO_JSON_PAIRS = ("Nothing to publish in {name}: no line holds a question/answer pair. Each line "
                 'must be a JSON object with non-empty "question" and "answer" strings (the '
                 "warnings name the lines skipped).")


def batch_context(batch: Batch, corpus_dir: Path, manifest: dict) -> dict:
    """The preview page and its JSON twin: every staged file of the upload."""
    return {"token": batch.token, "staff": batch.staff,
            "items": [item_context(batch, item, corpus_dir, manifest) for item in batch.items]}


def item_context(batch: Batch, item: Item, corpus_dir: Path, manifest: dict) -> dict:
    """One staged file: what was found, the warnings, whether and how it can be published.

    A published file is shown as published: compared with the corpus it now is in, it
    would only be warned about itself."""
    context = {"n": item.n, "original": item.original, "name": item.name, "size": item.size,
               "error": item.error, "replaces": item.replaces, "published": item.published,
               "interviews": [], "warnings": [], "publishable": False, "exists": False,
               "kept": ""}
    if item.error:
        return context
    result = uploads.parse(batch, item)
    interviews = [interview_dict(i) for i in result.interviews]
    context.update(interviews=interviews,
                   editable=len(interviews) == 1 and bool(result.pair_count),
                   fields={k: interviews[0][k] for k in EDITABLE} if interviews else {},
                   cleared=cleared(batch.path(item)),
                   format=result.interviews[0].format if result.interviews else "",
                   method=result.interviews[0].method if result.interviews else "",
                   pairs=result.pair_count)
    if item.published:
        return context
    same = uploads.same_content(batch.path(item), Path(corpus_dir))
    copies = copies_of(item, same)
    context.update(exists=(Path(corpus_dir) / item.name).exists(),
                   kept=kept_note(batch, item, result.interviews))
    if context["exists"] or item.replaces:
        context["addresses"] = replaced_addresses(batch, item, result, interviews, corpus_dir,
                                                  manifest)
    context["warnings"] = ([problem_text(p) for p in result.problems]
                           + long_answers(result.interviews)
                           + details_missing(interviews, item.name)
                           + duplicates(item, result.interviews, corpus_dir, manifest, same,
                                        copies)
                           + addresses(item, result.interviews, corpus_dir, manifest))
    if not result.pair_count:
        context["error"] = (NO_JSON_PAIRS if result.format == "jsonl" else NO_PAIRS).format(
            name=item.original)
    elif copies:
        context["error"] = copy_refused(item, copies[0])
    context["publishable"] = not context["error"]
    context["editable"] = context["editable"] and context["publishable"]  # refused: no form
    return context


def interview_dict(interview: Interview) -> dict:
    """An interview for the preview: metadata and numbered pairs with their word counts."""
    record = interview.to_dict()
    record["pairs"] = [{"n": n, "question": p.question, "answer": p.answer,
                        "words": len(p.answer.split())}
                       for n, p in enumerate(interview.pairs, 1)]
    record["pair_count"] = len(record["pairs"])
    return record


def problem_text(problem: ParseProblem) -> str:
    """A parse problem without the (temporary) file name."""
    where = f"line {problem.line}: " if problem.line else ""
    return f"{problem.severity.capitalize()}: {where}{problem.message}"


def stored_problem_text(stored: str, display: str) -> str:
    """A parse problem as an index write recorded it ("warning: corpus/x.txt:3: ...", see
    ParseProblem.__str__) in the words of problem_text."""
    match = re.fullmatch(rf"(\w+): {re.escape(display)}(?::(\d+))?: (.*)", stored, re.DOTALL)
    if not match:
        return stored
    severity, line, message = match.groups()
    return problem_text(ParseProblem(display, message, int(line) if line else None, severity))


def details_missing(interviews: list[dict], name: str = "") -> list[str]:
    """The warnings about a file's interviews (as interview_dict or the index's manifest
    holds them) that lack details clinicians filter and cite by: the preview's and the
    Status page's. `name` is the file's, for interviews that do not say it (the preview's)."""
    return undated(interviews) + unnamed(interviews) + untitled(interviews, name)


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


def undated(interviews: list[dict]) -> list[str]:
    """A warning when interviews have no date: sorted by newest they come last, and no year
    filter finds them."""
    return lacking(interviews, lambda interview: not interview.get("date"),
                   "No date found: add one with the corrections (YYYY-MM-DD). Without it the "
                   "interview comes last when clinicians sort by newest, and no year filter "
                   "finds it.",
                   "have no date: sorted by newest they come last, and no year filter finds "
                   "them.")


def unnamed(interviews: list[dict]) -> list[str]:
    """A warning when interviews name no interviewee: the Interviewee filter cannot find
    them and "Cite this answer" says "Unnamed interviewee"."""
    return lacking(interviews, lambda interview: not interview.get("interviewee"),
                   "No interviewee found: add one with the corrections. Without it the "
                   "Interviewee filter does not list the interview, and citations say "
                   "\u201cUnnamed interviewee\u201d.",
                   "name no interviewee: the Interviewee filter does not list them.")


def untitled(interviews: list[dict], name: str) -> list[str]:
    """A warning when interviews are titled after their file (named `name`, unless they say
    it), which held no title: clinicians see a file name in results, lists and citations."""
    def made(interview: dict) -> bool:
        return interview.get("title") == title_from_filename(interview.get("file") or name)

    one = next((i["title"] for i in interviews if made(i)), "")
    return lacking(interviews, made,
                   f"No title found: the title was made from the file name (\u201c{one}\u201d). "
                   "Add one with the corrections: clinicians see it in results, in the "
                   "interview list and in citations.",
                   f"have no title: they are titled after the file name (\u201c{one}\u201d).")


def lacking(interviews: list[dict], lacks: Callable[[dict], bool], one: str,
            several: str) -> list[str]:
    """The warning `one` when the file's interview `lacks` a detail; "N of M interviews"
    and `several` when some of a file's interviews do; none for a file without pairs
    (refused anyway)."""
    missing = sum(1 for interview in interviews if lacks(interview))
    if not missing or not any(interview.get("pair_count") for interview in interviews):
        return []
    if len(interviews) == 1:
        return [one]
    return [f"{missing:,} of {len(interviews):,} interviews {several}"]


def duplicates(item: Item, interviews: list[Interview], corpus_dir: Path, manifest: dict,
               same: list[str], copies: list[str]) -> list[str]:
    """Warnings when the file repeats one already in the corpus (`same`: the corpus files with
    its bytes, but the `copies` among them, which are refused instead) or in the index."""
    warnings = [same_content(name) for name in same if name not in copies]
    if (Path(corpus_dir) / item.name).exists() and item.replaces != item.name:
        warnings.append(f"A file named {item.name} is already in the corpus: publishing "
                        "needs \u201creplace\u201d (the old version goes to the archive).")
    seen = {}
    for record in corpus.dict_of(manifest, "interviews").values():
        if shared := same_interview(record):
            seen.setdefault(shared, record)
    found = []
    for interview in interviews:
        record = seen.get(same_interview(interview.to_dict()) or ())
        if record and Path(record.get("file", "")).name != item.replaces:
            found.append((record.get("title", ""), Path(record["file"]).name))
    return warnings + looks_like(found)


def same_content(name: str) -> str:
    """The warning about a corpus file `name` with the very bytes of the file warned about."""
    return f"Same content as {name}, already in the corpus."


def same_interview(record: dict) -> tuple[str, str] | None:
    """What two interviews (as interview_dict or the index's manifest holds them) that look
    like one share: title and interviewee, case aside; None without a title (nothing to
    tell by)."""
    title = (record.get("title") or "").casefold()
    return (title, (record.get("interviewee") or "").casefold()) if title else None


def looks_like(found: list[tuple[str, str]]) -> list[str]:
    """The warnings about the interviews of a file that look like published ones (see
    same_interview; `found`: their titles and files): one per interview, or one per file
    when more than three look like that file's."""
    by_file: dict[str, list[str]] = {}
    for title, name in found:
        by_file.setdefault(name, []).append(title)
    warnings = []
    for name, titles in by_file.items():
        if len(titles) <= 3:
            warnings += [f"Looks like a duplicate of the published interview \u201c{title}\u201d "
                         f"({name})." for title in titles]
            continue
        shown = sorted(titles)[:3]
        warnings.append(f"{len(titles):,} of its interviews look like duplicates of published "
                        f"interviews in {name} (such as \u201c{shown[0]}\u201d, "
                        f"\u201c{shown[1]}\u201d and \u201c{shown[2]}\u201d).")
    return warnings


def corpus_duplicates(manifest: dict, root: Path) -> dict[str, list[str]]:
    """The warnings of the preview's duplicates for the files the index holds (by key), each
    told of the others: those with the same content (as indexed, corrections included) and
    those whose interviews look like another file's (same_interview). One pass over the
    manifest, for the Status page."""
    files = corpus.dict_of(manifest, "files")
    named = {key: corpus_name(key, root) for key in files}
    by_hash: dict[str, list[str]] = {}
    for key, entry in files.items():
        by_hash.setdefault(entry.get("sha256", ""), []).append(key)
    warnings = {key: [same_content(named[other]) for other in by_hash[entry.get("sha256", "")]
                      if other != key]
                for key, entry in files.items()}
    alike: dict[tuple[str, str], list[dict]] = {}
    for record in corpus.dict_of(manifest, "interviews").values():
        if (shared := same_interview(record)) and record.get("file") in named:
            alike.setdefault(shared, []).append(record)
    found: dict[str, list[tuple[str, str]]] = {}
    for records in alike.values():
        for record in records:
            found.setdefault(record["file"], []).extend(
                (other.get("title", ""), named[other["file"]]) for other in records
                if other["file"] != record["file"])
    for key, matches in found.items():
        warnings[key] += looks_like(matches)
    return {key: told for key, told in warnings.items() if told}


def corpus_name(key: str, root: Path) -> str:
    """A file key of the index (its absolute path) as the corpus names it."""
    path = Path(key)
    return path.relative_to(root).as_posix() if root in path.parents else path.name


def copies_of(item: Item, same: list[str]) -> list[str]:
    """The corpus files with exactly the staged file's bytes (`same`) that publishing would
    keep beside it: all but the file it replaces (named when staged, or the one of its own
    name, which it can only replace).

    Such a copy is refused rather than published after a confirmation: two files with the
    same bytes hold the same pairs, so every answer of the interview would show twice in
    search and count twice in the filters, and nothing would be gained; a new name for the
    same content is what Replace (from the Status page) is for, and keeps the interview's
    address."""
    return [name for name in same if name not in (item.replaces, item.name)]


def copy_refused(item: Item, copy: str) -> str:
    """Why a byte-for-byte copy of the corpus file `copy` is not published (see copies_of)."""
    return (f"{item.original} has the same content as {copy}, already in the corpus: "
            "published too, every one of its answers would show twice in search. To publish "
            f"it under this name, replace {copy} with it (Status \u2192 Replace).")


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


def replaced_addresses(batch: Batch, item: Item, result: ParseResult, interviews: list[dict],
                       corpus_dir: Path, manifest: dict) -> dict | None:
    """What replacing a corpus file with the staged one does to the addresses clinicians may
    have cited, as the update will give them (corpus.replacement_ids): each pair of
    `interviews` (interview_dict) gets its `address` and whether it is `kept`; the summary
    holds the file `replaced`, the interviews' addresses (`interviews`: id and whether
    kept), the counts kept and new, and the pairs whose addresses will answer 410 (`gone`:
    id and the question they held). None when the replaced file is not indexed."""
    replaced = publish.corpus_path(corpus_dir, item.replaces or item.name)
    old = corpus.dict_of(manifest, "files").get(str(replaced.resolve()))
    if not isinstance(old, dict):
        return None
    target = Path(corpus_dir) / item.name
    source = corpus.source_file(batch.path(item), [])
    if source is None:
        return None
    source = replace(source, key=str(target.resolve()), path=target, found_at=[])
    planned = corpus.replacement_ids(manifest, source, result, str(replaced.resolve()))
    records = corpus.dict_of(manifest, "interviews")
    before = [pair_id for i in old.get("interviews", []) for pair_id in
              (records.get(i) or {}).get("pair_ids", [])]
    for interview, (interview_id, pair_ids) in zip(interviews, planned.items(), strict=True):
        interview["address"] = interview_id
        for pair, pair_id in zip(interview["pairs"], pair_ids, strict=True):
            pair.update(address=pair_id, kept=pair_id in before)
    now = {pair_id for pair_ids in planned.values() for pair_id in pair_ids}
    questions = old_questions(replaced, old, records)
    gone = [{"id": pair_id, "question": questions.get(pair_id, "")}
            for pair_id in before if pair_id not in now]
    return {"replaced": item.replaces or item.name,
            "interviews": [{"id": i, "kept": i in old.get("interviews", [])} for i in planned],
            "kept": len(now & set(before)), "new": len(now - set(before)), "gone": gone}


def old_questions(path: Path, entry: dict, records: dict) -> dict[str, str]:
    """The questions of an indexed corpus file by pair id, as the file reads now (none when
    it no longer has the pairs the index holds of it)."""
    parsed = uploads.read(path, path.name).interviews
    ids = [(records.get(i) or {}).get("pair_ids", []) for i in entry.get("interviews", [])]
    if [len(i.pairs) for i in parsed] != [len(pair_ids) for pair_ids in ids]:
        return {}
    return {pair_id: pair.question for interview, pair_ids in zip(parsed, ids, strict=True)
            for pair, pair_id in zip(interview.pairs, pair_ids, strict=True)}


def corrections(form, original: str,
                shown: dict[str, str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """Staff corrections to the file `original` from a form, cleaned: (values, errors by
    field, each naming the file and the field). A field whose "No ..." box is ticked is None
    (stored as null: no value, whatever the parser found), unless something other than the
    value the form showed (`shown`: what the file holds now) is typed beside it: the box and
    the name contradict each other, and keeping either would drop the other silently. A date
    is read as a NAME.meta.json's is (parse_date: "2024-03-05", "5 March 2024") and kept as
    YYYY-MM-DD."""
    values, errors = {}, {}
    for name in EDITABLE:
        value = re.sub(r"[\x00-\x1f\x7f]+", " ", form.get(name, "")).strip()
        if name in CLEARABLE and form.get(f"none_{name}"):
            values[name] = None
            if value and value != (shown.get(name) or ""):
                errors[name] = contradiction(name, value)
            continue
        if len(value) > MAX_FIELD_CHARS:
            errors[name] = f"it is longer than {MAX_FIELD_CHARS} characters"
        values[name] = value[:MAX_FIELD_CHARS]
    if values["date"]:
        values["date"], why = typed_date(values["date"])
        if why:
            errors["date"] = why
    return values, {name: f"{LABELS[name]} of {original}: {why[0].upper()}{why[1:]}."
                    for name, why in errors.items()}


def contradiction(name: str, value: str) -> str:
    """Why a value typed beside its ticked "No ..." box is refused (see corrections)."""
    none = f"no {LABELS[name].lower()}"
    return (f"you typed \u201c{value}\u201d and ticked \u201c{none.capitalize()}\u201d: clear "
            f"the field for {none}, or untick the box to keep the "
            f"{'date' if name == 'date' else 'name'}")


def typed(form) -> dict:
    """What a refused form keeps showing: the text `typed` and the "No ..." boxes ticked."""
    return {"typed": {name: form.get(name, "") for name in EDITABLE},
            "cleared": [name for name in CLEARABLE if form.get(f"none_{name}")]}


def refusal_summary(original: str, errors: dict[str, str], publishing: bool) -> str:
    """The alert above a form whose corrections were refused: the file, what did not happen,
    the fields to correct."""
    names = [LABELS[name].split()[0].lower() for name in EDITABLE if name in errors]
    fields = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
    undone = "saved or published" if publishing else "saved"
    return (f"Nothing {undone} for {original}: correct the {fields} below (what you typed is "
            "kept) and try again.")


def typed_date(value: str) -> tuple[str, str]:
    """A date typed in the form as YYYY-MM-DD, and "" (or "" and why it is refused).

    The form reads what a NAME.meta.json may hold, with one difference: a numeric date that
    reads both ways (05/01/2024) is refused with both readings rather than read month first
    with a warning, since the person who typed it is there to say which was meant."""
    iso = parse_date(value)
    if not iso:
        return "", unread_date(value)
    if other := other_reading(value):
        return "", f"{value!r} could be {iso} or {other}: write the one meant as YYYY-MM-DD"
    return iso, ""


def corrections_refused(original: str, interviews: list[Interview]) -> str:
    """Why a file takes no corrections, or "": in a file of several interviews they would
    be set on every one (the preview hides the form; this answers a POST made without it)."""
    count = len(interviews)
    if count < 2:
        return ""
    return (f"Nothing saved or published: {original} holds {count} interviews, and "
            "corrections here would be set on every one of them. Correct each interview's "
            "details in the file itself and upload it again.")


def details_refused(original: str, result: ParseResult) -> str:
    """Why a corpus file takes no corrections (Edit details), or "": it holds several
    interviews (see corrections_refused), or no pairs."""
    if refused := corrections_refused(original, result.interviews):
        return refused
    if not result.pair_count:
        return (f"Nothing to correct in {original}: the parser found no question/answer pairs "
                "in it (its warnings on the Status page say why).")
    return ""


def save_corrections(batch: Batch, item: Item, values: dict[str, str | None]) -> None:
    """Keep the corrections as the staged NAME.meta.json (see corrected)."""
    path = batch.path(item)
    publish.write_overrides(path, corrected(path, item.name, values))


def corrected(path: Path, name: str, values: dict[str, str | None]) -> dict[str, str | None]:
    """The NAME.meta.json the form's `values` make for the file at `path` (named `name`): the
    fields that differ from what the parser finds in it, with the corrections the form has
    no field for (a source)."""
    hidden = {k: v for k, v in publish.read_overrides(path).items() if k not in EDITABLE}
    return {**hidden, **changed(formats.parse_file(path, name).interviews, values)}


def changed(parsed: list[Interview], values: dict[str, str | None]) -> dict[str, str | None]:
    """The `values` that differ from what the parser finds in a file (its interviews,
    `parsed`): a value typed, or None (no value) where the parser found one."""
    found = parsed[0].to_dict() if parsed else {}
    return {k: v for k, v in values.items() if (v or "") != found.get(k, "")}


def cleared(path: Path) -> list[str]:
    """The fields the NAME.meta.json beside `path` sets to no value (their "No ..." ticked)."""
    return [k for k, v in publish.read_overrides(path).items() if v is None]


# --- a replacement keeps the corrections of the file it replaces -----------------------


def keep_corrections(batch: Batch, item: Item, corpus_dir: Path) -> None:
    """Carry the corrections of the corpus file the staged one replaces (named when staged,
    or the file of its own name, which it can only replace) over to it.

    Staff corrected that file because its text lacks something (an interviewee, a date); the
    new version usually lacks it too, and dropping the corrections silently would publish
    it as "Unnamed interviewee". The preview prefills them and says so (kept_note); editing
    a field drops its correction. A file of several interviews takes none (they would be set
    on every one): the note says they go."""
    old = item.replaces or item.name
    if item.error or not (Path(corpus_dir) / old).is_file():
        return
    values = publish.read_overrides(Path(corpus_dir) / old)
    if not values:
        return
    if values.get("date"):
        values["date"] = parse_date(values["date"]) or values["date"]
    path = batch.path(item)
    parsed = formats.parse_file(path, item.name).interviews
    item.kept = changed(parsed, values)
    if item.kept:
        item.kept_from = old
        if len(parsed) == 1:
            publish.write_overrides(path, item.kept)


def kept_note(batch: Batch, item: Item, interviews: list[Interview]) -> str:
    """What the preview says of the corrections kept from the replaced file: those still
    staged, or that none could be kept in a file of several interviews; "" without any."""
    if len(interviews) > 1 and item.kept:
        return (f"The corrections of {item.kept_from} ({listed(item.kept)}) are not kept: "
                f"this file holds {len(interviews)} interviews, and they would be set on "
                "every one of them. Correct each interview's details in the file itself.")
    staged = publish.read_overrides(batch.path(item))
    kept = {k: v for k, v in item.kept.items() if k in staged and staged[k] == v}
    if not kept:
        return ""
    return (f"Corrections kept from the replaced file {item.kept_from}: {listed(kept)}. They "
            "are published with this version; to drop one, clear or change its field below "
            "(or untick its \u201cNo \u2026\u201d box) and save (a cleared field shows what the "
            "parser found).")


def listed(values: dict[str, str | None]) -> str:
    """Override fields for a sentence: 'interviewee \u201cDr. Rachel Green\u201d, no date'."""
    return ", ".join(f"{name} \u201c{value}\u201d" if value is not None else f"no {name}"
                     for name, value in values.items())
