"""Training is deterministic, the artefact round-trips, and the shipped model beats the baselines."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    lines = [ln for ln in (ROOT / "corpora" / "train.jsonl").read_text().splitlines() if ln.strip()]
    originals = [ln for ln in lines if '"style": "original"' in ln][:45]
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("\n".join(originals) + "\n")
    return path


@pytest.fixture(scope="module")
def two_trainings(small_corpus, tmp_path_factory):
    from analyser.train import train

    out = tmp_path_factory.mktemp("models")
    params = {"folds": 3}
    a = train([small_corpus], out / "a", params=params)
    b = train([small_corpus], out / "b", params=params)
    return a, b, out


def _scores(model, analyser):
    """Scores of held-out sentences by a model, through the analyser's own feature path."""
    from analyser.corpus import load_records

    recs = load_records([ROOT / "corpora" / "heldout.jsonl"])[:6]
    analyser._model = model
    try:
        return [s.level_probs for s in analyser.score_many([r.nomination for r in recs])]
    finally:
        analyser._model = None


def test_training_is_deterministic(two_trainings, analyser):
    a, b, out = two_trainings
    meta_a = json.loads((out / "a" / "meta.json").read_text())
    meta_b = json.loads((out / "b" / "meta.json").read_text())
    for m in (meta_a, meta_b):
        m.pop("training_seconds")
        m.pop("name")
    assert meta_a == meta_b
    assert meta_a["corpus_hash"] and meta_a["embedding_model_id"] and meta_a["framework_version"] == "1.0"
    for pa, pb in zip(_scores(a, analyser), _scores(b, analyser), strict=True):
        assert np.array_equal(pa, pb)


def test_artefact_round_trips(two_trainings, analyser):
    from analyser.model import EvidenceModel

    a, _, out = two_trainings
    loaded = EvidenceModel.load(out / "a")
    assert loaded.criteria == a.criteria and loaded.thresholds == a.thresholds
    for pa, pl in zip(_scores(a, analyser), _scores(loaded, analyser), strict=True):
        assert np.array_equal(pa, pl)


def test_broken_model_folder_is_a_clear_error(tmp_path):
    from analyser.errors import ConfigError
    from analyser.model import EvidenceModel

    with pytest.raises(ConfigError, match="not a model folder"):
        EvidenceModel.load(tmp_path)
    (tmp_path / "meta.json").write_text("{")
    (tmp_path / "heads.joblib").write_bytes(b"")
    with pytest.raises(ConfigError, match="not valid JSON"):
        EvidenceModel.load(tmp_path)


def test_shipped_model_beats_both_baselines_on_heldout(analyser):
    from analyser.corpus import load_records
    from analyser.evaluate import evaluate_records

    res = evaluate_records(analyser, load_records([ROOT / "corpora" / "heldout.jsonl"]), reps=0)
    ours, keyword, cosine = (s["overall"] for s in res["systems"])
    for metric in (
        "qwk",
        "coverage_f1",
        "gap_f1",
        "exact",
        "spearman_totals",
        "evidence_precision",
        "misplaced_recall",
    ):
        assert ours[metric]["value"] > keyword[metric]["value"], metric
        assert ours[metric]["value"] > cosine[metric]["value"], metric
    # The shipped card reports these same figures.
    card = (ROOT / "models" / "inclusive-leader-v1" / "README.md").read_text()
    assert f"| QWK | {ours['qwk']['value']:.2f}" in card
