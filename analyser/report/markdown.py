"""The judge's evidence summary in Markdown: the same content as the HTML, for people."""

from __future__ import annotations

from collections.abc import Iterable

from analyser.records import LEVEL_NAMES, Report
from analyser.report.escape import md

AID_NOTICE = (
    "This summary is an aid to the judge's own reading, not a score. It points to the sentences "
    "that bear on each sub-criterion; the judgement is yours."
)

FLAG_NAMES = {
    "placeholder_answer": "Placeholder answer",
    "empty_answer": "Empty answer",
    "repeated_answer": "Repeated text",
    "over_word_limit": "Over the word limit",
    "team_credit": "Team credit without the nominee's own part",
    "low_specificity": "Very low specificity",
    "mostly_praise": "Mostly general praise",
    "no_headings": "No question headings",
    "tracked_changes": "Tracked changes",
    "not_english": "Not in English",
    "copied_answer": "Answer copied from another nomination",
}

LEVEL_MARK = {0: "○ none", 1: "◔ asserted", 2: "◑ described", 3: "● demonstrated"}


def criterion_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for cid, c in report.criteria.items():
        rows.append((cid, c.name, LEVEL_MARK[c.strength], f"{c.confidence:.0%}", str(len(c.evidence))))
    return rows


def render_markdown(report: Report) -> str:
    out: list[str] = []
    who = report.nominee or report.id
    out.append(f"# Evidence summary: {md(who)}")
    out.append("")
    meta = [
        f"**Nomination:** {md(report.id)}",
        f"**Award:** {md(report.framework_name)} (framework {md(report.framework)} v{md(report.framework_version)})",
    ]
    if report.nominee_type == "team":
        meta.append("**Nominee type:** team")
    if report.blind:
        meta.append("**Blind review:** names and identifying details are masked")
    out.append("  \n".join(meta))
    out.append("")
    out.append(f"> {AID_NOTICE}")
    out.append("")
    out.append("## At a glance")
    out.append("")
    out.append(f"{md(report.summary)}")
    out.append("")
    out.append("| Sub-criterion | | Level | Confidence | Sentences cited |")
    out.append("|---|---|---|---|---|")
    for cid, name, level, conf, n in criterion_rows(report):
        out.append(f"| {cid} | {md(name)} | {level} | {conf} | {n} |")
    out.append("")
    out.append(f"Total across sub-criteria: **{report.total}** of {3 * len(report.criteria)} (for reading order only).")
    out.append("")
    if report.flags:
        out.append("## Flags")
        out.append("")
        for f in report.flags:
            q = f" ({f.question})" if f.question else ""
            out.append(f"- **{md(FLAG_NAMES.get(f.code, f.code))}**{q}: {md(f.message)}")
        out.append("")
    out.append("## Evidence by sub-criterion")
    out.append("")
    for cid, c in report.criteria.items():
        out.append(f"### {cid} {md(c.name)}: {LEVEL_NAMES[c.strength]}")
        out.append("")
        if not c.evidence:
            out.append("No sentence in the nomination speaks to this sub-criterion.")
            out.append("")
            continue
        for e in c.evidence:
            moved = f" (written under {e.question})" if e.question != c.question else f" ({e.question})"
            sig = f" — signals: {', '.join(md(s) for s in e.signals)}" if e.signals else ""
            out.append(f"- “{md(e.sentence)}”{moved}{sig}")
        out.append("")
    if report.shown_misplaced:
        out.append("## Evidence written under another question")
        out.append("")
        out.append("| Sentence | Written under | Evidences |")
        out.append("|---|---|---|")
        for m in report.shown_misplaced:
            out.append(f"| “{md(m.sentence)}” | {m.written_under} | {m.evidences} |")
        out.append("")
    if report.gaps:
        out.append("## Gaps")
        out.append("")
        for g in report.gaps:
            out.append(f"- {md(g.message)}")
        out.append("")
    out.append("---")
    out.append(f"*analyser {md(report.analyser_version)}, model {md(report.model)}.*")
    return "\n".join(out) + "\n"


def render_markdown_many(reports: Iterable[Report]) -> str:
    return "\n\n".join(render_markdown(r) for r in reports)
