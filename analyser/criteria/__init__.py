"""Award frameworks as data files, and the one loader that validates them.

A framework is a TOML file (see `data/inclusive-leader.toml`): questions, their sub-criteria,
the form's suggested examples, exemplar sentences, keyword lexicons, feedback prompts and word
limits. Another award is another file. Every problem is reported with the file and the key.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyser.errors import ConfigError

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_FRAMEWORK = "inclusive-leader"

_QID = re.compile(r"^Q[1-9][0-9]?$")
_CID = re.compile(r"^(Q[1-9][0-9]?)\.([a-z])$")


@dataclass(frozen=True)
class Criterion:
    id: str
    question: str
    name: str
    description: str
    look_for: str
    prompt_missing: str
    prompt_asserted: str
    prompt_described: str
    exemplars: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    text: str
    examples: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    opening_words: tuple[str, ...] = ()
    word_limit: int | None = None


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    awarding_body: str
    language: str
    default_word_limit: int | None
    intro: str
    questions: tuple[Question, ...]
    path: str = ""
    digest: str = field(default="", compare=False)

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions]

    @property
    def criteria(self) -> list[Criterion]:
        return [c for q in self.questions for c in q.criteria]

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def word_limit(self, qid: str) -> int | None:
        q = self.question(qid)
        return q.word_limit if q.word_limit is not None else self.default_word_limit


class _Checker:
    """Pulls typed values out of parsed TOML, naming the file and key on any problem."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"key {key!r}: {problem}", path=self.path)

    def table(self, d: Any, key: str) -> dict[str, Any]:
        if not isinstance(d, dict):
            raise self.fail(key, "must be a table")
        return d

    def string(self, d: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        full = f"{where}.{key}" if where else key
        if key not in d:
            if required:
                raise self.fail(full, "is missing")
            return ""
        v = d[key]
        if not isinstance(v, str) or (required and not v.strip()):
            raise self.fail(full, "must be a non-empty string")
        return v

    def strings(self, d: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(s, str) and s.strip() for s in v):
            raise self.fail(f"{where}.{key}", "must be a list of non-empty strings")
        return tuple(v)

    def limit(self, d: dict[str, Any], key: str, where: str) -> int | None:
        v = d.get(key)
        if v is None:
            return None
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise self.fail(f"{where}.{key}", "must be a positive whole number of words")
        return v


_PROMPT_KEYS = ("prompt_missing", "prompt_asserted", "prompt_described")
_ALLOWED_FIELDS = {"name"}


def _check_prompt(check: _Checker, text: str, key: str) -> None:
    for name in re.findall(r"{([^{}]*)}", text):
        if name not in _ALLOWED_FIELDS:
            raise check.fail(key, f"unknown placeholder {{{name}}}; only {{name}} is allowed")


def parse_framework(raw: dict[str, Any], path: Path, digest: str = "") -> Framework:
    check = _Checker(path)
    meta = check.table(raw.get("framework"), "framework")
    fid = check.string(meta, "id", "framework")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", fid):
        raise check.fail("framework.id", "must be lower-case letters, digits and hyphens")
    questions_raw = raw.get("questions")
    if not isinstance(questions_raw, list) or not questions_raw:
        raise check.fail("questions", "must be a non-empty array of tables ([[questions]])")
    questions: list[Question] = []
    seen_q: set[str] = set()
    seen_c: set[str] = set()
    for i, qraw in enumerate(questions_raw):
        where = f"questions[{i}]"
        qd = check.table(qraw, where)
        qid = check.string(qd, "id", where)
        if not _QID.match(qid):
            raise check.fail(f"{where}.id", f"{qid!r} is not a question id like 'Q1'")
        if qid in seen_q:
            raise check.fail(f"{where}.id", f"{qid!r} is repeated")
        seen_q.add(qid)
        crits_raw = qd.get("criteria")
        if not isinstance(crits_raw, list) or not crits_raw:
            raise check.fail(f"{where}.criteria", "must be a non-empty array of tables")
        crits: list[Criterion] = []
        for j, craw in enumerate(crits_raw):
            cwhere = f"{where}.criteria[{j}]"
            cd = check.table(craw, cwhere)
            cid = check.string(cd, "id", cwhere)
            m = _CID.match(cid)
            if not m:
                raise check.fail(f"{cwhere}.id", f"{cid!r} is not a sub-criterion id like 'Q1.a'")
            if m.group(1) != qid:
                raise check.fail(f"{cwhere}.id", f"{cid!r} does not belong to question {qid}")
            if cid in seen_c:
                raise check.fail(f"{cwhere}.id", f"{cid!r} is repeated")
            seen_c.add(cid)
            prompts = {}
            for k in _PROMPT_KEYS:
                prompts[k] = check.string(cd, k, cwhere)
                _check_prompt(check, prompts[k], f"{cwhere}.{k}")
            crits.append(
                Criterion(
                    id=cid,
                    question=qid,
                    name=check.string(cd, "name", cwhere),
                    description=check.string(cd, "description", cwhere),
                    look_for=check.string(cd, "look_for", cwhere),
                    exemplars=check.strings(cd, "exemplars", cwhere),
                    keywords=check.strings(cd, "keywords", cwhere),
                    **prompts,
                )
            )
        questions.append(
            Question(
                id=qid,
                title=check.string(qd, "title", where),
                text=check.string(qd, "text", where),
                examples=check.strings(qd, "examples", where),
                opening_words=check.strings(qd, "opening_words", where),
                word_limit=check.limit(qd, "word_limit", where),
                criteria=tuple(crits),
            )
        )
    return Framework(
        id=fid,
        name=check.string(meta, "name", "framework"),
        version=check.string(meta, "version", "framework"),
        awarding_body=check.string(meta, "awarding_body", "framework", required=False),
        language=check.string(meta, "language", "framework", required=False) or "en",
        default_word_limit=check.limit(meta, "default_word_limit", "framework"),
        intro=check.string(meta, "intro", "framework", required=False),
        questions=tuple(questions),
        path=str(path),
        digest=digest,
    )


def load_framework_file(path: str | Path) -> Framework:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("framework file not found", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read framework file ({exc.strerror})", path=path) from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("framework file is not UTF-8 text", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", path=path) from None
    return parse_framework(raw, path, digest=hashlib.sha256(data).hexdigest()[:16])


def available_frameworks() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.toml"))


@lru_cache(maxsize=16)
def load_framework(name_or_path: str | Path = DEFAULT_FRAMEWORK) -> Framework:
    """Load a shipped framework by id, or any framework file by path."""
    s = str(name_or_path)
    candidate = DATA_DIR / f"{s}.toml"
    if candidate.exists():
        return load_framework_file(candidate)
    p = Path(s)
    if p.suffix == ".toml" or p.exists():
        return load_framework_file(p)
    raise ConfigError(
        f"unknown framework {s!r}; shipped: {', '.join(available_frameworks())}, "
        "or give the path of a .toml framework file"
    )
