"""Word and Excel inputs: every layout read as a person sees it; nothing silently dropped."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from analyser.errors import InputError, LimitError
from analyser.readers import Limits, ReadOptions, RowError, read_nominations, read_one
from analyser.records import Nomination
from tests import officefiles as of

Q1 = "She set up a monthly clinic with the local Roma families to redesign the booking letters."
Q2 = "She taught 40 porters about the experiences of disabled patients."
Q3 = "Staff said in the survey that they can speak up."
Q4 = "She presented the WRES report to the board."


def test_docx_plain_paragraphs(tmp_path, read_opts):
    body = "".join(of.p(x) for x in ["Nominee: Ana Popescu", "Q1", Q1, "Q2", Q2, "Question 3", Q3, "Question 4", Q4])
    nom = read_one(of.write_docx(tmp_path / "plain.docx", body), read_opts)
    assert nom.answers == {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4}
    assert nom.metadata["nominee"] == "Ana Popescu"


def test_docx_table_form_question_in_one_cell_answer_in_next(tmp_path, read_opts, framework):
    qtext = framework.question("Q1").text
    body = of.table(
        of.row(of.cell("Nominee name"), of.cell("Ana Popescu")),
        of.row(of.cell("Q1", qtext, "For example:"), of.cell(Q1, "A second paragraph of the answer.")),
        of.row(of.cell("Q2"), of.cell(Q2)),
        of.row(of.cell("Q3"), of.cell(Q3)),
        of.row(of.cell("Q4"), of.cell(Q4)),
    )
    nom = read_one(of.write_docx(tmp_path / "table.docx", body), read_opts)
    assert nom.metadata["nominee"] == "Ana Popescu"
    assert nom.answers["Q1"] == Q1 + "\nA second paragraph of the answer."
    assert nom.answers["Q4"] == Q4


def test_docx_answer_in_row_below_question(tmp_path, read_opts):
    body = of.table(
        of.row(of.cell("Question 1")),
        of.row(of.cell(Q1)),
        of.row(of.cell("Question 2")),
        of.row(of.cell(Q2)),
        of.row(of.cell("Question 3")),
        of.row(of.cell(Q3)),
        of.row(of.cell("Question 4")),
        of.row(of.cell(Q4)),
    )
    nom = read_one(of.write_docx(tmp_path / "rows.docx", body), read_opts)
    assert nom.answers == {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4}


def test_docx_content_controls_form_fields_and_text_boxes(tmp_path, read_opts):
    body = (
        of.p("Q1")
        + of.content_control(Q1)
        + of.p("Q2")
        + of.form_field(Q2)
        + of.p("Q3")
        + of.text_box(Q3)
        + of.p("Q4")
        + of.p(Q4)
    )
    nom = read_one(of.write_docx(tmp_path / "controls.docx", body), read_opts)
    assert nom.answers == {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4}
    assert "FORMTEXT" not in nom.text


def test_docx_tracked_changes_read_as_accepted_and_flagged(tmp_path, read_opts):
    body = of.p("Q1") + of.tracked("She met ", "nobody ", "the Roma families every week.") + of.p("Q2") + of.p(Q2)
    nom = read_one(of.write_docx(tmp_path / "tracked.docx", body), read_opts)
    assert nom.answers["Q1"] == "She met the Roma families every week."
    assert [f.code for f in nom.reader_flags] == ["tracked_changes"]


def test_docx_broken_and_hostile(tmp_path, read_opts):
    bad = tmp_path / "notzip.docx"
    bad.write_text("hello")
    with pytest.raises(InputError, match="not a valid Word file"):
        read_one(bad, read_opts)
    bomb_xml = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        f"<w:document {of.NS}><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    p = tmp_path / "entities.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("word/document.xml", bomb_xml)
    with pytest.raises(InputError, match="forbidden XML"):
        read_one(p, read_opts)
    empty = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("other.xml", "<x/>")
    with pytest.raises(InputError, match="no word/document.xml"):
        read_one(empty, read_opts)


def test_zip_bomb_is_refused_before_inflating(tmp_path, framework):
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<a>" + b" " * 5_000_000 + b"</a>")
    opts = ReadOptions(framework=framework, limits=Limits(max_uncompressed_bytes=1_000_000))
    with pytest.raises(LimitError, match="would inflate"):
        read_one(p, opts)
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(30):
            zf.writestr(f"p{i}.xml", "<a/>")
    with pytest.raises(LimitError, match="parts"):
        read_one(many, ReadOptions(framework=framework, limits=Limits(max_zip_members=10)))


def _xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    return wb, ws


def test_xlsx_round_with_title_rows_mapping_and_text_values(tmp_path, framework):
    wb, ws = _xlsx(
        tmp_path,
        [["Inclusive Leader 2026 export"], [], ["Ref", "Nominee", "Answer 1", "Answer 2", "Answer 3", "Answer 4"]],
    )
    ws.append([7, "Ana Popescu", Q1, "N/A", Q3, "=1+1"])
    ws.cell(row=4, column=1).number_format = "000"
    ws.append(["R2", "Tom Lee", "Line one\nline two", Q2, "", ""])
    ws.append(["R3", "Nobody", "", "", "", ""])
    p = tmp_path / "round.xlsx"
    wb.save(p)
    opts = ReadOptions(framework=framework, columns={"id": "Ref"})
    items = list(read_nominations(p, opts))
    noms = [i for i in items if isinstance(i, Nomination)]
    errs = [i for i in items if isinstance(i, RowError)]
    assert [n.id for n in noms] == ["007", "R2"]
    assert noms[0].answers["Q2"] == "N/A"
    assert noms[0].answers["Q4"] in ("", "2")  # a formula's cached value, never the formula text
    assert noms[1].answers["Q1"] == "Line one\nline two"
    assert len(errs) == 1 and errs[0].row == 6 and "empty" in errs[0].message


def test_xlsx_not_a_workbook(tmp_path, read_opts):
    p = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        list(read_nominations(p, read_opts))
