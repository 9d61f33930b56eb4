"""Fairness across writing styles: the same evidence should get the same level however it is written.

The figures are computed for real, with the shipped model, on the held-out style twins
(corpora/heldout-twins.jsonl), which training never sees.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from analyser.corpus import load_records
from analyser.fairness import TARGET_MEAN_ABS_DIFF, TARGET_TOTAL_SHIFT, fairness_report, fairness_table
from analyser.records import Nomination
from tests.conftest import ROOT

TWINS = ROOT / "corpora" / "heldout-twins.jsonl"


class _FixedLevels:
    """Stands in for the analyser with known levels, to check the arithmetic of the report."""

    def __init__(self, levels: dict[str, list[int]], criteria: list[str]):
        self.framework = SimpleNamespace(criterion_ids=criteria)
        self.levels = levels

    def analyse_many(self, noms: list[Nomination]):
        return [
            SimpleNamespace(
                criteria={
                    c: SimpleNamespace(strength=v)
                    for c, v in zip(self.framework.criterion_ids, self.levels[n.id], strict=True)
                }
            )
            for n in noms
        ]


def _record(rid: str, labels: dict[str, int], style: str = "original", twin_of: str = ""):
    from analyser.corpus import record_from_dict

    d = {"id": rid, "answers": {"Q1": "x"}, "labels": labels, "style": style}
    if twin_of:
        d["twin_of"] = twin_of
    return record_from_dict(d, "test")


def test_fairness_arithmetic_on_a_hand_computed_case():
    crit = ["A", "B"]
    records = [
        _record("o1", {"A": 2, "B": 0}),
        _record("o2", {"A": 3, "B": 1}),
        _record("o1~plain", {"A": 2, "B": 0}, "plain", "o1"),
        _record("o2~plain", {"A": 3, "B": 1}, "plain", "o2"),
    ]
    # Twin o1~plain: A 2 -> 1 (gap flips: 2 > 1 but 1 <= 1), B same. o2~plain: A 3 -> 3, B 1 -> 3.
    levels = {"o1": [2, 0], "o2": [3, 1], "o1~plain": [1, 0], "o2~plain": [3, 3]}
    res = fairness_report(_FixedLevels(levels, crit), records)
    plain = res["styles"]["plain"]
    assert plain["pairs"] == 2
    assert plain["mean_abs_diff"] == pytest.approx((1 + 0 + 0 + 2) / 4)
    assert plain["mean_abs_diff_per_criterion"] == pytest.approx({"A": 0.5, "B": 1.0})
    assert plain["mean_total_shift"] == pytest.approx((-1 + 2) / 2)
    assert plain["gap_flips"] == 2  # o1 A (2 -> 1) and o2 B (1 -> 3)
    assert res["styles"]["original"]["exact"] == pytest.approx(1.0)
    assert "| plain | 2 | 0.750 | +0.50 | 2 |" in fairness_table(res)


@pytest.fixture(scope="module")
def twin_figures(analyser):
    return fairness_report(analyser, load_records([TWINS]))


@pytest.mark.slow
def test_held_out_twins_cover_three_styles_with_accuracy_kept(twin_figures):
    styles = twin_figures["styles"]
    assert set(styles) == {"original", "esl", "jargon", "plain"}
    for style in ("esl", "jargon", "plain"):
        assert styles[style]["pairs"] >= 30, style
        # Rewording must not cost accuracy against the (shared) gold levels.
        assert styles[style]["qwk"] >= 0.80, (style, styles[style]["qwk"])
    assert np.isfinite(styles["original"]["qwk"])


# Known gap, measured and reported in the model card: plain-words twins still move a few levels
# (mean absolute difference 0.203 on 75 held-out pairs). The mark is strict: when a change brings
# plain words within target this test passes, the xfail reports it, and the mark must be removed.
_KNOWN_OVER = {"plain"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "style",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=f"{s}: known fairness gap, see model card"))
        if s in _KNOWN_OVER
        else s
        for s in ("esl", "jargon", "plain")
    ],
)
def test_style_twins_within_fairness_targets(twin_figures, style):
    e = twin_figures["styles"][style]
    assert e["mean_abs_diff"] <= TARGET_MEAN_ABS_DIFF, (style, e["mean_abs_diff"])
    assert abs(e["mean_total_shift"]) <= TARGET_TOTAL_SHIFT, (style, e["mean_total_shift"])


def _sentences(*texts: str):
    from analyser.nlp import SentenceInfo

    return [SentenceInfo(question="Q1", index=i, text=t, signals=[], n_words=len(t.split())) for i, t in enumerate(texts)]


def test_register_features_follow_how_a_nomination_is_written():
    from analyser.features import N_REGISTER, register_features

    formal = register_features(
        _sentences("Operationalised a comprehensive, intersectional stakeholder engagement programme systemwide.")
    )
    plain = register_features(_sentences("She met the mums.", "They talked.", "It went well."))
    # By hand: 8 words in one sentence against 9 words in three; the plain word lengths below.
    assert formal.shape == (N_REGISTER,)
    assert formal[0] == pytest.approx(np.log1p(8)) and plain[0] == pytest.approx(np.log1p(3))
    assert plain[1] == pytest.approx(np.mean([3, 3, 3, 4, 4, 6, 2, 4, 4]) / 5)
    assert formal[2] == pytest.approx(5 * 7 / 8)  # all words but "a" have nine letters or more
    assert plain[2] == 0.0
    assert np.array_equal(register_features([]), np.zeros(N_REGISTER))


def test_a_register_reading_aggregator_needs_the_register_and_uses_it():
    from analyser.heads import OrdinalClassifier
    from analyser.model import N_AGG, EvidenceModel

    rng = np.random.default_rng(0)
    crit = ["Q1.a", "Q1.b"]
    model = EvidenceModel(crit, None, None, None, None, None, None, register=True)
    # An aggregator whose level follows the first register feature, so that the register matters.
    X = rng.normal(size=(400, N_AGG + 3 + len(crit)))
    y = np.digitize(X[:, N_AGG], [-1.0, 0.0, 1.0])
    model.aggregator = OrdinalClassifier(C=10.0).fit(X, y)
    rel, cum = rng.random((4, 2)), rng.random((4, 2, 2))
    with pytest.raises(ValueError, match="register"):
        model.level_probabilities(rel, cum, crit)
    low = model.level_probabilities(rel, cum, crit, register=np.array([-2.0, 0.0, 0.0]))
    high = model.level_probabilities(rel, cum, crit, register=np.array([2.0, 0.0, 0.0]))
    assert np.allclose(low.sum(axis=1), 1) and np.allclose(high.sum(axis=1), 1)
    assert (low @ np.arange(4) < 1).all() and (high @ np.arange(4) > 2).all()
