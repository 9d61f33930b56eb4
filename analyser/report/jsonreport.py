"""The JSON contract (`analyser.report/1`): one object per nomination, JSON Lines for many."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from analyser.records import Report


def to_json(report: Report, indent: int | None = 2) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=indent)


def to_jsonl(reports: Iterable[Report]) -> str:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in reports)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
