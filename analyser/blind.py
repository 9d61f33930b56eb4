"""Blind review: mask what identifies people and organisations in everything a judge sees.

Names given in the input's metadata are always masked (nominee -> [NOMINEE], nominator ->
[NOMINATOR]); spaCy's NER finds other people, organisations and places; patterns find e-mail
addresses and phone numbers; gendered pronouns and titles become neutral ones. A per-nomination
`Masker` learns each surface form once and replaces it the same way everywhere ("[PERSON 2]" is
the same person in every sentence). Analysis runs on the original text; only what is shown is
masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyser.records import Nomination, Report

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\w)")
_TITLE = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mister|Missus)\b\.?", re.I)
_PRONOUNS = {
    "she": "they",
    "he": "they",
    "him": "them",
    "his": "their",
    "hers": "theirs",
    "herself": "themselves",
    "himself": "themselves",
}
_PRONOUN_RE = re.compile(r"\b(she|he|him|his|hers|herself|himself|her)\b", re.I)
# Names that are also everyday words: matched only with a capital letter.
_COMMON_WORDS = frozenset(
    [
        "hope",
        "joy",
        "rose",
        "faith",
        "summer",
        "frank",
        "victor",
        "jack",
        "will",
        "mark",
        "bill",
        "green",
        "bishop",
        "walker",
        "grace",
        "may",
        "june",
        "april",
        "dawn",
        "sunny",
        "rich",
        "young",
        "white",
        "black",
        "brown",
        "long",
        "little",
        "king",
        "major",
        "price",
        "hill",
        "wood",
        "page",
        "hall",
    ]
)
# National bodies and schemes that do not identify anyone.
_KEEP = frozenset(
    {
        "nhs",
        "nhs england",
        "nhs improvement",
        "nhs employers",
        "wres",
        "wdes",
        "cqc",
        "hee",
        "health education england",
        "freedom to speak up",
        "ftsu",
        "equality act",
        "bsl",
        "british sign language",
        "icb",
        "pcn",
        "gp",
        "a&e",
        "ed",
        "icu",
        "itu",
        "unison",
        "rcn",
        "bma",
        "gmc",
        "nmc",
        "mental health act",
        "datix",
        "nice",
        "royal college of nursing",
        "the board",
        "the trust",
    }
)
_ORG_HINT = re.compile(
    r"\b(?:[A-Z][\w'&-]*\s+){1,5}(?:(?:[Cc]ommunity|[Hh]ealth|[Mm]edical|[Ll]eisure|[Dd]ay)\s+)?"
    r"(?:NHS(?:\s+Foundation)?\s+Trust|[Hh]ospital|Trust|[Cc]entre|[Cc]enter|[Pp]ractice|[Ss]urgery|[Nn]etwork|"
    r"[Cc]linic|[Hh]ospice|Foundation|Partnership|ICB|PCN|[Cc]ouncil|[Ss]chool|[Cc]ollege|University|[Cc]hurch|"
    r"[Mm]osque|[Tt]emple|[Gg]urdwara|[Ss]ynagogue|[Pp]roject|[Ll]ink|[Gg]roup|[Aa]ssociation|[Ss]ociety|[Cc]lub)\b"
)
_WARD_NUM = re.compile(r"\b[Ww]ard\s+\d+[A-Z]?\b")


@dataclass
class Masker:
    """Consistent replacements for one nomination."""

    forms: dict[str, str] = field(default_factory=dict)  # surface form -> placeholder
    case_insensitive: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    def _placeholder(self, kind: str) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return f"[{kind} {self.counters[kind]}]"

    def add(self, form: str, kind: str | None = None, placeholder: str | None = None, nocase: bool = False) -> str:
        form = form.strip(" .,;:'\"()")
        if len(form) < 2 or form.lower() in _KEEP:
            return ""
        if form in self.forms:
            return self.forms[form]
        ph = placeholder or self._placeholder(kind or "PERSON")
        self.forms[form] = ph
        if nocase and form.lower() not in _COMMON_WORDS:
            self.case_insensitive.add(form.lower())
        self._pattern = None
        return ph

    def add_person(self, full: str, placeholder: str | None = None, nocase: bool = False) -> None:
        """A person's full name and each part of it map to one placeholder."""
        full = re.sub(r"^(?:Dr|Prof|Professor|Mr|Mrs|Ms|Miss|Mx|Sister|Nurse|Revd|Rev)\.?\s+", "", full.strip())
        if not full or full.lower() in _KEEP:
            return
        ph = self.forms.get(full) or self.add(full, "PERSON", placeholder, nocase)
        if not ph:
            return
        for part in re.findall(r"[A-Za-z][A-Za-z'\-]+", full):
            if len(part) > 1 and part.lower() not in ("the", "and", "of", "team"):
                self.forms.setdefault(part, ph)
                if nocase and part.lower() not in _COMMON_WORDS:
                    self.case_insensitive.add(part.lower())
        self._pattern = None

    def _compiled(self) -> re.Pattern[str]:
        if self._pattern is None:
            forms = sorted(self.forms, key=len, reverse=True)
            alts = "|".join(re.escape(f) for f in forms) or r"(?!x)x"
            self._pattern = re.compile(rf"(?<![\w\[])(?:{alts})(?![\w\]])", re.I)
        return self._pattern

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, replacement) for everything to mask in `text`."""
        found: list[tuple[int, int, str]] = []
        taken = bytearray(len(text))

        def claim(a: int, b: int, repl: str) -> None:
            if any(taken[a:b]):
                return
            taken[a:b] = b"\x01" * (b - a)
            found.append((a, b, repl))

        for m in _EMAIL.finditer(text):
            claim(m.start(), m.end(), "[EMAIL]")
        for m in _PHONE.finditer(text):
            claim(m.start(), m.end(), "[PHONE]")
        for m in self._compiled().finditer(text):
            s = m.group(0)
            ph = self.forms.get(s)
            if ph is None and s.lower() in self.case_insensitive:
                ph = next((v for f, v in self.forms.items() if f.lower() == s.lower()), None)
            if ph is not None:
                claim(m.start(), m.end(), ph)
        for m in _TITLE.finditer(text):
            claim(m.start(), m.end(), "Mx")
        for m in _PRONOUN_RE.finditer(text):
            claim(m.start(), m.end(), _neutral_pronoun(m))
        return sorted(found)

    def mask(self, text: str) -> str:
        out = []
        last = 0
        for a, b, repl in self.spans(text):
            out.append(text[last:a])
            out.append(repl)
            last = b
        out.append(text[last:])
        return "".join(out)


def _neutral_pronoun(m: re.Match[str]) -> str:
    word = m.group(0)
    low = word.lower()
    if low == "her":
        # "her" is "their" before a noun and "them" otherwise; the next word decides.
        after = m.string[m.end() : m.end() + 20]
        nxt = re.match(r"\s+([A-Za-z]+)", after)
        repl = "them" if not nxt or nxt.group(1).lower() in _AFTER_OBJECT else "their"
    else:
        repl = _PRONOUNS[low]
    return repl.capitalize() if word[0].isupper() else repl


_AFTER_OBJECT = frozenset(
    [
        "to",
        "and",
        "or",
        "but",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "onto",
        "with",
        "about",
        "after",
        "before",
        "because",
        "that",
        "than",
        "when",
        "while",
        "who",
        "if",
        "so",
        "up",
        "down",
        "out",
        "off",
        "over",
        "through",
        "again",
        "too",
        "also",
        "herself",
        "now",
        "then",
        "there",
        "here",
        "was",
        "is",
        "were",
        "are",
        "has",
        "had",
        "have",
        "will",
        "would",
        "can",
        "could",
        "should",
    ]
)


DATA = Path(__file__).parent / "blind_data"


@lru_cache(maxsize=1)
def gazetteers() -> tuple[frozenset[str], tuple[str, ...]]:
    """Given names and UK place names, lower-cased; data files, edited without touching code."""

    def lines(name: str) -> list[str]:
        return [x.strip() for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]

    names = frozenset(x.lower() for x in lines("first_names.txt"))
    places = tuple(sorted(set(lines("uk_places.txt")), key=len, reverse=True))
    return names - _COMMON_WORDS, places


_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'\-]*")


def _mostly_lower(text: str) -> bool:
    """True for text typed without capitals (informal notes, texting style)."""
    starts = re.findall(r"(?:^|[.!?]\s+)([A-Za-z])", text)
    return bool(starts) and sum(c.islower() for c in starts) / len(starts) > 0.5


def _gazetteer_hits(text: str, masker: Masker) -> None:
    names, places = gazetteers()
    lower = _mostly_lower(text)
    tokens = list(_TOKEN.finditer(text))
    for k, m in enumerate(tokens):
        word = m.group(0)
        if word.lower() not in names or not (word[0].isupper() or lower):
            continue
        # A given name, and a capitalised surname straight after it ("Tomasz Lis").
        full = word
        if k + 1 < len(tokens):
            nxt = tokens[k + 1]
            between = text[m.end() : nxt.start()]
            if between == " " and nxt.group(0)[0].isupper() and nxt.group(0).lower() not in _COMMON_WORDS:
                full = f"{word} {nxt.group(0)}"
        masker.add_person(full, nocase=lower)
    low_text = text.lower()
    for place in places:
        i = low_text.find(place.lower())
        if i < 0:
            continue
        for hit in re.finditer(rf"(?<![\w]){re.escape(place)}(?![\w])", text, 0 if not lower else re.I):
            masker.add(hit.group(0), "PLACE", nocase=lower)


def build_masker(nomination: Nomination, ner: Any | None) -> Masker:
    """Learn the identifiers of one nomination: metadata names first, then NER and patterns."""
    m = Masker()
    meta = nomination.metadata
    if meta.get("nominee"):
        if meta.get("nominee_type", "").lower() == "team":
            m.add(meta["nominee"], placeholder="[NOMINEE]", nocase=True)
        else:
            m.add_person(meta["nominee"], "[NOMINEE]", nocase=True)
    if meta.get("nominator"):
        m.add_person(meta["nominator"], "[NOMINATOR]", nocase=True)
    if meta.get("organisation"):
        m.add(meta["organisation"], "ORGANISATION", nocase=True)
    for answer in nomination.answers.values():
        _gazetteer_hits(answer, m)
        for hit in _WARD_NUM.findall(answer):
            m.add(hit, "ORGANISATION")
        for hit in _ORG_HINT.finditer(answer):
            span = hit.group(0)
            if span.split()[0][0].isupper() and len(span.split()) > 1:
                m.add(span, "ORGANISATION")
    if ner is not None:
        texts = [a for a in nomination.answers.values() if a.strip()]
        whole = "\n".join(texts)
        for doc in ner.pipe(texts):
            for ent in doc.ents:
                if len(ent) == 1 and not _seen_mid_sentence(ent.text, whole):
                    # A lone capitalised word seen only at the start of sentences is more often an
                    # ordinary word ("Attendance rose ...") than a name.
                    continue
                if ent.label_ == "PERSON":
                    m.add_person(ent.text)
                elif ent.label_ in ("ORG", "FAC"):
                    m.add(ent.text, "ORGANISATION")
                elif ent.label_ in ("GPE", "LOC"):
                    m.add(ent.text, "PLACE")
    return m


def _seen_mid_sentence(form: str, text: str) -> bool:
    return re.search(rf"[\w,;:)]\s+{re.escape(form)}\b", text) is not None


def load_ner(model: str | None = None) -> Any:
    import spacy

    from analyser.nlp import resolve_spacy_model

    return spacy.load(resolve_spacy_model(model), exclude=["lemmatizer", "senter"])


def mask_report(report: Report, masker: Masker) -> Report:
    """A copy of the report with every quoted or named thing masked."""
    crits = {
        cid: replace(c, evidence=[replace(e, sentence=masker.mask(e.sentence)) for e in c.evidence])
        for cid, c in report.criteria.items()
    }
    return replace(
        report,
        nominee="[NOMINEE]" if report.nominee else "",
        criteria=crits,
        misplaced=[replace(x, sentence=masker.mask(x.sentence)) for x in report.misplaced],
        flags=[replace(f, message=masker.mask(f.message)) for f in report.flags],
        gaps=[replace(g, message=masker.mask(g.message)) for g in report.gaps],
        summary=masker.mask(report.summary),
        id=masker.mask(report.id),
        source="",
        blind=True,
    )


def masking_scores(records: list[dict[str, Any]], ner: Any) -> dict[str, Any]:
    """Recall of marked identifiers and survival of other words, on records of the form of
    corpora/blind/identifiers.jsonl (identifier occurrences counted as str.find counts them)."""
    from collections import Counter

    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    kept_words = all_words = 0
    missed: list[str] = []
    for rec in records:
        meta = {k: str(rec[k]) for k in ("nominee", "nominator", "organisation", "nominee_type") if rec.get(k)}
        nom = Nomination(rec["id"], rec["answers"], meta)
        masker = build_masker(nom, ner)
        for q, text in rec["answers"].items():
            spans = masker.spans(text)
            covered = bytearray(len(text))
            for a, b, _ in spans:
                covered[a:b] = b"\x01" * (b - a)
            gold = bytearray(len(text))
            for item in (i for i in rec["identifiers"] if i["question"] == q):
                pos = -1
                for _ in range(int(item.get("occurrence", 1))):
                    pos = text.find(item["text"], pos + 1)
                if pos < 0:
                    continue
                end = pos + len(item["text"])
                gold[pos:end] = b"\x01" * (end - pos)
                total[item["type"]] += 1
                if all(covered[pos:end]):
                    found[item["type"]] += 1
                else:
                    missed.append(f"{rec['id']} {q} {item['type']} {item['text']!r}")
            for m in re.finditer(r"\w+", text):
                if any(gold[m.start() : m.end()]):
                    continue
                all_words += 1
                if not any(covered[m.start() : m.end()]):
                    kept_words += 1
    n_found, n_total = sum(found.values()), sum(total.values())
    return {
        "recall": n_found / n_total if n_total else float("nan"),
        "recall_by_type": {t: found[t] / total[t] for t in sorted(total)},
        "identifiers": n_total,
        "survival": kept_words / all_words if all_words else float("nan"),
        "missed": missed,
    }
