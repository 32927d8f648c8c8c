"""The audio/video engine (PyAV, its bundled FFmpeg): open a container, probe its streams
and duration, find and decode a representative frame to an image, decode sound to mono.

FFmpeg's own errors (`av.FFmpegError`) come out as they are: their `strerror` is the
short, path-free account callers show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av as pyav
import numpy as np
import pyvips
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.container import InputContainer
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from satchel.media.errors import MediaError
from satchel.media.pixels import from_array

FFmpegError = pyav.FFmpegError
Progress = Callable[[float], None]  # the share done, 0–1; may raise to stop (a deadline)

MAX_PACKETS_AFTER_SEEK = 300
_MAX_TAGS = 50
_ROTATIONS = {90: "d90", 180: "d180", 270: "d270"}


@contextmanager
def open_input(path: Path) -> Iterator[InputContainer]:
    """The container, opened for reading (tags with broken text kept, replaced)."""
    with pyav.open(str(path), metadata_errors="replace") as container:
        if not isinstance(container, InputContainer):
            raise MediaError("The file could not be opened as audio or video.")
        yield container


def describe_container(container: InputContainer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Container-level facts shared by video and audio: duration, bitrate, audio stream, tags."""
    metadata: dict[str, Any] = {}
    if container.duration is not None and container.duration > 0:
        metadata["duration"] = round(container.duration / pyav.time_base, 3)
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


def video_stream(container: InputContainer) -> VideoStream | None:
    """The first moving picture: cover art inside audio files shows up as a one-frame
    "video" stream, which is not a video."""
    moving = [s for s in container.streams.video if not s.disposition & Disposition.attached_pic]
    return moving[0] if moving else None


def describe_video(stream: VideoStream) -> dict[str, Any]:
    """Codec, frame rate and the stream's own duration (`stream_duration`)."""
    codec = stream.codec_context
    facts: dict[str, Any] = {"video_codec": codec.name}
    rate = stream.average_rate or stream.guessed_rate
    if rate:
        facts["fps"] = round(float(rate), 3)
    if stream.duration and stream.time_base:
        facts["stream_duration"] = round(float(stream.duration * stream.time_base), 3)
    return facts


def frame_at(
    container: InputContainer,
    stream: VideoStream,
    at: float | None,
    *,
    progress: Progress | None = None,
) -> VideoFrame | None:
    """The first frame from `at` seconds on (the start when it cannot seek there), or None
    when no frame decodes within MAX_PACKETS_AFTER_SEEK packets."""
    if at and stream.time_base:
        try:
            container.seek(int(at / stream.time_base), stream=stream)
            frame = _first_frame(container, stream, progress)
            if frame is not None:
                return frame
        except pyav.FFmpegError:
            pass  # an unseekable file still has a first frame
        container.seek(0)
    return _first_frame(container, stream, progress)


def _first_frame(
    container: InputContainer, stream: VideoStream, progress: Progress | None
) -> VideoFrame | None:
    for count, packet in enumerate(container.demux(stream)):
        if count >= MAX_PACKETS_AFTER_SEEK:
            return None
        if count % 25 == 0 and progress is not None:
            progress(count / MAX_PACKETS_AFTER_SEEK)
        for frame in packet.decode():
            if isinstance(frame, VideoFrame):
                return frame
    return None


def rotation_of(frame: VideoFrame) -> int:
    """The clockwise turn (0, 90, 180, 270) that shows the frame upright."""
    return (-round(frame.rotation)) % 360


def frame_image(frame: VideoFrame, stream: VideoStream, *, upright: bool = True) -> pyvips.Image:
    """The frame as an 8-bit sRGB image that owns its pixels, turned upright if asked."""
    pixels = frame.to_ndarray(format="rgb24")
    # Some decoders (Theora) hand back frames padded past the picture size.
    width, height = stream.codec_context.width, stream.codec_context.height
    if 0 < width <= pixels.shape[1] and 0 < height <= pixels.shape[0]:
        pixels = pixels[:height, :width]
    image = from_array(pixels)
    turn = rotation_of(frame)
    if upright and turn in _ROTATIONS:
        image = image.rot(_ROTATIONS[turn]).copy_memory()
    return image


def decode_mono(
    container: InputContainer,
    *,
    rate: int,
    duration: float,
    max_seconds: float,
    windows: int = 200,
    window_seconds: float = 1.0,
    progress: Progress | None = None,
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The first audio stream as mono float samples at `rate`: the whole of it, or, when
    it is longer than `max_seconds`, `windows` evenly spaced excerpts (so a ten-hour file
    costs what a short one does)."""
    stream = container.streams.audio[0]
    resampler = AudioResampler(format="flt", layout="mono", rate=rate)
    chunks: list[np.ndarray[Any, np.dtype[np.float32]]] = []
    if duration <= max_seconds:
        budget = int((max_seconds + 1) * rate)
        for count, frame in enumerate(container.decode(stream)):
            if count % 200 == 0 and progress is not None:
                progress(_played(frame, duration))
            budget -= _resample(resampler, frame, chunks)
            if budget <= 0:
                break
    else:
        for window in range(windows):
            if progress is not None:
                progress(window / windows)
            container.seek(int(duration * window / windows * pyav.time_base))
            wanted = int(window_seconds * rate)
            for frame in container.decode(stream):
                wanted -= _resample(resampler, frame, chunks)
                if wanted <= 0:
                    break
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks)


def _resample(
    resampler: AudioResampler, frame: AudioFrame, chunks: list[np.ndarray[Any, Any]]
) -> int:
    got = 0
    for out in resampler.resample(frame):
        data = out.to_ndarray().reshape(-1).astype(np.float32)
        chunks.append(data)
        got += data.size
    return got


def _played(frame: AudioFrame, duration: float) -> float:
    if frame.time is None or duration <= 0:
        return 0.0
    return max(0.0, min(1.0, frame.time / duration))


def _bounded(tags: dict[str, str]) -> dict[str, str]:
    return {str(k)[:64]: str(v)[:512] for k, v in list(tags.items())[:_MAX_TAGS]}
