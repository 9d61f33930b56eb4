"""Flags about how a nomination is written: placeholders, repeats, length, credit, specificity,
language. Pure functions over the nomination and its sentences; no model needed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from analyser.criteria import Framework
from analyser.nlp import SentenceInfo
from analyser.records import Flag, Nomination

_PLACEHOLDER = re.compile(
    r"^\s*(?:"
    r"n\s*/?\s*a|none|nil|nothing|no comment|not applicable|tbc|tbd|to follow|-+|\.+|x+|\?+|"
    r"(?:please\s+)?(?:see|as|refer to|per)\s+(?:my\s+)?(?:answer\s+(?:to\s+)?)?"
    r"(?:above|below|previous|before|earlier|q(?:uestion)?\s*\d+|answer\s*\d+)"
    r"(?:\s+(?:answer|question|section))?"
    r"|same as (?:above|before|q(?:uestion)?\s*\d+)"
    r")\s*[.!]*\s*$",
    re.I,
)
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f']+")

_EN_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "they",
        "them",
        "their",
        "she",
        "he",
        "her",
        "his",
        "him",
        "we",
        "our",
        "us",
        "you",
        "your",
        "i",
        "me",
        "my",
        "who",
        "which",
        "what",
        "when",
        "where",
        "how",
        "all",
        "any",
        "some",
        "more",
        "most",
        "very",
        "so",
        "than",
        "then",
        "there",
        "here",
        "also",
        "into",
        "about",
        "over",
        "after",
        "before",
        "up",
        "out",
        "just",
        "only",
        "can",
        "will",
        "would",
        "should",
        "could",
        "may",
        "might",
        "must",
        "such",
        "each",
        "other",
    ]
)
_WELSH = frozenset(
    [
        "yn",
        "y",
        "yr",
        "mae",
        "ac",
        "gyda",
        "wedi",
        "ei",
        "eu",
        "hi",
        "fe",
        "nhw",
        "ni",
        "ein",
        "ond",
        "hefyd",
        "fel",
        "ar",
        "gan",
        "oedd",
        "roedd",
        "bod",
        "iawn",
        "dros",
        "am",
    ]
)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def is_placeholder(answer: str) -> bool:
    return not answer.strip() or bool(_PLACEHOLDER.match(answer.strip()))


def language_of(text: str) -> str:
    """'en', 'cy' (Welsh) or 'unknown' — enough to refuse to score a non-English nomination."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 12:
        return "en"
    en = sum(w in _EN_STOP for w in words) / len(words)
    cy = sum(w in _WELSH for w in words) / len(words)
    if en >= 0.18 or en > cy * 1.5:
        return "en"
    return "cy" if cy >= 0.12 else "unknown"


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def repeated_pairs(answers: dict[str, str], min_words: int = 12) -> list[tuple[str, str, float]]:
    """Pairs of answers that share much of their text (copied between questions)."""
    out = []
    qids = [q for q, a in answers.items() if word_count(a) >= min_words and not is_placeholder(a)]
    sh = {q: _shingles(answers[q]) for q in qids}
    for i, a in enumerate(qids):
        for b in qids[i + 1 :]:
            if not sh[a] or not sh[b]:
                continue
            overlap = len(sh[a] & sh[b]) / min(len(sh[a]), len(sh[b]))
            if overlap >= 0.5:
                out.append((a, b, overlap))
    return out


def nomination_flags(
    nomination: Nomination,
    framework: Framework,
    sentences: Sequence[SentenceInfo],
    word_limits: dict[str, int | None],
    team: bool,
    evidence_sentences: Sequence[SentenceInfo],
) -> list[Flag]:
    flags: list[Flag] = list(nomination.reader_flags)
    answers = nomination.answers
    for qid in framework.question_ids:
        ans = answers.get(qid, "")
        if not ans.strip():
            flags.append(Flag("empty_answer", f"{qid} has no answer.", qid))
        elif is_placeholder(ans):
            flags.append(
                Flag(
                    "placeholder_answer",
                    f"{qid} is a placeholder ({ans.strip()[:40]!r}) and adds no evidence of its own.",
                    qid,
                )
            )
    for a, b, overlap in repeated_pairs(answers):
        flags.append(
            Flag(
                "repeated_answer",
                f"{b} repeats much of the text of {a} ({overlap:.0%} of its phrases); repeated text is counted once.",
                b,
            )
        )
    for qid in framework.question_ids:
        limit = word_limits.get(qid)
        n = word_count(answers.get(qid, ""))
        if limit and n > limit:
            flags.append(Flag("over_word_limit", f"{qid} has {n} words, {n - limit} over the limit of {limit}.", qid))
    if not team and evidence_sentences:
        own = [s for s in evidence_sentences if "actor_nominee" in s.signals]
        others = [
            s
            for s in evidence_sentences
            if {"actor_we", "actor_team", "actor_organisation"} & set(s.signals) and "actor_nominee" not in s.signals
        ]
        if len(others) >= 2 and len(own) == 0:
            flags.append(
                Flag(
                    "team_credit",
                    "The evidence credits a team, 'we' or the organisation, but never says what the nominee did.",
                )
            )
    substantive = [s for s in sentences if s.n_words >= 4]
    if len(substantive) >= 6:
        specific = [s for s in substantive if {"figure", "before_after", "source", "quotation"} & set(s.signals)]
        praise = [s for s in substantive if "generic_praise" in s.signals]
        if len(specific) / len(substantive) < 0.08:
            flags.append(
                Flag(
                    "low_specificity",
                    "Very few sentences give a figure, a result, a source or someone's own words.",
                )
            )
        elif len(praise) / len(substantive) > 0.5:
            flags.append(Flag("mostly_praise", "Most sentences are general praise rather than examples."))
    return flags
