"""The pages of the local web app: the form, its feedback, uploads and downloads."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from analyser.errors import AnalyserError
from analyser.flags import word_count


def _form_values(form: Any, qids: list[str]) -> dict[str, str]:
    values = {q: str(form.get(q, "") or "") for q in qids}
    values["nominee"] = str(form.get("nominee", "") or "")[:300]
    return values


def add_pages(app: FastAPI, service: Any) -> None:
    fw = service.analyser.framework
    qids = fw.question_ids

    def render(values: dict[str, str], feedback: Any = None, error: str = "", status: int = 200) -> HTMLResponse:
        from analyser.report.feedback import feedback_view
        from analyser.report.html import _env

        questions = []
        for q in fw.questions:
            limit = service.analyser.word_limit or fw.word_limit(q.id)
            text = values.get(q.id, "")
            questions.append(
                {
                    "id": q.id,
                    "title": q.title,
                    "text": q.text,
                    "examples": q.examples,
                    "value": text,
                    "words": word_count(text),
                    "limit": limit,
                    "over": bool(limit and word_count(text) > limit),
                }
            )
        html = (
            _env()
            .get_template("web_page.html.j2")
            .render(
                framework=fw,
                questions=questions,
                nominee=values.get("nominee", ""),
                fb=feedback_view(feedback) if feedback is not None else None,
                error=error,
            )
        )
        return HTMLResponse(html, status_code=status)

    def fragment(feedback: Any = None, error: str = "", status: int = 200) -> HTMLResponse:
        from analyser.report.feedback import feedback_view
        from analyser.report.html import _env

        html = (
            _env()
            .get_template("web_feedback.html.j2")
            .render(fb=feedback_view(feedback) if feedback is not None else None, error=error)
        )
        return HTMLResponse(html, status_code=status)

    def nomination_from(values: dict[str, str]) -> Any:
        obj: dict[str, Any] = {"id": "your-nomination", "answers": {q: values.get(q, "") for q in qids}}
        if values.get("nominee"):
            obj["nominee"] = values["nominee"]
        return service.nomination(obj, "web form")

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return render({})

    @app.post("/check", response_class=HTMLResponse)
    async def check(request: Request) -> HTMLResponse:
        form = await request.form()
        values = _form_values(form, qids)
        want_fragment = request.query_params.get("fragment") == "1"
        upload = form.get("upload")
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                from analyser.readers import read_upload

                data = await upload.read()
                nom = read_upload(upload.filename, data, service.read_options)
                values = {q: nom.answers.get(q, "") for q in qids}
                values["nominee"] = nom.metadata.get("nominee", values.get("nominee", ""))
            else:
                if not any(values[q].strip() for q in qids):
                    raise AnalyserError("Please write at least one answer, or upload your form.")
                nom = nomination_from(values)
            _, fb = service.feedback(nom)
        except AnalyserError as exc:
            # The message names the problem, never the text of the nomination.
            msg = _safe_message(exc)
            return fragment(error=msg, status=422) if want_fragment else render(values, error=msg, status=422)
        return fragment(fb) if want_fragment else render(values, fb)

    @app.post("/download")
    async def download(request: Request) -> Response:
        from analyser.report.feedback import render_feedback_html, render_feedback_markdown

        form = await request.form()
        values = _form_values(form, qids)
        fmt = request.query_params.get("format", "md")
        try:
            _, fb = service.feedback(nomination_from(values))
        except AnalyserError as exc:
            return render(values, error=_safe_message(exc), status=422)
        if fmt == "html":
            body, media, ext = render_feedback_html(fb), "text/html; charset=utf-8", "html"
        else:
            body, media, ext = render_feedback_markdown(fb), "text/markdown; charset=utf-8", "md"
        return Response(
            body, media_type=media, headers={"Content-Disposition": f'attachment; filename="nomination-feedback.{ext}"'}
        )


def _safe_message(exc: AnalyserError) -> str:
    msg = exc.message
    msg = re.sub(r"\s+", " ", msg)[:300]
    return msg[:1].upper() + msg[1:]
