"""Metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyser.metrics import bootstrap_cis, exact, f1, qwk, spearman


def test_qwk_hand_computed():
    # Ratings of 4 items: a = [0, 1, 2, 3], b = [0, 2, 2, 3]. One disagreement of 1 level.
    # O has 1s at (0,0), (1,2), (2,2), (3,3). Row sums [1,1,1,1], column sums [1,0,2,1].
    # W_ij = (i-j)^2 / 9. sum W*O = 1/9. E = outer(rows, cols)/4:
    # sum W*E = (1/4) * sum_i sum_j (i-j)^2/9 * col_j = (1/36) * (col0*(0+1+4+9) + col2*(4+1+0+1) + col3*(9+4+1+0))
    #         = (1/36) * (14 + 12 + 14) = 40/36. kappa = 1 - (1/9)/(40/36) = 1 - 4/40 = 0.9.
    assert qwk(np.array([0, 1, 2, 3]), np.array([0, 2, 2, 3])) == pytest.approx(0.9)
    assert qwk(np.array([0, 1, 2, 3]), np.array([0, 1, 2, 3])) == pytest.approx(1.0)
    assert qwk(np.array([0, 3, 0, 3]), np.array([3, 0, 3, 0])) < 0
    assert qwk(np.array([2, 2]), np.array([2, 2])) == 1.0


def test_f1_exact_spearman():
    # tp = 2, fp = 1, fn = 1 -> F1 = 4 / (4 + 1 + 1) = 2/3
    assert f1(np.array([1, 1, 1, 0, 0]), np.array([1, 1, 0, 1, 0])) == pytest.approx(2 / 3)
    assert f1(np.array([0, 0]), np.array([0, 0])) == 1.0
    assert exact(np.array([[1, 2], [3, 0]]), np.array([[1, 2], [0, 0]])) == pytest.approx(0.75)
    assert spearman(np.array([1, 2, 3, 4]), np.array([10, 20, 30, 40])) == pytest.approx(1.0)
    assert spearman(np.array([1, 2, 3, 4]), np.array([4, 3, 2, 1])) == pytest.approx(-1.0)
    assert math.isnan(spearman(np.array([1, 1, 1]), np.array([1, 2, 3])))


def test_bootstrap_interval_contains_point_and_is_reproducible():
    x = np.arange(100, dtype=float)

    def stats(idx):
        return {"mean": float(x[idx].mean())}

    a = bootstrap_cis(stats, 100, reps=300, seed=1)
    b = bootstrap_cis(stats, 100, reps=300, seed=1)
    assert a == b
    lo, hi = a["mean"]
    assert lo < 49.5 < hi and hi - lo < 20


def test_evaluation_scores_on_small_hand_made_case(framework):
    """Scoring of levels, evidence precision and misplaced recall on two records by hand."""
    from analyser.corpus import record_from_dict
    from analyser.evaluate import Predictions, score

    crit = framework.criterion_ids
    zero = dict.fromkeys(crit, 0)
    recs = [
        record_from_dict(
            {
                "id": "a",
                "answers": {
                    "Q1": "She met the mothers. Bookings rose.",
                    "Q2": "She told the board.",
                    "Q3": "",
                    "Q4": "",
                },
                "labels": {**zero, "Q1.a": 3, "Q4.b": 2},
                "evidence": [
                    {"criterion": "Q1.a", "level": 3, "question": "Q1", "text": "She met the mothers."},
                    {"criterion": "Q1.a", "level": 3, "question": "Q1", "text": "Bookings rose."},
                    {"criterion": "Q4.b", "level": 2, "question": "Q2", "text": "She told the board."},
                ],
            },
            "t",
        ),
        record_from_dict({"id": "b", "answers": {"Q1": "Kind."}, "labels": {**zero, "Q2.a": 1}, "evidence": []}, "t"),
    ]
    levels = np.zeros((2, 9), dtype=int)
    levels[0, crit.index("Q1.a")] = 3  # right
    levels[0, crit.index("Q4.b")] = 0  # missed
    levels[1, crit.index("Q2.a")] = 1  # right
    levels[1, crit.index("Q3.a")] = 2  # wrong
    pred = Predictions(
        "test",
        levels,
        cited=[{"Q1.a": [("She met the mothers.", "Q1"), ("Kind words.", "Q1")]}, {"Q2.a": [("Kind.", "Q1")]}],
        misplaced=[[("She told the board.", "Q2", "Q4.b")], []],
    )
    res = score(recs, pred, crit, reps=0)
    o = res["overall"]
    # 18 cells, 2 wrong -> exact 16/18.
    assert o["exact"]["value"] == pytest.approx(16 / 18)
    # Cited: 3 sentences, 1 is gold evidence ("She met the mothers.").
    assert o["evidence_precision"]["value"] == pytest.approx(1 / 3)
    # One gold misplaced item (Q4.b under Q2), and it is reported.
    assert o["misplaced_recall"]["value"] == pytest.approx(1.0)
    # Q1.a coverage: both records agree -> F1 1; Q4.b: gold positive missed -> F1 0.
    assert res["criteria"]["Q1.a"]["coverage_f1"]["value"] == 1.0
    assert res["criteria"]["Q4.b"]["coverage_f1"]["value"] == 0.0
    # Q3.a gap F1: gold gaps [1, 1], predicted gaps [1, 0] -> tp 1, fn 1 -> 2/3.
    assert res["criteria"]["Q3.a"]["gap_f1"]["value"] == pytest.approx(2 / 3)
