"""The labelled corpus: loading, the fixed held-out split, and the sentence-level view.

Corpus records follow `corpora/ANNOTATION.md`: answers, `labels` (0-3 per sub-criterion) and
`evidence` items (sentence text, question written under, sub-criterion, level). Misplaced
evidence is derived: an evidence item whose sub-criterion belongs to another question than
the one it was written under.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyser.errors import InputError
from analyser.records import Nomination

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpora"


@dataclass
class GoldEvidence:
    criterion: str
    level: int
    question: str
    text: str


@dataclass
class CorpusRecord:
    nomination: Nomination
    labels: dict[str, int]
    evidence: list[GoldEvidence]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.nomination.id

    def misplaced(self) -> list[GoldEvidence]:
        return [e for e in self.evidence if e.criterion.split(".")[0] != e.question]


def record_from_dict(d: dict[str, Any], source: str, row: int | None = None) -> CorpusRecord:
    """Lenient reader of the corpus format: `labels` (or `levels`) is required, evidence optional."""
    if not isinstance(d, dict):
        raise InputError("corpus line is not a JSON object", path=source, row=row)
    labels = d.get("labels", d.get("levels"))
    answers = d.get("answers")
    if not isinstance(labels, dict) or not isinstance(answers, dict):
        raise InputError("corpus record needs 'answers' and 'labels'", path=source, row=row)
    try:
        labels = {str(k): int(v) for k, v in labels.items()}
    except (TypeError, ValueError):
        raise InputError("labels must be whole numbers 0-3", path=source, row=row) from None
    meta = {k: str(d[k]) for k in ("nominee", "nominator", "organisation", "nominee_type", "role") if d.get(k)}
    nom = Nomination(
        id=str(d.get("id", f"row{row}")),
        answers={str(k): (v or "") for k, v in answers.items()},
        metadata=meta,
        source=source,
    )
    evidence = []
    for e in d.get("evidence", []) or []:
        text = e.get("text", e.get("sentence", ""))
        if not text:
            continue
        evidence.append(
            GoldEvidence(
                criterion=str(e["criterion"]),
                level=int(e.get("level", 1)),
                question=str(e.get("question", e.get("written_under", ""))),
                text=text,
            )
        )
    extra = {k: v for k, v in d.items() if k not in ("answers", "labels", "levels", "evidence")}
    return CorpusRecord(nom, labels, evidence, extra)


def load_records(paths: Iterable[str | Path]) -> list[CorpusRecord]:
    out: list[CorpusRecord] = []
    for p in paths:
        p = Path(p)
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise InputError("corpus file not found", path=p) from None
        for i, line in enumerate(lines, 1):
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"not valid JSON ({exc.msg})", path=p, row=i) from None
                out.append(record_from_dict(obj, str(p), i))
    return out


def records_to_jsonl(records: Sequence[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def corpus_hash(paths: Iterable[str | Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(str(x) for x in paths):
        h.update(Path(p).read_bytes())
    return h.hexdigest()[:16]


# ----- matching gold evidence to the analyser's sentences ------------------------------------------
_NORM_WS = re.compile(r"\s+")
_NORM_DROP = re.compile(r"[\"'\u2018\u2019\u201c\u201d`*_\u2022\u25cf\-\u2013\u2014]")


def normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = _NORM_DROP.sub(" ", t)
    return _NORM_WS.sub(" ", t).strip(" .;:,")


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9%]+", normalise(text)))


def sentence_matches(sentence: str, gold: str) -> bool:
    """True when an analyser sentence and a gold evidence sentence are the same text.

    Segmenters differ at the edges (a bullet, a semicolon), so containment either way or a
    large token overlap counts.
    """
    a, b = normalise(sentence), normalise(gold)
    if not a or not b:
        return False
    if a == b:
        return True
    if (len(a) >= 20 and a in b) or (len(b) >= 20 and b in a):
        return True
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return False
    inter = len(ta & tb)
    return inter / min(len(ta), len(tb)) >= 0.8 and inter / max(len(ta), len(tb)) >= 0.5


def align(
    sentences: Sequence[Any], evidence: Sequence[GoldEvidence], criteria: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Gold relevance (n, k) 0/1 and gold strength (n, k) 0-3 of each analyser sentence."""
    col = {c: j for j, c in enumerate(criteria)}
    rel = np.zeros((len(sentences), len(criteria)), dtype=np.int64)
    lvl = np.zeros((len(sentences), len(criteria)), dtype=np.int64)
    for e in evidence:
        j = col.get(e.criterion)
        if j is None:
            continue
        # The question is not required to match: text pasted into two answers is the same
        # evidence in both places.
        for i, s in enumerate(sentences):
            if sentence_matches(s.text, e.text):
                rel[i, j] = 1
                lvl[i, j] = max(lvl[i, j], e.level)
    return rel, lvl


# ----- the fixed split ---------------------------------------------------------------------------
def split_of(record_id: str, test_fraction: float = 0.25) -> str:
    """A stable split from the id's hash: the same id is always in the same split."""
    h = int(hashlib.sha256(record_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test_fraction else "train"
