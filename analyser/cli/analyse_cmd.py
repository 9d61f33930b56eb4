"""`analyser analyse INPUT`: the evidence report of one nomination or of each in a file."""

from __future__ import annotations

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
    fail,
    make_analyser,
    read_inputs,
    read_options,
    write_text,
)
from analyser.errors import EXIT_PARTIAL, EXIT_USAGE

HELP = """Analyse nominations: rate each sub-criterion 0-3 and cite the sentences behind it.

INPUT is a .txt/.md/.json/.docx nomination, or a .jsonl/.csv/.xlsx file of many. JSON is one
object for one nomination and JSON Lines (one object each, in input order) for many; Markdown and
HTML are the judge's evidence summary. Unreadable rows are reported on stderr and skipped
(exit code 4); everything else is still analysed.
"""


class Format(StrEnum):
    json = "json"
    markdown = "markdown"
    html = "html"


def analyse(
    input: Annotated[Path, typer.Argument(help="Nomination file (.txt .md .json .docx) or many (.jsonl .csv .xlsx).")],
    format: Annotated[Format, typer.Option("--format", "-F", help="Output format.")] = Format.json,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of stdout (a folder for HTML of many)."),
    ] = None,
    blind: Annotated[
        bool,
        typer.Option("--blind", help="Mask names, organisations, places, contact details and gendered pronouns."),
    ] = False,
    framework: FrameworkOpt = "inclusive-leader",
    columns: ColumnsOpt = None,
    encoding: EncodingOpt = None,
    word_limit: WordLimitOpt = None,
    model: ModelOpt = None,
    encoder: EncoderOpt = None,
    spacy_model: SpacyOpt = None,
    precision: PrecisionOpt = Precision.auto,
) -> None:

    noms, errors = read_inputs(input, read_options(framework, columns, encoding))
    single = len(noms) == 1 and input.suffix.lower() in (".txt", ".md", ".markdown", ".json", ".docx")
    if format is Format.html and not single and output is None:
        raise fail("HTML for many nominations needs --output FOLDER (or use `analyser batch`)", EXIT_USAGE)
    analyser = make_analyser(framework, model, encoder, spacy_model, precision, word_limit)
    reports = analyser.analyse_many(noms, blind=blind)
    for r in reports:
        for f in r.flags:
            if f.code == "not_english":
                typer.echo(f"analyser: warning: {r.id}: {f.message}", err=True)
    if format is Format.json:
        from analyser.report.jsonreport import to_json, to_jsonl

        write_text(to_json(reports[0]) if single else to_jsonl(reports), output)
    elif format is Format.markdown:
        from analyser.report.markdown import render_markdown_many

        write_text(render_markdown_many(reports), output)
    else:
        from analyser.report.html import render_html

        if single:
            write_text(render_html(reports[0]), output)
        else:
            from analyser.fileio import atomic_write
            from analyser.report.naming import report_filename

            assert output is not None
            output.mkdir(parents=True, exist_ok=True)
            for k, r in enumerate(reports):
                atomic_write(output / report_filename(r.id, k, ".html"), render_html(r))
    if errors:
        raise typer.Exit(EXIT_PARTIAL)
