"""Safe, unique file names for per-nomination outputs."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_filename(nid: str, index: int, suffix: str) -> str:
    """A file name from a nomination id that cannot escape its folder or clash with another.

    The index keeps two ids that sanitise to the same name apart.
    """
    base = _UNSAFE.sub("_", nid).strip("._-")[:60] or "nomination"
    return f"{index + 1:05d}-{base}{suffix}"
