"""Build small but real .docx files by hand, so each Word layout is tested against known text."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def cell(*paras: str) -> str:
    return "<w:tc>" + "".join(p(x) for x in paras) + "</w:tc>"


def row(*cells: str) -> str:
    return "<w:tr>" + "".join(cells) + "</w:tr>"


def table(*rows: str) -> str:
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


def content_control(text: str) -> str:
    return "<w:sdt><w:sdtPr><w:alias w:val='Answer'/></w:sdtPr><w:sdtContent>" + p(text) + "</w:sdtContent></w:sdt>"


def form_field(text: str) -> str:
    """A legacy FORMTEXT field: the displayed result sits between 'separate' and 'end'."""
    return (
        "<w:p><w:r><w:fldChar w:fldCharType='begin'/></w:r>"
        "<w:r><w:instrText xml:space='preserve'> FORMTEXT </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r>"
        f"<w:r><w:t xml:space='preserve'>{escape(text)}</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>"
    )


def tracked(kept: str, deleted: str, inserted: str) -> str:
    return (
        f'<w:p><w:r><w:t xml:space="preserve">{escape(kept)}</w:t></w:r>'
        f'<w:del w:id="1" w:author="A"><w:r><w:delText xml:space="preserve">{escape(deleted)}</w:delText></w:r></w:del>'
        f'<w:ins w:id="2" w:author="A"><w:r><w:t xml:space="preserve">{escape(inserted)}</w:t></w:r></w:ins></w:p>'
    )


def text_box(text: str) -> str:
    return (
        "<w:p><w:r><w:pict><v:shape xmlns:v='urn:schemas-microsoft-com:vml'><v:textbox><w:txbxContent>"
        + p(text)
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )


def write_docx(path: Path, body_xml: str, extra: dict[str, bytes] | None = None) -> Path:
    doc = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body_xml}</w:body></w:document>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml", doc)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path
