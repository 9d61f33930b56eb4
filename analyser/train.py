"""`analyser train`: fit the heads on the training split of the corpus and save the artefact.

Reproducible: fixed seeds, deterministic solvers, float32 embeddings, folds by nomination in a
fixed order. The same command on the same corpus gives the same model.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyser import __version__
from analyser.corpus import CorpusRecord, align, corpus_hash, load_records
from analyser.criteria import Framework, load_framework
from analyser.model import EvidenceModel, SentenceScores, Thresholds
from analyser.records import LEVEL_NAMES

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class SentenceData:
    """Everything training and evaluation need about a set of nominations' sentences."""

    records: list[CorpusRecord]
    sentences: list[list[Any]]
    X: list[np.ndarray]  # per nomination (n_i, d)
    texts: list[list[str]]  # per nomination, the sentences' text
    rel: list[np.ndarray]  # per nomination (n_i, k) gold 0/1
    lvl: list[np.ndarray]  # per nomination (n_i, k) gold 0-3
    emb: list[np.ndarray]  # per nomination (n_i, 384)

    @property
    def labels(self) -> np.ndarray:
        return np.array([[r.labels.get(c, 0) for c in self.criteria] for r in self.records])

    criteria: list[str]


def prepare(records: Sequence[CorpusRecord], framework: Framework, nlp: Any, encoder: Any) -> SentenceData:
    """Split, mark signals, embed and align gold evidence for every record."""
    from analyser.features import sentence_matrix
    from analyser.flags import is_placeholder
    from analyser.nlp import is_team, process_nominations
    from analyser.records import Nomination

    crit = framework.criterion_ids
    noms = [
        Nomination(
            r.nomination.id,
            {q: ("" if is_placeholder(a) else a) for q, a in r.nomination.answers.items()},
            r.nomination.metadata,
        )
        for r in records
    ]
    sents = process_nominations(nlp, noms)
    vectors = encoder.encode([s.model_text for ss in sents for s in ss])
    X, texts, rel, lvl, emb = [], [], [], [], []
    off = 0
    for r, ss in zip(records, sents, strict=True):
        e = vectors[off : off + len(ss)]
        off += len(ss)
        X.append(sentence_matrix(e, ss, is_team(r.nomination)))
        texts.append([s.model_text for s in ss])
        g_rel, g_lvl = align(ss, r.evidence, crit)
        rel.append(g_rel)
        lvl.append(g_lvl)
        emb.append(e)
    return SentenceData(list(records), sents, X, texts, rel, lvl, emb, crit)


def _strength_rows(
    model: EvidenceModel, X: np.ndarray, W: Any, rel: np.ndarray, lvl: np.ndarray
) -> tuple[Any, np.ndarray]:
    from scipy.sparse import vstack

    rows, ys = [], []
    for j in range(rel.shape[1]):
        idx = np.flatnonzero(rel[:, j])
        if idx.size:
            rows.append(model.strength_inputs(X[idx], W[idx], j))
            ys.append(np.clip(lvl[idx, j], 1, 3))
    return vstack(rows).tocsr(), np.concatenate(ys)


def fit_sentence_heads(
    X: np.ndarray,
    texts: list[str],
    questions: list[str],
    rel: np.ndarray,
    lvl: np.ndarray,
    criteria: list[str],
    question_ids: list[str],
    params: dict[str, Any],
) -> EvidenceModel:
    from scipy.sparse import csr_matrix, hstack

    from analyser.heads import OrdinalClassifier, lexical_vectorizer, relevance_head, word_features

    lexical = lexical_vectorizer().fit(texts)
    W_all = lexical.transform(texts)
    model = EvidenceModel(
        criteria=criteria,
        lexical=lexical,
        relevance_dense=relevance_head(
            C=params["relevance_C"], random_state=params["seed"], n_jobs=params["n_jobs"]
        ).fit(X, rel),
        relevance_lexical=relevance_head(
            C=params["lexical_C"], random_state=params["seed"], n_jobs=params["n_jobs"]
        ).fit(W_all, rel),
        strength=None,
        aggregator=None,
        similarity=None,
        questions=list(question_ids),
        relevance_mode=params["relevance_mode"],
        strength_lexical_weight=params["strength_lexical_weight"],
        lexical_weight=params["lexical_weight"],
    )
    if params["relevance_mode"] != "content":
        Q = model.question_onehot(questions)
        model.placed_dense = relevance_head(
            C=params["relevance_C"], random_state=params["seed"], n_jobs=params["n_jobs"]
        ).fit(np.hstack([X, Q]), rel)
        model.placed_lexical = relevance_head(
            C=params["lexical_C"], random_state=params["seed"], n_jobs=params["n_jobs"]
        ).fit(hstack([W_all, csr_matrix(Q)]).tocsr(), rel)
    Xs, ys = _strength_rows(model, X, word_features(lexical, W_all), rel, lvl)
    model.strength = OrdinalClassifier(C=params["strength_C"], class_weight="balanced").fit(Xs, ys)
    return model


DEFAULT_PARAMS: dict[str, Any] = {
    "relevance_C": 1.0,
    "lexical_C": 5.0,
    "strength_C": 1.0,
    "aggregator_C": 1.0,
    "relevance_mode": "blend",
    "misplaced_recall": 0.65,
    "strength_lexical_weight": 2.0,
    "lexical_weight": 0.5,
    "register_features": True,
    "folds": 5,
    "seed": 0,
    "n_jobs": None,
}


def _group(record: CorpusRecord) -> str:
    return str(record.extra.get("twin_of") or record.id)


def assign_folds(records: Sequence[CorpusRecord], folds: int, seed: int | None = None) -> np.ndarray:
    """The fold of each record. Folds go by original nomination, so that a style twin is never
    scored by heads that saw its original. The default assignment is fixed (sorted ids); a seed
    shuffles it, to see how much a cross-validated figure owes to the split."""
    groups = sorted({_group(r) for r in records})
    if seed is not None:
        groups = [groups[i] for i in np.random.default_rng(seed).permutation(len(groups))]
    group_fold = {g: k % folds for k, g in enumerate(groups)}
    return np.array([group_fold[_group(r)] for r in records])


FoldFeatures = Callable[[int, list[int]], list[np.ndarray]]


def out_of_fold(
    data: SentenceData,
    params: dict[str, Any],
    question_ids: list[str],
    progress: Progress | None = None,
    fold_features: FoldFeatures | None = None,
) -> list[SentenceScores]:
    """Relevance and strength scores of each training nomination from heads that never saw it.

    `fold_features(fold, training_indices)`, when given, returns every nomination's dense sentence
    features for that fold instead of `data.X`: for experiments whose features are themselves
    learned (e.g. a fine-tuned encoder), which must be fitted without the fold they score.
    """
    n = len(data.records)
    folds = params["folds"]
    fold_of = assign_folds(data.records, folds, params.get("fold_seed"))
    oof: list[SentenceScores] = [SentenceScores(np.zeros(0), np.zeros(0), np.zeros(0))] * n
    for f in range(folds):
        if progress:
            progress(f"fold {f + 1}/{folds}")
        tr = [i for i in range(n) if fold_of[i] != f]
        te = [i for i in range(n) if fold_of[i] == f]
        X = fold_features(f, tr) if fold_features is not None else data.X
        m = fit_sentence_heads(
            np.vstack([X[i] for i in tr]),
            [t for i in tr for t in data.texts[i]],
            [s.question for i in tr for s in data.sentences[i]],
            np.vstack([data.rel[i] for i in tr]),
            np.vstack([data.lvl[i] for i in tr]),
            data.criteria,
            question_ids,
            params,
        )
        for i in te:
            oof[i] = m.sentence_scores(X[i], data.texts[i], [s.question for s in data.sentences[i]], data.criteria)
    return oof


def cross_validated_levels(
    data: SentenceData,
    params: dict[str, Any],
    question_ids: list[str],
    progress: Progress | None = None,
    fold_features: FoldFeatures | None = None,
) -> np.ndarray:
    """(n, k) level of every training nomination from a model that never saw it or its twins:
    out-of-fold sentence scores, then an aggregator fitted on the other folds' scores. How a
    training configuration would do on unseen nominations, measured on the training split alone
    (see scripts/fairness_cv.py)."""
    from threadpoolctl import threadpool_limits

    p = {**DEFAULT_PARAMS, **params}
    with threadpool_limits(limits=1, user_api="blas"):  # as in `train`: one BLAS thread is faster here
        oof = out_of_fold(data, p, question_ids, progress, fold_features)
    return levels_from_scores(data, oof, p)


def levels_from_scores(data: SentenceData, oof: list[SentenceScores], params: dict[str, Any]) -> np.ndarray:
    """(n, k) levels from out-of-fold sentence scores, each fold's from an aggregator fitted on the
    other folds' scores: the expected level, rounded, as `analyser.analyse.decide_level` decides it."""
    p = {**DEFAULT_PARAMS, **params}
    # Only the aggregator inputs of this holder are used: they turn sentence scores into rows.
    holder = EvidenceModel(data.criteria, None, None, None, None, None, None, register=bool(p["register_features"]))
    A = _aggregator_rows(holder, oof, data.criteria, _registers(data))
    fold_of = assign_folds(data.records, p["folds"], p.get("fold_seed"))
    E = fold_expected_levels(A, data.labels, fold_of, p["aggregator_C"])
    return np.clip(np.rint(E), 0, len(LEVEL_NAMES) - 1).astype(np.int64)


def fold_expected_levels(A: np.ndarray, labels: np.ndarray, fold_of: np.ndarray, C: float) -> np.ndarray:
    """(n, k) expected levels from aggregator rows A (n, k, features), each fold's from an aggregator
    fitted on the other folds' rows and gold levels."""
    from analyser.heads import OrdinalClassifier

    E = np.zeros(labels.shape)
    for f in np.unique(fold_of):
        tr, te = np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)
        agg = OrdinalClassifier(C=C).fit(A[tr].reshape(-1, A.shape[2]), labels[tr].reshape(-1))
        probs = np.zeros((te.size * A.shape[1], len(LEVEL_NAMES)))
        probs[:, agg.classes_.astype(int)] = agg.predict_proba(A[te].reshape(-1, A.shape[2]))
        E[te] = (probs @ np.arange(len(LEVEL_NAMES))).reshape(te.size, -1)
    return E


def _registers(data: SentenceData) -> list[np.ndarray]:
    from analyser.features import register_features

    return [register_features(ss) for ss in data.sentences]


def _aggregator_rows(
    model: EvidenceModel, scores: Sequence[SentenceScores], crit: list[str], registers: Sequence[np.ndarray]
) -> np.ndarray:
    """(n, k, features): the aggregator's input for each nomination's sentence scores."""
    return np.stack(
        [
            model.aggregator_inputs(model.aggregate_features(o.relevance, o.cumulative), crit, True, g)
            for o, g in zip(scores, registers, strict=True)
        ]
    )


def _recall_threshold(scores: np.ndarray, truth: np.ndarray, min_recall: float, default: float) -> float:
    """The highest threshold whose recall still reaches min_recall."""
    pos = np.sort(scores[truth == 1])[::-1]
    if pos.size == 0:
        return default
    k = max(0, min(pos.size - 1, int(np.ceil(min_recall * pos.size)) - 1))
    return float(np.floor(pos[k] * 100) / 100)


def _tune_threshold(scores: np.ndarray, truth: np.ndarray, min_precision: float, default: float) -> float:
    """The lowest threshold whose precision reaches min_precision (more recall for the same trust)."""
    best = default
    for t in np.arange(0.95, 0.19, -0.05):
        sel = scores >= t
        if sel.sum() < 10:
            continue
        if truth[sel].mean() >= min_precision:
            best = float(round(t, 2))
    return best


def train(
    corpus_files: Sequence[str | Path],
    out_dir: str | Path,
    framework: str | Path = "inclusive-leader",
    encoder_path: str | Path | None = None,
    spacy_model: str | None = None,
    params: dict[str, Any] | None = None,
    command: str = "",
    progress: Progress | None = None,
) -> EvidenceModel:
    # Multi-threaded BLAS is many times slower than one thread for these small solves on this
    # kind of machine (measured: 18 s vs 2.6 s for one relevance head); torch keeps its own threads.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _train(corpus_files, out_dir, framework, encoder_path, spacy_model, params, command, progress)


def _train(
    corpus_files: Sequence[str | Path],
    out_dir: str | Path,
    framework: str | Path,
    encoder_path: str | Path | None,
    spacy_model: str | None,
    params: dict[str, Any] | None,
    command: str,
    progress: Progress | None,
) -> EvidenceModel:
    from sklearn.linear_model import LogisticRegression

    from analyser.embed import Encoder
    from analyser.heads import OrdinalClassifier, float32_coefficients
    from analyser.nlp import build_nlp

    t0 = time.time()
    p = {**DEFAULT_PARAMS, **(params or {})}
    np.random.seed(p["seed"])
    fw = load_framework(framework)
    records = [r for r in load_records(corpus_files) if r.extra.get("split", "train") != "test"]
    if len(records) < p["folds"] * 2:
        raise ValueError(f"only {len(records)} training records; need at least {p['folds'] * 2}")
    say = progress or (lambda _m: None)
    say(f"preparing {len(records)} nominations")
    nlp = build_nlp(spacy_model)
    # Training always uses float32 embeddings so that the same command gives the same model.
    encoder = Encoder(encoder_path, precision="float32")
    data = prepare(records, fw, nlp, encoder)
    crit = data.criteria
    say("out-of-fold scores for the aggregator")
    oof = out_of_fold(data, p, fw.question_ids, say)
    say("fitting the final heads")
    model = fit_sentence_heads(
        np.vstack(data.X),
        [t for ts in data.texts for t in ts],
        [s.question for ss in data.sentences for s in ss],
        np.vstack(data.rel),
        np.vstack(data.lvl),
        crit,
        fw.question_ids,
        p,
    )
    model.register = bool(p["register_features"])
    agg_X = _aggregator_rows(model, oof, crit, _registers(data))
    model.aggregator = OrdinalClassifier(C=p["aggregator_C"]).fit(
        agg_X.reshape(-1, agg_X.shape[2]), data.labels.reshape(-1)
    )
    # The similarity head: relevance from the cosine to a sub-criterion's exemplars, for frameworks
    # without a trained head. Fitted on this framework's sentences, pooled over sub-criteria.
    ex_vecs = [encoder.encode([c.description, *c.exemplars]) for c in fw.criteria]
    sims = np.vstack([np.column_stack([(e @ ex.T).max(axis=1) for ex in ex_vecs]) for e in data.emb if len(e)])
    model.similarity = LogisticRegression(class_weight="balanced", max_iter=1000).fit(
        sims.reshape(-1, 1), np.vstack(data.rel).reshape(-1)
    )
    # Thresholds from out-of-fold scores: cite what is right at least 80% of the time; report
    # evidence under another question at the content score that finds about two thirds of it.
    R = np.vstack([o.relevance for o in oof])
    Rc = np.vstack([o.content for o in oof])
    G = np.vstack(data.rel)
    cite = _tune_threshold(R.reshape(-1), G.reshape(-1), 0.8, 0.5)
    qs = np.array([s.question for ss in data.sentences for s in ss])
    other = np.array([[c.split(".")[0] != q for c in crit] for q in qs])
    misplaced = _recall_threshold(Rc[other], G[other], p["misplaced_recall"], 0.5) if other.any() else 0.5
    model.thresholds = Thresholds(cite=cite, misplaced=misplaced)
    # Before saving, so that the model in memory and the one on disk score alike.
    for head in (
        model.relevance_dense,
        model.relevance_lexical,
        model.placed_dense,
        model.placed_lexical,
        model.strength,
        model.aggregator,
        model.similarity,
    ):
        float32_coefficients(head)
    model.meta = {
        "name": Path(out_dir).name,
        "analyser_version": __version__,
        "framework": fw.id,
        "framework_version": fw.version,
        "framework_digest": fw.digest,
        "embedding_model": str(encoder.path.name if encoder.path.name != "model" else encoder.path.parent.name),
        "embedding_model_id": encoder.id,
        "embedding_precision_at_training": "float32",
        "spacy_model": nlp.meta.get("analyser_spacy_model", ""),
        "corpus_files": [str(Path(f)) for f in corpus_files],
        "corpus_hash": corpus_hash(corpus_files),
        "n_train_nominations": len(records),
        "n_train_sentences": int(sum(len(s) for s in data.sentences)),
        "params": p,
        "training_command": command,
        "training_seconds": round(time.time() - t0, 1),
        "python": platform.python_version(),
    }
    say("saving")
    model.save(out_dir)
    return model
