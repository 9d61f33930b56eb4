"""What the commands share: option types, error handling, building an Analyser, writing output."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from analyser.errors import EXIT_FAILURE, EXIT_INTERRUPTED, AnalyserError
from analyser.fileio import atomic_write

if TYPE_CHECKING:
    from analyser.analyse import Analyser
    from analyser.readers import ReadOptions, RowError
    from analyser.records import Nomination


@dataclass
class _State:
    debug: bool = False


STATE = _State()


def fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"analyser: error: {message}", err=True)
    return typer.Exit(code)


def run_guarded(app: Any) -> None:
    """Run the typer app; turn known errors into one line and a documented exit code."""
    debug = "--debug" in sys.argv
    try:
        # Without standalone mode click returns an Exit's code instead of exiting.
        rc = app(standalone_mode=False)
    except AnalyserError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"analyser: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("analyser: stopped (Ctrl-C); work already written is kept", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("analyser: aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:
        # Usage errors (bad option values, missing arguments): typer's own message and code 2.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"analyser: error: {exc}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except BrokenPipeError:
        # `analyser ... | head`: the reader went away; not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        typer.echo(
            f"analyser: internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
            err=True,
        )
        sys.exit(EXIT_FAILURE)
    sys.exit(rc if isinstance(rc, int) else 0)


class Precision(StrEnum):
    auto = "auto"
    float32 = "float32"
    bfloat16 = "bfloat16"


FrameworkOpt = Annotated[
    str,
    typer.Option(
        "--framework",
        "-f",
        help="Framework id (e.g. inclusive-leader, living-the-values) or path to a .toml file.",
    ),
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", help="Trained model folder or name under models/ [env ANALYSER_MODEL]."),
]
EncoderOpt = Annotated[
    str | None,
    typer.Option("--encoder", help="Local sentence-transformers model directory [env ANALYSER_ENCODER]."),
]
SpacyOpt = Annotated[
    str | None,
    typer.Option("--spacy-model", help="Installed spaCy pipeline name or directory [env ANALYSER_SPACY_MODEL]."),
]
PrecisionOpt = Annotated[
    Precision,
    typer.Option("--precision", help="Encoder precision; auto picks bfloat16 where the CPU has AVX512-BF16/AMX."),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option("--columns", help="Map CSV/XLSX headers, e.g. --columns 'id=Ref,Q1=\"Answer one\"'."),
]
WordLimitOpt = Annotated[
    int | None,
    typer.Option("--word-limit", min=1, help="Word limit per answer (overrides the framework's limits)."),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", help="Force the text encoding of the input (default: detect UTF-8/UTF-16/cp1252)."),
]


def read_options(framework: str, columns: str | None = None, encoding: str | None = None) -> ReadOptions:
    from analyser.criteria import load_framework
    from analyser.readers import Limits, ReadOptions, parse_column_mapping

    return ReadOptions(
        framework=load_framework(framework),
        columns=parse_column_mapping(columns),
        limits=Limits.from_env(),
        encoding=encoding,
    )


def read_inputs(input: Path, options: ReadOptions) -> tuple[list[Nomination], list[RowError]]:
    """Every nomination in INPUT; unreadable rows are reported on stderr, and none at all fails."""
    from analyser.errors import EXIT_INPUT
    from analyser.readers import RowError, read_nominations
    from analyser.records import Nomination

    items = list(read_nominations(input, options))
    noms = [i for i in items if isinstance(i, Nomination)]
    errors = [i for i in items if isinstance(i, RowError)]
    for e in errors:
        typer.echo(f"analyser: skipped: {e}", err=True)
    if not noms:
        raise fail(f"{input}: no nomination could be read", EXIT_INPUT)
    return noms, errors


def make_analyser(
    framework: str,
    model: str | None,
    encoder: str | None,
    spacy_model: str | None,
    precision: Precision | str,
    word_limit: int | None = None,
) -> Analyser:
    from analyser.analyse import Analyser

    return Analyser(
        framework=framework,
        model_dir=model,
        encoder=encoder,
        spacy_model=spacy_model,
        precision=precision.value if isinstance(precision, Precision) else precision,
        word_limit=word_limit,
    )


def write_text(text: str, output: Path | None) -> None:
    """Write to a file atomically (temporary file, then rename), or to stdout."""
    if output is None:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    atomic_write(output, text)
