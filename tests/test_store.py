"""The index on disk: build, atomic switch, incremental update, the writer lock, bad input."""

from __future__ import annotations

import gc
import json
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from conftest import write_interview

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

    def broken_check(path, expected):
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


def test_update_names_files_gone_outside_its_folders_and_keeps_their_pairs(corpus_dir,
                                                                         tmp_path):
    folder = built_with_another_folder(corpus_dir, tmp_path)
    moved = folder.rename(tmp_path / "moved-other")
    write_interview(moved, "beta.txt", [PAIRS_B[0]])  # moved, then changed: not the same file
    report = store.update(tmp_path / "ix", [moved])
    assert report.removed == []
    assert any("other/beta.txt" in str(p) and "no longer exists; its pairs stay" in str(p)
               for p in report.problems)


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


def test_an_override_date_is_made_iso_or_ignored_with_a_warning(corpus_dir, tmp_path):
    write_interview(corpus_dir, "alpha.txt", PAIRS_A)
    write_interview(corpus_dir, "beta.txt", PAIRS_B)
    (corpus_dir / "alpha.txt.meta.json").write_text('{"date": "5 March 2023"}', encoding="utf-8")
    (corpus_dir / "beta.txt.meta.json").write_text('{"date": "March 2023"}', encoding="utf-8")
    report = store.build(tmp_path / "ix", [corpus_dir], embeddings=False)
    interviews = store.read_manifest(tmp_path / "ix")["interviews"]
    assert (interviews["alpha"]["date"], interviews["beta"]["date"]) == ("2023-03-05", "")
    assert any("beta.txt" in str(p) and "ignored the date 'March 2023' in beta.txt.meta.json"
               in str(p) for p in report.problems)
    (corpus_dir / "alpha.txt.meta.json").write_text('{"date": "05/03/2023"}', encoding="utf-8")
    report = store.update(tmp_path / "ix", [corpus_dir], embeddings=False)
    assert store.read_manifest(tmp_path / "ix")["interviews"]["alpha"]["date"] == "2023-05-03"
    assert any("alpha.txt.meta.json: read the date '05/03/2023' as 2023-05-03 (month/day)"
               in str(p) for p in report.problems)


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
