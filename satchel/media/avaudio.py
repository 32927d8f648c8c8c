"""Measuring sound (PyAV, FFmpeg filters): integrated loudness (EBU R128, `ebur128`),
silent stretches, and the peaks a waveform picture is drawn from. Each is one decoding
pass of the first sound stream, with progress."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler

from satchel.media.avedit import (
    AvLimits,
    Chain,
    Progress,
    StreamMissing,
    opened,
    probe,
)
from satchel.media.avfilter import Track

SILENT_LUFS = -70.0
TARGET_LUFS = -16.0
TRUE_PEAK = 0.89  # -1 dBFS: the limiter's ceiling after a gain


def _frames(path: Path, limits: AvLimits, progress: Progress | None) -> Iterator[AudioFrame]:
    with opened(path) as container:
        facts = probe(container, limits)
        if not container.streams.audio:
            raise StreamMissing("The file has no sound.")
        stream = container.streams.audio[0]
        stream.codec_context.thread_type = "AUTO"
        for count, frame in enumerate(container.decode(stream)):
            if progress is not None and count % 500 == 0 and facts.duration:
                progress(min(1.0, float(frame.time or 0) / facts.duration))
            yield frame


def _through(
    path: Path, chain: Chain, limits: AvLimits, progress: Progress | None
) -> Iterator[AudioFrame]:
    track = Track("audio", chain, tail=[])
    for frame in _frames(path, limits, progress):
        for out in track.feed(frame):
            assert isinstance(out, AudioFrame)
            yield out
    for out in track.feed(None):
        assert isinstance(out, AudioFrame)
        yield out


def loudness(path: Path, *, limits: AvLimits, progress: Progress | None = None) -> float:
    """Integrated loudness in LUFS (-70 for silence)."""
    value = SILENT_LUFS
    for frame in _through(path, [("ebur128", "metadata=1")], limits, progress):
        raw = frame.metadata.get("lavfi.r128.I")
        if raw is not None:
            value = float(raw)
    return value if math.isfinite(value) else SILENT_LUFS


def normalize_chain(measured: float, target: float = TARGET_LUFS) -> Chain:
    """A linear gain to the target, with a limiter so the louder result does not clip."""
    gain = max(-40.0, min(40.0, target - measured))
    return [
        ("volume", f"{gain:.3f}dB"),
        ("alimiter", f"limit={TRUE_PEAK}:level=0:attack=5:release=50"),
    ]


def envelope(
    path: Path, *, limits: AvLimits, rate: int = 1000, progress: Progress | None = None
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The peak level of every 1/`rate` second (mono), 0–1."""
    resampler = AudioResampler(format="flt", layout="mono", rate=8000)
    chunks: list[np.ndarray[Any, Any]] = []
    for frame in _frames(path, limits, progress):
        for out in resampler.resample(frame):
            chunks.append(np.abs(out.to_ndarray().reshape(-1)))
    if not chunks:
        return np.zeros(0, np.float32)
    data = np.concatenate(chunks)
    step = max(1, 8000 // rate)
    usable = data[: data.size - data.size % step]
    peaks: np.ndarray[Any, np.dtype[np.float32]] = usable.reshape(-1, step).max(axis=1)
    return peaks.astype(np.float32)


def silences(
    levels: np.ndarray[Any, Any], *, rate: int, threshold_db: float, min_seconds: float
) -> list[tuple[float, float]]:
    """(start, end) seconds of stretches quieter than the threshold for `min_seconds`."""
    quiet = levels < 10 ** (threshold_db / 20)
    found: list[tuple[float, float]] = []
    start: int | None = None
    for i, q in enumerate(np.append(quiet, False)):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if (i - start) / rate >= min_seconds:
                found.append((start / rate, i / rate))
            start = None
    return found


MAX_CUTS = 400


def cut_chain(gaps: list[tuple[float, float]]) -> Chain:
    """Filters that drop the stretches `gaps` (seconds) in 10 ms pieces."""
    if not gaps:
        return []
    kept = gaps[:MAX_CUTS]
    inside = "+".join(f"between(t,{a:.3f},{b - 0.0005:.3f})" for a, b in kept)
    return [("asetnsamples", "n=441:p=0"), ("aselect", f"not({inside})")]
