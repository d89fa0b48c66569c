"""A real browser: headless Chromium searches the seed index through the running app, and
follows a pair's link into its source page."""

from __future__ import annotations

import importlib.util
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from webapp_support import make_app
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_ARGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
)


def missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not importable (pip install selenium)"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (bash .ci/ensure-browser installs chromium and " \
                   "chromium-driver from Debian)"
    return None


@contextmanager
def serving(app) -> Iterator[str]:
    """`app` served on a free localhost port in a thread: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_url(seed_index_dir):
    """The app over the seed index, served on a free localhost port in a thread."""
    with serving(make_app(seed_index_dir, TESTING=False)) as url:
        yield url


@pytest.fixture
def browser(tmp_path, monkeypatch):
    """Headless Chromium driven through the local chromedriver (nothing is downloaded)."""
    reason = missing()
    if reason:
        print(f"browser test skipped: {reason}")
        pytest.skip(reason)
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    service = Service(str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_search_for_bcma_marks_it(browser, live_url, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_url + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip-link"
    label = browser.find_element(By.CSS_SELECTOR, "label[for=q]")
    box = browser.find_element(By.ID, label.get_attribute("for"))
    box.send_keys("BCMA", Keys.ENTER)
    WebDriverWait(browser, 15).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".hit")))
    marks = [m for m in browser.find_elements(By.CSS_SELECTOR, ".hit mark")
             if m.is_displayed() and m.text == "BCMA"]
    assert marks, "no visible <mark>BCMA</mark> in the results"
    background = marks[0].value_of_css_property("background-color")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # style.css loaded under CSP
    screenshot = tmp_path / "search-bcma.png"
    assert browser.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")
    assert screenshot.stat().st_size > 0


def long_interview(source: str, pairs: int = 6) -> str:
    """An interview page as published: labelled turns, answers of several paragraphs, long
    enough that its last answer is far below the top of the page."""
    turns = []
    for n in range(1, pairs + 1):
        turns.append(f"<p><strong>Example News:</strong> What happened in year {n}?</p>")
        turns.append(f"<p><strong>Dr. Ada Lovelace:</strong> In year {n} we treated patients "
                     f"with <em>relapsed</em> lymphoma and measured outcome {n}.</p>")
        turns += [f"<p>Detail {n}.{k}: the team reviewed every case, wrote to each referring "
                  f"physician and kept a registry of late effects.</p>" for k in range(8)]
        turns.append(f"<p>That is how year {n} <a href='#'>ended</a> for the clinic.</p>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Years of the clinic</title><link rel='canonical' href='{source}'></head>"
            f"<body><article><h1>Years of the clinic</h1>{''.join(turns)}</article></body></html>")


@pytest.fixture
def source_site(tmp_path):
    """A folder served over HTTP on a free localhost port: the outlet's site."""
    import functools
    import http.server

    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_passage_link_scrolls_the_source_page_to_the_answer(browser, source_site, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    from indexer import store
    from indexer.search import SearchIndex

    site, site_url = source_site
    source = f"{site_url}/years.html"
    (site / "years.html").write_text(long_interview(source), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "years.html").write_text(long_interview(source), encoding="utf-8")
    index_dir = tmp_path / "index"
    store.build(index_dir, [corpus], embeddings=False)
    (interview,) = SearchIndex(index_dir).snapshot().manifest["interviews"].values()
    last = interview["pair_ids"][-1]
    with serving(make_app(index_dir, TESTING=False)) as url:
        browser.get(f"{url}/pair/{last}")
        browser.find_element(By.CSS_SELECTOR, ".passage a").click()
        WebDriverWait(browser, 15).until(ready.url_contains("/years.html"))
        WebDriverWait(browser, 15).until(lambda b: b.execute_script("return window.scrollY") > 0)
        # the answer's first paragraph is on screen (the page opened at its last answer)
        top = browser.execute_script(
            "const p = [...document.querySelectorAll('p')].find("
            "  e => e.textContent.includes('In year 6 we treated'));"
            "return p.getBoundingClientRect().top / window.innerHeight;")
        assert 0 <= top < 1, f"the answer starts at {top:.2f} screen heights"


def test_the_rebuild_page_follows_the_build_without_reloading(browser, tmp_path, monkeypatch):
    """The progress is told in a live region the page's script updates from the job's JSON:
    the page is not reloaded (which sent screen readers back to its top) until the end."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from staff_support import PASSWORD
    from staff_support import make_staff_app
    from test_staff_rebuild import Gate

    app = make_staff_app(tmp_path, TESTING=False)
    gate = Gate().arm(monkeypatch)
    try:
        with serving(app) as url:
            browser.get(f"{url}/staff/signin?next=/staff/rebuild")
            browser.find_element(By.ID, "name").send_keys("alice")
            browser.find_element(By.ID, "password").send_keys(PASSWORD)
            browser.find_element(By.CSS_SELECTOR, "form.staff-form button").click()
            WebDriverWait(browser, 15).until(lambda b: b.current_url.endswith("/staff/rebuild"))
            WebDriverWait(browser, 15).until(  # the URL changes before the page has loaded
                lambda b: b.find_elements(By.XPATH, "//button[text()='Rebuild index']"))[0].click()
            assert gate.entered.wait(15)
            live = WebDriverWait(browser, 15).until(
                lambda b: b.find_element(By.CSS_SELECTOR, ".job [aria-live=polite]"))
            assert "Files parsed" in live.text
            browser.execute_script("window.notReloaded = true;")
            gate.opened.set()
            WebDriverWait(browser, 20).until(lambda b: "pairs indexed" in live.text)
            assert live.text.startswith("Succeeded: ")
            assert browser.execute_script("return window.notReloaded === true;")
            report = browser.find_element(By.LINK_TEXT, "See the full report")
            report.click()
            WebDriverWait(browser, 15).until(
                lambda b: b.find_elements(By.XPATH, "//button[text()='Rebuild index']"))
    finally:
        gate.opened.set()
