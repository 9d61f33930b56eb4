"""`analyser evaluate GOLD.jsonl`: score the analyser and two baselines against labelled data.

Metrics, per sub-criterion and overall (bootstrap 95% intervals over nominations):
- coverage F1: level >= 1 as the positive class; gap F1: level <= 1 as the positive class
  (overall: macro average over sub-criteria);
- quadratic weighted kappa and exact agreement on levels (overall: pooled over sub-criteria);
- Spearman correlation of nomination totals (sum of the levels);
- evidence precision: cited sentences that are gold evidence for that sub-criterion;
- misplaced-evidence recall: gold misplaced (sentence, sub-criterion) pairs that are reported.
Baselines on the same file: keyword search (counts of the framework's keywords) and raw cosine
similarity of sentences to the sub-criterion descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from analyser.corpus import CorpusRecord, sentence_matches
from analyser.metrics import bootstrap_cis, exact, f1, qwk, spearman


@dataclass
class Predictions:
    system: str
    levels: np.ndarray  # (N, k)
    cited: list[dict[str, list[tuple[str, str]]]]  # per nomination: criterion -> [(sentence, question)]
    misplaced: list[list[tuple[str, str, str]]] = field(default_factory=list)  # (sentence, under, criterion)


def analyser_predictions(analyser: Any, records: Sequence[CorpusRecord]) -> tuple[Predictions, list[Any], list[Any]]:
    noms = [r.nomination for r in records]
    scored = analyser.score_many(noms)
    reports = [analyser.report(n, s) for n, s in zip(noms, scored, strict=True)]
    crit = analyser.framework.criterion_ids
    levels = np.array([[rep.criteria[c].strength for c in crit] for rep in reports])
    cited = [
        {c: [(e.sentence, e.question) for e in rep.criteria[c].evidence] for c in crit if rep.criteria[c].strength > 0}
        for rep in reports
    ]
    mis = [[(m.sentence, m.written_under, m.evidences) for m in rep.misplaced] for rep in reports]
    return Predictions("analyser", levels, cited, mis), scored, reports


def _keyword_re(words: Sequence[str]) -> re.Pattern[str]:
    alts = sorted((re.escape(w.lower()) for w in words), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.I)


def keyword_predictions(framework: Any, scored: Sequence[Any]) -> Predictions:
    """Baseline: a sub-criterion's level from how many of its keywords the nomination uses."""
    pats = [_keyword_re(c.keywords) for c in framework.criteria]
    crit = framework.criterion_ids
    levels = np.zeros((len(scored), len(crit)), dtype=int)
    cited: list[dict[str, list[tuple[str, str]]]] = []
    mis: list[list[tuple[str, str, str]]] = []
    for i, sc in enumerate(scored):
        c_cited: dict[str, list[tuple[str, str]]] = {}
        m: list[tuple[str, str, str]] = []
        for j, pat in enumerate(pats):
            hits = [s for s in sc.sentences if pat.search(s.text)]
            n = sum(len(pat.findall(s.text)) for s in sc.sentences)
            levels[i, j] = 0 if n == 0 else 1 if n == 1 else 2 if n <= 3 else 3
            if levels[i, j]:
                c_cited[crit[j]] = [(s.text, s.question) for s in hits[:6]]
                m.extend((s.text, s.question, crit[j]) for s in hits if s.question != crit[j].split(".")[0])
        cited.append(c_cited)
        mis.append(m)
    return Predictions("keyword search", levels, cited, mis)


COSINE_BINS = (0.30, 0.40, 0.50)


def cosine_predictions(framework: Any, scored: Sequence[Any], encoder: Any) -> Predictions:
    """Baseline: a level from the best raw cosine of any sentence to the sub-criterion text."""
    desc = encoder.encode([c.description for c in framework.criteria])
    crit = framework.criterion_ids
    levels = np.zeros((len(scored), len(crit)), dtype=int)
    cited: list[dict[str, list[tuple[str, str]]]] = []
    mis: list[list[tuple[str, str, str]]] = []
    for i, sc in enumerate(scored):
        c_cited: dict[str, list[tuple[str, str]]] = {}
        m: list[tuple[str, str, str]] = []
        if sc.sentences:
            emb = encoder.encode([s.text for s in sc.sentences])
            sims = emb @ desc.T
            for j in range(len(crit)):
                best = float(sims[:, j].max())
                levels[i, j] = int(np.searchsorted(COSINE_BINS, best, side="right"))
                if levels[i, j]:
                    order = np.argsort(-sims[:, j])
                    chosen = [k for k in order[:6] if sims[k, j] >= COSINE_BINS[0]]
                    c_cited[crit[j]] = [(sc.sentences[k].text, sc.sentences[k].question) for k in chosen]
                    q = crit[j].split(".")[0]
                    m.extend(
                        (sc.sentences[k].text, sc.sentences[k].question, crit[j])
                        for k in chosen
                        if sc.sentences[k].question != q and sims[k, j] >= COSINE_BINS[1]
                    )
        cited.append(c_cited)
        mis.append(m)
    return Predictions("raw cosine", levels, cited, mis)


def _evidence_hits(
    records: Sequence[CorpusRecord], pred: Predictions, crit: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(N, k) counts of cited sentences and of those that are gold evidence."""
    n_cited = np.zeros((len(records), len(crit)))
    n_good = np.zeros((len(records), len(crit)))
    for i, r in enumerate(records):
        for j, c in enumerate(crit):
            gold = [e for e in r.evidence if e.criterion == c]
            for sent, _q in pred.cited[i].get(c, []):
                n_cited[i, j] += 1
                if any(sentence_matches(sent, e.text) for e in gold):
                    n_good[i, j] += 1
    return n_cited, n_good


def _misplaced_hits(
    records: Sequence[CorpusRecord], pred: Predictions
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per record: gold misplaced items, those found; reported items, those that are gold."""
    n_gold = np.zeros(len(records))
    n_found = np.zeros(len(records))
    n_reported = np.zeros(len(records))
    n_right = np.zeros(len(records))
    for i, r in enumerate(records):
        for e in r.misplaced():
            n_gold[i] += 1
            if any(
                c == e.criterion and (not e.question or under == e.question) and sentence_matches(s, e.text)
                for s, under, c in (pred.misplaced[i] if pred.misplaced else [])
            ):
                n_found[i] += 1
        gold = r.misplaced()
        for s, _under, c in pred.misplaced[i] if pred.misplaced else []:
            n_reported[i] += 1
            if any(c == e.criterion and sentence_matches(s, e.text) for e in gold):
                n_right[i] += 1
    return n_gold, n_found, n_reported, n_right


def score(
    records: Sequence[CorpusRecord], pred: Predictions, crit: list[str], reps: int = 1000, seed: int = 0
) -> dict[str, Any]:
    gold = np.array([[r.labels.get(c, 0) for c in crit] for r in records])
    lv = pred.levels
    n_cited, n_good = _evidence_hits(records, pred, crit)
    n_gold_mis, n_found_mis, n_rep_mis, n_right_mis = _misplaced_hits(records, pred)
    has_evidence = any(r.evidence for r in records)

    def overall(idx: np.ndarray) -> dict[str, float]:
        g, p = gold[idx], lv[idx]
        out = {
            "coverage_f1": float(np.mean([f1(g[:, j] >= 1, p[:, j] >= 1) for j in range(len(crit))])),
            "gap_f1": float(np.mean([f1(g[:, j] <= 1, p[:, j] <= 1) for j in range(len(crit))])),
            "qwk": qwk(g.reshape(-1), p.reshape(-1)),
            "exact": exact(g, p),
            "spearman_totals": spearman(g.sum(axis=1), p.sum(axis=1)),
        }
        c = n_cited[idx].sum()
        out["evidence_precision"] = float(n_good[idx].sum() / c) if c and has_evidence else float("nan")
        gm = n_gold_mis[idx].sum()
        out["misplaced_recall"] = float(n_found_mis[idx].sum() / gm) if gm else float("nan")
        rep = n_rep_mis[idx].sum()
        out["misplaced_precision"] = float(n_right_mis[idx].sum() / rep) if rep else float("nan")
        return out

    def per_crit(idx: np.ndarray, j: int) -> dict[str, float]:
        g, p = gold[idx, j], lv[idx, j]
        c = n_cited[idx, j].sum()
        return {
            "coverage_f1": f1(g >= 1, p >= 1),
            "gap_f1": f1(g <= 1, p <= 1),
            "qwk": qwk(g, p),
            "exact": exact(g, p),
            "evidence_precision": float(n_good[idx, j].sum() / c) if c and has_evidence else float("nan"),
        }

    n = len(records)
    all_idx = np.arange(n)
    result: dict[str, Any] = {"system": pred.system, "n": n, "overall": {}, "criteria": {}}
    cis = bootstrap_cis(overall, n, reps=reps, seed=seed)
    for key, val in overall(all_idx).items():
        result["overall"][key] = {"value": val, "ci": list(cis.get(key, (float("nan"), float("nan"))))}
    for j, c in enumerate(crit):
        cis = bootstrap_cis(partial(per_crit, j=j), n, reps=reps // 5, seed=seed)
        result["criteria"][c] = {
            key: {"value": val, "ci": list(cis.get(key, (float("nan"), float("nan"))))}
            for key, val in per_crit(all_idx, j).items()
        }
    return result


def evaluate_records(
    analyser: Any, records: Sequence[CorpusRecord], reps: int = 1000, baselines: bool = True
) -> dict[str, Any]:
    crit = analyser.framework.criterion_ids
    pred, scored, reports = analyser_predictions(analyser, records)
    systems = [score(records, pred, crit, reps)]
    if baselines:
        systems.append(score(records, keyword_predictions(analyser.framework, scored), crit, reps))
        systems.append(score(records, cosine_predictions(analyser.framework, scored, analyser.encoder), crit, reps))
    gold = np.array([[r.labels.get(c, 0) for c in crit] for r in records])
    worst = []
    for i, r in enumerate(records):
        for j, c in enumerate(crit):
            d = int(pred.levels[i, j]) - int(gold[i, j])
            if abs(d) >= 2:
                worst.append({"id": r.id, "criterion": c, "gold": int(gold[i, j]), "predicted": int(pred.levels[i, j])})
    return {
        "criteria": crit,
        "systems": systems,
        "disagreements": worst,
        "gold_levels": gold.tolist(),
        "predicted_levels": pred.levels.tolist(),
        "level_probabilities": [rep.criteria[c].probabilities for rep in reports for c in crit],
        "ids": [r.id for r in records],
    }
