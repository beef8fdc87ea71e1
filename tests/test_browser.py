"""The web UI in real Chromium (Selenium, Debian's chromium and chromedriver): the real
server in a subprocess over the seed corpus on a free loopback port. Each test saves a
screenshot under tests/artifacts/. Without a browser these skip, but fail under CI=true."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ENGLISH_QUERY = "Tajikistan asks Russia-led bloc for help at Afghan border"


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for path in (CHROMIUM, DRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need a browser in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,1100"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(120)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_db, tmp_path_factory):
    """`newsweave serve` over a copy of the seed corpus; its base URL once it answers."""
    if _missing() and os.environ.get("CI") != "true":
        pytest.skip(_missing())
    db = tmp_path_factory.mktemp("served") / "seeds.db"
    shutil.copy(seed_db, db)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsweave.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NEWSWEAVE_TOKEN": ""},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start: {process.stderr.read().decode(errors='replace')}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)


def _shot(driver, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _no_dialog(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018


def test_stories_page_lists_the_seed_stories(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    headlines = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".story .headline")]
    _shot(browser, "stories")
    assert len(headlines) == 4
    assert "Russia Hosts Taliban Talks as It Seeks Regional Influence" in headlines
    charts = browser.find_elements(By.CSS_SELECTOR, ".story svg.spark")
    assert charts and all(c.is_displayed() and c.find_elements(By.TAG_NAME, "rect") for c in charts)
    assert charts[0].get_attribute("aria-label").split()[1:3] == ["dated", "documents,"]


def test_story_page_shows_its_members_in_a_timeline(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "Russia Hosts Taliban Talks as It Seeks Regional Influence").click()
    members = browser.find_elements(By.CSS_SELECTOR, ".timeline .member")
    _shot(browser, "story")
    roles = sorted(m.find_element(By.CSS_SELECTOR, ".role").text for m in members)
    assert roles == ["original", "translation"]
    browser.find_element(By.CSS_SELECTOR, ".places").location_once_scrolled_into_view  # noqa: B018
    _shot(browser, "story-places")
    land = browser.find_elements(By.CSS_SELECTOR, ".places .land path")
    assert len(land) > 20 and all(p.get_attribute("d").startswith("M") for p in land)  # coastlines and borders
    shaded = {p.find_element(By.TAG_NAME, "title").get_attribute("textContent")
              for p in browser.find_elements(By.CSS_SELECTOR, ".places .land path.named")}
    assert {"Afghanistan", "Russia"} <= shaded
    marked = {t.get_attribute("textContent") for t in browser.find_elements(By.CSS_SELECTOR, ".places circle title")}
    assert {"Kabul (city)", "Kazan (city)", "Moscow (city)"} <= marked
    kabul = browser.find_element(By.XPATH, "//*[local-name()='circle'][*[local-name()='title' and .='Kabul (city)']]")
    assert kabul.is_displayed() and kabul.size["width"] > 3  # drawn on screen, not outside the frame


def test_document_page_folds_removed_text_and_aligns_its_translation(browser, server, seed_ids):
    from selenium.webdriver.common.by import By

    browser.get(server + f"/documents/{seed_ids['001']}")
    summaries = [s.text for s in browser.find_elements(By.TAG_NAME, "summary")]
    table = browser.find_element(By.CSS_SELECTOR, "table.aligned")
    assert not table.is_displayed()  # folded until asked for
    browser.find_element(By.XPATH, "//summary[starts-with(., 'Aligned paragraphs')]").click()
    assert table.is_displayed() and "MOSKAU" in table.text
    _shot(browser, "document")
    assert any(s.startswith("Aligned paragraphs") for s in summaries)
    assert browser.find_elements(By.CSS_SELECTOR, "a.entity[href='/entities/org%3Ataliban']")


def test_search_finds_the_german_article_for_an_english_query(browser, server, seed_ids):
    from selenium.webdriver.common.by import By

    browser.get(server + "/search")
    box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
    box.send_keys(ENGLISH_QUERY)
    box.submit()
    hits = [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, ".hit")]
    _shot(browser, "search")
    assert seed_ids["003"] in hits[:2]


def test_a_hostile_article_is_shown_as_text_and_runs_nothing(browser, server):
    import json

    from selenium.webdriver.common.by import By

    hostile = ("Hostile headline <script>alert(1)</script>\n\nA paragraph with <img src=x onerror=alert(1)> "
               "in the middle of ordinary news text about the talks in Kabul and Moscow.")
    request = urllib.request.Request(server + "/api/documents", data=json.dumps({"text": hostile, "id": "hostile"}).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=300) as response:
        assert response.status == 201
    browser.get(server + "/documents/hostile")
    _no_dialog(browser)
    text = browser.find_element(By.CSS_SELECTOR, "article").text
    _shot(browser, "hostile")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert not browser.find_elements(By.CSS_SELECTOR, "article script, article img")


def test_pages_fit_a_phone_width_screen(browser, server, seed_ids):
    browser.set_window_size(390, 844)
    try:
        story = json.loads(urllib.request.urlopen(f"{server}/api/documents/{seed_ids['001']}").read())["story"]
        line = json.loads(urllib.request.urlopen(f"{server}/api/stories/{story}").read())["storyline"]
        pages = {"stories": "/", "story": f"/stories/{story}", "storyline": f"/storylines/{line}",
                 "document": f"/documents/{seed_ids['001']}", "search": "/search?q=Taliban", "upload": "/upload"}
        for name, path in pages.items():
            browser.get(server + path)
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
            _shot(browser, f"phone-{name}")
    finally:
        browser.set_window_size(1000, 1100)


def test_upload_form_ingests_a_pasted_article(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "/upload")
    browser.find_element(By.NAME, "text").send_keys(
        "Uzbek and Tajik officials met in Termez on Tuesday to discuss the Afghan border and trade.")
    browser.find_element(By.NAME, "id").send_keys("uploaded-in-browser")
    browser.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    WebDriverWait(browser, 120).until(  # the first ingest may wait for models to load
        lambda b: not b.current_url.endswith("/upload") or b.find_elements(By.CLASS_NAME, "problem"))
    _shot(browser, "uploaded")
    problems = [p.text for p in browser.find_elements(By.CLASS_NAME, "problem")]
    assert not problems
    assert browser.current_url == server + "/documents/uploaded-in-browser"
    _shot(browser, "uploaded")
    assert "Termez" in browser.find_element(By.CSS_SELECTOR, "article").text


def test_upload_form_ingests_chosen_files_and_lists_each_outcome(browser, server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    note = tmp_path / "termez.txt"
    note.write_text("Uzbek and Afghan officials opened a new market at the Termez border crossing on Wednesday, "
                    "the regional governor said.\n\nTraders from both sides are expected within weeks.")
    wire = tmp_path / "wire.jsonl"
    wire.write_text(json.dumps({"id": "wire-browser-1", "title": "Dushanbe hosts border talks",
                                "text": "Tajik and Afghan delegations met in Dushanbe to discuss the border."})
                    + "\n{broken\n")
    browser.get(server + "/upload")
    browser.find_element(By.CSS_SELECTOR, "input[type=file][name=files]").send_keys(f"{note}\n{wire}")
    browser.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    WebDriverWait(browser, 180).until(  # the first ingest may wait for models to load
        lambda b: b.find_elements(By.CSS_SELECTOR, ".outcomes") or b.find_elements(By.CLASS_NAME, "problem"))
    _no_dialog(browser)
    _shot(browser, "uploaded-files")
    assert not browser.find_elements(By.CLASS_NAME, "problem")
    files = [h.text.split()[0] for h in browser.find_elements(By.CSS_SELECTOR, ".outcomes h3")]
    assert files == ["termez.txt", "wire.jsonl"]
    outcomes = [li.get_attribute("class").split()[-1] for li in browser.find_elements(By.CSS_SELECTOR, ".outcome")]
    assert outcomes == ["outcome-ingested", "outcome-ingested", "outcome-failed"]
    assert "malformed JSON on line 2" in browser.find_element(By.CSS_SELECTOR, ".outcome-failed").text
    browser.find_element(By.LINK_TEXT, "wire-browser-1").click()
    assert browser.current_url == server + "/documents/wire-browser-1"
    assert "Dushanbe" in browser.find_element(By.CSS_SELECTOR, "article").text


def test_story_page_summarises_and_leads_to_its_storyline(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "Russia Hosts Taliban Talks as It Seeks Regional Influence").click()
    sentences = browser.find_elements(By.CSS_SELECTOR, ".summary li")
    assert sentences and all(s.is_displayed() and s.text for s in sentences)
    assert "Taliban" in " ".join(s.text for s in sentences)
    days = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "h3.day")]
    assert days and days[0] == "2023-09-29"
    link = browser.find_element(By.CSS_SELECTOR, ".storyline-link a")
    _shot(browser, "story-summary")
    link.click()
    assert "/storylines/" in browser.current_url
    stories = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".story .headline")]
    _shot(browser, "storyline")
    assert "Russia Hosts Taliban Talks as It Seeks Regional Influence" in stories
    assert browser.find_elements(By.CSS_SELECTOR, ".timeline .member")
