"""What every reader shares: options, safety limits, row errors and answer clean-up."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analyser.criteria import Framework
from analyser.errors import InputError, LimitError
from analyser.records import Nomination

# Metadata fields a reader keeps when it finds them (other fields are ignored).
METADATA_FIELDS = ("nominee", "nominator", "organisation", "nominee_type", "role", "email", "title")
_METADATA_ALIASES = {
    "nominee": "nominee",
    "nominee name": "nominee",
    "name of nominee": "nominee",
    "nominee(s)": "nominee",
    "team name": "nominee",
    "nominator": "nominator",
    "nominator name": "nominator",
    "your name": "nominator",
    "organisation": "organisation",
    "organization": "organisation",
    "trust": "organisation",
    "employer": "organisation",
    "nominee organisation": "organisation",
    "nominee_type": "nominee_type",
    "nominee type": "nominee_type",
    "category": "nominee_type",
    "role": "role",
    "job title": "role",
    "nominee role": "role",
}


def metadata_key(name: str) -> str | None:
    return _METADATA_ALIASES.get(re.sub(r"[\s_]+", " ", name.strip().lower()))


@dataclass(frozen=True)
class Limits:
    """Safety limits, checked before work is done. Documented in README.md ("Limits")."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_answer_chars: int = 50_000
    max_json_depth: int = 32
    max_zip_members: int = 2_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200
    max_rows: int = 200_000

    @classmethod
    def from_env(cls) -> Limits:
        """Limits, overridden by ANALYSER_MAX_<NAME> environment variables where set."""
        values = {}
        for name in cls.__dataclass_fields__:
            env = os.environ.get(f"ANALYSER_{name.upper()}")
            if env:
                try:
                    values[name] = int(env)
                except ValueError:
                    raise InputError(f"ANALYSER_{name.upper()}={env!r} is not a whole number") from None
        return cls(**values)


@dataclass
class ReadOptions:
    framework: Framework
    columns: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    encoding: str | None = None


@dataclass
class RowError:
    """One row or file of a many-nomination input that could not be read."""

    source: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = self.source + (f", row {self.row}" if self.row is not None else "")
        return f"{where}: {self.message}"


ReadItem = Nomination | RowError
ReadResult = Iterator[ReadItem]

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Normalise an answer for analysis without changing what a reader sees.

    NFC, no zero-width or soft-hyphen characters, no control characters or lone surrogates,
    Windows and old-Mac line ends as \\n, non-breaking spaces as spaces.
    """
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return text.strip()


def check_file_size(path: Path, limits: Limits) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=path) from None
    if size > limits.max_file_bytes:
        raise LimitError(
            f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,} "
            "(set ANALYSER_MAX_FILE_BYTES to raise it)",
            path=path,
        )
    return size


def make_nomination(
    nid: str,
    answers: dict[str, str],
    metadata: dict[str, str],
    source: str,
    options: ReadOptions,
    row: int | None = None,
) -> Nomination:
    """Clean, limit-check and complete a nomination: every framework question gets an answer."""
    qids = options.framework.question_ids
    cleaned: dict[str, str] = {}
    for qid in qids:
        text = clean_text(answers.get(qid, "") or "")
        if len(text) > options.limits.max_answer_chars:
            raise LimitError(
                f"answer {qid} is {len(text):,} characters, over the limit of "
                f"{options.limits.max_answer_chars:,} (set ANALYSER_MAX_ANSWER_CHARS to raise it)",
                path=source,
                row=row,
            )
        cleaned[qid] = text
    meta = {k: clean_text(str(v)) for k, v in metadata.items() if v is not None and str(v).strip()}
    nid = clean_text(str(nid)) or "nomination"
    return Nomination(id=nid, answers=cleaned, metadata=meta, source=source)


def decode_bytes(data: bytes, path: Path | str, encoding: str | None = None) -> str:
    """Decode text the way files from Excel, Word and browsers arrive: BOMs first, then UTF-8,
    then cp1252 (Excel's 'CSV' on Windows)."""
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot decode as {encoding}: {exc}", path=path) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] != 0:
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise InputError("file looks binary, not text", path=path)
    return data.decode("cp1252", errors="replace")
