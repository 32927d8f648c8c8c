"""ML engines (OCR, speech, faces, segmentation, text embeddings): models that ship inside
installed packages, loaded once per process, on one thread each.

Nothing here downloads: a model file that is not on disk makes its engine unavailable
(with the reason and the install command), and a model from a third-party repackaging is
checked against a pinned SHA-256 before it is first used.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from satchel.codes import Code
from satchel.errors import Unavailable

if TYPE_CHECKING:  # numpy loads with the engine that needs it, not with this package
    import numpy as np

T = TypeVar("T")

# One thread per worker: on 2 cores, OpenMP's default (a thread per core in every process)
# made Tesseract 3x slower than a single thread. Set before any engine library loads.
THREAD_VARS = ("OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def single_thread() -> None:
    for name in THREAD_VARS:
        os.environ.setdefault(name, "1")


single_thread()

_lock = threading.Lock()


def once(load: Callable[[], T]) -> Callable[[], T]:
    """A model loader that runs at most once per process (thread-safe)."""
    cached = functools.cache(load)

    @functools.wraps(load)
    def get() -> T:
        with _lock:
            return cached()

    get.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return get


@functools.cache
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_model(path: Path, sha256: str) -> None:
    """Refuse a model file whose bytes are not the pinned ones (a changed repackaging)."""
    if not path.is_file():
        raise Unavailable(f"Model file missing: {path}.", code=Code.TOOL_UNAVAILABLE)
    found = sha256_of(path)
    if found != sha256:
        raise Unavailable(
            f"Model file {path.name} has SHA-256 {found[:16]}…, not the pinned {sha256[:16]}….",
            code=Code.TOOL_UNAVAILABLE,
        )


def unavailable(reason: str) -> Unavailable:
    return Unavailable(reason, code=Code.TOOL_UNAVAILABLE)


def installed(module: str) -> bool:
    """Whether a top-level package can be imported, without importing it (a probe must not
    load an engine into the API process: `GET /features` and the start-up check use it)."""
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def package_dir(module: str) -> Path | None:
    """The folder of an installed package, without importing it (None if not installed)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def size_on_disk(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rgb_array(image: Any) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """A decoded vips image as an (height, width, 3) 8-bit sRGB array (alpha on white)."""
    import numpy as np

    from satchel.media import imaging

    image = imaging.to_srgb8(imaging.flatten(image))
    if image.bands < 3:
        image = image[0].colourspace("srgb")
    image = image.extract_band(0, n=3)
    return np.ndarray(
        buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width, 3)
    )
