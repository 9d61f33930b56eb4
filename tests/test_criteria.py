from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analyser.criteria import DATA_DIR, available_frameworks, load_framework, load_framework_file
from analyser.errors import ConfigError

IL_IDS = ["Q1.a", "Q1.b", "Q2.a", "Q2.b", "Q2.c", "Q3.a", "Q3.b", "Q4.a", "Q4.b"]


def test_inclusive_leader_has_exactly_the_nine_sub_criteria(framework):
    assert framework.criterion_ids == IL_IDS
    assert framework.question_ids == ["Q1", "Q2", "Q3", "Q4"]
    assert all(c.exemplars and c.keywords for c in framework.criteria)
    # The form's suggested examples are carried as data.
    assert "Calls Out" in " ".join(framework.question("Q2").examples)


def test_second_framework_is_just_another_file():
    assert {"inclusive-leader", "living-the-values"} <= set(available_frameworks())
    fw = load_framework("living-the-values")
    assert fw.question_ids == ["Q1", "Q2", "Q3"]
    assert fw.word_limit("Q1") == 400


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "fw.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = (DATA_DIR / "living-the-values.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda s: s.replace('id = "living-the-values"', 'id = "Bad Id"'), "framework.id"),
        (lambda s: s.replace('name = "Living the Values"\n', ""), "framework.name"),
        (lambda s: s.replace('id = "Q2.a"', 'id = "Q1.z"'), "questions[1].criteria[0].id"),
        (lambda s: s.replace('id = "Q3.b"', 'id = "Q3.a"'), "questions[2].criteria[1].id"),
        (lambda s: s.replace("default_word_limit = 400", "default_word_limit = -5"), "framework.default_word_limit"),
        (lambda s: s.replace("{name} noticed someone", "{nominee} noticed someone"), "prompt_missing"),
        (
            lambda s: s.replace('description = "Brings teams', 'descriptio = "Brings teams'),
            "questions[2].criteria[0].description",
        ),
    ],
)
def test_broken_framework_names_file_and_key(tmp_path, mutate, key):
    bad = mutate(GOOD)
    assert bad != GOOD, "the mutation must change the file"
    path = _write(tmp_path, bad)
    with pytest.raises(ConfigError) as info:
        load_framework_file(path)
    msg = str(info.value)
    assert str(path) in msg
    assert key in msg


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_framework_file(_write(tmp_path, "[framework\nid="))
    with pytest.raises(ConfigError, match="not found"):
        load_framework_file(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="unknown framework"):
        load_framework("no-such-award")


def test_criteria_command_lists_framework():
    out = subprocess.run(
        [sys.executable, "-m", "analyser", "criteria"], capture_output=True, text=True, check=True
    ).stdout
    for cid in IL_IDS:
        assert cid in out
    out2 = subprocess.run(
        [sys.executable, "-m", "analyser", "criteria", "--framework", "living-the-values"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Compassion" in out2 and "Q3.b" in out2
