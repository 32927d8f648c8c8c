"""The processor contract: limits, results, the registry, and the safe way to run one."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from satchel.codes import Code
from satchel.media.errors import MediaError

if TYPE_CHECKING:
    from satchel.media.encoding import Saved

Progress = Callable[[int, str], None]
Processor = Callable[[Path, str, Path, "ProcessLimits", Progress], "ProcessResult"]

ENTRY_POINT_GROUP: Final = "satchel.processors"
_MAX_MESSAGE = 300

# What a library's failure means to a person, by the top-level module the exception came from;
# keeps this module free of imports of the heavy libraries themselves.
_LIBRARY_FAILURES: Final[dict[str, str]] = {
    "pyvips": "the image could not be decoded",
    "pillow_heif": "the HEIF image could not be decoded",
    "PIL": "the image could not be decoded",
    "av": "the audio or video could not be decoded",
    "mutagen": "the audio metadata could not be read",
    "pypdfium2": "the PDF could not be read",
    "pypdfium2_raw": "the PDF could not be read",
    "ezdxf": "the DXF drawing could not be read",
    "zipfile": "the document's ZIP container is damaged",
    "xml": "the document's XML is malformed",
    "pyexpat": "the document's XML is malformed",
    "csv": "the CSV could not be parsed",
    "json": "the JSON could not be parsed",
}


@dataclass(frozen=True)
class ProcessLimits:
    """Bounds every processor keeps to; the defaults are the daemon seed's limits."""

    max_pixels: int = 50_000_000
    max_pdf_pages_text: int = 128
    max_pdf_text_bytes: int = 4 << 20
    max_text_bytes: int = 4 << 20
    max_dxf_primitives: int = 20_000
    thumbnail_px: int = 320
    preview_px: int = 1600
    waveform_width: int = 1000
    waveform_height: int = 200
    # Longer audio is sampled at evenly spaced windows instead of decoded end to end.
    max_audio_decode_seconds: float = 600.0
    seconds: float = 120.0


@dataclass(frozen=True)
class Derivative:
    """A file a processor made inside its output folder."""

    kind: str  # "thumbnail" | "preview" | "text" | "waveform" | "poster"
    path: Path
    media_type: str
    width: int | None = None
    height: int | None = None

    @classmethod
    def of(cls, kind: str, saved: Saved) -> Derivative:
        """The derivative an engine wrote (a thumbnail, a preview)."""
        return cls(kind, saved.path, saved.media_type, saved.width, saved.height)


@dataclass
class ProcessResult:
    """Normalized metadata, raw metadata as extracted (both JSON-ready), and derivatives."""

    metadata: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    derivatives: list[Derivative] = field(default_factory=list)


class ProcessingFailed(Exception):
    """Processing could not finish; `reason` is short, clear and safe to show to the owner."""

    code: str = Code.PROCESSING_FAILED

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProcessingTimedOut(ProcessingFailed):
    code = Code.PROCESSING_TIMED_OUT


_REGISTRY: dict[str, Processor] = {}
_loaded = False
_load_lock = threading.RLock()
# Imported on first use, not with the package: they load libvips, FFmpeg, pdfium and
# ezdxf, which an API process that never processes anything should not carry.
BUILTIN = ("audio", "dxf", "image", "pdf", "text", "video", "office")


def processor(*media_types_or_kinds: str) -> Callable[[Processor], Processor]:
    """Register a processor for exact media types ("application/pdf") or kinds ("image")."""

    def register(func: Processor) -> Processor:
        for key in media_types_or_kinds:
            _REGISTRY[key.lower()] = func
        return func

    return register


def processor_for(media_type: str, kind: str) -> Processor | None:
    """The processor for a media type, else for its kind; None when nothing handles it."""
    _load()
    base = media_type.split(";", 1)[0].strip().lower()
    return _REGISTRY.get(base) or _REGISTRY.get(kind.lower())


def registered() -> dict[str, Processor]:
    """A copy of the registry (media type or kind → processor), for listings and tests."""
    _load()
    return dict(_REGISTRY)


def _load() -> None:
    """Import the built-in processors, then any plugin's, the same way: by registering.

    Worker threads ask at the same time: the flag is set only once everything is
    registered, under a lock, so none sees a half-filled registry."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        for name in BUILTIN:
            importlib.import_module(f"satchel.processing.processors.{name}")
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            entry.load()
        _loaded = True


def run_processor(
    path: Path,
    *,
    media_type: str,
    kind: str,
    out_dir: Path,
    limits: ProcessLimits | None = None,
    progress: Progress | None = None,
) -> ProcessResult:
    """Run the right processor; every failure comes back as ProcessingFailed, never a crash.

    A file no processor handles gives an empty result: nothing to extract is not a failure.
    The time budget is checked whenever the processor reports progress and once at the end;
    an exception raised by `progress` itself (a cancelled job) propagates unchanged.
    """
    limits = limits or ProcessLimits()
    func = processor_for(media_type, kind)
    if func is None:
        return ProcessResult()
    deadline = time.monotonic() + limits.seconds
    watched = _Watched(progress, deadline, limits.seconds)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        result = func(path, media_type, out_dir, limits, watched)
    except _CallerError as caller:
        raise caller.original from None
    except ProcessingFailed:
        raise
    except MediaError as exc:  # an engine's refusal: its message is already clear
        raise ProcessingFailed(_bounded(exc.message, path)) from exc
    except MemoryError:
        raise ProcessingFailed("the file needs more memory to process than is available") from None
    except RecursionError:
        raise ProcessingFailed("the file is nested too deeply to process") from None
    except Exception as exc:
        raise ProcessingFailed(describe(exc, path)) from exc
    try:
        watched(100, "done")  # also the final deadline check
    except _CallerError as caller:
        raise caller.original from None
    return result


def _bounded(message: str, path: Path) -> str:
    return " ".join(message.replace(str(path), path.name).split())[:_MAX_MESSAGE].rstrip()


def describe(exc: BaseException, path: Path | None = None) -> str:
    """A one-line, bounded, path-free account of a library exception."""
    module = type(exc).__module__.split(".", 1)[0]
    what = _LIBRARY_FAILURES.get(module, "processing failed")
    strerror = getattr(exc, "strerror", None)  # OSError and FFmpegError: no errno, no path
    detail = " ".join((strerror if isinstance(strerror, str) else str(exc)).split())
    if path is not None:
        detail = detail.replace(str(path), path.name)
    detail = detail[:_MAX_MESSAGE].rstrip()
    return f"{what}: {detail}" if detail else f"{what} ({type(exc).__name__})"


class _CallerError(Exception):
    def __init__(self, original: BaseException) -> None:
        super().__init__(repr(original))
        self.original = original


class _Watched:
    """The progress callback handed to processors: monotonic, clamped, and the deadline check."""

    def __init__(self, inner: Progress | None, deadline: float, budget: float) -> None:
        self.inner, self.deadline, self.budget = inner, deadline, budget
        self.last = -1

    def check(self) -> None:
        if time.monotonic() >= self.deadline:
            raise ProcessingTimedOut(f"processing took longer than {self.budget:g} s")

    def __call__(self, percent: int, message: str) -> None:
        self.check()
        percent = max(self.last, min(100, max(0, int(percent))))
        if percent == self.last and percent != 100:
            return
        self.last = percent
        if self.inner is not None:
            try:
                self.inner(percent, message)
            except Exception as exc:
                raise _CallerError(exc) from exc
