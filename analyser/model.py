"""The trained evidence model: its three heads, how they combine, and the artefact on disk.

A model folder (`models/<name>/`) describes itself: `heads.joblib` (the fitted estimators),
`meta.json` (corpus hash, framework version, embedding model, training command, metrics,
thresholds) and a model card `README.md`. Only load model folders you trust: joblib files are
pickles.

How sentence scores become a level for one sub-criterion c of one nomination:
  r(s)      = P(sentence s evidences c)    mean of two calibrated relevance heads: one on
              meaning (embeddings of s and its neighbours, signals), one on wording (tf-idf)
  P(>=k|s)  = P(s is evidence of strength >= k | it is evidence)  strength head (k = 2, 3)
  features  = max_s r(s), max_s r(s)P(>=2|s), max_s r(s)P(>=3|s), how many s are relevant, ...
              and the nomination's register (sentence and word length; see `register_features`)
  level     = ordinal aggregator over those features -> P(level = 0..3)
The level is the expected level, rounded (analyser.analyse.decide_level).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyser.errors import ConfigError

log = logging.getLogger(__name__)

MODEL_ENV = "ANALYSER_MODEL"
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL_NAME = "inclusive-leader-v1"
ARTEFACT_FORMAT = "analyser.model/1"
N_AGG = 11


@dataclass
class Thresholds:
    cite: float = 0.5  # relevance at which a sentence is cited as evidence
    misplaced: float = 0.6  # content relevance at which evidence under another question is reported
    misplaced_confident: float = 0.5  # and at which it is shown to people
    max_cited: int = 6

    def to_dict(self) -> dict[str, float]:
        return {
            "cite": self.cite,
            "misplaced": self.misplaced,
            "misplaced_confident": self.misplaced_confident,
            "max_cited": self.max_cited,
        }


@dataclass
class SentenceScores:
    """Scores of one nomination's sentences for each sub-criterion."""

    relevance: np.ndarray  # (n, k) used for levels and citations
    content: np.ndarray  # (n, k) from wording and meaning alone, whatever question it is under
    cumulative: np.ndarray  # (n, k, 2): P(strength >= 2), P(strength >= 3) given relevant


@dataclass
class EvidenceModel:
    criteria: list[str]
    lexical: Any  # fitted FeatureUnion of word and character tf-idf over sentence text
    relevance_dense: Any  # content: embeddings of the sentence and its neighbours, signals
    relevance_lexical: Any  # content: tf-idf of the sentence
    strength: Any
    aggregator: Any
    similarity: Any
    thresholds: Thresholds = field(default_factory=Thresholds)
    meta: dict[str, Any] = field(default_factory=dict)
    # The same two heads with the question the sentence is written under as a feature: they learn
    # where nominators usually put each kind of evidence (see `relevance_mode`).
    questions: list[str] = field(default_factory=list)
    placed_dense: Any = None
    placed_lexical: Any = None
    relevance_mode: str = "content"  # content | placed | blend
    # Share of the wording (tf-idf) head in relevance; the rest is the meaning (embedding) head.
    lexical_weight: float = 0.5
    # Scale of the word features in the strength model (0 = meaning and signals only).
    strength_lexical_weight: float = 2.0
    # Whether the aggregator reads the nomination's register (analyser.features.register_features).
    register: bool = False

    # ----- prediction -------------------------------------------------------------------------
    def lexical_features(self, texts: list[str]) -> Any:
        from analyser.heads import lexical_transform

        return lexical_transform(self.lexical, texts)

    def question_onehot(self, questions: list[str]) -> np.ndarray:
        out = np.zeros((len(questions), len(self.questions)), dtype=np.float32)
        for i, q in enumerate(questions):
            if q in self.questions:
                out[i, self.questions.index(q)] = 1.0
        return out

    def strength_blocks(self, X: np.ndarray, W: Any, col: int | None) -> list[tuple[Any, float]]:
        """The strength model's input as (block, scale) side by side: dense features, the
        sub-criterion one-hot and the word features (weighted up, because wording — 'will',
        'rose from', 'said' — carries much of the strength)."""
        onehot = np.zeros((X.shape[0], len(self.criteria)), dtype=np.float32)
        if col is not None:
            onehot[:, col] = 1.0
        blocks: list[tuple[Any, float]] = [(X, 1.0), (onehot, 1.0)]
        if self.strength_lexical_weight:
            blocks.append((W, self.strength_lexical_weight))
        return blocks

    def strength_inputs(self, X: np.ndarray, W: Any, col: int | None) -> Any:
        """`strength_blocks` as one sparse matrix (for training)."""
        from scipy.sparse import csr_matrix, hstack

        return hstack([csr_matrix(b) * s for b, s in self.strength_blocks(X, W, col)]).tocsr()

    def content_relevance(self, X: np.ndarray, W: Any) -> np.ndarray:
        """(n, k) P(sentence evidences each trained sub-criterion) from content alone."""
        from analyser.heads import positive_proba

        w = self.lexical_weight
        return (1 - w) * positive_proba(self.relevance_dense, X) + w * positive_proba(self.relevance_lexical, W)

    def placed_relevance(self, X: np.ndarray, W: Any, questions: list[str]) -> np.ndarray:
        from scipy.sparse import csr_matrix, hstack

        from analyser.heads import positive_proba

        Q = self.question_onehot(questions)
        w = self.lexical_weight
        return (1 - w) * positive_proba(self.placed_dense, np.hstack([X, Q])) + w * positive_proba(
            self.placed_lexical, hstack([W, csr_matrix(Q)]).tocsr()
        )

    def sentence_scores(
        self,
        X: np.ndarray,
        texts: list[str],
        questions: list[str],
        criteria: list[str],
        similarity: np.ndarray | None = None,
    ) -> SentenceScores:
        """Relevance and strength of every sentence for every sub-criterion.

        For the framework the heads were trained on, the relevance heads score the sentences. For
        another framework (`similarity` given), relevance comes from the similarity head over
        `similarity` (n, k), the cosine of each sentence to each sub-criterion's exemplars, and
        strength from the sub-criterion-agnostic part of the strength model.
        """
        n = X.shape[0]
        rel = np.zeros((n, len(criteria)))
        content = np.zeros((n, len(criteria)))
        cum = np.zeros((n, len(criteria), 2))
        if n == 0:
            return SentenceScores(rel, content, cum)
        from analyser.heads import word_features

        W = self.lexical_features(texts)
        Wd = word_features(self.lexical, W)
        known = [similarity is None and c in self.criteria for c in criteria]
        if any(known):
            c_all = self.content_relevance(X, W)
            if self.relevance_mode == "content" or self.placed_dense is None:
                r_all = c_all
            else:
                p_all = self.placed_relevance(X, W, questions)
                r_all = p_all if self.relevance_mode == "placed" else 0.5 * (c_all + p_all)
            for j, c in enumerate(criteria):
                if known[j]:
                    rel[:, j] = r_all[:, self.criteria.index(c)]
                    content[:, j] = c_all[:, self.criteria.index(c)]
        if not all(known):
            if similarity is None:
                raise ValueError("similarity scores are needed for sub-criteria without a trained head")
            for j, _c in enumerate(criteria):
                if not known[j]:
                    rel[:, j] = content[:, j] = self.similarity.predict_proba(similarity[:, j : j + 1])[:, 1]
        # Strength for every sentence and sub-criterion at once: the sub-criterion enters the
        # strength model only as a one-hot, so the sentence features are multiplied once.
        offset = X.shape[1]
        cols = [offset + self.criteria.index(c) if known[j] else None for j, c in enumerate(criteria)]
        cp = self.strength.cumulative_proba_blocks(self.strength_blocks(X, Wd, None), cols)  # (k, n, K)
        # Strength classes are 1, 2, 3: cumulative columns are P(>1) and P(>2).
        cum[:, :, : cp.shape[2]] = np.transpose(cp, (1, 0, 2))
        return SentenceScores(rel, content, cum)

    @staticmethod
    def aggregate_features(rel: np.ndarray, cum: np.ndarray) -> np.ndarray:
        """(k, N_AGG) nomination-level features per sub-criterion from sentence scores.

        The strongest sentence's relevance and strength, and the same scaled by the length of the
        nomination: a long nomination has more chances of one sentence scoring high by accident.
        Counts of relevant sentences are left out, so that one strong sentence in a short
        nomination is not marked down for being alone.
        """
        k = rel.shape[1]
        out = np.zeros((k, N_AGG))
        if rel.shape[0] == 0:
            return out
        r2 = rel * cum[:, :, 0]
        r3 = rel * cum[:, :, 1]
        expected = rel * (1 + cum[:, :, 0] + cum[:, :, 1])
        top = np.sort(rel, axis=0)[::-1]
        base = np.column_stack(
            [
                rel.max(axis=0),
                r2.max(axis=0),
                r3.max(axis=0),
                top[: min(3, len(top))].mean(axis=0),
                expected.max(axis=0) / 3.0,
            ]
        )
        n = np.full((k, 1), np.log1p(rel.shape[0]))
        out[:] = np.hstack([base, n, n * base])
        return out

    def aggregator_inputs(
        self, agg: np.ndarray, criteria: list[str], trained: bool = True, register: np.ndarray | None = None
    ) -> np.ndarray:
        """The aggregator's rows: the score features, the nomination's register when this model
        reads it, and the sub-criterion as a one-hot."""
        onehot = np.zeros((len(criteria), len(self.criteria)))
        if trained:
            for j, c in enumerate(criteria):
                if c in self.criteria:
                    onehot[j, self.criteria.index(c)] = 1.0
        if not self.register:
            return np.hstack([agg, onehot])
        if register is None:
            raise ValueError("this model's aggregator reads the register: pass register_features")
        return np.hstack([agg, np.tile(register, (len(criteria), 1)), onehot])

    def level_probabilities(
        self,
        rel: np.ndarray,
        cum: np.ndarray,
        criteria: list[str],
        trained: bool = True,
        register: np.ndarray | None = None,
    ) -> np.ndarray:
        """(k, 4) probability of each level 0..3 per sub-criterion."""
        return self.level_probabilities_many([(rel, cum)], criteria, trained, [register])[0]

    def level_probabilities_many(
        self,
        scores: list[tuple[np.ndarray, np.ndarray]],
        criteria: list[str],
        trained: bool = True,
        registers: list[np.ndarray | None] | None = None,
    ) -> list[np.ndarray]:
        """level_probabilities for many nominations, with one call to the aggregator. `registers`
        holds each nomination's register_features (needed when the model reads them)."""
        k = len(criteria)
        if not scores:
            return []
        regs = registers if registers is not None else [None] * len(scores)
        inputs = np.vstack(
            [
                self.aggregator_inputs(self.aggregate_features(r, c), criteria, trained, g)
                for (r, c), g in zip(scores, regs, strict=True)
            ]
        )
        p = self.aggregator.predict_proba(inputs)
        out = np.zeros((len(scores) * k, 4))
        for i, cls in enumerate(self.aggregator.classes_):
            out[:, int(cls)] = p[:, i]
        return [out[j * k : (j + 1) * k] for j in range(len(scores))]

    # ----- artefact I/O -----------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        import joblib

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        heads = {
            "criteria": self.criteria,
            "lexical": self.lexical,
            "relevance_dense": self.relevance_dense,
            "relevance_lexical": self.relevance_lexical,
            "placed_dense": self.placed_dense,
            "placed_lexical": self.placed_lexical,
            "strength": self.strength,
            "aggregator": self.aggregator,
            "similarity": self.similarity,
        }
        tmp = folder / "heads.joblib.tmp"
        joblib.dump(heads, tmp, compress=3)
        os.replace(tmp, folder / "heads.joblib")
        meta = dict(self.meta)
        meta["format"] = ARTEFACT_FORMAT
        meta["criteria"] = self.criteria
        meta["thresholds"] = self.thresholds.to_dict()
        meta["questions"] = self.questions
        meta["relevance_mode"] = self.relevance_mode
        meta["lexical_weight"] = self.lexical_weight
        meta["strength_lexical_weight"] = self.strength_lexical_weight
        meta["register_features"] = self.register
        (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> EvidenceModel:
        import joblib

        folder = Path(folder)
        meta_path = folder / "meta.json"
        heads_path = folder / "heads.joblib"
        if not meta_path.exists() or not heads_path.exists():
            raise ConfigError("not a model folder (needs meta.json and heads.joblib)", path=folder)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"meta.json is not valid JSON ({exc.msg})", path=meta_path) from None
        if meta.get("format") != ARTEFACT_FORMAT:
            raise ConfigError(f"model format {meta.get('format')!r} is not {ARTEFACT_FORMAT}", path=meta_path)
        heads = joblib.load(heads_path)
        t = meta.get("thresholds", {})
        return cls(
            criteria=list(heads["criteria"]),
            lexical=heads["lexical"],
            relevance_dense=heads["relevance_dense"],
            relevance_lexical=heads["relevance_lexical"],
            placed_dense=heads.get("placed_dense"),
            placed_lexical=heads.get("placed_lexical"),
            questions=list(meta.get("questions", [])),
            relevance_mode=str(meta.get("relevance_mode", "content")),
            lexical_weight=float(meta.get("lexical_weight", 0.5)),
            strength_lexical_weight=float(meta.get("strength_lexical_weight", 2.0)),
            register=bool(meta.get("register_features", False)),
            strength=heads["strength"],
            aggregator=heads["aggregator"],
            similarity=heads["similarity"],
            thresholds=Thresholds(
                cite=float(t.get("cite", 0.5)),
                misplaced=float(t.get("misplaced", 0.6)),
                misplaced_confident=float(t.get("misplaced_confident", 0.5)),
                max_cited=int(t.get("max_cited", 6)),
            ),
            meta=meta,
        )

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "unnamed"))


def resolve_model_dir(path: str | Path | None = None) -> Path:
    chosen = path or os.environ.get(MODEL_ENV)
    if chosen:
        p = Path(chosen)
        if not p.is_dir() and (MODELS_DIR / str(chosen)).is_dir():
            p = MODELS_DIR / str(chosen)
        return p
    return MODELS_DIR / DEFAULT_MODEL_NAME
