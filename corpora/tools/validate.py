"""Check corpus files against the annotation guide (corpora/ANNOTATION.md).

Standard library only, so annotators can run it without the analyser installed:

    python corpora/tools/validate.py corpora/raw/*.jsonl

Exits 1 and lists every problem (file, line, id) when a record breaks the format.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CRITERIA = ["Q1.a", "Q1.b", "Q2.a", "Q2.b", "Q2.c", "Q3.a", "Q3.b", "Q4.a", "Q4.b"]
QUESTIONS = ["Q1", "Q2", "Q3", "Q4"]
SETTINGS = {
    "acute", "community", "mental-health", "primary-care", "ambulance", "commissioning",
    "estates", "hr", "learning-disability", "public-health", "corporate", "education", "other",
}
REQUIRED = ["id", "nominee", "nominee_type", "answers", "labels", "evidence"]


def check_record(rec: object) -> list[str]:
    errors: list[str] = []
    if not isinstance(rec, dict):
        return ["record is not a JSON object"]
    for key in REQUIRED:
        if key not in rec:
            errors.append(f"missing key {key!r}")
    if errors:
        return errors
    if rec["nominee_type"] not in ("individual", "team"):
        errors.append("nominee_type must be 'individual' or 'team'")
    if "setting" in rec and rec["setting"] not in SETTINGS:
        errors.append(f"setting {rec['setting']!r} is not one of {sorted(SETTINGS)}")
    answers = rec["answers"]
    if not isinstance(answers, dict) or sorted(answers) != QUESTIONS:
        errors.append("answers must have exactly the keys Q1, Q2, Q3, Q4")
        return errors
    for q, text in answers.items():
        if not isinstance(text, str):
            errors.append(f"answers[{q}] is not a string")
    labels = rec["labels"]
    if not isinstance(labels, dict) or sorted(labels) != CRITERIA:
        errors.append(f"labels must have exactly the keys {CRITERIA}")
        return errors
    for c, v in labels.items():
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 3:
            errors.append(f"labels[{c}] must be an integer 0-3")
    best = {c: 0 for c in CRITERIA}
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(rec["evidence"]):
        where = f"evidence[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where} is not an object")
            continue
        for key in ("criterion", "level", "question", "text"):
            if key not in item:
                errors.append(f"{where} missing {key!r}")
        if any(k not in item for k in ("criterion", "level", "question", "text")):
            continue
        c, lvl, q, text = item["criterion"], item["level"], item["question"], item["text"]
        if c not in CRITERIA:
            errors.append(f"{where} criterion {c!r} unknown")
            continue
        if q not in QUESTIONS:
            errors.append(f"{where} question {q!r} unknown")
            continue
        if not isinstance(lvl, int) or not 1 <= lvl <= 3:
            errors.append(f"{where} level must be 1-3 (level-0 sentences are not listed)")
            continue
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{where} text is empty")
            continue
        if text not in answers[q]:
            errors.append(f"{where} text is not an exact substring of answers[{q}]: {text[:70]!r}")
        if (c, text) in seen:
            errors.append(f"{where} duplicates an earlier item for {c}: {text[:50]!r}")
        seen.add((c, text))
        best[c] = max(best[c], lvl)
    for c in CRITERIA:
        if isinstance(labels.get(c), int) and labels[c] != best[c]:
            errors.append(
                f"labels[{c}] is {labels[c]} but the strongest evidence item for it is {best[c]}"
            )
    return errors


def numbered_records(path: Path) -> Iterator[tuple[str, Any]]:
    """(`file:line`, record) for every non-blank line; the record is the JSONDecodeError when the
    line is not JSON, so that a checker can report it and go on."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{lineno}", json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"{path}:{lineno}", exc


def validate_file(path: Path) -> list[str]:
    problems: list[str] = []
    ids: set[str] = set()
    for where, rec in numbered_records(path):
        if isinstance(rec, json.JSONDecodeError):
            problems.append(f"{where}: not valid JSON ({rec.msg})")
            continue
        rid = rec.get("id", "?") if isinstance(rec, dict) else "?"
        if rid in ids:
            problems.append(f"{where}: id {rid!r} repeated")
        ids.add(rid)
        for err in check_record(rec):
            problems.append(f"{where}: {rid}: {err}")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python corpora/tools/validate.py FILE.jsonl [...]", file=sys.stderr)
        return 2
    problems: list[str] = []
    count = 0
    for name in argv:
        path = Path(name)
        problems.extend(validate_file(path))
        count += sum(1 for line in path.open(encoding="utf-8") if line.strip())
    for p in problems:
        print(p)
    print(f"{count} records, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
