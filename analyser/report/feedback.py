"""Nominator feedback as Markdown, terminal text (rich) and HTML. From Feedback records only."""

from __future__ import annotations

import io
from typing import Any

from analyser.feedback import Feedback
from analyser.report.escape import clean_control, md

HEADINGS = {0: "Missing", 1: "Claimed, but no example yet", 2: "Good example, no result yet", 3: "Well evidenced"}


def render_feedback_markdown(fb: Feedback) -> str:
    out = [f"# Feedback on your nomination{': ' + md(fb.nominee) if fb.nominee else ''}", ""]
    out.append(f"*{md(fb.framework_name)}.* {md(fb.summary)}")
    out.append("")
    for note in fb.notes:
        out.append(f"> **{md(note.question or 'Whole nomination')}:** {md(note.message)}")
        out.append("")
    if fb.items:
        out.append("## Question by question")
        out.append("")
    for it in fb.items:
        out.append(f"### {it.criterion} {md(it.name)}: {HEADINGS[it.strength]}")
        out.append("")
        if it.quote:
            out.append(f"You wrote: “{md(it.quote)}”")
            out.append("")
        out.append(md(it.advice))
        if it.prompt:
            out.append("")
            out.append(f"**Ask yourself:** {md(it.prompt)}")
        out.append("")
    if fb.moves:
        out.append("## Evidence under another question")
        out.append("")
        for m in fb.moves:
            out.append(f"- “{md(m.sentence)}” — {md(m.message)}")
        out.append("")
    out.append("---")
    out.append(
        "*This guide helps you write; it is not a score. We never change your words, "
        "and nothing you write is sent anywhere.*"
    )
    return "\n".join(out) + "\n"


def render_feedback_terminal(fb: Feedback, width: int = 100, color: bool = True) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None)
    style = {0: "red", 1: "yellow", 2: "cyan", 3: "green"}
    console.print(f"[bold]Feedback on your nomination[/bold] {escape(fb.nominee)}")
    console.print(escape(fb.summary))
    for note in fb.notes:
        console.print(
            Panel(escape(note.message), title=escape(note.question or "Whole nomination"), border_style="yellow")
        )
    for it in fb.items:
        lines = []
        if it.quote:
            lines.append(f"You wrote: [italic]“{escape(it.quote)}”[/italic]")
        lines.append(escape(it.advice))
        if it.prompt:
            lines.append(f"[bold]Ask yourself:[/bold] {escape(it.prompt)}")
        title = f"{it.criterion} {escape(it.name)} — {HEADINGS[it.strength]}"
        console.print(Panel("\n".join(lines), title=title, title_align="left", border_style=style[it.strength]))
    for m in fb.moves:
        console.print(
            Panel(
                f"[italic]“{escape(m.sentence)}”[/italic]\n{escape(m.message)}", title="Move?", border_style="magenta"
            )
        )
    console.print("This guide helps you write; it is not a score. Nothing you write is sent anywhere.")
    return buf.getvalue()


def feedback_view(fb: Feedback) -> dict[str, Any]:
    """Plain values for templates (the web page and the HTML download)."""
    return {
        "nominee": clean_control(fb.nominee),
        "summary": fb.summary,
        "notes": fb.notes,
        "entries": [{**it.__dict__, "heading": HEADINGS[it.strength]} for it in fb.items],
        "moves": fb.moves,
        "framework_name": fb.framework_name,
    }


def render_feedback_html(fb: Feedback) -> str:
    from analyser.report.html import CSS, _env

    return _env().get_template("feedback.html.j2").render(fb=feedback_view(fb), css=CSS)
