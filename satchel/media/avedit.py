"""Editing audio and video (PyAV): inputs opened and checked against the limits before any
work, then decoded, filtered (`avfilter` chains) and encoded (`avencode` profiles) in one
pass with progress; stream copies (`remux`) for edits that need no decoding.

Decoders run with frame and slice threads, encoders with their own (x264, x265, VP9 row
threads), as the ffmpeg command does. A progress callback may raise to stop the work (a
cancelled job); the partial output is removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av as pyav
from av.container import InputContainer
from av.stream import Stream
from av.video.frame import VideoFrame

from satchel.codes import Code
from satchel.media.av import video_stream
from satchel.media.avencode import Profile, Writer, audio_tail, video_tail
from satchel.media.avfilter import Chain, Frame, Track

__all__ = [
    "Chain",
    "Probe",
    "check_file",
    "decoded",
    "opened",
    "probe",
    "tempo",
    "transcode",
    "upright_size",
]
from satchel.media.errors import MediaError

Progress = Callable[[float], None]  # the share done, 0–1; may raise to stop
MAX_STREAMS = 64
REPORT_EVERY = 0.25  # seconds between progress reports
AV_TIME_BASE = 1_000_000


class AvLimits(Protocol):
    @property
    def max_media_seconds(self) -> float: ...
    @property
    def max_video_pixels(self) -> int: ...
    @property
    def max_video_frames(self) -> int: ...
    @property
    def max_output_bytes(self) -> int: ...


@dataclass(frozen=True)
class Probe:
    """What a tool needs to know of an input before working on it."""

    duration: float
    width: int = 0
    height: int = 0
    fps: float = 0.0
    rate: Fraction | None = None
    has_video: bool = False
    has_audio: bool = False
    sample_rate: int = 0
    channels: int = 0


class Corrupt(MediaError):
    code = Code.TOOL_INPUT_CORRUPT


class TooLong(MediaError):
    code = Code.TOOL_MEDIA_TOO_LONG


class TooLarge(MediaError):
    code = Code.TOOL_INPUT_TOO_LARGE


class StreamMissing(MediaError):
    code = Code.TOOL_STREAM_MISSING


class OutOfRange(MediaError):
    code = Code.TOOL_TIME_OUT_OF_RANGE


class OutOfBounds(MediaError):
    code = Code.TOOL_REGION_OUT_OF_BOUNDS


@contextmanager
def opened(path: Path, name: str = "The file") -> Iterator[InputContainer]:
    """The input container; FFmpeg's refusal becomes `tool_input_corrupt` with its reason."""
    try:
        container = pyav.open(str(path), metadata_errors="replace")
    except pyav.FFmpegError as exc:
        reason = exc.strerror or str(exc)
        raise Corrupt(f"{name} could not be read as audio or video: {reason}.") from exc
    if not isinstance(container, InputContainer):
        container.close()
        raise Corrupt(f"{name} could not be read as audio or video.")
    try:
        yield container
    finally:
        container.close()


def probe(container: InputContainer, limits: AvLimits, name: str = "The file") -> Probe:
    """The input's facts, refused when over a limit (duration, frame size, frame count)."""
    if len(container.streams) > MAX_STREAMS:
        raise TooLarge(f"{name} has {len(container.streams)} streams; at most {MAX_STREAMS}.")
    duration = container.duration / AV_TIME_BASE if container.duration else 0.0
    if duration <= 0:
        durations = [
            float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base
        ]
        duration = max(durations, default=0.0)
    if duration > limits.max_media_seconds:
        raise TooLong(
            f"{name} lasts {duration:.0f} s; at most {limits.max_media_seconds:.0f} s are allowed."
        )
    facts: dict[str, Any] = {"duration": duration}
    video = video_stream(container)
    if video is not None:
        width, height = video.codec_context.width, video.codec_context.height
        if width * height > limits.max_video_pixels:
            raise TooLarge(
                f"{name} is {width}×{height}; at most {limits.max_video_pixels} pixels a frame."
            )
        rate = video.average_rate or video.guessed_rate
        fps = float(rate) if rate else 0.0
        if fps * duration > limits.max_video_frames:
            raise TooLarge(
                f"{name} has about {fps * duration:.0f} frames; at most {limits.max_video_frames}."
            )
        facts.update(width=width, height=height, fps=fps, has_video=True)
        facts["rate"] = Fraction(rate).limit_denominator(1001) if rate else None
    if container.streams.audio:
        codec = container.streams.audio[0].codec_context
        facts.update(has_audio=True, sample_rate=codec.sample_rate or 0, channels=codec.channels)
    return Probe(**facts)


def upright_size(path: Path, facts: Probe) -> tuple[int, int]:
    """The picture's size as shown: sides swapped when the file declares a quarter turn."""
    with opened(path) as container:
        stream = video_stream(container)
        if stream is None:
            raise StreamMissing("The file has no video stream.")
        for frame in container.decode(stream):
            turn = (-round(frame.rotation)) % 360
            if turn in (90, 270):
                return facts.height, facts.width
            break
    return facts.width, facts.height


def tempo(factor: float) -> Chain:
    """`atempo` steps for a speed factor (each step between 0.5 and 2, as it requires)."""
    steps: list[tuple[str, str]] = []
    while factor > 2.0:
        steps.append(("atempo", "2.0"))
        factor /= 2.0
    while factor < 0.5:
        steps.append(("atempo", "0.5"))
        factor /= 0.5
    return [*steps, ("atempo", f"{factor:.6f}")]


def check_file(path: Path, limits: AvLimits, name: str = "The file") -> Probe:
    with opened(path, name) as container:
        return probe(container, limits, name)


def decoded(
    container: InputContainer, streams: Mapping[str, Stream], end: float | None
) -> Iterator[tuple[str, Frame]]:
    """(kind, frame) in file order, until every stream is past `end`."""
    kinds = {s.index: k for k, s in streams.items()}
    done: set[int] = set()
    for stream in streams.values():
        stream.codec_context.thread_type = "AUTO"
    try:
        for packet in container.demux(list(streams.values())):
            index = packet.stream.index
            if (
                end is not None
                and packet.pts is not None
                and packet.time_base is not None
                and float(packet.pts * packet.time_base) > end + 1.0
            ):
                done.add(index)
                if len(done) == len(kinds):
                    return
            for frame in packet.decode():
                yield kinds[index], frame  # type: ignore[misc]
    except pyav.FFmpegError as exc:
        # A damaged tail: what decoded so far is the result (as ffmpeg does), unless nothing did.
        if not done and not _any_yielded(container):
            raise Corrupt(f"The input could not be decoded: {exc.strerror or exc}.") from exc


def _any_yielded(container: InputContainer) -> bool:
    return any(s.frames for s in container.streams)


def _merged(sources: Sequence[Iterator[tuple[str, Frame]]]) -> Iterator[tuple[str, Frame]]:
    """Frames of several inputs interleaved by time (replace-audio's video and sound)."""
    heads: list[tuple[str, Frame] | None] = [next(s, None) for s in sources]
    while any(h is not None for h in heads):
        live = [(i, h) for i, h in enumerate(heads) if h is not None]
        i, head = min(live, key=lambda ih: float(ih[1][1].time or 0.0))
        yield head
        heads[i] = next(sources[i], None)


class Reporter:
    """Progress as seconds done of the total, at most every REPORT_EVERY seconds; also
    where the output's byte budget is checked."""

    def __init__(self, total: float, progress: Progress | None, writer: Writer) -> None:
        self.total, self.progress, self.writer = max(total, 1e-3), progress, writer
        self.next = 0.0

    def __call__(self, done: float) -> None:
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + REPORT_EVERY
        self.writer.check_size()
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, done / self.total)))


def transcode(
    src: Path,
    dst: Path,
    profile: Profile,
    *,
    limits: AvLimits,
    video: Chain | None = (),
    audio: Chain | None = (),
    start: float = 0.0,
    end: float | None = None,
    audio_from: Path | None = None,
    metadata: Mapping[str, str] | None = None,
    rate: Fraction | None = None,
    backdrop: Chain | None = None,
    overlay: tuple[VideoFrame, str, str] | None = None,
    hook: Callable[[VideoFrame, float], VideoFrame] | None = None,
    progress: Progress | None = None,
    name: str = "The file",
) -> Probe:
    """Decode `src`, run each kept stream through its chain (None drops the stream; the
    encoder's format is appended), encode with `profile` into `dst`. `start`/`end` cut
    frame-accurately. `audio_from` takes the sound from another file instead. `backdrop`
    and `overlay` are `Track`'s; `hook(frame, time)` edits each filtered video frame
    (burnt-in subtitles), returning a frame of the same format."""
    with opened(src, name) as container:
        facts = probe(container, limits, name)
        streams: dict[str, Stream] = {}
        vs = video_stream(container)
        if vs is not None and video is not None and profile.video:
            streams["video"] = vs
        if container.streams.audio and audio is not None and profile.audio and not audio_from:
            streams["audio"] = container.streams.audio[0]
        if start > 0:
            container.seek(int(start * AV_TIME_BASE))
        cut = end is not None or start > 0
        tracks: dict[str, Track] = {}
        if "video" in streams:
            trim = [("trim", f"start={start}" + (f":end={end}" if end else ""))] if cut else []
            tracks["video"] = Track(
                "video",
                [*trim, *(video or [])],
                tail=video_tail(profile),
                backdrop=backdrop,
                overlay=overlay,
            )
        sources = [decoded(container, streams, end)]
        with _other(audio_from, limits) as other:
            sound = facts
            if other is not None and audio is not None and profile.audio:
                sound = probe(other, limits, "The audio file")
                if not other.streams.audio:
                    raise StreamMissing("The audio file has no sound.")
                sources.append(decoded(other, {"audio": other.streams.audio[0]}, None))
            if "audio" in streams or len(sources) > 1:
                atrim = (
                    [("atrim", f"start={start}" + (f":end={end}" if end else ""))]
                    if cut and len(sources) == 1
                    else []
                )
                tail = audio_tail(profile, rate=sound.sample_rate or 48000, channels=sound.channels)
                tracks["audio"] = Track("audio", [*atrim, *(audio or [])], tail=tail)
            if not tracks:
                raise StreamMissing(f"{name} has no stream that this tool can work on.")
            writer = Writer(
                dst,
                profile,
                kinds=set(tracks),
                rate=rate or facts.rate,
                max_bytes=limits.max_output_bytes,
                metadata=metadata,
            )
            total = (end if end is not None else facts.duration) - start
            report = Reporter(total, progress, writer)
            try:
                for kind, frame in _merged(sources):
                    track = tracks[kind]
                    for out in track.feed(frame):
                        _write(writer, track, out, hook)
                    report(float(frame.time or 0.0) - start)
                for track in tracks.values():
                    for out in track.feed(None):
                        _write(writer, track, out, hook)
                writer.close()
            except BaseException:
                writer.abort()
                raise
    return facts


def _write(
    writer: Writer,
    track: Track,
    frame: Frame,
    hook: Callable[[VideoFrame, float], VideoFrame] | None,
) -> None:
    at = track.clock(frame)
    if hook is not None and isinstance(frame, VideoFrame):
        frame = hook(frame, at)
    writer.write(track.kind, frame, at)


@contextmanager
def _other(path: Path | None, limits: AvLimits) -> Iterator[InputContainer | None]:
    if path is None:
        yield None
        return
    with opened(path, "The audio file") as container:
        yield container
