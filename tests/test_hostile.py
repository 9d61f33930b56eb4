"""The battery of hostile and malformed inputs (tests/hostile/manifest.json), run as a user would.

Every file gets its expected outcome: a documented exit code, one line on stderr naming the file
and the problem, never a traceback; or, for inputs that are read, output that is safe.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "hostile"
MANIFEST = json.loads((HERE / "manifest.json").read_text())


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analyser", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("case", MANIFEST, ids=[c["file"] for c in MANIFEST])
def test_hostile_input(case, tmp_path):
    path = HERE / case["file"]
    res = run("analyse", str(path), "--precision", "float32")
    assert res.returncode == case["exit"], res.stderr[-500:]
    assert "Traceback" not in res.stderr
    if case["exit"] in (3, 5, 6):
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, lines
        assert str(path) in lines[0] and case["stderr"] in lines[0]
        assert res.stdout == ""
        return
    if case["stderr"]:
        assert case["stderr"] in res.stderr
    out = res.stdout
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", out)
    docs = (
        [json.loads(line) for line in out.splitlines() if line.strip()]
        if not out.lstrip().startswith("{\n")
        else [json.loads(out)]
    )
    if "jsonl_ids" in case:
        assert [d["id"] for d in docs] == case["jsonl_ids"]
    if case.get("flag"):
        assert any(f["code"] == case["flag"] for d in docs for f in d["flags"])
    if case.get("html_escaped"):
        html = run("analyse", str(path), "--format", "html", "--precision", "float32")
        assert html.returncode == 0
        for raw in ("<script>", "<img", "javascript:alert"):
            assert raw not in html.stdout.replace("<script src", "")  # the page has no scripts at all
        md = run("analyse", str(path), "--format", "markdown", "--precision", "float32").stdout
        assert "<script>" not in md and "**bold**" not in md
    if case.get("batch_neutralised"):
        b = run("batch", str(path), "--out", str(tmp_path / "r"), "--quiet", "--precision", "float32")
        assert b.returncode == 0, b.stderr
        rows = list(csv.reader((tmp_path / "r" / "round.csv").open(encoding="utf-8-sig")))
        cells = [c for row in rows[1:] for c in row]
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
        assert any(c.startswith("'=") for c in cells)
