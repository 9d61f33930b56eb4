"""A whole round: outputs, bad rows, resuming from the cache, grouping, safe spreadsheets."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from openpyxl import load_workbook

from analyser.batch import copied_answers, group_nominations, run_batch
from analyser.records import Nomination
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def round_out(tmp_path_factory, analyser, read_opts):
    out = tmp_path_factory.mktemp("round")
    res = run_batch(EXAMPLES / "round.csv", out, analyser, read_opts)
    return out, res


def test_round_outputs_and_counts_add_up(round_out):
    out, res = round_out
    assert res.read == 18 and res.analysed == 17 and res.rejected == 1
    assert res.analysed + res.rejected == res.read
    assert "read 18, analysed 17, rejected 1" in res.summary_line()
    for name in ("round.csv", "round.xlsx", "index.html", "errors.csv"):
        assert (out / name).exists(), name
    assert len(list((out / "reports").glob("*.json"))) == 17
    assert len(list((out / "reports").glob("*.html"))) == 17
    errors = list(csv.DictReader((out / "errors.csv").open(encoding="utf-8-sig")))
    assert errors == [{"source": str(EXAMPLES / "round.csv"), "row": "18", "reason": errors[0]["reason"]}]
    assert "CSV" in errors[0]["reason"]


def test_round_table_schema_and_formula_neutralising(round_out):
    out, res = round_out
    rows = list(csv.DictReader((out / "round.csv").open(encoding="utf-8-sig")))
    assert len(rows) == 17
    cols = rows[0].keys()
    for c in (
        "id",
        "nominee",
        "group",
        "level_Q1.a",
        "level_Q4.b",
        "total",
        "gaps",
        "flags",
        "words_total",
        "report_html",
    ):
        assert c in cols
    hostile = next(r for r in rows if r["id"] == "R016")
    assert hostile["nominee"].startswith("'=HYPERLINK")
    for r in rows:
        assert int(r["total"]) == sum(
            int(r[f"level_{c}"]) for c in ("Q1.a", "Q1.b", "Q2.a", "Q2.b", "Q2.c", "Q3.a", "Q3.b", "Q4.a", "Q4.b")
        )
        report = json.loads((out / r["report_json"]).read_text())
        assert report["id"] == r["id"] and report["total"] == int(r["total"])
    ws = load_workbook(out / "round.xlsx").active
    values = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    assert values[0] == "id"
    formulas = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_same_nominee_grouped_and_copies_flagged(round_out):
    out, res = round_out
    rows = {r["id"]: r for r in csv.DictReader((out / "round.csv").open(encoding="utf-8-sig"))}
    # R015 is a second nomination of R001's nominee; R018 repeats R003 word for word.
    assert rows["R001"]["group"] and rows["R001"]["group"] == rows["R015"]["group"]
    assert rows["R003"]["group"] and rows["R003"]["group"] == rows["R018"]["group"]
    assert "copied_answer" in rows["R018"]["flags"]
    assert not rows["R004"]["group"]


def test_dashboard_content(round_out):
    out, _ = round_out
    html = (out / "index.html").read_text()
    assert "evidenced with a concrete example by only" in html
    assert 'role="img"' in html and "<desc" in html
    assert html.count('href="reports/') >= 17
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html or "script" not in html.lower()


def test_second_run_reuses_everything(round_out, analyser, read_opts, tmp_path):
    out, first = round_out
    copy = tmp_path / "again"
    shutil.copytree(out, copy)
    res = run_batch(EXAMPLES / "round.csv", copy, analyser, read_opts)
    assert res.from_cache == 17 and res.analysed == 17
    a = sorted((out / "reports").glob("*.json"))
    b = sorted((copy / "reports").glob("*.json"))
    assert [x.read_text() for x in a] == [y.read_text() for y in b]


def test_interrupted_run_resumes(analyser, read_opts, tmp_path, monkeypatch):
    import analyser.batch as batch

    calls = {"n": 0}
    real = batch._analyse_chunk

    def flaky(a, noms, blind, res):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(a, noms, blind, res)

    monkeypatch.setattr(batch, "CHUNK", 5)
    monkeypatch.setattr(batch, "_analyse_chunk", flaky)
    out = tmp_path / "r"
    res = run_batch(EXAMPLES / "round.csv", out, analyser, read_opts)
    assert res.interrupted and res.analysed == 5
    assert "resume" in res.summary_line()
    monkeypatch.setattr(batch, "_analyse_chunk", real)
    res2 = run_batch(EXAMPLES / "round.csv", out, analyser, read_opts)
    assert not res2.interrupted and res2.from_cache == 5 and res2.analysed == 17


def test_one_failing_nomination_does_not_stop_the_round(analyser, read_opts, tmp_path, monkeypatch):
    original = type(analyser).analyse_many

    def boom(self, noms, blind=False):
        if any(n.id == "R004" for n in noms):
            raise RuntimeError("broken nomination")
        return original(self, noms, blind=blind)

    monkeypatch.setattr(type(analyser), "analyse_many", boom)
    res = run_batch(EXAMPLES / "round.csv", tmp_path / "r", analyser, read_opts, use_cache=False)
    assert res.analysed == 16 and res.rejected == 2
    assert any("R004" in e.message for e in res.errors)


def test_grouping_and_copy_detection_units():
    text = "She set up a weekly clinic with the Somali community and bookings rose from 40% to 70% in a year. " * 2
    noms = [
        Nomination("a", {"Q1": text}, {"nominee": "Dr Ann Lee", "organisation": "North Trust"}),
        Nomination(
            "b",
            {"Q1": "Something else entirely about staff networks and board work."},
            {"nominee": "ann lee", "organisation": "North  Trust"},
        ),
        Nomination("c", {"Q2": text}, {"nominee": "Bob Roe"}),
        Nomination("d", {"Q1": "Unrelated words about a quiet ward and a new rota for nights."}, {"nominee": "Cy Poe"}),
    ]
    groups = group_nominations(noms)
    assert groups["a"] == groups["b"] == groups["c"]
    assert "d" not in groups
    copies = copied_answers(noms)
    assert ("c", "Q1") in copies["a"] and ("a", "Q2") in copies["c"]


def test_two_worker_processes_give_the_same_round(analyser, read_opts, tmp_path, monkeypatch):
    import analyser.batch as batch

    monkeypatch.setattr(batch, "CHUNK", 6)
    one = run_batch(EXAMPLES / "round.csv", tmp_path / "one", analyser, read_opts, use_cache=False)
    two = run_batch(EXAMPLES / "round.csv", tmp_path / "two", analyser, read_opts, use_cache=False, workers=2)
    assert two.analysed == one.analysed == 17 and two.rejected == 1
    a = {r.id: {c: v.strength for c, v in r.criteria.items()} for r in one.reports}
    b = {r.id: {c: v.strength for c, v in r.criteria.items()} for r in two.reports}
    assert a == b
    assert (tmp_path / "two" / "round.csv").read_text() == (tmp_path / "one" / "round.csv").read_text()


def test_multiline_answers_with_commas_are_not_mistaken_for_rows(tmp_path, read_opts):
    from analyser.readers import read_nominations

    p = tmp_path / "r.csv"
    p.write_text(
        'id,Q1,Q2\nR001,"First, she met the families.\nThen, she changed the letters, the rota, the forms.",x\nR002,second,y\n'
    )
    items = list(read_nominations(p, read_opts))
    assert [i.id for i in items if isinstance(i, Nomination)] == ["R001", "R002"]
    p.write_text('id,Q1,Q2\nR001,"unclosed answer,x\nR002,second answer",y\nR003,third,z\n')
    items = list(read_nominations(p, read_opts))
    ids = [i.id for i in items if isinstance(i, Nomination)]
    assert "R001" not in ids and "R003" in ids


def test_similar_pairs_match_exhaustive_jaccard():
    """The sparse-product pair search finds exactly the pairs an all-pairs Jaccard finds."""
    import random

    from analyser.batch import _similar_pairs

    rng = random.Random(4)
    base = [set(rng.sample(range(400), 30)) for _ in range(12)]
    sets = [
        *base,
        *({x for x in s if rng.random() < 0.85} | {1000 + rng.randrange(50)} for s in base[:6]),
        set(),
        {1, 2},
    ]
    expected = []
    for a in range(len(sets)):
        for b in range(a + 1, len(sets)):
            if min(len(sets[a]), len(sets[b])) < 8:
                continue
            j = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
            if j >= 0.6:
                expected.append((a, b, j))
    got = _similar_pairs(sets, 0.6)
    assert [(a, b) for a, b, _ in got] == [(a, b) for a, b, _ in expected]
    assert [j for *_, j in got] == pytest.approx([j for *_, j in expected])
    assert len(got) >= 6  # every thinned copy is found
