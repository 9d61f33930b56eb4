"""Shared fixtures. Models load once per session (they are real: no mocks of spaCy or the
encoder), and tests get the same loaded Analyser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def framework():
    from analyser.criteria import load_framework

    return load_framework("inclusive-leader")


@pytest.fixture(scope="session")
def read_opts(framework):
    from analyser.readers import ReadOptions

    return ReadOptions(framework=framework)


@pytest.fixture(scope="session")
def nlp():
    from analyser.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def analyser():
    from analyser.analyse import Analyser

    a = Analyser(precision="float32")
    a.warm_up()
    return a


@pytest.fixture(scope="session")
def example_report(analyser, read_opts):
    from analyser.readers import read_one

    return analyser.analyse(read_one(EXAMPLES / "nomination-amira.txt", read_opts))
