"""The learned heads, as scikit-learn estimators that keep the estimator contract.

- `relevance_head()`: sentence -> which sub-criteria it evidences (multi-label; one calibrated
  logistic regression per sub-criterion, composed from scikit-learn's own estimators).
- `OrdinalClassifier`: an ordinal classifier (Frank & Hall cumulative binary models) used for
  the strength of a sentence as evidence (1-3) and for a sub-criterion's level (0-3). Levels are
  ordered, so a model that knows "described" lies between "asserted" and "demonstrated" makes
  fewer far-off errors, which is what quadratic weighted kappa punishes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputClassifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


def relevance_head(
    C: float = 0.5, calibration: str = "sigmoid", cv: int = 3, random_state: int = 0, n_jobs: int | None = None
) -> MultiOutputClassifier:
    """One calibrated logistic regression per sub-criterion (columns of a 0/1 indicator matrix).

    Sub-criteria are fitted in parallel over n_jobs processes; the result does not depend on it.
    """
    base = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=random_state)
    # ensemble=False: one model refitted on all data plus a calibrator from cross-validation,
    # a third of the size of an ensemble of fold models.
    return MultiOutputClassifier(CalibratedClassifierCV(base, method=calibration, cv=cv, ensemble=False), n_jobs=n_jobs)


def lexical_vectorizer() -> Any:
    """Word (1-2 gram) and character (3-5 gram, within words) tf-idf of sentence text.

    Character n-grams keep misspelt or inflected words close to their correct forms, which
    matters for writers whose first language is not English.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)),
        ]
    )


def lexical_transform(lexical: Any, texts: list[str]) -> Any:
    """`lexical.transform(texts)` for the fitted union of `lexical_vectorizer`, with the character
    block counted word by word: char_wb n-grams never cross a word boundary, so each distinct word
    is cut into n-grams once per call instead of at every occurrence (the same matrix, a few
    times faster; anything but a plain char_wb vectoriser goes through scikit-learn)."""
    from scipy.sparse import hstack

    if getattr(lexical, "transformer_weights", None) or not hasattr(lexical, "transformer_list"):
        return lexical.transform(texts)
    blocks = [
        _char_wb_transform(vec, texts) if _plain_char_wb(vec) else vec.transform(texts)
        for _, vec in lexical.transformer_list
    ]
    return hstack(blocks).tocsr()


def _plain_char_wb(vec: Any) -> bool:
    p = vec.get_params()
    return (
        p["analyzer"] == "char_wb"
        and p["preprocessor"] is None
        and p["strip_accents"] is None
        and p["input"] == "content"
        and not p["binary"]
        and hasattr(vec, "_tfidf")
    )


def _char_wb_transform(vec: Any, texts: list[str]) -> Any:
    from scipy.sparse import csr_matrix

    vocab = vec.vocabulary_
    lo, hi = vec.ngram_range
    lower = vec.lowercase
    cache: dict[str, list[int]] = {}
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        for w in (text.lower() if lower else text).split():
            ids = cache.get(w)
            if ids is None:
                ids = cache[w] = [vocab[g] for g in _wb_ngrams(w, lo, hi) if g in vocab]
            indices.extend(ids)
        indptr.append(len(indices))
    counts = csr_matrix(
        (np.ones(len(indices), dtype=vec.dtype), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(texts), len(vocab)),
    )
    counts.sum_duplicates()
    return vec._tfidf.transform(counts, copy=False)


def _wb_ngrams(word: str, lo: int, hi: int) -> list[str]:
    # scikit-learn's _char_wb_ngrams for one word: padded with a space each side, and a word
    # shorter than n counted once as a whole.
    w = " " + word + " "
    out = []
    for n in range(lo, hi + 1):
        if len(w) <= n:
            out.append(w)
            break
        out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def float32_coefficients(head: Any) -> None:
    """Store the coefficients of every logistic regression inside a fitted head in float32, in place.

    The wording heads hold one coefficient per tf-idf feature (about 76,000) per sub-criterion: in
    float64 they were most of a 9.6 MB artefact. In float32 it is half that; probabilities move by
    less than 1e-6 and no level changed on the held-out sets.
    """
    stack = [head]
    while stack:
        o = stack.pop()
        if isinstance(o, LogisticRegression):
            o.coef_ = o.coef_.astype(np.float32)
            continue
        for name in ("estimators_", "calibrated_classifiers_", "models_"):
            stack.extend(getattr(o, name, None) or [])
        if hasattr(o, "calibrators"):  # one fitted (estimator, calibrators) pair of a calibrated head
            stack.append(o.estimator)


def word_features(lexical: Any, X: Any) -> Any:
    """The word part of the fitted lexical union's output (its first block of columns)."""
    n_word = len(lexical.transformer_list[0][1].vocabulary_)
    return X[:, :n_word]


def positive_proba(head: MultiOutputClassifier, X: np.ndarray) -> np.ndarray:
    """(n, k) probability that each row evidences each column's sub-criterion."""
    if X.shape[0] == 0:
        return np.zeros((0, len(head.estimators_)), dtype=np.float64)
    cols = []
    for est in head.estimators_:
        p = est.predict_proba(X)
        classes = list(est.classes_)
        cols.append(p[:, classes.index(1)] if 1 in classes else np.zeros(X.shape[0]))
    return np.column_stack(cols)


class OrdinalClassifier(ClassifierMixin, BaseEstimator):
    """Ordinal classification by cumulative binary logistic models (Frank & Hall, 2001).

    For ordered classes c0 < c1 < ... < cK, one model per threshold estimates P(y > ck);
    the cumulative probabilities are made monotone and differenced into class probabilities.

    Parameters
    ----------
    C : inverse regularisation strength of each binary logistic regression.
    class_weight : passed to each binary model ("balanced" or None).
    calibration : None, "sigmoid" or "isotonic": wrap each binary model in CalibratedClassifierCV.
    max_iter : iterations for the solver.
    """

    def __init__(
        self,
        C: float = 1.0,
        class_weight: str | None = None,
        calibration: str | None = None,
        max_iter: int = 2000,
    ):
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> OrdinalClassifier:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"])
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        codes = np.searchsorted(self.classes_, y)
        base = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        self.models_: list[Any] = []
        for k in range(len(self.classes_) - 1):
            target = (codes > k).astype(int)
            if target.min() == target.max():
                self.models_.append(float(target[0]))
                continue
            if self.calibration:
                n_min = int(min(target.sum(), len(target) - target.sum()))
                cv = min(3, n_min)
                model: Any = (
                    CalibratedClassifierCV(clone(base), method=self.calibration, cv=cv) if cv >= 2 else clone(base)
                )
            else:
                model = clone(base)
            self.models_.append(model.fit(X, target))
        iters = [int(np.max(m.n_iter_)) for m in self.models_ if isinstance(m, LogisticRegression)]
        self.n_iter_ = max(iters) if iters else 0
        return self

    def cumulative_proba(self, X: Any) -> np.ndarray:
        """(n, K) matrix of P(y > c_k) for the K thresholds, monotone non-increasing in k."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse=["csr", "csc"])
        cols = []
        for m in self.models_:
            if isinstance(m, float):
                cols.append(np.full(X.shape[0], m))
            else:
                cols.append(m.predict_proba(X)[:, 1])
        if not cols:
            return np.zeros((X.shape[0], 0))
        cum = np.column_stack(cols)
        return np.minimum.accumulate(cum, axis=1)

    def cumulative_proba_onehot(self, X: Any, columns: list[int | None]) -> np.ndarray:
        """(len(columns), n, K): cumulative_proba of X with a 1 set in each given column in turn.

        X has zeros in those columns. For plain logistic models the one-hot only shifts the
        decision value, so the product with X is computed once for all columns (the batch path
        scores nine sub-criteria for the cost of one).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse=["csr", "csc"])
        return self.cumulative_proba_blocks([(X, 1.0)], columns)

    def cumulative_proba_blocks(self, blocks: list[tuple[Any, float]], columns: list[int | None]) -> np.ndarray:
        """cumulative_proba_onehot of hstack([B * scale for B, scale in blocks]), without building
        the stacked matrix: turning dense sentence features into a sparse matrix beside the word
        features costs more than every head's product together."""
        check_is_fitted(self)
        widths = [b.shape[1] for b, _ in blocks]
        if sum(widths) != self.n_features_in_:
            raise ValueError(f"blocks have {sum(widths)} features, the model expects {self.n_features_in_}")
        if not all(isinstance(m, (float, LogisticRegression)) for m in self.models_):
            # Calibrated models are not linear in X: score each one-hot input explicitly.
            from scipy.sparse import csr_matrix, hstack

            X = hstack([csr_matrix(b) * s for b, s in blocks]).tocsr()
            return np.stack([self._cumulative_with(X, c) for c in columns])
        edges = np.cumsum([0, *widths])
        n = blocks[0][0].shape[0]
        out = np.zeros((len(columns), n, len(self.models_)))
        for k, m in enumerate(self.models_):
            if isinstance(m, float):
                out[:, :, k] = m
                continue
            coef = m.coef_[0]
            base = np.full(n, m.intercept_[0])
            for (b, scale), lo, hi in zip(blocks, edges[:-1], edges[1:], strict=True):
                if scale:
                    base += scale * np.asarray(b @ coef[lo:hi]).ravel()
            for i, c in enumerate(columns):
                z = base + (coef[c] if c is not None else 0.0)
                out[i, :, k] = 1.0 / (1.0 + np.exp(-z))
        return np.minimum.accumulate(out, axis=2)

    def _cumulative_with(self, X: Any, column: int | None) -> np.ndarray:
        if column is None:
            return self.cumulative_proba(X)
        X = X.tolil(copy=True) if hasattr(X, "tolil") else np.array(X, copy=True)
        X[:, column] = 1.0
        return self.cumulative_proba(X.tocsr() if hasattr(X, "tocsr") else X)

    def predict_proba(self, X: Any) -> np.ndarray:
        cum = self.cumulative_proba(X)
        n = cum.shape[0]
        upper = np.hstack([np.ones((n, 1)), cum])
        lower = np.hstack([cum, np.zeros((n, 1))])
        proba = np.clip(upper - lower, 0.0, 1.0)
        s = proba.sum(axis=1, keepdims=True)
        s[s == 0] = 1.0
        return proba / s

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def expected(self, X: Any) -> np.ndarray:
        """Expected class index (0..K) under the predicted distribution."""
        p = self.predict_proba(X)
        return p @ np.arange(p.shape[1], dtype=float)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.input_tags.sparse = True
        return tags
