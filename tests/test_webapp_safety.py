"""Hostile text in the corpus and in queries stays text; only http(s) sources become links."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from webapp_support import IMG
from webapp_support import RAW_TAGS
from webapp_support import SCRIPT
from webapp_support import build_small_index
from webapp_support import html_fields
from webapp_support import make_app
from webapp_support import refusal
from webapp_support import soup

from indexer.query import MAX_QUERY_CHARS

PAGES = ["/?q=sepsis", "/?q=escaped", "/pair/hostile-1?q=sepsis", "/pair/hostile-1",
         "/interview/hostile?q=sepsis", "/interview/hostile",
         "/?q=sepsis&interviewee=Dr.+Mallory"]
APIS = ["/api/search?q=sepsis", "/api/pairs/hostile-1?q=sepsis",
        "/api/interviews/hostile?q=sepsis"]
HOSTILE_QUERIES = [SCRIPT + " sepsis", IMG + " sepsis", '"><script>alert(1)</script>',
                   "sepsis</mark><script>alert(1)</script>", "javascript:alert(1)"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(build_small_index(tmp_path_factory.mktemp("hostile"))).test_client()


def assert_inert(page) -> None:
    """No script elements, event-handler attributes, inline styles or javascript: links."""
    assert not page.find_all("script") and not page.find_all("img")
    for element in page.find_all(True):
        for name, value in element.attrs.items():
            assert not name.startswith("on") and name != "style", (element.name, name)
            if name in ("href", "src", "action"):
                assert not value.strip().lower().startswith("javascript:"), value


@pytest.mark.parametrize("url", PAGES)
def test_corpus_markup_is_escaped_on_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for raw in RAW_TAGS:
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(soup(response))


def test_escaped_text_is_still_highlighted(client):
    page = soup(client.get("/pair/hostile-1?q=sepsis"))
    assert [m.get_text() for m in page.select(".answer mark")] == ["sepsis", "sepsis"]
    assert SCRIPT in page.select_one(".answer").get_text()  # shown as text, not run


@pytest.mark.parametrize("url", APIS)
def test_corpus_markup_is_escaped_in_json_html_fields(client, url):
    data = client.get(url).get_json()
    fields = html_fields(data)
    assert fields and any("&lt;script&gt;" in f for f in fields)
    for html in fields:
        for raw in RAW_TAGS:
            assert raw not in html


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_query_text_is_escaped(client, query):
    for url in ("/", "/pair/hostile-1", "/interview/hostile"):
        response = client.get(url, query_string={"q": query})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script" not in html and IMG not in html
        assert_inert(soup(response))
    data = client.get("/api/search", query_string={"q": query}).get_json()
    for html in html_fields(data):
        assert "<script" not in html and "<img" not in html


def test_javascript_source_is_not_a_link(client):
    for url in ("/pair/hostile-1", "/interview/hostile"):
        page = soup(client.get(url))
        assert not page.find("a", class_="source")
        assert page.select_one(".source-text").get_text() == "javascript:alert(1)"
    data = client.get("/api/interviews/hostile").get_json()
    assert data["source"] == "javascript:alert(1)" and data["source_url"] is None


def test_http_source_is_a_link(client):
    link = soup(client.get("/interview/ward-rounds")).find("a", class_="source")
    assert link["href"] == "https://example.org/ward-rounds"


TYPED = (st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
         | st.text(alphabet='CAR-T?!"()-:*~^+ ANDORNOT', max_size=40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=TYPED)
def test_any_typed_text_is_answered(client, query):
    response = client.get("/api/search", query_string={"q": query})
    refused = refusal(query)  # only excluded words ("-CAR", "NOT CAR"): 400 saying so
    if refused:
        assert response.status_code == 400 and response.get_json()["error"] == refused
        assert client.get("/", query_string={"q": query}).status_code == 400
        return
    assert response.status_code == 200, (query, response.get_json())
    for html in html_fields(response.get_json()):
        assert "<script" not in html
    assert client.get("/", query_string={"q": query}).status_code == 200


@settings(max_examples=10, deadline=None)
@given(query=st.text(min_size=MAX_QUERY_CHARS + 1, max_size=MAX_QUERY_CHARS + 50,
                     alphabet="abc xyz"))
def test_overlong_text_is_400_with_a_message(client, query):
    response = client.get("/api/search", query_string={"q": query})
    length = len(" ".join(query.split()))
    if length <= MAX_QUERY_CHARS:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert f"The query is {length} characters long" in response.get_json()["error"]
