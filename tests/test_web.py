"""The local web app through its HTTP interface: pages, API, uploads, downloads and safety."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from analyser.web.app import MAX_BODY_BYTES, create_app
from tests import officefiles as of
from tests.conftest import ROOT

CANARY = "Zqxwv-canary-7731"
SCHEMA = json.loads((ROOT / "analyser/schema/report.schema.json").read_text())
ANSWER = "Every Friday she met Roma families at the community centre to redesign the clinic letters with them."


@pytest.fixture(scope="module")
def client(analyser):
    app = create_app(analyser, warm=False)
    with TestClient(app) as c:
        yield c


def test_page_lists_questions_with_labels_and_limits(client, framework):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    for q in framework.questions:
        assert f'<label for="{q.id}">' in html and f'name="{q.id}"' in html
        assert q.examples[0][:40] in html
    assert "of 500" in html  # word limit from the framework data
    assert r.headers["cache-control"] == "no-store"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_form_post_without_javascript_shows_feedback(client):
    r = client.post("/check", data={"nominee": "Ana Popescu", "Q1": ANSWER, "Q2": "", "Q3": "N/A", "Q4": ""})
    assert r.status_code == 200
    assert "Feedback on your answers" in r.text
    assert "Ana" in r.text  # prompts use the nominee's name
    assert ANSWER in r.text  # the answer stays in the form
    frag = client.post("/check?fragment=1", data={"Q1": ANSWER})
    assert frag.status_code == 200 and frag.text.lstrip().startswith('<div id="feedback-body">')


def test_empty_form_is_an_announced_error(client):
    r = client.post("/check", data={"Q1": "  "})
    assert r.status_code == 422
    assert 'role="alert"' in r.text and "at least one answer" in r.text


def test_upload_docx_and_txt(client, tmp_path):
    body = of.p("Q1") + of.p(ANSWER) + of.p("Q2") + of.p("She taught the porters about autism.")
    docx = of.write_docx(tmp_path / "form.docx", body).read_bytes()
    r = client.post("/check", files={"upload": ("form.docx", docx, "application/octet-stream")})
    assert r.status_code == 200 and "Feedback on your answers" in r.text and "Roma families" in r.text
    r = client.post("/check", files={"upload": ("n.txt", f"Q1\n{ANSWER}\n".encode(), "text/plain")})
    assert r.status_code == 200 and "Roma families" in r.text
    r = client.post("/check", files={"upload": ("n.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 422 and "upload a" in r.text


def test_download_feedback(client):
    md = client.post("/download?format=md", data={"Q1": ANSWER})
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"] and "# Feedback on your nomination" in md.text
    html = client.post("/download?format=html", data={"Q1": ANSWER})
    assert html.status_code == 200 and html.text.startswith("<!DOCTYPE html>")


def test_api_analyse_and_feedback(client):
    nom = {"id": "api-1", "answers": {"Q1": ANSWER, "Q2": "She is lovely."}}
    r = client.post("/api/analyse", json=nom)
    assert r.status_code == 200
    jsonschema.validate(r.json(), SCHEMA)
    assert r.json()["id"] == "api-1"
    f = client.post("/api/feedback", json=nom)
    assert f.status_code == 200 and f.json()["schema"] == "analyser.feedback/1"
    assert len(f.json()["items"]) == 9
    bad = client.post("/api/analyse", json={"id": "x", "answers": {"Q9": "hi"}})
    assert bad.status_code == 422
    assert client.post("/api/analyse", json={"id": "x"}).status_code == 422
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert {"/api/analyse", "/api/feedback", "/health"} <= set(spec["paths"])


def test_foreign_host_and_cross_site_posts_are_refused(client):
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "attacker.example:8000"}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200
    r = client.post("/check", data={"Q1": ANSWER}, headers={"origin": "https://attacker.example"})
    assert r.status_code == 403
    r = client.post("/api/feedback", json={"answers": {"Q1": ANSWER}}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    ok = client.post("/check", data={"Q1": ANSWER}, headers={"origin": "http://127.0.0.1:8000"})
    assert ok.status_code == 200


def test_oversized_bodies_get_413(client):
    big = b"x" * (MAX_BODY_BYTES + 1)
    assert client.post("/api/analyse", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():
        for _ in range(5):
            yield b"y" * (MAX_BODY_BYTES // 4)

    r = client.post("/api/analyse", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_nothing_typed_is_written_or_logged(analyser, tmp_path, monkeypatch, caplog):
    """A canary typed into every field never reaches the disk or a log record."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    before = set(Path(tmp_path).rglob("*"))
    caplog.set_level(logging.DEBUG)
    app = create_app(analyser, warm=False)
    with TestClient(app) as c:
        text = f"{CANARY} ran a clinic with {CANARY} families."
        c.post("/check", data={"nominee": CANARY, "Q1": text, "Q2": text})
        c.post("/api/feedback", json={"id": CANARY, "answers": {"Q1": text}})
        c.post("/download?format=html", data={"Q1": text})
        c.post("/check", files={"upload": ("x.txt", f"Q1\n{text}".encode(), "text/plain")})
        c.post("/api/analyse", json={"id": CANARY, "answers": {"Q7": text}})  # an error path too
    assert CANARY not in caplog.text
    assert not any(CANARY in s for s in analyser.encoder._cache), "text kept in memory after the response"
    for p in set(Path(tmp_path).rglob("*")) - before:
        if p.is_file():
            assert CANARY.encode() not in p.read_bytes(), p


def test_concurrent_requests_are_served(client):
    results: list[int] = []

    def worker(k: int) -> None:
        r = client.post("/api/feedback", json={"id": f"c{k}", "answers": {"Q1": ANSWER, "Q3": f"Note {k}."}})
        results.append(r.status_code)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 12


def test_serve_command_refuses_bad_port():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "analyser", "serve", "--port", "0"], capture_output=True, text=True)
    assert r.returncode == 2 and "port" in (r.stderr + r.stdout).lower()
    assert os.environ.get("NO_SUCH_VAR") is None
