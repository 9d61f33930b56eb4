"""Errors as data: one class, a code per kind, and the exit-code scheme the CLI documents.

The library raises these and never prints; the CLI turns them into one line on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Exit codes (documented in README.md, "Exit codes").
EXIT_OK = 0
EXIT_FAILURE = 1  # an unexpected internal error (a bug): run again with --debug and report it
EXIT_USAGE = 2  # bad command-line usage (typer/click's own code)
EXIT_INPUT = 3  # an input file could not be read or is not a nomination
EXIT_PARTIAL = 4  # a batch finished but some rows or files were rejected (see errors.csv)
EXIT_CONFIG = 5  # a framework, lexicon, model or setting is missing or invalid
EXIT_LIMIT = 6  # an input exceeded a safety limit (size, zip parts, nesting)
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C; the work done so far is kept


@dataclass
class AnalyserError(Exception):
    """A problem a user can fix, described in one line."""

    message: str
    path: str | Path | None = None
    row: int | None = None
    exit_code: int = EXIT_INPUT
    code: str = "E000"

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.row is not None:
                where += f", row {self.row}"
            where += ": "
        return f"{where}{self.message}"


class InputError(AnalyserError):
    """The input file (or one row of it) cannot be read as a nomination."""


class LimitError(AnalyserError):
    """The input exceeds a documented safety limit."""

    def __init__(self, message: str, path: str | Path | None = None, row: int | None = None):
        super().__init__(message, path, row, exit_code=EXIT_LIMIT, code="E200")


class ConfigError(AnalyserError):
    """A framework, lexicon, model or setting is missing or invalid."""

    def __init__(self, message: str, path: str | Path | None = None, row: int | None = None):
        super().__init__(message, path, row, exit_code=EXIT_CONFIG, code="E300")
