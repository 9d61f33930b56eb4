"""Readers: files in, `Nomination` records out. Reading never loads a model.

A new input format is a new module here plus one line in `SINGLE` or `MANY`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analyser.errors import AnalyserError, InputError
from analyser.readers.base import Limits, ReadItem, ReadOptions, ReadResult, RowError
from analyser.readers.jsonio import read_json, read_jsonl
from analyser.readers.table import parse_column_mapping, read_csv
from analyser.readers.text import nomination_from_text, read_text_nomination
from analyser.records import Nomination

__all__ = [
    "Limits",
    "ReadItem",
    "ReadOptions",
    "ReadResult",
    "RowError",
    "nomination_from_text",
    "parse_column_mapping",
    "read_nominations",
    "read_one",
    "read_upload",
    "supported_suffixes",
]


def _read_docx(path: Path, options: ReadOptions) -> Nomination:
    from analyser.readers.docx import read_docx

    return read_docx(path, options)


def _read_xlsx(path: Path, options: ReadOptions) -> ReadResult:
    from analyser.readers.xlsx import read_xlsx

    return read_xlsx(path, options)


# One nomination per file.
SINGLE: dict[str, Callable[[Path, ReadOptions], Nomination]] = {
    ".txt": read_text_nomination,
    ".md": read_text_nomination,
    ".markdown": read_text_nomination,
    ".json": read_json,
    ".docx": _read_docx,
}
# Many nominations per file.
MANY: dict[str, Callable[[Path, ReadOptions], ReadResult]] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".xlsx": _read_xlsx,
}


def supported_suffixes() -> list[str]:
    return sorted(set(SINGLE) | set(MANY))


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def read_nominations(path: str | Path, options: ReadOptions) -> ReadResult:
    """Every nomination in a file or a folder, in order; unreadable rows/files as RowError.

    A problem with the input as a whole (missing, unsupported, no header) raises AnalyserError.
    """
    path = Path(path)
    if path.is_dir():
        yield from _read_folder(path, options)
        return
    if not path.exists():
        raise InputError("file not found", path=path)
    suffix = _suffix(path)
    if suffix in MANY:
        yield from MANY[suffix](path, options)
    elif suffix in SINGLE:
        yield SINGLE[suffix](path, options)
    else:
        raise InputError(
            f"unsupported file type {suffix or '(none)'!r}; use one of {', '.join(supported_suffixes())}",
            path=path,
        )


def _read_folder(folder: Path, options: ReadOptions) -> ReadResult:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    usable = [p for p in files if _suffix(p) in SINGLE]
    if not usable:
        raise InputError(f"folder has no nomination files ({', '.join(sorted(SINGLE))})", path=folder)
    for p in files:
        if _suffix(p) not in SINGLE:
            if _suffix(p) in MANY:
                yield RowError(str(p), None, "many-nomination files are not read inside a folder; pass the file itself")
            continue
        try:
            yield SINGLE[_suffix(p)](p, options)
        except AnalyserError as exc:
            yield RowError(str(p), exc.row, exc.message)


UPLOAD_SUFFIXES = (".txt", ".md", ".json", ".docx")


def read_upload(filename: str, content: bytes, options: ReadOptions) -> Nomination:
    """One nomination from an uploaded file's bytes, read in memory (never written to disk)."""
    from analyser.errors import LimitError
    from analyser.readers.base import clean_text, decode_bytes
    from analyser.readers.jsonio import nomination_from_object, parse_json_text

    name = Path(filename or "upload").name
    path = Path(name)
    suffix = _suffix(path)
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(
            f"upload a {', '.join(UPLOAD_SUFFIXES)} file, not {suffix or 'a file without a type'}", path=name
        )
    if len(content) > options.limits.max_file_bytes:
        raise LimitError(
            f"file is {len(content):,} bytes, over the limit of {options.limits.max_file_bytes:,}", path=name
        )
    if suffix == ".docx":
        from analyser.readers.docx import read_docx

        return read_docx(path, options, content)
    text = decode_bytes(content, name, options.encoding)
    if not text.strip():
        raise InputError("file is empty", path=name)
    if suffix == ".json":
        return nomination_from_object(parse_json_text(text, name, options), path.stem, name, options)
    return nomination_from_text(clean_text(text), path.stem, name, options)


def read_one(path: str | Path, options: ReadOptions) -> Nomination:
    """Exactly one nomination, or an InputError saying why not."""
    items = list(read_nominations(path, options))
    noms = [i for i in items if isinstance(i, Nomination)]
    errors = [i for i in items if isinstance(i, RowError)]
    if errors and not noms:
        e = errors[0]
        raise InputError(e.message, path=e.source, row=e.row)
    if len(noms) != 1:
        raise InputError(f"holds {len(noms)} nominations where one was expected", path=path)
    return noms[0]
