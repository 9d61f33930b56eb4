"""`.json` (one nomination) and `.jsonl` (one a line) readers.

A nomination object is `{"id": ..., "answers": {"Q1": ..., ...}}`; answers may also sit at the top
level (`{"id": ..., "Q1": ...}`). Metadata fields (nominee, nominator, organisation, nominee_type)
are kept; other fields are ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from analyser.errors import InputError, LimitError
from analyser.readers.base import (
    ReadOptions,
    ReadResult,
    RowError,
    check_file_size,
    decode_bytes,
    make_nomination,
    metadata_key,
)
from analyser.records import Nomination

_QKEY = re.compile(r"^(?:q|question|answer)[\s_]*(\d{1,2})$", re.I)


def json_depth(text: str) -> int:
    """Maximum nesting of arrays and objects, scanning outside strings; cheap and iterative."""
    depth = best = 0
    in_str = escape = False
    for ch in text:
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def parse_json_text(text: str, source: str, options: ReadOptions, row: int | None = None) -> Any:
    if json_depth(text) > options.limits.max_json_depth:
        raise LimitError(
            f"JSON is nested more than {options.limits.max_json_depth} levels deep",
            path=source,
            row=row,
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", path=source, row=row
        ) from None


def nomination_from_object(
    obj: Any, default_id: str, source: str, options: ReadOptions, row: int | None = None
) -> Nomination:
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object with 'id' and 'answers'", path=source, row=row)
    qids = options.framework.question_ids
    raw_answers = obj.get("answers")
    if raw_answers is None:
        raw_answers = {k: v for k, v in obj.items() if _QKEY.match(str(k))}
        if not raw_answers:
            raise InputError("no 'answers' object and no Q1.. fields", path=source, row=row)
    if not isinstance(raw_answers, dict):
        raise InputError("'answers' must be an object keyed by question id", path=source, row=row)
    answers: dict[str, str] = {}
    for key, value in raw_answers.items():
        m = _QKEY.match(str(key).strip())
        qid = f"Q{int(m.group(1))}" if m else str(key)
        if qid not in qids:
            raise InputError(
                f"answer key {key!r} is not a question of {options.framework.name} ({', '.join(qids)})",
                path=source,
                row=row,
            )
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InputError(f"answer {qid} must be text, not {type(value).__name__}", path=source, row=row)
        answers[qid] = value
    if not any(a.strip() for a in answers.values()):
        raise InputError("every answer is empty", path=source, row=row)
    metadata: dict[str, str] = {}
    for key, value in obj.items():
        mk = metadata_key(str(key))
        if mk and isinstance(value, (str, int, float)):
            metadata[mk] = str(value)
    nid = obj.get("id")
    if nid is None or (isinstance(nid, str) and not nid.strip()):
        nid = default_id
    if not isinstance(nid, (str, int)):
        raise InputError("'id' must be text or a number", path=source, row=row)
    return make_nomination(str(nid), answers, metadata, source, options, row=row)


def read_json(path: Path, options: ReadOptions) -> Nomination:
    check_file_size(path, options.limits)
    text = decode_bytes(path.read_bytes(), path, options.encoding)
    if not text.strip():
        raise InputError("file is empty", path=path)
    obj = parse_json_text(text, str(path), options)
    if isinstance(obj, list):
        raise InputError(
            "holds a JSON array; give one nomination object per .json file, or use .jsonl for many",
            path=path,
        )
    return nomination_from_object(obj, path.stem, str(path), options)


def read_jsonl(path: Path, options: ReadOptions) -> ReadResult:
    check_file_size(path, options.limits)
    text = decode_bytes(path.read_bytes(), path, options.encoding)
    count = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        count += 1
        if count > options.limits.max_rows:
            raise LimitError(f"more than {options.limits.max_rows:,} rows", path=path)
        try:
            obj = parse_json_text(line, str(path), options, row=lineno)
            yield nomination_from_object(obj, f"{path.stem}-{lineno}", str(path), options, row=lineno)
        except InputError as exc:
            yield RowError(str(path), lineno, exc.message)
        except LimitError as exc:
            yield RowError(str(path), lineno, exc.message)
    if count == 0:
        raise InputError("file has no nominations", path=path)
