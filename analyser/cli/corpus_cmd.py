"""`analyser corpus ...`: build the splits, describe the corpus, measure annotator agreement."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

HELP = "Corpus tools: build the fixed splits, print statistics, measure annotator agreement, export the sentence view."

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@app.command(
    "build",
    help="Write corpora/train.jsonl, heldout.jsonl and heldout-twins.jsonl from raw/, twins/ and splits.json.",
)
def build() -> None:
    from analyser.corpus_tools import build as run

    counts = run()
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@app.command("stats", help="Print the corpus make-up and label distribution (Markdown).")
def stats() -> None:
    from analyser.corpus_tools import stats_markdown

    typer.echo(stats_markdown(), nl=False)


@app.command("agreement", help="Inter-annotator agreement (QWK per sub-criterion) of two labellings.")
def agreement(
    first: Annotated[
        list[Path] | None,
        typer.Option("--first", help="First annotator's files (default: corpora/raw/*.jsonl)."),
    ] = None,
    second: Annotated[
        list[Path] | None,
        typer.Option("--second", help="Second annotator's files (default: corpora/double/*.jsonl)."),
    ] = None,
) -> None:
    from analyser.corpus import CORPUS_DIR
    from analyser.corpus_tools import agreement as run
    from analyser.corpus_tools import agreement_markdown

    a = first or sorted((CORPUS_DIR / "raw").glob("*.jsonl"))
    b = second or sorted((CORPUS_DIR / "double").glob("*.jsonl"))
    typer.echo(agreement_markdown(run(a, b)), nl=False)


@app.command("sentences", help="Export the sentence-level view of a corpus file (one row per sentence, gold levels).")
def sentences(
    records: Annotated[Path, typer.Argument(help="Corpus JSONL file.")] = Path("corpora/train.jsonl"),
    out: Annotated[Path, typer.Option("--out", "-o")] = Path("corpora/sentences-train.jsonl"),
) -> None:
    from analyser.corpus_tools import sentence_view
    from analyser.nlp import build_nlp

    n = sentence_view(records, out, build_nlp())
    typer.echo(f"{n} sentences written to {out}")


@app.command("masking", help="Measure blind review: recall of marked identifiers and survival of other words.")
def masking(
    marked: Annotated[Path, typer.Argument(help="Nominations with identifiers marked.")] = Path(
        "corpora/blind/identifiers.jsonl"
    ),
    show_missed: Annotated[int, typer.Option("--show-missed", help="List this many missed identifiers.")] = 0,
) -> None:
    import json

    from analyser.blind import load_ner, masking_scores

    records = [json.loads(line) for line in marked.read_text(encoding="utf-8").splitlines() if line.strip()]
    res = masking_scores(records, load_ner())
    typer.echo(f"{len(records)} nominations, {res['identifiers']} marked identifiers")
    typer.echo(f"recall of identifiers: {res['recall']:.3f} (target 0.95)")
    for kind, r in res["recall_by_type"].items():
        typer.echo(f"  {kind}: {r:.3f}")
    typer.echo(f"words that are not identifiers left as written: {res['survival']:.3f}")
    for m in res["missed"][:show_missed]:
        typer.echo(f"  missed: {m}")
