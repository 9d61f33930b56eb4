"""Plain text and Markdown nominations: answers under headings.

Recognised headings (a line of its own, optionally with Markdown #, bold or a trailing colon):
"Q1", "Q1: ...", "Question 1", "Answer to question 1", "1." / "1)" when followed by nothing or by the
question's own words, and a line that starts with the question's opening words. Lines such as
"Nominee: Amira Hassan" before the first heading become metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyser.criteria import Framework
from analyser.errors import InputError
from analyser.readers.base import (
    ReadOptions,
    check_file_size,
    clean_text,
    decode_bytes,
    make_nomination,
    metadata_key,
)
from analyser.records import Flag, Nomination

_DECOR = re.compile(r"^[\s#>*_]*|[\s*_:]*$")
_QHEAD = re.compile(r"^(?:answer\s+(?:to\s+)?)?(?:q|question)\s*\.?\s*(\d{1,2})\b\s*[:.)\-–—]?\s*(.*)$", re.I)
_NUMHEAD = re.compile(r"^(\d{1,2})\s*[.)]\s*(.*)$")
_META = re.compile(r"^([A-Za-z][A-Za-z ()_]{1,30}):\s*(.+)$")
_WORD = re.compile(r"[a-z']+")


@dataclass
class Heading:
    line: int
    qid: str
    rest: str  # text on the heading line after the heading itself


def _strip_decor(line: str) -> str:
    return _DECOR.sub("", line).strip()


def _words(s: str) -> list[str]:
    return _WORD.findall(s.lower())


def _looks_like_question(rest: str, framework: Framework, qid: str) -> bool:
    """True when text after a bare number is the question itself, not an answer's list item."""
    if not rest:
        return True
    q = framework.question(qid)
    qwords = set(_words(q.text) + _words(q.title))
    words = [w for w in _words(rest) if len(w) > 3][:8]
    if not words:
        return rest.endswith("?")
    return sum(w in qwords for w in words) / len(words) >= 0.6


def _opening_match(line: str, framework: Framework) -> str | None:
    low = " ".join(_words(line))
    for q in framework.questions:
        for opening in (q.text, *q.opening_words):
            key = " ".join(_words(opening)[:6])
            if key and low.startswith(key):
                return q.id
    return None


def find_headings(lines: list[str], framework: Framework) -> list[Heading]:
    qids = set(framework.question_ids)
    strong: list[Heading] = []
    numeric: list[Heading] = []
    for i, raw in enumerate(lines):
        line = _strip_decor(raw)
        if not line or len(line) > 400:
            continue
        m = _QHEAD.match(line)
        if m and f"Q{int(m.group(1))}" in qids:
            strong.append(Heading(i, f"Q{int(m.group(1))}", _rest_after_question(m.group(2), framework)))
            continue
        qid = _opening_match(line, framework)
        if qid:
            strong.append(Heading(i, qid, _rest_after_question(line, framework)))
            continue
        m = _NUMHEAD.match(line)
        if m and f"Q{int(m.group(1))}" in qids:
            qid = f"Q{int(m.group(1))}"
            if _looks_like_question(m.group(2), framework, qid):
                numeric.append(Heading(i, qid, ""))
    headings = strong or numeric
    # Keep the first heading of each question, in order of appearance; a repeated "Q2" later is
    # usually a quotation of the form inside an answer, not a new answer.
    out: list[Heading] = []
    seen: set[str] = set()
    for h in headings:
        if h.qid not in seen:
            out.append(h)
            seen.add(h.qid)
    return out


def _rest_after_question(rest: str, framework: Framework) -> str:
    """Text on a heading line after the question's own words, e.g. 'Q1: She set up ...'."""
    rest = rest.strip()
    if not rest:
        return ""
    # The heading line quotes the question: the answer starts on the next line.
    if rest.endswith("?") or _opening_match(rest, framework):
        return ""
    q_words = {w for q in framework.questions for w in _words(q.title)}
    rest_words = _words(rest)
    if rest_words and all(w in q_words for w in rest_words):
        return ""
    return rest


def split_answers(text: str, framework: Framework) -> tuple[dict[str, str], dict[str, str], bool]:
    """Split a document into (answers, metadata, structured)."""
    lines = text.split("\n")
    headings = find_headings(lines, framework)
    metadata: dict[str, str] = {}
    preamble_end = headings[0].line if headings else len(lines)
    body_start = 0
    for i in range(preamble_end):
        m = _META.match(_strip_decor(lines[i]))
        if not m:
            continue
        name, value = m.group(1).strip().lower(), m.group(2).strip()
        key = "id" if name in ("id", "reference", "ref", "nomination id") else metadata_key(name)
        if key:
            metadata[key] = value
            body_start = i + 1
    if not headings:
        body = "\n".join(lines[body_start:]).strip()
        return ({framework.question_ids[0]: body} if body else {}), metadata, False
    answers: dict[str, str] = {}
    for k, h in enumerate(headings):
        end = headings[k + 1].line if k + 1 < len(headings) else len(lines)
        parts = ([h.rest] if h.rest else []) + _drop_form_text(lines[h.line + 1 : end], framework, h.qid)
        answers[h.qid] = "\n".join(parts).strip()
    return answers, metadata, True


def _drop_form_text(lines: list[str], framework: Framework, qid: str) -> list[str]:
    """Leading lines that repeat the form itself (the question, its suggested examples, "For
    example:") are the form, not the answer: a pasted or Word form often carries them."""
    q = framework.question(qid)
    form = [set(_words(t)) for t in (q.text, *q.examples)]
    out = list(lines)
    while out:
        first = _strip_decor(out[0])
        words = set(_words(first))
        if not first or first.lower().rstrip(":") in (
            "for example",
            "examples",
            "e.g.",
            "this may be demonstrated through",
        ):
            out.pop(0)
            continue
        if words and any(len(words & f) / len(words) >= 0.85 for f in form if f) and len(words) >= 4:
            out.pop(0)
            continue
        break
    return out


def read_text_nomination(path: Path, options: ReadOptions) -> Nomination:
    check_file_size(path, options.limits)
    text = clean_text(decode_bytes(path.read_bytes(), path, options.encoding))
    if not text:
        raise InputError("file is empty", path=path)
    return nomination_from_text(text, path.stem, str(path), options)


def nomination_from_text(text: str, default_id: str, source: str, options: ReadOptions) -> Nomination:
    answers, metadata, structured = split_answers(text, options.framework)
    if not any(a.strip() for a in answers.values()):
        raise InputError("no answer text found", path=source)
    nid = metadata.pop("id", "") or default_id
    nom = make_nomination(nid, answers, metadata, source, options)
    if not structured:
        nom.reader_flags.append(
            Flag(
                code="no_headings",
                message=(
                    "No question headings were found (Q1, 'Question 1', '1.' or the question's "
                    "words), so the whole text was read as one answer; evidence is still rated, "
                    "but misplaced evidence cannot be checked."
                ),
            )
        )
    return nom
