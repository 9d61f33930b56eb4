"""The learned heads keep scikit-learn's estimator contract."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from analyser.heads import OrdinalClassifier, positive_proba, relevance_head


@parametrize_with_checks([OrdinalClassifier(), OrdinalClassifier(C=0.5, class_weight="balanced")])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_ordinal_probabilities_are_ordered_and_sum_to_one():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.digitize(X[:, 0] + 0.3 * rng.normal(size=300), [-1, 0, 1])
    m = OrdinalClassifier(calibration="sigmoid").fit(X, y)
    p = m.predict_proba(X)
    assert np.allclose(p.sum(axis=1), 1)
    cum = m.cumulative_proba(X)
    assert np.all(np.diff(cum, axis=1) <= 1e-12)
    # The model learns the ordering: a larger x0 gives a higher expected level.
    grid = np.column_stack([np.linspace(-3, 3, 7), np.zeros(7), np.zeros(7)])
    assert np.all(np.diff(m.expected(grid)) > 0)
    assert (m.predict(X) == y).mean() > 0.7
    assert clone(m).get_params() == m.get_params()


def test_relevance_head_is_multilabel_and_calibrated_enough():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    Y = np.column_stack([(X[:, 0] > 0.5), (X[:, 1] < -0.5)]).astype(int)
    head = relevance_head(C=1.0).fit(X, Y)
    P = positive_proba(head, X)
    assert P.shape == (400, 2)
    for j in range(2):
        # Predicted probabilities track observed frequencies within 10 points on average.
        assert abs(P[:, j].mean() - Y[:, j].mean()) < 0.1


def test_onehot_shortcut_equals_explicit_one_hot():
    """The batch path (one product, a shift per sub-criterion) gives the same numbers as
    building each one-hot input explicitly."""
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 6))
    X[:, 3:] = 0.0
    cols = rng.integers(3, 6, size=200)
    X[np.arange(200), cols] = 1.0
    y = np.digitize(X[:, 0] + 0.5 * (cols - 4) + 0.3 * rng.normal(size=200), [-0.5, 0.5]) + 1
    m = OrdinalClassifier().fit(csr_matrix(X), y)
    base = X.copy()
    base[:, 3:] = 0.0
    fast = m.cumulative_proba_onehot(csr_matrix(base), [3, 4, 5, None])
    for i, c in enumerate([3, 4, 5]):
        explicit = base.copy()
        explicit[:, c] = 1.0
        assert np.allclose(fast[i], m.cumulative_proba(csr_matrix(explicit)))
    assert np.allclose(fast[3], m.cumulative_proba(csr_matrix(base)))


def test_block_path_equals_stacked_matrix():
    """Scoring dense and sparse feature blocks side by side gives the numbers of the stacked
    matrix the model was trained on, scale included."""
    from scipy.sparse import csr_matrix, hstack
    from scipy.sparse import random as sparse_random

    rng = np.random.default_rng(2)
    dense = rng.normal(size=(150, 4))
    onehot = np.zeros((150, 3))
    words = sparse_random(150, 20, density=0.2, random_state=3, format="csr")
    y = np.digitize(dense[:, 0] + np.asarray(words.sum(axis=1)).ravel() + 0.3 * rng.normal(size=150), [-0.5, 0.8]) + 1
    stacked = hstack([csr_matrix(dense), csr_matrix(onehot), words * 2.0]).tocsr()
    m = OrdinalClassifier().fit(stacked, y)
    cols = [4, 5, 6, None]
    blocks = m.cumulative_proba_blocks([(dense, 1.0), (onehot, 1.0), (words, 2.0)], cols)
    assert blocks.shape == (4, 150, 2)
    assert np.allclose(blocks, m.cumulative_proba_onehot(stacked, cols))
    with pytest.raises(ValueError, match="features"):
        m.cumulative_proba_blocks([(dense, 1.0)], cols)


def test_lexical_transform_equals_scikit_learn():
    """The word-by-word character counting gives scikit-learn's own tf-idf matrix, including short
    words, repeated words, accents, odd whitespace and empty text."""
    from analyser.heads import lexical_transform, lexical_vectorizer

    train = [
        "Amira set up the staff network and membership rose from 12 to 85.",
        "She listens; she acts. Café staff said they felt heard for the first time.",
        "The WRES data showed a gap, so he changed the shortlisting panel.",
        "Bank staff now get the same training offer as everyone else on the ward.",
        "A an I ok go be",
    ] * 2
    texts = [
        "Membership rose from 12 to 85 after Amira's network launched.",
        "  Tabs\tand\nnewlines   between  words, café CAFÉ cafe  ",
        "",
        "I a ok",
        "the the the staff staff network",
        "Ünïcödé words nobody trained on",
    ]
    union = lexical_vectorizer().fit(train)
    fast = lexical_transform(union, texts)
    slow = union.transform(texts)
    assert fast.shape == slow.shape
    assert abs(fast - slow).max() < 1e-12
    assert fast.nnz == slow.nnz


def test_float32_coefficients_shrink_every_linear_model_and_keep_its_probabilities():
    from analyser.heads import OrdinalClassifier, float32_coefficients, positive_proba, relevance_head

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 20))
    Y = (X[:, :3] + 0.5 * rng.normal(size=(300, 3)) > 0).astype(int)
    head = relevance_head(C=1.0).fit(X, Y)
    ordinal = OrdinalClassifier(C=1.0).fit(X, np.digitize(X[:, 0], [-0.5, 0.5, 1.0]))
    before = positive_proba(head, X), ordinal.predict_proba(X)
    float32_coefficients(head)
    float32_coefficients(ordinal)
    linear = [c.estimator for e in head.estimators_ for c in e.calibrated_classifiers_] + list(ordinal.models_)
    assert len(linear) == 6 and all(m.coef_.dtype == np.float32 for m in linear)
    after = positive_proba(head, X), ordinal.predict_proba(X)
    for b, a in zip(before, after, strict=True):
        assert np.abs(b - a).max() < 1e-5
    assert not np.array_equal(before[0], after[0])  # the cast did reach the models that score
