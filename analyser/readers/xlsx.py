"""Excel (.xlsx) rounds: one row per nomination, the same header and column rules as CSV.

The workbook is checked as a zip container before it is inflated; openpyxl parses its XML with
defusedxml. Values are read as a person sees them: cached results of formulas (never the formula),
numbers formatted with leading zeros kept as text (007), dates as ISO dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyser.errors import InputError
from analyser.readers.base import ReadOptions, ReadResult, RowError
from analyser.readers.table import rows_to_nominations
from analyser.readers.zipsafe import open_checked_zip

_ZEROS = re.compile(r"^0+$")


def cell_text(value: Any, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        n = int(value)
        fmt = (number_format or "").split(";")[0]
        if _ZEROS.match(fmt):
            return str(n).zfill(len(fmt))
        return str(n)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, options: ReadOptions) -> ReadResult:
    # Zip-bomb and size checks happen before openpyxl inflates anything.
    open_checked_zip(path, options.limits, "Excel").close()
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise InputError(f"not a readable Excel workbook ({type(exc).__name__})", path=path) from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise InputError("workbook has no sheets", path=path)

        def rows() -> Iterator[tuple[int, list[str]] | RowError]:
            for r, row in enumerate(ws.iter_rows(), 1):
                try:
                    yield r, [cell_text(c.value, getattr(c, "number_format", "General")) for c in row]
                except Exception as exc:  # a cell openpyxl cannot decode: this row only
                    yield RowError(str(path), r, f"row cannot be read ({type(exc).__name__})")

        yield from rows_to_nominations(rows(), str(path), options, path.stem)
    finally:
        wb.close()
