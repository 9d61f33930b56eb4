"""`analyser batch INPUT --out DIR`: analyse a whole round."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from analyser.cli.common import (
    ColumnsOpt,
    EncoderOpt,
    EncodingOpt,
    FrameworkOpt,
    ModelOpt,
    Precision,
    PrecisionOpt,
    SpacyOpt,
    WordLimitOpt,
    make_analyser,
    read_options,
)
from analyser.errors import EXIT_INTERRUPTED, EXIT_PARTIAL

HELP = """Analyse a whole round: INPUT is a .csv, .xlsx or .jsonl of nominations (one a row), or a
folder of .docx/.txt/.md/.json files. Writes to --out: reports/ (JSON and HTML per nomination),
round.csv and round.xlsx (one row per nomination), index.html (the round dashboard) and
errors.csv. One bad row never stops the round. Ctrl-C stops cleanly; run the same command again
to resume from the cache.
"""


def batch(
    input: Annotated[Path, typer.Argument(help="Round file (.csv .xlsx .jsonl) or folder of nomination files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (created if missing).")],
    blind: Annotated[
        bool, typer.Option("--blind", help="Mask names and identifying details in everything written.")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore and do not write the result cache.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=16,
            help="Analysis processes (one thread each); 2 is faster on two cores for large rounds.",
        ),
    ] = 1,
    framework: FrameworkOpt = "inclusive-leader",
    columns: ColumnsOpt = None,
    encoding: EncodingOpt = None,
    word_limit: WordLimitOpt = None,
    model: ModelOpt = None,
    encoder: EncoderOpt = None,
    spacy_model: SpacyOpt = None,
    precision: PrecisionOpt = Precision.auto,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from analyser.batch import run_batch

    opts = read_options(framework, columns, encoding)
    analyser = make_analyser(framework, model, encoder, spacy_model, precision, word_limit)
    console = Console(stderr=True)
    # Models load when the first nominations are analysed: a second run over a cached round
    # never needs them.
    progress = Progress(
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    )
    state: dict[str, Any] = {}

    def start(total: int, cached: int) -> None:
        import time

        state["t0"] = time.monotonic()
        state["done"] = 0
        state["task"] = progress.add_task("analysing", total=total, completed=cached, rate="")

    def advance(k: int) -> None:
        import time

        state["done"] += k
        rate = state["done"] / max(time.monotonic() - state["t0"], 1e-6)
        progress.update(state["task"], advance=k, rate=f"{rate:.1f}/s")

    with progress:
        res = run_batch(
            input,
            out,
            analyser,
            opts,
            blind=blind,
            progress=advance,
            start=start,
            use_cache=not no_cache,
            workers=workers,
        )
    for e in res.errors:
        typer.echo(f"analyser: rejected: {e}", err=True)
    typer.echo(f"{res.summary_line()}. Outputs in {out}/ (open {out}/index.html)")
    if res.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if res.errors:
        raise typer.Exit(EXIT_PARTIAL)
