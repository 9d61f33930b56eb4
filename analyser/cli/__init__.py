"""The `analyser` command line: a thin layer that parses arguments and calls the library.

Heavy libraries (spaCy, torch, sentence-transformers) are imported inside commands, so
`analyser --help` answers at once. Errors a user can fix are one line on stderr with a
documented exit code (README.md, "Exit codes"); `--debug` shows the traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from analyser import __version__
from analyser.cli import (
    analyse_cmd,
    batch_cmd,
    corpus_cmd,
    criteria_cmd,
    evaluate_cmd,
    feedback_cmd,
    serve_cmd,
    train_cmd,
)
from analyser.cli.common import STATE, run_guarded

app = typer.Typer(
    name="analyser",
    help=(
        "Evidence analyser for award nominations. Maps every sentence onto the award's criteria, "
        "rates the evidence for each sub-criterion (none / asserted / described / demonstrated), "
        "flags gaps and misplaced evidence, and cites the sentences behind every judgement. "
        "A decision aid for people, never the decision. Runs fully offline."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"analyser {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks and debug logging.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress messages to stderr.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    STATE.debug = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="analyser: %(levelname)s: %(message)s", stream=sys.stderr)
    for noisy in ("sentence_transformers", "transformers", "urllib3", "httpx", "filelock"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


app.command("analyse", help=analyse_cmd.HELP)(analyse_cmd.analyse)
app.command("feedback", help=feedback_cmd.HELP)(feedback_cmd.feedback)
app.command("batch", help=batch_cmd.HELP)(batch_cmd.batch)
app.command("criteria", help=criteria_cmd.HELP)(criteria_cmd.criteria)
app.command("train", help=train_cmd.HELP)(train_cmd.train)
app.command("evaluate", help=evaluate_cmd.HELP)(evaluate_cmd.evaluate)
app.command("serve", help=serve_cmd.HELP)(serve_cmd.serve)
app.add_typer(corpus_cmd.app, name="corpus", help=corpus_cmd.HELP)


def main() -> None:
    run_guarded(app)
