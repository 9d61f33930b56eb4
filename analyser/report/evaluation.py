"""Evaluation results as text tables (plain Markdown, readable in a terminal and in a model card)."""

from __future__ import annotations

import math
from typing import Any

METRICS = (
    ("coverage_f1", "coverage F1"),
    ("gap_f1", "gap F1"),
    ("qwk", "QWK"),
    ("exact", "exact"),
    ("spearman_totals", "Spearman totals"),
    ("evidence_precision", "evidence precision"),
    ("misplaced_recall", "misplaced recall"),
    ("misplaced_precision", "misplaced precision"),
)


def _fmt(v: dict[str, Any], ci: bool = True) -> str:
    val = v["value"]
    if val is None or (isinstance(val, float) and math.isnan(val)):
        return "n/a"
    lo, hi = v.get("ci", [float("nan"), float("nan")])
    if ci and lo is not None and not math.isnan(lo):
        return f"{val:.2f} [{lo:.2f}, {hi:.2f}]"
    return f"{val:.2f}"


def overall_table(res: dict[str, Any], ci: bool = True) -> str:
    systems = res["systems"]
    out = ["| metric | " + " | ".join(s["system"] for s in systems) + " |"]
    out.append("|---|" + "---|" * len(systems))
    for key, name in METRICS:
        out.append(f"| {name} | " + " | ".join(_fmt(s["overall"][key], ci) for s in systems) + " |")
    return "\n".join(out)


def criteria_table(system: dict[str, Any], ci: bool = False) -> str:
    keys = [k for k, _ in METRICS if k in next(iter(system["criteria"].values()))]
    names = dict(METRICS)
    out = ["| sub-criterion | " + " | ".join(names[k] for k in keys) + " |"]
    out.append("|---|" + "---|" * len(keys))
    for c, d in system["criteria"].items():
        out.append(f"| {c} | " + " | ".join(_fmt(d[k], ci) for k in keys) + " |")
    return "\n".join(out)


def render_evaluation(res: dict[str, Any]) -> str:
    n = res["systems"][0]["n"]
    out = [f"Evaluation on {n} labelled nominations (95% bootstrap intervals over nominations)", ""]
    out.append("Overall")
    out.append("")
    out.append(overall_table(res))
    out.append("")
    for s in res["systems"]:
        out.append(f"Per sub-criterion: {s['system']}")
        out.append("")
        out.append(criteria_table(s))
        out.append("")
    if res.get("disagreements"):
        out.append(f"{len(res['disagreements'])} levels differ from gold by 2 or more.")
    return "\n".join(out) + "\n"
