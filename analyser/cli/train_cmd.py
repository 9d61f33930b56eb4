"""`analyser train`: fit the heads on the corpus's training split and save a model folder."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from analyser.cli.common import EncoderOpt, FrameworkOpt, SpacyOpt

HELP = """Train the sentence->sub-criterion head, the strength model and the level aggregator.

Reads the training split (records marked "split": "test" are always left out), embeds with
float32 weights, fits scikit-learn estimators with fixed seeds and writes models/<name>/ with
heads.joblib, meta.json (corpus hash, framework version, encoder, command, metrics) and a model
card. The same command on the same corpus gives the same model. Takes a few minutes on 2 cores.
"""


def train(
    corpus: Annotated[
        list[Path] | None, typer.Option("--corpus", "-c", help="Training JSONL file(s) in the corpus format.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")] = Path(
        "models/inclusive-leader-v1"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    heldout: Annotated[
        Path | None,
        typer.Option("--heldout", help="Held-out file to score into meta.json and the model card."),
    ] = None,
    twins: Annotated[
        Path | None, typer.Option("--twins", help="Held-out style twins for the card's fairness section.")
    ] = None,
    framework: FrameworkOpt = "inclusive-leader",
    encoder: EncoderOpt = None,
    spacy_model: SpacyOpt = None,
) -> None:
    from analyser.corpus import CORPUS_DIR
    from analyser.train import train as run_train

    files = corpus or [CORPUS_DIR / "train.jsonl"]
    command = "analyser train " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    model = run_train(
        files,
        out,
        framework=framework,
        encoder_path=encoder,
        spacy_model=spacy_model,
        params={"seed": seed},
        command=command.strip(),
        progress=lambda m: typer.echo(f"train: {m}", err=True),
    )
    if heldout is not None:
        from analyser.modelcard import score_and_document

        score_and_document(
            out, heldout, framework=framework, encoder=encoder, spacy_model=spacy_model, fairness_file=twins
        )
    typer.echo(
        f"model written to {out} ({model.meta['n_train_nominations']} nominations, "
        f"{model.meta['n_train_sentences']} sentences, {model.meta['training_seconds']} s)"
    )
