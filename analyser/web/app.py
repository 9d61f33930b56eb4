"""`analyser serve`: a local web page where nominators get feedback as they write, and a JSON API.

Server-rendered pages that work without JavaScript (a plain form post); a small script makes
feedback update without a reload. Privacy and safety:
- nothing typed or uploaded is written to disk or logged (uploads are read in memory; the
  access log is off; errors never echo the input);
- every response is `Cache-Control: no-store` with a strict Content-Security-Policy;
- requests with a foreign Host header are refused (DNS rebinding), and so are cross-site posts;
- bodies over MAX_BODY_BYTES get 413;
- the models are loaded once at start-up and shared; analyses run one at a time under a lock.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from analyser.errors import AnalyserError

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
MAX_BODY_BYTES = 2 * 1024 * 1024  # documented in README ("The local web page")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class NominationIn(BaseModel):
    """The same nomination object as the .json reader: {"id": ..., "answers": {"Q1": ..., ...}}."""

    id: str = Field(default="nomination", max_length=200)
    answers: dict[str, str | None]
    nominee: str | None = Field(default=None, max_length=300)
    nominator: str | None = Field(default=None, max_length=300)
    organisation: str | None = Field(default=None, max_length=300)
    nominee_type: str | None = Field(default=None, max_length=20)


class Service:
    """The shared analyser, and the one lock that serialises access to it."""

    def __init__(self, analyser: Any):
        self.analyser = analyser
        self.lock = threading.Lock()
        from analyser.readers import Limits, ReadOptions

        self.read_options = ReadOptions(framework=analyser.framework, limits=Limits.from_env())

    def nomination(self, obj: dict[str, Any], source: str = "web") -> Any:
        from analyser.readers.jsonio import nomination_from_object

        return nomination_from_object(obj, "nomination", source, self.read_options)

    def analyse(self, nom: Any) -> Any:
        with self.lock:
            try:
                return self.analyser.analyse(nom)
            finally:
                # Sentences stay in memory only while their own request is analysed.
                self.analyser.encoder.forget()

    def feedback(self, nom: Any) -> tuple[Any, Any]:
        from analyser.feedback import build_feedback

        report = self.analyse(nom)
        return report, build_feedback(report, self.analyser.framework)


def create_app(analyser: Any, allowed_hosts: list[str] | None = None, warm: bool = True) -> FastAPI:
    hosts = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"} | set(allowed_hosts or [])
    service = Service(analyser)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            analyser.warm_up()
        yield

    app = FastAPI(
        title="analyser",
        version=_version(),
        description="Evidence analyser for award nominations: a report and gap feedback for a nomination. Local only.",
        docs_url=None,  # the interactive docs page loads scripts from the web; /openapi.json is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = _host_of(request.headers.get("host", ""))
        if host not in hosts:
            return _secure(PlainTextResponse("Host not allowed.", status_code=400))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if _cross_site(request, host):
                return _secure(PlainTextResponse("Cross-site requests are refused.", status_code=403))
            length = request.headers.get("content-length")
            if length is not None:
                try:
                    too_big = int(length) > MAX_BODY_BYTES
                except ValueError:
                    return _secure(PlainTextResponse("Bad Content-Length.", status_code=400))
                if too_big:
                    return _secure(PlainTextResponse(f"Request body over {MAX_BODY_BYTES} bytes.", status_code=413))
            else:
                body = b""
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        return _secure(PlainTextResponse(f"Request body over {MAX_BODY_BYTES} bytes.", status_code=413))
                request._body = body
        try:
            response = await call_next(request)
        except Exception:  # never echo input, never log it
            log.error("internal error while handling %s %s", request.method, request.url.path)
            response = PlainTextResponse("Internal error.", status_code=500)
        return _secure(response)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "framework": analyser.framework.id, "model_loaded": analyser._model is not None}

    @app.post("/api/analyse")
    def api_analyse(nomination: NominationIn) -> JSONResponse:
        nom = _checked(service, nomination)
        return JSONResponse(service.analyse(nom).to_dict())

    @app.post("/api/feedback")
    def api_feedback(nomination: NominationIn) -> JSONResponse:
        nom = _checked(service, nomination)
        _, fb = service.feedback(nom)
        return JSONResponse(fb.to_dict())

    from analyser.web.pages import add_pages

    add_pages(app, service)
    return app


def _checked(service: Service, nomination: NominationIn) -> Any:
    try:
        return service.nomination(nomination.model_dump(exclude_none=True), "api")
    except AnalyserError as exc:
        raise HTTPException(status_code=422, detail=exc.message) from None


def _host_of(header: str) -> str:
    """The host name of a Host header, without its port ("[::1]:8000" -> "[::1]")."""
    if header.startswith("["):
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _cross_site(request: Request, host: str) -> bool:
    """True for a request a browser sent from another site (a form on an attacker's page).

    Browsers say where a request comes from in Sec-Fetch-Site; older ones only in Origin. A
    request with neither is not from a browser page (curl, scripts) and is allowed.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    from urllib.parse import urlsplit

    return (urlsplit(origin).hostname or "") not in (host.strip("[]"), "localhost", "127.0.0.1", "testserver")


def _secure(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own forms.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _version() -> str:
    from analyser import __version__

    return __version__


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
