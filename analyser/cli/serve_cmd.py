"""`analyser serve`: the local web page and JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from analyser.cli.common import EncoderOpt, FrameworkOpt, ModelOpt, Precision, PrecisionOpt, SpacyOpt, WordLimitOpt

HELP = """Start the local web page where nominators check their nomination as they write, and the
JSON API (POST /api/analyse, POST /api/feedback, GET /health, OpenAPI at /openapi.json).
Listens on 127.0.0.1 unless --host says otherwise. Nothing typed is stored, logged or sent anywhere.
"""


def serve(
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default loopback only).")] = "127.0.0.1",
    allow_host: Annotated[
        list[str] | None, typer.Option("--allow-host", help="Extra Host header value to accept (e.g. a machine name).")
    ] = None,
    framework: FrameworkOpt = "inclusive-leader",
    word_limit: WordLimitOpt = None,
    model: ModelOpt = None,
    encoder: EncoderOpt = None,
    spacy_model: SpacyOpt = None,
    precision: PrecisionOpt = Precision.auto,
) -> None:
    import uvicorn

    from analyser.cli.common import make_analyser
    from analyser.web.app import create_app

    analyser = make_analyser(framework, model, encoder, spacy_model, precision, word_limit)
    hosts = list(allow_host or [])
    if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        hosts.append(host)
    app = create_app(analyser, allowed_hosts=hosts)
    typer.echo(f"analyser: serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    # access_log off: request lines are not written anywhere.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
