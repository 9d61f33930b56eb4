"""The judge's evidence summary as one self-contained HTML file.

No scripts, fonts or images from anywhere (a Content-Security-Policy forbids them); inline CSS
that prints on A4; WCAG 2.2 AA: real headings, table captions and header cells, levels given in
words and shapes (never by colour alone), contrast of at least 4.5:1. Jinja2 autoescaping
escapes everything quoted from the nomination.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analyser.records import LEVEL_NAMES, Report
from analyser.report.escape import clean_control
from analyser.report.markdown import AID_NOTICE, FLAG_NAMES

TEMPLATES = Path(__file__).parent / "templates"
_QUOTE_CHARS = ('"', "'", "\u201c", "\u2018", "\u00ab")
METER = {0: "○○○", 1: "●○○", 2: "●●○", 3: "●●●"}

CSS = """
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #b1b4b6; --accent: #005eb8; --bg-soft: #f3f2f1; }
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: var(--ink); background: #fff; line-height: 1.5;
       margin: 0 auto; max-width: 60rem; padding: 1.5rem; font-size: 1rem; }
h1 { font-size: 1.9rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.45rem; margin-top: 2rem; border-bottom: 2px solid var(--line); padding-bottom: 0.2rem; }
h3.question { font-size: 1.2rem; margin-top: 1.6rem; }
h4 { font-size: 1.05rem; margin: 0 0 0.5rem; }
a { color: var(--accent); }
a:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
.kicker { color: var(--muted); margin: 0; }
.meta { display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0 0 1rem; }
.meta div { display: flex; gap: 0.4rem; }
.meta dt { font-weight: bold; }
.meta dd { margin: 0; }
.notice { border-left: 6px solid var(--accent); background: var(--bg-soft); padding: 0.7rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.4rem; }
th, td { border: 1px solid var(--line); padding: 0.4rem 0.55rem; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
.level { display: inline-block; padding: 0 0.45rem; border-radius: 0.3rem; border: 1px solid currentColor;
         white-space: nowrap; font-weight: bold; }
.level-0 { color: #4a4a4a; background: #fff; }
.level-1 { color: #6b3b00; background: #fff4e5; }
.level-2 { color: #00416f; background: #e8f1fa; }
.level-3 { color: #0b4a24; background: #e6f4ea; }
.meter { letter-spacing: 0.05rem; }
.criterion { border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.8rem 1rem; margin: 0.8rem 0; }
.evidence { padding-left: 1.4rem; margin: 0; }
.evidence li { margin-bottom: 0.6rem; }
blockquote { margin: 0; font-style: italic; }
blockquote.q::before { content: "\\201C"; } blockquote.q::after { content: "\\201D"; }
.src, .small, .none { color: var(--muted); font-size: 0.92rem; margin: 0.15rem 0 0; }
.flags li { margin-bottom: 0.3rem; }
footer { margin-top: 2rem; border-top: 1px solid var(--line); }
@page { size: A4; margin: 15mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: var(--ink); text-decoration: none; }
  .criterion, tr, blockquote { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  .notice { background: none; }
}
"""


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clean"] = clean_control
    return env


def _criterion_view(cid: str, c: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "anchor": "c-" + cid.replace(".", "-"),
        "name": c.name,
        "question": c.question,
        "strength": c.strength,
        "level": c.level,
        "meter": METER[c.strength],
        "confidence": f"{c.confidence:.0%}",
        "n_evidence": len(c.evidence),
        "evidence": [
            {
                "sentence": clean_control(e.sentence),
                # Curly quotes are added around a sentence unless it already opens with a quotation.
                "quoted": not e.sentence.lstrip().startswith(_QUOTE_CHARS),
                "question": e.question,
                "level": LEVEL_NAMES[e.strength] if 0 <= e.strength <= 3 else "",
                "score": f"{e.score:.2f}",
                "signals": e.signals,
            }
            for e in c.evidence
        ],
    }


def render_html(report: Report) -> str:
    criteria = [_criterion_view(cid, c) for cid, c in report.criteria.items()]
    qids = list(dict.fromkeys(c["question"] for c in criteria))
    questions = [
        {"id": q, "title": report.questions.get(q, ""), "criteria": [c for c in criteria if c["question"] == q]}
        for q in qids
    ]
    return (
        _env()
        .get_template("summary.html.j2")
        .render(
            r=report,
            who=clean_control(report.nominee or report.id),
            notice=AID_NOTICE,
            criteria=criteria,
            questions=questions,
            max_total=3 * len(criteria),
            flag_names=FLAG_NAMES,
            css=CSS,
        )
    )
