"""The query pipeline: question mode, power syntax, synonyms, highlighting, suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_interview
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from webapp_support import make_app

from indexer import highlight
from indexer import prefix
from indexer import store
from indexer import vocabulary
from indexer.query import QueryError
from indexer.query import absent_notice
from indexer.query import asked_findings
from indexer.query import findings
from indexer.query import marks
from indexer.query import parse
from indexer.query import parser
from indexer.query import readings
from indexer.query import split_words
from indexer.query import syntax_tree
from indexer.query import unshout
from indexer.search import SearchIndex
from indexer.spelling import Words
from indexer.spelling import edit_distance

SEED_CD7 = "he-huang-cellular-immunotherapy-1"


def new_corpus(tmp_path_factory, name: str) -> Path:
    """An empty corpus folder in a fresh directory named after `name`."""
    corpus = tmp_path_factory.mktemp(name) / "corpus"
    corpus.mkdir()
    return corpus


def indexed(corpus: Path, **build) -> SearchIndex:
    """The corpus built into an index beside it, and a SearchIndex over it."""
    store.build(corpus.parent / "index", [corpus], **build)
    return SearchIndex(corpus.parent / "index")


def one_pair_each(tmp_path_factory, name: str, pairs: dict[str, tuple[str, str]]) -> SearchIndex:
    """A keyword index of one interview per pair, each file named after its key (so the
    pair ids are "key-1")."""
    corpus = new_corpus(tmp_path_factory, name)
    for key, pair in pairs.items():
        write_interview(corpus, f"{key}.txt", [pair])
    return indexed(corpus, embeddings=False)


def top(index, text: str, **kwargs) -> str | None:
    hits = index.search(text, **kwargs).hits
    return hits[0].id if hits else None


def test_whole_question_finds_the_cd7_pair_first(seed_index):
    assert top(seed_index, "What is the role of CD7 CAR-T in T-cell ALL?") == SEED_CD7


@pytest.mark.parametrize("text", ["BCMA", "bcma", "B cell maturation antigen",
                                  "b-cell maturation antigen"])
def test_bcma_and_its_expansion_find_the_bcma_pair(seed_index, text):
    results = seed_index.search(text)
    assert results.hits[0].id == SEED_CD7
    assert "BCMA" in results.hits[0].answer


def test_expansions_are_listed_and_highlighted(seed_index):
    results = seed_index.search("BCMA")
    assert results.expansions == ["B cell maturation antigen"]
    html = results.hits[0].answer_html
    assert '<mark class="match">B cell maturation antigen</mark>' in html
    assert '<mark class="match">BCMA</mark>' in html


def test_expansion_can_be_turned_off(seed_index):
    results = seed_index.search("BCMA", expand=False)
    assert results.expansions == []
    assert "maturation antigen</mark>" not in results.hits[0].answer_html


def test_synonyms_work_both_ways():
    assert "acute myeloid leukemia" in parse("AML").expansions
    assert "AML" in parse("acute myeloid leukemia").expansions
    assert "HSCT" in parse("stem cell transplantation").expansions
    assert parse("all patients").expansions == []  # lower-case all is not the leukemia
    # a compound name matches however its parts are typed
    for typed in ("allo HSCT", "allo-hsct", "Allo-HSCT"):
        assert "allogeneic stem cell transplantation" in parse(typed).expansions


def test_lay_and_clinical_names_of_a_finding_expand_both_ways_never_to_the_opposite():
    assert "thrombocytopenia" in parse("low platelets after chemo").expansions
    assert "low platelet count" in parse("thrombocytopenia after chemo").expansions
    assert "hyperkalemia" in parse("high potassium").expansions
    assert "hypokalemia" not in parse("high potassium").expansions
    assert "hypoglycemia" in parse("low blood sugar in newborns").expansions
    assert "hyperglycemia" not in parse("low blood sugar in newborns").expansions
    assert "difficulty swallowing" in parse("dysphagia").expansions


@pytest.mark.parametrize("text", ["low sodium diet", "foods high in potassium",
                                  "low potassium diet for CKD", "drinks high in calcium",
                                  "high cholesterol foods", '"low sodium" diet'])
def test_a_level_of_what_is_eaten_searches_no_finding(text):
    # "low sodium diet" also searched hyponatremia, a low sodium in the blood
    parsed = parse(text)
    named = {expression for group in vocabulary.finding_groups() for expression in group}
    assert not named & set(parsed.expansions) and not named & set(parsed.synonyms)


def test_a_food_query_still_expands_names_and_findings_no_food_has():
    assert "chronic kidney disease" in parse("low potassium diet for CKD").expansions
    assert "acute myeloid leukemia" in parse("eating well during AML treatment").expansions
    assert "thrombocytopenia" in parse("foods for low platelets").expansions
    assert "hypoglycemia" in parse("low blood sugar diet").expansions
    assert "hyponatremia" in parse("low sodium in older adults").expansions  # no food


def test_findings_are_the_vocabularys_lay_levels_of_what_is_also_eaten():
    groups = vocabulary.finding_groups()
    assert ["hyponatremia", "low sodium"] in groups
    assert all(group in vocabulary.synonym_groups() for group in groups)  # expanded as such
    for group in groups:  # each names a raised or lowered level
        assert any(findings(expression) for expression in group), group
    assert not any("platelet" in " ".join(group) for group in groups)


def test_the_vocabulary_reads_a_findings_section(tmp_path):
    file = tmp_path / "vocabulary.txt"
    file.write_text("[synonyms]\nCKD | chronic kidney disease\n"
                    "[findings]\nhyponatremia | low sodium\n", encoding="utf-8")
    loaded = vocabulary.load(file)
    assert loaded["findings"] == [["hyponatremia", "low sodium"]]
    assert loaded["synonyms"] == [["CKD", "chronic kidney disease"], ["hyponatremia", "low sodium"]]


@pytest.fixture(scope="module")
def sodium_index(tmp_path_factory) -> SearchIndex:
    """A pair about a low sodium diet, and one about hyponatremia."""
    corpus = new_corpus(tmp_path_factory, "sodium")
    write_interview(corpus, "diet.txt", [
        ("What is a low sodium diet?", "A low sodium diet limits salt to protect the heart.")])
    write_interview(corpus, "hyponatremia.txt", [
        ("What is hyponatremia?", "Hyponatremia is a blood level under 135 mmol/L.")])
    return indexed(corpus, embeddings=False)


def test_a_diet_query_finds_no_pair_through_a_finding(sodium_index):
    results = sodium_index.search("low sodium diet", mode="keyword")
    assert results.expansions == []
    assert [hit.interview_id for hit in results.hits] == ["diet"]
    results = sodium_index.search("low sodium", mode="keyword")
    assert results.expansions == ["hyponatremia"]
    assert [hit.interview_id for hit in results.hits] == ["diet", "hyponatremia"]
    # nor leaves one out: excluding hyponatremia kept no pair that says "low sodium"
    assert found(sodium_index, "sodium diet -hyponatremia") == ["diet"]


def test_a_name_typed_in_lower_case_expands_like_the_name():
    for typed in ("aml relapse", "Aml relapse", "AML relapse"):
        assert "acute myeloid leukemia" in parse(typed).expansions
    assert "graft-versus-host disease" in parse("gvhd after transplant").expansions
    assert "minimal residual disease" in parse("mrd negative").expansions


@pytest.mark.parametrize("word, meaning", [("pet", "positron emission tomography"),
                                           ("aids", "acquired immunodeficiency syndrome"),
                                           ("ms", "multiple sclerosis"),
                                           ("os", "overall survival"),
                                           ("hcl", "hairy cell leukemia")])
def test_a_capitals_only_name_expands_only_in_capitals(word, meaning):
    assert meaning not in parse(f"hearing {word} and ward visits").expansions
    assert meaning in parse(f"hearing {word.upper()} and ward visits").expansions


def test_a_capital_letter_typed_apart_is_searched_with_its_word(tmp_path_factory):
    corpus = new_corpus(tmp_path_factory, "letters")
    write_interview(corpus, "a.txt", [
        ("Who needs hepatitis B prophylaxis?", "Entecavir before CAR-T therapy."),
        ("What about hepatitis C?", "Treat it first."),
        ("Which tumors respond?", "B-lineage and T-lineage hematological tumors."),
        ("How do T cells kill?", "Cytotoxic T cells recognise the antigen."),
    ])
    index = indexed(corpus)

    def found(text):
        return sorted(hit.id for hit in index.search(text, mode="keyword", expand=False).hits)

    assert found("hepatitis B") == ["a-1"]  # not hepatitis C, not B-lineage
    assert found("CAR T") == found("CAR-T") == found("CART") == ["a-1"]  # not T-lineage
    assert found("T cell") == found("T-cell") == ["a-4"]
    reading = index.search("hepatitis B", mode="keyword").readings
    assert [(r.word, r.parts) for r in reading] == [("hepatitis B", ("hepatitis", "B"))]
    # and so in power-user text, outside quotes: "hepatitis B -C" searched a lone B
    assert found("hepatitis B -C") == found("hepatitis B AND prophylaxis") == ["a-1"]
    assert found("T cell -lymphoma") == found("T cell OR nothing") == ["a-4"]
    assert found('"tumors vanish" OR hepatitis B') == ["a-1"]
    assert found("Which tumors -hepatitis B") == ["a-3"]  # the excluded name is the phrase


def test_a_and_i_after_a_lettered_word_name_the_kind(tmp_path_factory):
    # A and I are English words, not indexed: "hepatitis A" searched hepatitis alone and
    # listed hepatitis B first as often as not; "type I diabetes" lost its I
    corpus = new_corpus(tmp_path_factory, "lettered")
    write_interview(corpus, "a.txt", [
        ("How does hepatitis A spread?", "Hepatitis A spreads through food and water."),
        ("How does hepatitis B spread?", "Hepatitis B spreads through blood."),
        ("Who gets type I diabetes?", "Mostly children: type I diabetes is autoimmune."),
        ("What type of insulin?", "I think long-acting insulin, a type I trust."),
        ("What did the A team find?", "As I said, a type of diabetes we had not seen."),
    ])
    index = indexed(corpus)

    def found(text, expand=False):
        return [hit.id for hit in index.search(text, mode="keyword", expand=expand).hits]

    assert found("hepatitis A") == found("Hepatitis-A") == found('"hepatitis A"') == ["a-1"]
    assert found("HEPATITIS A FOR EVERYONE") == ["a-1"]  # caps lock
    # "I" may be the pronoun ("what type I need"): the word stays searched on its own, and
    # the pairs naming type I come first
    assert found("type I diabetes")[:1] == ["a-3"]
    assert set(found("type I")) == {"a-3", "a-4", "a-5"} and found("type I")[0] == "a-3"
    assert found('"type I diabetes"') == ["a-3"]
    assert found("A team") == found("team")  # elsewhere A and I are words, not searched
    # the vocabulary knows type I diabetes as type 1 diabetes, T1D, ...
    assert "type 1 diabetes" in index.search("type I diabetes", mode="keyword").expansions
    assert found("T1D", expand=True) == ["a-3"]
    marked = index.search("hepatitis A", mode="keyword").hits[0].answer_html
    assert '<mark class="match">Hepatitis A</mark>' in marked


def test_a_capitals_only_name_in_capitals_does_not_match_the_word(tmp_path_factory):
    # "PET scan" opened on pet health and "AIDS" listed hearing aids (MedQuAD)
    corpus = new_corpus(tmp_path_factory, "capitals")
    write_interview(corpus, "a.txt", [
        ("When is a PET scan useful?", "A PET scan stages lymphoma before CAR-T therapy."),
        ("Do pets help patients?", "Pets lower stress; so do hearing aids for older people."),
        ("What changed for people with AIDS?", "AIDS is now a chronic condition."),
    ])
    index = indexed(corpus)

    def found(text):
        return sorted(hit.id for hit in index.search(text, mode="keyword").hits)

    assert found("PET scan") == found("PET") == ["a-1"]
    assert found("pets") == found("pet") == ["a-2"]
    assert found("AIDS") == ["a-3"] and found("hearing aids") == found("aids") == ["a-2"]
    assert found("CART") == found("CAR-T") == found("car-t") == ["a-1"]
    assert ">PET</mark> scan" in index.search("PET", mode="keyword").hits[0].answer_html


def test_an_acronym_apart_from_a_word_or_its_stem_finds_only_itself(tmp_path_factory):
    # MedQuAD: "US" found 5,498 pairs, of "use", "used" and "using" (Porter's "us"), "KIT
    # mutation" opened on first aid kits and "ET" on "et al."; "ABL" met every "able"
    index = one_pair_each(tmp_path_factory, "apart", {
        "gist": ("Which GIST respond to imatinib?", "Those with a KIT mutation in exon 11."),
        "cml": ("What drives CML?", "The BCR-ABL fusion; ABL kinase domain mutations resist."),
        "mpn": ("How is ET treated?", "ET is treated with hydroxyurea or aspirin."),
        "words": ("Were patients able to use the kit?", "We used it, as Smith et al. did."),
        "trial": ("Where did the trial run?", "In the US and in Europe."),
    })

    def found(text):
        return sorted(hit.id for hit in index.search(text, mode="keyword").hits)

    assert found("KIT") == ["gist-1"] and found("kit") == ["words-1"]
    assert found("ABL") == found("BCR-ABL") == ["cml-1"] and found("able") == ["words-1"]
    assert found("ET") == found("essential thrombocythemia") == ["mpn-1"]
    assert found("US") == ["trial-1"] and found("used") == ["words-1"]


def test_a_word_in_capitals_finds_the_word_in_any_form_and_as_written(tmp_path_factory):
    # "DIABETES" and "HEPATITIS B" found only the few pairs that write them in capitals
    # (MedQuAD: 4 and 0 pairs, against 1,076 and 65 in lower case)
    index = one_pair_each(tmp_path_factory, "shouted", {
        "sugar": ("How is diabetes treated?", "Diabetes treatments include insulin."),
        "panel": ("What does the DIABETES SCREENING panel test?", "Fasting glucose."),
        "liver": ("Who needs hepatitis B vaccines?", "Adults with liver disease."),
        "poems": ("What is POEMS syndrome?", "POEMS syndrome is a rare plasma cell disorder."),
        "verse": ("Which poems did she write?", "She wrote poems about the ward."),
    })

    def found(text):
        return [hit.id for hit in index.search(text, mode="keyword").hits]

    assert sorted(found("DIABETES")) == ["panel-1", "sugar-1"]
    assert found("diabetes") == ["sugar-1"]  # "DIABETES" in capitals is indexed as written
    assert found("HEPATITIS B") == found("hepatitis B") == ["liver-1"]
    # an acronym the vocabulary does not know still finds what names it in capitals
    assert sorted(found("POEMS")) == ["poems-1", "verse-1"] and found("poems") == ["verse-1"]
    assert found("DIABETES -insulin") == ["panel-1"] and found("DIABETES AND glucose") == [
        "panel-1"]  # and so in power-user text
    assert found("insulin -DIABETES") == []  # an excluded word in capitals: any form too
    html = {hit.id: hit.question_html for hit in index.search("DIABETES").hits}
    assert ">diabetes</mark>" in html["sugar-1"] and ">DIABETES</mark>" in html["panel-1"]
    (reading,) = index.search("DIABETES").readings
    assert (reading.word, reading.how) == ("DIABETES", "word")


@pytest.mark.parametrize("typed, how", [
    ("DIABETES", "word"), ("HEPATITIS B", "word"), ("HNPP", "word"), ("T-CELL", "word"),
    ("ALL", "name"), ("AML", "name"), ("CD7", "name"), ("BCMA", "name"), ("HSCT", "name"),
    ("MDS", "name"), ("PET", "name"), ("AIDS", "name"), ("IT", "name"), ("US", "name"),
    ("CAR T", "name"), ("HELP", "skipped"),
])
def test_readings_say_a_word_in_capitals_is_the_word_and_acronyms_names(typed, how):
    (reading,) = readings(typed)
    assert reading.how == how


def test_the_vocabulary_refuses_a_capitals_only_line_it_cannot_use(tmp_path):
    file = tmp_path / "vocabulary.txt"
    file.write_text("[synonyms]\nPET | positron emission tomography\n"
                    "[capitals-only]\npet\n", encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match=r"vocabulary.txt:4: .*'pet'"):
        vocabulary.load(file)
    file.write_text("[synonyms]\nPET-CT | positron emission tomography-computed tomography\n"
                    "[capitals-only]\nPET-CT\n", encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match="one word of letters and digits"):
        vocabulary.load(file)


@pytest.mark.parametrize("text", ["What is CAR-T?", "CAR-T!", "(CAR-T)", "CAR-T: why?",
                                  '"CAR-T', "CAR-T AND", "OR CAR-T NOT", "CAR-T ~ ^ [ ] { }"])
def test_punctuation_never_errors_and_still_finds(seed_index, text):
    assert top(seed_index, text) == SEED_CD7


def test_trailing_question_mark_is_not_a_wildcard():
    assert "Wildcard" not in repr(parse("What is CAR-T?").query)


def test_exclusion_and_phrases(seed_index):
    assert seed_index.search('"haploidentical hematopoietic"').total == 1
    assert seed_index.search('"hematopoietic haploidentical"').total == 0
    assert SEED_CD7 not in [h.id for h in seed_index.search("leukemia -CD7").hits]
    assert parse("leukemia -CD7").expansions == []


def test_field_syntax(seed_index):
    assert seed_index.search("question:BCMA").total == 0
    assert seed_index.search("answer:BCMA").total == 2


@pytest.fixture(scope="module")
def exclusions_index(tmp_path_factory) -> SearchIndex:
    """One pair per interview (named as below), for what -term and NOT leave out."""
    pairs = {
        "children": ("Which vaccines do children need?", "Children get the measles vaccine."),
        "adults": ("Which vaccines do adults need?", "Adults need a tetanus booster."),
        "travel": ("Which vaccines before travel?", "Yellow fever vaccines protect on travel."),
        "schedule": ("When is immunization due?", "Immunization of children starts early."),
        "aml": ("How is AML treated?", "AML is a leukemia treated with chemotherapy."),
        "aml-spelled": ("What is acute myeloid leukemia?", "Acute myeloid leukemia is a cancer."),
        "cll": ("What is chronic lymphocytic leukemia?", "CLL is a slow leukemia."),
        "anll": ("What does ANLL stand for?", "ANLL is an older name of the same disease."),
        "metformin": ("How is metformin taken?", "Metformin is taken with meals."),
        "combined": ("Can metformin be combined?", "Metformin is combined with glibenclamide."),
        "myths": ("Is the flu shot not safe?", "It is safe: it does not cause flu."),
    }
    return one_pair_each(tmp_path_factory, "exclusions", pairs)


def found(index: SearchIndex, text: str, **kwargs) -> list[str]:
    return [hit.interview_id for hit in index.search(text, mode="keyword", **kwargs).hits]


@pytest.mark.parametrize("text, expected", [
    ("vaccines NOT children", {"adults", "travel"}),
    ("vaccines travel NOT children", {"adults", "travel"}),  # a b NOT c
    ("vaccines NOT children NOT adults", {"travel"}),  # a NOT b NOT c
    ("(vaccines OR immunization) NOT children", {"adults", "travel"}),  # schedule: children
    ("vaccines AND travel NOT children", {"travel"}),
])
def test_not_leaves_out_what_it_names_as_minus_does(exclusions_index, text, expected):
    # Whoosh read "X NOT Y" as X OR (NOT Y): nearly every pair, those with Y among them
    assert set(found(exclusions_index, text)) == expected
    assert found(exclusions_index, text) == found(exclusions_index, text.replace("NOT ", "-"))


@pytest.mark.parametrize("text", ["vaccines AND (NOT children)", "(NOT children) AND vaccines",
                                  "vaccines (NOT children)", "vaccines (NOT children NOT travel)"])
def test_a_not_in_brackets_still_leaves_out(exclusions_index, text):
    # a bracketed group of NOTs alone had become an empty query and was dropped
    assert "children" not in found(exclusions_index, text)
    assert found(exclusions_index, text)


@pytest.mark.parametrize("text, expected", [
    ("(vaccines -children) immunization", {"adults", "travel", "schedule"}),
    ("vaccines -(children OR adults)", {"travel"}),
    ("(vaccines +travel)", {"travel"}),
])
def test_plus_and_minus_work_inside_brackets(exclusions_index, text, expected):
    # Whoosh sorted + and - in the outermost group only: "(vaccines -children)" searched
    # children, and "-(children OR adults)" searched "-" and both words
    assert set(found(exclusions_index, text)) == expected


def test_a_minus_right_after_a_bracket_is_text():
    # clinical shorthand, not syntax: "ER (-ve)" is searched by meaning too
    assert not parse("ER (-ve) breast cancer").exact
    assert split_words("ER (-ve) breast cancer")[1] == []  # nothing excluded


@pytest.mark.parametrize("text", ["chronic -leukemia", "chronic NOT leukemia",
                                  "(chronic -leukemia)"])
def test_an_exclusion_matching_earlier_pairs_still_leaves_out(exclusions_index, text):
    # Whoosh's AndNotMatcher let "cll" through: the excluded word's first pair came first
    assert found(exclusions_index, text) == []


def test_excluded_synonyms_of_a_bracketed_group(exclusions_index):
    assert found(exclusions_index, "leukemia -(AML OR metformin)") == ["cll"]


def test_plus_keeps_its_word_required_beside_synonyms(exclusions_index):
    # "+vaccines AML" listed AML pairs through AML's synonyms, without vaccines
    assert set(found(exclusions_index, "+vaccines AML")) == {"adults", "children", "travel"}


def test_synonyms_an_and_leaves_out_are_not_listed_as_searched():
    # an AND takes no synonyms (they would be optional beside required words), yet with an
    # exclusion after it "also searched" listed "B cell maturation antigen"
    for text in ("BCMA AND relapse", "BCMA AND relapse -children", "BCMA AND relapse NOT AML"):
        assert parse(text).expansions == [] and parse(text).synonyms == []
    assert parse("BCMA relapse -children").expansions == ["B cell maturation antigen"]


def test_a_typo_fix_keeps_the_syntax_around_it(exclusions_index):
    # "vacines AND children" found nothing: its fix was searched as plain words, then dropped
    assert found(exclusions_index, "vacines AND children") == ["children"]
    assert found(exclusions_index, '"yelow fever"') == ["travel"]


def test_a_typo_fix_beside_not_searches_no_operator(exclusions_index):
    # the fix of "vacines NOT children" was searched as "vaccines NOT" with NOT as a word
    assert set(found(exclusions_index, "vacines NOT children")) == {"adults", "travel"}
    assert parse("vacines NOT children", corrected="vaccines NOT children").expansions == [
        "vaccines NOT children"]


def test_power_user_text_is_parsed_once(monkeypatch):
    # split_words() and parse_text() parsed the text each, and every synonym was parsed anew,
    # those excluded too: nine parses for "(CLL -AML) OR myeloma", 14 for a typo beside it
    text, typo, fixed = ("(CLL -AML) OR myeloma", "(lymphomma -AML) OR myeloma",
                         "(lymphoma -AML) OR myeloma")
    parse(text), parse(fixed)  # the vocabulary's phrases are parsed once, when first used
    read = []
    process = parser().process
    monkeypatch.setattr(parser(), "process", lambda t, **kw: read.append(t) or process(t, **kw))
    syntax_tree.cache_clear()
    parse(text)
    parse(typo, corrected=fixed)
    assert read == [text, typo, fixed]


def test_an_excluded_name_leaves_out_its_own_synonyms_not_those_it_contains():
    # T-ALL contains ALL: "leukemia -T-ALL" must not leave out every ALL pair
    query = str(parse("leukemia -T-ALL").query)
    assert "t cell acut lymphoblastic leukemia" in query
    assert "acut lymphocytic leukemia" not in query


def test_not_keeps_the_ranking_of_the_words_searched_for(exclusions_index):
    assert found(exclusions_index, "vaccines travel NOT children") == ["travel", "adults"]


def test_excluded_words_lend_no_synonyms_and_their_synonyms_are_left_out(exclusions_index):
    # synonyms come from the words searched for, never from -word, -"phrase" or NOT word
    for text in ("leukemia -AML", "leukemia NOT AML", 'leukemia -"acute myeloid leukemia"'):
        assert parse(text).expansions == []
    assert parse("metformin -glyburide").expansions == ["Glucophage"]  # not glibenclamide
    # and an excluded name's synonyms are left out with it: "leukemia -AML" leaves out the
    # pair that says "acute myeloid leukemia" too (it came first, found through AML's synonyms)
    assert found(exclusions_index, "leukemia -AML") == ["cll"]
    assert found(exclusions_index, "leukemia NOT AML") == ["cll"]
    assert found(exclusions_index, 'leukemia -"acute myeloid leukemia"') == ["cll"]
    assert found(exclusions_index, "metformin -glyburide") == ["metformin"]  # glibenclamide
    assert set(found(exclusions_index, "leukemia -AML", expand=False)) == {"aml-spelled", "cll"}
    # a typo fix too: a slip in an excluded word adds nothing to what is searched
    assert parse("leukemia -lymphona", corrected="leukemia -lymphoma").expansions == []
    assert parse("leukemea -CD7", corrected="leukemia -CD7").expansions == ["leukemia -CD7"]


@pytest.mark.parametrize("text", ["AML -ANLL", "AML NOT ANLL", "(AML -ANLL)"])
def test_excluding_a_synonym_of_a_word_searched_leaves_out_that_synonym_only(exclusions_index,
                                                                              text):
    # ANLL took its synonyms along, AML among them: nothing was found, and ANLL was still
    # listed as also searched
    assert set(found(exclusions_index, text)) == {"aml", "aml-spelled"}
    assert "ANLL" not in parse(text).expansions and "ANLL" not in parse(text).synonyms
    assert parse(text).synonyms == ["acute myeloid leukemia", "acute myelogenous leukemia",
                                    "acute myeloblastic leukemia",
                                    "acute nonlymphocytic leukemia"]
    # beside an AND too, which takes no synonyms: ANLL alone is left out
    assert str(parse("AML AND relapse NOT ANLL").query).count("acut") == 0


def test_a_synonym_holding_an_excluded_word_is_neither_searched_nor_listed(exclusions_index):
    assert parse("AML -leukemia").expansions == ["ANLL"]
    assert parse('AML -"acute myeloid leukemia"').expansions == [
        "acute myelogenous leukemia", "acute myeloblastic leukemia",
        "acute nonlymphocytic leukemia", "ANLL"]
    assert found(exclusions_index, 'AML -"acute myeloid leukemia"') == ["aml", "anll"]


def test_what_is_excluded_is_not_shown_as_also_searched_on_the_page_or_api(seed_index_dir):
    client = make_app(seed_index_dir).test_client()
    api = client.get("/api/search", query_string={"q": "AML -ANLL"}).get_json()
    assert "ANLL" not in api["expansions"] and "acute myeloid leukemia" in api["expansions"]
    page = client.get("/", query_string={"q": "AML -ANLL"}).get_data(as_text=True)
    assert "Also searched: acute myeloid leukemia" in page and "ANLL." not in page


@pytest.fixture(scope="module")
def scope_index(tmp_path_factory) -> SearchIndex:
    """Lymphoma and myeloma pairs, with and without AML (as the name or spelled out)."""
    pairs = {
        "lymphoma": ("How is lymphoma treated?", "Lymphoma is treated with chemotherapy."),
        "lymphoma-aml": ("Can lymphoma turn into AML?", "Lymphoma therapy can lead to AML."),
        "lymphoma-spelled": ("Can lymphoma turn into leukemia?",
                             "Lymphoma therapy can lead to acute myeloid leukemia."),
        "myeloma": ("How is myeloma treated?", "Myeloma is treated with daratumumab."),
        "myeloma-aml": ("Can myeloma turn into AML?", "Myeloma therapy can lead to AML."),
        "myeloma-spelled": ("Can myeloma turn into leukemia?",
                            "Myeloma therapy can lead to acute myeloid leukemia."),
        "cll-spelled": ("How is chronic lymphocytic leukemia treated?",
                        "Chronic lymphocytic leukemia is often watched first."),
        "cll-spelled-aml": ("Can chronic lymphocytic leukemia turn into AML?",
                            "Rarely, chronic lymphocytic leukemia is followed by AML."),
        "cll-relapse": ("How is relapsed CLL treated?", "Relapsed CLL is treated with venetoclax."),
    }
    return one_pair_each(tmp_path_factory, "scope", pairs)


@pytest.mark.parametrize("text", ["((lymphoma -AML) OR myeloma)", "(lymphoma -AML) OR myeloma",
                                  "myeloma OR (lymphoma -AML)", "(lymphoma -AML) myeloma",
                                  "(lymphoma NOT AML) OR myeloma", "myeloma OR (lymphoma NOT AML)",
                                  "(lymphoma NOT AML) OR (myeloma NOT daratumumab)"])
def test_an_exclusion_in_brackets_leaves_out_its_synonyms_there_only(scope_index, text):
    # AML's synonyms were left out of the whole query (the myeloma pair that says "acute
    # myeloid leukemia" was lost), and "(x NOT y) OR z" left y out of z too, as Whoosh put
    # z inside the brackets
    assert set(found(scope_index, text)) >= {"lymphoma", "myeloma-aml", "myeloma-spelled"}
    assert not set(found(scope_index, text)) & {"lymphoma-aml", "lymphoma-spelled"}


def test_an_exclusion_outside_brackets_still_leaves_out_its_synonyms_everywhere(scope_index):
    for text in ("lymphoma myeloma -AML", "(lymphoma OR myeloma) -AML",
                 "(lymphoma OR myeloma) NOT AML"):
        assert set(found(scope_index, text)) == {"lymphoma", "myeloma"}
    assert set(found(scope_index, "(lymphoma -AML) OR myeloma", expand=False)) == {
        "lymphoma", "lymphoma-spelled", "myeloma", "myeloma-aml", "myeloma-spelled"}


@pytest.mark.parametrize("text", ["(CLL -AML) OR myeloma", "myeloma OR (CLL NOT AML)",
                                  "(CLL -AML) myeloma", "((CLL -AML)) OR myeloma", "CLL -AML",
                                  "myeloma OR (CLL -(AML OR daratumumab))"])
def test_the_synonyms_of_a_word_keep_to_the_exclusions_around_it(scope_index, text):
    # CLL's synonyms were added beside the whole query, outside the brackets that leave out
    # AML: the pair that says "chronic lymphocytic leukemia" and AML was found through them
    hits = set(found(scope_index, text))
    assert "cll-spelled" in hits  # through the synonym, which is still searched
    assert "cll-spelled-aml" not in hits and "chronic lymphocytic leukemia" in parse(text).synonyms


def test_the_synonyms_of_a_word_keep_to_the_and_around_it(scope_index):
    # an AND takes no synonyms, yet in brackets CLL's were OR-ed with the whole query: the
    # pair that says "chronic lymphocytic leukemia" and nothing of relapse was found
    text = "(CLL AND relapse) OR myeloma"
    assert set(found(scope_index, text)) == {"cll-relapse", "myeloma", "myeloma-aml",
                                             "myeloma-spelled"}
    assert parse(text).expansions == []


def test_a_typo_fix_leaves_out_the_synonyms_where_the_exclusion_stands(scope_index):
    assert set(found(scope_index, "(lymphomma -AML) OR myeloma")) >= {"lymphoma",
                                                                     "myeloma-spelled"}
    assert "lymphoma-spelled" not in found(scope_index, "(lymphomma -AML) OR myeloma")


def test_text_the_syntax_cannot_use_still_leaves_out_words_and_synonyms(exclusions_index):
    # a required common word empties Whoosh's query: the words are searched without syntax,
    # and what was excluded was searched for ("-children") or only its synonyms left out
    assert set(found(exclusions_index, "vaccines +the -children")) == {"adults", "travel"}
    assert found(exclusions_index, "leukemia +the -AML") == ["cll"]
    assert set(found(exclusions_index, "leukemia +the -AML", expand=False)) == {"aml-spelled",
                                                                               "cll"}


@pytest.mark.parametrize("text", ["-vaccines", "NOT vaccines", '-"yellow fever"', "the -vaccines",
                                  "NOT vaccines AND NOT children", "AND OR NOT vaccines"])
def test_a_query_of_excluded_words_only_is_refused(text):
    # "-vaccines" was searched as "vaccines": it listed exactly the pairs it meant to leave out
    with pytest.raises(QueryError, match=r"^Nothing to search for: add the words to find; "):
        parse(text)


def test_a_query_of_excluded_words_only_is_a_400_with_the_message(seed_index_dir):
    client = make_app(seed_index_dir).test_client()
    message = "Nothing to search for: add the words to find; -vaccines only leaves pairs out."
    response = client.get("/api/search", query_string={"q": "-vaccines"})
    assert response.status_code == 400 and response.get_json()["error"] == message
    page = client.get("/", query_string={"q": "-vaccines"})
    assert page.status_code == 400 and message in page.get_data(as_text=True)


@pytest.mark.parametrize("text, exact", [
    ("question:metformin", True), ("answer:insulin", True), ('interviewee:"He Huang"', True),
    ("title:CAR-T relapse", True), ("CAR-T -answer:BCMA", True),
    ("Subject: metformin dosage", False), ("Question:metformin", False),  # no field of ours
    ("question: metformin", False), ("dose:5mg metformin", False),
])
def test_naming_a_field_asks_for_exact_matching(text, exact):
    assert parse(text).exact is exact


def test_a_field_query_is_not_widened_by_meaning(seed_index):
    # hybrid mode added the seed's other two pairs, near in meaning, without the word
    results = seed_index.search("question:laboratory", mode="hybrid")
    assert results.mode == "keyword"
    assert [hit.id for hit in results.hits] == ["he-huang-cellular-immunotherapy-2"]


def test_over_long_queries_are_refused():
    with pytest.raises(QueryError, match="limit is 1000"):
        parse("x" * 1001)


def test_empty_and_stop_word_queries_find_nothing(seed_index):
    assert seed_index.search("").total == 0
    assert seed_index.search("the of and").total == 0


@pytest.mark.parametrize("typo, fixed", [("lymphona", "lymphoma"), ("leukemea", "leukemia")])
def test_did_you_mean_uses_indexed_words(seed_index, typo, fixed):
    assert seed_index.search(typo).suggestion == fixed
    assert seed_index.search(f"CD7 {typo}").suggestion == f"CD7 {fixed}"


@pytest.mark.parametrize("typo, fixed", [("leukemai", "leukemia"), ("lymhpoma", "lymphoma")])
def test_a_swap_of_neighbouring_letters_is_one_edit(seed_index, typo, fixed):
    assert seed_index.search(typo).suggestion == fixed


@pytest.mark.parametrize("word", ["pale", "rash", "cost", "toxicity"])
def test_a_real_word_is_not_turned_into_a_distant_one(seed_index, word):
    # two edits in a short word ("pale" -> "path"), or a stem one edit away ("toxic" ->
    # "topic"), change the word, not its spelling: no suggestion and nothing found
    results = seed_index.search(word, mode="keyword")
    assert results.suggestion is None and results.total == 0


def test_no_suggestion_for_known_words_stems_or_names(seed_index):
    assert seed_index.search("hematologic").suggestion is None  # matches by its stem
    assert seed_index.search("BCMAX").suggestion is None  # a name is never corrected


@pytest.fixture
def infections_index(corpus_dir, tmp_path) -> SearchIndex:
    """Rubella in three pairs, and one source typo ("Rubell") one edit from "rubela"."""
    write_interview(corpus_dir, "rubella.txt", [
        ("What is rubella?", "Rubella is a viral rash illness."),
        ("Is rubella dangerous in pregnancy?", "Rubella can harm the unborn child."),
        ("How is rubella prevented?", "The MMR vaccine prevents rubella."),
        ("Who described it?", "Rubell is a misspelling in this source.")])
    store.build(tmp_path / "index", [corpus_dir], embeddings=False)
    return SearchIndex(tmp_path / "index")


def test_a_vocabulary_word_is_never_corrected(infections_index):
    # rubeola is measles, one letter from rubella: searched as measles, not "corrected"
    results = infections_index.search("rubeola")
    assert results.suggestion is None and results.expansions == ["measles"]
    assert results.total == 0


def test_of_equally_close_words_the_commoner_is_suggested(infections_index):
    assert infections_index.search("rubela").suggestion == "rubella"  # not the typo "rubell"


@pytest.fixture
def liver_index(corpus_dir, tmp_path) -> SearchIndex:
    """Hepatitis (indexed as its stem, "hepat", with hepatic) in three pairs; a liver fluke,
    Fasciola hepatica, in one."""
    write_interview(corpus_dir, "liver.txt", [
        ("What is hepatitis B?", "Hepatitis B is a viral infection of the liver."),
        ("How is hepatitis B prevented?", "A vaccine prevents hepatitis B."),
        ("Does hepatitis C damage the liver?", "Yes: hepatic fibrosis can follow."),
        ("What is a liver fluke?", "Fasciola hepatica, a flatworm of sheep and cattle.")])
    store.build(tmp_path / "index", [corpus_dir], embeddings=False)
    return SearchIndex(tmp_path / "index")


@pytest.mark.parametrize("typo", ["hepatits", "hepatitus"])
def test_a_typo_is_measured_against_words_as_written_not_their_stems(liver_index, typo):
    # "hepatitis" is indexed as "hepat", three edits from "hepatits": the word, one edit
    # away, must be the suggestion, not the rarer "hepatica" (two edits)
    results = liver_index.search(typo, mode="keyword")
    assert results.suggestion == "hepatitis"
    assert results.total == 3 and "hepatitis" in results.hits[0].question.lower()


def test_a_typo_beside_other_words_is_fixed_to_the_word_as_written(liver_index):
    results = liver_index.search("hepatits B vaccine", mode="keyword")
    assert results.suggestion == "hepatitis B vaccine"
    assert results.hits[0].question == "How is hepatitis B prevented?"


def test_words_typed_in_searches_are_never_suggested(corpus_dir, tmp_path):
    # "diabeted", typed in a search, stems to "diabet" like the corpus's "diabetes"; a build
    # in the same process (a rebuild from the web app) must not take it for a corpus word
    write_interview(corpus_dir, "sugar.txt", [
        ("What is diabetes?", "Diabetes raises blood sugar."),
        ("Is diabetes inherited?", "Type 1 diabetes runs in families.")])
    first = indexed(corpus_dir, embeddings=False)
    assert first.search("diabeted").suggestion is None  # known by its stem
    again = indexed(corpus_dir, embeddings=False)
    assert again.search("diabetex").suggestion == "diabetes"


def test_an_update_keeps_the_words_of_files_it_did_not_read(corpus_dir, tmp_path):
    write_interview(corpus_dir, "liver.txt", [("What is hepatitis B?", "A viral infection.")])
    store.build(tmp_path / "index", [corpus_dir], embeddings=False)
    write_interview(corpus_dir, "sugar.txt", [("What is diabetes?", "High blood sugar.")])
    store.update(tmp_path / "index", [corpus_dir], embeddings=False)
    index = SearchIndex(tmp_path / "index")
    assert index.search("hepatits").suggestion == "hepatitis"
    assert index.search("diabetis").suggestion == "diabetes"
    (corpus_dir / "liver.txt").unlink()
    store.update(tmp_path / "index", [corpus_dir], embeddings=False)
    assert SearchIndex(tmp_path / "index").search("hepatits").suggestion is None


WORD = st.text("abcdié", min_size=1, max_size=6)  # é and i share a bit of the letter mask


@settings(max_examples=300, deadline=None)
@given(st.lists(WORD, max_size=60), WORD, st.integers(1, 2), st.integers(1, 3))
@example(["ac", "acd"], "ab", 1, 1)  # a letter replaced by a new one: two letters differ
@example(["adi", "abcdi"], "abc", 2, 1)  # two: four letters differ; two letters more
def test_words_within_finds_what_comparing_every_word_finds(words, word, edits, prefix):
    expected = {(w, edit_distance(word, w)) for w in set(words)
                if w.startswith(word[:prefix]) and edit_distance(word, w) <= edits}
    assert set(Words({w: [w] for w in words}).within(word, edits, prefix)) == expected


def test_the_meaning_side_reads_the_synonyms_but_not_a_typo_guess():
    assert parse("rubeola").meaning_text == "rubeola (measles)"
    assert parse("rubeola", expand=False).meaning_text == "rubeola"
    assert parse("lymphona", corrected="lymphoma").meaning_text == "lymphona"


def test_phrases_are_marked_only_where_they_stand():
    found = marks(parse('"B cell maturation antigen"', expand=False))
    text = "B-lineage cells; B cell maturation antigen (BCMA)."
    assert highlight.mark(text, found) == (
        'B-lineage cells; <mark class="match">B cell maturation antigen</mark> (BCMA).')


def test_compounds_are_marked_whole():
    found = marks(parse("CAR-T"))
    assert highlight.mark("CD7 CAR-T and T-lineage", found) == (
        'CD7 <mark class="match">CAR-T</mark> and T-lineage')


def test_highlighting_escapes_text_and_query():
    found = marks(parse("<script>alert(1)</script>"))
    html = highlight.fragments("Do not run <script>alert(1)</script> here.", found)
    assert "<script>" not in html and "</script>" not in html
    assert html.startswith("Do not run &lt;")


def test_fragments_cut_with_ellipses_and_fall_back_to_the_start():
    text = ("Intro sentence about nothing. " * 20 + "The ferritin level matters. "
            + "Closing words here. " * 20)
    html = highlight.fragments(text, marks(parse("ferritin")))
    assert html.startswith("… ") and html.endswith(" …")
    assert '<mark class="match">ferritin</mark>' in html
    assert highlight.fragments(text, marks(parse("absent"))).startswith("Intro sentence")
    assert highlight.fragments("Short answer.", marks(parse("answer"))) == (
        'Short <mark class="match">answer</mark>.')  # no … for a final full stop


def analyzer_tokens(text: str) -> list[tuple[str, int, int, int]]:
    from indexer.analysis import medical_analyzer

    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in medical_analyzer()(text, positions=True, chars=True, mode="index")]


def test_highlight_tokens_are_the_analyzers_on_the_seed_interview():
    from conftest import SEED

    text = SEED.read_text(encoding="utf-8")
    assert highlight.index_tokens(text) == analyzer_tokens(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["CAR-T", "T-cell", "ALL", "all", "the", "IL-6", "CD4+",
                                 "t(9;22)", "BCR-ABL1", "5-FU", "leukaemia", "patients'",
                                 "don't", "U.S.", "COVID-19", "—", "(", ")", ",", "\n\n",
                                 "naïve", "HID-HSCT", "x", "Dr.", "B", "cell", "A", "I",
                                 "type", "hepatitis", "β", "TNF-α"]),
                max_size=30).map(" ".join))
def test_highlight_tokens_are_the_analyzers_for_any_text(text):
    assert highlight.index_tokens(text) == analyzer_tokens(text)


@pytest.mark.parametrize("typed, searched", [
    ("IS IT SAFE TO TAKE ASPIRIN WITH ALL MY PILLS",
     "is it safe to take aspirin with all my pills"),
    ("CAN LIPNODES AND OR LIVER CANCER BE DETECTED",
     "can lipnodes and or liver cancer be detected"),
    ("AML RELAPSE AFTER HSCT WITH CD7 CAR-T", "AML relapse after HSCT with CD7 CAR-T"),
    ("WHAT'S THE DOSE FOR A PATIENT'S IL-6 STORM", "what's the dose for a patient's IL-6 storm"),
    ("WHAT IS THE ROLE OF CD7 CAR-T IN T-CELL ALL", "what is the role of CD7 CAR-T in T-CELL ALL"),
    ("IS ALL OF IT FROM THE US", "is all of it from the us"),
    ("AML AND ALL IN THE US", "AML and ALL in the US"),  # US beside a name: the name
    ("CAN ALL PATIENTS WITH AML GET CAR-T", "can all patients with AML get CAR-T"),
    ("WHAT HEARING AIDS SUIT MY FATHER", "what hearing aids suit my father"),  # capitals-only
    ("IS HIV AIDS TREATMENT CHANGING", "is HIV AIDS treatment changing"),
    ("CD7 CAR-T", "CD7 CAR-T"),  # a few capitals are names, not caps lock
    ("T-CELL ALL BCMA", "T-CELL ALL BCMA"),
    ("Is ALL treated with CAR-T in the US?", "Is ALL treated with CAR-T in the US?"),
    # a letter keeps its capital, to be read with its word (A and I are words)
    ("HEPATITIS B VACCINE FOR CHILDREN", "hepatitis B vaccine for children"),
    ("TREATMENT OF T CELL LYMPHOMA", "treatment of T cell lymphoma"),
    ("IS A VACCINE I NEED", "is a vaccine i need"),
    ("IS HEPATITIS A WORSE THAN TYPE I DIABETES", "is hepatitis A worse than type I diabetes"),
])
def test_text_in_capitals_throughout_is_searched_in_lower_case(typed, searched):
    assert unshout(typed) == searched


def test_capitals_throughout_are_neither_acronyms_nor_operators(seed_index):
    # in caps lock, ALL is the word (not the leukemia) and AND, OR, NOT are words, not syntax
    terms = {leaf.text for leaf in parse(unshout("IS IT SAFE WITH ALL MY PILLS")).query.leaves()
             if hasattr(leaf, "text")}
    assert "all" not in terms and "pill" in terms
    results = seed_index.search("WHAT IS THE ROLE OF CD7 CAR-T AND OR BCMA")
    assert results.query == "WHAT IS THE ROLE OF CD7 CAR-T AND OR BCMA"  # shown as typed
    assert results.mode_note is None and results.total >= 1
    assert results.hits[0].id == SEED_CD7


def test_readings_say_how_each_word_was_searched():
    found = {r.word: r for r in readings("What is the role of CD7 CAR-T in T-cell ALL?")}
    assert (found["What"].how, found["What"].why) == ("skipped", "question word")
    assert (found["the"].how, found["the"].why) == ("skipped", "common word")
    assert found["CD7"].how == found["ALL"].how == found["CAR-T"].how == "name"
    assert found["CAR-T"].parts == ("CAR", "T") and found["role"].how == "word"
    assert not any(r.hint for r in found.values())


def test_lower_case_all_is_skipped_with_a_hint_to_type_it_in_capitals():
    (hint,) = [r.hint for r in readings("CAR-T for T-cell all in children") if r.hint]
    assert hint == {"word": "ALL", "means": "acute lymphoblastic leukemia",
                    "query": "CAR-T for T-cell ALL in children"}
    assert not any(r.hint for r in readings("T-cell all", hints=False))



@pytest.mark.parametrize("typed, title", [
    ("Prof. Zhang", "Prof"), ("Prof Zhang", "Prof"), ("Dr Zhang", "Dr"), ("dr. zhang", "dr"),
    ("Professor Zhang CAR-T", "Professor"), ("Mrs. Zhang", "Mrs")])
def test_a_title_before_a_name_is_skipped(typed, title):
    found = {r.word: r for r in readings(typed)}
    assert (found[title].how, found[title].why) == ("skipped", "title")
    assert found["Zhang" if "Zhang" in found else "zhang"].how == "word"


@pytest.mark.parametrize("typed", ["MS fatigue", "MR imaging", "professor", "ms of delay"])
def test_a_title_word_with_no_name_after_it_or_in_capitals_is_searched(typed):
    assert not any(r.why == "title" for r in readings(typed))


def test_a_title_is_neither_corrected_nor_searched(corpus_dir, tmp_path):
    # "Prof" is one letter from POF (premature ovarian failure): "Prof. Zhang" was corrected
    # to "Pof. Zhang" and found pairs about POF
    write_interview(corpus_dir, "pof.txt", [
        ("What is POF?", "Pof, or premature ovarian failure, ends periods early."),
        ("Who treats it?", "A professor of gynecology.")])
    index = indexed(corpus_dir, embeddings=False)
    for typed in ("Prof. Zhang", "Prof Zhang", "prof. zhang", "Professor Zhang"):
        results = index.search(typed, mode="keyword")
        assert results.suggestion is None and results.total == 0, typed
    assert index.search("Prof. Zhang gynecolgy").suggestion == "Prof. Zhang gynecology"


def test_power_syntax_has_no_readings():
    assert readings('"CAR-T" AND relapse') == [] and readings("leukemia -CD7") == []


def test_results_carry_readings_without_a_hint_for_caps_lock(seed_index):
    results = seed_index.search("car-t for t-cell all")
    assert [r.word for r in results.readings if r.how == "skipped"] == ["for", "all"]
    assert results.readings[-1].hint["query"] == "car-t for t-cell ALL"
    shouted = seed_index.search("IS CAR-T SAFE FOR ALL MY PATIENTS")
    assert "ALL" not in [r.word for r in shouted.readings]  # searched in lower case
    assert not any(r.hint for r in shouted.readings)


def test_readings_say_which_searched_words_no_pair_holds(seed_index):
    # "sickle cell" listed pairs on "cell" with nothing to say that no pair names sickle
    results = seed_index.search("sickle cell CAR T", mode="keyword")
    assert [(r.word, r.absent) for r in results.readings] == [
        ("sickle", True), ("cell", False), ("CAR T", False)]
    assert results.total
    assert not any(r.absent for r in seed_index.search("CD7 CAR-T cells").readings)
    assert not any(r.absent for r in readings("sickle cell"))  # unknown without an index



@pytest.fixture(scope="module")
def fusion_index(tmp_path_factory) -> SearchIndex:
    """BCR-ABL1 in two pairs, its synonym BCR-ABL in none."""
    return one_pair_each(tmp_path_factory, "fusion", {
        "cml": ("How is CML monitored?", "By BCR-ABL1 transcripts every three months."),
        "ph": ("What does Ph+ mean?", "The cells carry the BCR-ABL1 fusion gene."),
        "iron": ("Why is ferritin high?", "Transfusions load iron.")})


def test_a_word_no_pair_holds_says_which_of_its_synonyms_found_the_results(fusion_index):
    # "BCR-ABL" is in no pair, but every result matches its synonym BCR-ABL1: the notice said
    # "the results match the rest of your search", and there was no rest
    results = fusion_index.search("BCR-ABL", mode="keyword")
    (word,) = results.readings
    assert (word.absent, word.also) == (True, ("BCR-ABL1",)) and results.total == 2
    assert absent_notice(results.readings) == (
        "No question or answer uses “BCR-ABL” itself: the results match what was also "
        "searched (BCR-ABL1).")
    both = fusion_index.search("BCR-ABL ferritin", mode="keyword").readings
    assert absent_notice(both).endswith("what was also searched (BCR-ABL1) and the rest of "
                                        "your search.")
    unexpanded = fusion_index.search("BCR-ABL ferritin", mode="keyword", expand=False)
    assert unexpanded.readings[0].also == ()  # synonyms off: nothing else was searched
    assert absent_notice(unexpanded.readings) == (
        "No question or answer uses “BCR-ABL” itself: the results match the rest of your "
        "search.")
    sickle = fusion_index.search("sickle cytokine ferritin", mode="keyword").readings
    assert absent_notice(sickle).startswith("No question or answer uses “sickle” or “cytokine”")
    assert absent_notice(fusion_index.search("ferritin").readings) is None

@pytest.fixture(scope="module")
def dated_index(tmp_path_factory) -> SearchIndex:
    """Three interviews about transplant: 2021 (the best match), 2025, and one undated."""
    corpus = new_corpus(tmp_path_factory, "dated")
    write_interview(corpus, "old.txt", [
        ("How do you follow patients after transplant?",
         "After transplant we see patients weekly; transplant clinics track every transplant.")])
    write_interview(corpus, "new.txt", [
        ("What changed in your clinic this year?", "We now follow transplant patients by video.")])
    write_interview(corpus, "undated.txt", [
        ("Which vaccines do you give after transplant?", "We restart vaccines after transplant.")])
    for name, day in (("old.txt", "2021-06-01"), ("new.txt", "2025-02-10")):
        (corpus / f"{name}.meta.json").write_text(f'{{"date": "{day}"}}', encoding="utf-8")
    return indexed(corpus)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_newest_first_orders_by_interview_date_with_undated_last(dated_index, mode):
    def order(sort):
        results = dated_index.search("transplant patients", mode=mode, sort=sort)
        return [hit.interview_id for hit in results.hits], results

    relevance, _ = order("relevance")
    newest, results = order("newest")
    assert relevance[0] == "old" and sorted(relevance) == sorted(newest)
    assert newest == ["new", "old", "undated"]
    assert results.sort == "newest" and [hit.date for hit in results.hits][:2] == [
        "2025-02-10", "2021-06-01"]
    phrase = dated_index.search('"after transplant"', mode=mode, sort="newest")  # Whoosh's path
    assert [hit.interview_id for hit in phrase.hits] == ["old", "undated"]
    with pytest.raises(ValueError, match="sort must be one of relevance, newest"):
        dated_index.search("transplant", sort="oldest")


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_year_facet_and_filter(dated_index, mode):
    results = dated_index.search("transplant patients", mode=mode)
    assert [(f["value"], f["count"]) for f in results.facets["year"]] == [("2025", 1),
                                                                          ("2021", 1)]
    for query in ("transplant patients", '"after transplant"'):  # our scorer, Whoosh's path
        only = dated_index.search(query, mode=mode, filters={"year": "2021"})
        assert [hit.interview_id for hit in only.hits] == ["old"] and only.total == 1


def test_no_year_facet_without_dates(seed_index):
    assert seed_index.search("CAR-T").facets["year"] == []


@pytest.fixture(scope="module")
def many_matches(tmp_path_factory) -> SearchIndex:
    """300 pairs that all mention transplant, in 60 interviews, most of them dated: more
    matches than are re-ranked, so pages beyond the first hundred come from the rest."""
    corpus = new_corpus(tmp_path_factory, "many")
    words = ["clinic", "patients", "weekly", "visit", "fever", "dose", "plan", "care", "risk"]
    for i in range(60):
        pairs = [(f"Question {i} {j} about {'transplant ' * ((i + j) % 3)}care?",
                  " ".join(["transplant"] * (1 + (i * j) % 6)
                           + [words[(i + k) % len(words)] for k in range(5 + (i * 7 + j) % 30)]))
                 for j in range(5)]
        write_interview(corpus, f"iv{i:02d}.txt", pairs, interviewee=f"Dr. X{i % 7}")
        if i % 4:
            (corpus / f"iv{i:02d}.txt.meta.json").write_text(
                f'{{"date": "202{i % 3}-0{1 + i % 2}-01"}}', encoding="utf-8")
    return indexed(corpus)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_pages_never_repeat_or_skip_a_pair(many_matches, mode, sort):
    def paged(per_page):
        seen, page = [], 1
        while hits := many_matches.search("transplant", page=page, per_page=per_page,
                                          mode=mode, sort=sort).hits:
            seen += [hit.id for hit in hits]
            page += 1
        return seen

    by_ten = paged(10)
    assert len(by_ten) == len(set(by_ten)) == 300
    assert by_ten == paged(100)  # the same order, however it is cut into pages


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_newest_first_keeps_relevance_order_within_a_date(many_matches, mode):
    def ranking(sort):  # all 300 matches
        return [(hit.date, hit.id) for page in (1, 2, 3)
                for hit in many_matches.search("transplant", page=page, per_page=100,
                                               mode=mode, sort=sort).hits]

    relevance, newest = ranking("relevance"), ranking("newest")
    assert len(newest) == 300 and relevance != newest
    assert [day for day, _ in newest] == sorted((day for day, _ in newest), reverse=True)
    for day in {day for day, _ in newest}:
        assert ([pair for d, pair in newest if d == day]
                == [pair for d, pair in relevance if d == day])


@pytest.mark.parametrize("text, expected", [
    ("What causes an increase in white blood cell count?", {(1, "white")}),
    ("high potassium", {(1, "potassium")}), ("elevated ferritin", {(1, "ferritin")}),
    ("raised CRP", {(1, "crp")}), ("Low blood sugar - newborns", {(-1, "sugar")}),
    ("low-risk MDS", {(-1, "risk")}), ("reduced kidney function", {(-1, "kidnei")}),
    ("high and low blood pressure", set()),  # both: asks about neither
    ("high blood pressure and low potassium", {(1, "pressur"), (-1, "potassium")}),
    ("how to lower cholesterol", set()), ("foods that increase iron", set()),  # verbs
    ("G6PD deficiency", set()),  # a disease's name, not a level
    ("white blood cell count", set()),
    ("what causes high levels of calcium in infants", {(1, "calcium")}),
    ("why is my potassium high", {(1, "potassium")}), ("blood pressure too low", {(-1, "pressur")}),
    ("low cholesterol diet", set()), ("foods high in potassium", set()),  # what is eaten
])
def test_asked_findings_are_levels_and_what_they_are_levels_of(text, expected):
    assert asked_findings(text) == expected


@pytest.mark.parametrize("query, question, opposite", [
    ("What causes increase in white blood cell count?", "Low white blood cell count", True),
    ("high calcium levels", "What causes Low calcium level - infants ?", True),
    ("low-risk MDS treatment", "How is higher-risk or high-risk MDS treated?", True),
    ("low salt diet for blood pressure", "How to prevent High Blood Pressure ?", False),
    ("low fat diet to lower cholesterol", "What is (are) High Blood Cholesterol ?", False),
    ("elevated liver enzymes alpha-1 antitrypsin", "What is alpha-1 antitrypsin deficiency?",
     False),
    ("high blood sugar", "What is (are) Low Blood Pressure ?", False),
])
def test_only_the_opposite_level_of_the_same_thing_is_the_opposite(query, question, opposite):
    asked = {(-sign, target) for sign, target in asked_findings(query)}
    assert bool(findings(question) & asked) == opposite


@pytest.fixture(scope="module")
def counts_index(tmp_path_factory) -> SearchIndex:
    """A pair about a low white count that shares most words with a question about a high one."""
    corpus = new_corpus(tmp_path_factory, "counts")
    write_interview(corpus, "low.txt", [
        ("What causes a low white blood cell count?",
         "Chemotherapy and some infections lower the white blood cell count.")])
    write_interview(corpus, "high.txt", [
        ("Why would my white count be elevated?",
         "Infection, steroids and leukemia can raise the white cell count.")])
    return indexed(corpus)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_the_opposite_finding_comes_after_the_asked_one(counts_index, mode):
    def order(text):
        return [hit.interview_id for hit in counts_index.search(text, mode=mode).hits]

    # without a level the low pair matches more of the words and comes first
    assert order("What causes white blood cell count changes?") == ["low", "high"]
    assert order("What causes an increase in white blood cell count?") == ["high", "low"]
    assert order("What causes a low white blood cell count?") == ["low", "high"]
    # power syntax is taken as written: "-high" asks for no level
    assert order("white blood cell count -high")[0] == "low"
    scores = [hit.score for hit in counts_index.search(
        "What causes an increase in white blood cell count?", mode=mode).hits]
    assert scores == sorted(scores, reverse=True)



@pytest.fixture(scope="module")
def compounds_index(tmp_path_factory) -> SearchIndex:
    """Pairs naming a code inside a compound (anti-CD19, allo-HSCT), alone, or not at all."""
    pairs = {
        "anti-cd19": ("Is anti-CD19 therapy an option?", "Yes: anti-CD19 CAR-T cells work."),
        "cd19": ("Which markers matter?", "CD19 is often lost at relapse."),
        "anti": ("Do anti inflammatory drugs help?", "Anti inflammatory drugs ease the pain."),
        "allo": ("Is allogeneic HSCT still relevant?", "Yes, for patients in remission."),
        "post": ("What care follows?", "Vaccines are repeated after the transplant, post care."),
        "car": ("Can I drive a car after treatment?", "Wait until you feel well."),
        "tcells": ("Are T cells counted?", "T cells are counted every week."),
        "cart": ("Who gets CAR-T?", "CAR-T is given after two lines."),
        "phrase": ("What is new?", "CAR-T cell therapy helped her."),
        "covid": ("Does infection delay treatment?", "After COVID-19 we wait for a negative test."),
    }
    return one_pair_each(tmp_path_factory, "compounds", pairs)


@pytest.mark.parametrize("text, expected", [
    ("anti-CD19", ["anti-cd19", "cd19"]),  # the compound as written first, the code alone after
    ("allo-HSCT", ["allo"]),
    ("post-HSCT", ["allo"]),
])
def test_a_code_in_a_compound_is_also_searched_alone(compounds_index, text, expected):
    assert found(compounds_index, text) == expected


def test_a_prefix_or_a_single_letter_part_is_never_searched_alone(compounds_index):
    assert "anti" not in found(compounds_index, "anti-CD19")  # anti alone: no
    hits = found(compounds_index, "CAR-T")
    assert "car" not in hits and "tcells" not in hits and {"cart", "phrase"} <= set(hits)
    assert found(compounds_index, "T-cell")[0] == "tcells"


@pytest.mark.parametrize("text, alone", [
    ("anti-CD19", ("CD19",)), ("allo-HSCT", ("HSCT",)), ("BCMA-CAR", ("BCMA", "CAR")),
    ("CAR-T", ()), ("T-cell", ()), ("T-ALL", ()), ("IL-6", ()), ("PD-L1", ()), ("low-risk", ()),
    ("COVID-19", ("COVID",)),
])
def test_readings_say_which_parts_were_searched_alone(text, alone):
    (reading,) = readings(text)
    assert reading.alone == alone
    assert reading.parts == tuple(text.split("-"))


def test_a_quoted_phrase_is_not_widened_by_the_synonyms_of_a_name_in_it(compounds_index):
    results = compounds_index.search('"CAR-T cell therapy"', mode="keyword")
    assert [hit.interview_id for hit in results.hits] == ["phrase"]
    assert results.expansions == []
    beside = parse('"CAR-T cell therapy" AML').expansions
    assert "acute myeloid leukemia" in beside and "CART" not in beside
    assert "CART" in parse("CAR-T cell therapy").expansions  # unquoted it expands
    assert "CART" in parse('CAR-T "cell therapy"').expansions


@pytest.mark.parametrize("text", ["SARS-CoV-2", "coronavirus", "COVID", "covid-19",
                                  "coronavirus disease 2019"])
def test_covid_19_names_find_each_other(compounds_index, text):
    assert found(compounds_index, text) == ["covid"]


@pytest.fixture(scope="module")
def prefixes_index(tmp_path_factory) -> SearchIndex:
    """Pairs of words sharing their first letters (leukemia, leukocytes), UK spellings, a word
    one letter from a prefix (leak), and stems shorter than the word (thrombocyt)."""
    pairs = {
        "leukemia": ("What is chronic leukemia?", "Leukemia is a cancer of white cells."),
        "leukaemia": ("Is childhood leukaemia curable?", "Most leukaemias in children are."),
        "leukocytes": ("Why count leukocytes?", "Leukocytes fight infection; leukopenia is "
                       "too few of them."),
        "myeloid": ("How is myeloid leukemia treated?", "With chemotherapy first."),
        "leak": ("What is capillary leak syndrome?", "Fluid leaks from small vessels."),
        "transplant": ("Who needs a transplant?", "Those who relapse after CAR-T."),
        "transplantation": ("When is transplantation done?", "In a first remission."),
        "thrombocytopenia": ("What causes thrombocytopenia?", "Drugs and infections."),
        "thrombocytes": ("What do thrombocytes do?", "They help blood clot."),
        "hematology": ("Who runs the hematology ward?", "A consultant and two nurses."),
        "hsct": ("Is HSCT an option?", "For some patients."),
        "bone-marrow": ("Is a bone marrow transplant painful?", "Not with sedation."),
    }
    return one_pair_each(tmp_path_factory, "prefixes", pairs)


@pytest.mark.parametrize("text, expected", [
    ("leuk*", {"leukemia", "leukaemia", "leukocytes", "myeloid"}),  # not leak
    ("leukaem*", {"leukemia", "leukaemia", "myeloid"}),  # a UK prefix: leukem*, as indexed
    ("Leukocytes*", {"leukocytes"}),  # the word itself, indexed by its stem (leukocyt)
    ("transpl*", {"transplant", "transplantation", "bone-marrow"}),
    ("transplantation*", {"transplantation", "transplant", "bone-marrow"}),  # one stem
    ("thrombocyto*", {"thrombocytopenia"}),  # a prefix is not stemmed (thrombocyt)
    ("haemat*", {"hematology"}),
])
def test_a_trailing_star_finds_the_words_starting_with_it(prefixes_index, text, expected):
    results = prefixes_index.search(text, mode="keyword")
    assert {hit.interview_id for hit in results.hits} == expected
    assert results.suggestion is None and results.expansions == []  # no typo fix: leak*


def test_a_prefix_is_neither_corrected_nor_expanded_by_synonyms(prefixes_index):
    assert "leak" not in (prefixes_index.search("leuk* syndrom").suggestion or "")
    assert parse("HSCT*").expansions == [] and parse("HSCT").expansions
    assert found(prefixes_index, "HSCT*") == ["hsct"]  # not bone marrow transplant


@pytest.mark.parametrize("text, expected", [
    ("leuk* -myeloid", {"leukemia", "leukaemia", "leukocytes"}),
    ("leuk* NOT myeloid", {"leukemia", "leukaemia", "leukocytes"}),
    ("leukemia -myelo*", {"leukemia", "leukaemia"}),
    ("transpl* AND CAR-T", {"transplant"}),
    ("(transpl* OR thrombocyto*) -bone", {"transplant", "transplantation", "thrombocytopenia"}),
    ("question:leuk*", {"leukemia", "leukaemia", "leukocytes", "myeloid"}),
    ("answer:leuk*", {"leukemia", "leukaemia", "leukocytes"}),
])
def test_a_prefix_works_in_power_user_syntax(prefixes_index, text, expected):
    assert set(found(prefixes_index, text)) == expected


@pytest.mark.parametrize("text, same_as", [
    ("leukemia *", "leukemia"), ("leukemia * cells", "leukemia cells"),
    ("leu*kemia", "leu kemia"), ('"leuk* cells"', '"leuk cells"'), ("What is leuk?", "leuk"),
])
def test_a_star_alone_inside_a_word_or_in_quotes_is_no_prefix(prefixes_index, text, same_as):
    assert found(prefixes_index, text) == found(prefixes_index, same_as)
    assert "Wildcard" not in repr(parse(text).query) and "Prefix" not in repr(parse(text).query)
    assert not any(r.how == "prefix" for r in readings(text))


def test_a_prefix_of_under_three_letters_is_not_searched(prefixes_index):
    (reading,) = readings("le*")
    assert (reading.word, reading.how, reading.why) == ("le*", "skipped", "short prefix")
    assert prefixes_index.search("le*", mode="keyword").total == 0
    assert found(prefixes_index, "my* leukocytes") == ["leukocytes"]


def test_readings_say_a_prefix_was_searched_by_the_start_of_words(prefixes_index):
    (reading,) = readings("leuk*")
    assert (reading.word, reading.how, reading.starts) == ("leuk*", "prefix", ("leuk",))
    assert readings("leukaem*")[0].starts == ("leukaem", "leukem")
    words = prefixes_index.search("leuk* in children", mode="keyword").readings
    assert [(r.word, r.how) for r in words] == [
        ("leuk*", "prefix"), ("in", "skipped"), ("children", "word")]
    # three indexed words start with leuk: leukemia (leukaemia too), leukocyt(e, es), leukopenia
    assert (words[0].found, words[0].kept) == (3, 3)
    # in power-user text, the words searched by their start
    assert [r.word for r in readings("leuk* -myeloid")] == ["leuk*"]
    assert readings('"leuk* cells" AND CAR-T') == []


def test_a_prefix_matching_many_words_searches_the_commonest(prefixes_index, monkeypatch):
    monkeypatch.setattr(prefix, "MAX_WORDS", 1)
    results = prefixes_index.search("leuk*", mode="keyword", per_page=9)  # (not cached)
    (reading,) = results.readings
    assert (reading.found, reading.kept) == (3, 1)  # leukemia, in 5 fields of 3 pairs
    assert {hit.interview_id for hit in results.hits} == {"leukemia", "leukaemia", "myeloid"}


def test_the_words_a_prefix_matched_are_highlighted(prefixes_index):
    html = {hit.interview_id: hit.question_html + " " + hit.answer_html
            for hit in prefixes_index.search("leuk*", mode="keyword").hits}
    assert '<mark class="match">leukaemia</mark>' in html["leukaemia"]
    assert '<mark class="match">leukaemias</mark>' in html["leukaemia"]
    assert '<mark class="match">Leukocytes</mark> fight' in html["leukocytes"]
    assert '<mark class="match">leukopenia</mark> is too' in html["leukocytes"]
    assert '<mark class="match">Leukemia</mark> is a cancer' in html["leukemia"]


def test_the_meaning_side_reads_a_prefix_without_its_star_or_as_its_word():
    assert parse("transpl* outcomes").meaning_text == "transpl outcomes"
    parsed = parse("Transpl* outcomes after leuk*")
    parsed.completions = {"Transpl": "transplant"}
    assert parsed.meaning_text == "transplant outcomes after leuk"


def test_a_prefix_finds_its_words_in_hybrid_mode(seed_index):
    keyword = {hit.id for hit in seed_index.search("transpl*", mode="keyword").hits}
    assert keyword and keyword == {
        hit.id for hit in seed_index.search("transplant", mode="keyword", expand=False).hits}
    hybrid = seed_index.search("transpl*", per_page=50)
    assert keyword <= {hit.id for hit in hybrid.hits if not hit.by_meaning}
    assert seed_index.search("immunother*", mode="keyword").total > 0


# --- coverage: a pair holding more of the query's words ranks higher ----------------------

@pytest.fixture(scope="module")
def coverage_index(tmp_path_factory) -> SearchIndex:
    """Short questions that name one common word of a query, and interview pairs that hold
    every word of it (or a synonym of the whole) further down a longer answer."""
    corpus = new_corpus(tmp_path_factory, "coverage")
    short = {
        "ring-20": ("What is ring chromosome 20?", "A rare chromosome disorder with seizures."),
        "deletion-4q": ("What is chromosome 4q deletion?", "Part of a chromosome is missing."),
        "deletion-6p": ("What is chromosome 6p deletion?", "A chromosome change from birth."),
        "y-infertility": ("What is Y chromosome infertility?", "Few sperm, from the Y chromosome."),
        "kawasaki": ("What is Kawasaki disease?", "An inflammation of blood vessels in children."),
        "crohn": ("What is Crohn's disease?", "A disease of the bowel."),
        "celiac": ("What is celiac disease?", "A reaction to gluten that harms the gut."),
        "behcet": ("What is Behcet's disease?", "A disease of inflamed blood vessels."),
        "alzheimer": ("What is Alzheimer disease?", "A disease that takes memory away."),
        "wilson": ("What is Wilson disease?", "Copper builds up in the liver."),
        "ebv": ("Does ATG increase EBV reactivation?",
                "It can; we watch EBV levels weekly after transplant."),
        "cmv": ("What is CMV reactivation?", "The virus wakes up when immunity is low."),
        "vaccines": ("Which vaccines does a transplant patient need?",
                     "Tetanus, pneumococcus and hepatitis B, from six months on."),
        "all-adult": ("How is acute lymphoblastic leukemia treated in adults?",
                      "With several phases of chemotherapy over two years."),
        "all-child": ("What is acute lymphoblastic leukemia?", "A cancer of immature white cells."),
        "all-relapse": ("What if ALL comes back?", "Blinatumomab, CAR-T or a transplant."),
    }
    more = (" Ask the care team which tests, treatments and follow-up visits suit each patient, "
            "and how often they should be repeated over the years.")  # answers of usual length
    for key, (question, answer) in short.items():
        write_interview(corpus, f"{key}.txt", [(question, answer + more)])
    write_interview(corpus, "interview.txt", [
        ("What do you look at first in a new leukemia?",
         "We send the marrow for cytogenetics and molecular studies, and the first thing we "
         "want to know is whether there is a Philadelphia chromosome, because that decides "
         "whether a tyrosine kinase inhibitor goes in from day one."),
        ("What is the main risk after an allogeneic transplant?",
         "Infection early on, and later the immune reaction of the donor cells against the "
         "patient: GVHD of the skin, the gut or the liver, which we prevent with "
         "tacrolimus and methotrexate."),
        ("Who gets GVHD of the gut?",
         "Mostly patients with an unrelated or mismatched donor; GVHD of the gut shows as "
         "diarrhoea and cramps from the third week on."),
        ("What do you check before giving rituximab?",
         "Blood counts, kidney and liver function, the serologies, and above all we screen "
         "for hepatitis B, since reactivation can be fatal, and we give entecavir to "
         "carriers for the whole course and six months after it."),
        ("Which patients get CD7 CAR-T cells?",
         "Children and adults whose T-lineage acute lymphoblastic leukemia relapsed after "
         "two lines of chemotherapy, when a donor is lined up for the transplant that "
         "follows."),
        ("Which patients take a tyrosine kinase inhibitor with chemotherapy?",
         "Those with Ph+ ALL: dasatinib or ponatinib is added to the induction, and most "
         "go on to a transplant in first remission."),
    ], interviewee="Dr. He Huang", title="Cellular immunotherapy")
    write_interview(corpus, "ruxolitinib.txt", [
        ("How do you treat it when it is steroid-refractory?",
         "Ruxolitinib is our second line for graft-versus-host disease that does not answer "
         "to steroids, and we taper slowly over months.")])
    return indexed(corpus, embeddings=False)


def first_ids(index: SearchIndex, text: str, count: int) -> list[str]:
    return [hit.id for hit in index.search(text, mode="keyword", per_page=count).hits]


@pytest.mark.parametrize("text, expected", [
    ("Philadelphia chromosome", "interview-1"),  # not "What is chromosome 4q deletion?"
    ("hepatitis B reactivation", "interview-4"),  # not "What is CMV reactivation?"
    ("T-cell ALL", "interview-5"),  # T-lineage acute lymphoblastic leukemia
    ("Ph+ ALL", "interview-6"),  # not "What is acute lymphoblastic leukemia?"
])
def test_a_pair_holding_every_word_beats_one_holding_the_commonest(coverage_index, text,
                                                                     expected):
    assert first_ids(coverage_index, text, 1) == [expected]


def test_a_synonym_of_an_expression_holds_each_of_its_words(coverage_index):
    """GVHD stands for the whole of "graft-versus-host disease": the pairs that say it hold
    "disease" too, and rank above the short "What is X disease?" questions (which had come
    right after the pair with the phrase)."""
    ranked = first_ids(coverage_index, "graft-versus-host disease", 12)
    assert ranked[:2] == ["ruxolitinib-1", "interview-3"]  # "Who gets GVHD of the gut?"
    assert ranked.index("interview-2") < ranked.index("celiac-1")


def words_held(text: str, corrected: str | None = None) -> list[set[str]]:
    """The terms and phrases (joined) of each word held in a keyword query."""
    return [{" ".join(getattr(leaf, "words", [getattr(leaf, "text", "")]))
             for leaf in concept.leaves()}
            for concept in parse(text, corrected=corrected).concepts]


def test_what_holds_each_word_of_a_keyword_query():
    graft, disease = words_held("graft-versus-host disease")
    assert {"gvhd", "graft versu host"} <= graft and {"gvhd", "diseas"} <= disease
    philadelphia, chromosome = words_held("Philadelphia chromosome")
    assert {"philadelphia", "t(9;22)", "ph chromosom"} <= philadelphia
    assert {"chromosom", "t(9;22)", "ph chromosom"} <= chromosome
    # a typo's fix holds the word it replaces; the word typed right is held as it is
    typo, chromosome = words_held("philadelpia chromosome", "philadelphia chromosome")
    assert {"philadelpia", "philadelphia"} <= typo and "philadelphia" not in chromosome
    assert len(words_held("cancer cancers screening")) == 2  # one word, typed twice


@pytest.mark.parametrize("text", [
    "Philadelphia chromosome?", "What is the Philadelphia chromosome", "How is hepatitis B "
    "spread", "leukemia", "CAR-T neurotoxicity children elderly adults",
])
def test_only_a_short_keyword_query_weighs_what_a_pair_holds(text):
    """A question's other words often say what is asked about a topic, which the answer need
    not repeat; a longer text adds context or a second topic: neither is weighed so."""
    assert parse(text).concepts == []
