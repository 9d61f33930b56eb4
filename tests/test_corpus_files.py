"""The corpus files keep the annotation guide's rules, and style twins keep their originals' labels.

Runs the annotators' own checkers (standard library scripts in corpora/tools) on the shipped files,
and shows each catches the mistake it exists for.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

TOOLS = ROOT / "corpora" / "tools"


def _run(tool: str, *files) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOLS / tool), *map(str, files)], capture_output=True, text=True, timeout=120
    )


def test_every_corpus_file_passes_the_annotation_checks():
    files = sorted((ROOT / "corpora" / "raw").glob("*.jsonl")) + sorted((ROOT / "corpora" / "twins").glob("*.jsonl"))
    res = _run("validate.py", *files)
    assert res.returncode == 0, res.stdout[-2000:]
    assert " 0 problems" in res.stderr


def test_every_twin_keeps_its_originals_labels():
    twins = sorted((ROOT / "corpora" / "twins").glob("*.jsonl"))
    res = _run("check_twins.py", *twins)
    assert res.returncode == 0, res.stdout[-2000:]
    n = sum(1 for f in twins for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    assert f"{n} twins, 0 problems" in res.stderr


def test_a_twin_that_strengthens_or_moves_evidence_is_caught(tmp_path):
    line = (ROOT / "corpora" / "twins" / "plain_1.jsonl").read_text(encoding="utf-8").splitlines()[0]
    twin = json.loads(line)
    strengthened = json.loads(line)
    item = next(e for e in strengthened["evidence"] if strengthened["labels"][e["criterion"]] < 3)
    item["level"] = 3
    strengthened["labels"][item["criterion"]] = 3
    moved = json.loads(line)
    moved["evidence"][0]["question"] = next(q for q in ("Q1", "Q2", "Q3", "Q4") if q != twin["evidence"][0]["question"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(strengthened) + "\n" + json.dumps(moved) + "\n", encoding="utf-8")
    res = _run("check_twins.py", bad)
    assert res.returncode == 1
    assert f"{bad}:1: {twin['id']}: labels differ" in res.stdout
    assert f"{bad}:2: {twin['id']}: strongest" in res.stdout
