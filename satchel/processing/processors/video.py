"""Video: duration, dimensions, rotation, codecs, fps, bitrate, and a poster frame (PyAV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pyvips
from av.container import InputContainer
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from satchel.processing.processors.base import (
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)
from satchel.processing.processors.image import from_array, save_webp

_POSTER_AT = 0.10  # a tenth in, past most fade-ins and title cards
_MAX_PACKETS_AFTER_SEEK = 300
_MAX_TAGS = 50
_ROTATIONS = {90: "d90", 180: "d180", 270: "d270"}


@processor("video")
def process_video(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "reading the container")
    with av.open(str(path), metadata_errors="replace") as container:
        if not isinstance(container, InputContainer):
            raise ProcessingFailed("the file could not be opened as a video")
        # Cover art inside audio files shows up as a one-frame "video" stream: not a video.
        moving = [
            s for s in container.streams.video if not s.disposition & Disposition.attached_pic
        ]
        if not moving:
            raise ProcessingFailed("the file has no video stream")
        stream = moving[0]
        metadata, raw = describe_container(container)
        facts = _describe_video(stream)
        stream_duration = facts.pop("stream_duration", None)
        if "duration" not in metadata and stream_duration:
            metadata["duration"] = stream_duration
        metadata.update(facts)
        progress(20, "finding a poster frame")
        frame = _poster_frame(container, stream, metadata.get("duration"), progress)
        if frame is None:
            raise ProcessingFailed("no frame of the video could be decoded")
        rotation = (-round(frame.rotation)) % 360  # clockwise turn that shows it upright
        progress(60, "making the poster")
        pixels = frame.to_ndarray(format="rgb24")
        # Some decoders (Theora) hand back frames padded past the picture size.
        width, height = stream.codec_context.width, stream.codec_context.height
        if 0 < width <= pixels.shape[1] and 0 < height <= pixels.shape[0]:
            pixels = pixels[:height, :width]
        poster = from_array(pixels)
    if rotation in _ROTATIONS:
        metadata["rotation"] = rotation
        poster = poster.rot(_ROTATIONS[rotation]).copy_memory()
    metadata["width"], metadata["height"] = poster.width, poster.height
    preview = _fit(poster, limits.preview_px)
    thumb = _fit(preview, limits.thumbnail_px)
    progress(90, "saving the poster")
    return ProcessResult(
        metadata=metadata,
        raw=raw,
        derivatives=[
            save_webp(thumb, out_dir / "thumbnail.webp", "thumbnail"),
            save_webp(preview, out_dir / "preview.webp", "preview"),
        ],
    )


def describe_container(container: InputContainer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Container-level facts shared by video and audio: duration, bitrate, audio stream, tags."""
    metadata: dict[str, Any] = {}
    if container.duration is not None and container.duration > 0:
        metadata["duration"] = round(container.duration / av.time_base, 3)
    if container.bit_rate:
        metadata["bitrate"] = int(container.bit_rate)
    if container.streams.audio:
        audio = container.streams.audio[0].codec_context
        metadata["audio_codec"] = audio.name
        if audio.sample_rate:
            metadata["sample_rate"] = int(audio.sample_rate)
        if audio.channels:
            metadata["channels"] = int(audio.channels)
    raw: dict[str, Any] = {
        "format": container.format.name,
        "tags": _bounded(container.metadata),
        "streams": [
            {
                "index": s.index,
                "type": s.type,
                "codec": s.codec_context.name if s.codec_context else None,
                "duration": float(s.duration * s.time_base) if s.duration and s.time_base else None,
                "tags": _bounded(s.metadata),
            }
            for s in list(container.streams)[:16]
        ],
    }
    return metadata, raw


def _describe_video(stream: VideoStream) -> dict[str, Any]:
    codec = stream.codec_context
    facts: dict[str, Any] = {"video_codec": codec.name}
    rate = stream.average_rate or stream.guessed_rate
    if rate:
        facts["fps"] = round(float(rate), 3)
    if stream.duration and stream.time_base:
        facts["stream_duration"] = round(float(stream.duration * stream.time_base), 3)
    return facts


def _poster_frame(
    container: InputContainer, stream: VideoStream, duration: float | None, progress: Progress
) -> VideoFrame | None:
    if duration and stream.time_base:
        try:
            container.seek(int(duration * _POSTER_AT / stream.time_base), stream=stream)
            frame = _first_frame(container, stream, progress)
            if frame is not None:
                return frame
        except av.FFmpegError:
            pass  # an unseekable file still has a first frame
        container.seek(0)
    return _first_frame(container, stream, progress)


def _first_frame(
    container: InputContainer, stream: VideoStream, progress: Progress
) -> VideoFrame | None:
    for count, packet in enumerate(container.demux(stream)):
        if count >= _MAX_PACKETS_AFTER_SEEK:
            return None
        if count % 25 == 0:
            progress(30, "decoding")  # also the time budget check
        for frame in packet.decode():
            if isinstance(frame, VideoFrame):
                return frame
    return None


def _fit(image: pyvips.Image, size: int) -> pyvips.Image:
    return image.thumbnail_image(size, height=size, size="down").copy_memory()


def _bounded(tags: dict[str, str]) -> dict[str, str]:
    return {str(k)[:64]: str(v)[:512] for k, v in list(tags.items())[:_MAX_TAGS]}
