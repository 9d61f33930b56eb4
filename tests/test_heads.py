"""The learned heads keep scikit-learn's estimator contract."""

from __future__ import annotations

import numpy as np
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
