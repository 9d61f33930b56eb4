"""Escaping what a nomination says, for each output format."""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~!])")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_control(text: str) -> str:
    """Control characters and lone surrogates never reach a writer."""
    return _CONTROL.sub("\ufffd", text)


def md(text: str) -> str:
    """Quoted text, safe inside Markdown: no markup, no raw HTML, one line."""
    text = clean_control(text)
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*\n\s*", " ", text)


def html_text(text: str) -> str:
    return html.escape(clean_control(text), quote=True)


def cell(value: object) -> object:
    """A spreadsheet/CSV cell that cannot be run as a formula (OWASP CSV injection guidance)."""
    if isinstance(value, str):
        value = clean_control(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value
