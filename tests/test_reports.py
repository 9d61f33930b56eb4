"""Documents for judges and nominators, rendered for real nominations on the real model."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from analyser.feedback import build_feedback
from analyser.records import Nomination
from analyser.report.feedback import render_feedback_html, render_feedback_markdown, render_feedback_terminal
from analyser.report.html import render_html
from analyser.report.markdown import render_markdown

STRONG = {
    "Q1": (
        "Every Friday for six months Kemi met Somali mothers at the Hope Street community centre with an "
        "interpreter to redesign the antenatal booking process with them. Bookings before 12 weeks among "
        "Somali women rose from 38% to 71%."
    ),
    "Q2": (
        "Kemi set up a reverse mentoring scheme in which 12 executives were mentored by nurses from minority "
        "ethnic backgrounds; the chief nurse said it changed how she chairs the workforce committee."
    ),
    "Q3": (
        "In the staff survey the share of her team who feel safe to raise concerns rose from 54% to 88%. "
        "She asks the most junior person to speak first at every huddle."
    ),
    "Q4": (
        "Kemi presented the WRES findings to the trust board, which then funded a full-time race equality lead "
        "and adopted her action plan."
    ),
}
WEAK = {
    "Q1": "Kemi is amazing and always there for everyone.",
    "Q2": "She is passionate about equality and diversity.",
    "Q3": "See above",
    "Q4": "She is a real credit to the profession and lives our values every day.",
}
MIXED = {
    "Q1": STRONG["Q1"],
    "Q2": "She always challenges bias.",
    "Q3": "N/A",
    "Q4": "She is planning to present her work to the board next year.",
}
HOSTILE = {
    "Q1": '<script>alert("x")</script> Kemi ran **bold** [training](http://evil.example) for 40 porters & cleaners on racism.',
    "Q2": "=cmd|' /C calc'!A0 She taught the team about Ramadan. \x07\ud800",
    "Q3": "<img src=x onerror=alert(1)> Staff said they can speak up.",
    "Q4": "| table | break | and a `code` block",
}


def nom(answers, nid="n1", **meta):
    return Nomination(nid, dict(answers), {"nominee": "Kemi Adeyemi", "nominator": "Joe Bloggs", **meta})


@pytest.fixture(scope="module")
def reports(analyser):
    noms = [nom(STRONG, "strong"), nom(WEAK, "weak"), nom(MIXED, "mixed"), nom(HOSTILE, "hostile")]
    return dict(zip(["strong", "weak", "mixed", "hostile"], analyser.analyse_many(noms), strict=True))


class _Checker(HTMLParser):
    """Collects what an accessibility reviewer checks first, and fails on malformed nesting."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "rect", "col"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.errors: list[str] = []
        self.attrs: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()


def check_html(html: str) -> _Checker:
    c = _Checker()
    c.feed(html)
    c.close()
    assert not c.errors, c.errors[:3]
    assert not c.stack, f"unclosed {c.stack}"
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    # Headings never skip a level.
    for a, b in zip(c.headings, c.headings[1:], strict=False):
        assert b <= a + 1, f"heading jumps from h{a} to h{b}"
    assert c.headings[0] == 1
    # Self-contained: nothing fetched from anywhere.
    for tag, attrs in c.attrs:
        for key in ("src", "href"):
            v = attrs.get(key, "")
            assert not re.match(r"(https?:)?//", v), f"{tag} {key}={v}"
        assert tag not in ("script", "link", "iframe", "object")
    assert "Content-Security-Policy" in html
    return c


def test_judge_summary_html_strong(reports):
    r = reports["strong"]
    html = render_html(r)
    c = check_html(html)
    assert "not a score" in html
    # Table semantics: captions and header cells.
    assert "caption" in c.tags and "th" in c.tags
    assert 'scope="col"' in html and 'scope="row"' in html
    # Levels are given in words (not by colour alone).
    for crit in r.criteria.values():
        assert f"{crit.level}</span>" in html
    assert "Somali mothers" in html
    assert r.criteria["Q1.a"].strength == 3


def test_weak_nomination_levels_and_flags(reports):
    r = reports["weak"]
    assert all(c.strength <= 1 for c in r.criteria.values())
    codes = {f.code for f in r.flags}
    assert "placeholder_answer" in codes
    md = render_markdown(r)
    assert "Placeholder answer" in render_html(r) and "Placeholder answer" in md
    check_html(render_html(r))


def test_mixed_nomination(reports):
    r = reports["mixed"]
    assert r.criteria["Q1.a"].strength == 3
    assert r.criteria["Q2.b"].strength <= 1
    assert r.criteria["Q4.b"].strength <= 2  # a plan


def test_hostile_text_is_escaped_everywhere(reports):
    from dataclasses import replace

    from analyser.records import Evidence, Flag, Misplaced

    hostile = [HOSTILE[q] for q in ("Q1", "Q2", "Q3", "Q4")]
    r = reports["hostile"]
    # Whatever the model cites, every hostile string is put where reports quote text.
    crit = dict(r.criteria)
    crit["Q1.a"] = replace(crit["Q1.a"], strength=2, evidence=[Evidence(h, "Q1", 0.9, 2, ["figure"]) for h in hostile])
    crit["Q2.b"] = replace(crit["Q2.b"], strength=1, evidence=[Evidence(hostile[1], "Q2", 0.7, 1, [])])
    r = replace(
        r,
        criteria=crit,
        nominee='<b onmouseover="x">Kemi</b>',
        misplaced=[Misplaced(hostile[2], "Q3", "Q1.a", 0.8)],
        flags=[*r.flags, Flag("placeholder_answer", hostile[0], "Q1")],
    )
    html = render_html(r)
    check_html(html)
    for raw in ("<script>", "<img", "<b onmouseover", "\x07", "\ud800"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    md = render_markdown(r)
    for raw in ("<script>", "<img", "<b ", "**bold**", "[training](http://evil.example)", "| table | break |"):
        assert raw not in md, raw
    assert "&lt;script&gt;" in md and "\\*\\*bold\\*\\*" in md
    fb = build_feedback(r, _fw())
    for text in (render_feedback_markdown(fb), render_feedback_html(fb)):
        assert "<script>" not in text and "<img " not in text and "<b " not in text


def _fw():
    from analyser.criteria import load_framework

    return load_framework("inclusive-leader")


def _flesch_kincaid_grade(text: str) -> float:
    words = re.findall(r"[A-Za-z']+", text)
    sentences = max(1, len(re.findall(r"[.!?]+", text)))

    def syllables(w: str) -> int:
        w = w.lower()
        groups = re.findall(r"[aeiouy]+", w)
        n = len(groups) - (1 if w.endswith("e") and len(groups) > 1 else 0)
        return max(1, n)

    syl = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59


def test_feedback_is_concrete_kind_and_plain(reports):
    fw = _fw()
    fb = build_feedback(reports["mixed"], fw)
    items = {i.criterion: i for i in fb.items}
    # Level 1: quotes the nominator's own claim and asks for one real example.
    q2b = items["Q2.b"]
    assert q2b.strength == 1 and q2b.quote == "She always challenges bias."
    assert "Kemi" in q2b.prompt and q2b.prompt.endswith("?")
    # A plan: says so, and asks what came of it.
    assert "plan" in items["Q4.b"].advice.lower()
    # Level 0: what judges look for, and a question.
    assert items["Q3.b"].strength == 0 and items["Q3.b"].prompt.endswith("?")
    # Placeholder answer noted.
    assert any(n.code == "placeholder_answer" and n.question == "Q3" for n in fb.notes)
    # Never comments on grammar, spelling or style; never rewrites the text.
    all_text = json.dumps(fb.to_dict()).lower()
    for word in ("grammar", "spelling", "typo", "punctuation", "rewrite", "we rewrote"):
        assert word not in all_text
    # Plain English: our own words (not the quotes) read at about age 12 (US grade <= 8).
    own = " ".join(i.advice + " " + i.prompt for i in fb.items) + " " + " ".join(n.message for n in fb.notes)
    assert _flesch_kincaid_grade(own) <= 8.5


def test_feedback_for_strong_nomination_has_no_invented_evidence(reports):
    fb = build_feedback(reports["strong"], _fw())
    source = " ".join(STRONG.values())
    for it in fb.items:
        if it.quote:
            assert it.quote in source
    assert any(i.strength == 3 and "well evidenced" in i.advice for i in fb.items)
    term = render_feedback_terminal(fb, color=False)
    assert "Feedback on your nomination" in term and "Q1.a" in term


def test_feedback_word_limit_and_move(analyser):
    long_q2 = " ".join(["She supported the team."] * 130)
    moved = {
        "Q1": (
            "She presented our WRES data to the trust board and persuaded every executive director to sponsor a "
            "staff network, which they have done since 2023."
        ),
        "Q2": long_q2,
    }
    rep = analyser.analyse(nom(moved))
    fb = build_feedback(rep, _fw())
    over = [n for n in fb.notes if n.code == "over_word_limit"]
    assert over and "limit is 500" in over[0].message and "cut about 20 words" in over[0].message
    assert any(m.move_to == "Q4" and m.written_under == "Q1" for m in fb.moves)


def test_blind_review_masks_names_consistently(analyser):
    answers = {
        "Q1": "Kemi Adeyemi worked with Dr Tariq Hameed at St Luke's Hospital in Leeds. She phoned 07700 900123.",
        "Q2": "Kemi taught Tariq's team; email kemi.adeyemi@nhs.example for details. He thanked her.",
        "Q3": "Joe Bloggs, her manager, says she listens.",
        "Q4": "",
    }
    plain = analyser.analyse(nom(answers))
    blind = analyser.mask(nom(answers), plain)
    text = json.dumps(blind.to_dict())
    for secret in ("Kemi", "Adeyemi", "Tariq", "Hameed", "St Luke", "Leeds", "07700", "nhs.example", "Bloggs"):
        assert secret not in text, secret
    assert blind.nominee == "[NOMINEE]" and blind.blind
    sentences = [e.sentence for c in blind.criteria.values() for e in c.evidence]
    joined = " ".join(sentences)
    if "Hameed" in json.dumps(plain.to_dict()):
        assert "[PERSON 1]" in joined or "[PERSON" in joined
    # Pronouns are neutral.
    assert not re.search(r"\b(she|he|her|him|his)\b", joined, re.I)
    html = render_html(blind)
    check_html(html)
    assert "Kemi" not in html


def test_blind_masking_recall_on_marked_set():
    """Recall of marked identifiers on corpora/blind (target 0.95) and survival of other words."""
    from analyser.blind import load_ner, masking_scores
    from tests.conftest import ROOT

    recs = [json.loads(line) for line in (ROOT / "corpora/blind/identifiers.jsonl").read_text().splitlines()]
    res = masking_scores(recs, load_ner())
    assert res["identifiers"] > 900
    assert res["recall"] >= 0.95, res["missed"][:20]
    assert res["survival"] >= 0.9
