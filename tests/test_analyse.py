"""The core on real models: reports, their contract, flags, misplaced evidence, other frameworks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from analyser.records import Nomination, Report

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "analyser/schema/report.schema.json").read_text())


def test_report_validates_against_schema_and_round_trips(example_report):
    d = example_report.to_dict()
    jsonschema.validate(d, SCHEMA)
    assert Report.from_dict(d).to_dict() == d
    assert list(d["criteria"]) == ["Q1.a", "Q1.b", "Q2.a", "Q2.b", "Q2.c", "Q3.a", "Q3.b", "Q4.a", "Q4.b"]


def test_evidence_quotes_sentences_exactly_strongest_first(example_report, read_opts):
    from analyser.readers import read_one
    from tests.conftest import EXAMPLES

    nom = read_one(EXAMPLES / "nomination-amira.txt", read_opts)
    for cid, c in example_report.criteria.items():
        strengths = [e.strength for e in c.evidence]
        assert strengths == sorted(strengths, reverse=True), cid
        for e in c.evidence:
            assert e.sentence in nom.answers[e.question], (cid, e.sentence)
        if c.strength == 0:
            assert not c.evidence
        assert 0 <= c.confidence <= 1
        assert c.level == ["none", "asserted", "described", "demonstrated"][c.strength]


def test_example_levels_follow_the_standard(example_report):
    """The sample is written so that a careful reader agrees on these levels."""
    c = example_report.criteria
    # Co-designed picture-card letters with the families, attendance 48% -> 81%.
    assert c["Q1.a"].strength == 3
    assert c["Q1.b"].strength >= 2
    # Monthly culture-sharing sessions, 34 of 40 staff took part.
    assert c["Q2.a"].strength >= 2
    # Survey 61% -> 92% able to raise concerns, plus a named colleague's words.
    assert c["Q3.a"].strength >= 2
    # Planning to present to the board: a plan reaches 2 at most.
    assert c["Q4.b"].strength <= 2
    assert {g.criterion for g in example_report.gaps} == {k for k, v in c.items() if v.strength <= 1}


def _nom(answers, **meta):
    return Nomination("t", {q: answers.get(q, "") for q in ("Q1", "Q2", "Q3", "Q4")}, meta)


def test_generic_praise_scores_low(analyser):
    praise = (
        "She is amazing and always there for everyone. She goes the extra mile every single day. "
        "She is kind, caring and a credit to the profession. She lives our values. She baked cakes for the ward."
    )
    rep = analyser.analyse(_nom({"Q1": praise, "Q2": praise, "Q3": praise, "Q4": praise}, nominee="Jo Bloggs"))
    assert rep.total <= 3
    assert all(c.strength <= 1 for c in rep.criteria.values())
    assert len(rep.gaps) >= 8


def test_strong_evidence_in_plain_words_is_recognised(analyser):
    rep = analyser.analyse(
        _nom(
            {
                "Q1": (
                    "Every Friday she sat with the Polish-speaking mothers at the school gate to redesign the booking "
                    "letters with them. Bookings before 12 weeks rose from 41% to 68%."
                )
            },
            nominee="Ewa Nowak",
        )
    )
    assert rep.criteria["Q1.a"].strength == 3
    assert rep.criteria["Q1.b"].strength >= 2


def test_placeholders_repeats_and_word_limits_are_flagged(analyser):
    text = (
        "She set up a monthly listening group with the deaf community and together they changed how the clinic "
        "books appointments, so deaf patients can now book by text message."
    )
    rep = analyser.analyse(_nom({"Q1": text, "Q2": "See above", "Q3": text, "Q4": "word " * 30}, nominee="A B"))
    codes = {(f.code, f.question) for f in rep.flags}
    assert ("placeholder_answer", "Q2") in codes
    assert ("repeated_answer", "Q3") in codes
    analyser.word_limit = 20
    try:
        rep2 = analyser.analyse(_nom({"Q1": text}, nominee="A B"))
    finally:
        analyser.word_limit = None
    over = [f for f in rep2.flags if f.code == "over_word_limit"]
    assert over and over[0].question == "Q1" and "over the limit of 20" in over[0].message


def test_misplaced_evidence_is_reported(analyser):
    rep = analyser.analyse(
        _nom(
            {
                "Q1": (
                    "She presented our WRES results to the trust board and persuaded the chief executive and every "
                    "executive director to sponsor one of the staff networks, which they have done since 2023."
                ),
                "Q4": "She is a voice for everyone.",
            },
            nominee="Kemi Adeyemi",
        )
    )
    assert rep.criteria["Q4.b"].strength >= 2
    assert any(m.evidences == "Q4.b" and m.written_under == "Q1" for m in rep.misplaced)


def test_non_english_nomination_is_flagged_not_scored(analyser):
    welsh = (
        "Mae hi wedi gweithio gyda'r gymuned leol ers blynyddoedd ac mae hi yn arwain y tîm gyda gofal. "
        "Roedd hi yn trefnu cyfarfodydd gyda theuluoedd ac yn gwrando ar eu pryderon am y gwasanaeth."
    )
    rep = analyser.analyse(_nom({"Q1": welsh, "Q2": welsh}, nominee="Siân"))
    assert rep.language == "cy"
    assert rep.flags[0].code == "not_english" and "Welsh" in rep.flags[0].message
    assert rep.total == 0 and rep.gaps == []


def test_team_nomination_credits_team_actions(analyser):
    text = (
        "The team co-designed the easy-read letters with people with learning disabilities; missed appointments halved."
    )
    team = analyser.analyse(_nom({"Q1": text}, nominee="Rowan Ward team", nominee_type="team"))
    assert team.nominee_type == "team"
    assert team.criteria["Q1.a"].strength >= 2


def test_another_framework_runs_without_code_changes():
    from analyser.analyse import Analyser

    a = Analyser(framework="living-the-values", precision="float32")
    nom = Nomination(
        "lv",
        {
            "Q1": "She stayed after her shift to sit with a frightened patient until his daughter arrived.",
            "Q2": "He redesigned the discharge checklist and delays fell from five days to two.",
            "Q3": "",
        },
        {"nominee": "Chris"},
    )
    rep = a.analyse(nom)
    assert list(rep.criteria) == ["Q1.a", "Q1.b", "Q2.a", "Q3.a", "Q3.b"]
    assert rep.framework == "living-the-values"
    assert "similarity only" in rep.model
    assert rep.criteria["Q2.a"].strength >= 1
    jsonschema.validate(rep.to_dict(), SCHEMA)


@pytest.mark.parametrize("blank", ["", "N/A", "-", "See above."])
def test_placeholder_answers_add_nothing(analyser, blank):
    rep = analyser.analyse(_nom({"Q1": blank, "Q2": "She is lovely."}, nominee="Sam"))
    assert all(e.question != "Q1" for c in rep.criteria.values() for e in c.evidence)


def test_encoder_cache_limit_never_drops_vectors_the_call_needs(analyser):
    """A small cache that must be trimmed mid-call still returns every vector, equal to a fresh
    encoding: a batch round with sentences repeated across nominations used to hit a KeyError
    here and fall back to one nomination at a time."""
    import numpy as np

    from analyser.embed import Encoder

    enc = Encoder(precision="float32")
    enc.cache_limit = 3
    first = ["Staff survey scores rose.", "She chairs the network."]
    enc.encode(first)
    again = ["Staff survey scores rose.", "Bank staff joined the forum.", "The audit found gaps.", first[1]]
    got = enc.encode(again)
    assert got.shape == (4, 384)
    fresh = analyser.encoder.encode(again)
    assert np.allclose(got, fresh, atol=1e-5)
    assert len(enc._cache) <= 3
