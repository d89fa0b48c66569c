"""Hybrid search: embeddings written with each build (incrementally), the mode switch in the
library, CLI, pages and API, and the fall-back to keyword search (issue 8)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import REPO
from conftest import SEED
from conftest import write_interview

from indexer import dense
from indexer import semantic
from indexer import store
from indexer.cli import cli
from indexer.query import readings
from indexer.search import Hybrid
from indexer.search import SearchIndex
from indexer.search import names_only
from indexer.search import one_word
from webapp import create_app

MISSING = semantic.available()
needs_extra = pytest.mark.skipif(MISSING is not None, reason=f"semantic extra: {MISSING}")

VACCINES = [("When should children get the measles vaccine?",
             "The first dose is given at twelve months and the second before school."),
            ("Which vaccines do adults need after chemotherapy?",
             "Inactivated vaccines restart three months after the last cycle.")]
IRON = [("How is iron deficiency anaemia treated?",
         "Oral iron once a day; intravenous iron when tablets fail or are not tolerated.")]
RUNNING = [("Why do marathon runners need more fluids?",
            "Sweat losses reach a litre an hour in the heat, and salt goes with it.")]
# Shares no word (nor a vocabulary synonym: MMR has none) with any stored question or answer;
# nearest in meaning to the measles one.
PARAPHRASE = "timetable for the MMR jab in toddlers"


def write_corpus(folder):
    folder.mkdir(parents=True, exist_ok=True)
    write_interview(folder, "vaccines.txt", VACCINES, interviewee="Dr. Jenner",
                    title="Vaccines with Dr. Jenner")
    write_interview(folder, "iron.txt", IRON, interviewee="Dr. Blood", title="Iron")
    write_interview(folder, "running.txt", RUNNING, interviewee="Dr. Pace", title="Running")
    return folder


@pytest.fixture
def built(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    report = store.build(index_dir, [corpus], embeddings=True) if not MISSING else None
    return corpus, index_dir, report


def rows_by_id(index_dir):
    path = store.build_path(index_dir, store.current_build(index_dir))
    meta, matrix = dense.load(path)
    return {pair_id: matrix[row] for row, pair_id in enumerate(meta["ids"]) if pair_id}, meta


# --- build and update ------------------------------------------------------------------


@needs_extra
def test_a_build_embeds_every_question_in_document_order(built):
    _corpus, index_dir, report = built
    assert report.embeddings["rows"] == 4 and report.embeddings["embedded"] == 4
    rows, meta = rows_by_id(index_dir)
    searcher = SearchIndex(index_dir).searcher()
    for row, pair_id in enumerate(meta["ids"]):
        assert searcher.stored_fields(row)["id"] == pair_id
    fields = searcher.document(id=pair_id)
    text = dense.embedded_text(fields)
    assert text == f"{fields['question']} {fields['title']}"  # the question and its topic
    assert float(rows[pair_id] @ dense.embedder().embed([text])[0]) > 0.999


@needs_extra
def test_an_update_embeds_only_new_and_changed_pairs(built):
    corpus, index_dir, _report = built
    before, _ = rows_by_id(index_dir)
    write_interview(corpus, "iron.txt", IRON + [("Can iron tablets upset the stomach?",
                                                 "Yes; taking them every other day helps.")],
                    interviewee="Dr. Blood", title="Iron")
    (corpus / "running.txt").unlink()
    write_interview(corpus, "sleep.txt", [("How many hours should night-shift nurses sleep?",
                                           "Seven, in one block, in a dark room.")])
    report = store.update(index_dir, [corpus], embeddings=True)
    assert report.changed and report.removed and report.added
    # iron.txt's unchanged question and the vaccines are reused; two new questions embedded
    assert report.embeddings == {**report.embeddings, "rows": 5, "embedded": 2, "reused": 3}
    after, meta = rows_by_id(index_dir)
    assert not any("running" in pair_id for pair_id in after)
    assert "" in meta["ids"]  # the changed file's old pair is a deleted document now
    for pair_id in before.keys() & after.keys():
        assert (before[pair_id] == after[pair_id]).all()
    hits = SearchIndex(index_dir).search("night work rest duration", mode="hybrid").hits
    assert hits and "night-shift" in hits[0].question
    # a full build of the same files reuses every row; another model would reuse none
    assert store.build(index_dir, [corpus], embeddings=True).embeddings["embedded"] == 0


def test_a_collection_file_name_is_not_embedded_as_a_topic():
    pair = {"question": "How to prevent ?", "file": "/data/corpus.jsonl", "title": "Corpus"}
    assert dense.embedded_text(pair) == "How to prevent ?"
    assert dense.embedded_text({**pair, "title": "Shingles"}) == "How to prevent ? Shingles"
    page = {"question": "Why?", "file": "/c/he-huang.txt", "title": "He Huang"}
    assert dense.embedded_text(page) == "Why? He Huang"  # a page's own name says its topic
    assert dense.embedded_text({"question": "", "answer": "x" * 500}) == "x" * dense.LEAD_CHARS


@needs_extra
def test_long_queries_are_cut_to_the_query_token_limit():
    import numpy as np

    embedder = dense.embedder()
    words = " ".join(["leukemia"] * 400)
    cut = embedder.embed([words], max_tokens=dense.QUERY_TOKENS)[0]
    ids = embedder.tokenizer.encode(words).ids  # [CLS] ... [SEP], 256 tokens
    kept = ids[:dense.QUERY_TOKENS - 1] + ids[-1:]
    exact = embedder._forward(np.array([kept]), np.ones((1, len(kept)), np.float32))[0]
    assert float(cut @ exact) > 0.9999
    assert float(cut @ embedder.embed([words])[0]) < 0.9999  # the full 256 tokens differ


@needs_extra
def test_rows_of_another_model_are_not_reused(built, monkeypatch):
    corpus, index_dir, _report = built
    monkeypatch.setattr(dense, "model_id", lambda: "another-model")
    assert store.build(index_dir, [corpus], embeddings=True).embeddings["embedded"] == 4


def test_builds_without_embeddings_when_switched_off(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    monkeypatch.setenv("QA_EMBEDDINGS", "0")
    report = store.build(tmp_path / "index", [corpus])
    assert report.embeddings is None
    path = store.build_path(tmp_path / "index", report.build)
    assert not (path / dense.MATRIX).exists()
    index = SearchIndex(tmp_path / "index")
    assert index.modes()["default"] == "keyword"
    results = index.search(PARAPHRASE, mode="hybrid")
    assert results.mode == "keyword" and "no embeddings" in results.mode_note
    assert results.total == 0


def test_asking_for_embeddings_without_the_extra_is_a_clear_error(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    monkeypatch.setattr(semantic, "available", lambda: "the semantic extra is not installed")
    with pytest.raises(store.StoreError, match="semantic extra is not installed"):
        store.build(tmp_path / "index", [corpus], embeddings=True)
    assert store.current_build(tmp_path / "index") is None
    report = store.build(tmp_path / "index", [corpus])  # auto: keyword-only, still a build
    assert report.embeddings is None and report.pairs == 4


@needs_extra
def test_a_failing_embedding_step_leaves_the_old_index_serving(built, monkeypatch):
    corpus, index_dir, _report = built
    serving = store.current_build(index_dir)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    write_interview(corpus, "new.txt", [("Is coffee bad for the heart?", "Not in moderation.")])
    monkeypatch.setattr(dense, "save", broken)
    with pytest.raises(OSError):
        store.update(index_dir, [corpus])
    assert store.current_build(index_dir) == serving
    assert len(list((index_dir / store.BUILDS).iterdir())) == 1


# --- searching -------------------------------------------------------------------------


@needs_extra
def test_hybrid_finds_a_paraphrase_that_keyword_search_misses(built):
    _corpus, index_dir, _report = built
    index = SearchIndex(index_dir)
    assert index.modes() == {"default": "hybrid", "hybrid": True, "reason": None}
    keyword = index.search(PARAPHRASE, mode="keyword")
    assert keyword.mode == "keyword" and keyword.total == 0
    hybrid = index.search(PARAPHRASE)
    assert hybrid.mode == "hybrid" and hybrid.mode_note is None
    top = hybrid.hits[0]
    assert "measles" in top.question and top.by_meaning
    assert "<mark" not in top.answer_html and top.answer_html.startswith("The first dose")
    assert hybrid.total == len(hybrid.hits)  # only the pairs close enough in meaning


@needs_extra
def test_keyword_matches_keep_their_highlights_and_lead_in_hybrid(built):
    index = SearchIndex(built[1])
    results = index.search("iron tablets", mode="hybrid")
    assert results.hits[0].question.startswith("How is iron")
    assert not results.hits[0].by_meaning
    assert '<mark class="hl">iron</mark>' in results.hits[0].question_html.replace(
        "<mark class=\"hl hl-1\">", '<mark class="hl">') or "<mark" in results.hits[0].answer_html


@needs_extra
def test_a_lone_keyword_match_keeps_its_weight_in_the_fusion(seed_index):
    # "bone marrow transplant" matches one seed pair; another pair is only near in meaning.
    # The lone match's keyword z-score must not fall to 0 (no spread). ("HSCT", which found it
    # by this synonym, is a query of names now, which is not fused.)
    results = seed_index.search("bone marrow transplant", mode="hybrid")
    assert results.mode == "hybrid" and any(hit.by_meaning for hit in results.hits)
    top = results.hits[0]
    assert top.id == "he-huang-cellular-immunotherapy-1" and not top.by_meaning
    assert '<mark class="match">Marrow</mark>' in top.answer_html


MYELOMA = [
    ("What is the current role of BCMA-directed CAR-T therapy in relapsed myeloma?",
     "BCMA-directed CAR-T therapies such as ide-cel and cilta-cel have changed practice for "
     "patients with relapsed or refractory multiple myeloma after one to three prior lines."),
    ("How do you manage cytokine release syndrome and IL-6 elevation?",
     "Tocilizumab, an IL-6 receptor antibody, is the first-line treatment for grade 2 or "
     "higher CRS. We add dexamethasone for refractory cases."),
    ("What about patients with hepatitis B or prior COVID-19 infection?",
     "Patients with hepatitis B should receive entecavir prophylaxis to avoid reactivation."),
    ("Is allogeneic HSCT still relevant?",
     "Yes. Allogeneic HSCT remains the only potentially curative approach for some patients."),
]


@pytest.fixture(scope="module")
def klein_index_dir(tmp_path_factory):
    """The seed interview and Dr. Klein's on myeloma (whose title names BCMA and CAR-T), with
    embeddings: built once for this module (treat as read-only)."""
    root = tmp_path_factory.mktemp("klein")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    write_interview(corpus, "klein.txt", MYELOMA, interviewee="Dr. Sarah Klein",
                    title="Dr. Sarah Klein on BCMA-Directed CAR-T in Myeloma")
    if not MISSING:
        store.build(root / "index", [corpus], embeddings=True)
    return root / "index"


@needs_extra
@pytest.mark.parametrize("query", ["BCMA", "bcma CAR-T", "CAR-T", "HSCT", "What is HSCT?"])
def test_a_query_of_names_lists_the_keyword_matches_as_keyword_search_ranks_them(
        klein_index_dir, query):
    # The model cannot read "BCMA": its nearest pairs are on IL-6 and hepatitis B, and they
    # were listed with the seed's two long answers that name BCMA once; fused with cosines,
    # "HSCT" put Klein's pair above the seed's (by its synonym bone marrow transplant), which
    # keyword search ranks first. A query of names is searched by keywords, saying why.
    index = SearchIndex(klein_index_dir, cache_size=0)
    keyword = index.search(query, mode="keyword")
    for mode in ("hybrid", "auto"):
        results = index.search(query, mode=mode)
        assert [hit.id for hit in results.hits] == [hit.id for hit in keyword.hits]
        assert [hit.score for hit in results.hits] == [hit.score for hit in keyword.hits]
        assert results.total == keyword.total >= 2 and results.facets == keyword.facets
        assert not any(hit.by_meaning for hit in results.hits) and results.closest == []
        assert results.mode == "keyword" and "codes and acronyms" in results.mode_note


@needs_extra
def test_a_query_of_names_no_pair_names_has_no_results_nor_leads_by_meaning(klein_index_dir):
    # No pair names MDS (nor myelodysplastic syndrome); by meaning, the model put the myeloma
    # and transplant pairs above the similarity floor, and they were counted as 2 results
    # (and "TTP" listed ITP, the opposite emergency): a model that cannot read the name
    # offers no leads either
    index = SearchIndex(klein_index_dir, cache_size=0)
    results = index.search("MDS", mode="hybrid")
    assert results.total == 0 and results.hits == [] and results.closest == []
    assert results.mode == "keyword" and "codes and acronyms" in results.mode_note


@needs_extra
def test_a_query_mixing_names_and_words_is_still_fused(klein_index_dir):
    index = SearchIndex(klein_index_dir, cache_size=0)
    mixed = index.search("BCMA infection risk", mode="hybrid")
    assert mixed.mode == "hybrid" and mixed.mode_note is None
    assert [hit.by_meaning for hit in mixed.hits] != sorted(hit.by_meaning for hit in mixed.hits)


@needs_extra
def test_pages_and_api_say_a_query_of_names_was_searched_by_keywords(klein_index_dir):
    client = create_app({"INDEX_DIR": str(klein_index_dir), "TESTING": True}).test_client()
    data = client.get("/api/search", query_string={"q": "MDS"}).get_json()
    assert data["total"] == 0 and data["results"] == [] and data["mode"] == "keyword"
    assert "codes and acronyms" in data["mode_note"]
    page = client.get("/", query_string={"q": "MDS"}).get_data(as_text=True)
    assert "0 results for" in page and data["mode_note"] in page
    assert data["closest"] == [] and "Closest in meaning" not in page
    assert "Related by meaning" not in page
    data = client.get("/api/search", query_string={"q": "BCMA"}).get_json()
    assert data["total"] == 3 and data["mode"] == "keyword" and data["closest"] == []
    page = client.get("/", query_string={"q": "BCMA"}).get_data(as_text=True)
    assert "3 results for" in page and data["mode_note"] in page
    assert "Related by meaning" not in page and "Match words only" not in page


@pytest.mark.parametrize("query, codes", [
    ("BCMA", True), ("CD7 CAR-T", True), ("bcma CAR-T", True), ("What is HSCT?", True),
    ("DIABETES", False), ("HNPP", False), ("BCMA relapse", False), ("hepatitis B", False),
    ("CD19 CAR T", True), ("BCMA CAR T cells", False),  # CAR T, typed apart, is CAR-T
    ("HEPATITIS B", False), ("T-CELL", False), ("ALL", True), ("PET CD7", True),
])
def test_only_codes_and_known_acronyms_make_a_query_of_names(query, codes):
    # a word in capitals the vocabulary does not know ("DIABETES", "T-CELL") is read as the
    # word, and by the model
    assert names_only(readings(query)) is codes


@needs_extra
def test_an_unrelated_query_finds_nothing_by_meaning(built):
    results = SearchIndex(built[1]).search("parking garage fees", mode="hybrid")
    assert results.mode == "hybrid" and results.total == 0 and results.hits == []
    assert results.closest == []  # nothing is even loosely related


# No word in common with any pair, and under the similarity floor (0.35) to the iron one.
LOOSELY_RELATED = "feeling tired and pale"


@needs_extra
def test_when_nothing_matches_the_pairs_closest_in_meaning_are_offered_apart(built):
    index = SearchIndex(built[1], cache_size=0)
    results = index.search(LOOSELY_RELATED, mode="hybrid")
    assert results.total == 0 and results.hits == []
    assert [hit.question for hit in results.closest] == [IRON[0][0]]
    lead = results.closest[0]
    assert lead.by_meaning and 0.2 <= lead.score < 0.35
    assert lead.answer_html.startswith("Oral iron") and "<mark" not in lead.answer_html
    # only when nothing matches, only in hybrid mode, within the filters, and can be off
    assert index.search("iron tablets").closest == []
    assert index.search(LOOSELY_RELATED, mode="keyword").closest == []
    assert index.search(LOOSELY_RELATED, filters={"interviewee": "Dr. Jenner"}).closest == []
    assert SearchIndex(built[1], hybrid=Hybrid(closest=1.0)).search(
        LOOSELY_RELATED).closest == []


@needs_extra
def test_one_word_lists_only_the_pairs_holding_it_and_else_the_closest_apart(built):
    # MedQuAD: "haploidentical" listed hemifacial microsomia first, above the pairs that say
    # it, and "teclistamab", which no pair names, 53 pairs from sacrococcygeal teratoma on
    index = SearchIndex(built[1], cache_size=0)
    results = index.search("immunisation", mode="hybrid")  # in no pair: near the vaccine ones
    assert results.mode == "hybrid" and results.total == 0 and results.hits == []
    assert {hit.question for hit in results.closest} >= {q for q, _a in VACCINES}
    results = index.search("vaccines", mode="hybrid")
    assert results.total == 2 and not any(hit.by_meaning for hit in results.hits)
    # more words are fused as before: pairs found by meaning alone are results
    assert any(hit.by_meaning for hit in index.search("immunisation schedule").hits)


@pytest.mark.parametrize("text, lone", [
    ("haploidentical", True), ("What is haploidentical?", True), ("CAR-T", True),
    ("leuk*", True), ("haploidentical transplant", False), ("the", False),
])
def test_one_word_is_one_searched_word(text, lone):
    assert one_word(readings(text)) is lone


@needs_extra
def test_hybrid_respects_filters_and_counts_meaning_hits_in_facets(built):
    index = SearchIndex(built[1])
    results = index.search(PARAPHRASE, filters={"interviewee": "Dr. Blood"})
    assert all(hit.interviewee == "Dr. Blood" for hit in results.hits)
    everything = index.search(PARAPHRASE)
    counts = {v["value"]: v["count"] for v in everything.facets["interviewee"]}
    assert counts.get("Dr. Jenner", 0) >= 1
    assert sum(counts.values()) == everything.total


@needs_extra
def test_meaning_hits_are_counted_when_whoosh_scores_the_query(built, monkeypatch):
    """Queries FastScorer leaves to Whoosh's collectors have facet counts in plain dicts."""
    monkeypatch.setattr("indexer.search.FastScorer.scores", lambda self, query: None)
    results = SearchIndex(built[1], cache_size=0).search(PARAPHRASE + " fluids")
    counts = {v["value"]: v["count"] for v in results.facets["interview"]}
    assert counts == {"running": 1, "vaccines": results.total - 1}  # by words, by meaning
    assert results.mode == "hybrid" and results.total >= 2
    assert any(hit.by_meaning for hit in results.hits)


@needs_extra
def test_query_syntax_is_keyword_only_and_says_so(built):
    results = SearchIndex(built[1]).search('"measles vaccine" OR rubeola', mode="hybrid")
    assert results.mode == "keyword" and "exact matching" in results.mode_note
    assert [hit.by_meaning for hit in results.hits] == [False]


@needs_extra
@pytest.mark.parametrize("damage", ["truncated", "rows", "order", "description"])
def test_damaged_embeddings_fall_back_to_keyword_search(built, damage):
    index_dir = built[1]
    path = store.build_path(index_dir, store.current_build(index_dir))
    meta, mapped = dense.load(path)
    matrix = mapped.copy()  # the file is about to change under the memory map
    del mapped
    if damage == "truncated":
        (path / dense.MATRIX).write_bytes((path / dense.MATRIX).read_bytes()[:200])
    elif damage == "rows":
        dense.save(path, meta["model"], meta["ids"][:-1], meta["digests"][:-1], matrix[:-1])
    elif damage == "order":
        dense.save(path, meta["model"], meta["ids"][::-1], meta["digests"][::-1], matrix[::-1])
    else:
        (path / dense.META).write_text("{not json", encoding="utf-8")
    index = SearchIndex(index_dir)
    results = index.search("measles vaccine", mode="hybrid")
    assert results.mode == "keyword" and "embeddings" in results.mode_note
    assert results.hits[0].question.startswith("When should children")
    assert index.modes()["default"] == "keyword"


@needs_extra
def test_paging_in_hybrid_mode_is_consistent(built):
    index = SearchIndex(built[1], cache_size=0)
    whole = [h.id for h in index.search("vaccines iron fluids", per_page=10).hits]
    paged = [h.id for page in (1, 2, 3, 4) for h in
             index.search("vaccines iron fluids", per_page=1, page=page).hits]
    assert paged == whole[:4] and len(set(whole)) == len(whole)


def test_hybrid_settings_are_checked():
    with pytest.raises(ValueError, match="weight"):
        Hybrid(weight=1.5)
    with pytest.raises(ValueError, match="depth"):
        Hybrid(depth=0)
    with pytest.raises(ValueError, match="closest"):
        Hybrid(closest=1.5)
    with pytest.raises(ValueError, match="mode"):
        SearchIndex("nowhere", mode="semantic")


# --- CLI, pages and API ----------------------------------------------------------------


@needs_extra
def test_cli_build_search_stats_and_no_embeddings(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    runner = CliRunner()
    index = ["--index", str(tmp_path / "index")]
    result = runner.invoke(cli, [*index, "build", str(corpus)])
    assert result.exit_code == 0 and "4 embedded, 0 reused" in result.output
    result = runner.invoke(cli, [*index, "stats"])
    assert "Hybrid:     yes" in result.output
    result = runner.invoke(cli, [*index, "search", PARAPHRASE])
    assert "hybrid)" in result.output and "(found by meaning)" in result.output
    result = runner.invoke(cli, [*index, "search", "--mode", "keyword", PARAPHRASE])
    assert result.output.startswith("0 pairs") and "keyword)" in result.output
    result = runner.invoke(cli, [*index, "search", LOOSELY_RELATED])
    assert result.output.startswith("0 pairs") and "Closest in meaning" in result.output
    assert IRON[0][0] in result.output
    result = runner.invoke(cli, [*index, "build", "--no-embeddings", str(corpus)])
    assert result.exit_code == 0 and "embedded" not in result.output
    result = runner.invoke(cli, [*index, "stats"])
    assert "Hybrid:     no (this index has no embeddings" in result.output


@needs_extra
def test_eval_measures_both_modes_and_refuses_hybrid_without_embeddings(built, tmp_path):
    index_dir = built[1]
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"qid": "q1", "summary": PARAPHRASE}) + "\n",
                         encoding="utf-8")
    qrels = tmp_path / "qrels.txt"
    measles = SearchIndex(index_dir).search("measles", mode="keyword").hits[0].id
    qrels.write_text(f"q1 4 {measles}\n", encoding="utf-8")
    figures = {}
    for mode in ("keyword", "hybrid"):
        result = CliRunner().invoke(cli, ["--index", str(index_dir), "eval", "--questions",
                                          str(questions), "--qrels", str(qrels), "--mode",
                                          mode, "--json"])
        report = json.loads(result.output)
        assert report["mode"] == mode
        figures[mode] = report["metrics"]["ndcg@10"]
    assert figures == {"keyword": 0.0, "hybrid": 1.0}
    store.build(index_dir, [built[0]], embeddings=False)
    result = CliRunner().invoke(cli, ["--index", str(index_dir), "eval", "--questions",
                                      str(questions), "--qrels", str(qrels), "--mode", "hybrid"])
    assert result.exit_code != 0 and "Hybrid mode cannot run" in result.output


@needs_extra
def test_api_and_page_report_and_switch_the_mode(built):
    app = create_app({"INDEX_DIR": str(built[1]), "TESTING": True})
    client = app.test_client()
    data = client.get("/api/search", query_string={"q": PARAPHRASE}).get_json()
    assert data["mode"] == "hybrid" and data["results"][0]["by_meaning"] is True
    data = client.get("/api/search", query_string={"q": PARAPHRASE, "mode": "keyword"}).get_json()
    assert data["mode"] == "keyword" and data["total"] == 0
    page = client.get("/", query_string={"q": PARAPHRASE}).get_data(as_text=True)
    assert "Related by meaning" in page and "mode=keyword" in page
    page = client.get("/", query_string={"q": PARAPHRASE, "mode": "keyword"}).get_data(
        as_text=True)
    assert "Also match meaning" in page and 'name="mode" value="keyword"' in page
    assert "/api/search?q=" in page and "mode=keyword" in page
    data = client.get("/api/search", query_string={"q": LOOSELY_RELATED}).get_json()
    assert data["total"] == 0 and data["results"] == []
    assert [hit["question"] for hit in data["closest"]] == [IRON[0][0]]
    page = client.get("/", query_string={"q": LOOSELY_RELATED}).get_data(as_text=True)
    assert "No answers match" in page and "Closest in meaning" in page and IRON[0][0] in page
    response = client.get("/api/search", query_string={"q": "x", "mode": "semantic"})
    assert response.status_code == 400 and "mode parameter" in response.get_json()["error"]


def test_app_settings_choose_the_mode_and_are_checked(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path), "SEARCH_MODE": "keyword",
                      "HYBRID_WEIGHT": 0.25, "HYBRID_DEPTH": 50})
    index = app.extensions["qa_index"]
    assert index.mode == "keyword" and index.hybrid == Hybrid(weight=0.25, depth=50)
    for bad in ({"SEARCH_MODE": "semantic"}, {"HYBRID_WEIGHT": "0.5"},
                {"HYBRID_DEPTH": 0}, {"HYBRID_SIMILARITY": 2}, {"HYBRID_CLOSEST": -2}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            create_app({"INDEX_DIR": str(tmp_path), **bad})


def test_without_the_extra_builds_and_searches_are_keyword_only(tmp_path):
    """In a process where numpy cannot be imported, builds write no embeddings and every
    search (hybrid asked for or not) answers by keywords, saying why when asked."""
    corpus = write_corpus(tmp_path / "corpus")
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from indexer import store\n"
            "from indexer.search import SearchIndex\n"
            f"report = store.build({str(tmp_path / 'index')!r}, [{str(corpus)!r}])\n"
            "index = SearchIndex(report and " + repr(str(tmp_path / "index")) + ")\n"
            "auto = index.search('measles vaccine')\n"
            "asked = index.search('measles vaccine', mode='hybrid')\n"
            "print(report.embeddings, auto.mode, auto.mode_note, auto.total)\n"
            "print(asked.mode, asked.mode_note)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == "None keyword None 2"
    assert second.startswith("keyword Keyword search only: the semantic extra is not installed")


@needs_extra
def test_hybrid_embeds_the_query_with_its_synonyms(built, monkeypatch):
    embedded = recording_embeddings(monkeypatch)
    index = SearchIndex(built[1], cache_size=0)
    index.search("rubeola shots", mode="hybrid")
    index.search("rubeola shots", mode="hybrid", expand=False)
    assert embedded == ["rubeola shots (measles)", "rubeola shots"]


@needs_extra
def test_hybrid_embeds_a_prefix_as_its_commonest_word(built, monkeypatch):
    # "vacc*" starts vaccine (3 pairs) and vaccines (2, the same term: the plain form is
    # embedded); "leuk" alone came nearest to leukodystrophy in MedQuAD, not leukemia
    embedded = recording_embeddings(monkeypatch)
    index = SearchIndex(built[1], cache_size=0)
    index.search("vacc* after chemo*", mode="hybrid")
    index.search("zzyq* after iron", mode="hybrid")  # starts no word: the start itself
    assert embedded == ["vaccine after chemotherapy", "zzyq after iron"]


def recording_embeddings(monkeypatch) -> list[str]:
    """The texts hybrid search embeds for queries, in order (the real vectors still made)."""
    embedded = []
    real = dense.query_vector
    monkeypatch.setattr(dense, "query_vector", lambda text: embedded.append(text) or real(text))
    return embedded


@needs_extra
def test_related_questions_are_the_nearest_in_meaning_with_a_keyword_fallback(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_interview(corpus, "metformin.txt", [
        ("How should metformin be taken and what is the dose?", "With meals, twice a day."),
        ("Who should get metformin and why is it prescribed?", "Adults with type 2 diabetes."),
        ("What are the side effects of metformin?", "Nausea and diarrhoea at first.")],
        title="Metformin")
    write_interview(corpus, "zolmitriptan.txt", [
        ("How should zolmitriptan be taken and what is the dose?", "At the start of a migraine.")],
        title="Zolmitriptan")
    write_interview(corpus, "migraine.txt", [
        ("How long do migraines last?", "From four hours to three days.")], title="Migraine")
    store.build(tmp_path / "index", [corpus], embeddings=True)
    index = SearchIndex(tmp_path / "index")
    # the same drug before the same template; a question about something else is not related
    assert [r["id"] for r in index.related("metformin-1")] == [
        "metformin-2", "metformin-3", "zolmitriptan-1"]
    assert [r["id"] for r in index.related("metformin-2")] == ["metformin-1", "metformin-3"]
    keyword = SearchIndex(tmp_path / "index", mode="keyword").related("metformin-1")
    assert keyword and "metformin-1" not in [r["id"] for r in keyword]  # more-like-this


@needs_extra
def test_related_questions_are_not_favoured_for_sharing_an_interview(tmp_path):
    """Each pair is embedded with its interview's title, so the other pairs of its interview
    looked nearer to it than another interview's pair on the same topic: the hepatitis B
    question was related to stage I myeloma and HSCT before the other hepatitis B question."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_interview(corpus, "myeloma.txt", [
        ("Which patients with relapsed myeloma should be referred for BCMA CAR-T?",
         "Those with three prior lines of therapy."),
        ("How do you screen for hepatitis B before CAR-T or autologous HSCT?",
         "Surface antigen and core antibody for everyone."),
        ("Does autologous HSCT still have a role now that CAR-T is available?",
         "Yes, for fit patients in first line."),
        ("What about stage I disease, or smoldering myeloma?", "We watch and wait."),
        ("Do patients need hepatitis A vaccination before treatment?", "Only when not immune.")],
        title="BCMA-directed therapy in multiple myeloma: an interview with Dr. Maria Lopez")
    write_interview(corpus, "infections.txt", [
        ("Is hepatitis B a contraindication to transplant?", "No, with antiviral prophylaxis."),
        ("Which vaccines are given after allogeneic transplant?", "Inactivated ones first.")],
        title="Infections after transplant: Dr. Amina Diallo")
    store.build(tmp_path / "index", [corpus], embeddings=True)
    related = [r["id"] for r in SearchIndex(tmp_path / "index").related("myeloma-2")]
    assert related[0] == "infections-1"
