"""End to end in headless Chromium (Debian's package; no browser download): the web page, the
judge's summary and the round dashboard, each with an axe-core accessibility check."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(analyser):
    import uvicorn

    from analyser.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(analyser, warm=False), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    srv = uvicorn.Server(config)
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def axe_violations(page) -> list[dict]:
    import axe_playwright_python

    src = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    page.evaluate(src)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _describe(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {[n['html'][:80] for n in v['nodes'][:3]]})"
        for v in violations
    )


def test_type_submit_and_read_feedback(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(server + "/")
    assert page.title().startswith("Check your nomination")
    page.fill("#nominee", "Ana Popescu")
    page.fill("#Q1", (EXAMPLES / "nomination-amira.txt").read_text().split("Q1\n")[1].split("\nQ2")[0])
    page.fill("#Q2", "Ana always challenges bias.")
    # The live word count updates as the nominator types.
    assert "words of 500" in page.inner_text("#Q2-count")
    page.click("text=Check my nomination")
    page.wait_for_selector("#feedback-heading:has-text('Feedback on your answers')", timeout=30_000)
    text = page.inner_text("#feedback")
    assert "Q1.a" in text and "Ask yourself" in text
    assert "You wrote: Ana always challenges bias." in text.replace("“", "").replace("”", "")
    # Feedback arrived without a page load: the form still holds the answers.
    assert page.input_value("#Q2") == "Ana always challenges bias."
    violations = axe_violations(page)
    assert not violations, _describe(violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "web-feedback.png"), full_page=False)
    page.close()


ANSWER = "She met the deaf community every month to change how the clinic books appointments."


def test_works_without_javascript(server, browser):
    # Scripts are off, so nothing is evaluated in this page: only clicks and reading text.
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server + "/")
    page.fill("#Q1", ANSWER)
    with page.expect_navigation():
        page.click("text=Check my nomination")
    assert page.url.endswith("/check")
    assert "Feedback on your answers" in page.inner_text("#feedback")
    assert page.input_value("#Q1") == ANSWER
    ctx.close()


def test_server_rendered_feedback_on_a_phone(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(server + "/")
    page.fill("#Q1", ANSWER)
    with page.expect_navigation():
        page.evaluate("document.getElementById('nomination-form').submit()")  # the plain form post
    assert "Feedback on your answers" in page.inner_text("#feedback")
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    violations = axe_violations(page)
    assert not violations, _describe(violations)
    ctx.close()


def test_keyboard_only_use(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "nominee"
    page.keyboard.press("Tab")
    # The next stop is the first question's suggested examples, then its answer box.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "Q1"
    page.keyboard.type("She set up a prayer room with the Muslim staff network.")
    page.close()


def test_upload_a_filled_form(server, browser, tmp_path):
    from tests import officefiles as of

    path = of.write_docx(
        tmp_path / "form.docx",
        of.p("Q1")
        + of.p("She ran monthly listening events with Somali mothers.")
        + of.p("Q2")
        + of.p("She taught staff."),
    )
    page = browser.new_page()
    page.goto(server + "/")
    page.set_input_files("#upload", str(path))
    page.click("#upload-button")
    page.wait_for_selector("text=Feedback on your answers", timeout=30_000)
    page.close()


@pytest.mark.parametrize("which", ["summary", "dashboard"])
def test_reports_are_accessible(browser, analyser, read_opts, tmp_path, which):
    if which == "summary":
        from analyser.readers import read_one
        from analyser.report.html import render_html

        path = tmp_path / "summary.html"
        path.write_text(render_html(analyser.analyse(read_one(EXAMPLES / "nomination-amira.txt", read_opts))))
    else:
        from analyser.batch import run_batch

        run_batch(EXAMPLES / "round.csv", tmp_path / "round", analyser, read_opts)
        path = tmp_path / "round" / "index.html"
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(path.as_uri())
    violations = axe_violations(page)
    assert not violations, _describe(violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{which}.png"))
    # Prints on A4 without error.
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    page.close()
