"""The index on disk: build, atomic switch, incremental update, the writer lock, bad input."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import write_interview

from indexer import corpus
from indexer import store
from indexer.search import SearchIndex

PAIRS_A = [("What is CD7 CAR-T therapy?", "CD7 CAR-T cells target T-cell ALL blasts."),
           ("How is BCMA used?", "BCMA is a target in multiple myeloma.")]
PAIRS_B = [("What about ferritin?", "Serum ferritin reflects iron overload."),
           ("And hepcidin?", "Hepcidin regulates iron absorption.")]


def ids(index: SearchIndex, text: str) -> list[str]:
    return [h.id for h in index.search(text).hits]


def test_build_indexes_every_pair_with_stable_ids(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    write_interview(corpus_dir, "beta.txt", PAIRS_B, interviewee="Dr. Bea Smith")
    report = store.build(tmp_path / "ix", [corpus_dir])
    assert (report.files, report.interviews, report.pairs) == (2, 2, 4)
    index = SearchIndex(tmp_path / "ix")
    assert ids(index, "hepcidin") == ["beta-2"]
    again = store.build(tmp_path / "ix", [corpus_dir])
    assert again.build != report.build
    assert ids(index, "hepcidin") == ["beta-2"]  # same id after a rebuild, new build picked up


def test_pair_ids_stay_unique_when_a_file_gives_the_id_another_would_take(corpus_dir, tmp_path):
    # the JSON Lines file names its pair "notes-1", the id notes.txt's first pair would get
    (corpus_dir / "a.jsonl").write_text(json.dumps(
        {"id": "notes-1", "title": "Given ids", "question": "What is ferritin?",
         "answer": "Ferritin stores iron."}) + "\n", encoding="utf-8")
    write_interview(corpus_dir, "notes.txt", [("What is hepcidin?", "Hepcidin regulates iron.")])
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    index = SearchIndex(tmp_path / "ix")
    assert ids(index, "ferritin") == ["notes-1"]
    taken = ids(index, "hepcidin")
    assert len(taken) == 1 and taken != ["notes-1"]
    assert index.pair(taken[0])["question"] == "What is hepcidin?"


# --- ids across updates and builds ------------------------------------------------------

PAIR_C = ("What is CD22?", "CD22 is another B-cell marker.")


def ids_by_file(index_dir: Path, root: Path) -> dict[str, list[str]]:
    """{file under root (and interview key): [interview id, pair ids...]} of the serving build."""
    interviews = store.read_manifest(index_dir)["interviews"].values()
    return {f"{Path(r['file']).relative_to(root.resolve())} {r['key']}".strip():
            [r["id"], *r["pair_ids"]] for r in interviews}


def in_folders(corpus_dir: Path, *files: tuple[str, list]) -> None:
    """Write interview files given as (path under corpus_dir, pairs), making their folders."""
    for name, pairs in files:
        path = corpus_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_interview(path.parent, path.name, pairs)


def test_a_build_keeps_each_files_ids_when_files_share_a_name(corpus_dir, tmp_path):
    """Ids are slugs of the file name, -2, -3... when names repeat; a new file sorting first
    made a build hand interview-2 (and its pairs' ids) to another file than the update had."""
    in_folders(corpus_dir, ("a/interview.txt", PAIRS_A), ("b/interview.txt", PAIRS_B),
               ("a/interview.md", [PAIR_C]))
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = ids_by_file(tmp_path / "ix", corpus_dir)
    assert sorted(ids[0] for ids in first.values()) == ["interview", "interview-2",
                                                        "interview-3"]
    in_folders(corpus_dir, ("a/interview.markdown", [("Ruxolitinib?", "A JAK2 inhibitor.")]))
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    updated = ids_by_file(tmp_path / "ix", corpus_dir)
    assert updated == {**first, "a/interview.markdown": ["interview-4", "interview-4-1"]}
    pair = SearchIndex(tmp_path / "ix").pair(first["b/interview.txt"][2])["question"]
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert ids_by_file(tmp_path / "ix", corpus_dir) == updated
    assert SearchIndex(tmp_path / "ix").pair(first["b/interview.txt"][2])["question"] == pair


def test_a_build_keeps_ids_of_interviews_inside_files_that_share_a_name(corpus_dir, tmp_path):
    def jsonl(folder: str, *titles: str) -> None:
        (corpus_dir / folder).mkdir(exist_ok=True)
        (corpus_dir / folder / "qa.jsonl").write_text("".join(json.dumps(
            {"title": title, "question": f"What is {title}?", "answer": f"{title} is a drug."})
            + "\n" for title in titles), encoding="utf-8")

    jsonl("b", "Alpha", "Beta")
    jsonl("c", "Alpha")
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = ids_by_file(tmp_path / "ix", corpus_dir)
    assert first["c/qa.jsonl Alpha"] == ["qa-alpha-2", "qa-alpha-2-1"]
    jsonl("a", "Alpha")  # sorts first
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert ids_by_file(tmp_path / "ix", corpus_dir) == {
        **first, "a/qa.jsonl Alpha": ["qa-alpha-3", "qa-alpha-3-1"]}


def test_a_build_gives_a_removed_files_ids_to_no_other_file(corpus_dir, tmp_path):
    """Not in that build, nor in later ones: a bookmark of the removed interview finds
    nothing rather than another interview; the file gets them back if it returns."""
    in_folders(corpus_dir, ("a/interview.txt", PAIRS_A), ("b/interview.txt", PAIRS_B))
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = ids_by_file(tmp_path / "ix", corpus_dir)
    assert first["a/interview.txt"][0] == "interview"
    removed = (corpus_dir / "a" / "interview.txt").rename(tmp_path / "interview.txt")
    in_folders(corpus_dir, ("c/interview.txt", [PAIR_C]))
    for _ in range(2):
        store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
        assert ids_by_file(tmp_path / "ix", corpus_dir) == {
            "b/interview.txt": first["b/interview.txt"],
            "c/interview.txt": ["interview-3", "interview-3-1"]}
        assert SearchIndex(tmp_path / "ix").interview("interview") is None
    removed.rename(corpus_dir / "a" / "interview.txt")
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert ids_by_file(tmp_path / "ix", corpus_dir)["a/interview.txt"] == first[
        "a/interview.txt"]


def test_an_update_keeps_a_changed_files_ids_when_a_file_of_its_name_goes(corpus_dir,
                                                                          tmp_path):
    """Removed files were forgotten first, so a changed file took the removed one's id."""
    in_folders(corpus_dir, ("a/interview.txt", PAIRS_A), ("b/interview.txt", PAIRS_B))
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    (corpus_dir / "a" / "interview.txt").unlink()
    in_folders(corpus_dir, ("b/interview.txt", PAIRS_B[:1]), ("c/interview.txt", [PAIR_C]))
    report = store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert (len(report.removed), len(report.changed), len(report.added)) == (1, 1, 1)
    assert ids_by_file(tmp_path / "ix", corpus_dir) == {
        "b/interview.txt": ["interview-2", "interview-2-1"],
        "c/interview.txt": ["interview-3", "interview-3-1"]}


def test_a_build_keeps_pair_ids_a_file_took_from_another(corpus_dir, tmp_path):
    """A JSON Lines file added later names its pair notes-1, notes.txt's first pair's id: it
    gets another id, and keeps it in a build (it sorts first, and took notes-1 there)."""
    write_interview(corpus_dir, "notes.txt", [("What is hepcidin?", "Hepcidin regulates iron.")])
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    (corpus_dir / "a.jsonl").write_text(json.dumps(
        {"id": "notes-1", "title": "Given ids", "question": "What is ferritin?",
         "answer": "Ferritin stores iron."}) + "\n", encoding="utf-8")
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    updated = ids_by_file(tmp_path / "ix", corpus_dir)
    assert updated["notes.txt"] == ["notes", "notes-1"]
    assert updated["a.jsonl Given ids"][1] != "notes-1"
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert ids_by_file(tmp_path / "ix", corpus_dir) == updated
    assert ids(SearchIndex(tmp_path / "ix"), "hepcidin") == ["notes-1"]
    with (corpus_dir / "a.jsonl").open("a", encoding="utf-8") as changed:  # ids worked out anew
        changed.write(json.dumps({"title": "Given ids", "question": "What is transferrin?",
                                  "answer": "Transferrin carries iron."}) + "\n")
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert ids_by_file(tmp_path / "ix", corpus_dir) == {
        **updated, "a.jsonl Given ids": [*updated["a.jsonl Given ids"], "a-given-ids-2"]}


@pytest.mark.parametrize("write", [store.build, store.update])
def test_a_file_or_folder_moved_unchanged_keeps_its_ids(corpus_dir, tmp_path, write):
    """A file's key is its path: a file moved (or a corpus folder) is told by its content."""
    in_folders(corpus_dir, ("a/interview.txt", PAIRS_A), ("b/interview.txt", PAIRS_B))
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = ids_by_file(tmp_path / "ix", corpus_dir)
    (corpus_dir / "c").mkdir()
    (corpus_dir / "b" / "interview.txt").rename(corpus_dir / "c" / "renamed.txt")
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    expected = {"a/interview.txt": first["a/interview.txt"],
                "c/renamed.txt": first["b/interview.txt"]}
    assert ids_by_file(tmp_path / "ix", corpus_dir) == expected
    moved = corpus_dir.rename(tmp_path / "moved")
    write(tmp_path / "ix", [moved], embeddings=False)
    assert ids_by_file(tmp_path / "ix", moved) == expected


# --- pair ids across edits --------------------------------------------------------------

GREEN = [("What platelet count should prompt treatment in ITP?",
          "Below thirty thousand, or any count with bleeding, we treat; above that we watch."),
         ("Which first-line therapy do you use?",
          "A short course of steroids, with IVIG when we need the count up within days."),
         ("When do you consider a TPO receptor agonist?",
          "When the disease persists past a few months or steroids cannot be tapered.")]
CONFIRM = ("How do you confirm the diagnosis of ITP?",
           "It is a diagnosis of exclusion: a smear, a history, and nothing else to explain it.")


def pairs_of(index_dir: Path, interview_id: str) -> dict[str, str]:
    """{pair id: question} of an interview of the serving build."""
    interview = SearchIndex(index_dir).interview(interview_id)
    return {pair["id"]: pair["question"] for pair in interview["pairs"]}


@pytest.mark.parametrize("write", [store.build, store.update])
def test_a_changed_file_keeps_the_id_of_each_question_it_still_asks(corpus_dir, tmp_path,
                                                                      write):
    """A question added at the top renumbered every pair: /pair/green-itp-1 opened another
    question, and a citation of it silently pointed at a different answer."""
    write_interview(corpus_dir, "green-itp.txt", GREEN)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = pairs_of(tmp_path / "ix", "green-itp")
    assert list(first) == ["green-itp-1", "green-itp-2", "green-itp-3"]
    write_interview(corpus_dir, "green-itp.txt", [CONFIRM, *GREEN])
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == {**first, "green-itp-4": CONFIRM[0]}
    assert ids_by_file(tmp_path / "ix", corpus_dir)["green-itp.txt"] == [
        "green-itp", "green-itp-4", "green-itp-1", "green-itp-2", "green-itp-3"]
    store.build(tmp_path / "fresh", [corpus_dir], embeddings=False)  # no index before
    assert ids_by_file(tmp_path / "fresh", corpus_dir)["green-itp.txt"] == [
        "green-itp", "green-itp-1", "green-itp-2", "green-itp-3", "green-itp-4"]


@pytest.mark.parametrize("write", [store.build, store.update])
def test_a_removed_questions_id_goes_to_no_other_question(corpus_dir, tmp_path, write):
    write_interview(corpus_dir, "green-itp.txt", GREEN)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = pairs_of(tmp_path / "ix", "green-itp")
    write_interview(corpus_dir, "green-itp.txt", [GREEN[0], GREEN[2]])
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == {"green-itp-1": GREEN[0][0],
                                                      "green-itp-3": GREEN[2][0]}
    write_interview(corpus_dir, "green-itp.txt", [GREEN[0], CONFIRM, GREEN[2]])
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == {
        "green-itp-1": GREEN[0][0], "green-itp-4": CONFIRM[0], "green-itp-3": GREEN[2][0]}
    manifest = store.read_manifest(tmp_path / "ix")
    assert corpus.removed_pair(manifest, "green-itp-2") == ("green-itp", True)
    assert corpus.removed_pair(manifest, "green-itp-3") is None  # it is there
    assert corpus.removed_pair(manifest, "green-itp-9") is None  # it never was
    write_interview(corpus_dir, "green-itp.txt", GREEN)  # a question back gets its id back
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == first
    assert corpus.removed_pair(store.read_manifest(tmp_path / "ix"), "green-itp-4") == (
        "green-itp", True)


def test_a_question_edited_lightly_keeps_its_id_and_one_rewritten_does_not(corpus_dir,
                                                                           tmp_path):
    """Case, spacing and punctuation do not make a question another; a reworded question
    whose answer is the same (and says enough to tell it apart) is the same pair; a short
    answer ("Yes.") says nothing about which question it answers."""
    short = [("Is it safe in pregnancy?", "Yes."), ("Does it cause rashes?", "No.")]
    write_interview(corpus_dir, "green-itp.txt", [*GREEN, *short])
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    edited = [("what platelet count should prompt treatment in ITP", GREEN[0][1]),
              ("Which first-line treatment do you use?", GREEN[1][1]),
              ("Which agonist do you use?", GREEN[2][1] + " Eltrombopag, usually."),
              ("Is it safe while breastfeeding?", "Yes."), short[1]]
    write_interview(corpus_dir, "green-itp.txt", edited)
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == {
        "green-itp-1": edited[0][0], "green-itp-2": edited[1][0], "green-itp-6": edited[2][0],
        "green-itp-7": edited[3][0], "green-itp-5": edited[4][0]}
    manifest = store.read_manifest(tmp_path / "ix")
    assert list(manifest["interviews"]["green-itp"]["removed_pairs"]) == ["green-itp-3",
                                                                          "green-itp-4"]


def test_search_workers_do_not_hold_the_marks_only_writes_read(corpus_dir, tmp_path):
    # every worker holds the manifest: the pairs' marks were 1.8 MB of it for MedQuAD
    write_interview(corpus_dir, "green-itp.txt", GREEN)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert "pair_marks" in store.read_manifest(tmp_path / "ix")["interviews"]["green-itp"]
    served = SearchIndex(tmp_path / "ix").snapshot().manifest["interviews"]["green-itp"]
    assert "pair_marks" not in served and served["pair_ids"]
    write_interview(corpus_dir, "green-itp.txt", [CONFIRM, *GREEN])  # the next write has them
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp")["green-itp-1"] == GREEN[0][0]


@pytest.mark.parametrize("write", [store.build, store.update])
def test_a_file_replaced_under_a_new_name_keeps_the_ids_of_its_questions(corpus_dir,
                                                                         tmp_path, write):
    """Staff replacing green-itp.txt by green-itp-v2.md with a question added (the
    replacement is named to the update; a build finds the ids by the interview it held)."""
    old = write_interview(corpus_dir, "green-itp.txt", GREEN)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    old.unlink()
    new = write_interview(corpus_dir, "green-itp-v2.txt", [CONFIRM, *GREEN])
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False, renamed={new: old})
    expected = {"green-itp-1": GREEN[0][0], "green-itp-2": GREEN[1][0],
                "green-itp-3": GREEN[2][0], "green-itp-4": CONFIRM[0]}
    assert pairs_of(tmp_path / "ix", "green-itp") == expected
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == expected


@pytest.mark.parametrize("write", [store.build, store.update])
def test_an_index_written_before_pairs_were_marked_keeps_them_through_an_edit(corpus_dir,
                                                                              tmp_path, write):
    """Its manifest has no pair_marks: they are read from its index, so the first edit of a
    file after an upgrade does not take every one of its answers off its address."""
    write_interview(corpus_dir, "green-itp.txt", GREEN)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    first = pairs_of(tmp_path / "ix", "green-itp")
    path = store.build_path(tmp_path / "ix", store.current_build(tmp_path / "ix"))
    manifest = json.loads((path / store.MANIFEST).read_text(encoding="utf-8"))
    for record in manifest["interviews"].values():
        del record["pair_marks"], record["next_pair"]
    (path / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    write_interview(corpus_dir, "green-itp.txt", [CONFIRM, *GREEN])
    write(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert pairs_of(tmp_path / "ix", "green-itp") == {**first, "green-itp-4": CONFIRM[0]}


def test_a_withdrawn_file_gets_its_pair_ids_back_when_it_returns(corpus_dir, tmp_path):
    write_interview(corpus_dir, "green-itp.txt", GREEN)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    path = write_interview(corpus_dir, "green-itp.txt", [CONFIRM, *GREEN])
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    edited = ids_by_file(tmp_path / "ix", corpus_dir)["green-itp.txt"]
    away = path.rename(tmp_path / "green-itp.txt")
    store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    manifest = store.read_manifest(tmp_path / "ix")
    assert corpus.removed_pair(manifest, "green-itp-4") == ("green-itp", False)
    away.rename(path)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert ids_by_file(tmp_path / "ix", corpus_dir)["green-itp.txt"] == edited


def test_build_switches_atomically_and_keeps_few_builds(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    for _ in range(5):
        last = store.build(tmp_path / "ix", [corpus_dir])
    assert store.current_build(tmp_path / "ix") == last.build
    builds = sorted(p.name for p in (tmp_path / "ix" / "builds").iterdir())
    assert len(builds) == store.KEEP_BUILDS and builds[-1] == last.build


def test_failed_build_leaves_previous_index_serving(corpus_dir, tmp_path, monkeypatch):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    first = store.build(tmp_path / "ix", [corpus_dir])
    write_interview(corpus_dir, "beta.txt", PAIRS_B)

    def broken_check(path, expected, words):
        raise store.StoreError("simulated failure before the switch")

    monkeypatch.setattr(store, "check_build", broken_check)
    with pytest.raises(store.StoreError):
        store.build(tmp_path / "ix", [corpus_dir])
    assert store.current_build(tmp_path / "ix") == first.build
    assert ids(SearchIndex(tmp_path / "ix"), "CD7") == ["alpha-1"]
    leftovers = [p.name for p in (tmp_path / "ix" / "builds").iterdir()]
    assert leftovers == [first.build]  # the failed build's directory is gone


def test_search_during_builds_never_errors(corpus_dir, tmp_path):
    """Readers see the old or the new index while builds switch underneath them."""
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    store.build(tmp_path / "ix", [corpus_dir])
    index = SearchIndex(tmp_path / "ix")
    errors, counts, stop = [], [], threading.Event()

    def search_loop():
        while not stop.is_set():
            try:
                counts.append(len(index.search("CD7 CAR-T").hits))
            except Exception as exc:  # noqa: BLE001 - any error fails the test
                errors.append(repr(exc))

    threads = [threading.Thread(target=search_loop) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(6):
        write_interview(corpus_dir, f"extra{n}.txt", PAIRS_B)
        store.build(tmp_path / "ix", [corpus_dir])
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counts and all(c >= 1 for c in counts)


def test_update_adds_changes_and_removes_only_what_changed(corpus_dir, tmp_path):
    alpha = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    beta = write_interview(corpus_dir, "beta.txt", PAIRS_B)
    store.build(tmp_path / "ix", [corpus_dir])
    index = SearchIndex(tmp_path / "ix")

    nothing = store.update(tmp_path / "ix", [corpus_dir])
    assert nothing.unchanged and nothing.pairs == 4

    write_interview(corpus_dir, "alpha.txt", [PAIRS_A[0]])  # one pair fewer
    gamma = write_interview(corpus_dir, "gamma.txt", [("Ruxolitinib?", "A JAK2 inhibitor.")])
    beta.unlink()
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.changed == [str(alpha.resolve())]
    assert report.added == [str(gamma.resolve())]
    assert report.removed == [str(beta.resolve())]
    assert report.pairs == 2
    assert ids(index, "ruxolitinib") == ["gamma-1"]
    assert ids(index, "hepcidin") == []
    assert ids(index, "BCMA") == []  # the pair removed from alpha is gone too
    assert ids(index, "CD7") == ["alpha-1"]


def built_with_another_folder(corpus_dir: Path, tmp_path: Path) -> Path:
    """alpha.txt in the corpus and beta.txt in a folder "other" beside it, both built into
    tmp_path/ix; the other folder."""
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    other = tmp_path / "other"
    other.mkdir()
    write_interview(other, "beta.txt", PAIRS_B)
    store.build(tmp_path / "ix", [corpus_dir, other])
    return other


def test_update_of_a_moved_corpus_drops_the_old_place_and_keeps_other_roots(corpus_dir,
                                                                            tmp_path):
    built_with_another_folder(corpus_dir, tmp_path)
    moved = corpus_dir.rename(tmp_path / "moved")
    report = store.update(tmp_path / "ix", [moved])
    assert report.removed == [str((corpus_dir / "alpha.txt").resolve())]
    assert report.pairs == 4  # alpha once, from its new place; beta (not named) kept
    assert ids(SearchIndex(tmp_path / "ix"), "CD7") == ["alpha-1"]


def test_update_keeps_a_folder_out_of_reach_it_was_not_given(corpus_dir, tmp_path):
    other = built_with_another_folder(corpus_dir, tmp_path)
    away = other.rename(tmp_path / "unmounted")  # a disk not mounted just now
    assert store.update(tmp_path / "ix", [corpus_dir]).pairs == 4
    away.rename(other)
    assert store.update(tmp_path / "ix", [corpus_dir]).pairs == 4


def test_update_of_a_deleted_file_named_on_its_own_removes_it(corpus_dir, tmp_path):
    alpha = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    write_interview(corpus_dir, "beta.txt", PAIRS_B)
    store.build(tmp_path / "ix", [corpus_dir])
    alpha.unlink()
    report = store.update(tmp_path / "ix", [alpha])
    assert report.removed == [str(alpha.resolve())] and report.pairs == 2
    assert report.problems == []
    with pytest.raises(store.StoreError, match="never-indexed.txt: no such file"):
        store.update(tmp_path / "ix", [corpus_dir / "never-indexed.txt"])



def test_update_of_a_missing_folder_is_refused_even_when_the_index_holds_it(corpus_dir,
                                                                          tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    first = store.build(tmp_path / "ix", [corpus_dir])
    away = corpus_dir.rename(tmp_path / "unmounted")  # a disk not mounted, or a typo
    with pytest.raises(store.StoreError, match="corpus: no such file or directory"):
        store.update(tmp_path / "ix", [corpus_dir])
    assert store.current_build(tmp_path / "ix") == first.build
    away.rename(corpus_dir)


def test_update_of_a_build_of_another_schema_is_refused(corpus_dir, tmp_path):
    # words indexed one way must not be mixed with words indexed another (PET was "pet")
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    first = store.build(tmp_path / "ix", [corpus_dir])
    manifest_file = store.build_path(tmp_path / "ix", first.build) / store.MANIFEST
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest_file.write_text(json.dumps({**manifest, "schema_version": 2}), encoding="utf-8")
    write_interview(corpus_dir, "beta.txt", PAIRS_A)
    with pytest.raises(store.StoreError, match=r"schema 2, this one writes \d+.*Build it again"):
        store.update(tmp_path / "ix", [corpus_dir])
    assert store.current_build(tmp_path / "ix") == first.build
    rebuilt = store.build(tmp_path / "ix", [corpus_dir])  # what the message says to do
    assert rebuilt.files == 2 and store.update(tmp_path / "ix", [corpus_dir]).unchanged


def test_update_names_files_gone_outside_its_folders_and_keeps_their_pairs(corpus_dir,
                                                                         tmp_path):
    folder = built_with_another_folder(corpus_dir, tmp_path)
    moved = folder.rename(tmp_path / "moved-other")
    write_interview(moved, "beta.txt", [PAIRS_B[0]])  # moved, then changed: not the same file
    report = store.update(tmp_path / "ix", [moved])
    assert report.removed == []
    assert any("other/beta.txt" in str(p) and "no longer exists; its pairs stay" in str(p)
               for p in report.problems)


def copy_of(path: Path, folder: Path, name: str) -> Path:
    """An identical copy of `path` in `folder` (same bytes, so the same content hash)."""
    copy = folder / name
    copy.write_bytes(path.read_bytes())
    return copy


def test_update_keeps_a_file_outside_its_folders_that_still_exists_beside_a_copy(corpus_dir,
                                                                                tmp_path):
    other = built_with_another_folder(corpus_dir, tmp_path)
    copy_of(other / "beta.txt", corpus_dir, "beta-copy.txt")
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.added == [str((corpus_dir / "beta-copy.txt").resolve())]
    assert report.removed == [] and report.pairs == 6  # not taken for a move: it is still there


def test_update_drops_a_file_gone_from_elsewhere_whose_copy_it_already_holds(corpus_dir,
                                                                           tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    beta = write_interview(other, "beta.txt", PAIRS_B)
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    copy_of(beta, corpus_dir, "beta-copy.txt")
    store.build(tmp_path / "ix", [corpus_dir, other])
    beta.unlink()
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.removed == [str(beta.resolve())] and report.pairs == 4
    assert report.problems == []  # its content is still indexed, from the copy


def test_update_keeps_a_file_it_cannot_look_at_just_now_beside_a_copy(corpus_dir, tmp_path,
                                                                       monkeypatch):
    other = built_with_another_folder(corpus_dir, tmp_path)
    beta = str((other / "beta.txt").resolve())
    copy_of(other / "beta.txt", corpus_dir, "beta-copy.txt")
    stat = os.stat

    def denied(path, *args, **kwargs):  # a folder not searchable just now (permissions, NFS)
        if os.fspath(path) == beta:
            raise PermissionError(13, "Permission denied", beta)
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", denied)
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.removed == [] and report.pairs == 6


def test_a_file_and_a_link_to_it_in_one_folder_are_indexed_once(corpus_dir, tmp_path):
    alpha = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    link = corpus_dir / "a-link.txt"  # sorts before alpha.txt: the walk finds it first
    link.symlink_to(alpha)
    report = store.build(tmp_path / "ix", [corpus_dir])
    assert (report.files, report.pairs) == (1, 2)
    assert list(store.read_manifest(tmp_path / "ix")["files"]) == [str(alpha.resolve())]
    link.unlink()
    assert store.update(tmp_path / "ix", [corpus_dir]).unchanged


def test_a_file_found_through_a_link_too_is_read_at_its_own_path(corpus_dir, tmp_path):
    # its corrections are beside it, whatever the walk finds first (one place, also for the
    # staff pages' Edit details, see corpus.reading_path)
    alpha = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    alpha.with_name("alpha.txt.meta.json").write_text('{"title": "Alpha, corrected"}')
    link = corpus_dir / "a-link.txt"  # sorts before alpha.txt: the walk finds it first
    link.symlink_to(alpha)
    link.with_name("a-link.txt.meta.json").write_text('{"title": "Not read"}')
    store.build(tmp_path / "ix", [corpus_dir])
    [(interview_id, record)] = store.read_manifest(tmp_path / "ix")["interviews"].items()
    assert (interview_id, record["title"]) == ("alpha", "Alpha, corrected")
    assert corpus.reading_path(link, corpus_dir) == alpha
    assert corpus.reading_path(alpha, corpus_dir) == alpha


def test_a_file_outside_the_folder_is_read_at_its_first_link(corpus_dir, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    target = write_interview(tmp_path / "elsewhere", "beta.txt", PAIRS_B)
    target.with_name("beta.txt.meta.json").write_text('{"title": "Not read either"}')
    first, second = corpus_dir / "b-first.txt", corpus_dir / "c-second.txt"
    for link in (second, first):
        link.symlink_to(target)
    first.with_name("b-first.txt.meta.json").write_text('{"title": "Beta, corrected"}')
    store.build(tmp_path / "ix", [corpus_dir])
    [record] = store.read_manifest(tmp_path / "ix")["interviews"].values()
    assert record["title"] == "Beta, corrected"
    assert corpus.reading_path(second, corpus_dir) == first
    assert corpus.reading_path(first, corpus_dir) == first


def test_a_link_to_a_file_of_another_indexed_folder_indexes_it_once(corpus_dir, tmp_path):
    other = built_with_another_folder(corpus_dir, tmp_path)
    link = corpus_dir / "see-beta.txt"
    link.symlink_to(other / "beta.txt")
    assert store.update(tmp_path / "ix", [corpus_dir]).unchanged
    link.unlink()  # beta.txt is still in its own folder, which was not updated
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.unchanged and report.pairs == 4


def test_a_linked_file_later_indexed_from_its_own_folder_is_indexed_once(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    other = tmp_path / "other"
    other.mkdir()
    link = corpus_dir / "see-beta.txt"
    link.symlink_to(write_interview(other, "beta.txt", PAIRS_B))
    store.build(tmp_path / "ix", [corpus_dir])
    assert store.update(tmp_path / "ix", [other]).pairs == 4
    assert len(ids(SearchIndex(tmp_path / "ix"), "hepcidin")) == 1
    link.unlink()  # beta.txt is still in its own folder, now indexed too
    assert store.update(tmp_path / "ix", [corpus_dir]).pairs == 4
    assert len(ids(SearchIndex(tmp_path / "ix"), "hepcidin")) == 1


def test_a_corpus_folder_named_through_a_link_is_the_folder_itself(corpus_dir, tmp_path):
    alpha = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    write_interview(corpus_dir, "beta.txt", PAIRS_B)
    linked = tmp_path / "linked-corpus"
    linked.symlink_to(corpus_dir)
    store.build(tmp_path / "ix", [linked])
    assert store.update(tmp_path / "ix", [corpus_dir]).unchanged
    alpha.unlink()
    report = store.update(tmp_path / "ix", [linked])
    assert report.removed == [str(alpha.resolve())] and report.pairs == 2


def test_update_removes_what_a_deleted_link_brought_in(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    (tmp_path / "elsewhere").mkdir()
    target = write_interview(tmp_path / "elsewhere", "beta.txt", PAIRS_B)
    link = corpus_dir / "beta.txt"
    link.symlink_to(target)
    store.build(tmp_path / "ix", [corpus_dir])
    assert ids(SearchIndex(tmp_path / "ix"), "hepcidin") == ["beta-2"]
    link.unlink()  # the file it led to stays where it is, outside the corpus
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.removed == [str(target.resolve())] and report.pairs == 2
    assert ids(SearchIndex(tmp_path / "ix"), "hepcidin") == []


def test_a_file_deleted_from_its_folder_goes_though_a_link_elsewhere_led_to_it(corpus_dir,
                                                                              tmp_path):
    alpha = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    other = tmp_path / "other"
    other.mkdir()
    (other / "see-alpha.txt").symlink_to(alpha)
    store.build(tmp_path / "ix", [corpus_dir, other])
    alpha.unlink()  # the link in the other folder now leads nowhere
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.removed == [str(alpha.resolve())] and report.pairs == 0


def without_found_at(index_dir: Path) -> None:
    """Make the serving manifest one written before files recorded where they were found."""
    path = store.build_path(index_dir, store.current_build(index_dir)) / store.MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"].values():
        entry.pop("found_at", None)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_an_index_from_before_found_paths_is_updated_without_reindexing(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    (tmp_path / "elsewhere").mkdir()
    link = corpus_dir / "beta.txt"
    link.symlink_to(write_interview(tmp_path / "elsewhere", "beta.txt", PAIRS_B))
    first = store.build(tmp_path / "ix", [corpus_dir])
    without_found_at(tmp_path / "ix")
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert (report.added, report.changed, report.removed, report.pairs) == ([], [], [], 4)
    assert report.build != first.build  # only its manifest was written
    again = store.update(tmp_path / "ix", [corpus_dir])
    assert again.unchanged and again.build == report.build
    # Such an index cannot tell the link from the file it leads to: deleting the link keeps
    # the pairs, as before, until its next build records where each file was found.
    link.unlink()
    assert store.update(tmp_path / "ix", [corpus_dir]).pairs == 4
    assert store.build(tmp_path / "ix", [corpus_dir]).pairs == 2


def test_update_without_index_builds_one(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    report = store.update(tmp_path / "ix", [corpus_dir])
    assert report.kind == "build" and report.pairs == 2


def hold_lock(index_dir, ready, seconds):
    with store.writer_lock(index_dir):
        ready.set()
        time.sleep(seconds)


def test_second_writer_waits_then_gives_up_with_a_clear_message(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_lock, args=(tmp_path / "ix", ready, 5))
    holder.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(store.LockTimeout) as info:
            store.build(tmp_path / "ix", [corpus_dir], lock_timeout=0.5)
        assert 0.4 < time.monotonic() - started < 3
        assert f"pid {holder.pid}" in str(info.value)
    finally:
        holder.kill()
        holder.join()
    # The killed holder's lock is released by the kernel: the next build just works.
    assert store.build(tmp_path / "ix", [corpus_dir], lock_timeout=2).pairs == 2


def test_lock_waits_for_a_short_writer(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=hold_lock, args=(tmp_path / "ix", ready, 0.5))
    holder.start()
    try:
        assert ready.wait(10)
        assert store.build(tmp_path / "ix", [corpus_dir], lock_timeout=10).pairs == 2
    finally:
        holder.join()


def test_bad_files_are_reported_and_the_rest_indexed(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    (corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    (corpus_dir / "noise.md").write_text("Just a paragraph with no questions.", encoding="utf-8")
    (corpus_dir / "broken.jsonl").write_text(
        '{"question": "Q1?", "answer": "A1."}\n{not json\n', encoding="utf-8")
    (corpus_dir / "binary.html").write_bytes(bytes(range(256)) * 4)
    report = store.build(tmp_path / "ix", [corpus_dir])
    messages = [str(p) for p in report.problems]
    assert any("empty.txt" in m for m in messages)
    assert any("noise.md" in m for m in messages)
    assert any("broken.jsonl:2" in m for m in messages)
    assert report.pairs == 3  # alpha's two and the good JSON line


@pytest.mark.parametrize("write", [store.build, store.update])
def test_a_missing_path_writes_nothing(corpus_dir, tmp_path, write):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    first = store.build(tmp_path / "ix", [corpus_dir])
    with pytest.raises(store.StoreError, match=r"missing\.txt: no such file or directory"):
        write(tmp_path / "ix", [corpus_dir, tmp_path / "missing.txt"])
    assert store.current_build(tmp_path / "ix") == first.build


def test_a_build_that_finds_no_pairs_leaves_the_previous_index_serving(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    first = store.build(tmp_path / "ix", [corpus_dir])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(store.StoreError, match=r"empty\.txt.*previous index \(2 pairs\)"):
        store.build(tmp_path / "ix", [bad])
    assert store.current_build(tmp_path / "ix") == first.build
    assert ids(SearchIndex(tmp_path / "ix"), "CD7") == ["alpha-1"]
    # an update may empty it (every interview withdrawn); a build of nothing may then run
    (corpus_dir / "alpha.txt").unlink()
    assert store.update(tmp_path / "ix", [corpus_dir]).pairs == 0
    assert store.build(tmp_path / "ix", [bad]).pairs == 0


def test_manifest_records_interviews_and_problems(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A, title="Alpha interview")
    store.build(tmp_path / "ix", [corpus_dir])
    manifest = store.read_manifest(tmp_path / "ix")
    record = manifest["interviews"]["alpha"]
    assert record["title"] == "Alpha interview"
    assert record["interviewee"] == "Dr. Ada Lovelace"
    assert record["pair_ids"] == ["alpha-1", "alpha-2"]
    assert manifest["counts"] == {"files": 1, "interviews": 1, "pairs": 2}
    assert json.loads(json.dumps(manifest)) == manifest


def test_metadata_overrides_beside_the_file(corpus_dir, tmp_path):
    path = write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    (corpus_dir / "alpha.txt.meta.json").write_text(
        json.dumps({"title": "Corrected title", "date": "2024-05-01"}), encoding="utf-8")
    store.build(tmp_path / "ix", [corpus_dir])
    record = store.read_manifest(tmp_path / "ix")["interviews"]["alpha"]
    assert (record["title"], record["date"]) == ("Corrected title", "2024-05-01")
    assert path.exists()


def test_a_null_override_removes_what_the_parser_found(corpus_dir, tmp_path):
    """{"interviewer": null}: no interviewer, whatever the file says; "" keeps the parsed one."""
    path = write_interview(corpus_dir, "alpha.txt", PAIRS_A, title="Alpha interview")
    (corpus_dir / "alpha.txt.meta.json").write_text(
        json.dumps({"interviewee": None, "title": ""}), encoding="utf-8")
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    record = store.read_manifest(tmp_path / "ix")["interviews"]["alpha"]
    assert (record["interviewee"], record["title"]) == ("", "Alpha interview")
    assert path.exists()


def test_an_override_date_is_made_iso_or_ignored_with_a_warning(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    write_interview(corpus_dir, "beta.txt", PAIRS_B)
    (corpus_dir / "alpha.txt.meta.json").write_text('{"date": "5 March 2023"}', encoding="utf-8")
    (corpus_dir / "beta.txt.meta.json").write_text('{"date": "March 2023"}', encoding="utf-8")
    report = store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    interviews = store.read_manifest(tmp_path / "ix")["interviews"]
    assert (interviews["alpha"]["date"], interviews["beta"]["date"]) == ("2023-03-05", "")
    assert any("beta.txt" in str(p) and "ignored the date in beta.txt.meta.json: could not "
               "read the date 'March 2023': write it as YYYY-MM-DD" in str(p)
               for p in report.problems)
    (corpus_dir / "alpha.txt.meta.json").write_text('{"date": "05/03/2023"}', encoding="utf-8")
    report = store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert store.read_manifest(tmp_path / "ix")["interviews"]["alpha"]["date"] == "2023-05-03"
    assert any("alpha.txt.meta.json: read the date '05/03/2023' as 2023-05-03 (month/day)"
               in str(p) for p in report.problems)


def test_a_strict_update_with_problems_writes_nothing(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    serving = store.current_build(tmp_path / "ix")
    write_interview(corpus_dir, "beta.txt", PAIRS_B)
    (corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    report = store.update(tmp_path / "ix", [corpus_dir], embeddings=False, strict=True)
    assert report.refused and any("empty.txt" in str(p) for p in report.problems)
    assert store.current_build(tmp_path / "ix") == serving
    assert "beta" not in store.read_manifest(tmp_path / "ix")["interviews"]
    report = store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert not report.refused and "beta" in store.read_manifest(tmp_path / "ix")["interviews"]


def test_an_impossible_or_misnamed_override_is_told_by_name(corpus_dir, tmp_path):
    # {"titel": ...} was dropped without a word, and "2024-02-30" was asked to be YYYY-MM-DD
    write_interview(corpus_dir, "alpha.txt", PAIRS_A, title="Alpha interview")
    (corpus_dir / "alpha.txt.meta.json").write_text(
        json.dumps({"titel": "Better title", "date": "2024-02-30"}), encoding="utf-8")
    report = store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    told = [str(p) for p in report.problems if "alpha.txt" in str(p)]
    assert any("ignored 'titel' in alpha.txt.meta.json: the fields it may correct are title, "
               "interviewee, interviewer, date, source" in p for p in told)
    assert any("ignored the date in alpha.txt.meta.json: '2024-02-30' is not a date: "
               "February 2024 has 29 days" in p for p in told)
    assert store.read_manifest(tmp_path / "ix")["interviews"]["alpha"]["title"] == (
        "Alpha interview")


def test_overrides_beside_a_file_of_several_interviews_are_ignored_with_a_warning(
        corpus_dir, tmp_path):
    lines = [{"question": "What is CD7 CAR-T?", "answer": "A CAR-T.", "title": "CD7 with Dr. A",
              "interviewee": "Dr. A", "date": "2024-01-05"},
             {"question": "What is BCMA?", "answer": "A target.", "title": "BCMA with Dr. B",
              "interviewee": "Dr. B", "date": "2023-02-01"}]
    (corpus_dir / "two.jsonl").write_text("\n".join(map(json.dumps, lines)), encoding="utf-8")
    (corpus_dir / "two.jsonl.meta.json").write_text(
        json.dumps({"interviewee": "Dr. A (corrected)", "date": "2024-01-06"}), encoding="utf-8")
    report = store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    records = store.read_manifest(tmp_path / "ix")["interviews"].values()
    assert sorted((r["interviewee"], r["date"]) for r in records) == [
        ("Dr. A", "2024-01-05"), ("Dr. B", "2023-02-01")]
    assert [p.message for p in report.problems if "two.jsonl" in p.file] == [
        "ignored two.jsonl.meta.json: the file holds 2 interviews, and its corrections would "
        "be set on every one of them; correct each interview in the file itself"]


def test_missing_or_corrupt_index_says_how_to_fix_it(tmp_path):
    with pytest.raises(store.IndexMissing, match="qa-index .*build"):
        SearchIndex(tmp_path / "nothing").snapshot()
    (tmp_path / "bad" / "builds" / "b1").mkdir(parents=True)
    (tmp_path / "bad" / "CURRENT").write_text("b1\n")
    with pytest.raises(store.IndexMissing, match="cannot be read"):
        SearchIndex(tmp_path / "bad").snapshot()


def test_seed_builds_and_cd7_query_finds_the_cd7_pair_first(seed_index):
    hits = seed_index.search("CD7 CAR-T").hits
    assert hits[0].id == "he-huang-cellular-immunotherapy-1"
    assert "CD7 CAR-T cell therapy" in hits[0].answer


def test_threads_share_one_copy_of_the_index_files(corpus_dir, tmp_path, monkeypatch):
    """Each thread has its own searcher, but a file of the serving build is read once."""
    from pathlib import Path

    write_interview(corpus_dir, "a.txt", [("Is CAR-T safe?", "CAR-T toxicity is managed.")])
    store.build(tmp_path / "index", [corpus_dir])
    build = store.build_path(tmp_path / "index", store.current_build(tmp_path / "index"))
    assert not list(build.glob("*.seg"))  # separate files, not a compound segment
    reads, read_bytes = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: reads.append(p.name) or read_bytes(p))
    index = SearchIndex(tmp_path / "index")
    totals = []
    threads = [threading.Thread(target=lambda: totals.append(index.search("CAR-T").total))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert totals == [1, 1, 1, 1]
    index_files = [name for name in reads if name.startswith("MAIN_")]
    assert index_files and len(index_files) == len(set(index_files))


def test_repeated_searches_come_from_the_cache_until_a_new_build_serves(corpus_dir, tmp_path):
    write_interview(corpus_dir, "a.txt", [("Is CAR-T safe?", "CAR-T toxicity is managed.")])
    store.build(tmp_path / "index", [corpus_dir])
    index = SearchIndex(tmp_path / "index")
    first = index.search("CAR-T toxicity")
    again = index.search("CAR-T toxicity")
    assert not first.cached and again.cached
    assert [h.id for h in again.hits] == [h.id for h in first.hits] and again.total == 1
    assert not index.search("CAR-T toxicity", page=2).cached  # another request
    write_interview(corpus_dir, "b.txt", [("Is CAR-T toxicity common?", "Toxicity is rare.")])
    store.build(tmp_path / "index", [corpus_dir])
    after = index.search("CAR-T toxicity")
    assert not after.cached and after.total == 2


def test_a_cache_of_size_zero_keeps_nothing(corpus_dir, tmp_path):
    write_interview(corpus_dir, "a.txt", [("Is CAR-T safe?", "CAR-T toxicity is managed.")])
    store.build(tmp_path / "index", [corpus_dir])
    index = SearchIndex(tmp_path / "index", cache_size=0)
    assert not index.search("CAR-T").cached and not index.search("CAR-T").cached


def test_writes_pause_the_garbage_collector_and_leave_it_as_they_found_it():
    assert gc.isenabled()
    with store.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with store.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
