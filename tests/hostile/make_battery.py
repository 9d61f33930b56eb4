"""Regenerate the battery of hostile and malformed inputs in this folder.

    python tests/hostile/make_battery.py

Each file's expected outcome is in manifest.json (exit code and a phrase of the one-line error,
or checks on the output). The files are committed; this script documents how they were made.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
GOOD = "She met the Roma families every week to redesign the clinic letters; bookings rose from 30% to 55%."


def write(name: str, data: bytes | str) -> None:
    (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document_xml)
        for k, v in (extra or {}).items():
            zf.writestr(k, v)
    return buf.getvalue()


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def main() -> None:
    manifest: list[dict] = []

    def case(name: str, exit_code: int, phrase: str = "", **checks: object) -> None:
        manifest.append({"file": name, "exit": exit_code, "stderr": phrase, **checks})

    write("empty.txt", "")
    case("empty.txt", 3, "file is empty")
    write("whitespace.md", "   \n\t\n")
    case("whitespace.md", 3, "file is empty")
    write("binary.txt", bytes(range(256)) * 4)
    case("binary.txt", 3, "binary")
    write("broken.json", '{"id": "x", "answers": {"Q1": "unterminated')
    case("broken.json", 3, "not valid JSON")
    write("array.json", json.dumps([{"id": 1, "answers": {"Q1": GOOD}}]))
    case("array.json", 3, "JSON array")
    write("deep.json", '{"id": "x", "answers": {"Q1": "a"}, "x": ' + "[" * 5000 + "]" * 5000 + "}")
    case("deep.json", 6, "nested more than")
    write("wrong-key.json", json.dumps({"id": "x", "answers": {"Q9": GOOD}}))
    case("wrong-key.json", 3, "not a question")
    write("long-answer.json", json.dumps({"id": "x", "answers": {"Q1": "word " * 20000}}))
    case("long-answer.json", 6, "over the limit")
    write("unsupported.pdf", "%PDF-1.4")
    case("unsupported.pdf", 3, "unsupported file type")
    write("not-a-zip.docx", "this is not a Word file")
    case("not-a-zip.docx", 3, "not a valid Word file")
    billion = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
        b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    write("billion-laughs.docx", docx(billion))
    case("billion-laughs.docx", 3, "forbidden XML")
    external = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "http://attacker.invalid/x">]>'
        b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>"
    )
    write("external-entity.docx", docx(external))
    case("external-entity.docx", 3, "forbidden XML")
    bomb = docx(b"<w:document " + W + b"><w:body>" + b" " * (210 * 1024 * 1024) + b"</w:body></w:document>")
    write("zip-bomb.docx", bomb)
    case("zip-bomb.docx", 6, "would inflate")
    write("no-document.docx", docx(b"<x/>").replace(b"word/document.xml", b"word/documenx.xml"))
    case("no-document.docx", 3, "no word/document.xml")
    write("broken.xlsx", docx(b"<x/>"))
    case("broken.xlsx", 3, "not a readable Excel workbook")
    write(
        "unclosed-quote.csv",
        'id,Q1,Q2\n1,"never closed,x\n2,' + GOOD + ',y\n3,"She taught 40 porters about autism.",z\n',
    )
    case("unclosed-quote.csv", 4, "row 2", jsonl_ids=["2", "3"])
    write("no-header.csv", "a,b,c\n1,2,3\n")
    case("no-header.csv", 3, "no header row")
    write("semicolon-cp1252.csv", ("id;Q1;Q2\n007;Caf\u00e9 for carers \u2013 she set it up;N/A\n").encode("cp1252"))
    case("semicolon-cp1252.csv", 0, "", jsonl_ids=["007"])
    write("utf16.csv", ("id,Q1\nu1," + GOOD + "\n").encode("utf-16"))
    case("utf16.csv", 0, "", jsonl_ids=["u1"])
    write("bom.csv", ("\ufeffID,q1\nb1," + GOOD + "\n").encode("utf-8"))
    case("bom.csv", 0, "", jsonl_ids=["b1"])
    write(
        "formula-cells.csv",
        'id,nominee,Q1\n=1+1,"=HYPERLINK(""http://attacker.invalid"",""x"")",' + GOOD + "\n",
    )
    case("formula-cells.csv", 0, "", batch_neutralised=True)
    write("controls.txt", "Q1\nShe\x00 met\x07 the \u200bRoma\u200d families\x1b weekly.\ufeff\nQ2\n\x0cN/A\n")
    case("controls.txt", 0, "", no_control_chars=True)
    write("invalid-utf8.txt", b"Q1\nShe met the families \xff\xfe\xc3 weekly and bookings rose.\n")
    case("invalid-utf8.txt", 0, "")
    write(
        "html-injection.txt",
        'Q1\n<script>alert("x")</script> She ran <img src=x onerror=alert(1)> a clinic for Roma families.\n'
        "Q2\n**bold** [link](javascript:alert(1)) | pipe |\n",
    )
    case("html-injection.txt", 0, "", html_escaped=True)
    write(
        "welsh.txt",
        "Q1\nMae hi wedi gweithio gyda'r gymuned leol ers blynyddoedd ac mae hi yn arwain y t\u00eem gyda gofal mawr. "
        "Roedd hi yn trefnu cyfarfodydd gyda theuluoedd ac yn gwrando ar eu pryderon am y gwasanaeth iechyd.\n",
    )
    case("welsh.txt", 0, "Welsh")
    write("no-headings.txt", GOOD + "\nShe also taught the team about Roma culture.\n")
    case("no-headings.txt", 0, "", flag="no_headings")
    write("placeholders.md", "## Q1\nSee above\n## Q2\nN/A\n## Q3\n-\n## Q4\nAs above.\n")
    case("placeholders.md", 0, "", flag="placeholder_answer")
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
