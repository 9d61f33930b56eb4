"""Open Office files (zip containers) only after checking them, and parse their XML safely.

Checked before anything is inflated: the number of parts, the total uncompressed size and each
part's compression ratio (zip bombs). XML is parsed with defusedxml: no entity expansion, no
DTDs, no external fetches.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

from analyser.errors import InputError, LimitError
from analyser.readers.base import Limits, check_file_size


def open_checked_zip(path: Path, limits: Limits, kind: str, content: bytes | None = None) -> zipfile.ZipFile:
    if content is None:
        check_file_size(path, limits)
    elif len(content) > limits.max_file_bytes:
        raise LimitError(f"file is {len(content):,} bytes, over the limit of {limits.max_file_bytes:,}", path=path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content) if content is not None else path)
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error, NotImplementedError):
        raise InputError(f"not a valid {kind} file (not a zip container)", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=path) from None
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        zf.close()
        raise LimitError(
            f"{kind} has {len(infos):,} parts, over the limit of {limits.max_zip_members:,} "
            "(set ANALYSER_MAX_ZIP_MEMBERS to raise it)",
            path=path,
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        zf.close()
        raise LimitError(
            f"{kind} would inflate to {total:,} bytes, over the limit of {limits.max_uncompressed_bytes:,} "
            "(set ANALYSER_MAX_UNCOMPRESSED_BYTES to raise it)",
            path=path,
        )
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > limits.max_compression_ratio and i.file_size > 1_000_000:
            zf.close()
            raise LimitError(
                f"{kind} part {i.filename!r} is compressed {i.file_size // i.compress_size}:1, a zip bomb pattern "
                "(set ANALYSER_MAX_COMPRESSION_RATIO to raise it)",
                path=path,
            )
    return zf


def read_part(zf: zipfile.ZipFile, name: str, limits: Limits, path: Path) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise InputError(f"is not a valid Office file (no {name})", path=path) from None
    try:
        with zf.open(info) as fh:
            data = fh.read(limits.max_uncompressed_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError, struct.error) as exc:
        raise InputError(f"is a damaged Office file ({type(exc).__name__} reading {name})", path=path) from None
    if len(data) > limits.max_uncompressed_bytes:
        raise LimitError("a part inflates beyond the size limit", path=path)
    return data


def parse_xml(data: bytes, path: Path) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except SafeET.ParseError as exc:
        raise InputError(f"has broken XML inside ({exc})", path=path) from None
    except Exception as exc:  # defusedxml's DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
        raise InputError(f"contains forbidden XML ({type(exc).__name__}); not read", path=path) from None
