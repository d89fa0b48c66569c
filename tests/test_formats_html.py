"""HTML interviews: labels, headings, definition lists, schema.org data, junk removal."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.formats import parse_file
from indexer.formats import parse_text
from indexer.model import QAPair

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "interviews"


def parse_one(name: str, problems: tuple[str, ...] = ()):
    result = parse_file(FIXTURES / name, name)
    assert tuple(p.message for p in result.problems) == problems
    assert len(result.interviews) == 1
    return result.interviews[0]


def qa(iv) -> list[tuple[str, str]]:
    return [(p.question, p.answer) for p in iv.pairs]


def test_strong_labels_metadata_entities_and_bio():
    iv = parse_one("strong-labels.html")
    assert iv.format == "html"
    assert iv.method == "speaker-labels"
    assert iv.title == "Dr. Wei Chen on Lung Cancer Screening"
    assert iv.date == "2024-05-17"
    assert iv.source == "https://news.example.org/wei-chen-screening"
    assert iv.interviewer == "Example News"
    assert iv.interviewee == "Dr. Wei Chen"
    assert iv.summary == "Dr. Chen leads the screening program at Example Hospital."
    assert iv.bio == "Professor of Medicine, Example University\nDirector, Lung Screening Program"
    assert iv.pairs == [
        QAPair(
            "Who should be screened & how often?",
            "Adults aged 50–80 with a 20 pack-year history, once a year.\n\nWe use low-dose CT.",
            "Example News",
            "Dr. Wei Chen",
        ),
        QAPair("What are the harms?", "False positives, mostly.", "Example News", "Dr. Wei Chen"),
    ]


def test_b_labels_split_by_br_and_meta_author_as_interviewer():
    iv = parse_one("b-labels.html")
    assert iv.method == "qa-labels"
    assert iv.title == "Gout Q&A"
    assert iv.interviewer == "Jo Rivers"
    assert qa(iv) == [
        ("Is gout only caused by diet?", "No. Genetics and kidney function matter more."),
        ("Should I stop allopurinol during a flare?", "No, keep taking it."),
    ]


def test_question_headings_and_meta_description_summary():
    iv = parse_one("headings.html")
    assert iv.method == "headings"
    assert iv.summary == "An endocrinologist answers common questions."
    assert qa(iv) == [
        ("How common are thyroid nodules?", "Very common: half of adults over 60 have one."),
        (
            "Are most nodules cancer?",
            "No, more than 90 percent are benign.\n\n"
            "An ultrasound decides whether a biopsy is needed.",
        ),
    ]


def test_definition_list():
    iv = parse_one("dl.html")
    assert iv.method == "definition-list"
    assert iv.summary == "Answers from our infectious disease team."
    assert qa(iv) == [
        ("Can adults get the measles vaccine?", "Yes, if they have no record of two doses."),
        ("Is the flu shot needed every year?", "Yes.\n\nThe strains change every season."),
    ]


def test_faq_jsonld_with_html_answers():
    iv = parse_one("faq-jsonld.html")
    assert iv.method == "faq-jsonld"
    assert iv.title == "Hepatitis C FAQ"
    assert qa(iv) == [
        (
            "Is hepatitis C curable?",
            "Yes. Eight to twelve weeks of tablets cure over 95% of patients.\n\n"
            "Re-infection is possible.",
        ),
        ("Is there a vaccine?", "No, not yet & not soon."),
    ]


def test_faq_jsonld_in_graph_with_article_meta_and_broken_script():
    iv = parse_one(
        "faq-jsonld-graph.html",
        (
            "invalid JSON-LD ignored: Expecting property name enclosed in double quotes: "
            "line 1 column 3 (char 2)",
        ),
    )
    assert iv.method == "faq-jsonld"
    assert (iv.title, iv.date, iv.source, iv.interviewer) == (
        "Dialysis Questions",
        "2022-02-01",
        "https://kidney.example.org/dialysis",
        "Sam Ode",
    )
    assert qa(iv) == [
        ("How long does a dialysis session take?", "About four hours, three times a week.")
    ]


def test_faq_microdata():
    iv = parse_one("microdata.html")
    assert iv.method == "faq-microdata"
    assert qa(iv) == [
        ("Is glaucoma hereditary?", "It runs in families.\n\nRelatives should be screened."),
        ("Can it be cured?", "No, but it can be controlled."),
    ]


def test_bold_question_paragraphs():
    iv = parse_one("bold-questions.html")
    assert iv.method == "bold-questions"
    assert iv.summary == "Our audiologist answers reader questions."
    assert qa(iv) == [
        (
            "Do hearing aids slow cognitive decline?",
            "Recent trials suggest they may in people at high risk.",
        ),
        ("Are over-the-counter aids any good?", "For mild to moderate loss, yes."),
    ]


def test_navigation_scripts_banners_and_hidden_text_never_leak():
    iv = parse_one("junk.html")
    assert "LEAK" not in json.dumps(iv.to_dict())
    assert iv.title == "Stroke Rehab Interview"
    assert iv.summary == "We asked a physiatrist about recovery after stroke."
    assert qa(iv) == [
        ("How soon should rehab start?", "Within the first days, once the patient is stable."),
        ("Does intensity matter?", "Yes – more practice means more recovery."),
    ]


def test_meta_charset_latin1_bytes():
    iv = parse_one("latin1-meta.html", ("decoded as cp1252 (declared charset 'iso-8859-1')",))
    assert iv.title == "Entrevista"
    assert qa(iv) == [
        ("¿Qué es la diabetes tipo 2?", "Una enfermedad crónica del metabolismo de la glucosa.")
    ]


def test_txt_file_that_is_really_html():
    iv = parse_one("really-html.txt")
    assert (iv.format, iv.title) == ("html", "Sepsis Q&A")
    assert qa(iv) == [
        (
            "What is the first hour bundle?",
            "Cultures, lactate, antibiotics and fluids within an hour.",
        )
    ]


def test_ten_thousand_nested_divs_do_not_crash():
    page = "<html><body>" + "<div>" * 10_000 + "<p><b>Q:</b> Deep?</p><p><b>A:</b> Yes.</p>"
    page += "</div>" * 10_000 + "</body></html>"
    result = parse_text(page, "deep.html")
    assert result.problems == []
    assert qa(result.interviews[0]) == [("Deep?", "Yes.")]


def test_html_bio_after_last_answer_and_time_element():
    page = """<html><body><main>
    <time datetime="2021-07-09">July 9</time>
    <p>HOST: What do you study?</p><p>Dr. Ida Berg: Sleep in teenagers.</p>
    <p>HOST: Why?</p><p>Dr. Ida Berg: It shapes their health for life.</p>
    <h4>About Dr. Ida Berg</h4>
    <p>Ida Berg is a pediatric sleep researcher in Oslo.</p>
    </main></body></html>"""
    iv = parse_text(page, "berg.html").interviews[0]
    assert iv.date == "2021-07-09"
    assert iv.interviewee == "Dr. Ida Berg"
    assert iv.bio == "Ida Berg is a pediatric sleep researcher in Oslo."
    assert iv.pairs[-1].answer == "It shapes their health for life."


def test_plain_text_in_html_file_and_xml_declaration_do_not_warn():
    assert parse_text("index.html", "x.html").interviews[0].format == "text"
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>Q: x?</p><p>A: y</p></body></html>'
    )
    assert qa(parse_text(page, "x.xhtml").interviews[0]) == [("x?", "y")]


def test_ambiguous_published_date_warns():
    page = (
        '<html><head><meta property="article:published_time" content="11/02/2022"></head>'
        "<body><p>Q: Why?</p><p>A: Because.</p></body></html>"
    )
    result = parse_text(page, "d.html")
    assert result.interviews[0].date == "2022-11-02"
    assert [p.message for p in result.problems] == [
        "read the date '11/02/2022' as 2022-11-02 (month/day); write 2022-02-11 if it is "
        "11 February"
    ]


def test_an_unreadable_published_date_is_reported():
    page = (
        '<html><head><meta property="article:published_time" content="March 2024"></head>'
        "<body><h1>Iron</h1><p>Q: Why?</p><p>A: Because.</p></body></html>"
    )
    result = parse_text(page, "d.html")
    assert (result.interviews[0].title, result.interviews[0].date) == ("Iron", "")
    assert [(p.file, p.message) for p in result.problems] == [
        ("d.html", "could not read the date 'March 2024': write it as YYYY-MM-DD "
                   "(a date without a day is not stored)")]


def test_a_surname_label_is_resolved_to_the_full_name_of_the_title_or_intro():
    page = (
        "<html><head><title>Dr. Sarah Klein on BCMA | OncNews</title></head><body><article>"
        "<h1>Dr. Sarah Klein on BCMA</h1>"
        "<p><em>In an interview with OncNews Today, Sarah Klein, MD, of Memorial Cancer "
        "Center, discussed CAR-T.</em></p>"
        "<p><strong>OncNews Today: What is new?</strong></p><p><strong>Klein:</strong> CAR-T.</p>"
        "<p><strong>OncNews Today: And CRS?</strong></p><p><strong>Klein:</strong> Rarer.</p>"
        "</article></body></html>"
    )
    iv = parse_text(page, "klein.html").interviews[0]
    assert iv.interviewee == "Dr. Sarah Klein"
    assert {p.answerer for p in iv.pairs} == {"Dr. Sarah Klein"}
    intro = (
        "<html><body><article><h1>Dr. Kim on venetoclax</h1>"
        "<p><b>Dr. Susan Kim</b> is director of leukemia at Northside Hospital.</p>"
        "<p><b>Targeted Oncology:</b> What is new?</p><p><b>Kim:</b> Venetoclax.</p>"
        "<p><b>Targeted Oncology:</b> And TLS?</p><p><b>Kim:</b> Rare.</p>"
        "</article></body></html>"
    )
    assert parse_text(intro, "kim.html").interviews[0].interviewee == "Dr. Susan Kim"


def test_a_top_bar_with_a_log_in_link_is_chrome_not_summary():
    body = ("<h1>Managing CRS</h1><p>Dr. Omar Haddad talks about toxicity.</p>"
            "<h3>What is ICANS?</h3><p>A neurotoxicity. Patients sign in at the desk.</p>"
            "<h3>When do you give steroids?</h3><p>From grade 2.</p>")
    for chrome in ('<div class="topbar"><a href="/">Cancer Today</a> <a href="/x">Home</a></div>',
                   '<div><a href="/">Cancer Today</a> <a href="/login">Log in</a></div>',
                   '<div class="masthead">Cancer Today</div><p><a href="/s">Sign in</a> | '
                   '<a href="/r">Register</a></p>'):
        iv = parse_text(f"<html><body>{chrome}<div class='content'>{body}</div></body></html>",
                        "crs.html").interviews[0]
        assert iv.summary == "Dr. Omar Haddad talks about toxicity.", chrome
        assert iv.pairs[0].answer == "A neurotoxicity. Patients sign in at the desk."
    # a link in an answer that offers to register stays (a bar is a row of links)
    trial = body.replace("From grade 2.", '<a href="/t">Register for the trial</a>')
    iv = parse_text(f"<html><body>{trial}</body></html>", "crs.html").interviews[0]
    assert iv.pairs[1].answer == "Register for the trial"


BYLINE_PAGE = ("<html><head><title>Dr. Ana Ruiz on MDS</title></head><body>"
               "<h1>Dr. Ana Ruiz on MDS</h1>{}"
               "<p>Dr. Ana Ruiz discusses luspatercept in lower-risk MDS.</p>"
               "<h3>When do you start luspatercept?</h3><p>In transfusion-dependent patients.</p>"
               "<h3>What about ESA-naive patients?</h3><p>{}</p></body></html>")


def test_a_blank_date_is_no_warning_and_does_not_hide_an_unreadable_one():
    # <time datetime=" "> gave a problem with an empty message
    page = ('<html><head><meta property="article:published_time" content=" "></head>'
            '<body><h1>Iron</h1><time datetime="{}">x</time><p>Q: Why?</p><p>A: Because.</p>'
            "</body></html>")
    assert parse_text(page.format(" "), "d.html").problems == []
    assert [p.message for p in parse_text(page.format("March 2024"), "d.html").problems] == [
        "could not read the date 'March 2024': write it as YYYY-MM-DD "
        "(a date without a day is not stored)"]


def test_a_byline_paragraph_is_the_interviewer_and_date_not_summary_as_in_text():
    for byline, who, day in (("By Jane Roe", "Jane Roe", ""),
                             ("By Heme News Staff", "Heme News Staff", ""),
                             ("By Jane Roe | March 3, 2024", "Jane Roe", "2024-03-03")):
        result = parse_text(BYLINE_PAGE.format(f"<p>{byline}</p>", "COMMANDS."), "by.html")
        iv = result.interviews[0]
        assert (iv.interviewer, iv.date, iv.summary) == (
            who, day, "Dr. Ana Ruiz discusses luspatercept in lower-risk MDS."), byline
        assert len(iv.pairs) == 2 and result.problems == []
        text = parse_text(f"Dr. Ana Ruiz on MDS\n{byline}\n\n{iv.summary}\n\nQ: Why?\n\n"
                          "A: Because.\n", "by.txt").interviews[0]
        assert (text.interviewer, text.date, text.summary) == (iv.interviewer, iv.date,
                                                               iv.summary)


def test_a_byline_or_author_class_is_read_as_a_byline_and_never_summary():
    summary = "Dr. Ana Ruiz discusses luspatercept in lower-risk MDS."
    for element, who, day in (
        ('<p class="author">By Heme News Staff</p>', "Heme News Staff", ""),
        ('<div class="byline">By <a href="/jr">Jane Roe</a> | March 3, 2024</div>',
         "Jane Roe", "2024-03-03"),
        ('<div class="entry-meta">Published: 2024-03-03</div>', "", "2024-03-03"),
        ('<span class="post-author">Jane Roe</span>', "Jane Roe", ""),  # a name alone
    ):
        iv = parse_text(BYLINE_PAGE.format(element, "COMMANDS."), "by.html").interviews[0]
        assert (iv.interviewer, iv.date, iv.summary) == (who, day, summary), element


def test_labels_naming_the_interviewer_win_over_a_byline_and_an_answer_by_stays():
    page = ("<html><body><article><h1>Dr. Ana Ruiz on MDS</h1>"
            '<p class="author">By Heme News Staff</p><p>By Jane Roe</p>'
            "<p>In this interview, Dr. Ana Ruiz discusses luspatercept.</p>"
            "<p><strong>Heme News:</strong> When do you start luspatercept?</p>"
            "<p><strong>Dr. Ruiz:</strong> In transfusion-dependent patients.</p>"
            "<p><strong>Heme News:</strong> How do you follow patients?</p>"
            "<p><strong>Dr. Ruiz:</strong> By MRI.</p></article></body></html>")
    iv = parse_text(page, "ruiz.html").interviews[0]
    assert (iv.interviewer, iv.summary) == (
        "Heme News", "In this interview, Dr. Ana Ruiz discusses luspatercept.")
    assert iv.pairs[1].answer == "By MRI."
    # an author <meta> wins over the byline, as front matter does in text
    meta = BYLINE_PAGE.format("<p>By Jane Roe</p>", "By MRI.").replace(
        "</title>", '</title><meta name="author" content="John Doe">')
    iv = parse_text(meta, "by.html").interviews[0]
    assert (iv.interviewer, iv.pairs[1].answer) == ("John Doe", "By MRI.")


def test_a_two_digit_year_is_named_in_the_warning():
    page = ('<html><head><meta property="article:published_time" content="12.3.24"></head>'
            "<body><h1>Iron</h1><p>Q: Why?</p><p>A: Because.</p></body></html>")
    result = parse_text(page, "d.html")
    assert [(p.file, p.message) for p in result.problems] == [
        ("d.html", "could not read the date '12.3.24': write it as YYYY-MM-DD "
                   "(its year has two digits)")]


def test_an_author_class_byline_and_a_posted_line_under_the_title_are_no_summary():
    page = ("<html><head><title>Dr. Ana Ruiz on MDS | Heme News</title></head><body><article>"
            '<h1>Dr. Ana Ruiz on MDS</h1><p class="author">By Heme News Staff</p>'
            "<p>Posted March 3, 2024</p><p>In this interview, Dr. Ana Ruiz discusses MDS.</p>"
            "<p><strong>Heme News:</strong> When do you start luspatercept?</p>"
            "<p><strong>Dr. Ruiz:</strong> In transfusion-dependent patients.</p>"
            "<p><strong>Heme News:</strong> What about ESA-naive patients?</p>"
            "<p><strong>Dr. Ruiz:</strong> COMMANDS supports first-line use.</p>"
            "</article></body></html>")
    iv = parse_text(page, "top.html").interviews[0]
    assert (iv.interviewer, iv.date, iv.summary) == (
        "Heme News", "2024-03-03", "In this interview, Dr. Ana Ruiz discusses MDS.")


RUIZ_SUMMARY = "Dr. Ana Ruiz of Valle Cancer Center discusses luspatercept in lower-risk MDS."


def test_a_byline_in_the_article_header_is_the_interviewer_and_date():
    iv = parse_one("header-byline.html")
    assert (iv.title, iv.interviewer, iv.date, iv.summary) == (
        "Dr. Ana Ruiz on Lower-Risk MDS", "Jane Roe", "2024-03-03", RUIZ_SUMMARY)
    assert len(iv.pairs) == 2 and "Heme News" not in iv.summary
    # the same byline in plain text (a date after a comma is no part of the name)
    text = parse_text(f"Dr. Ana Ruiz on MDS\nBy Jane Roe, March 3, 2024\n\n{RUIZ_SUMMARY}\n\n"
                      "Q: Why?\n\nA: Because.\n", "ruiz.txt").interviews[0]
    assert (text.interviewer, text.date, text.summary) == ("Jane Roe", "2024-03-03", RUIZ_SUMMARY)


HEADER_PAGE = ("<html><body><article><header><h1>Dr. Ana Ruiz on MDS</h1>{}</header>"
               f"<p>{RUIZ_SUMMARY}</p>"
               "<h3>When do you start luspatercept?</h3><p>In transfusion-dependent patients.</p>"
               "<h3>What about ESA-naive patients?</h3><p>By COMMANDS.</p></article></body></html>")


def test_header_lines_and_time_datetime_are_read_as_metadata_never_summary():
    for header, who, day in (
        ('<p>By <a href="/staff/jane-roe">Jane Roe</a></p>'
         '<time datetime="2024-03-04T09:00:00-05:00">March 4</time>', "Jane Roe", "2024-03-04"),
        ('<p class="dateline">By <a rel="author" href="/jr">Jane Roe</a> '
         '<time datetime="2024-03-04">March 4, 2024</time></p>', "Jane Roe", "2024-03-04"),
        ("<p>Interviewer: Jane Roe</p><p>Published: 2024-03-04</p>", "Jane Roe", "2024-03-04"),
        ("<p>Posted March 4, 2024</p>", "", "2024-03-04"),
        ('<p class="dek">Luspatercept and beyond</p>', "", ""),  # a standfirst: not metadata
    ):
        result = parse_text(HEADER_PAGE.format(header), "ruiz.html")
        iv = result.interviews[0]
        assert (iv.interviewer, iv.date, iv.summary) == (who, day, RUIZ_SUMMARY), header
        assert iv.pairs[1].answer == "By COMMANDS." and result.problems == [], header


def test_an_unreadable_date_in_the_header_is_reported():
    result = parse_text(HEADER_PAGE.format("<p>By Jane Roe</p><p>Published: Spring 2024</p>"),
                        "ruiz.html")
    iv = result.interviews[0]
    assert (iv.interviewer, iv.date, iv.summary) == ("Jane Roe", "", RUIZ_SUMMARY)
    assert [p.message for p in result.problems] == [
        "could not read the date 'Spring 2024': write it as YYYY-MM-DD "
        "(a date without a day is not stored)"]


def test_author_and_published_time_meta_tags_win_over_the_header_byline():
    byline = HEADER_PAGE.format('<p class="byline">By Jane Roe, March 3, 2024</p>')
    author = '<meta name="author" content="John Doe">'
    published = '<meta property="article:published_time" content="2024-03-01T08:00:00Z">'
    for head, day in ((author + published, "2024-03-01"), (author, "2024-03-03")):
        result = parse_text(byline.replace("<html>", f"<html><head>{head}</head>"), "ruiz.html")
        iv = result.interviews[0]
        assert (iv.interviewer, iv.date, iv.summary) == ("John Doe", day, RUIZ_SUMMARY), head
        assert result.problems == []


def test_newsarticle_jsonld_author_by_reference_and_date_published():
    iv = parse_one("newsarticle-jsonld.html")
    assert (iv.title, iv.interviewer, iv.interviewee, iv.date) == (
        "Dr. Omar Haddad on CRS After CAR-T", "Lena Park", "Dr. Omar Haddad", "2023-11-20")
    assert {(p.asker, p.answerer) for p in iv.pairs} == {("Lena Park", "Dr. Omar Haddad")}


def test_jsonld_authors_are_all_named_and_a_url_is_no_author():
    def interviewer(author: object) -> str:
        data = {"@context": "https://schema.org", "@type": "NewsArticle",
                "headline": "Iron", "author": author}
        page = (f'<html><head><script type="application/ld+json">{json.dumps(data)}</script>'
                "</head><body><p>Q: Why?</p><p>A: Because.</p></body></html>")
        return parse_text(page, "iron.html").interviews[0].interviewer

    assert interviewer([{"@type": "Person", "name": "Jane Roe"},
                        {"@type": "Person", "name": "John Doe"}]) == "Jane Roe and John Doe"
    assert interviewer({"@type": "Organization", "name": "Heme News"}) == "Heme News"
    assert interviewer("https://hemenews.example.com/staff/jane-roe") == ""


def test_an_author_element_holding_a_name_is_the_interviewer_and_never_summary():
    summary = "Dr. Ana Ruiz discusses luspatercept in lower-risk MDS."
    for element, who, day in (
        ('<span class="author">Jane Roe</span>', "Jane Roe", ""),
        ('<p>By <a class="author" href="/jr">Jane Roe</a></p>', "Jane Roe", ""),
        ('<p>By <span class="author">Jane Roe</span>, March 3, 2024</p>', "Jane Roe",
         "2024-03-03"),
        ('<p>By <span class="author">Jane Roe</span> and <span class="author">John Doe</span>'
         "</p>", "Jane Roe and John Doe", ""),
        ('<div class="byline">By <span class="author">Jane Roe</span> and <span class="author">'
         'John Doe</span> | <time datetime="2024-03-03">March 3</time></div>',
         "Jane Roe and John Doe", "2024-03-03"),
        ('<div class="byline"><span class="author-name">Jane Roe</span> · '
         '<time datetime="2024-03-03">March 3</time></div>', "Jane Roe", "2024-03-03"),
        # WordPress: the author inside a post-meta line that is no byline as a whole
        ('<div class="entry-meta"><span class="posted-on">Posted on <time datetime='
         '"2024-03-03">March 3, 2024</time></span><span class="byline"> by <span class='
         '"author vcard"><a class="url fn n" href="/a/jr">Jane Roe</a></span></span></div>',
         "Jane Roe", "2024-03-03"),
        ('<span class="author">Admin</span>', "", ""),  # one word: no name to go by
        ('<span class="author">Staff Writer</span>', "", ""),
        ('<div class="entry-meta">Oncology, Hematology</div>', "", ""),  # not an author class
        ('<p class="author">Jane Roe reports for Heme News.</p>', "", ""),
    ):
        iv = parse_text(BYLINE_PAGE.format(element, "COMMANDS."), "by.html").interviews[0]
        assert (iv.interviewer, iv.date, iv.summary) == (who, day, summary), element


def test_an_author_element_inside_a_sentence_stays_in_the_sentence():
    page = BYLINE_PAGE.format('<p>This interview by <span class="byline">Jane Roe</span> was '
                              "edited for length.</p>", "COMMANDS.")
    iv = parse_text(page, "by.html").interviews[0]
    assert iv.interviewer == "Jane Roe"  # the class says so
    assert iv.summary.startswith("This interview by Jane Roe was edited for length.")


def test_an_author_who_is_the_interviewee_is_not_the_interviewer():
    page = ("<html><head>{}<title>Ask the expert: MDS</title></head><body><article>"
            "<h1>{}</h1><p>Dr. Ana Ruiz answers reader questions about MDS.</p>"
            "<p><b>Q:</b> When do you start luspatercept?</p>"
            "<p><b>{}:</b> In transfusion-dependent patients.</p>"
            "<p><b>Q:</b> What about ESA-naive patients?</p>"
            "<p><b>{}:</b> COMMANDS supports first-line use.</p></article></body></html>")
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
          '{"@type": "Person", "name": "Dr. Ana Ruiz"}}</script>')
    ruiz = "Dr. Ana Ruiz"
    for head, title, label, interviewee, interviewer in (
        ('<meta name="author" content="Ana Ruiz, MD">', "Ask the expert: MDS", "Dr. Ruiz", ruiz,
         ""),
        ('<meta name="author" content="Dr. Ana Ruiz">', "Ask the expert: MDS", "Ana Ruiz, MD",
         "Ana Ruiz, MD", ""),
        (ld, "A conversation with Dr. Ana Ruiz", "A", ruiz, ""),
        ('<meta name="author" content="Jane Roe">', "Ask the expert: MDS", "Dr. Ruiz", ruiz,
         "Jane Roe"),
        ('<meta name="author" content="Tom Ruiz">', "Ask the expert: MDS", "Dr. Ruiz", ruiz,
         "Tom Ruiz"),  # another Ruiz: the full name tells them apart
    ):
        iv = parse_text(page.format(head, title, label, label), "ruiz.html").interviews[0]
        assert (iv.interviewee, iv.interviewer) == (interviewee, interviewer), head
        assert {(p.asker, p.answerer) for p in iv.pairs} == {(interviewer, interviewee)}
    text = parse_text("Ask the expert: MDS\nBy Dr. Ana Ruiz\n\nQ: Why?\n\nRuiz: Because.\n\n"
                      "Q: How?\n\nRuiz: Slowly.\n", "ruiz.txt").interviews[0]
    assert (text.interviewee, text.interviewer) == ("Ruiz", "")  # "Ruiz" names her


def test_the_interviewee_is_read_from_the_title_with_q_a_labels_or_bold_questions():
    labels = ("<html><body><article><h1>Q&amp;A: anticoagulation in cancer with Dr. Lee Chen</h1>"
              "<p>Posted March 3, 2024</p>"
              "<p><b>Q:</b> Do you use DOACs?</p><p><b>A:</b> Yes, apixaban.</p>"
              "<p><b>Q:</b> How long do you treat?</p><p><b>A:</b> Six months.</p>"
              "</article></body></html>")
    iv = parse_text(labels, "chen.html").interviews[0]
    assert (iv.interviewee, iv.pairs[1].answerer, iv.date) == (
        "Dr. Lee Chen", "Dr. Lee Chen", "2024-03-03")
    bold = ("<html><head><title>Five questions on MDS with Dr. Sara Kim | Onc</title></head>"
            "<body><article><h1>Five questions on MDS with Dr. Sara Kim</h1>"
            "<p>Dr. Sara Kim of Seoul National University discusses luspatercept.</p>"
            "<p><strong>When do you use imetelstat?</strong></p><p>After ESA failure.</p>"
            "<p><strong>Which HMA?</strong></p><p>Either.</p></article></body></html>")
    iv = parse_text(bold, "kim.html").interviews[0]
    assert (iv.method, iv.interviewee, iv.pairs[0].answerer) == (
        "bold-questions", "Dr. Sara Kim", "Dr. Sara Kim")


def test_an_interview_with_description_names_the_interviewee():
    page = ("<html><head><title>Sickle cell gene therapy - MedPage</title>"
            '<meta name="description" content="An interview with Dr. Ama Owusu on gene '
            'therapy."></head><body><article><h1>Sickle cell gene therapy</h1>'
            "<p>Dr. Ama Owusu, director of the program at Accra General, spoke to us.</p>"
            "<h3>Who is eligible?</h3><p>Patients over 12.</p>"
            "<h3>How long is the stay?</h3><p>Six weeks.</p></article></body></html>")
    assert parse_text(page, "owusu.html").interviews[0].interviewee == "Dr. Ama Owusu"


def test_pull_quotes_and_the_edited_for_length_line_join_no_answer():
    # a pull quote repeats a sentence of the answer; the editor's line after the last answer
    # is about the text, not part of it
    page = """<html><head><title>Q&amp;A: Dr. Helen Park on CLL</title></head><body><article>
<p><b>OncoWire:</b> Is fixed-duration therapy now standard in CLL?</p>
<p><b>Dr. Park:</b> For most fit patients, yes.</p>
<p>Patients like having a treatment holiday.</p>
<blockquote class="pullquote">“Patients like having a treatment holiday.”</blockquote>
<aside class="pull-quote"><p>“A treatment holiday.”</p></aside>
<div class="pq">“Fixed duration.”</div>
<p>We still use BTK inhibitors for TP53-mutated disease.</p>
<p><b>OncoWire:</b> What about MRD-guided stopping?</p>
<p><b>Dr. Park:</b> It works. It is not yet routine outside trials.</p>
<blockquote><p>A quoted guideline stays: stop only in trials.</p></blockquote>
<p><em>This interview has been edited for length and clarity.</em></p>
</article></body></html>"""
    iv = parse_text(page, "park.html").interviews[0]
    assert qa(iv) == [
        ("Is fixed-duration therapy now standard in CLL?",
         "For most fit patients, yes.\n\nPatients like having a treatment holiday.\n\n"
         "We still use BTK inhibitors for TP53-mutated disease."),
        ("What about MRD-guided stopping?",
         "It works. It is not yet routine outside trials.\n\n"
         "A quoted guideline stays: stop only in trials.")]
    assert "edited" not in iv.summary
