"""Would a fine-tuned encoder make the analyser fairer? Cross-validated on the training twins only.

    python scripts/encoder_finetune_cv.py --params '{"epochs": 4, "lr": 2e-4, "twin": 3.0}' --fold-seeds 0,1,2

An experiment, not part of the analyser: the shipped model reads the packaged encoder unchanged.
For each fold, a copy of the encoder's last transformer layer is fine-tuned on the other folds'
sentences: gold relevance (one logistic output per sub-criterion) and gold strength of the
relevant ones (three classes per sub-criterion), plus, with `twin` > 0, a pull between a twin's
evidence sentence and its original's sentences evidencing the same sub-criterion at the same level
in the same answer (in-batch contrastive: closer to its own original sentence than to the others'). Every nomination is then embedded with that fold's layer, and the
shipped heads and aggregator are fitted and scored exactly as in scripts/fairness_cv.py, so the
figures compare with its table. The lower layers stay frozen and their output is computed once, so
a fold costs about half a minute.

Parameters (JSON): epochs (0 = the packaged encoder), lr (the layer's), head_lr, labels (weight of
the gold-label losses), twin (weight of the twin pull), batch, seed; any other key is a training parameter of the heads.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FINETUNE_KEYS = {"epochs": 3, "lr": 1e-4, "head_lr": 2e-3, "labels": 1.0, "twin": 0.0, "batch": 32, "seed": 0}


class LastLayer:
    """The encoder split at its last transformer layer: the frozen lower layers' token states of
    every sentence, and a trainable copy of the last layer with the model's mean pooling."""

    def __init__(self, st: Any, texts: list[str], say: Any):
        """`st`: a loaded float32 SentenceTransformer (mean pooling), left unchanged."""
        import torch

        self.bert = st[0].auto_model
        self.layers = self.bert.encoder.layer
        tok = st.tokenizer
        say(f"lower layers over {len(texts)} sentences")
        self.states: list[Any] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.no_grad():
            for b in range(0, len(order), 64):
                ids = order[b : b + 64]
                enc = tok([texts[i] for i in ids], padding=True, truncation=True, max_length=256, return_tensors="pt")
                h = self.bert(**enc, output_hidden_states=True).hidden_states[len(self.layers) - 1]
                for k, i in enumerate(ids):
                    self.states[i] = h[k, : int(enc["attention_mask"][k].sum())].clone()
        self.lengths = np.array([s.shape[0] for s in self.states])

    def pooled(self, layer: Any, ids: np.ndarray) -> Any:
        import torch

        width = int(self.lengths[ids].max())
        x = torch.zeros(len(ids), width, self.states[0].shape[1])
        mask = torch.zeros(len(ids), width)
        for k, i in enumerate(ids):
            x[k, : self.lengths[i]] = self.states[i]
            mask[k, : self.lengths[i]] = 1
        additive = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
        # bfloat16 autocast: about four times faster on this machine's AMX, and the layer's float32
        # weights are what is learned.
        with torch.autocast("cpu", dtype=torch.bfloat16):
            y = layer(x, attention_mask=additive)
        y = (y[0] if isinstance(y, tuple) else y).float()
        return torch.nn.functional.normalize((y * mask[..., None]).sum(1) / mask.sum(1, keepdim=True), dim=1)

    def embed(self, layer: Any) -> np.ndarray:
        import torch

        out = np.zeros((len(self.states), self.states[0].shape[1]), np.float32)
        order = np.argsort(self.lengths)
        with torch.no_grad():
            for b in range(0, len(order), 128):
                ids = order[b : b + 128]
                out[ids] = self.pooled(layer, ids).numpy()
        return out


def twin_pairs(
    data: Any, offsets: np.ndarray, rel: np.ndarray, lvl: np.ndarray, train: list[int]
) -> list[tuple[int, int]]:
    """(twin sentence, original sentence) pairs that evidence a sub-criterion at the same level in
    the same answer, both nominations in `train`. Sentences are numbered across the corpus;
    `offsets[i]` is nomination i's first."""
    index = {r.id: i for i, r in enumerate(data.records)}
    inside = set(train)
    pairs = []
    for t in train:
        o = index.get(str(data.records[t].extra.get("twin_of") or ""))
        if o is None or o not in inside:
            continue
        for a, sa in enumerate(data.sentences[t], start=int(offsets[t])):
            for b, sb in enumerate(data.sentences[o], start=int(offsets[o])):
                if sa.question == sb.question and ((rel[a] * rel[b]) & (lvl[a] == lvl[b])).any():
                    pairs.append((a, b))
    return pairs


def finetune(split: LastLayer, data: Any, offsets: np.ndarray, train: list[int], ft: dict[str, Any], say: Any) -> Any:
    import torch

    torch.manual_seed(ft["seed"])
    rel, lvl = np.vstack(data.rel), np.vstack(data.lvl)
    k = rel.shape[1]
    layer = copy.deepcopy(split.layers[-1]).train()
    dim = split.states[0].shape[1]
    head_rel, head_str = torch.nn.Linear(dim, k), torch.nn.Linear(dim, 3 * k)
    opt = torch.optim.AdamW(
        [
            {"params": layer.parameters(), "lr": ft["lr"]},
            {"params": [*head_rel.parameters(), *head_str.parameters()], "lr": ft["head_lr"]},
        ],
        weight_decay=0.01,
    )
    sentences = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in train]).astype(int)
    pairs = twin_pairs(data, offsets, rel, lvl, train) if ft["twin"] else []
    rel_t, lvl_t = torch.tensor(rel, dtype=torch.float32), torch.tensor(lvl)
    rng = np.random.default_rng(ft["seed"])
    for epoch in range(ft["epochs"]):
        # Batches of similar length (less padding), in random order.
        perm = sentences[np.argsort(split.lengths[sentences] + rng.random(len(sentences)) * 6)]
        batches = [perm[b : b + ft["batch"]] for b in range(0, len(perm), ft["batch"])]
        rng.shuffle(batches)
        total = 0.0
        for ids in batches:
            # Cosines are small numbers; the heads see them scaled as a logistic head on
            # normalised embeddings would want.
            e = split.pooled(layer, ids) * 8
            loss = torch.nn.functional.binary_cross_entropy_with_logits(head_rel(e), rel_t[ids])
            relevant = rel_t[ids] > 0
            if relevant.any():
                logits = head_str(e).view(len(ids), k, 3)[relevant]
                loss = loss + torch.nn.functional.cross_entropy(logits, lvl_t[ids][relevant].clamp(1, 3) - 1)
            loss = ft["labels"] * loss
            if pairs:
                pick = [pairs[q] for q in rng.integers(0, len(pairs), max(1, ft["batch"] // 2))]
                a = split.pooled(layer, np.array([p[0] for p in pick]))
                b = split.pooled(layer, np.array([p[1] for p in pick]))
                # In-batch contrastive (InfoNCE): each twin sentence must be closer to its own
                # original than to the others' originals. A pull on the pairs alone lets every
                # sentence drift together.
                target = torch.arange(len(pick))
                loss = loss + ft["twin"] * torch.nn.functional.cross_entropy(20 * a @ b.T, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.item())
        say(f"  epoch {epoch + 1}/{ft['epochs']}: loss {total / max(1, len(batches)):.4f}")
    return layer.eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "train.jsonl")
    ap.add_argument("--params", action="append", default=None, help="a JSON object (repeat for several)")
    ap.add_argument("--fold-seeds", default="0", help="comma-separated fold seeds")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    seeds = [int(s) for s in args.fold_seeds.split(",")]

    sys.path.insert(0, str(ROOT))
    import torch
    from fairness_cv import figures, parse_params, render, summarise, training_data

    from analyser.embed import Encoder
    from analyser.features import sentence_matrix
    from analyser.nlp import is_team
    from analyser.train import cross_validated_levels

    configs = parse_params(ap, args.params)
    torch.set_num_threads(2)
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    encoder = Encoder(None, precision="float32")
    fw, data = training_data(args.corpus, say, encoder)
    records = data.records
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in data.texts])]).astype(int)
    split = LastLayer(encoder.model, [t for ts in data.texts for t in ts], say)

    results = []
    for cfg in configs:
        ft = {k: cfg.get(k, v) for k, v in FINETUNE_KEYS.items()}
        head_params = {k: v for k, v in cfg.items() if k not in FINETUNE_KEYS}
        runs = []
        for seed in seeds:
            started = time.time()

            def features(
                fold: int, train: list[int], ft: dict[str, Any] = ft, tag: str = json.dumps(cfg)
            ) -> list[np.ndarray]:
                say(f"{tag} fold {fold + 1}")
                layer = finetune(split, data, offsets, train, ft, say) if ft["epochs"] else split.layers[-1]
                vectors = split.embed(layer)
                return [
                    sentence_matrix(vectors[offsets[i] : offsets[i + 1]], data.sentences[i], is_team(r.nomination))
                    for i, r in enumerate(records)
                ]

            levels = cross_validated_levels(
                data, {**head_params, "fold_seed": seed}, fw.question_ids, fold_features=features
            )
            runs.append({"fold_seed": seed, **figures(data, levels)})
            say(f"fold seed {seed}: {time.time() - started:.0f} s")
        results.append(summarise(cfg, runs))
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
