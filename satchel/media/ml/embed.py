"""Text embeddings: WordLlama (256-d, weights inside its wheel, loaded with downloads
disabled), once per process. Pure NumPy on text: no file is decoded here."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from satchel.media import ml

if TYPE_CHECKING:  # numpy loads when text is embedded, not when this module is imported
    import numpy as np

DIM = 256
_model: list[Any] = []
_lock = threading.Lock()


def available() -> str | None:
    folder = ml.package_dir("wordllama")
    if folder is None:
        return "The wordllama package is not installed (uv sync)."
    if not any((folder / "weights").glob("*_256.safetensors")):
        return "WordLlama's 256-d weights are missing from its package."
    return None


def _load() -> Any:
    with _lock:
        if not _model:
            why = available()
            if why:
                raise ml.unavailable(why)
            from wordllama import WordLlama

            folder = ml.package_dir("wordllama")
            _model.append(WordLlama.load(cache_dir=folder, disable_download=True, dim=DIM))
        return _model[0]


def embed(texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
    """One L2-normalized row per text."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = np.asarray(_load().embed(texts, norm=True), dtype=np.float32)
    return vectors.reshape(len(texts), DIM)


def pack(vectors: np.ndarray[Any, Any]) -> bytes:
    import numpy as np

    return np.asarray(vectors, dtype=np.float16).tobytes()


def unpack(data: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    import numpy as np

    return np.frombuffer(data, dtype=np.float16).astype(np.float32).reshape(-1, DIM)
