"""Agreement metrics on levels, with bootstrap confidence intervals. Pure numpy; no models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LEVELS = (0, 1, 2, 3)


def qwk(a: np.ndarray, b: np.ndarray, n_levels: int = 4) -> float:
    """Quadratic weighted kappa of two integer ratings 0..n_levels-1.

    1 when all agree; 0 when agreement is what chance gives. When both raters use one single
    level only, kappa is undefined: 1.0 if they agree everywhere, else 0.0.
    """
    a = np.asarray(a, dtype=int)
    b = np.asarray(b, dtype=int)
    if a.size == 0:
        return float("nan")
    observed = np.zeros((n_levels, n_levels))
    np.add.at(observed, (a, b), 1)
    w = np.array([[(i - j) ** 2 for j in range(n_levels)] for i in range(n_levels)], dtype=float)
    w /= (n_levels - 1) ** 2
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    denom = (w * expected).sum()
    if denom == 0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(1 - (w * observed).sum() / denom)


def f1(truth: np.ndarray, pred: np.ndarray) -> float:
    """F1 of the positive class; 1.0 when there are no positives and none predicted."""
    truth = np.asarray(truth, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    tp = int((truth & pred).sum())
    fp = int((~truth & pred).sum())
    fn = int((truth & ~pred).sum())
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.size < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    return float(spearmanr(a, b).statistic)


def exact(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a)
    return float((a == np.asarray(b)).mean()) if a.size else float("nan")


def bootstrap_cis(
    stats: Callable[[np.ndarray], dict[str, float]], n: int, reps: int = 1000, seed: int = 0, alpha: float = 0.05
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of several statistics computed together on each resample."""
    if reps <= 0 or n == 0:
        return {}
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {}
    for _ in range(reps):
        for key, v in stats(rng.integers(0, n, n)).items():
            if not np.isnan(v):
                values.setdefault(key, []).append(v)
    out = {}
    for key, vals in values.items():
        lo, hi = np.percentile(vals, [100 * alpha / 2, 100 * (1 - alpha / 2)])
        out[key] = (float(lo), float(hi))
    return out


def bootstrap_ci(
    stat: Callable[[np.ndarray], float], n: int, reps: int = 1000, seed: int = 0, alpha: float = 0.05
) -> tuple[float, float]:
    """Percentile interval of stat(indices) over resamples of n items with replacement."""
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(reps):
        v = stat(rng.integers(0, n, n))
        if not np.isnan(v):
            vals.append(v)
    if not vals:
        return (float("nan"), float("nan"))
    lo, hi = np.percentile(vals, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi)
