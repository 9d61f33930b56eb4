"""Check style twins against their originals (corpora/README.md, "Style twins").

Standard library only, like validate.py:

    python corpora/tools/check_twins.py corpora/twins/*.jsonl

A twin keeps its original's facts, so it keeps its labels: the same level for every sub-criterion,
and the same strongest level for every sub-criterion under every question (evidence written under
the wrong question stays under that question). Exits 1 and lists every problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from validate import numbered_records  # the same folder: both run as scripts, standard library only

HERE = Path(__file__).resolve().parent
STYLES = ("esl", "plain", "jargon")
SAME = ("nominee", "nominee_type", "setting")


def _originals() -> dict[str, dict]:
    return {
        rec["id"]: rec
        for f in sorted((HERE.parent / "raw").glob("*.jsonl"))
        for _, rec in numbered_records(f)
        if isinstance(rec, dict)
    }


def _strongest_by_question(rec: dict) -> dict[tuple[str, str], int]:
    best: dict[tuple[str, str], int] = {}
    for item in rec.get("evidence", []):
        key = (item["criterion"], item["question"])
        best[key] = max(best.get(key, 0), int(item["level"]))
    return best


def check_twin(twin: dict, originals: dict[str, dict]) -> list[str]:
    errors: list[str] = []
    src = originals.get(twin.get("twin_of", ""))
    if src is None:
        return [f"twin_of {twin.get('twin_of')!r} is not an original in raw/"]
    if twin.get("style") not in STYLES:
        errors.append(f"style must be one of {STYLES}")
    if twin.get("id") != f"{src['id']}~{twin.get('style')}":
        errors.append(f"id must be {src['id']}~{twin.get('style')}")
    for key in SAME:
        if twin.get(key) != src.get(key):
            errors.append(f"{key} differs from the original")
    if twin.get("labels") != src.get("labels"):
        errors.append(f"labels differ from the original's {src.get('labels')}")
    mine, theirs = _strongest_by_question(twin), _strongest_by_question(src)
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key, 0) != theirs.get(key, 0):
            errors.append(
                f"strongest {key[0]} evidence under {key[1]} is {mine.get(key, 0)}, original has {theirs.get(key, 0)}"
            )
    return errors


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python corpora/tools/check_twins.py TWINS.jsonl [...]", file=sys.stderr)
        return 2
    originals = _originals()
    problems: list[str] = []
    count = 0
    for name in argv:
        for where, twin in numbered_records(Path(name)):
            count += 1
            if isinstance(twin, json.JSONDecodeError):
                problems.append(f"{where}: not valid JSON ({twin.msg})")
                continue
            problems.extend(f"{where}: {twin.get('id', '?')}: {e}" for e in check_twin(twin, originals))
    for p in problems:
        print(p)
    print(f"{count} twins, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
