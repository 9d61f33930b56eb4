"""spaCy components: sentence boundaries for nomination text, and per-sentence signals.

Each component is a small class with a factory; its data (the cue lexicon) comes from a file.
Signals are kept per sentence in `doc._.analyser_cues` ({sentence start token: {family: [cue
words]}}) and read through `span._.cues` / `span._.signals`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

import numpy as np
from spacy.attrs import IDX, IS_ALPHA, IS_LOWER, IS_PUNCT, IS_SPACE, LIKE_NUM, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from analyser.nlp import name_alternation
from analyser.nlp.lexicon import DEFAULT_LEXICON, FAMILIES, load_lexicon

# Signal names as they appear in reports, in a stable order.
SIGNALS = (
    "figure",
    "before_after",
    "outcome",
    "source",
    "quotation",
    "group_named",
    "actor_nominee",
    "actor_team",
    "actor_we",
    "actor_organisation",
    "actor_self",
    "hedge",
    "generic_praise",
    "planned",
    "habitual",
    "claim",
)
_FAMILY_SIGNAL = {
    "outcome": "outcome",
    "source": "source",
    "group": "group_named",
    "actor_team": "actor_team",
    "actor_we": "actor_we",
    "actor_organisation": "actor_organisation",
    "actor_self": "actor_self",
    "hedge": "hedge",
    "praise": "generic_praise",
    "planned": "planned",
    "habitual": "habitual",
    "claim": "claim",
}

if not Doc.has_extension("analyser_cues"):
    Doc.set_extension("analyser_cues", default=None)
if not Doc.has_extension("analyser_names"):
    # Lower-cased tokens of the nominee's name(s), set by the caller before the pipeline runs.
    Doc.set_extension("analyser_names", default=None)
if not Doc.has_extension("analyser_team"):
    Doc.set_extension("analyser_team", default=False)


def _cues_of(span: Span) -> dict[str, list[str]]:
    store = span.doc._.analyser_cues or {}
    return store.get(span.start, {})


def signals_in(cues: dict[str, list[str]]) -> list[str]:
    """The signals a sentence's cues show, in the fixed order of SIGNALS."""
    return [s for s in SIGNALS if s in cues]


def _signals_of(span: Span) -> list[str]:
    return signals_in(_cues_of(span))


if not Span.has_extension("cues"):
    Span.set_extension("cues", getter=_cues_of)
if not Span.has_extension("signals"):
    Span.set_extension("signals", getter=_signals_of)


def _store(doc: Doc) -> dict[int, dict[str, list[str]]]:
    if doc._.analyser_cues is None:
        doc._.analyser_cues = {}
    return doc._.analyser_cues


def _add(doc: Doc, sent: Span, signal: str, cue: str) -> None:
    _store(doc).setdefault(sent.start, {}).setdefault(signal, []).append(cue)


_LINE_BREAK = re.compile(r"\n[ \t\r\f\v]*")
_OPEN_Q = {"\u201c": "\u201d", '"': '"', "\u2018": "\u2019", "\u00ab": "\u00bb"}


def doc_text(doc: Doc) -> str:
    """The doc's text, from the string it was made from when the caller left it in user_data:
    spaCy rebuilds `Doc.text` from every token on each access, which costs as much as a component."""
    text = doc.user_data.get("analyser_text")
    return text if isinstance(text, str) else doc.text


class PreSegmenter:
    """Mark sentence starts that the statistical segmenter cannot see: line breaks and bullets.

    Runs before `senter`, which keeps boundaries that are already set. Tokens inside a short
    quotation on one line are marked as not starting a sentence, so that
    '"I finally felt heard," said Grace.' stays one sentence.
    """

    def __call__(self, doc: Doc) -> Doc:
        preset: set[int] = {0} if len(doc) else set()
        if not len(doc):
            doc.user_data["analyser_preset_starts"] = preset
            return doc
        doc[0].is_sent_start = True
        text = doc_text(doc)
        if "\n" in text:
            # The first non-space token after each line break starts a sentence. Token offsets
            # come from one array call: walking every token in Python costs more than senter.
            arr = doc.to_array([IDX, IS_SPACE])
            starts, spaces = arr[:, 0], arr[:, 1]
            for m in _LINE_BREAK.finditer(text):
                i = int(np.searchsorted(starts, m.end()))
                while i < len(doc) and spaces[i]:
                    i += 1
                if 0 < i < len(doc) and i not in preset:
                    doc[i].is_sent_start = True
                    preset.add(i)
        if any(q in text for q in _OPEN_Q):
            self._protect_quotes(doc, preset)
        doc.user_data["analyser_preset_starts"] = preset
        return doc

    @staticmethod
    def _protect_quotes(doc: Doc, preset: set[int]) -> None:
        i = 0
        n = len(doc)
        while i < n:
            close = _OPEN_Q.get(doc[i].text)
            if close is None or (doc[i].text == "\u2019"):
                i += 1
                continue
            j = i + 1
            while j < n and j - i <= 80 and doc[j].text != close and "\n" not in doc[j].text:
                j += 1
            if j < n and doc[j].text == close and j - i > 2:
                for k in range(i + 1, j + 1):
                    if k not in preset:
                        doc[k].is_sent_start = False
                # A reporting clause after the quote ("... ," said Grace.) belongs to it.
                if j + 1 < n and doc[j + 1].is_lower and doc[j + 1].is_alpha and j + 1 not in preset:
                    doc[j + 1].is_sent_start = False
                i = j + 1
            else:
                i += 1


class SentenceFixer:
    """Repair the statistical segmenter's usual slips on nomination text."""

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) < 2:
            return doc
        preset: set[int] = doc.user_data.get("analyser_preset_starts", set())
        arr = doc.to_array([SENT_START, IS_LOWER, IS_ALPHA, IS_PUNCT, IS_SPACE])
        starts = np.flatnonzero(arr[:, 0] == 1).tolist()
        ends = [*starts[1:], len(doc)]
        filler = (arr[:, 3] == 1) | (arr[:, 4] == 1)
        for s, e in zip(starts, ends, strict=True):
            if s == 0 or s in preset:
                continue
            # A sentence made only of punctuation, or one that starts in lower case, continues
            # the previous one ('"Thank you!" said Grace.', "e.g. the audit").
            if filler[s:e].all() or (arr[s, 1] == 1 and arr[s, 2] == 1):
                doc[s].is_sent_start = False
        return doc


class CueMarker:
    """Mark, per sentence, the cue families of the lexicon that occur in it."""

    def __init__(self, nlp: Language, lexicon_path: str):
        self.lexicon = load_lexicon(lexicon_path)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for fam in FAMILIES:
            if fam in _FAMILY_SIGNAL:
                self.matcher.add(fam, [nlp.make_doc(p) for p in self.lexicon.phrases(fam)])

    def __call__(self, doc: Doc) -> Doc:
        _store(doc)
        if not len(doc):
            return doc
        matches = self.matcher(doc)
        if not matches:
            return doc
        sent_of = _sentence_index(doc)
        strings = doc.vocab.strings
        for match_id, start, end in matches:
            sent = sent_of[start]
            fam = strings[match_id]
            _add(doc, sent, _FAMILY_SIGNAL[fam], doc[start:end].text.lower())
        return doc


class _SentenceIndex:
    """The doc's sentences with their text, made once and shared by the signal components
    (after the segmenter and the fixer have run, boundaries no longer change)."""

    def __init__(self, doc: Doc):
        starts = np.flatnonzero(doc.to_array(SENT_START) == 1).tolist() if len(doc) else []
        if starts and starts[0] != 0:
            starts.insert(0, 0)
        self.sents = [doc[s:e] for s, e in zip(starts, [*starts[1:], len(doc)], strict=True)]
        text = doc_text(doc)
        self.texts = [text[s.start_char : s.end_char] for s in self.sents]
        self.starts = [s.start for s in self.sents]

    def __getitem__(self, i: int) -> Span:
        """The sentence that token i falls in."""
        return self.sents[bisect_right(self.starts, i) - 1]

    def items(self) -> list[tuple[Span, str]]:
        return list(zip(self.sents, self.texts, strict=True))


def _sentence_index(doc: Doc) -> _SentenceIndex:
    table = doc.user_data.get("analyser_sentences")
    if table is None:
        table = doc.user_data["analyser_sentences"] = _SentenceIndex(doc)
    return table


# Years, decades ("1990s"), years in ranges ("2023/24") and clock times are dates, not results.
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)(?:s|/\d{2})?$|^'?\d0s$|^\d{1,2}(?::\d{2})?(?:am|pm)$", re.I)
_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_FROM_TO = re.compile(
    r"\bfrom\s+(?:about\s+|around\s+|just\s+)?[£$]?\d[\d,.]*\s*(?:%|per\s*cent|percent)?[^.;]{0,40}?\bto\s+(?:about\s+|around\s+|over\s+)?[£$]?\d",
    re.I,
)
_BEFORE_AFTER_STRONG = (
    "previously",
    "used to",
    "no longer",
    "compared with",
    "compared to",
    "than before",
    "baseline",
    "went from",
    "up from",
    "down from",
    "than last year",
)
_NOT_FIGURE_BEFORE = {
    "band",
    "level",
    "year",
    "q",
    "question",
    "step",
    "page",
    "phase",
    "ward",
    "bay",
    "room",
}


_BEFORE_NOT_FIGURE = _NOT_FIGURE_BEFORE | _MONTHS
_AFTER_NOT_FIGURE = _MONTHS | {"am", "pm", "a.m.", "p.m."}


class FigureMarker:
    """Figures (numbers, percentages, amounts; not years or pay bands) and before/after comparisons."""

    def __init__(self, nlp: Language, lexicon_path: str):
        lexicon = load_lexicon(lexicon_path)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("figure", [nlp.make_doc(p) for p in lexicon.phrases("figure")])
        self.matcher.add("before_after", [nlp.make_doc(p) for p in lexicon.phrases("before_after")])
        self.pct = nlp.vocab.strings.add("%")
        self.pound = nlp.vocab.strings.add("£")

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        found: dict[int, list[str]] = {}
        cues: dict[int, list[str]] = {}
        sent_of = _sentence_index(doc)
        n = len(doc)
        # Numeric tokens are found from one array of attributes; only those few are checked in Python.
        arr = doc.to_array([LIKE_NUM, ORTH])
        numeric = np.flatnonzero((arr[:, 0] == 1) | (arr[:, 1] == self.pct) | (arr[:, 1] == self.pound))
        for start in numeric.tolist():
            tok = doc[start]
            if _YEAR.match(tok.text):
                continue
            if start > 0 and doc[start - 1].lower_ in _BEFORE_NOT_FIGURE:
                continue
            if start + 1 < n and doc[start + 1].lower_ in _AFTER_NOT_FIGURE:
                continue
            if tok.lower_ in ("one", "a") and not (start + 1 < n and doc[start + 1].like_num):
                # "one of the nurses" is not a figure.
                continue
            found.setdefault(sent_of[start].start, []).append(tok.text)
        for match_id, start, _end in self.matcher(doc):
            label = doc.vocab.strings[match_id]
            span_text = doc[start:_end].text.lower()
            if label == "figure":
                found.setdefault(sent_of[start].start, []).append(span_text)
            else:
                cues.setdefault(sent_of[start].start, []).append(span_text)
        for sent, text in sent_of.items():
            figs = found.get(sent.start, [])
            if figs:
                _add(doc, sent, "figure", figs[0])
                for f in figs[1:3]:
                    _add(doc, sent, "figure", f)
            ba = cues.get(sent.start, [])
            if _FROM_TO.search(text):
                _add(doc, sent, "before_after", "from ... to ...")
            elif any(c in _BEFORE_AFTER_STRONG for c in ba):
                _add(doc, sent, "before_after", next(c for c in ba if c in _BEFORE_AFTER_STRONG))
            elif len(figs) >= 2 and ba:
                _add(doc, sent, "before_after", ba[0])
        return doc


_QUOTE = re.compile(r"[\"\u201c\u2018]([^\"\u201c\u201d\u2018\u2019]{12,}?)[\"\u201d\u2019]")
_SAID = re.compile(
    r"\b(said|says|told|tells|wrote|writes|commented|explained|shared|put it|in (?:her|his|their) words)\b",
    re.I,
)


class QuotationMarker:
    """Quoted testimony: a quotation of a few words, or reported speech of a named person."""

    def __call__(self, doc: Doc) -> Doc:
        for sent, text in _sentence_index(doc).items():
            m = _QUOTE.search(text)
            if m and len(m.group(1).split()) >= 3:
                _add(doc, sent, "quotation", m.group(0)[:40])
            elif _SAID.search(text) and any(t.is_title and not t.is_sent_start for t in sent):
                _add(doc, sent, "quotation", _SAID.search(text).group(0))  # type: ignore[union-attr]
        return doc


class ActorMarker:
    """Who acts in the sentence: the nominee (by name or she/he), a team, 'we', the organisation.

    Names come from `doc._.analyser_names` (set from the nomination's metadata); in a team
    nomination (`doc._.analyser_team`), 'they' and the team's name point to the nominee.
    """

    def __init__(self, nlp: Language, lexicon_path: str):
        lexicon = load_lexicon(lexicon_path)
        self.pronouns = tuple(lexicon.phrases("actor_nominee_pronoun"))

    @lru_cache(maxsize=1024)  # noqa: B019 - one pattern per (names, team); the component lives as long as the pipeline
    def _pattern(self, names: frozenset[str], team: bool) -> re.Pattern[str]:
        alts = [name_alternation(names)] if names else []
        words = ["they", "they've", "they're"] if team else list(self.pronouns)
        alts.append("(?i:" + "|".join(re.escape(w) for w in words) + ")")
        return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])")

    def __call__(self, doc: Doc) -> Doc:
        # One regular expression per sentence instead of a walk over its tokens.
        pattern = self._pattern(frozenset(doc._.analyser_names or ()), bool(doc._.analyser_team))
        for sent, text in _sentence_index(doc).items():
            m = pattern.search(text)
            if m:
                _add(doc, sent, "actor_nominee", m.group(0))
        return doc


@Language.factory("analyser_presegment")
def make_presegment(nlp: Language, name: str) -> PreSegmenter:
    return PreSegmenter()


@Language.factory("analyser_sentfix")
def make_sentfix(nlp: Language, name: str) -> SentenceFixer:
    return SentenceFixer()


@Language.factory("analyser_cues", default_config={"lexicon_path": str(DEFAULT_LEXICON)})
def make_cues(nlp: Language, name: str, lexicon_path: str) -> CueMarker:
    return CueMarker(nlp, lexicon_path)


@Language.factory("analyser_figures", default_config={"lexicon_path": str(DEFAULT_LEXICON)})
def make_figures(nlp: Language, name: str, lexicon_path: str) -> FigureMarker:
    return FigureMarker(nlp, lexicon_path)


@Language.factory("analyser_quotations")
def make_quotations(nlp: Language, name: str) -> QuotationMarker:
    return QuotationMarker()


@Language.factory("analyser_actor", default_config={"lexicon_path": str(DEFAULT_LEXICON)})
def make_actor(nlp: Language, name: str, lexicon_path: str) -> ActorMarker:
    return ActorMarker(nlp, lexicon_path)


def component_config(lexicon_path: str) -> dict[str, Any]:
    return {"lexicon_path": lexicon_path}
