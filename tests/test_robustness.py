"""Property-based tests and a short fuzz of the readers and the sentence splitter, and the
invariance of levels to how the same evidence is typed (capitals, bullets, encoding,
invisible characters)."""

from __future__ import annotations

import contextlib
import io
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyser.errors import AnalyserError
from analyser.nlp import clean_sentence, process_nominations
from analyser.readers import read_nominations, read_upload
from analyser.readers.base import clean_text
from analyser.records import Nomination
from tests import officefiles as of
from tests.conftest import EXAMPLES

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_all(path, opts):
    try:
        return list(read_nominations(path, opts))
    except AnalyserError:
        return None


@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".json", ".jsonl", ".csv", ".tsv"]))
def test_readers_never_crash_on_arbitrary_bytes(tmp_path, read_opts, data, suffix):
    p = tmp_path / f"x{suffix}"
    p.write_bytes(data)
    _read_all(p, read_opts)  # returns items or raises AnalyserError; anything else fails the test


@FAST
@given(text=st.text(max_size=2000))
def test_readers_never_crash_on_arbitrary_text(tmp_path, read_opts, text):
    for suffix in (".txt", ".csv", ".jsonl"):
        p = tmp_path / f"t{suffix}"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        _read_all(p, read_opts)


@FAST
@given(
    obj=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=50),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=30,
    )
)
def test_json_reader_on_arbitrary_objects(tmp_path, read_opts, obj):
    p = tmp_path / "o.json"
    p.write_text(json.dumps({"id": "x", "answers": obj}))
    _read_all(p, read_opts)


@FAST
@given(text=st.text(max_size=600))
def test_clean_text_is_idempotent_and_safe(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert not any(ord(c) < 32 and c not in "\n\t" for c in once)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in once)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=800))
def test_sentence_splitter_quotes_only_what_was_written(nlp, text):
    answer = clean_text(text)
    sents = process_nominations(nlp, [Nomination("f", {"Q1": answer}, {})])[0]
    squashed = " ".join(answer.split())
    for s in sents:
        assert s.text and s.text == clean_sentence(s.text)
        assert " ".join(s.text.split()) in squashed


def _mutations(data: bytes, n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        b = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            i = rng.randrange(len(b))
            b[i] = rng.randrange(256)
        out.append(bytes(b))
    return out


def test_fuzz_docx_and_xlsx_bytes(tmp_path, read_opts):
    """A short mutation fuzz: damaged Word and Excel files are refused with a clear error."""
    from openpyxl import Workbook

    good_docx = of.write_docx(
        tmp_path / "g.docx", of.p("Q1") + of.p("She met the families.") + of.p("Q2") + of.p("She taught.")
    ).read_bytes()
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "Q1"])
    ws.append(["1", "She met the families."])
    buf = io.BytesIO()
    wb.save(buf)
    good_xlsx = buf.getvalue()
    for data in _mutations(good_docx, 150, 1):
        with contextlib.suppress(AnalyserError):
            read_upload("f.docx", data, read_opts)
    for k, data in enumerate(_mutations(good_xlsx, 60, 2)):
        p = tmp_path / f"m{k}.xlsx"
        p.write_bytes(data)
        _read_all(p, read_opts)


def _sentences_by_question(nlp, nom):
    return {
        q: [s.text for s in process_nominations(nlp, [Nomination("s", {q: a}, nom.metadata)])[0]]
        for q, a in nom.answers.items()
        if a
    }


@pytest.fixture(scope="module")
def plain_noms(read_opts):
    from analyser.corpus import load_records
    from analyser.readers import read_one
    from tests.conftest import ROOT

    recs = load_records([ROOT / "corpora" / "heldout.jsonl"])
    picked = [r.nomination for r in recs if r.nomination.metadata.get("nominee_type") == "individual"][:3]
    return [read_one(EXAMPLES / "nomination-amira.txt", read_opts), *picked]


def _levels(analyser, noms):
    return [{c: v.strength for c, v in r.criteria.items()} for r in analyser.analyse_many(noms)]


def test_same_evidence_in_capitals_bullets_and_invisible_characters(analyser, nlp, plain_noms):
    base = _levels(analyser, plain_noms)
    caps = [Nomination(n.id, {q: a.upper() for q, a in n.answers.items()}, n.metadata) for n in plain_noms]
    zw = [
        Nomination(n.id, {q: clean_text(a.replace(" ", " \u200b")) for q, a in n.answers.items()}, n.metadata)
        for n in plain_noms
    ]
    bullets = []
    for n in plain_noms:
        by_q = _sentences_by_question(nlp, n)
        bullets.append(
            Nomination(n.id, {q: "\n".join(f"- {s}" for s in by_q.get(q, [])) for q in n.answers}, n.metadata)
        )
    for name, variant in (("capitals", caps), ("invisible characters", zw), ("bullets", bullets)):
        got = _levels(analyser, variant)
        for b, g, n in zip(base, got, plain_noms, strict=True):
            diff = {c: (b[c], g[c]) for c in b if b[c] != g[c]}
            assert not diff, f"{name} changed levels of {n.id}: {diff}"


def test_same_evidence_in_another_encoding(analyser, read_opts, tmp_path):
    from analyser.readers import read_one

    text = (EXAMPLES / "nomination-amira.txt").read_text(encoding="utf-8").replace("’", "'")
    a = tmp_path / "utf8.txt"
    b = tmp_path / "cp1252.txt"
    c = tmp_path / "utf16.txt"
    a.write_text(text, encoding="utf-8")
    b.write_bytes(text.encode("cp1252"))
    c.write_text(text, encoding="utf-16")
    levels = [_levels(analyser, [read_one(p, read_opts)])[0] for p in (a, b, c)]
    assert levels[0] == levels[1] == levels[2]
