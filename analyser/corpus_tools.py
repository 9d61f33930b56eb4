"""Corpus commands' logic: build the splits, describe the corpus, measure annotator agreement."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analyser.corpus import CORPUS_DIR, load_records, records_to_jsonl, sentence_matches
from analyser.metrics import exact, f1, qwk

CRITERIA = ["Q1.a", "Q1.b", "Q2.a", "Q2.b", "Q2.c", "Q3.a", "Q3.b", "Q4.a", "Q4.b"]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build(corpus_dir: Path = CORPUS_DIR) -> dict[str, int]:
    """Write train.jsonl, heldout.jsonl and heldout-twins.jsonl from raw/, twins/ and splits.json."""
    from analyser.corpus import split_of

    splits_path = corpus_dir / "splits.json"
    splits = json.loads(splits_path.read_text(encoding="utf-8"))
    test = set(splits["test"])
    known = set(splits.get("train", [])) | test
    originals: list[dict[str, Any]] = []
    for f in sorted((corpus_dir / "raw").glob("*.jsonl")):
        originals.extend(_read_jsonl(f))
    # A nomination added later gets its split from its id's hash, once, and keeps it.
    new = [r["id"] for r in originals if r["id"] not in known]
    if new:
        test |= {i for i in new if split_of(i) == "test"}
        splits["test"] = sorted(test)
        splits["train"] = sorted({r["id"] for r in originals} - test)
        splits_path.write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    twins: list[dict[str, Any]] = []
    for f in sorted((corpus_dir / "twins").glob("*.jsonl")) if (corpus_dir / "twins").exists() else []:
        twins.extend(_read_jsonl(f))
    by_id = {r["id"]: r for r in originals}
    for t in twins:
        if t.get("twin_of") not in by_id:
            raise ValueError(f"twin {t.get('id')} names unknown original {t.get('twin_of')!r}")
    train: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    held_twins: list[dict[str, Any]] = []
    for r in originals:
        r = {**r, "style": r.get("style", "original"), "split": "test" if r["id"] in test else "train"}
        (held if r["split"] == "test" else train).append(r)
    twin_sources = {t["twin_of"] for t in twins}
    for t in twins:
        t = {**t, "split": "test" if t["twin_of"] in test else "train"}
        if t["split"] == "test":
            held_twins.append(t)
        else:
            train.append(t)
    held_twins = [r for r in held if r["id"] in twin_sources] + held_twins
    records_to_jsonl(train, corpus_dir / "train.jsonl")
    records_to_jsonl(held, corpus_dir / "heldout.jsonl")
    records_to_jsonl(held_twins, corpus_dir / "heldout-twins.jsonl")
    return {"train": len(train), "heldout": len(held), "heldout_twins": len(held_twins)}


def _words(r: dict[str, Any]) -> int:
    return sum(len(str(a).split()) for a in r["answers"].values())


def stats_markdown(corpus_dir: Path = CORPUS_DIR) -> str:
    """The corpus's make-up and label distribution, as Markdown for corpora/README.md."""
    out: list[str] = []
    files = {
        "train": corpus_dir / "train.jsonl",
        "held-out": corpus_dir / "heldout.jsonl",
    }
    recs = {k: _read_jsonl(v) for k, v in files.items() if v.exists()}
    twins_file = corpus_dir / "heldout-twins.jsonl"
    if twins_file.exists():
        # The held-out originals with twins are already counted under held-out.
        recs["held-out twins"] = [r for r in _read_jsonl(twins_file) if r.get("style", "original") != "original"]
    out.append(
        "| split | nominations | originals | style twins | team | words (median) | words (min-max) "
        "| evidence items | misplaced items |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for k, rs in recs.items():
        words = [_words(r) for r in rs]
        ev = sum(len(r.get("evidence", [])) for r in rs)
        mis = sum(1 for r in rs for e in r.get("evidence", []) if e["criterion"].split(".")[0] != e["question"])
        orig = sum(1 for r in rs if r.get("style", "original") == "original")
        out.append(
            f"| {k} | {len(rs)} | {orig} | {len(rs) - orig} | {sum(r.get('nominee_type') == 'team' for r in rs)} | "
            f"{int(np.median(words))} | {min(words)}-{max(words)} | {ev} | {mis} |"
        )
    out.append("")
    all_orig = [r for rs in recs.values() for r in rs if r.get("style", "original") == "original"]
    out.append(
        f"Label distribution over all {len(all_orig)} original nominations (count of nominations at each level):"
    )
    out.append("")
    out.append("| level | " + " | ".join(CRITERIA) + " |")
    out.append("|---|" + "---|" * len(CRITERIA))
    for lvl in range(4):
        counts = [sum(r["labels"][c] == lvl for r in all_orig) for c in CRITERIA]
        out.append(f"| {lvl} | " + " | ".join(str(c) for c in counts) + " |")
    out.append("")
    settings = Counter(r.get("setting", "other") for r in all_orig)
    out.append("Settings: " + ", ".join(f"{k} {v}" for k, v in settings.most_common()) + ".")
    styles = Counter(r.get("style", "original") for rs in recs.values() for r in rs)
    out.append("")
    out.append("Styles: " + ", ".join(f"{k} {v}" for k, v in styles.most_common()) + ".")
    return "\n".join(out) + "\n"


def agreement(a_files: Sequence[Path], b_files: Sequence[Path]) -> dict[str, Any]:
    """Agreement between two independent labellings of the same nominations."""
    a = {r.id: r for r in load_records(a_files)}
    b = {r.id: r for r in load_records(b_files)}
    ids = sorted(set(a) & set(b))
    A = np.array([[a[i].labels[c] for c in CRITERIA] for i in ids])
    B = np.array([[b[i].labels[c] for c in CRITERIA] for i in ids])
    per = {}
    for j, c in enumerate(CRITERIA):
        per[c] = {
            "qwk": qwk(A[:, j], B[:, j]),
            "exact": exact(A[:, j], B[:, j]),
            "coverage_f1": f1(A[:, j] >= 1, B[:, j] >= 1),
            "gap_f1": f1(A[:, j] <= 1, B[:, j] <= 1),
        }
    from analyser.metrics import spearman

    # Evidence agreement: B's evidence sentences that A also lists for the same sub-criterion.
    shared = total = 0
    for i in ids:
        for e in b[i].evidence:
            total += 1
            if any(x.criterion == e.criterion and sentence_matches(x.text, e.text) for x in a[i].evidence):
                shared += 1
    return {
        "n": len(ids),
        "criteria": per,
        "overall": {
            "qwk": qwk(A.reshape(-1), B.reshape(-1)),
            "exact": exact(A, B),
            "coverage_f1": float(np.mean([per[c]["coverage_f1"] for c in CRITERIA])),
            "gap_f1": float(np.mean([per[c]["gap_f1"] for c in CRITERIA])),
            "spearman_totals": spearman(A.sum(axis=1), B.sum(axis=1)),
            "evidence_overlap": shared / total if total else float("nan"),
        },
    }


def agreement_markdown(res: dict[str, Any]) -> str:
    out = [f"Two independent labellings of {res['n']} nominations:", ""]
    out.append("| | " + " | ".join(CRITERIA) + " | overall |")
    out.append("|---|" + "---|" * (len(CRITERIA) + 1))
    for key, name in (
        ("qwk", "QWK"),
        ("exact", "exact agreement"),
        ("coverage_f1", "coverage F1"),
        ("gap_f1", "gap F1"),
    ):
        vals = [f"{res['criteria'][c][key]:.2f}" for c in CRITERIA]
        out.append(f"| {name} | " + " | ".join(vals) + f" | {res['overall'][key]:.2f} |")
    o = res["overall"]
    out.append("")
    out.append(
        f"Spearman of nomination totals {o['spearman_totals']:.2f}; "
        f"{o['evidence_overlap']:.0%} of the second annotator's evidence items are also evidence for the first."
    )
    return "\n".join(out) + "\n"


def sentence_view(records_path: Path, out_path: Path, nlp: Any) -> int:
    """One row per analyser sentence with its gold level per sub-criterion (0 = not evidence)."""
    from analyser.corpus import align
    from analyser.nlp import process_nominations

    recs = load_records([records_path])
    sents = process_nominations(nlp, [r.nomination for r in recs])
    rows = []
    for r, ss in zip(recs, sents, strict=True):
        _, lvl = align(ss, r.evidence, CRITERIA)
        for i, s in enumerate(ss):
            rows.append(
                {
                    "id": r.id,
                    "question": s.question,
                    "index": s.index,
                    "text": s.text,
                    "signals": s.signals,
                    "levels": {c: int(lvl[i, j]) for j, c in enumerate(CRITERIA) if lvl[i, j]},
                }
            )
    records_to_jsonl(rows, out_path)
    return len(rows)
