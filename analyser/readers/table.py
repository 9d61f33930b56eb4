"""Tabular inputs (CSV now, XLSX through the same row logic): one row per nomination.

Columns are found by header: `id`, `Q1`..`Q4` (also "Question 1", "Answer 1" or the question's
opening words), case-insensitive, plus metadata columns (nominee, nominator, organisation,
nominee type). `--columns Q1="Answer to question one",id=Ref` maps other header names.
Each data row is a nomination; a row that cannot be read becomes a RowError and the rest go on.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from analyser.errors import AnalyserError, InputError, LimitError
from analyser.readers.base import (
    ReadOptions,
    ReadResult,
    RowError,
    check_file_size,
    decode_bytes,
    make_nomination,
    metadata_key,
)
from analyser.readers.text import _opening_match

_QCOL = re.compile(r"^(?:q|question|answer(?:\s+to\s+question)?)[\s_.]*(\d{1,2})\b", re.I)
_HEADER_SCAN_ROWS = 10


def parse_column_mapping(spec: str | None) -> dict[str, str]:
    """Parse `Q1=Answer one,id=Ref` into {"Q1": "Answer one", "id": "Ref"}."""
    mapping: dict[str, str] = {}
    if not spec:
        return mapping
    for part in next(csv.reader([spec], skipinitialspace=True)):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"--columns entry {part!r} is not NAME=HEADER")
        key, header = part.split("=", 1)
        key = key.strip()
        m = _QCOL.match(key)
        key = f"Q{int(m.group(1))}" if m else key.lower()
        mapping[key] = header.strip().strip('"')
    return mapping


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", h.strip().lower())


class ColumnMap:
    def __init__(self, header: list[str], options: ReadOptions):
        self.header = header
        self.id_col: int | None = None
        self.questions: dict[str, int] = {}
        self.metadata: dict[str, int] = {}
        qids = options.framework.question_ids
        wanted = {k: _norm(v) for k, v in options.columns.items()}
        for i, raw in enumerate(header):
            h = _norm(raw)
            if not h:
                continue
            mapped = [k for k, v in wanted.items() if v == h]
            if mapped:
                self._assign(mapped[0], i, qids)
                continue
            if h in ("id", "nomination id", "ref", "reference", "response id", "submission id"):
                if self.id_col is None and "id" not in wanted:
                    self.id_col = i
                continue
            m = _QCOL.match(h)
            qid = f"Q{int(m.group(1))}" if m else _opening_match(raw, options.framework)
            if qid in qids and qid not in self.questions and qid not in wanted:
                self.questions[qid] = i
                continue
            mk = metadata_key(h)
            if mk and mk not in self.metadata and mk not in wanted:
                self.metadata[mk] = i
        missing = [k for k, v in wanted.items() if not self._has(k)]
        self.unmatched = [f"{k}={options.columns[k]!r}" for k in missing]

    def _assign(self, key: str, i: int, qids: list[str]) -> None:
        if key == "id":
            self.id_col = i
        elif key in qids:
            self.questions[key] = i
        else:
            self.metadata[metadata_key(key) or key] = i

    def _has(self, key: str) -> bool:
        return (key == "id" and self.id_col is not None) or key in self.questions or key in self.metadata

    @property
    def usable(self) -> bool:
        return bool(self.questions)


def find_header(rows: list[tuple[int, list[str]]], options: ReadOptions, source: str) -> tuple[int, ColumnMap]:
    """The first of the top rows that names at least one question column."""
    for idx, (_, cells) in enumerate(rows[:_HEADER_SCAN_ROWS]):
        cmap = ColumnMap(cells, options)
        if cmap.usable:
            if cmap.unmatched:
                raise InputError(f"--columns names headers not in the file: {', '.join(cmap.unmatched)}", path=source)
            return idx, cmap
    if options.columns and rows:
        unmatched = ColumnMap(rows[0][1], options).unmatched
        if unmatched:
            raise InputError(f"--columns names headers not in the file: {', '.join(unmatched)}", path=source)
    qids = options.framework.question_ids
    raise InputError(
        f"no header row with answer columns ({', '.join(qids)}, 'Question 1', ...) in the first "
        f"{_HEADER_SCAN_ROWS} rows; use --columns Q1=HEADER,... to name them",
        path=source,
    )


def rows_to_nominations(
    rows: Iterable[tuple[int, list[str]] | RowError], source: str, options: ReadOptions, stem: str
) -> ReadResult:
    """Turn (row number, cells) into nominations; the header is found among the first rows."""
    it = iter(rows)
    head: list[tuple[int, list[str]]] = []
    pending_errors: list[RowError] = []
    for item in it:
        if isinstance(item, RowError):
            pending_errors.append(item)
            continue
        head.append(item)
        if len(head) >= _HEADER_SCAN_ROWS or ColumnMap(item[1], options).usable:
            break
    if not head:
        raise InputError("file has no rows", path=source)
    hidx, cmap = find_header(head, options, source)
    ncols = len(cmap.header)
    count = 0

    def body() -> Iterator[tuple[int, list[str]] | RowError]:
        yield from head[hidx + 1 :]
        yield from it

    yield from pending_errors
    for item in body():
        if isinstance(item, RowError):
            yield item
            continue
        rownum, cells = item
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > options.limits.max_rows:
            raise LimitError(f"more than {options.limits.max_rows:,} rows", path=source)
        extra = [c for c in cells[ncols:] if c.strip()]
        if extra:
            yield RowError(source, rownum, f"row has {len(cells)} cells but the header has {ncols}")
            continue
        cells = cells + [""] * (ncols - len(cells))
        try:
            answers = {q: cells[i] for q, i in cmap.questions.items()}
            if not any(a.strip() for a in answers.values()):
                raise InputError("every answer is empty", path=source, row=rownum)
            meta = {k: cells[i] for k, i in cmap.metadata.items()}
            nid = cells[cmap.id_col].strip() if cmap.id_col is not None else ""
            yield make_nomination(nid or f"{stem}-{rownum}", answers, meta, source, options, row=rownum)
        except AnalyserError as exc:
            yield RowError(source, rownum, exc.message)


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_records(text: str, source: str) -> Iterator[tuple[int, list[str]] | RowError]:
    """Yield (row number, cells) per CSV record, where the header is row 1.

    Each record is parsed on its own, so that a stray quote that would swallow the following
    rows is caught: a record whose quoted field runs over lines that look like rows of their own
    is reported as a bad row, and parsing resumes on the next line.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first = next((ln for ln in lines if ln.strip()), "")
    delim = _sniff_delimiter(first)
    p = 0
    rownum = 0
    # The shape of the first data row's id, read straight from the line so that a broken first
    # row is judged too.
    data = [ln for ln in lines[1:] if ln.strip()]
    id_shape = _shape_of(data[0].split(delim, 1)[0].strip().strip('"')) if data else None
    while p < len(lines):
        rownum += 1
        reader = csv.reader((ln + "\n" for ln in islice(lines, p, None)), delimiter=delim, strict=True)
        try:
            cells = next(reader)
            consumed = max(1, reader.line_num)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RowError(source, rownum, f"cannot be parsed as CSV ({exc})")
            p += 1
            continue
        if consumed > 1 and id_shape is not None and _swallowed_rows(lines[p + 1 : p + consumed], delim, id_shape):
            yield RowError(
                source,
                rownum,
                "has an unclosed quote that would run into the following rows; "
                "this row is skipped and the rows after it are read",
            )
            p += 1
            continue
        yield rownum, cells
        p += consumed


def _shape_of(value: str) -> re.Pattern[str] | None:
    """The shape of a row id ("R001" -> letter, digits), to spot a row start inside a field."""
    if len(value) > 24 or " " in value or not any(ch.isdigit() for ch in value):
        return None
    pattern = "".join(r"\d" if ch.isdigit() else "[A-Za-z]" if ch.isalpha() else re.escape(ch) for ch in value)
    return re.compile(pattern)


def _swallowed_rows(continuation: list[str], delim: str, id_shape: re.Pattern[str]) -> bool:
    """True when a quoted field runs over lines that start like rows of their own (an id in the
    shape of the first row's id, then a delimiter): a stray quote has swallowed them."""
    for ln in continuation:
        first, sep, _ = ln.partition(delim)
        if sep and id_shape.fullmatch(first.strip().strip('"')):
            return True
    return False


def read_csv(path: Path, options: ReadOptions) -> ReadResult:
    check_file_size(path, options.limits)
    text = decode_bytes(path.read_bytes(), path, options.encoding)
    if not text.strip():
        raise InputError("file is empty", path=path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    yield from rows_to_nominations(csv_records(text, str(path)), str(path), options, path.stem)
