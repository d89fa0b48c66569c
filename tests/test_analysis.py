"""Medical-aware analysis: biomedical tokens, case-respecting acronyms, negation, stemming."""

from __future__ import annotations

import pytest
from whoosh import fields

from indexer.analysis import COMMON_WORD
from indexer.analysis import LONE_LETTER
from indexer.analysis import QUESTION_WORD
from indexer.analysis import medical_analyzer
from indexer.analysis import query_words
from indexer.analysis import read_as_word
from indexer.analysis import read_query
from indexer.analysis import term_positions
from indexer.schema import make_schema

ANALYZER = medical_analyzer()


def terms(text: str, **kwargs) -> list[str]:
    return [t.text for t in ANALYZER(text, **kwargs)]


@pytest.mark.parametrize("text, expected", [
    ("CD7", ["cd7"]),
    ("CD19", ["cd19"]),
    ("CD4+", ["cd4+", "cd4"]),
    ("BCMA", ["bcma"]),
    ("CAR-T", ["CART", "car", "t"]),
    ("CART", ["CART"]),
    ("T-cell", ["tcell", "t", "cell"]),
    ("B-cell", ["bcell", "b", "cell"]),
    ("IL-6", ["il6", "il", "6"]),
    ("HID-HSCT", ["hidhsct", "hid", "hsct"]),
    ("BCR-ABL1", ["bcrabl1", "bcr", "abl1"]),
    ("t(9;22)", ["t(9;22)"]),
    ("5-FU", ["5fu", "5", "fu"]),
    ("JAK2 V617F", ["jak2", "v617f"]),
    ("factor V Leiden", ["factor", "v", "leiden"]),
    ("hepatitis B", ["hepat", "b"]),
    ("COVID-19", ["covid19", "covid", "19"]),
    ("HbA1c", ["hba1c"]),
])
def test_biomedical_tokens_survive_as_written_and_as_parts(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize("greek, spelled", [
    ("β-thalassemia", "beta-thalassemia"), ("TNF-α", "TNF-alpha"), ("IFN-γ", "IFN-gamma"),
    ("κ light chains", "kappa light chains"), ("β thalassemia", "beta thalassemia"),
    ("Β2-microglobulin", "beta2-microglobulin"),
])
def test_greek_letters_are_their_spelled_names(greek, spelled):
    # "β-thalassemia" found nothing on MedQuAD, which writes beta thalassemia
    assert terms(greek) == terms(spelled) and term_positions(greek) == term_positions(spelled)
    assert query_words(greek) == [(j, t, g) for (j, t, _s), g in
                                  zip(query_words(spelled), greek.split(), strict=True)]


def test_micro_is_not_mu():
    assert terms("5 µg") == ["5", "μg"]


def test_compound_parts_take_consecutive_positions():
    tokens = [(t.text, t.pos) for t in ANALYZER("CAR-T cells", positions=True)]
    assert tokens == [("CART", 0), ("car", 0), ("t", 1), ("cell", 2)]


def test_quoted_phrases_see_only_the_parts():
    assert terms("CAR-T cell", mode="query") == ["car", "t", "cell"]


@pytest.mark.parametrize("acronym", ["ALL", "IT", "MDS"])
def test_acronyms_in_capitals_are_kept_unstemmed(acronym):
    assert terms(acronym) == [acronym.lower()]


@pytest.mark.parametrize("text, expected", [
    ("PET", ["PET"]), ("pet", ["pet"]), ("Pets", ["pet"]), ("PET-CT", ["petct", "PET", "ct"]),
    ("AIDS", ["AIDS"]), ("aids", ["aid"]), ("Aids", ["aid"]),  # in lower case, a word
    ("CAR-T", ["CART", "car", "t"]), ("Car-T", ["cart", "car", "t"]), ("cart", ["cart"]),
    # or whose lower-case form is a word's stem: "us" of used, "abl" of able
    ("US", ["US"]), ("used", ["us"]), ("ABL", ["ABL"]), ("able", ["abl"]),
    ("BCR-ABL", ["bcrabl", "bcr", "ABL"]), ("Bcr-Abl", ["bcrabl", "bcr", "abl"]),
    ("KIT", ["KIT"]), ("c-KIT", ["ckit", "c", "KIT"]), ("kits", ["kit"]), ("ET", ["ET"]),
])
def test_capitals_only_names_in_capitals_are_not_the_word(text, expected):
    # PET (positron emission tomography) is not "pet", AIDS not hearing "aids"; CAR-T's
    # joined form is the name CART, not a shopping cart
    assert terms(text) == expected


@pytest.mark.parametrize("word", ["all", "it", "us", "All"])
def test_the_same_words_in_lower_case_are_stop_words(word):
    assert terms(word) == []


def test_all_the_leukemia_does_not_meet_not_all_patients():
    assert terms("T-cell ALL") == ["tcell", "t", "cell", "all"]
    assert terms("not all patients") == ["not", "patient"]


def test_negations_are_kept():
    assert terms("no response, not recommended") == ["no", "respons", "not", "recommend"]


def test_ordinary_words_are_stemmed_names_are_not():
    assert terms("treatments leukemias MDS AIDS") == ["treatment", "leukemia", "mds", "AIDS"]
    assert terms("Imatinib") == ["imatinib"]


def test_uk_spellings_and_accents_fold():
    assert terms("Leukaemia anaemia Sjögren") == terms("leukemia anemia Sjogren")


def test_spelling_field_sees_unstemmed_words():
    assert terms("leukemias treated", no_morph=True) == ["leukemias", "treated"]


def test_highlighter_sees_stop_words_flagged():
    flagged = [(t.text, t.stopped) for t in ANALYZER("the ALL", removestops=False)]
    assert flagged == [("the", True), ("all", False)]


def test_question_words_leave_queries():
    words = query_words("What is the role of CD7 CAR-T in T-cell ALL?")
    assert [w[2] for w in words] == ["role", "CD7", "CAR-T", "T-cell", "ALL"]
    assert words[2][:2] == ("CART", ["car", "t"])


def test_read_query_says_what_each_word_becomes():
    read = {w.raw: w for w in read_query("What is the role of CD7 CAR-T in T-cell all? x IL-6")}
    assert read["What"].skipped == QUESTION_WORD
    assert read["is"].skipped == read["all"].skipped == COMMON_WORD
    assert read["x"].skipped == LONE_LETTER and not read["x"].terms
    assert read["role"].terms == ("role",) and read["role"].stemmed
    assert read["CD7"].terms == ("cd7",) and not read["CD7"].stemmed
    cart = read["CAR-T"]
    assert (cart.joined, cart.terms, cart.parts, cart.stemmed) == ("CART", ("car", "t"),
                                                                   ("CAR", "T"), False)
    assert read["T-cell"].parts == ("T", "cell") and read["T-cell"].stemmed
    assert read["IL-6"].parts == ("IL", "6") and read["CD7"].start == 20


@pytest.mark.parametrize("text, joined", [
    ("hepatitis B vaccine", {"hepatitis B": ("hepatitisb", ("hepat", "b"), "hepatitis-B")}),
    ("CAR T cells", {"CAR T": ("CART", ("car", "t"), "CAR-T")}),  # = CAR-T, CART
    ("What is T cell lymphoma?", {"T cell": ("tcell", ("t", "cell"), "T-cell")}),
    ("factor V Leiden", {"factor V": ("factorv", ("factor", "v"), "factor-V")}),
    ("hepatitis B and C", {"hepatitis B": ("hepatitisb", ("hepat", "b"), "hepatitis-B")}),
    ("not B, A or the B", {}),  # a negation, a stop word, A, a comma: the letters stay apart
    ("CAR-T B", {}), ("B C", {}),  # a compound has its letters; two letters name nothing
    ("hepatitis A vaccine", {"hepatitis A": ("hepatitisa", ("hepat", "a"), "hepatitis-A")}),
    ("vitamin A and I", {"vitamin A": ("vitamina", ("vitamin", "a"), "vitamin-A")}),
    # I may be the pronoun: its word is also searched alone (see the next test)
    ("stage I lymphoma", {"I": ("stagei", ("stage", "i"), "stage-I")}),
    ("as I said, A patient", {}),  # A and I are words but after a [lettered] word
])
def test_a_capital_letter_typed_apart_is_read_with_its_word(text, joined):
    # alone, "hepatitis B" matched B-cell answers and "CAR T" a T-lineage one
    read = read_query(text)
    assert {w.raw: (w.joined, w.terms, w.searched) for w in read if w.searched} == joined
    assert query_words(text) == [(w.joined, list(w.terms), w.searched or w.raw)
                                 for w in read if not w.skipped]


def test_i_after_a_lettered_word_is_searched_besides_the_word():
    assert query_words("what type I need") == [(None, ["type"], "type"),
                                               ("typei", ["type", "i"], "type-I"),
                                               (None, ["need"], "need")]
    assert read_query("type I")[1].parts == ("type", "I")


def test_a_letter_left_apart_is_still_searched_alone():
    read = {w.raw: w for w in read_query("hepatitis B and C, not D")}
    assert read["C"].terms == ("c",) and read["D"].terms == ("d",)
    assert not read["C"].searched and not read["D"].searched


@pytest.mark.parametrize("typed, word, written", [
    ("DIABETES", ("diabet",), ("diabetes",)),  # indexed "diabet" in lower case, "diabetes" in
    ("POEMS", ("poem",), ("poems",)),  # capitals; an acronym the vocabulary lacks (POEMS
    ("ALZHEIMER'S", ("alzheim",), ("alzheimer's",)),  # syndrome) stays findable as written
    ("ASTHMA", ("asthma",), None),  # the same term either way: searched once
])
def test_a_word_in_capitals_is_read_as_the_word_and_as_written(typed, word, written):
    (read,) = read_query(typed)
    assert read.terms == word and read.stemmed and read.raw == typed
    assert (read.written.terms if read.written else None) == written
    assert query_words(typed) == [(None, list(word), typed)]  # the parser is given it as typed


def test_a_word_in_capitals_with_its_letter_is_read_as_the_word_and_as_written():
    (read,) = read_query("HEPATITIS B")
    assert (read.joined, read.terms, read.parts, read.searched) == (
        "hepatitisb", ("hepat", "b"), ("HEPATITIS", "B"), "HEPATITIS-B")
    assert read.written.terms == ("hepatitis", "b")
    assert read_query("HEPATITIS-B")[0].terms == ("hepat", "b")  # typed with the hyphen too
    (cell,) = read_query("T CELL")
    assert cell.terms == ("t", "cell") and cell.stemmed and cell.written is None  # same terms


@pytest.mark.parametrize("typed", ["ALL", "AML", "CD7", "BCMA", "HSCT", "MDS", "PET", "AIDS",
                                   "IT", "US", "WHAT", "NSAIDs", "IgG", "CAR T", "T-ALL",
                                   "IL-6", "CD4+", "HLA-B", "Diabetes"])
def test_known_names_codes_stop_words_and_mixed_case_stay_names(typed):
    # the vocabulary's names, codes, stop words in capitals (IT, US) and words not typed in
    # capitals throughout are read as before: CAR T is CAR-T, the name CART, not "cart"
    assert not read_as_word(typed.replace(" ", "-"))
    assert all(read.written is None for read in read_query(typed))


@pytest.mark.parametrize("typed", ["DIABETES", "HNPP", "HEPATITIS-B", "T-CELL", "B-CELL",
                                   "DON'T", "HELP"])
def test_other_words_in_capitals_are_read_as_words(typed):
    assert read_as_word(typed)


def test_a_word_in_capitals_is_left_out_where_the_word_is():
    # "HELP" is a question word, as "help" is; "WHAT" is a stop word: a name in capitals (IT)
    read = {w.raw: w for w in read_query("HELP WHAT")}
    assert read["HELP"].skipped == QUESTION_WORD and read["WHAT"].terms == ("what",)


INDEXED_TEXTS = [
    "What is (are) Adult Acute Lymphoblastic Leukemia (ALL)? The T-cells and B-cell ALL.",
    "CAR-T cells, CD4+ and CD8+ T-cells; t(9;22)(q34;q11) and inv(16) in AML-M4.",
    "It's up-to-date: a 3.5-fold rise in IL-6, not all of it in Sjögren’s patients.",
    "and-or A-B vitamin-A the-the I a 5-FU HbA1c BCR-ABL1 e.g. U.S. 1,000 mg/kg 10.2%",
    "Leukaemia leukemia treatments treated treating treat, treat; TREAT Treat",
    "Hepatitis A, type I diabetes and types I-II; as I said, A team. Stage I. Type  I, type\nA",
    "β-thalassemia, TNF-α, κ and λ light chains, 5 µg, Δ F508",
    "",
]


@pytest.mark.parametrize("text", INDEXED_TEXTS)
def test_term_positions_are_what_the_analyzer_yields(text):
    expected: dict[str, list[int]] = {}
    for t in ANALYZER(text, positions=True, mode="index"):
        expected.setdefault(t.text, []).append(t.pos)
    assert term_positions(text) == expected


@pytest.mark.parametrize("text", INDEXED_TEXTS)
def test_text_fields_index_what_the_analyzer_chain_gives(text):
    field = make_schema()["answer"]
    assert sorted(field.index(text)) == sorted(fields.FieldType.index(field, text))


@pytest.mark.parametrize("text, expected", [
    ("SARS-CoV-2", ["sarscov2", "sars", "cov", "2"]),
    ("2019-nCoV", ["2019ncov", "2019", "ncov"]),
])
def test_coronavirus_names_keep_their_parts(text, expected):
    assert terms(text) == expected
