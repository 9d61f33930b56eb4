"""Sentence segmentation and the per-sentence signals, on the real spaCy pipeline."""

from __future__ import annotations

import pytest

from analyser.nlp import process_nominations
from analyser.records import Nomination


def sentences(nlp, text, nominee="Amira Hassan", kind="individual"):
    nom = Nomination("t", {"Q1": text}, {"nominee": nominee, "nominee_type": kind})
    return process_nominations(nlp, [nom])[0]


def signals_of(nlp, text, **kw):
    (s,) = sentences(nlp, text, **kw)
    return set(s.signals)


def test_bullets_and_line_breaks_split_sentences(nlp):
    text = "She did three things:\n- ran training for 40 staff\n• set up a prayer room\n* met the board\nThen she left"
    got = [s.text for s in sentences(nlp, text)]
    assert got == [
        "She did three things:",
        "ran training for 40 staff",
        "set up a prayer room",
        "met the board",
        "Then she left",
    ]


def test_quotation_with_reporting_clause_stays_one_sentence(nlp):
    text = "“I finally felt heard. She listened,” said Grace, a porter. Attendance rose."
    got = [s.text for s in sentences(nlp, text)]
    assert got == ["“I finally felt heard. She listened,” said Grace, a porter.", "Attendance rose."]


def test_sentences_quote_text_exactly(nlp):
    text = "Dr. Okoro set up the clinic  in 2021 (with the  council). It worked!"
    got = [s.text for s in sentences(nlp, text)]
    assert got[-1] == "It worked!"
    assert all(s in text for s in got)


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Bookings rose from 41% to 68% after the change.", {"figure", "before_after", "outcome"}, set()),
        ("She ran 12 sessions.", {"figure", "actor_nominee"}, {"before_after", "planned"}),
        ("Band 5 nurses joined in 2023.", set(), {"figure"}),
        ("Waits are down from 19 weeks to five weeks.", {"before_after", "figure"}, set()),
        ("Our staff survey showed the change.", {"source", "actor_we"}, set()),
        ("The WRES data improved for the trust.", {"source", "outcome", "actor_organisation"}, set()),
        ("'She changed my life at work,' said Joseph, a porter.", {"quotation"}, set()),
        ("She supports disabled and LGBTQ+ colleagues.", {"group_named", "actor_nominee"}, set()),
        ("She will launch a menopause clinic next year.", {"planned", "group_named"}, set()),
        ("I think she probably helped.", {"hedge", "actor_self"}, set()),
        ("She is amazing and always there for everyone.", {"generic_praise", "habitual"}, set()),
        ("The team ran the clinic together.", {"actor_team"}, {"actor_nominee"}),
        ("She champions inclusion across the trust.", {"claim", "actor_nominee", "actor_organisation"}, set()),
    ],
)
def test_signals(nlp, text, expected, absent):
    got = signals_of(nlp, text)
    assert expected <= got, f"missing {expected - got} in {got}"
    assert not (absent & got), f"unexpected {absent & got}"


def test_nominee_name_is_the_actor(nlp):
    assert "actor_nominee" in signals_of(nlp, "Amira set up the clinic.")
    assert "actor_nominee" not in signals_of(nlp, "Amira set up the clinic.", nominee="Tom Jones")
    assert "actor_nominee" not in signals_of(nlp, "The nurse gave her a hug.")


def test_team_nomination_credits_they_and_we(nlp):
    got = signals_of(nlp, "They redesigned the letters.", nominee="Rowan Ward team", kind="team")
    assert "actor_nominee" in got
    assert "actor_nominee" not in signals_of(nlp, "They redesigned the letters.")


def test_lexicon_is_validated(tmp_path):
    from analyser.errors import ConfigError
    from analyser.nlp.lexicon import load_lexicon

    p = tmp_path / "lex.toml"
    p.write_text('[lexicon]\nversion = "1"\n[outcome]\nphrases = ["rose"]\n')
    with pytest.raises(ConfigError, match="figure.phrases") as info:
        load_lexicon(p)
    assert str(p) in str(info.value)
