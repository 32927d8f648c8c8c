"""Audio: duration, sample rate, channels, codec, tags (mutagen), and a waveform PNG (PyAV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mutagen
import numpy as np
from mutagen.id3 import ID3

from satchel.media import av, imaging
from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    describe,
    processor,
)
from satchel.processing.processors.video import playable_rendition

_RATE = 8000  # peaks need no more than this, and it keeps decoding of long files cheap
_WINDOWS = 200  # evenly spaced excerpts of a file too long to decode end to end
_WINDOW_SECONDS = 1.0
_MAX_TAGS = 64
_MAX_TAG_CHARS = 256
_COLOR = (59, 130, 246)  # a blue that reads on light and dark pages
_ID3_NAMES = {
    "TIT2": "title",
    "TPE1": "artist",
    "TALB": "album",
    "TPE2": "albumartist",
    "TDRC": "date",
    "TCON": "genre",
    "TRCK": "tracknumber",
    "TPOS": "discnumber",
    "TCOM": "composer",
    "COMM": "comment",
}
_NORMALIZED = frozenset(_ID3_NAMES.values()) | {"organization", "lyricist", "language", "isrc"}


@processor("audio")
def process_audio(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "reading tags")
    metadata, raw = _describe_tags(path)
    progress(15, "reading the stream")
    try:
        samples = _decode(path, metadata, raw, limits, progress)
    except av.FFmpegError as exc:
        if not metadata:
            raise ProcessingFailed(describe(exc, path)) from exc
        # mutagen read the header and tags, FFmpeg cannot decode the sound: keep what we know.
        raw["decode_error"] = describe(exc, path)
        samples = np.zeros(0, dtype=np.float32)
    derivatives = []
    if samples.size:
        target = out_dir / "waveform.png"
        width, height = limits.waveform_width, limits.waveform_height
        imaging.from_array(waveform(samples, width, height)).pngsave(str(target), keep="none")
        derivatives.append(Derivative("waveform", target, "image/png", width, height))
        rendition = playable_rendition(path, media_type, out_dir, progress, budget=limits.seconds)
        if rendition is not None:
            derivatives.append(rendition)
    return ProcessResult(metadata=metadata, raw=raw, derivatives=derivatives)


def _decode(
    path: Path,
    metadata: dict[str, Any],
    raw: dict[str, Any],
    limits: ProcessLimits,
    progress: Progress,
) -> np.ndarray[Any, np.dtype[np.float32]]:
    with av.open_input(path) as container:
        if not container.streams.audio:
            raise ProcessingFailed("the file has no audio stream")
        facts, raw["container"] = av.describe_container(container)
        for key, value in facts.items():
            metadata.setdefault(key, value)
        duration = float(metadata.get("duration") or 0.0)
        progress(30, "drawing the waveform")
        return av.decode_mono(
            container,
            rate=_RATE,
            duration=duration,
            max_seconds=limits.max_audio_decode_seconds,
            windows=_WINDOWS,
            window_seconds=_WINDOW_SECONDS,
            progress=lambda share: progress(30 + int(60 * share), "decoding"),
        )


def _describe_tags(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        audio = mutagen.File(str(path), easy=True)
    except (mutagen.MutagenError, ValueError, EOFError, OSError):
        return {}, {}  # PyAV still gives the stream facts
    if audio is None:
        return {}, {}
    metadata: dict[str, Any] = {}
    info = audio.info
    length = getattr(info, "length", None)
    if isinstance(length, int | float) and length > 0:
        metadata["duration"] = round(float(length), 3)
    for attribute, key in (("sample_rate", "sample_rate"), ("channels", "channels")):
        value = getattr(info, attribute, None)
        if isinstance(value, int) and value > 0:
            metadata[key] = value
    bitrate = getattr(info, "bitrate", None)
    if isinstance(bitrate, int) and bitrate > 0:
        metadata["bitrate"] = bitrate
    tags = _tags(audio.tags)
    normalized = {k: v for k, v in tags.items() if k in _NORMALIZED}
    if normalized:
        metadata["tags"] = normalized
    return metadata, {"format": type(audio).__name__, "tags": tags}


def _tags(tags: Any) -> dict[str, str]:
    """Tag name → text, for ID3 frames, Vorbis comments and (easy) MP4 atoms; bounded."""
    out: dict[str, str] = {}
    if tags is None:
        return out
    if isinstance(tags, ID3):
        frames: list[Any] = list(tags.values())  # type: ignore[no-untyped-call]
        for frame in frames[: _MAX_TAGS * 2]:
            name = _ID3_NAMES.get(frame.FrameID)
            text = getattr(frame, "text", None)
            if name and isinstance(text, list) and name not in out:
                out[name] = " / ".join(str(t) for t in text)[:_MAX_TAG_CHARS]
        return out
    try:
        items = list(tags.items())
    except (AttributeError, TypeError, ValueError):
        return out
    for key, value in items[:_MAX_TAGS]:
        values = value if isinstance(value, list) else [value]
        texts = [str(v) for v in values if isinstance(v, str | int | float)]
        if isinstance(key, str) and texts:
            out[key.lower()[:64]] = " / ".join(texts)[:_MAX_TAG_CHARS]
    return out


def waveform(
    samples: np.ndarray[Any, np.dtype[np.float32]], width: int, height: int
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """An RGBA picture of the peak level per column, mirrored around the middle."""
    samples = np.nan_to_num(np.abs(samples), nan=0.0, posinf=1.0)
    edges = np.linspace(0, samples.size, width + 1).astype(np.int64)
    peaks = np.zeros(width, dtype=np.float32)
    for column in range(width):
        start, end = edges[column], max(edges[column + 1], edges[column] + 1)
        if start < samples.size:
            peaks[column] = samples[start:end].max()
    peaks = np.clip(peaks, 0.0, 1.0)
    middle = (height - 1) / 2
    reach = np.maximum(peaks * middle, 0.5)  # silence still draws a hairline
    rows = np.abs(np.arange(height, dtype=np.float32) - middle)[:, None]
    mask = rows <= reach[None, :]
    image = np.zeros((height, width, 4), dtype=np.uint8)
    image[mask] = (*_COLOR, 255)
    return image
