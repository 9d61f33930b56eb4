"""`analyser criteria`: list (and validate) an award framework."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from analyser.cli.common import FrameworkOpt

HELP = """List an award framework's questions, sub-criteria and suggested examples.

The framework file is validated on load: any problem is reported with the file and the key.
Use --all to list the frameworks shipped with the analyser.
"""


class Format(StrEnum):
    text = "text"
    json = "json"


def criteria(
    framework: FrameworkOpt = "inclusive-leader",
    format: Annotated[Format, typer.Option("--format", "-F", help="text for people, json for machines.")] = Format.text,
    all: Annotated[bool, typer.Option("--all", help="List the shipped frameworks instead.")] = False,
) -> None:
    import json
    from dataclasses import asdict

    from analyser.criteria import available_frameworks, load_framework

    if all:
        for fid in available_frameworks():
            fw = load_framework(fid)
            typer.echo(
                f"{fid}\t{fw.name} v{fw.version}\t{len(fw.questions)} questions, {len(fw.criteria)} sub-criteria"
            )
        return
    fw = load_framework(framework)
    if format is Format.json:
        d = asdict(fw)
        d.pop("digest", None)
        typer.echo(json.dumps(d, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{fw.name} ({fw.id} v{fw.version}) - {fw.awarding_body}")
    typer.echo(f"{len(fw.questions)} questions, {len(fw.criteria)} sub-criteria; file {fw.path}")
    for q in fw.questions:
        limit = fw.word_limit(q.id)
        typer.echo("")
        typer.echo(f"{q.id}  {q.title}" + (f"  (limit {limit} words)" if limit else ""))
        typer.echo(f"    {q.text}")
        for ex in q.examples:
            typer.echo(f"    e.g. {ex}")
        for c in q.criteria:
            typer.echo(f"  {c.id}  {c.name}")
            typer.echo(f"        {c.description}")
