"""Plain-text interviews: the seed file, every label style, summary and bio handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.formats import parse_file
from indexer.formats import parse_text
from indexer.model import QAPair

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "interviews"


def parse_one(name: str):
    result = parse_file(FIXTURES / name, name)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert len(result.interviews) == 1
    return result, result.interviews[0]


def test_seed_he_huang_interview():
    result = parse_file(ROOT / "corpus" / "he-huang-cellular-immunotherapy.txt")
    assert result.problems == []
    iv = result.interviews[0]
    assert len(iv.pairs) == 3
    assert iv.interviewer == "Oncology Frontier – Hematology Frontier"
    assert iv.interviewee == "Dr. He Huang"
    assert iv.title == "He Huang Cellular Immunotherapy"
    assert (iv.format, iv.method, iv.key, iv.date, iv.source) == (
        "text",
        "speaker-labels",
        "",
        "",
        "",
    )
    assert iv.summary.startswith("To further enhance the diagnosis")
    assert "Editor" not in iv.summary[:20]
    answers = [p.answer.split("\n\n") for p in iv.pairs]
    # The corpus file gives the first answer three paragraphs (one per line).
    assert [len(a) for a in answers] == [3, 2, 2]
    assert answers[0][0].startswith("At this 8th CSCO Hematology Academic Conference")
    assert answers[0][1].startswith("In exploring new cellular immunotherapies")
    assert answers[0][2].startswith("Additionally, enhancing the efficacy")
    assert answers[1][1].startswith("Another critical step")
    assert iv.pairs[2].answer.endswith("the entire hematological tumor treatment field.")
    assert iv.pairs[0].question.startswith("With the development of cellular immunotherapy")
    assert iv.pairs[0].question.endswith("How do these innovations improve treatment efficacy?")
    for pair in iv.pairs:
        assert (pair.asker, pair.answerer) == (iv.interviewer, iv.interviewee)
        assert "Qiushi Distinguished Professor" not in pair.answer
        assert "Dr. He Huang" not in pair.answer
        assert "Oncology Frontier" not in pair.question
    bio = iv.bio.split("\n")
    assert len(bio) == 13
    assert (
        bio[0]
        == "Qiushi Distinguished Professor, Zhejiang University, Chief Scientist of 973 Program"
    )
    assert bio[-1] == "Standing Committee Member, Hematology Branch of Chinese Medical Association"
    assert not any(line.startswith("-") for line in bio)


def test_q_colon_labels_with_header_metadata():
    _, iv = parse_one("qa-colon.txt")
    assert iv.title == "Managing Atrial Fibrillation in Older Adults"
    assert iv.date == "2024-03-03"
    assert iv.source == "https://example.org/interviews/afib-older-adults"
    assert iv.interviewer == "Maria Gomez"
    assert iv.interviewee == ""
    assert iv.summary == "Dr. Lee spoke to us after the spring cardiology meeting."
    assert iv.method == "qa-labels"
    assert iv.pairs == [
        QAPair(
            "When should an older patient with atrial fibrillation start anticoagulation?",
            "Most patients over 65 qualify once their stroke risk score is two or more.\n\n"
            "We still weigh bleeding risk case by case.",
            "Maria Gomez",
        ),
        QAPair(
            "What about patients who fall often?",
            "Falls alone are rarely a reason to withhold anticoagulation.",
            "Maria Gomez",
        ),
    ]


def test_q_dot_labels_and_hard_wrapped_lines():
    _, iv = parse_one("qa-dot.txt")
    assert iv.title == "Qa Dot"
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "What is the first-line test for suspected celiac disease?",
            "The tissue transglutaminase IgA antibody test, while the patient still eats gluten.",
        ),
        (
            "Does a negative test rule it out?",
            "Not always. IgA deficiency can cause a false negative, "
            "so we check total IgA at the same time.",
        ),
    ]


def test_question_answer_labels_keep_answer_paragraphs():
    _, iv = parse_one("question-answer.txt")
    assert iv.method == "qa-labels"
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "How has migraine prevention changed in the last five years?",
            "The CGRP antibodies changed everything.\n\n"
            "They are monthly injections with few side effects.",
        ),
        ("Who should not take them?", "We avoid them in pregnancy."),
    ]


def test_interviewer_and_upper_case_names_with_note_inside_answer():
    _, iv = parse_one("interviewer-upper.txt")
    assert iv.method == "speaker-labels"
    assert iv.interviewer == ""  # "INTERVIEWER" is a role, not a name
    assert iv.interviewee == "JOHN SMITH"
    assert iv.summary == "Background: This transcript was recorded for the Clinic Voices podcast."
    assert [(p.question, p.answer, p.answerer) for p in iv.pairs] == [
        (
            "Dr. Smith, what drew you to pediatric oncology?",
            "A patient I met as a resident.\n\nNote: the patient's name has been withheld.",
            "JOHN SMITH",
        ),
        (
            "What keeps you going on hard days?",
            "The families. They are braver than any of us.",
            "JOHN SMITH",
        ),
    ]


def test_timestamps_before_labels():
    _, iv = parse_one("timestamps.txt")
    assert iv.interviewee == "DR. PATEL"
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "Welcome back to the show. Today we ask how sleep affects blood pressure. "
            "Why does it matter?",
            "Short sleep raises nighttime blood pressure.\n\n"
            "And it blunts the normal dip during the night.",
        ),
        ("What should patients do tonight?", "Keep a fixed wake-up time."),
    ]


def test_interviewer_is_who_asks_not_who_speaks_first():
    _, iv = parse_one("interviewee-first.txt")
    assert iv.interviewer == "Ben Ortiz"
    assert iv.interviewee == "Dr. Ana Ruiz"
    assert iv.summary == "Dr. Ana Ruiz: Thank you for having me, it is a pleasure to be here."
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "Thanks for joining us. Let's start with the basics. What is long COVID?",
            "It is a set of symptoms that last more than three months after infection.\n\n"
            "Fatigue is the most common one.",
        ),
        ("How is it treated?", "We treat each symptom and pace activity carefully."),
    ]
    assert {(p.asker, p.answerer) for p in iv.pairs} == {("Ben Ortiz", "Dr. Ana Ruiz")}


def test_question_paragraphs_without_labels():
    _, iv = parse_one("question-paragraphs.txt")
    assert iv.method == "question-paragraphs"
    assert [(p.question, p.answer) for p in iv.pairs] == [
        (
            "What causes kidney stones?",
            "Most stones form when urine holds more minerals than it can dissolve.\n\n"
            "Dehydration makes it worse.",
        ),
        (
            "How can they be prevented?",
            "Drink enough water to pass about two litres of urine a day.",
        ),
    ]


def test_no_pairs_returns_interview_with_warning():
    result, iv = parse_one("no-pairs.txt")
    assert [p.message for p in result.problems] == ["no question/answer pairs found"]
    assert iv.title == "Hand Hygiene in Hospitals"
    assert iv.pairs == []
    assert iv.method == ""
    assert iv.summary.startswith("Hand hygiene remains the single most effective way")


def test_editors_note_anywhere_is_summary_never_a_speaker():
    text = (
        "Editor’s note: First part of the note.\n\n"
        "Host: What is new?\n\nDr. Kay: A lot.\n\nHost: Anything else?\n\nDr. Kay: No.\n\n"
        "Editor's Note: This interview was edited for length.\n"
    )
    iv = parse_text(text, "note.txt").interviews[0]
    assert iv.summary == "First part of the note.\n\nThis interview was edited for length."
    assert [(p.question, p.answer) for p in iv.pairs] == [
        ("What is new?", "A lot."),
        ("Anything else?", "No."),
    ]
    assert iv.interviewee == "Dr. Kay"



@pytest.mark.parametrize("note", [
    "This interview has been edited for length and clarity.",
    "(This conversation was condensed and edited for clarity.)",
    "*Interview edited for length.*", "This transcript has been lightly edited.",
    "Responses have been edited for brevity, clarity and style."])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_an_edited_for_length_line_joins_no_answer(note, fmt):
    text = ("Host: What is new?\n\nDr. Kay: A lot.\n\nHost: Anything else?\n\n"
            f"Dr. Kay: No.\n\n{note}\n")
    iv = parse_text(text, f"note.{'md' if fmt == 'markdown' else 'txt'}").interviews[0]
    assert [(p.question, p.answer) for p in iv.pairs] == [
        ("What is new?", "A lot."), ("Anything else?", "No.")]
    same_paragraph = parse_text(text.replace(f"\n\n{note}", f"\n{note}"), "note.txt")
    assert same_paragraph.interviews[0].pairs[-1].answer == "No."


def test_an_answer_about_editing_is_kept():
    text = ("Host: Was the paper edited?\n\nDr. Kay: It was edited for length.\n\n"
            "Host: And?\n\nDr. Kay: The journal has been edited for clarity since 2020.\n")
    answers = [p.answer for p in parse_text(text, "kay.txt").interviews[0].pairs]
    assert answers == ["It was edited for length.",
                       "The journal has been edited for clarity since 2020."]

def test_bio_with_degree_suffix_and_bullet_styles():
    text = (
        "Host: Why cardiology?\n\nDr. Ray Ng: My father was a cardiologist.\n\n"
        "Host: Any advice?\n\nDr. Ray Ng: Walk every day.\n\n"
        "Ray Ng, MD\n• Chief of Cardiology, Example Hospital\n"
        "* Fellow, American College of Cardiology\n"
    )
    iv = parse_text(text, "ray-ng.txt").interviews[0]
    assert iv.bio == "Chief of Cardiology, Example Hospital\nFellow, American College of Cardiology"
    assert iv.pairs[-1].answer == "Walk every day."


def test_trailing_bio_bullets_without_name_line():
    text = (
        "Q: Why surgery?\nA: I like fixing things.\n\n"
        "- Professor of Surgery, Example University\n- Member, National Surgical Society\n"
    )
    iv = parse_text(text, "surgeon.txt").interviews[0]
    assert iv.pairs == [QAPair("Why surgery?", "I like fixing things.")]
    assert iv.bio == "Professor of Surgery, Example University\nMember, National Surgical Society"


def test_answer_ending_in_a_plain_list_keeps_it():
    text = "Q: What helps?\nA: Three things:\n- sleep\n- water\n- walking\n"
    iv = parse_text(text, "list.txt").interviews[0]
    assert iv.bio == ""
    assert iv.pairs[0].answer == "Three things:\n\nsleep\n\nwater\n\nwalking"


def test_dash_variants_in_outlet_labels_and_crlf():
    text = (
        "Oncology Frontier - Hematology Frontier: What is new in CAR-T?\r\n"
        "Prof. Li Wen: Dual targets.\r\n"
        "Oncology Frontier - Hematology Frontier: And safety?\r\n"
        "Prof. Li Wen: Better than before.\r\n"
    )
    iv = parse_text(text, "li-wen.txt").interviews[0]
    assert iv.interviewer == "Oncology Frontier - Hematology Frontier"
    assert iv.interviewee == "Prof. Li Wen"
    assert len(iv.pairs) == 2
    text = text.replace(" - ", " — ").replace("\r\n", "\n")
    assert parse_text(text, "li-wen.txt").interviews[0].interviewer == (
        "Oncology Frontier — Hematology Frontier"
    )


def test_one_off_word_colon_is_not_a_speaker():
    text = (
        "Q: Is aspirin still recommended?\n"
        "A: Only for some people.\n"
        "Example: a patient with a recent stent.\n"
        "Bottom line: ask your doctor.\n"
    )
    iv = parse_text(text, "aspirin.txt").interviews[0]
    assert iv.pairs[0].answer == (
        "Only for some people.\n\nExample: a patient with a recent stent.\n\n"
        "Bottom line: ask your doctor."
    )


def test_cp1252_and_utf16_files_decode_with_warnings():
    result, iv = parse_one("cp1252.txt")
    assert [p.message for p in result.problems] == ["not UTF-8; decoded as cp1252"]
    assert iv.pairs == [
        QAPair(
            "Is café coffee safe in pregnancy – and how much?",
            "Up to 200 mg a day is considered safe — about two “regular” cups.",
        )
    ]
    result, iv = parse_one("utf16-bom.txt")
    assert [p.message for p in result.problems] == ["decoded as UTF-16 (byte order mark)"]
    assert iv.pairs == [QAPair("Can naïve T cells be reprogrammed?", "Yes – in the lab, at least.")]


def test_the_named_reply_of_a_one_question_interview_is_its_interviewee():
    # a name seen once is no speaker by itself; answering "Host:" makes it one
    text = "Iron\n\nHost: How is iron deficiency anaemia treated?\n\nDr. Blood: Oral iron first.\n"
    iv = parse_text(text, "iron.txt").interviews[0]
    assert iv.interviewee == "Dr. Blood"
    assert iv.pairs[0].answer == "Oral iron first."
    text = "Interviewer: Is aspirin still recommended?\n\nProf. Maria van der Berg: Rarely.\n"
    assert parse_text(text, "a.txt").interviews[0].interviewee == "Prof. Maria van der Berg"
    # not a name: the label stays answer text
    text = "Q: Is aspirin still recommended?\n\nShort answer: only for some people.\n"
    pair = parse_text(text, "b.txt").interviews[0].pairs[0]
    assert pair.answer == "Short answer: only for some people."


def test_title_line_directly_above_date_and_byline_lines():
    text = (
        "Fighting sepsis on the wards\nDate: 2023-04-01\n\n"
        "Host: What is the first step?\n\nDr. Lee: Recognise it early.\n"
    )
    result = parse_text(text, "l.txt")
    iv = result.interviews[0]
    assert (iv.title, iv.date, iv.summary) == ("Fighting sepsis on the wards", "2023-04-01", "")
    assert result.problems == []
    assert iv.pairs == [
        QAPair("What is the first step?", "Recognise it early.", "", "Dr. Lee")
    ]
    text = (
        "Fighting sepsis on the wards\nPublished: March 3, 2024\nBy Jane Roe\n\n"
        "Host: What is the first step?\n\nDr. Lee: Recognise it early.\n"
    )
    iv = parse_text(text, "l.txt").interviews[0]
    assert (iv.title, iv.date, iv.interviewer, iv.summary) == (
        "Fighting sepsis on the wards",
        "2024-03-03",
        "Jane Roe",
        "",
    )
    assert iv.pairs[0].asker == "Jane Roe"


def test_a_short_answer_starting_with_by_is_an_answer_not_a_byline():
    text = ("Imaging in myeloma\n\nHow do you find bone lesions early?\n\nBy MRI.\n\n"
            "And how often do you scan?\n\nEvery six months in the first year.\n")
    iv = parse_text(text, "mri.txt").interviews[0]
    assert [p.answer for p in iv.pairs] == ["By MRI.", "Every six months in the first year."]
    assert iv.interviewer == ""
    heading = "Interview with Dr. Smith\n\nBy The Numbers\n\nQ: How many respond?\n\nA: Half.\n"
    assert parse_text(heading, "n.txt").interviews[0].interviewer == ""
    named = "Interview with Dr. Smith\n\nBy An Nguyen\n\nQ: How many respond?\n\nA: Half.\n"
    assert parse_text(named, "n.txt").interviews[0].interviewer == "An Nguyen"


def test_a_byline_below_a_standfirst_is_the_interviewer():
    text = ("CAR-T for T-cell leukemia\n\nNew CD7-targeted cells show promise, the doctor "
            "says.\n\nBy Jane Roe\n\nQ: What is new?\n\nA: CD7 CAR-T.\n")
    iv = parse_text(text, "deck.txt").interviews[0]
    assert (iv.interviewer, iv.summary) == (
        "Jane Roe", "New CD7-targeted cells show promise, the doctor says.")


def test_first_lines_that_are_not_all_header_lines_are_no_title():
    text = "Fighting sepsis on the wards\nwas the theme.\n\nQ: Why?\n\nA: Because.\n"
    iv = parse_text(text, "sepsis-talk.txt").interviews[0]
    assert (iv.title, iv.summary) == ("Sepsis Talk", "Fighting sepsis on the wards was the theme.")


def test_ambiguous_numeric_date_line_is_read_month_first_with_a_warning():
    text = "Date: 05/03/2023\n\nQ: Why?\n\nA: Because.\n"
    result = parse_text(text, "d.txt")
    assert result.interviews[0].date == "2023-05-03"
    assert [(p.file, p.severity, p.message) for p in result.problems] == [
        (
            "d.txt",
            "warning",
            "read the date '05/03/2023' as 2023-05-03 (month/day); "
            "write 2023-03-05 if it is 5 March",
        )
    ]
    for clear in ("Date: 31/12/2023", "Date: 03/03/2023", "Published: 2023-05-03"):
        result = parse_text(f"{clear}\n\nQ: Why?\n\nA: Because.\n", "d.txt")
        assert result.interviews[0].date and result.problems == []


KIM = ("Venetoclax in older patients with AML: Dr. Susan Kim\nPublished: {}\n\n"
       "Targeted Oncology: What is your experience with venetoclax?\n\n"
       "Dr. Susan Kim: It is standard with azacitidine.\n\n"
       "Targeted Oncology: And TLS?\n\nDr. Susan Kim: Rare, but we ramp up.\n")


def test_a_dotted_header_date_is_read_day_first_and_keeps_the_title():
    result = parse_text(KIM.format("13.03.2024"), "kim.txt")
    iv = result.interviews[0]
    assert (iv.title, iv.date, iv.summary) == (
        "Venetoclax in older patients with AML: Dr. Susan Kim", "2024-03-13", "")
    assert result.problems == []
    assert len(iv.pairs) == 2


def test_an_ambiguous_dotted_date_warns_that_it_was_read_day_first():
    result = parse_text(KIM.format("12.03.2024"), "kim.txt")
    iv = result.interviews[0]
    assert (iv.title, iv.date) == (
        "Venetoclax in older patients with AML: Dr. Susan Kim", "2024-03-12")
    assert [(p.file, p.message) for p in result.problems] == [
        ("kim.txt", "read the date '12.03.2024' as 2024-03-12 (day.month, the usual order "
                    "of dotted dates); write 2024-12-03 if it is 3 December")]


def test_an_unreadable_header_date_is_reported_and_keeps_the_title():
    no_day, two_digits = "(a date without a day is not stored)", "(its year has two digits)"
    for written, why in (("March 2024", no_day), ("Spring 2024", no_day),
                         ("12.3.24", two_digits), ("3/12/24", two_digits),
                         ("March 3, 24", two_digits), ("31 February 2024", None)):
        result = parse_text(KIM.format(written), "kim.txt")
        iv = result.interviews[0]
        assert (iv.title, iv.date, iv.summary) == (
            "Venetoclax in older patients with AML: Dr. Susan Kim", "", "")
        told = (f"could not read the date {written!r}: write it as YYYY-MM-DD {why}" if why
                else f"{written!r} is not a date: February 2024 has 29 days")
        assert [(p.file, p.message) for p in result.problems] == [("kim.txt", told)], written


def test_one_named_question_and_its_named_answer_are_one_pair():
    text = ("Quick take: Dr. Lena Fischer on talquetamab\nPublished: 2024-06-03\n\n"
            "Oncology View: Where does talquetamab fit after BCMA therapy?\n\n"
            "Dr. Lena Fischer: It targets GPRC5D, so it works after BCMA failure.\n")
    result = parse_text(text, "quick-take.txt")
    iv = result.interviews[0]
    assert result.problems == []
    assert (iv.title, iv.interviewer, iv.interviewee, iv.method) == (
        "Quick take: Dr. Lena Fischer on talquetamab", "Oncology View", "Dr. Lena Fischer",
        "speaker-labels")
    assert iv.pairs == [QAPair("Where does talquetamab fit after BCMA therapy?",
                               "It targets GPRC5D, so it works after BCMA failure.",
                               "Oncology View", "Dr. Lena Fischer")]


def test_two_one_off_labels_are_no_exchange_unless_a_name_asks_and_a_name_answers():
    for prose in (
        "Why it matters: is this new?\n\nDr. Lee: Yes, quite.\n",  # not a name that asks
        "Oncology View: Is this new?\n\nShort answer: yes, quite.\n",  # not a name that answers
        "Oncology View: This is new.\n\nDr. Lee: Yes, quite.\n",  # no question
        "Dr. Lee: Is this new?\n\nDr. Kim: Is it?\n",  # two questions
        "Oncology View: Is this new?\n\nDr. Lee: Yes.\n\nDr. Kim: No.\n",  # three labels
        "Note: is this new?\n\nDr. Lee: Yes, quite.\n",
    ):
        assert parse_text(prose, "p.txt").interviews[0].pairs == [], prose


def test_q_a_labels_take_the_interviewee_from_an_interview_with_title():
    for title, name in (
        ("Managing IL-6 after CAR-T: an interview with Dr. Ahmed Patel", "Dr. Ahmed Patel"),
        ("A Conversation With Prof. Ana de la Cruz, MD", "Prof. Ana de la Cruz"),
        ("In conversation with Maria Gomez about sepsis", "Maria Gomez"),
        ("An interview with the editors", ""),
        ("Interview with The Lancet Oncology", ""),
        ("In conversation with Oncology Frontier", ""),  # an outlet, not a person
    ):
        text = f"{title}\n\nQ: Why IL-6?\n\nA: It drives CRS.\n"
        iv = parse_text(text, "patel.txt").interviews[0]
        assert (iv.interviewee, iv.pairs[0].answerer) == (name, name), title


def test_q_a_labels_take_the_interviewee_from_common_title_patterns():
    for title, name in (
        ("Immune thrombocytopenia in adults: Dr. Rachel Green answers your questions",
         "Dr. Rachel Green"),
        ("Dr. Rachel Green Answers Your Questions", "Dr. Rachel Green"),
        ("Q&A: anticoagulation in cancer with Dr. Lee Chen", "Dr. Lee Chen"),
        ("Five questions on MDS with Dr. Sara Kim", "Dr. Sara Kim"),
        ("Q&A with Dr. Lee Chen", "Dr. Lee Chen"),
        ("An interview with Dr. Kim", "Dr. Kim"),
        ("Dr. Ana Ruiz on MDS", "Dr. Ana Ruiz"),
        ("Sarah Klein, MD, discusses CAR-T toxicity", "Sarah Klein"),
        ("Hematology today – Prof. Omar Haddad explains CRS", "Prof. Omar Haddad"),
        ("Ask the expert: Prof. Ana Ruiz on MDS", "Prof. Ana Ruiz"),
        ("In conversation: Maria Gomez", "Maria Gomez"),
        ("Meet the expert – Dr. Omar Haddad", "Dr. Omar Haddad"),
        # ordinary titles: no name, or a name without a title or degree where a bare "with"
        # or "X on Y" would be too weak a sign
        ("Living with diabetes", ""),
        ("Q&A with patients", ""),
        ("Q&A With Cancer Survivors", ""),
        ("Living with Dr. Google", ""),
        ("Dr. Google on your symptoms", ""),
        ("Dr. Google Answers Your Questions", ""),
        ("Dr. Rachel Green's Tips on ITP", ""),
        ("Sarah Klein on BCMA", ""),
        ("Coping with Sarah Klein", ""),
        ("New Guidelines on Anemia", ""),
        ("Prof. Smith Lecture Series on MDS", ""),
        ("Interview with Mayo Clinic", ""),
        ("Living with ITP: patients answer your questions", ""),
        ("Ask the expert: your questions on ITP", ""),
    ):
        text = f"{title}\n\nQ: Why IL-6?\n\nA: It drives CRS.\n"
        iv = parse_text(text, "t.txt").interviews[0]
        assert (iv.interviewee, iv.pairs[0].answerer) == (name, name), title


def test_an_interview_with_line_in_the_intro_names_the_interviewee():
    text = ("Sickle cell gene therapy\n\nAn interview with Dr. Ama Owusu on gene therapy.\n\n"
            "Who is eligible?\n\nPatients over 12.\n\nHow long is the stay?\n\nSix weeks.\n")
    assert parse_text(text, "o.txt").interviews[0].interviewee == "Dr. Ama Owusu"
    text = text.replace("An interview with Dr. Ama Owusu on", "Living with Dr. Ama Owusu and")
    assert parse_text(text, "o.txt").interviews[0].interviewee == ""  # no interview cue


def test_a_label_in_capitals_takes_the_full_name_the_host_gives():
    turns = ("\n\n[00:00:05] HOST: Welcome. Today we have {intro}. What is new?\n"
             "[00:00:12] {label}: Bispecifics.\n[00:01:40] HOST: And in mantle cell?\n"
             "[00:01:45] {label}: BTK inhibitors.\n")
    for intro, label, name in (
        ("Dr. Priya Nair. Dr. Nair", "DR. NAIR", "Dr. Priya Nair"),
        ("Priya Nair", "DR. NAIR", "Dr. Priya Nair"),
        ("Priya Nair", "NAIR", "Priya Nair"),
        ("Dr. Priya Nair", "PRIYA NAIR", "Priya Nair"),
        ("Dr. Priya Nair", "DR. PRIYA NAIR", "Dr. Priya Nair"),
        ("our guest", "DR. NAIR", "DR. NAIR"),  # the text gives no other spelling
        ("Priya Nair and Ravi Nair", "DR. NAIR", "DR. NAIR"),  # two people of that name
    ):
        text = "Talking lymphoma, episode 12" + turns.format(intro=intro, label=label)
        iv = parse_text(text, "t.txt").interviews[0]
        assert (iv.interviewee, iv.pairs[1].answerer) == (name, name), (intro, label)


def test_a_surname_label_stays_when_the_full_name_is_missing_or_ambiguous():
    pairs = "\n\nHost: What is new?\n\nKlein: CAR-T.\n\nHost: And CRS?\n\nKlein: Rarer.\n"
    for intro, name in (
        ("Sarah Klein, MD, spoke to us.", "Sarah Klein"),
        ("We spoke to an expert.", "Klein"),
        ("Sarah Klein and her husband Tom Klein spoke to us.", "Klein"),
        ("Interview With Sarah Klein", "Sarah Klein"),
    ):
        iv = parse_text("CAR-T today" + "\n\n" + intro + pairs, "k.txt").interviews[0]
        assert iv.interviewee == name, intro
    text = "CAR-T with Dr. Sarah Klein" + pairs.replace("Klein:", "Dr. Kleinberg:")
    assert parse_text(text, "k.txt").interviews[0].interviewee == "Dr. Kleinberg"


def test_a_byline_with_a_role_or_a_date_is_the_interviewer_not_summary():
    for byline, who, day in (("By Hematology Weekly staff", "Hematology Weekly staff", ""),
                             ("By Jane Roe, staff writer", "Jane Roe, staff writer", ""),
                             ("By John Doe | March 12, 2024", "John Doe", "2024-03-12")):
        text = f"CAR-T today\n\n{byline}\n\nAn intro.\n\nQ: What is new?\n\nA: CD7.\n"
        iv = parse_text(text, "b.txt").interviews[0]
        assert (iv.interviewer, iv.date, iv.summary) == (who, day, "An intro."), byline


def test_a_posted_or_published_line_without_a_colon_is_the_date():
    for line in ("Posted March 3, 2024", "Published on 2024-03-03", "Posted 3 March 2024."):
        text = f"Dr. Ana Ruiz on MDS\n{line}\n\nAn intro.\n\nQ: Why?\n\nA: Because.\n"
        iv = parse_text(text, "p.txt").interviews[0]
        assert (iv.title, iv.date, iv.summary) == (
            "Dr. Ana Ruiz on MDS", "2024-03-03", "An intro."), line
    # a sentence that starts so is no date line
    for sentence in ("Published March 3, 2024 in Blood, the trial changed practice.",
                     "Published March 3, 2024 in print and online."):
        text = f"Dr. Ana Ruiz on MDS\n\n{sentence}\n\nQ: Why?\n\nA: Because.\n"
        iv = parse_text(text, "p.txt").interviews[0]
        assert (iv.date, iv.interviewer, iv.summary) == ("", "", sentence), sentence


def test_a_published_in_line_is_the_date_and_its_outlet_the_interviewer():
    for line, outlet in (("Published 4 June 2024 in Thalassemia Today", "Thalassemia Today"),
                         ("Published March 3, 2024 in Blood.", "Blood"),
                         ("Posted on 2024-06-04 in The Hematologist", "The Hematologist"),
                         ("Published in Journal of Oncology Practice on 4 June 2024",
                          "Journal of Oncology Practice"),
                         ("Published in Blood, June 4, 2024", "Blood")):
        text = f"Iron overload\n\n{line}\n\nAn intro.\n\nQ: Why?\n\nA: Because.\n"
        iv = parse_text(text, "p.txt").interviews[0]
        assert (iv.title, iv.date[:4], iv.interviewer, iv.summary) == (
            "Iron overload", "2024", outlet, "An intro."), line
        assert iv.pairs[0].asker == outlet
    # a byline names who asked; the outlet only stands in for nobody named
    text = ("Iron overload\n\nPublished 4 June 2024 in Thalassemia Today\n\nBy Jane Roe\n\n"
            "Q: Why?\n\nA: Because.\n")
    iv = parse_text(text, "p.txt").interviews[0]
    assert (iv.date, iv.interviewer) == ("2024-06-04", "Jane Roe")
