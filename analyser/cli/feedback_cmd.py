"""`analyser feedback INPUT`: gap feedback for the person writing the nomination."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

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
    read_inputs,
    read_options,
    write_text,
)
from analyser.errors import EXIT_PARTIAL

HELP = """Gap feedback before you submit: for each sub-criterion, what the judges look for and a
question that prompts the missing detail; evidence written under the wrong question and where to
move it; answers over the word limit; placeholder and repeated answers. Your text is never
changed and nothing is sent anywhere.
"""


class FeedbackFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


def feedback(
    input: Annotated[Path, typer.Argument(help="Nomination file (.txt .md .json .docx), or many (.jsonl .csv .xlsx).")],
    format: Annotated[
        FeedbackFormat, typer.Option("--format", "-F", help="text (terminal), markdown, json or html.")
    ] = FeedbackFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    framework: FrameworkOpt = "inclusive-leader",
    columns: ColumnsOpt = None,
    encoding: EncodingOpt = None,
    word_limit: WordLimitOpt = None,
    model: ModelOpt = None,
    encoder: EncoderOpt = None,
    spacy_model: SpacyOpt = None,
    precision: PrecisionOpt = Precision.auto,
) -> None:
    from analyser.feedback import build_feedback
    from analyser.report.feedback import render_feedback_html, render_feedback_markdown, render_feedback_terminal

    noms, errors = read_inputs(input, read_options(framework, columns, encoding))
    analyser = make_analyser(framework, model, encoder, spacy_model, precision, word_limit)
    fbs = [build_feedback(r, analyser.framework) for r in analyser.analyse_many(noms)]
    if format is FeedbackFormat.json:
        text = (
            json.dumps(fbs[0].to_dict(), ensure_ascii=False, indent=2)
            if len(fbs) == 1
            else "".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in fbs)
        )
    elif format is FeedbackFormat.markdown:
        text = "\n\n".join(render_feedback_markdown(f) for f in fbs)
    elif format is FeedbackFormat.html:
        text = "\n".join(render_feedback_html(f) for f in fbs)
    else:
        color = output is None and sys.stdout.isatty()
        text = "\n".join(render_feedback_terminal(f, color=color) for f in fbs)
    write_text(text, output)
    if errors:
        raise typer.Exit(EXIT_PARTIAL)
