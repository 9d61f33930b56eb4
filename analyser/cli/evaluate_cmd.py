"""`analyser evaluate GOLD.jsonl`: accuracy against labelled data, with baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from analyser.cli.common import (
    EncoderOpt,
    FrameworkOpt,
    ModelOpt,
    Precision,
    PrecisionOpt,
    SpacyOpt,
    write_text,
)

HELP = """Score the analyser on a labelled file in the corpus format (corpora/ANNOTATION.md).

Prints, per sub-criterion and overall: coverage F1 (level >= 1), gap F1 (level <= 1), quadratic
weighted kappa, exact agreement, Spearman of nomination totals, evidence precision and
misplaced-evidence recall, each with a bootstrap 95% interval; and the same for two baselines
(keyword search, raw cosine similarity). --fairness compares style twins with their originals.
"""


def evaluate(
    gold: Annotated[Path, typer.Argument(help="Labelled JSONL file (corpus format).")],
    reps: Annotated[int, typer.Option("--reps", min=0, help="Bootstrap resamples (0: no intervals).")] = 1000,
    baselines: Annotated[bool, typer.Option("--baselines/--no-baselines", help="Also score the two baselines.")] = True,
    fairness: Annotated[
        bool, typer.Option("--fairness", help="Style-twin fairness report instead of accuracy.")
    ] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write all figures as JSON here.")] = None,
    framework: FrameworkOpt = "inclusive-leader",
    model: ModelOpt = None,
    encoder: EncoderOpt = None,
    spacy_model: SpacyOpt = None,
    precision: PrecisionOpt = Precision.float32,
) -> None:
    from analyser.cli.common import make_analyser
    from analyser.corpus import load_records

    records = load_records([gold])
    if not records:
        from analyser.errors import InputError

        raise InputError("no labelled records", path=gold)
    analyser = make_analyser(framework, model, encoder, spacy_model, precision)
    if fairness:
        from analyser.fairness import fairness_report, render_fairness

        res = fairness_report(analyser, records)
        write_text(render_fairness(res), None)
    else:
        from analyser.evaluate import evaluate_records
        from analyser.report.evaluation import render_evaluation

        res = evaluate_records(analyser, records, reps=reps, baselines=baselines)
        write_text(render_evaluation(res), None)
    if json_out:
        from analyser.fileio import atomic_write

        atomic_write(json_out, json.dumps(res, indent=2, default=float) + "\n")
