"""Sentence features for the learned heads: meaning (the embedding) plus signals in context.

Signals of the neighbouring sentences of the same answer are included, because an example often
spans two sentences: the nominee's action, then its result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analyser.nlp import SentenceInfo
from analyser.nlp.components import SIGNALS

# Signals the models read. Left out, because they follow how a nomination is written rather than
# what it shows: "claim" (EDI vocabulary, which jargon adds and plain words avoid) and sentence
# length (plain writing splits sentences, formal writing joins them). See the fairness evaluation.
MODEL_SIGNALS = tuple(s for s in SIGNALS if s != "claim")
_IDX = {s: i for i, s in enumerate(MODEL_SIGNALS)}
# Signals derived from the basic ones and the nomination's kind (individual or team).
DERIVED = (
    "credited",  # the nominee (or, in a team nomination, the team or "we") acts
    "uncredited_result",  # a result credited to someone else than the nominee
    "specific",  # a figure, a before/after, a source or a quotation
    "prev_credited",
    "next_result",
    "team_nomination",
)
N_SIGNAL_FEATURES = len(MODEL_SIGNALS) * 3 + len(DERIVED)


def signal_vector(signals: Sequence[str]) -> np.ndarray:
    v = np.zeros(len(MODEL_SIGNALS), dtype=np.float32)
    for s in signals:
        i = _IDX.get(s)
        if i is not None:
            v[i] = 1.0
    return v


def _credited(sig: set[str], team: bool) -> bool:
    return "actor_nominee" in sig or (team and ("actor_team" in sig or "actor_we" in sig))


def _result(sig: set[str]) -> bool:
    return bool(sig & {"figure", "before_after", "outcome", "source", "quotation"})


def signal_features(sentences: Sequence[SentenceInfo], team: bool) -> np.ndarray:
    """(n, N_SIGNAL_FEATURES) array: own signals, previous and next sentence's, derived ones."""
    n = len(sentences)
    out = np.zeros((n, N_SIGNAL_FEATURES), dtype=np.float32)
    sets = [set(s.signals) for s in sentences]
    k = len(MODEL_SIGNALS)
    for i, s in enumerate(sentences):
        same_prev = i > 0 and sentences[i - 1].question == s.question
        same_next = i + 1 < n and sentences[i + 1].question == s.question
        out[i, :k] = signal_vector(s.signals)
        if same_prev:
            out[i, k : 2 * k] = signal_vector(sentences[i - 1].signals)
        if same_next:
            out[i, 2 * k : 3 * k] = signal_vector(sentences[i + 1].signals)
        sig = sets[i]
        credited = _credited(sig, team)
        others = {"actor_organisation", "actor_we", "actor_team"} if not team else {"actor_organisation"}
        d = [
            credited,
            _result(sig) and not credited and bool(sig & others),
            bool(sig & {"figure", "before_after", "source", "quotation"}),
            same_prev and _credited(sets[i - 1], team),
            same_next and _result(sets[i + 1]),
            team,
        ]
        out[i, 3 * k :] = np.asarray(d, dtype=np.float32)
    return out


def neighbour_embeddings(embeddings: np.ndarray, sentences: Sequence[SentenceInfo]) -> np.ndarray:
    """(n, 2d): the previous and the next sentence's embedding in the same answer (zeros if none)."""
    n, d = embeddings.shape
    out = np.zeros((n, 2 * d), dtype=np.float32)
    for i in range(n):
        if i > 0 and sentences[i - 1].question == sentences[i].question:
            out[i, :d] = embeddings[i - 1]
        if i + 1 < n and sentences[i + 1].question == sentences[i].question:
            out[i, d:] = embeddings[i + 1]
    return out


def sentence_matrix(embeddings: np.ndarray, sentences: Sequence[SentenceInfo], team: bool) -> np.ndarray:
    """The dense feature matrix of one nomination's sentences: own, previous and next sentence's
    embedding, then the signal features."""
    d = embeddings.shape[1]
    if len(sentences) == 0:
        return np.zeros((0, 3 * d + N_SIGNAL_FEATURES), dtype=np.float32)
    emb = embeddings.astype(np.float32)
    return np.hstack([emb, neighbour_embeddings(emb, sentences), signal_features(sentences, team)])


N_REGISTER = 3
_PUNCT = ".,;:!?()[]'\"\u2018\u2019\u201c\u201d"


def register_features(sentences: Sequence[SentenceInfo]) -> np.ndarray:
    """(N_REGISTER,) how a nomination is written, whatever it says: mean sentence length (log),
    mean word length, and the share of long words.

    Only the aggregator reads these, and only because the training corpus holds style twins (the
    same facts and labels written in plain words, formal jargon and by writers whose first language
    is not English): with them it can learn how much of a nomination's sentence scores is register
    rather than evidence. Plain writing splits an example into several short sentences, which gives
    more chances for one of them to score high; without these features the plain twins were rated
    about 0.75 levels higher in total than their originals under cross-validation.
    """
    words = [w.strip(_PUNCT) for s in sentences for w in s.text.split()]
    words = [w for w in words if w]
    if not words:
        return np.zeros(N_REGISTER)
    lengths = np.array([len(w) for w in words], dtype=np.float64)
    return np.array(
        [
            np.log1p(len(words) / len(sentences)),
            lengths.mean() / 5.0,
            5.0 * float((lengths >= 9).mean()),
        ]
    )
