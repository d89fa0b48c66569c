"""qa-index: build, update, parse, search, stats and eval, thin over the indexer library."""

from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path

import click

from indexer import accounts
from indexer import evaluate as evaluation
from indexer import formats
from indexer import people
from indexer import store
from indexer.query import QueryError
from indexer.query import absent_notice
from indexer.search import AUTO
from indexer.search import MODES
from indexer.search import SORTS
from indexer.search import SearchIndex
from indexer.search import listing
from indexer.search import unknown_filter

DEFAULT_INDEX = "instance/index"
DEFAULT_CORPUS = "corpus"
PROGRESS_MIN_FILES = 10
PROGRESS_MIN_TEXTS = 500  # texts to embed before a progress bar is worth showing
MODE_CHOICE = click.Choice([AUTO, *MODES])


@click.group()
@click.option("--index", "index_dir", envvar="QA_INDEX_DIR", default=DEFAULT_INDEX,
              show_default=True, metavar="DIR", type=click.Path(file_okay=False),
              help="Index directory (else $QA_INDEX_DIR, else instance/index).")
@click.pass_context
def cli(ctx: click.Context, index_dir: str) -> None:
    """Index published interviews with clinicians and search their Q&A pairs."""
    ctx.obj = Path(index_dir)


def write_options(command):
    """The options and PATHS argument that build and update share, added to `command`."""
    command = click.option("--embeddings/--no-embeddings", default=None,
                           help="Write the question embeddings hybrid search needs (default: "
                                "when the semantic extra is installed, unless "
                                "QA_EMBEDDINGS=0).")(command)
    command = click.option("--strict", is_flag=True,
                           help="When any file has warnings, write nothing (the serving "
                                "index stays) and exit non-zero.")(command)
    command = click.option("--lock-timeout", type=float, default=store.DEFAULT_LOCK_TIMEOUT,
                           show_default=True, envvar="QA_LOCK_TIMEOUT",
                           help="Seconds to wait for another build or update.")(command)
    return click.argument("paths", nargs=-1, type=click.Path())(command)


@cli.command()
@write_options
@click.pass_obj
def build(index_dir: Path, paths: tuple[str, ...], strict: bool, lock_timeout: float,
          embeddings: bool | None) -> None:
    """Build a new index from PATHS (files or folders; default corpus/) and switch to it."""
    run_write(store.build, index_dir, paths, strict, lock_timeout, embeddings)


@cli.command()
@write_options
@click.pass_obj
def update(index_dir: Path, paths: tuple[str, ...], strict: bool, lock_timeout: float,
           embeddings: bool | None) -> None:
    """Index new, changed and removed files under PATHS (default corpus/) only."""
    run_write(store.update, index_dir, paths, strict, lock_timeout, embeddings)


def run_write(write, index_dir: Path, paths, strict: bool, lock_timeout: float,
              embeddings: bool | None) -> None:
    """Run `write` (store.build or store.update) with progress bars; print problems and summary."""
    paths = list(paths) or [DEFAULT_CORPUS]
    with Progress("Parsing", PROGRESS_MIN_FILES) as progress, \
            Progress("Embedding", PROGRESS_MIN_TEXTS) as embedding:
        try:
            report = write(index_dir, paths, progress=progress, lock_timeout=lock_timeout,
                           embeddings=embeddings, embed_progress=embedding, strict=strict)
        except store.StoreError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            raise click.ClickException(
                f"Could not write the index in {index_dir}: {exc}. "
                "The previous index (if any) keeps serving.") from exc
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.refused:
        raise click.ClickException(f"{len(report.problems)} problem(s) found; with --strict "
                                   "nothing was written, and the previous index (if any) "
                                   "keeps serving.")
    click.echo(summary(report))
    errors = [p for p in report.problems if p.severity == "error"]
    if errors and not report.pairs:
        raise click.ClickException("No pairs were indexed.")


def summary(report: store.WriteReport) -> str:
    """One line on what a build or update did: counts, changes, warnings, embeddings, time."""
    if report.unchanged:
        return (f"Index is up to date: {report.pairs} pairs from {report.interviews} "
                f"interviews in {report.files} files.")
    changes = ""
    if report.kind == "update":
        changes = (f" ({len(report.added)} added, {len(report.changed)} changed, "
                   f"{len(report.removed)} removed)")
    embedded = ""
    if report.embeddings:
        embedded = (f"; embeddings: {report.embeddings['embedded']} embedded, "
                    f"{report.embeddings['reused']} reused")
    return (f"{report.kind.capitalize()}: {report.pairs} pairs from {report.interviews} "
            f"interviews in {report.files} files{changes}, {len(report.problems)} "
            f"warning(s){embedded}, {report.seconds:.2f} s -> {report.build}")


class Progress:
    """A click progress bar (files parsed, texts embedded), shown once there are enough."""

    def __init__(self, label: str, least: int):
        self.label, self.least = label, least
        self.bar = None
        self.shown = 0

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int, name: str = "") -> None:
        if self.bar is None and total >= self.least:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON.")
def parse(file: str, as_json: bool) -> None:
    """Show what the parser finds in FILE, without indexing it; exit 1 when it finds no
    pairs (an error such as an unknown format or binary data, or a file without labels), as
    build does when nothing was indexed, so a script checking files before publishing can
    tell."""
    result = formats.parse_file(file)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    interviews = [i.to_dict() for i in result.interviews]
    if as_json:
        many = len(interviews) != 1 or Path(file).suffix.lower() in (".jsonl", ".json")
        click.echo(json.dumps(interviews if many else interviews[0], ensure_ascii=False,
                              indent=2))
    else:
        for interview in result.interviews:
            click.echo(describe(interview))
    if not result.pair_count:
        raise click.ClickException(f"{file}: nothing to index (no question/answer pairs).")


def describe(interview) -> str:
    """An interview's metadata and pairs as terminal text, long fields shortened."""
    lines = [f"Title:       {interview.title}", f"Interviewee: {interview.interviewee}",
             f"Interviewer: {interview.interviewer}", f"Date:        {interview.date}",
             f"Source:      {interview.source}",
             f"Format:      {interview.format} ({interview.method})",
             f"Summary:     {shorten(interview.summary, 200)}",
             *listed("Bio:         ", interview.bio.splitlines()),
             f"Pairs:       {len(interview.pairs)}"]
    for n, pair in enumerate(interview.pairs, 1):
        lines += [f"\n[{n}] Q: {pair.question}", f"    A: {shorten(pair.answer, 300)}"]
    return "\n".join(lines) + "\n"


def listed(label: str, items: list[str]) -> list[str]:
    """A field of several items (a bio holds one per line) one item per line, aligned under
    the first after `label`; each item shortened."""
    items = [shorten(item, 200) for item in items if item.strip()] or [""]
    return [label + items[0], *(" " * len(label) + item for item in items[1:])]


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at the last space within `limit` characters (marked " …")."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def open_index(index_dir: Path) -> SearchIndex:
    """The SearchIndex in `index_dir`, checked by opening it; ClickException if unusable."""
    index = SearchIndex(index_dir)
    try:
        index.snapshot()
    except store.StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    return index


@cli.command()
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option("--no-expand", is_flag=True, help="Do not add vocabulary synonyms.")
@click.option("--mode", type=MODE_CHOICE, default=AUTO, show_default=True,
              help="keyword, hybrid (keywords and meaning), or hybrid when it can run.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="relevance, or newest: the latest interviews first.")
@click.option("--interviewee", default="", help="Only this interviewee's answers (as listed).")
@click.option("--interview", default="", help="Only this interview (its id).")
@click.option("--year", default="", help="Only interviews of this year (YYYY).")
@click.pass_obj
def search(index_dir: Path, query: str, limit: int, as_json: bool, no_expand: bool,
           mode: str, sort: str, interviewee: str, interview: str, year: str) -> None:
    """Search the index for QUERY (keywords or a whole question)."""
    index = open_index(index_dir)
    filters = {name: value.strip() for name, value in (("interviewee", interviewee),
                                                       ("interview", interview), ("year", year))
               if value.strip()}
    snapshot = index.snapshot()
    meant = people.resolve_filter(filters, snapshot)  # as on the search page: "kenji ono"
    if meant:
        raise click.UsageError(people.unknown_interviewee(meant, interviewee.strip()))
    unknown = unknown_filter(filters, snapshot)
    if unknown:
        raise click.UsageError(unknown)
    try:
        results = index.search(query, per_page=limit, expand=not no_expand, mode=mode,
                               sort=sort, filters=filters)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from exc
    if not results.query and filters:  # the filters' pairs, as the search page lists them
        results = listing(index, results, snapshot)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in results.hits], ensure_ascii=False, indent=2))
        return
    if results.mode_note and mode != AUTO:
        click.echo(results.mode_note, err=True)
    skipped = [reading.word for reading in results.readings if reading.how == "skipped"]
    absent = [reading.word for reading in results.readings if reading.absent]
    click.echo(f"{results.total} pairs ({results.took_ms:.1f} ms, {results.mode})"
               + (f"; also searched: {', '.join(results.expansions)}" if results.expansions
                  else "")
               + (f"; did you mean: {results.suggestion}" if results.suggestion else "")
               + (f"; not searched: {', '.join(skipped)}" if skipped else "")
               + (f"; in no pair: {', '.join(absent)}" if absent else ""))
    if results.total and absent:
        click.echo(absent_notice(results.readings))
    for reading in results.readings:
        if reading.how == "prefix" and reading.kept < reading.found:
            click.echo(f'{reading.found} words of the index start with "{reading.word[:-1]}": '
                       f"{reading.word} searched the {reading.kept} commonest; type more "
                       "letters to narrow it")
        if reading.hint:
            click.echo(f'"{reading.word}" is a common word; for {reading.hint["means"]} search '
                       f'{reading.hint["word"]} in capitals: {reading.hint["query"]}')
    for rank, hit in enumerate(results.hits, 1):
        meant = " (found by meaning)" if hit.by_meaning else ""
        click.echo(f"\n{rank}. {heading(hit, scored=bool(results.query))}{meant}")
        click.echo(f"   Q: {plain(hit.question_html)}\n   A: {plain(hit.answer_html)}")
        if hit.also_in:
            click.echo(f"   Also published in: {'; '.join(map(elsewhere, hit.also_in))}")
    if results.closest:
        click.echo("\nClosest in meaning (not near enough to count as results):")
    for hit in results.closest:
        click.echo(f"- {heading(hit)}\n  Q: {plain(hit.question_html)}")


def heading(hit, scored: bool = True) -> str:
    """A hit's line in the terminal: score (not for a listing without a query), pair id,
    interview title, interviewee, date."""
    about = ", ".join(part for part in (hit.interviewee, hit.date) if part)
    return ((f"[{hit.score:.2f}] " if scored else "") + f"{hit.id} - {hit.title}"
            + (f" ({about})" if about else ""))


def elsewhere(copy) -> str:
    """Another copy of a result in the terminal: its interview's title, outlet and date, and
    its pair id (``qa-index`` has no pair command; the id is the pair's page address)."""
    about = ", ".join(part for part in (copy.outlet, copy.date) if part)
    return f"{copy.title or copy.interview_id}" + (f" ({about})" if about else "") + \
        f" [{copy.id}]"


def plain(html: str) -> str:
    """Highlighted HTML as terminal text: matches in [brackets]."""
    text = re.sub(r"<mark[^>]*>(.*?)</mark>", r"[\1]", html)
    return unescape(re.sub(r"<[^>]+>", "", text))


@cli.command()
@click.pass_obj
def stats(index_dir: Path) -> None:
    """Document and interview counts, index size and last build."""
    index = open_index(index_dir)
    info, modes = index.stats(), index.modes()
    hybrid = "yes" if modes["hybrid"] else f"no ({modes['reason']})"
    click.echo(f"Index:      {index_dir} ({info['build']})\nPairs:      {info['documents']}\n"
               f"Interviews: {info['interviews']}\n"
               f"Size:       {info['size_bytes'] / 1e6:.1f} MB\n"
               f"Last {info['kind']}: {info['built_at']}\n"
               f"Hybrid:     {hybrid}")
    if info["schema_note"]:
        click.echo(f"Note:       {info['schema_note']}")


@cli.command("eval")
@click.option("--questions", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--qrels", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--field", type=click.Choice(["summary", "message"]), default="summary",
              show_default=True, help="Which text of each question to search with.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--per-question", is_flag=True, help="Also print each question's figures.")
@click.option("--no-expand", is_flag=True, help="Do not add vocabulary synonyms.")
@click.option("--mode", type=click.Choice(MODES), default=None,
              help="keyword or hybrid [default: hybrid when the index can, else keyword].")
@click.option("--judged-only", is_flag=True,
              help="Score condensed lists: drop unjudged answers before cutting the top 10.")
@click.pass_obj
def eval_command(index_dir: Path, questions: str, qrels: str, field: str, as_json: bool,
                 per_question: bool, no_expand: bool, mode: str | None,
                 judged_only: bool) -> None:
    """Relevance of the current index on judged questions: nDCG@10, MAP@10, MRR@10,
    avgScore@1, P@1; and how much of the top 10 the judgments cover."""
    index = open_index(index_dir)
    modes = index.modes()
    mode = mode or modes["default"]
    if mode == "hybrid" and not modes["hybrid"]:
        raise click.ClickException(f"Hybrid mode cannot run on this index: {modes['reason']}")
    try:
        asked = evaluation.load_questions(questions, field)
        judged = evaluation.load_qrels(qrels)
    except ValueError as exc:
        raise click.ClickException(f"Cannot read the evaluation files: {exc}") from exc

    depth = 100 if judged_only else evaluation.DEPTH  # condensed lists are refilled from below

    def rank(text: str) -> list[str]:
        hits = index.search(text[:1000], per_page=depth, expand=not no_expand,
                            highlight=False, mode=mode).hits
        return [h.id for h in hits]

    report = evaluation.evaluate(asked, judged, rank, judged_only=judged_only)
    if not per_question:
        report.pop("per_question")
    if as_json:
        click.echo(json.dumps({"field": field, "mode": mode, "judged_only": judged_only,
                               **report}, indent=2))
        return
    lists = ", judged answers only" if judged_only else ""
    click.echo(f"{report['questions']} judged questions, field: {field}, mode: {mode}{lists}")
    for name, value in report["metrics"].items():
        click.echo(f"  {name:<11} {value:.4f}")
    click.echo("Judgment coverage of the ranking (an unjudged answer scores as incorrect):")
    for name, value in report["coverage"].items():
        click.echo(f"  {name:<11} {value:.4f}")
    for qid, figures in report.get("per_question", {}).items():
        names = evaluation.METRICS + evaluation.COVERAGE
        click.echo(f"{qid:<8} " + " ".join(f"{m}={figures[m]:.3f}" for m in names)
                   + f"  {figures['query'][:60]}")


@cli.group()
@click.option("--staff-file", envvar="QA_STAFF_FILE", default=accounts.DEFAULT_STAFF_FILE,
              show_default=True, type=click.Path(dir_okay=False),
              help="Staff accounts file the web app reads (else $QA_STAFF_FILE).")
@click.pass_context
def staff(ctx: click.Context, staff_file: str) -> None:
    """Staff accounts for the web app's /staff pages."""
    ctx.obj = Path(staff_file)


@staff.command("add")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Set a new password for an existing account.")
@click.password_option(help="The password (prompted for, hidden, with confirmation).")
@click.pass_obj
def staff_add(staff_file: Path, name: str, replace: bool, password: str) -> None:
    """Create the account NAME (or, with --replace, change its password)."""
    try:
        accounts.add(staff_file, name, password, replace=replace)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Saved account {name} in {staff_file}. Sign in at /staff/signin.")


@staff.command("list")
@click.pass_obj
def staff_list(staff_file: Path) -> None:
    """List account names."""
    try:
        names = accounts.names(staff_file)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("\n".join(names) if names else f"No accounts in {staff_file}. "
               "Run: qa-index staff add NAME")


@staff.command("remove")
@click.argument("name")
@click.pass_obj
def staff_remove(staff_file: Path, name: str) -> None:
    """Delete the account NAME (its open sessions end at their next request)."""
    try:
        accounts.remove(staff_file, name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Removed account {name}.")


def main() -> None:  # pragma: no cover - console script entry
    """Console-script entry point: run the qa-index command group."""
    cli()
