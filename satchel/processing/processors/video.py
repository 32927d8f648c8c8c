"""Video: duration, dimensions, rotation, codecs, fps, bitrate, and a poster frame (PyAV)."""

from __future__ import annotations

import time
from pathlib import Path

import pyvips

from satchel.media import av, imaging, playable
from satchel.media.errors import MediaError
from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)

_POSTER_AT = 0.10  # a tenth in, past most fade-ins and title cards


@processor("video")
def process_video(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "reading the container")
    with av.open_input(path) as container:
        stream = av.video_stream(container)
        if stream is None:
            raise ProcessingFailed("the file has no video stream")
        metadata, raw = av.describe_container(container)
        facts = av.describe_video(stream)
        stream_duration = facts.pop("stream_duration", None)
        if "duration" not in metadata and stream_duration:
            metadata["duration"] = stream_duration
        metadata.update(facts)
        progress(20, "finding a poster frame")
        duration = metadata.get("duration")
        frame = av.frame_at(
            container,
            stream,
            duration * _POSTER_AT if duration else None,
            progress=lambda _share: progress(30, "decoding"),  # also the time budget check
        )
        if frame is None:
            raise ProcessingFailed("no frame of the video could be decoded")
        progress(60, "making the poster")
        poster = av.frame_image(frame, stream)
        rotation = av.rotation_of(frame)
    if rotation in (90, 180, 270):
        metadata["rotation"] = rotation
    metadata["width"], metadata["height"] = poster.width, poster.height
    preview = _fit(poster, limits.preview_px)
    thumb = _fit(preview, limits.thumbnail_px)
    progress(70, "saving the poster")
    derivatives = [
        Derivative.of(
            "thumbnail", imaging.save_webp(thumb, out_dir / "thumbnail.webp", thumbnail=True)
        ),
        Derivative.of("preview", imaging.save_webp(preview, out_dir / "preview.webp")),
    ]
    rendition = playable_rendition(path, media_type, out_dir, progress, budget=limits.seconds)
    if rendition is not None:
        derivatives.append(rendition)
    return ProcessResult(metadata=metadata, raw=raw, derivatives=derivatives)


class _Overtime(Exception):
    """The rendition ran past its share of the processing budget."""


def playable_rendition(
    path: Path, media_type: str, out_dir: Path, progress: Progress, *, budget: float = 120.0
) -> Derivative | None:
    """An H.264/AAC MP4 (or AAC M4A) for files browsers cannot play as stored (HEVC MOV,
    MKV, AVI, FLAC, AIFF, …), up to `playable.MAX_SECONDS`. It gets half the processing
    budget: a file it fails on, or cannot finish in time, is still served as stored."""
    stop_at = time.monotonic() + budget / 2

    def report(share: float) -> None:
        if time.monotonic() > stop_at:
            raise _Overtime
        progress(75 + int(20 * share), "making a playable rendition")

    try:
        made = playable.render(path, out_dir, media_type, progress=report)
    except (MediaError, av.FFmpegError, _Overtime):
        for leftover in out_dir.glob("playable.*"):
            leftover.unlink(missing_ok=True)
        return None
    if made is None:
        return None
    return Derivative("playable", made[0], made[1])


def _fit(image: pyvips.Image, size: int) -> pyvips.Image:
    return image.thumbnail_image(size, height=size, size="down").copy_memory()
