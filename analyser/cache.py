"""A result cache for batch rounds, keyed by the text and every setting that changes a result.

One SQLite file in the output folder. A second run over the same round reuses every report whose
nomination, framework, model, encoder and options are unchanged; a run stopped with Ctrl-C resumes
from what it had finished. Nothing leaves the output folder.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from analyser.records import Nomination


def nomination_key(nomination: Nomination, settings: dict[str, Any]) -> str:
    payload = {
        "id": nomination.id,
        "answers": nomination.answers,
        "metadata": nomination.metadata,
        "reader_flags": [f.code for f in nomination.reader_flags],
        "settings": settings,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class ResultCache:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY, report TEXT NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self.db.commit()

    def get_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            q = f"SELECT key, report FROM reports WHERE key IN ({marks})"
            for key, report in self.db.execute(q, chunk):
                out[key] = json.loads(report)
        return out

    def put_many(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO reports (key, report) VALUES (?, ?)",
            [(k, json.dumps(v, ensure_ascii=False)) for k, v in items],
        )
        self.db.commit()

    # The encoder's store: sentence vectors keyed by encoder id and text.
    @staticmethod
    def _vkey(encoder_id: str, text: str) -> str:
        return hashlib.sha256(f"{encoder_id}\x00{text}".encode()).hexdigest()

    def get_vectors(self, encoder_id: str, texts: list[str]) -> dict[str, np.ndarray]:
        keys = {self._vkey(encoder_id, t): t for t in texts}
        out: dict[str, np.ndarray] = {}
        klist = list(keys)
        for i in range(0, len(klist), 500):
            chunk = klist[i : i + 500]
            marks = ",".join("?" * len(chunk))
            q = f"SELECT key, vec FROM embeddings WHERE key IN ({marks})"
            for key, blob in self.db.execute(q, chunk):
                out[keys[key]] = np.frombuffer(blob, dtype=np.float32).copy()
        return out

    def put_vectors(self, encoder_id: str, vectors: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embeddings (key, vec) VALUES (?, ?)",
            [(self._vkey(encoder_id, t), v.astype(np.float32).tobytes()) for t, v in vectors.items()],
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()
