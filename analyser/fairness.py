"""`analyser evaluate --fairness`: does the same evidence get the same level however it is written?

Input: a corpus file holding originals and their style twins (`twin_of`, `style`), e.g.
corpora/heldout-twins.jsonl. For each style: the mean absolute difference of each sub-criterion's
level between twin and original, the mean shift of the nomination total, how many gaps flip
(level <= 1 on one side only), and accuracy against gold per style.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from analyser.corpus import CorpusRecord
from analyser.metrics import exact, qwk

# Targets from the fairness issue, per style.
TARGET_MEAN_ABS_DIFF = 0.15
TARGET_TOTAL_SHIFT = 0.5


def fairness_report(analyser: Any, records: Sequence[CorpusRecord]) -> dict[str, Any]:
    crit = analyser.framework.criterion_ids
    reports = analyser.analyse_many([r.nomination for r in records])
    levels = {r.id: np.array([rep.criteria[c].strength for c in crit]) for r, rep in zip(records, reports, strict=True)}
    return fairness_from_levels(records, levels, crit)


def fairness_from_levels(
    records: Sequence[CorpusRecord], levels: dict[str, np.ndarray], crit: list[str]
) -> dict[str, Any]:
    """The fairness figures from each record's levels (in `crit` order), however they were made:
    by the shipped model, or out of fold during training (`scripts/fairness_cv.py`)."""
    gold = {r.id: np.array([r.labels.get(c, 0) for c in crit]) for r in records}
    style_of = {r.id: str(r.extra.get("style", "original")) for r in records}
    twin_of = {r.id: str(r.extra.get("twin_of") or "") for r in records}
    styles = sorted({s for s in style_of.values() if s != "original"})
    out: dict[str, Any] = {"criteria": crit, "styles": {}, "summary": {}}
    for style in ["original", *styles]:
        ids = [i for i in levels if style_of[i] == style]
        G = np.array([gold[i] for i in ids])
        P = np.array([levels[i] for i in ids])
        entry: dict[str, Any] = {
            "n": len(ids),
            "qwk": qwk(G.reshape(-1), P.reshape(-1)) if ids else float("nan"),
            "exact": exact(G, P) if ids else float("nan"),
        }
        if style != "original":
            pairs = [(i, twin_of[i]) for i in ids if twin_of[i] in levels]
            D = np.array([levels[t] - levels[o] for t, o in pairs]) if pairs else np.zeros((0, len(crit)))
            flips = int(sum(((levels[t] <= 1) != (levels[o] <= 1)).sum() for t, o in pairs))
            entry.update(
                {
                    "pairs": len(pairs),
                    "mean_abs_diff": float(np.abs(D).mean()) if len(D) else float("nan"),
                    "mean_abs_diff_per_criterion": {c: float(np.abs(D[:, j]).mean()) for j, c in enumerate(crit)}
                    if len(D)
                    else {},
                    "mean_total_shift": float(D.sum(axis=1).mean()) if len(D) else float("nan"),
                    "gap_flips": flips,
                    "gap_flips_per_nomination": flips / len(pairs) if pairs else float("nan"),
                }
            )
            out["summary"][style] = {
                "mean_abs_diff": entry["mean_abs_diff"],
                "mean_total_shift": entry["mean_total_shift"],
                "gap_flips": flips,
                "pairs": len(pairs),
                "qwk": entry["qwk"],
            }
        out["styles"][style] = entry
    return out


def fairness_table(res: dict[str, Any]) -> str:
    lines = [
        "| style | twins | mean abs level difference | mean total shift | gaps flipped | QWK vs gold | exact vs gold |",
        "|---|---|---|---|---|---|---|",
    ]
    for style, e in res["styles"].items():
        if style == "original":
            lines.append(f"| original | {e['n']} | - | - | - | {e['qwk']:.2f} | {e['exact']:.2f} |")
            continue
        lines.append(
            f"| {style} | {e['pairs']} | {e['mean_abs_diff']:.3f} | {e['mean_total_shift']:+.2f} | "
            f"{e['gap_flips']} | {e['qwk']:.2f} | {e['exact']:.2f} |"
        )
    lines.append("")
    lines.append(
        f"Targets per style: mean absolute level difference <= {TARGET_MEAN_ABS_DIFF} per sub-criterion, "
        f"total shift within ±{TARGET_TOTAL_SHIFT} per nomination."
    )
    return "\n".join(lines)


def render_fairness(res: dict[str, Any]) -> str:
    out = ["Fairness across writing styles (twin vs original, same facts and labels)", "", fairness_table(res), ""]
    crit = res["criteria"]
    styles = [s for s in res["styles"] if s != "original"]
    if styles:
        out.append("Mean absolute level difference per sub-criterion:")
        out.append("")
        out.append("| style | " + " | ".join(crit) + " |")
        out.append("|---|" + "---|" * len(crit))
        for s in styles:
            per = res["styles"][s].get("mean_abs_diff_per_criterion", {})
            out.append(f"| {s} | " + " | ".join(f"{per.get(c, float('nan')):.2f}" for c in crit) + " |")
    return "\n".join(out) + "\n"
