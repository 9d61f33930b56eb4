"""Cross-validated fairness of scoring a nomination under two segmentations and averaging the levels.

    python scripts/segmentation_views_cv.py --fold-seeds 0,1,2 --json docs/segmentation-views-cv.json

Plain writing splits one example into several short sentences; the originals say it in one long
sentence. The sentence-level model's errors then land on different sub-criteria in the two versions.
This experiment adds a second view in which every sentence of at least `--min-words` words is cut
into clauses (at semicolons, colons, dashes and before joining words such as ", and" or ", which"),
so that long and short writing are cut up alike. Each view gets its own heads and aggregator,
fitted per fold exactly as in `scripts/fairness_cv.py`; the variants are each view alone, the mean
of the two views' expected levels, and one aggregator reading both views' features.

`--span-pooled` embeds no clause: a clause's vector is its sentence's token vectors averaged over
the clause's span, so the encoder runs once per sentence as it does now.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fairness_cv import figures, parse_seeds, summarise, training_data  # noqa: E402

_JOINS = (
    r"(?:and|but|so|which|who|whose|where|while|because|including|after|before|when|then|as|with"
    r"|until|since|although|though)"
)
_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s*:\s+|\s+[–—-]\s+|,\s+(?=" + _JOINS + r"\b)"
    r"|\s+(?=(?:so that|because|which meant|and then|and now|and has|and is|and was|and she|and he"
    r"|and they|after which)\b)"
)


def clauses(text: str, min_words: int = 10) -> list[str]:
    """The clauses of a sentence of at least `min_words` words (the sentence itself otherwise);
    pieces under four words stay joined to their neighbour."""
    if len(text.split()) < min_words:
        return [text]
    out: list[str] = []
    for piece in (p.strip(" ,") for p in _CLAUSE_BREAK.split(text)):
        if not piece:
            continue
        if out and (len(piece.split()) < 4 or len(out[-1].split()) < 4):
            out[-1] = out[-1] + " " + piece
        else:
            out.append(piece)
    return out or [text]


def clause_view(data: Any, fw: Any, nlp: Any, encoder: Any, min_words: int) -> Any:
    """The same nominations with every answer rewritten one clause a line, then split, marked, embedded
    and aligned to the gold evidence exactly as training does."""
    from analyser.train import prepare

    records = []
    for r, ss in zip(data.records, data.sentences, strict=True):
        answers = {
            q: "\n".join(c for s in ss if s.question == q for c in clauses(s.text, min_words))
            for q in r.nomination.answers
        }
        records.append(dataclasses.replace(r, nomination=dataclasses.replace(r.nomination, answers=answers)))
    view = prepare(records, fw, nlp, encoder)
    view.records = data.records
    return view


def span_pooled(data: Any, view: Any, model: Any) -> Any:
    """`view` with each clause's vector replaced by its sentence's token vectors averaged over the
    clause (kept as embedded when the clause cannot be found in one sentence)."""
    import torch

    from analyser.features import sentence_matrix
    from analyser.nlp import is_team

    texts = list(dict.fromkeys(s.model_text for ss in data.sentences for s in ss))
    with torch.inference_mode():
        tokens = model.encode(texts, output_value="token_embeddings", convert_to_numpy=False, batch_size=32)
    vectors = {t: v.float().numpy() for t, v in zip(texts, tokens, strict=True)}
    spans = {
        t: model.tokenizer(t, return_offsets_mapping=True, truncation=True, max_length=model.max_seq_length)[
            "offset_mapping"
        ]
        for t in texts
    }
    out = copy.copy(view)
    out.X, out.emb = [], []
    for r, ss, units, emb in zip(data.records, data.sentences, view.sentences, view.emb, strict=True):
        new = emb.copy()
        for u, unit in enumerate(units):
            for s in ss:
                at = s.model_text.find(unit.model_text) if s.question == unit.question else -1
                if at < 0:
                    continue
                end = at + len(unit.model_text)
                idx = [i for i, (a, b) in enumerate(spans[s.model_text]) if b > a and a < end and b > at]
                if idx:
                    v = vectors[s.model_text][idx].mean(0)
                    new[u] = v / np.linalg.norm(v)
                break
        out.emb.append(new.astype(np.float32))
        out.X.append(sentence_matrix(out.emb[-1], units, is_team(r.nomination)))
    return out


def view_levels(
    views: list[Any], question_ids: list[str], seed: int | None, params: dict[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """Levels of every variant: each view alone, the mean of their expected levels, both read together."""
    from threadpoolctl import threadpool_limits

    from analyser import train as T
    from analyser.model import EvidenceModel

    p = {**T.DEFAULT_PARAMS, **(params or {}), "fold_seed": seed}
    data = views[0]
    holder = EvidenceModel(data.criteria, None, None, None, None, None, None, register=bool(p["register_features"]))
    with threadpool_limits(limits=1, user_api="blas"):  # as in training: one BLAS thread is faster here
        oof = [T.out_of_fold(v, p, question_ids) for v in views]
    A = [T._aggregator_rows(holder, o, data.criteria, T._registers(v)) for o, v in zip(oof, views, strict=True)]
    fold_of = T.assign_folds(data.records, p["folds"], seed)
    E = [T.fold_expected_levels(a, data.labels, fold_of, p["aggregator_C"]) for a in A]
    variants = {"sentences": E[0], "clauses": E[1], "mean": np.mean(E, axis=0)}
    variants["both read together"] = T.fold_expected_levels(
        np.concatenate(A, axis=2), data.labels, fold_of, p["aggregator_C"]
    )
    return {k: np.clip(np.rint(v), 0, 3).astype(int) for k, v in variants.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "train.jsonl")
    ap.add_argument("--min-words", type=int, default=10, help="sentences shorter than this are not cut")
    ap.add_argument("--span-pooled", action="store_true", help="clause vectors from their sentence's token vectors")
    ap.add_argument("--fold-seeds", default="0,1,2", help="comma-separated fold seeds; 'none' is the fixed split")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    from analyser.embed import Encoder
    from analyser.nlp import build_nlp

    def say(m: str) -> None:
        print(m, file=sys.stderr, flush=True)

    encoder, nlp = Encoder(None, precision="float32"), build_nlp(None)
    fw, data = training_data(args.corpus, say, encoder, nlp)
    say("cutting into clauses")
    view = clause_view(data, fw, nlp, encoder, args.min_words)
    if args.span_pooled:
        view = span_pooled(data, view, encoder.model)
    runs: dict[str, list[dict[str, Any]]] = {}
    for seed in parse_seeds(args.fold_seeds):
        say(f"fold seed {seed}")
        for name, levels in view_levels([data, view], fw.question_ids, seed).items():
            runs.setdefault(name, []).append({"fold_seed": seed, **figures(data, levels)})
    results = [
        summarise({"variant": k, "min_words": args.min_words, "span_pooled": args.span_pooled}, r)
        for k, r in runs.items()
    ]
    for r in results:
        print(json.dumps({"variant": r["params"]["variant"], **{k: round(v, 3) for k, v in r["median"].items()}}))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
