from __future__ import annotations

import json

import pytest

from analyser.errors import InputError, LimitError
from analyser.readers import Limits, ReadOptions, RowError, parse_column_mapping, read_nominations, read_one
from analyser.records import Nomination


def _items(path, opts):
    return list(read_nominations(path, opts))


@pytest.mark.parametrize(
    "headings",
    [
        ["Q1", "Q2", "Q3", "Q4"],
        ["Q1:", "Q2:", "Q3:", "Q4:"],
        ["Question 1", "Question 2", "Question 3", "Question 4"],
        ["## Question 1", "## Question 2", "## Question 3", "## Question 4"],
        ["**Q1.**", "**Q2.**", "**Q3.**", "**Q4.**"],
        ["1.", "2.", "3.", "4."],
        [
            "Do they ensure that services are commissioned, designed, procured, delivered and evaluated?",
            "Do they actively promote equality and celebrate difference?",
            "Do those around them at work feel they are able to 'be themselves'?",
            "Do they demonstrate inclusive leadership, being consciously, intentionally and visibly inclusive?",
        ],
    ],
)
def test_text_headings(tmp_path, read_opts, headings):
    body = [f"{h}\nAnswer number {i + 1} says something specific.\n" for i, h in enumerate(headings)]
    p = tmp_path / "n.txt"
    p.write_text("Nominee: Sam Patel\n\n" + "\n".join(body), encoding="utf-8")
    nom = read_one(p, read_opts)
    assert nom.metadata["nominee"] == "Sam Patel"
    for i, q in enumerate(["Q1", "Q2", "Q3", "Q4"]):
        assert nom.answers[q] == f"Answer number {i + 1} says something specific."
    assert not nom.reader_flags


def test_numbered_list_inside_answer_is_not_a_heading(tmp_path, read_opts):
    text = "Q1\nShe did three things:\n1. ran a clinic\n2. met the council\n\nQ2\nTaught staff.\n\nQ3\nN/A\n\nQ4\nSpoke up."
    p = tmp_path / "n.md"
    p.write_text(text, encoding="utf-8")
    nom = read_one(p, read_opts)
    assert "2. met the council" in nom.answers["Q1"]
    assert nom.answers["Q2"] == "Taught staff."
    assert nom.answers["Q3"] == "N/A"


def test_heading_with_answer_on_same_line(tmp_path, read_opts):
    p = tmp_path / "n.txt"
    p.write_text("Q1: She set up a clinic.\nQ2: She taught.\nQ3: -\nQ4: She spoke.", encoding="utf-8")
    nom = read_one(p, read_opts)
    assert nom.answers == {"Q1": "She set up a clinic.", "Q2": "She taught.", "Q3": "-", "Q4": "She spoke."}


def test_text_without_headings_is_read_and_flagged(tmp_path, read_opts):
    p = tmp_path / "blob.txt"
    p.write_text("She set up a clinic for deaf patients. She taught the team BSL.", encoding="utf-8")
    nom = read_one(p, read_opts)
    assert nom.answers["Q1"].startswith("She set up")
    assert [f.code for f in nom.reader_flags] == ["no_headings"]


def test_empty_and_missing_files(tmp_path, read_opts):
    p = tmp_path / "empty.txt"
    p.write_text("   \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty") as info:
        read_one(p, read_opts)
    assert str(p) in str(info.value)
    with pytest.raises(InputError, match="not found"):
        read_one(tmp_path / "missing.txt", read_opts)
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(InputError, match="unsupported file type"):
        read_one(bad, read_opts)


def test_json_object_and_flat_keys(tmp_path, read_opts):
    p = tmp_path / "n.json"
    p.write_text(json.dumps({"id": 7, "nominee": "Jo", "answers": {"q1": "A.", "Q2": None, "Question 3": "C."}}))
    nom = read_one(p, read_opts)
    assert nom.id == "7"
    assert nom.answers == {"Q1": "A.", "Q2": "", "Q3": "C.", "Q4": ""}
    assert nom.metadata == {"nominee": "Jo"}
    p.write_text(json.dumps({"id": "x", "Q1": "A.", "Q4": "D."}))
    assert read_one(p, read_opts).answers["Q4"] == "D."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('[{"id": 1}]', "JSON array"),
        ('{"id": "a", "answers": {"Q9": "x"}}', "not a question"),
        ('{"id": "a", "answers": {"Q1": 5}}', "must be text"),
        ('{"id": "a", "answers": {"Q1": ""}}', "every answer is empty"),
        ('{"id": "a"}', "no 'answers'"),
    ],
)
def test_json_errors_are_one_line_naming_the_file(tmp_path, read_opts, content, message):
    p = tmp_path / "bad.json"
    p.write_text(content)
    with pytest.raises(InputError) as info:
        read_one(p, read_opts)
    assert message in str(info.value) and str(p) in str(info.value)
    assert "\n" not in str(info.value)


def test_json_nesting_is_bounded(tmp_path, framework):
    p = tmp_path / "deep.json"
    p.write_text('{"id": "a", "answers": {"Q1": "x"}, "junk": ' + "[" * 100 + "]" * 100 + "}")
    with pytest.raises(LimitError, match="nested"):
        read_one(p, ReadOptions(framework=framework, limits=Limits(max_json_depth=32)))


def test_jsonl_bad_row_is_reported_and_rest_read(tmp_path, read_opts):
    p = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": "a", "answers": {"Q1": "first"}, "extra": {"ignored": True}}),
        "{broken",
        "",
        json.dumps({"id": "c", "answers": {"Q2": "third"}}),
    ]
    p.write_text("\n".join(lines))
    items = _items(p, read_opts)
    assert [type(i) for i in items] == [Nomination, RowError, Nomination]
    assert items[1].row == 2 and "not valid JSON" in items[1].message
    assert [i.id for i in items if isinstance(i, Nomination)] == ["a", "c"]


def test_csv_headers_case_insensitive_and_metadata(tmp_path, read_opts):
    p = tmp_path / "round.csv"
    p.write_text('ID,nominee,q1,Q2,Q3,Q4,Other\n001,"Ann, RN","Line one\nline two","He said ""hi""",N/A,x,ignored\n')
    (nom,) = _items(p, read_opts)
    assert nom.id == "001"
    assert nom.metadata["nominee"] == "Ann, RN"
    assert nom.answers["Q1"] == "Line one\nline two"
    assert nom.answers["Q2"] == 'He said "hi"'
    assert nom.answers["Q3"] == "N/A"


def test_csv_column_mapping_and_semicolons(tmp_path, framework):
    p = tmp_path / "export.csv"
    p.write_text("Ref;Answer one;Answer two;Answer three;Answer four\nR1;a;b;c;d\n")
    opts = ReadOptions(
        framework=framework,
        columns=parse_column_mapping('id=Ref,Q1="Answer one",Q2=Answer two,Q3=Answer three,Q4=Answer four'),
    )
    (nom,) = _items(p, opts)
    assert nom.id == "R1" and nom.answers == {"Q1": "a", "Q2": "b", "Q3": "c", "Q4": "d"}
    bad = ReadOptions(framework=framework, columns=parse_column_mapping("Q1=Nope"))
    with pytest.raises(InputError, match="not in the file"):
        list(read_nominations(_write_csv(tmp_path), bad))


def _write_csv(tmp_path):
    p = tmp_path / "simple.csv"
    p.write_text("id,Q1\n1,a\n")
    return p


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_csv_encodings(tmp_path, read_opts, encoding):
    p = tmp_path / "enc.csv"
    p.write_bytes("id,Q1,Q2\n1,café – “quoted”,naïve\n".encode(encoding))
    (nom,) = _items(p, read_opts)
    assert nom.answers["Q1"] == "café – “quoted”"
    assert nom.answers["Q2"] == "naïve"


def test_csv_unclosed_quote_never_merges_rows(tmp_path, read_opts):
    p = tmp_path / "broken.csv"
    p.write_text('id,Q1,Q2\n1,"unclosed answer,x\n2,second answer,y\n3,third,z\n')
    items = _items(p, read_opts)
    noms = [i for i in items if isinstance(i, Nomination)]
    errors = [i for i in items if isinstance(i, RowError)]
    assert [n.id for n in noms] == ["2", "3"]
    assert noms[0].answers["Q1"] == "second answer"
    assert len(errors) == 1 and errors[0].row == 2


def test_csv_without_answer_columns(tmp_path, read_opts):
    p = tmp_path / "nohead.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="no header row"):
        _items(p, read_opts)


def test_folder_reads_each_file_and_reports_bad_ones(tmp_path, read_opts):
    (tmp_path / "a.txt").write_text("Q1\nShe did a thing.\n")
    (tmp_path / "b.json").write_text("{oops")
    (tmp_path / "c.json").write_text(json.dumps({"id": "c", "answers": {"Q1": "x"}}))
    items = _items(tmp_path, read_opts)
    assert sorted(i.id for i in items if isinstance(i, Nomination)) == ["a", "c"]
    (err,) = [i for i in items if isinstance(i, RowError)]
    assert err.source.endswith("b.json")


def test_answer_length_limit(tmp_path, framework):
    p = tmp_path / "long.json"
    p.write_text(json.dumps({"id": "a", "answers": {"Q1": "word " * 100}}))
    with pytest.raises(LimitError, match="over the limit"):
        read_one(p, ReadOptions(framework=framework, limits=Limits(max_answer_chars=50)))


def test_invisible_characters_are_cleaned(tmp_path, read_opts):
    p = tmp_path / "n.json"
    p.write_text(json.dumps({"id": "a", "answers": {"Q1": "She\u200b set\u00a0up a\x07 clinic.\r\nThen more."}}))
    assert read_one(p, read_opts).answers["Q1"] == "She set up a  clinic.\nThen more."
