"""Cross-validated fairness of training configurations, on the training split's style twins only.

    python scripts/fairness_cv.py --params '{}' --params '{"lexical_weight": 0.25}' --fold-seeds 0,1,2

A change meant to make the analyser fairer must be chosen without looking at the held-out twins,
or the held-out figures stop meaning anything. This script scores each configuration the way
training would see it: every training nomination (original or twin) gets its levels from heads and
an aggregator fitted on the other folds, folds never separating a twin from its original; then
the fairness figures (`analyser evaluate --fairness`) and the accuracy on originals are computed
from those levels. Several fold seeds show how much of a difference is the split's noise: with
about 50 twins per style, differences of 0.02 in the mean absolute level difference are within it.

The corpus is embedded once (float32, as in training) and reused by every configuration.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def training_data(corpus: Path, say: Any, encoder: Any = None, nlp: Any = None) -> tuple[Any, Any]:
    """(framework, SentenceData) of the corpus's training nominations and twins, embedded in float32
    as in training (with `encoder` and the spaCy pipeline `nlp` when given)."""
    sys.path.insert(0, str(ROOT))
    from analyser.corpus import load_records
    from analyser.criteria import load_framework
    from analyser.embed import Encoder
    from analyser.nlp import build_nlp
    from analyser.train import prepare

    fw = load_framework("inclusive-leader")
    records = [r for r in load_records([corpus]) if r.extra.get("split", "train") != "test"]
    say(f"embedding {len(records)} nominations")
    return fw, prepare(records, fw, nlp or build_nlp(None), encoder or Encoder(None, precision="float32"))


def evaluate_configs(
    corpus: Path,
    configs: list[dict[str, Any]],
    fold_seeds: list[int | None],
    progress: bool = True,
    encoder_path: Path | None = None,
) -> list[dict[str, Any]]:
    """Per configuration: the per-seed figures and their medians, with the packaged encoder or the
    local sentence-transformers model at `encoder_path`."""
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda _m: None)
    encoder = None
    if encoder_path is not None:
        sys.path.insert(0, str(ROOT))
        from analyser.embed import Encoder

        encoder = Encoder(encoder_path, precision="float32")
    fw, data = training_data(corpus, say, encoder)
    from analyser.train import cross_validated_levels

    out = []
    for cfg in configs:
        runs = []
        for seed in fold_seeds:
            say(f"{json.dumps(cfg)} fold seed {seed}")
            L = cross_validated_levels(data, {**cfg, "fold_seed": seed}, fw.question_ids)
            runs.append({"fold_seed": seed, **figures(data, L)})
        out.append(summarise(cfg, runs))
    return out


def figures(data: Any, levels: Any) -> dict[str, float]:
    """Accuracy on the originals and the fairness figures of cross-validated levels (n, k)."""
    from scipy.stats import spearmanr

    from analyser.fairness import fairness_from_levels
    from analyser.metrics import qwk

    records, gold = data.records, data.labels
    original = [i for i, r in enumerate(records) if str(r.extra.get("style", "original")) == "original"]
    run: dict[str, float] = {
        "qwk_originals": qwk(gold[original].reshape(-1), levels[original].reshape(-1)),
        "spearman_totals": float(spearmanr(gold[original].sum(1), levels[original].sum(1))[0]),
    }
    fair = fairness_from_levels(records, {r.id: levels[i] for i, r in enumerate(records)}, data.criteria)
    for style, s in fair["summary"].items():
        run[f"{style}_mean_abs_diff"] = s["mean_abs_diff"]
        run[f"{style}_total_shift"] = s["mean_total_shift"]
    return run


def summarise(cfg: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k in runs[0] if k != "fold_seed"]
    return {"params": cfg, "runs": runs, "median": {k: statistics.median(r[k] for r in runs) for k in keys}}


def render(results: list[dict[str, Any]]) -> str:
    keys = list(results[0]["median"]) if results else []
    lines = ["| params | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for r in results:
        lines.append(f"| `{json.dumps(r['params'])}` | " + " | ".join(f"{r['median'][k]:.3f}" for k in keys) + " |")
    return "\n".join(lines)


def parse_params(ap: argparse.ArgumentParser, params: list[str] | None) -> list[dict[str, Any]]:
    """The --params values as JSON objects (one empty object when none); a usage error otherwise."""
    try:
        configs = [json.loads(p) for p in (params or ["{}"])]
    except json.JSONDecodeError as exc:
        ap.error(f"--params is not valid JSON ({exc.msg})")
    if not all(isinstance(c, dict) for c in configs):
        ap.error("--params must be a JSON object")
    return configs


def parse_seeds(text: str) -> list[int | None]:
    """Comma-separated fold seeds; 'none' is the fixed split."""
    return [None if s.strip() == "none" else int(s) for s in text.split(",")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "train.jsonl")
    ap.add_argument(
        "--params",
        action="append",
        default=None,
        help="a JSON object of training parameters to try (repeat for several; default: the shipped ones)",
    )
    ap.add_argument("--fold-seeds", default="none", help="comma-separated fold seeds; 'none' is the fixed split")
    ap.add_argument(
        "--encoder",
        type=Path,
        help="a local sentence-transformers model to embed with instead of the packaged one (heads are refitted per fold)",
    )
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    configs = parse_params(ap, args.params)
    results = evaluate_configs(args.corpus, configs, parse_seeds(args.fold_seeds), encoder_path=args.encoder)
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
