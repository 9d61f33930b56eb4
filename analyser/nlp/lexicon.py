"""The cue lexicon: plain data in `analyser/lexicons/*.toml`, validated on load."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyser.errors import ConfigError

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"
DEFAULT_LEXICON = LEXICON_DIR / "en.toml"

FAMILIES = (
    "outcome",
    "figure",
    "before_after",
    "source",
    "group",
    "actor_team",
    "actor_we",
    "actor_organisation",
    "actor_nominee_pronoun",
    "actor_self",
    "hedge",
    "praise",
    "planned",
    "habitual",
    "claim",
    "jargon",
)


@dataclass(frozen=True)
class Lexicon:
    path: str
    version: str
    families: dict[str, tuple[str, ...]]
    digest: str

    def phrases(self, family: str) -> tuple[str, ...]:
        return self.families[family]


@lru_cache(maxsize=8)
def load_lexicon(path: str | Path = DEFAULT_LEXICON) -> Lexicon:
    path = Path(path)
    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError("lexicon file not found", path=path) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"not a valid TOML lexicon ({exc})", path=path) from None
    meta = raw.get("lexicon")
    if not isinstance(meta, dict) or not isinstance(meta.get("version"), str):
        raise ConfigError("key 'lexicon.version' is missing", path=path)
    families: dict[str, tuple[str, ...]] = {}
    for fam in FAMILIES:
        section = raw.get(fam)
        if not isinstance(section, dict) or "phrases" not in section:
            raise ConfigError(f"key '{fam}.phrases' is missing", path=path)
        phrases = section["phrases"]
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ConfigError(f"key '{fam}.phrases' must be a list of non-empty strings", path=path)
        families[fam] = tuple(p.strip().lower() for p in phrases)
    unknown = sorted(set(raw) - set(FAMILIES) - {"lexicon"})
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}", path=path)
    return Lexicon(str(path), meta["version"], families, hashlib.sha256(data).hexdigest()[:16])
