"""The command line, run as a user runs it (subprocesses, real models)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import EXAMPLES, ROOT

SCHEMA = json.loads((ROOT / "analyser/schema/report.schema.json").read_text())


def run(*args, check=False):
    return subprocess.run(
        [sys.executable, "-m", "analyser", *map(str, args)], capture_output=True, text=True, check=check
    )


def test_help_imports_no_heavy_library():
    code = (
        "import sys, analyser.cli\n"
        "heavy = [m for m in ('torch', 'spacy', 'sentence_transformers', 'sklearn', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"--help would import {out}"


def test_every_command_has_help():
    top = run("--help", check=True).stdout
    for cmd in ("analyse", "criteria", "train", "evaluate", "corpus"):
        assert cmd in top
        sub = run(cmd, "--help", check=True).stdout
        assert len(sub) > 200 and "Usage" in sub


def test_analyse_json_of_one_nomination(tmp_path):
    out = tmp_path / "r.json"
    res = run("analyse", EXAMPLES / "nomination-amira.txt", "--output", out)
    assert res.returncode == 0, res.stderr
    d = json.loads(out.read_text())
    jsonschema.validate(d, SCHEMA)
    assert d["id"] == "nomination-amira" and d["nominee"] == "Amira Hassan"


def test_analyse_markdown_to_stdout():
    res = run("analyse", EXAMPLES / "nomination-amira.txt", "--format", "markdown")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("# Evidence summary: Amira Hassan")
    assert "## Evidence by sub-criterion" in res.stdout and "not a score" in res.stdout


def test_analyse_many_gives_jsonl_in_order_and_reports_bad_rows(tmp_path):
    p = tmp_path / "round.jsonl"
    rows = [
        {"id": "first", "answers": {"Q1": "She ran a clinic with the local Roma families."}},
        "not json",
        {"id": "second", "answers": {"Q2": "He taught 40 staff about autism."}},
    ]
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows))
    res = run("analyse", p)
    assert res.returncode == 4
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [d["id"] for d in lines] == ["first", "second"]
    assert "round.jsonl, row 2" in res.stderr


@pytest.mark.parametrize(
    ("content", "suffix", "code", "needle"),
    [
        ("", ".txt", 3, "file is empty"),
        ("{bad", ".json", 3, "not valid JSON"),
        ("x", ".pdf", 3, "unsupported file type"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(tmp_path, content, suffix, code, needle):
    p = tmp_path / f"bad{suffix}"
    p.write_text(content)
    res = run("analyse", p)
    assert res.returncode == code
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and str(p) in lines[0]
    assert "Traceback" not in res.stderr


def test_missing_file_and_bad_framework():
    res = run("analyse", "no/such/file.txt")
    assert res.returncode == 3 and "file not found" in res.stderr
    res = run("criteria", "--framework", "nope")
    assert res.returncode == 5 and "unknown framework" in res.stderr


def test_debug_shows_traceback(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{bad")
    res = run("--debug", "analyse", p)
    assert res.returncode == 3 and "Traceback" in res.stderr


def test_module_and_console_script_agree():
    exe = Path(sys.executable).parent / "analyser"
    a = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout
    b = run("--version", check=True).stdout
    assert a == b and a.startswith("analyser ")


def test_masking_command_reports_recall():
    res = run("corpus", "masking")
    assert res.returncode == 0, res.stderr
    recall = float(res.stdout.split("recall of identifiers: ")[1].split()[0])
    assert recall >= 0.95
