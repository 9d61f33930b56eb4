"""Plain records that flow between the stages, and their JSON round-trip.

Readers produce `Nomination`s; `analyse` turns one into a `Report`; reporters render Reports.
Nothing here imports spaCy, torch or a model. The JSON contract of `Report.to_dict()` is
`analyser.report/1`, described by `analyser/schema/report.schema.json`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

REPORT_SCHEMA = "analyser.report/1"
FEEDBACK_SCHEMA = "analyser.feedback/1"
LEVEL_NAMES = ("none", "asserted", "described", "demonstrated")


def level_name(strength: int) -> str:
    return LEVEL_NAMES[strength]


@dataclass
class Nomination:
    """One nomination as read from a file: answers keyed by question id, plus free metadata."""

    id: str
    answers: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)
    source: str = ""
    # Facts the reader noticed about the file itself (e.g. tracked changes accepted).
    reader_flags: list[Flag] = field(default_factory=list)

    @property
    def nominee(self) -> str:
        return self.metadata.get("nominee", "")

    @property
    def text(self) -> str:
        return "\n\n".join(a for a in self.answers.values() if a)


@dataclass
class Evidence:
    """One cited sentence for one sub-criterion."""

    sentence: str
    question: str
    score: float
    strength: int
    signals: list[str] = field(default_factory=list)


@dataclass
class CriterionResult:
    id: str
    question: str
    name: str
    strength: int
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    # Probability of each level 0..3, from the calibrated model.
    probabilities: list[float] = field(default_factory=list)

    @property
    def level(self) -> str:
        return level_name(self.strength)


@dataclass
class Gap:
    criterion: str
    strength: int
    message: str


@dataclass
class Misplaced:
    sentence: str
    written_under: str
    evidences: str
    score: float = 0.0
    # Shown to people (judge's summary, feedback) only when confident; all are in the JSON, so
    # that a reviewer or a tool can see every candidate.
    confident: bool = True


@dataclass
class Flag:
    code: str
    message: str
    question: str | None = None


@dataclass
class Report:
    id: str
    framework: str
    framework_name: str
    framework_version: str
    criteria: dict[str, CriterionResult]
    gaps: list[Gap]
    misplaced: list[Misplaced]
    flags: list[Flag]
    summary: str
    nominee: str = ""
    nominee_type: str = "individual"
    word_counts: dict[str, int] = field(default_factory=dict)
    word_limits: dict[str, int] = field(default_factory=dict)
    model: str = ""
    analyser_version: str = ""
    language: str = "en"
    source: str = ""
    blind: bool = False
    # Question id -> the question's short title, for documents that group by question.
    questions: dict[str, str] = field(default_factory=dict)

    @property
    def shown_misplaced(self) -> list[Misplaced]:
        """The misplaced evidence worth a person's attention (see Misplaced.confident)."""
        return [m for m in self.misplaced if m.confident]

    @property
    def total(self) -> int:
        return sum(c.strength for c in self.criteria.values())

    def to_dict(self) -> dict[str, Any]:
        criteria = {}
        for cid, c in self.criteria.items():
            criteria[cid] = {
                "question": c.question,
                "name": c.name,
                "strength": c.strength,
                "level": c.level,
                "confidence": round(c.confidence, 4),
                "probabilities": [round(p, 4) for p in c.probabilities],
                "evidence": [
                    {
                        "sentence": e.sentence,
                        "question": e.question,
                        "score": round(e.score, 4),
                        "strength": e.strength,
                        "signals": list(e.signals),
                    }
                    for e in c.evidence
                ],
            }
        return {
            "schema": REPORT_SCHEMA,
            "id": self.id,
            "framework": self.framework,
            "framework_name": self.framework_name,
            "framework_version": self.framework_version,
            "nominee": self.nominee,
            "nominee_type": self.nominee_type,
            "language": self.language,
            "blind": self.blind,
            "questions": dict(self.questions),
            "criteria": criteria,
            "total": self.total,
            "gaps": [asdict(g) for g in self.gaps],
            "misplaced": [{**asdict(m), "score": round(m.score, 4)} for m in self.misplaced],
            "flags": [asdict(f) for f in self.flags],
            "word_counts": dict(self.word_counts),
            "word_limits": dict(self.word_limits),
            "summary": self.summary,
            "model": self.model,
            "analyser_version": self.analyser_version,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        if d.get("schema") != REPORT_SCHEMA:
            raise ValueError(f"not an {REPORT_SCHEMA} object (schema={d.get('schema')!r})")
        criteria = {
            cid: CriterionResult(
                id=cid,
                question=c["question"],
                name=c.get("name", cid),
                strength=int(c["strength"]),
                confidence=float(c["confidence"]),
                probabilities=list(c.get("probabilities", [])),
                evidence=[
                    Evidence(
                        sentence=e["sentence"],
                        question=e["question"],
                        score=float(e["score"]),
                        strength=int(e.get("strength", 0)),
                        signals=list(e.get("signals", [])),
                    )
                    for e in c.get("evidence", [])
                ],
            )
            for cid, c in d["criteria"].items()
        }
        return cls(
            id=d["id"],
            framework=d["framework"],
            framework_name=d.get("framework_name", d["framework"]),
            framework_version=d.get("framework_version", ""),
            criteria=criteria,
            gaps=[Gap(**g) for g in d.get("gaps", [])],
            misplaced=[Misplaced(**m) for m in d.get("misplaced", [])],
            flags=[Flag(**f) for f in d.get("flags", [])],
            summary=d.get("summary", ""),
            nominee=d.get("nominee", ""),
            nominee_type=d.get("nominee_type", "individual"),
            word_counts=dict(d.get("word_counts", {})),
            word_limits=dict(d.get("word_limits", {})),
            model=d.get("model", ""),
            analyser_version=d.get("analyser_version", ""),
            language=d.get("language", "en"),
            source=d.get("source", ""),
            blind=bool(d.get("blind", False)),
            questions=dict(d.get("questions", {})),
        )
