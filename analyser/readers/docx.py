"""Word (.docx) nomination forms.

The document is read in order, as a person sees it: paragraphs; tables row by row (a question in
one cell and its answer in the next, or the answer in the row below); content controls and legacy
form fields (their displayed text); text boxes. Tracked changes are read as they would be with
all changes accepted (insertions kept, deletions dropped) and flagged. The text is then split into
answers by the same headings as .txt files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyser.errors import InputError
from analyser.readers.base import ReadOptions, clean_text, metadata_key
from analyser.readers.text import nomination_from_text
from analyser.readers.zipsafe import open_checked_zip, parse_xml, read_part
from analyser.records import Flag, Nomination

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {W + "delText", W + "instrText", W + "del", W + "moveFrom", W + "rPr", W + "pPr", W + "fldData"}


class _Walker:
    def __init__(self) -> None:
        self.tracked = False
        self.lines: list[str] = []

    def text_of(self, el: Any) -> str:
        """Displayed text under an element, with changes accepted."""
        parts: list[str] = []
        self._collect(el, parts)
        return "".join(parts)

    def _collect(self, el: Any, parts: list[str]) -> None:
        tag = el.tag
        if tag in (W + "ins", W + "del", W + "moveTo", W + "moveFrom"):
            self.tracked = True
        if tag in _SKIP:
            return
        if tag == W + "t":
            parts.append(el.text or "")
            return
        if tag == W + "tab":
            parts.append("\t")
            return
        if tag in (W + "br", W + "cr"):
            parts.append("\n")
            return
        if tag == W + "p":
            sub: list[str] = []
            for child in el:
                self._collect(child, sub)
            parts.append("".join(sub) + "\n")
            return
        for child in el:
            self._collect(child, parts)

    def block(self, el: Any) -> None:
        """A body-level element: paragraph, table, content control or other container."""
        tag = el.tag
        if tag == W + "tbl":
            self.table(el)
        elif tag == W + "p":
            self.lines.append(self.text_of(el).rstrip("\n"))
        elif tag == W + "sdt":
            content = el.find(W + "sdtContent")
            if content is not None:
                for child in content:
                    self.block(child)
        elif tag in (W + "sectPr", W + "bookmarkStart", W + "bookmarkEnd"):
            return
        else:
            for child in el:
                self.block(child)

    def table(self, tbl: Any) -> None:
        for tr in tbl.iter(W + "tr"):
            cells = [self._cell_text(tc) for tc in tr.findall(W + "tc")]
            # A content control may wrap whole cells.
            for sdt in tr.findall(W + "sdt"):
                content = sdt.find(W + "sdtContent")
                if content is not None:
                    cells.extend(self._cell_text(tc) for tc in content.findall(W + "tc"))
            cells = [c for c in cells if c.strip()]
            if not cells:
                continue
            if len(cells) == 2 and metadata_key(cells[0].strip().rstrip(":")) and "\n" not in cells[0].strip():
                self.lines.append(f"{cells[0].strip().rstrip(':')}: {cells[1].strip()}")
                continue
            for c in cells:
                self.lines.extend(c.split("\n"))

    def _cell_text(self, tc: Any) -> str:
        inner = _Walker()
        for child in tc:
            if child.tag == W + "tbl":
                inner.table(child)
            else:
                inner.block(child)
        self.tracked = self.tracked or inner.tracked
        return "\n".join(inner.lines).strip("\n")


def docx_text(path: Path, options: ReadOptions, content: bytes | None = None) -> tuple[str, bool]:
    with open_checked_zip(path, options.limits, "Word", content) as zf:
        data = read_part(zf, "word/document.xml", options.limits, path)
    root = parse_xml(data, path)
    body = root.find(W + "body")
    if body is None:
        raise InputError("Word file has no document body", path=path)
    walker = _Walker()
    for child in body:
        walker.block(child)
    return "\n".join(walker.lines), walker.tracked


def read_docx(path: Path, options: ReadOptions, content: bytes | None = None) -> Nomination:
    """Read a .docx from disk, or from `content` (an upload that is never written to disk)."""
    text, tracked = docx_text(path, options, content)
    text = clean_text(text)
    if not text:
        raise InputError("Word file has no text", path=path)
    nom = nomination_from_text(text, path.stem, str(path), options)
    if tracked:
        nom.reader_flags.append(
            Flag(
                "tracked_changes",
                "The Word file has tracked changes; it was read as it would be with all changes accepted.",
            )
        )
    return nom
