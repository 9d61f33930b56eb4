"""Gap feedback for nominators: kind, concrete, actionable advice made from a Report.

It never rewrites the nominator's text and never invents evidence: it quotes their own sentences
and asks questions that prompt the missing detail. It never comments on grammar, spelling or
style. Sentences are short and words plain (reading age about 12; see tests/test_feedback.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analyser.criteria import Framework
from analyser.records import FEEDBACK_SCHEMA, Report

STATUS = {0: "missing", 1: "claimed, no example", 2: "example, no result yet", 3: "well evidenced"}


@dataclass
class FeedbackItem:
    criterion: str
    name: str
    question: str
    strength: int
    status: str
    look_for: str
    advice: str
    prompt: str
    quote: str = ""


@dataclass
class Move:
    sentence: str
    written_under: str
    fits: str
    move_to: str
    message: str


@dataclass
class AnswerNote:
    question: str
    code: str
    message: str


@dataclass
class Feedback:
    id: str
    framework: str
    framework_name: str
    nominee: str
    summary: str
    items: list[FeedbackItem]
    moves: list[Move] = field(default_factory=list)
    notes: list[AnswerNote] = field(default_factory=list)
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": FEEDBACK_SCHEMA,
            "id": self.id,
            "framework": self.framework,
            "framework_name": self.framework_name,
            "nominee": self.nominee,
            "language": self.language,
            "summary": self.summary,
            "items": [asdict(i) for i in self.items],
            "moves": [asdict(m) for m in self.moves],
            "notes": [asdict(n) for n in self.notes],
        }


def _first_name(report: Report) -> str:
    nominee = report.nominee.strip()
    if not nominee or report.blind:
        return "the team" if report.nominee_type == "team" else "the nominee"
    if report.nominee_type == "team":
        return nominee
    parts = nominee.split()
    if parts[0].lower().rstrip(".") in {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sister"}:
        return nominee
    return parts[0]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def build_feedback(report: Report, framework: Framework) -> Feedback:
    name = _first_name(report)
    items: list[FeedbackItem] = []
    if report.language != "en":
        return Feedback(
            id=report.id,
            framework=report.framework,
            framework_name=report.framework_name,
            nominee=report.nominee,
            summary=(
                "We can only check answers written in English, so we have not checked this one. "
                "The judges will still read it."
            ),
            items=[],
            language=report.language,
        )
    for crit in framework.criteria:
        res = report.criteria[crit.id]
        best = res.evidence[0].sentence if res.evidence else ""
        signals = set(res.evidence[0].signals) if res.evidence else set()
        if res.strength == 1 and "credited to others" in signals:
            advice = (
                f"This result is credited to the team or the organisation. Say what {name} did to bring it "
                "about: the judges need to see their own part."
            )
            prompt = crit.prompt_asserted.format(name=name)
        elif res.strength == 2 and "planned, not done" in signals:
            advice = (
                "This is a plan. Plans count for less than things that have happened. "
                "If it has happened since, say what came of it."
            )
            prompt = crit.prompt_described.format(name=name)
        elif res.strength == 0:
            advice = f"The judges look for {crit.look_for}. We could not find this in your answers."
            prompt = crit.prompt_missing.format(name=name)
        elif res.strength == 1:
            advice = (
                f"You tell the judges what {name} is like here, but not yet what {name} did. "
                "One real example will help them much more."
            )
            prompt = crit.prompt_asserted.format(name=name)
        elif res.strength == 2:
            advice = f"You give a real example of what {name} did. Now tell the judges what changed because of it."
            prompt = crit.prompt_described.format(name=name)
        else:
            advice = "This is well evidenced: you give a real example and what came of it."
            prompt = ""
        items.append(
            FeedbackItem(
                criterion=crit.id,
                name=crit.name,
                question=crit.question,
                strength=res.strength,
                status=STATUS[res.strength],
                look_for=crit.look_for,
                advice=advice,
                prompt=_cap(prompt),
                quote=best if res.strength in (1, 2) else "",
            )
        )
    titles = {q.id: q.title for q in framework.questions}
    moves: list[Move] = []
    seen: set[str] = set()
    for m in sorted(report.shown_misplaced, key=lambda m: -m.score):
        if m.sentence in seen:
            continue
        seen.add(m.sentence)
        target = m.evidences.split(".")[0]
        moves.append(
            Move(
                sentence=m.sentence,
                written_under=m.written_under,
                fits=m.evidences,
                move_to=target,
                message=(
                    f"You wrote this under {m.written_under}, but it answers {target} "
                    f"({titles.get(target, target)}). Think about moving it to {target}, "
                    "so the judges find it where they look for it."
                ),
            )
        )
    notes: list[AnswerNote] = []
    for f in report.flags:
        q = f.question or ""
        if f.code in ("placeholder_answer", "empty_answer"):
            notes.append(
                AnswerNote(
                    q,
                    f.code,
                    f"{q} has no answer of its own. Judges read each answer by itself, so an answer that only says "
                    f"'see above' or 'N/A' adds nothing. Write a short answer for {q}, with one example.",
                )
            )
        elif f.code == "repeated_answer":
            notes.append(
                AnswerNote(
                    q,
                    f.code,
                    f"{q} repeats text from another answer. Judges count the same example once. "
                    f"Use {q} for a different example.",
                )
            )
        elif f.code == "over_word_limit":
            words = report.word_counts.get(q, 0)
            limit = report.word_limits.get(q, 0)
            notes.append(
                AnswerNote(
                    q,
                    f.code,
                    f"{q} has {words} words. The limit is {limit}, so please cut about {words - limit} words. "
                    "Keep the examples and results; cut general praise first.",
                )
            )
        elif f.code == "team_credit":
            notes.append(
                AnswerNote(
                    "",
                    f.code,
                    f"Your examples say what the team or the organisation did. Say what {name} did themselves: "
                    "the judges need to see their own part.",
                )
            )
        elif f.code in ("low_specificity", "mostly_praise"):
            notes.append(
                AnswerNote(
                    "",
                    f.code,
                    "Most of what you wrote is general praise. Judges look for real examples: what happened, "
                    "where, with whom, and what changed.",
                )
            )
    strong = [i.criterion for i in items if i.strength == 3]
    weak = [i.criterion for i in items if i.strength <= 1]
    parts = []
    if strong:
        parts.append(f"Well evidenced: {', '.join(strong)}.")
    if weak:
        parts.append(f"Needs an example: {', '.join(weak)}.")
    middle = [i.criterion for i in items if i.strength == 2]
    if middle:
        parts.append(f"Needs a result: {', '.join(middle)}.")
    summary = " ".join(parts) + " This is a guide to help you write, not a score; the judges decide."
    return Feedback(
        id=report.id,
        framework=report.framework,
        framework_name=report.framework_name,
        nominee=report.nominee,
        summary=summary,
        items=items,
        moves=moves,
        notes=notes,
        language=report.language,
    )
