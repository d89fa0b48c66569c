"""Hostile input: queries, parameters, interview files, markup in the corpus, the staff surface.

Each scenario counts the inputs it tried and adds them to the "Reliability figures" table.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import write_interview
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from markupsafe import escape
from reliability_support import record
from staff_support import csrf_token
from staff_support import make_staff_app
from staff_support import post
from staff_support import signed_in
from staff_support import upload
from test_staff_access import staff_urls
from webapp_support import make_app
from webapp_support import refusal
from webapp_support import soup
from webapp_support import text
from webapp_support import write_meta
from webapp_support import write_small_corpus

from indexer import formats
from indexer import publish
from indexer import store
from indexer.search import SearchIndex

SLOW = 1.0  # seconds: any answer slower than this is a failure
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def tally(figures):
    """Counts per scenario, added to the figures when the module is done."""
    counts: dict[str, Counter] = {}
    yield counts
    for scenario, counter in counts.items():
        record(figures, scenario, **dict(counter))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(store_small(tmp_path_factory.mktemp("hostile-queries"))).test_client()


def store_small(root: Path) -> Path:
    store.build(root / "index", [write_small_corpus(root / "corpus")])
    return root / "index"


# --- queries ---------------------------------------------------------------------------

TOKENS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "(", ")", '"', "'", "*", "?", "~",
          "^", ":", "[", "]", "{", "}", "-", "+", "\\", "/", "*a*", "*tients", "pat*", "?atients",
          "question:", "answer:", "interviewee:", "id:", "t(9;22)", "CAR-T", "IL-6", "patients",
          "sepsis", "\x00", "\u202e", "\ufeff", "\u200b", "~2", "^3", "^-1", "<script>", "&amp;",
          "%00", "\r\n", "\t", "é", "東京", "🙂"]
SOUP = st.lists(st.sampled_from(TOKENS), max_size=60)
NESTED = st.tuples(st.integers(1, 490), st.integers(0, 490), st.sampled_from(
    ["patients", "", "NOT", "a OR b", '"quoted', "*a*"])).map(
    lambda t: "(" * t[0] + t[2] + ")" * t[1])
LONG = st.tuples(st.integers(900, 10_000), st.sampled_from(
    ["patients ", "(", '"', "a", "NOT ", "\x00", "é ", "*a* "])).map(lambda t: (t[1] * t[0])[:t[0]])
QUERIES = st.one_of(
    SOUP.map(" ".join), SOUP.map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.text(st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Zs")), max_size=60),
    st.text(alphabet="\"'()[]{}", max_size=40),
    NESTED, LONG,
    st.tuples(st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
              SOUP.map(" ".join)).map(" ".join),
)
ROUTES = ["/api/search", "/", "/pair/ward-rounds-1", "/interview/ward-rounds"]


def check_query(client, query: str, tally: dict) -> None:
    """Every route answers `query` within SLOW seconds: 200, or 400 saying why (too long,
    or only excluded words)."""
    refused = refusal(query)
    expected = 400 if refused else 200
    counts = tally.setdefault("hostile queries (hypothesis + named)", Counter())
    counts["inputs tried"] += 1
    for url in ROUTES:
        started = time.perf_counter()
        response = client.get(url, query_string={"q": query})  # TESTING: errors raise here
        elapsed = time.perf_counter() - started
        counts["requests"] += 1
        counts["slowest ms"] = max(counts["slowest ms"], round(elapsed * 1000))
        body = response.get_data(as_text=True)
        assert elapsed < SLOW, (url, query[:200], elapsed)
        assert response.status_code == expected, (url, query[:200], body[:300])
        assert "Traceback" not in body and SCRIPT not in body
        if expected == 400:
            long = "characters long; the limit is 1000" in refused
            counts["over-long refused (400)" if long else "only excluded words (400)"] += 1
            message = (response.get_json() or {}).get("error") if url.startswith("/api") else body
            if long:  # the length counted after the app trims the parameter
                assert "characters long; the limit is 1000" in message
            else:
                assert (refused if url.startswith("/api") else str(escape(refused))) in message
    counts["errors"] += 0


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_any_query_is_answered_quickly_and_never_fails(client, tally, query):
    check_query(client, query, tally)


NAMED = {
    "10,000 characters": "patients " * 1111 + "x",
    "4,001 characters": "a" * 4001,
    "1,001 after cleaning": "a" * 1001,
    "operator soup": "AND OR NOT ( ) \" ' * ? ~ ^ : [ ] { } " * 20,
    "NOT NOT": "NOT NOT patients",
    "operators only": "NOT OR AND ANDNOT ANDMAYBE",
    "unbalanced quotes": '"patients "sepsis',
    "unbalanced brackets": "((([[{ patients",
    "closing first": ")))]]} patients",
    "leading wildcard": "*tients",
    "star a star": "*a*",
    "only stars": "* ** ***",
    "deep parentheses": "(" * 495 + "patients" + ")" * 495,
    "deep unbalanced": "(" * 999,
    "null bytes": "pati\x00ents \x00\x00 sepsis",
    "control characters": "".join(chr(c) for c in range(32)) + "patients",
    "bidi and zero width": "\u202epatients\u200b\u2066sepsis\u2069",
    "field soup": "question: answer: interviewee: id: : : patients",
    "range syntax": "[a TO z] {1 TO 2} patients",
    "boosts and fuzz": "patients^999999999999 sepsis~99 ^ ~",
    "html": f"{SCRIPT} {IMG} patients",
    "only excluded words": "-patients NOT sepsis -\"ward rounds\"",
    "caps-lock operators": "AND AND NOT AND",  # words when shouted: pair pages read it so too
}
MUST_FIND = {"NOT NOT", "unbalanced quotes", "unbalanced brackets", "closing first",
             "deep parentheses", "null bytes", "control characters", "field soup",
             "range syntax", "boosts and fuzz", "html"}


@pytest.mark.parametrize("name", NAMED)
def test_named_hostile_queries(client, tally, name):
    check_query(client, NAMED[name], tally)
    if name in MUST_FIND:  # nonsense around real words still finds them
        data = client.get("/api/search", query_string={"q": NAMED[name]}).get_json()
        assert data["total"] > 0, (name, data)


# --- parameters and ids ----------------------------------------------------------------

BAD_PARAMS = [f"page={v}" for v in ("-1", "0", "abc", "1e3", "99999999999", "\u0663", "1.5",
                                    "0x10", "%2B1", "%00", "1%20OR%201=1")] + [
    f"per_page={v}" for v in ("-5", "0", "51", "999999999", "ten", "")] + [
    "expand=maybe", "interviewee=Nobody", "interview=nope", "interview=..%2F..%2Fetc%2Fpasswd",
    "interviewee=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "interview=%00", "interviewee=" + "x" * 3000]
BAD_IDS = ["nope", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", "%00", "ward-rounds-1%00",
           "%E2%80%AE", "%EF%BF%BF", "%ED%A0%80", "%FF%FE", "x" * 5000, "%3Cscript%3E",
           "ward-rounds-1%0A", "ward rounds 1", "..%5C..%5Cwindows"]


def check_refusal(response, url: str, tally: dict, statuses=(400, 404)) -> None:
    counts = tally.setdefault("hostile parameters and ids", Counter())
    counts["inputs tried"] += 1
    body = response.get_data(as_text=True)
    assert response.status_code in statuses, (url, response.status_code, body[:300])
    assert "Traceback" not in body and "<script>" not in body
    if url.startswith("/api") or url.startswith("/healthz"):
        data = response.get_json()
        assert data["ok"] is False and data["status"] == response.status_code
        assert data["error"]
    else:
        page = soup(response)
        assert page.find("h1") and (page.select_one(".error-message") or page.find("main"))
    counts[f"answered {response.status_code}"] += 1


@pytest.mark.parametrize("param", [p for p in BAD_PARAMS if p != "per_page="])
def test_bad_parameters_are_400_with_a_message(client, tally, param):
    for base in ("/api/search?q=patients&", "/?q=patients&"):
        url = base + param
        response = client.get(url)
        check_refusal(response, url, tally, statuses=(400,))
        message = (response.get_json()["error"] if url.startswith("/api")
                   else soup(response).select_one(".error-message").get_text())
        assert message.startswith("The ")


@pytest.mark.parametrize("raw_id", BAD_IDS)
def test_unknown_and_hostile_ids_are_404_with_a_message(client, tally, raw_id):
    for base in ("/pair/", "/interview/", "/api/pairs/", "/api/interviews/"):
        url = base + raw_id
        check_refusal(client.get(url), url, tally, statuses=(404,))


def test_unknown_parameter_names_are_ignored(client):
    data = client.get("/api/search?q=patients&utm_source=mail&colour=red").get_json()
    assert data["total"] == 6


# --- interview files -------------------------------------------------------------------

PAYLOADS = [SCRIPT, "<style>p{color:red}</style>", IMG, '<a href="javascript:alert(1)">a</a>',
            "<svg onload=alert(1)></svg>", '<iframe src="javascript:alert(1)"></iframe>',
            '<b onmouseover="alert(1)">bold</b>', '<object data="x.swf"></object>',
            '<form action="javascript:alert(1)"><input onfocus=alert(1) autofocus></form>']
MARKUP = re.compile(r"<\s*/?\s*(script|style|img|svg|iframe|object|form|input|b|a)\b[^<>]*>|"
                    r"\bon(error|load|mouseover|focus)\s*=|javascript:|alert\(1\)", re.I)


def hostile_files(folder: Path) -> dict[str, int]:
    """Write hostile interview files; returns file name -> pairs it must yield."""
    folder.mkdir(parents=True, exist_ok=True)
    write_interview(folder, "good.txt", [("How do you treat sepsis?", "Antibiotics, fast.")])
    turn = ("<p><strong>Host:</strong> Question {n} about sepsis?</p>"
            "<p><strong>Dr. Evil:</strong> Answer {n} about sepsis {payload} ends.</p>")
    (folder / "events.html").write_text(
        "<html><head><title>Evil</title><script>var leak = 'sepsis leaked';</script>"
        "<style>.x{}</style></head><body onload=alert(1)>"
        + "".join(turn.format(n=n, payload=p) for n, p in enumerate(PAYLOADS, 1))
        + "</body></html>", encoding="utf-8")
    (folder / "deep.html").write_text(
        "<html><body>" + "<div>" * 10_000 + "<p><strong>Host:</strong> Deep sepsis?</p>"
        "<p><strong>Dr. Deep:</strong> Deep answer.</p>" + "</div>" * 10_000 + "</body></html>",
        encoding="utf-8")
    (folder / "unclosed.html").write_text(
        "<p><b>Host:</b> Unclosed sepsis?</p><p><b>Dr. Open:</b> Yes.</p>"
        + "<span><i><b>" * 10_000,
        encoding="utf-8")
    (folder / "malformed.html").write_text(
        "<html><body><p><strong>Host:</strong> Malformed <b <i>sepsis?</p><p><strong>Dr. M:"
        "</strong> answer </div></div><p <<<>>> </table>", encoding="utf-8")
    for n, suffix in enumerate(("txt", "html", "jsonl", "md")):
        (folder / f"binary.{suffix}").write_bytes(random.Random(n).randbytes(20_000))
    (folder / "binary-nul.txt").write_bytes(b"Host: Q?\n\n" + bytes(2_000) + b"Dr. Z: A.\n")
    (folder / "mixed.txt").write_bytes(
        "Host: Café sepsis question?\n\nDr. Mixed: ".encode() + "naïve answer".encode("cp1252")
        + " and — utf8\n".encode())
    (folder / "utf16.txt").write_bytes("Host: Sixteen sepsis?\n\nDr. Sixteen: Yes.\n".encode(
        "utf-16"))
    (folder / "wrong-charset.html").write_bytes(
        '<meta charset="shift_jis"><p><strong>Host:</strong> Charset sepsis?</p>'
        '<p><strong>Dr. W:</strong> Caf\u00e9.</p>'.encode())
    (folder / "bogus-charset.html").write_bytes(
        b'<meta charset="x-no-such"><p><strong>Host:</strong> Bogus sepsis?</p>'
        b'<p><strong>Dr. W:</strong> Answer.</p>')
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("  \n\n\t\n")
    (folder / "nul.md").write_bytes(b"**Host:** Null\x00 sepsis?\n\n**Dr. N:** Ans\x00wer.\n")
    (folder / "md-markup.md").write_text(
        f"**Host:** Markdown sepsis {SCRIPT}?\n\n"
        f"**Dr. H:** {IMG} answer [link](javascript:alert(1)).\n", encoding="utf-8")
    (folder / "broken.jsonl").write_text(
        '{"question": "JSON sepsis one?", "answer": "A1."}\n{broken\n\x00\x01\n[1, 2]\n"text"\n'
        '{"question": 5, "answer": null}\n{"question": "JSON sepsis two?", "answer": "A2."}\n'
        + "[" * 100_000 + "\n" + '{"a":' * 5_000 + "\n", encoding="utf-8")
    (folder / "nested.json").write_text("[" * 50_000 + "]" * 50_000)
    with open(folder / "over-limit.txt", "wb") as handle:  # sparse: instant, over 50 MB
        handle.truncate(formats.MAX_FILE_BYTES + 1)
    paragraph = b"Lorem ipsum dolor sit amet about nothing in particular.\n\n"
    with open(folder / "fifty-mb.txt", "wb") as handle:  # exactly the limit: parsed
        handle.write((paragraph * (formats.MAX_FILE_BYTES // len(paragraph) + 1))
                     [:formats.MAX_FILE_BYTES])
    return {"good": 1, "events": len(PAYLOADS), "deep": 1, "unclosed": 1, "malformed": 1,
            "mixed": 1, "utf16": 1, "wrong-charset": 1, "bogus-charset": 1, "nul": 1,
            "md-markup": 1, "broken": 2}


def test_hostile_files_neither_crash_nor_store_markup(tmp_path, tally):
    expected = hostile_files(tmp_path / "corpus")
    started = time.monotonic()
    report = store.build(tmp_path / "index", [tmp_path / "corpus"])
    seconds = time.monotonic() - started
    manifest = store.read_manifest(tmp_path / "index")
    pairs_per_file = {Path(key).name.split(".")[0]: entry["pairs"]
                      for key, entry in manifest["files"].items()}
    assert {k: v for k, v in pairs_per_file.items() if v} == expected
    assert report.pairs == sum(expected.values())

    problems = "\n".join(str(p) for p in report.problems)
    for needle in ("empty.txt: empty file", "blank.md: empty file", "broken.jsonl:2: invalid JSON",
                   "broken.jsonl:4: not a JSON object", "over-limit.txt: file is",
                   "size limit", "nested.json", "fifty-mb.txt: no question"):
        assert needle in problems, needle
    for name in ("binary.txt", "binary.html", "binary.jsonl", "binary.md", "binary-nul.txt"):
        assert f"{name}: looks like binary data" in problems, name

    stored = []
    with SearchIndex(tmp_path / "index").searcher() as searcher:
        for doc in searcher.all_stored_fields():
            stored += [doc.get(k) or "" for k in ("question", "answer", "title", "interviewee")]
    for record_ in manifest["interviews"].values():
        stored += [record_.get(k) or "" for k in ("title", "summary", "bio", "interviewee")]
    leaks = [text for text in stored if MARKUP.search(text)]
    assert leaks == []
    assert not any("leaked" in text for text in stored)  # script contents are not text

    client = make_app(tmp_path / "index").test_client()
    assert client.get("/api/search?q=sepsis").get_json()["total"] == report.pairs
    counts = tally.setdefault("hostile interview files", Counter())
    counts.update({"files tried": len(list((tmp_path / "corpus").iterdir())),
                   "files indexed": len(expected), "pairs indexed": report.pairs,
                   "problems reported": len(report.problems), "markup stored": len(leaks),
                   "crashes": 0})
    counts["build seconds"] = round(seconds, 1)
    assert seconds < 60


# --- markup in the corpus, in queries and in facet values ------------------------------

SOURCES = {
    "js": "javascript:alert(1)", "js-case": "JaVaScRiPt:alert(1)", "js-space": " javascript:x",
    "js-tab": "java\tscript:alert(1)", "js-entity": "javascript&colon;alert(1)",
    "data": "data:text/html,<script>alert(1)</script>", "vbscript": "vbscript:msgbox(1)",
    "relative": "//evil.example/x", "no-host": "https:evil", "file": "file:///etc/passwd",
    "quote": 'https://example.org/"><script>alert(1)</script>',
}
LINKABLE = {"quote"}


@pytest.fixture(scope="module")
def xss(tmp_path_factory):
    """A corpus whose titles, interviewees and sources carry markup; the app over it."""
    root = tmp_path_factory.mktemp("xss")
    corpus = write_small_corpus(root / "corpus")
    for name, source in SOURCES.items():
        path = write_interview(corpus, f"src-{name}.txt",
                               [(f"Source {name} sepsis?", f"Answer {SCRIPT} sepsis {IMG}.")])
        write_meta(path, source=source, interviewee=f"Dr. {IMG} {name}",
                   title=f"Title {SCRIPT} {name}")
    store.build(root / "index", [corpus])
    return make_app(root / "index").test_client()


def assert_inert(response) -> None:
    """No script or image elements, no event handlers, no inline style, no unsafe links."""
    html = response.get_data(as_text=True)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    page = soup(response)
    for element in page.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on") and name.lower() != "style", (element, name)
            if name in ("href", "src", "action", "formaction"):
                target = "".join(str(value).split()).lower()
                assert target.startswith(("/", "https://", "http://", "#", "?")), value


def assert_json_safe(response) -> None:
    """No markup in the bytes at all (<, > and & are \\u escapes); *_html fields escaped."""
    raw = response.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw
    data = response.get_json()

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key.endswith("_html"):
            assert not re.search(r"<(?!/?mark\b)", value), (key, value)
    walk(data)


def test_markup_is_escaped_in_every_page_and_json_field(xss, tally):
    interviewee = f"Dr. {IMG} js"
    urls = ["/?q=sepsis", "/?q=" + SCRIPT + "+sepsis", "/?q=sepsis&per_page=50",
            "/?" + "&".join(["q=sepsis", "interviewee=" + interviewee]),
            "/?q=sepsis&interview=src-js"]
    for name in SOURCES:
        urls += [f"/pair/src-{name}-1?q={IMG}", f"/interview/src-{name}?q=sepsis"]
    pages = api = 0
    for url in urls:
        response = xss.get(url)
        assert response.status_code == 200, url
        assert_inert(response)
        pages += 1
        twin = soup(response).find("link", rel="alternate")["href"]
        response = xss.get(twin)
        assert response.status_code == 200, twin
        assert_json_safe(response)
        api += 1
    search = xss.get("/api/search", query_string={"q": "sepsis", "per_page": 50}).get_json()
    assert any(IMG in f["value"] for f in search["facets"]["interviewee"])  # values intact
    assert any(SCRIPT in f["label"] for f in search["facets"]["interview"])
    for name, source in SOURCES.items():
        data = xss.get(f"/api/interviews/src-{name}").get_json()
        assert data["source"] == source.strip()
        assert (data["source_url"] is not None) == (name in LINKABLE), name
        links = soup(xss.get(f"/interview/src-{name}")).find_all("a", class_="source")
        assert len(links) == (name in LINKABLE), name
    counts = tally.setdefault("XSS: markup in corpus, queries, facets", Counter())
    counts.update({"pages checked": pages, "JSON answers checked": api,
                   "unsafe sources": len(SOURCES) - len(LINKABLE), "unsafe links rendered": 0,
                   "raw markup found": 0})


# --- the staff surface -----------------------------------------------------------------


def test_staff_surface_denies_anonymous_use_and_forged_requests(tmp_path, tally):
    app = make_staff_app(tmp_path)
    anonymous = app.test_client()
    denied = 0
    for method, url in staff_urls(app):
        for verb in {method, "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}:
            response = anonymous.open(url, method=verb)
            expected = 401 if url.startswith("/staff/api") else 302
            assert response.status_code == expected, (verb, url, response.status_code)
            denied += 1

    alice, bob = signed_in(app, "alice"), signed_in(app, "bob")
    foreign = csrf_token(bob, "/staff/add")  # a token from another session
    refused = 0
    for url in ("/staff/rebuild", "/staff/withdraw", "/staff/uploads", "/staff/signout",
                "/staff/edit", "/staff/restore"):
        response = alice.post(url, data={"csrf_token": foreign, "file": "clinic-notes.txt"})
        assert response.status_code == 400, url
        refused += 1
    response = alice.post("/staff/api/rebuild", headers={"X-CSRFToken": foreign})
    assert response.status_code == 400 and "CSRF" in response.get_json()["error"]
    response = alice.post("/staff/api/rebuild", headers={"X-CSRFToken": foreign[::-1]})
    assert response.status_code == 400
    refused += 2
    assert (tmp_path / "corpus" / "clinic-notes.txt").exists()
    assert not (tmp_path / "audit.jsonl").exists()

    plain = app.test_client()  # over plain HTTP, with SESSION_COOKIE_SECURE off
    token = csrf_token(plain)
    response = plain.post("/staff/signin", data={"csrf_token": token, "name": "alice",
                                                 "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    upload_page = upload(alice, [("evil.html", ("<h1>Evil</h1><p><strong>Host:</strong> Q "
                                                f"{SCRIPT}?</p><p><strong>Dr. E:</strong> "
                                                f"{IMG} A.</p>").encode())])
    preview = alice.get(upload_page.headers["Location"])
    assert preview.status_code == 200
    assert_inert(preview)
    counts = tally.setdefault("staff surface", Counter())
    counts.update({"anonymous requests denied": denied, "forged CSRF refused": refused,
                   "cookie checks": 1})


NAMES = st.text(st.characters(exclude_categories=("Cs",)), max_size=80) | st.lists(
    st.sampled_from(["..", "/", "\\", ".", "etc", "passwd", "\x00", "~", "C:", "%2e", "..\\",
                     "a.txt", ".meta.json", ".md", "\u202e", " ", "CON", "*"]),
    max_size=12).map("".join)
NAMES = NAMES | NAMES.map(lambda name: name + ".txt") | NAMES.map(lambda name: name + ".MD")


@pytest.fixture(scope="module")
def staging(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    staged = root / "staged.txt"
    staged.write_text("Host: Q?\n\nDr. A: A.\n", encoding="utf-8")
    (root / "corpus").mkdir()
    return root, staged


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_upload_names_never_write_outside_the_corpus(staging, tally, name):
    root, staged = staging
    corpus, archive = root / "corpus", root / "archive"
    counts = tally.setdefault("staff surface", Counter())
    counts["upload names tried"] += 1
    before = {p for p in root.rglob("*")}
    try:
        change = publish.publish(corpus, archive, staged, name)
    except publish.PublishError:
        counts["upload names refused"] += 1
        assert {p for p in root.rglob("*")} == before
        return
    assert change.file.parent == corpus.resolve()
    assert not change.file.name.startswith(".") and "/" not in change.file.name
    created = {p for p in root.rglob("*")} - before
    assert all(corpus.resolve() in p.resolve().parents for p in created), created
    change.undo()
    counts["written outside the corpus"] += 0


def test_upload_through_the_form_lands_in_the_corpus_only(tmp_path, tally):
    app = make_staff_app(tmp_path)
    client = signed_in(app)
    before = {p for p in tmp_path.rglob("*") if "index" not in p.parts}
    evil_before = Path("/tmp/evil.txt").exists()
    content = b"Host: What happens on apheresis day?\n\nDr. A: Leukapheresis.\n"
    names = ["../../../../tmp/evil.txt", "/etc/cron.d/evil.txt", "..\\..\\evil.txt",
             "../staff.json.txt", ".hidden.txt", "x\x00.txt", "\u202eevil.txt"]
    for name in names:
        response = upload(client, [(name, content)])
        assert response.status_code == 303
        url = response.headers["Location"]
        response = post(client, f"{url}/1", {"action": "publish"})
        assert response.status_code == 303
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Published" in page or "already in the corpus" in page, page[:500]
    after = {p for p in tmp_path.rglob("*") if "index" not in p.parts}
    outside = {p for p in after - before
               if p.relative_to(tmp_path).parts[0] not in ("corpus", "work", "audit.jsonl")}
    assert outside == set()
    assert Path("/tmp/evil.txt").exists() == evil_before
    counts = tally.setdefault("staff surface", Counter())
    counts["uploads published"] += len(names)
    counts["files outside the corpus"] += len(outside)


HOSTILE_FILES = ["../staff.json", "../../etc/passwd", "/etc/passwd", "..\\staff.json",
                 "%2e%2e/staff.json", "ward-rounds.txt/../../staff.json", "corpus/../staff.json",
                 "../corpus/ward-rounds.txt", "ward-rounds.txt.meta.json", ".hidden.txt", "",
                 "x\x00.txt", "outside.txt", "20240101T000000000000Z-outside.txt",
                 "20240101T000000000000Z-../staff.json", "20240101T000000000000Z-.hidden.txt",
                 "20240101T000000000000Z-ward-rounds.txt.meta.json"]


def file_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` but the index, the staff work folder and the audit log."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] not in ("index", "work", "audit.jsonl")}


def test_file_routes_never_reach_outside_the_corpus_and_archive(tmp_path, tally):
    """Edit details, Download and Restore with hostile names: links out of the archive,
    traversal, hidden and override files. Nothing is read, written or moved (links in the
    corpus: see the next test)."""
    app = make_staff_app(tmp_path)
    client = signed_in(app)
    secret = tmp_path / "secret.txt"
    secret.write_text("Host: What is secret?\n\nDr. S: The secret answer.\n", encoding="utf-8")
    (tmp_path / "corpus" / ".hidden.txt").write_text("Host: Q?\n\nDr. H: A.\n")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "20240101T000000000000Z-outside.txt").symlink_to(secret)
    (tmp_path / "archive" / "20240101T000000000000Z-ward-rounds.txt").write_text("old")
    before = file_tree(tmp_path)
    tried = 0
    for name in HOSTILE_FILES:
        download = client.get("/staff/download", query_string={"file": name})
        assert download.status_code == 404 and b"secret answer" not in download.data, name
        assert client.get("/staff/edit", query_string={"file": name}).status_code == 404, name
        assert post(client, "/staff/edit", {"file": name, "title": "Evil"}).status_code == 404
        response = post(client, "/staff/restore", {"file": name})
        assert response.status_code == 303, name
        assert soup(client.get(response.headers["Location"])).select_one(".flash-error"), name
        tried += 4
    # a name that exists: ward-rounds.txt is in the corpus, its archived version stays put
    response = post(client, "/staff/restore", {"file": "20240101T000000000000Z-ward-rounds.txt"})
    assert "is in the corpus now" in text(soup(client.get(response.headers["Location"])))
    assert file_tree(tmp_path) == before
    assert {e["outcome"] for e in map(json.loads, (tmp_path / "audit.jsonl").read_text()
                                      .splitlines())} == {"refused"}
    counts = tally.setdefault("staff surface", Counter())
    counts["file route requests with hostile names"] += tried + 1


LINKS = {  # name in the corpus: where the link leads, from tmp_path
    "outside.txt": "secret.txt", "up.txt": "../secret-2.txt", "alias.txt": "corpus/ward-rounds.txt",
    "chain.txt": "corpus/alias.txt", "dangling.txt": "missing.txt", "loop.txt": "corpus/loop.txt",
    "via-link.txt": "corpus/outside.txt"}


def test_links_in_the_corpus_never_lead_staff_routes_out_of_it(tmp_path, tally):
    """Links in the corpus (out of it, relative, to a corpus file, chained, dangling, a loop):
    Download serves only files inside the corpus; Edit details writes only beside the file a
    build reads (in the corpus); Withdraw moves only the link (as a record: the archive holds
    no links) and Restore makes the same link again, never a copy. Nothing outside the corpus
    is read out, written or moved."""
    app = make_staff_app(tmp_path)
    client = signed_in(app)
    for name in ("secret.txt", "secret-2.txt"):
        (tmp_path / name).write_text("Host: What is secret?\n\nDr. S: The secret answer.\n")
    for name, target in LINKS.items():
        link = tmp_path / "corpus" / name
        link.symlink_to(target if target.startswith("..") else tmp_path / target)
    store.update(tmp_path / "index", [tmp_path / "corpus"], embeddings=False)
    outside = {p: p.read_bytes() for p in tmp_path.iterdir()
               if p.is_file() and p.name != "audit.jsonl"}
    ward = (tmp_path / "corpus" / "ward-rounds.txt").read_bytes()
    tried = 0
    for name in LINKS:
        download = client.get("/staff/download", query_string={"file": name})
        data = download.get_data()
        download.close()
        if name in ("alias.txt", "chain.txt"):
            assert download.status_code == 200 and data == ward, name
        else:
            assert download.status_code == 404 and b"secret answer" not in data, name
        response = post(client, "/staff/edit", {"file": name, "title": f"Edited {name}"})
        assert response.status_code == (404 if name in ("dangling.txt", "loop.txt") else 303)
        tried += 2
    written = {p.name for p in (tmp_path / "corpus").glob("*.meta.json")}
    assert written == {"ward-rounds.txt.meta.json", "hostile.txt.meta.json",
                       "outside.txt.meta.json", "up.txt.meta.json"}
    for name in LINKS:
        response = post(client, "/staff/withdraw", {"file": name})
        assert soup(client.get(response.headers["Location"])).select_one(".flash-ok"), name
        assert not (tmp_path / "corpus" / name).is_symlink(), name
        tried += 1
    assert {p: p.read_bytes() for p in tmp_path.iterdir()
               if p.is_file() and p.name != "audit.jsonl"} == outside
    assert (tmp_path / "corpus" / "ward-rounds.txt").read_bytes() == ward
    archive = tmp_path / "archive"
    records = sorted(p.name for p in archive.iterdir() if ".link-" in p.name)
    assert len(records) == len(LINKS)
    assert all(not p.is_symlink() for p in archive.iterdir())
    assert all(p.name in records or p.name.endswith(".meta.json") for p in archive.iterdir())
    assert client.get("/api/search?q=secret&mode=keyword").get_json()["total"] == 0
    assert client.get("/api/search?q=neutropenia&mode=keyword").get_json()["total"] == 1

    for _ in range(2):  # a chain's link comes back once the link it leads through is back
        for name in records:
            post(client, "/staff/restore", {"file": name})
            tried += 1
    back = {p.name: os.readlink(p) for p in (tmp_path / "corpus").iterdir() if p.is_symlink()}
    assert back == {name: target if target.startswith("..") else str(tmp_path / target)
                    for name, target in LINKS.items() if name not in ("dangling.txt", "loop.txt")}
    assert sorted(p.name.split("-", 1)[1] for p in archive.iterdir()
                  if ".link-" in p.name) == ["dangling.txt", "loop.txt"]
    assert {p: p.read_bytes() for p in tmp_path.iterdir()
               if p.is_file() and p.name != "audit.jsonl"} == outside
    counts = tally.setdefault("staff surface", Counter())
    counts["link requests (out, in, dangling, loop)"] += tried


def test_json_responses_escape_markup_bytes(client):
    raw = client.get("/api/search", query_string={"q": f"{SCRIPT} sepsis"})
    assert "<" not in raw.get_data(as_text=True)
    assert json.loads(raw.get_data(as_text=True))["query"].startswith("<script>")
    assert io.BytesIO(raw.get_data()).read().count(b"\\u003c") >= 1
