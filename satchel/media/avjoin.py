"""Joining and taking apart (PyAV): files played one after another into one output
(merge-videos, merge-audio, images-to-video), and a video's frames as images (GIF, WebP,
frame ZIPs). Both go through the same chains, writer and limits as `avedit`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyvips
from av.audio.frame import AudioFrame
from av.video.frame import VideoFrame

from satchel.media.av import video_stream
from satchel.media.avedit import (
    AV_TIME_BASE,
    AvLimits,
    Probe,
    Progress,
    Reporter,
    StreamMissing,
    TooLarge,
    decoded,
    opened,
    probe,
)
from satchel.media.avencode import Profile, Writer, audio_tail, video_tail
from satchel.media.avfilter import Chain, Track
from satchel.media.pixels import from_array

SILENCE_BLOCK = 1024


@dataclass(frozen=True)
class Part:
    """One file of a join, with the chains that make it match the first."""

    path: Path
    name: str
    video: Chain = ()
    audio: Chain = ()


def fit_chain(width: int, height: int, rate: Fraction | None) -> Chain:
    """Scale into width × height keeping the aspect ratio, centred on black, at `rate`."""
    chain: list[tuple[str, str]] = [
        ("scale", f"{width}:{height}:force_original_aspect_ratio=decrease"),
        ("pad", f"{width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black"),
        ("setsar", "1"),
    ]
    if rate:
        chain.append(("fps", f"{rate.numerator}/{rate.denominator}"))
    return chain


def concat(
    parts: Sequence[Part],
    dst: Path,
    profile: Profile,
    *,
    limits: AvLimits,
    progress: Progress | None = None,
) -> list[Probe]:
    """Play `parts` one after another into `dst`. The first part decides which streams
    the result has; a later part without sound gets silence of its length."""
    facts: list[Probe] = []
    for part in parts:
        with opened(part.path, part.name) as container:
            facts.append(probe(container, limits, part.name))
    total = sum(f.duration for f in facts)
    if total > limits.max_media_seconds:
        raise TooLarge(
            f"Together the files last {total:.0f} s; at most {limits.max_media_seconds:.0f}."
        )
    first = facts[0]
    kinds = {k for k, on in (("video", first.has_video), ("audio", first.has_audio)) if on}
    kinds &= {k for k, codec in (("video", profile.video), ("audio", profile.audio)) if codec}
    if not kinds:
        raise StreamMissing(f"{parts[0].name} has no stream to join.")
    rate, channels = first.sample_rate or 48000, first.channels or 2
    writer = Writer(dst, profile, kinds=kinds, rate=first.rate, max_bytes=limits.max_output_bytes)
    report = Reporter(total, progress, writer)
    done = 0.0
    offset = 0.0
    try:
        for part, fact in zip(parts, facts, strict=True):
            tracks: dict[str, Track] = {}
            if "video" in kinds:
                tracks["video"] = Track(
                    "video", part.video, tail=video_tail(profile), offset=offset
                )
            if "audio" in kinds:
                tail = audio_tail(profile, rate=rate, channels=channels)
                tracks["audio"] = Track("audio", part.audio, tail=tail, offset=offset)
            with opened(part.path, part.name) as container:
                streams: dict[str, Any] = {}
                vs = video_stream(container)
                if "video" in tracks and vs is not None:
                    streams["video"] = vs
                if "audio" in tracks and container.streams.audio:
                    streams["audio"] = container.streams.audio[0]
                for kind, frame in decoded(container, streams, None):
                    for out in tracks[kind].feed(frame):
                        writer.write(kind, out, tracks[kind].clock(out))
                    report(done + float(frame.time or 0.0))
                for kind, track in tracks.items():
                    for out in track.feed(None):
                        writer.write(kind, out, track.clock(out))
                if "audio" in kinds and "audio" not in streams:
                    for frame in silence(fact.duration, rate, channels):
                        writer.write("audio", frame, 0.0)
            ends = [t.end for t in tracks.values() if t.first is not None]
            offset = max(ends) if ends else offset + fact.duration
            done += fact.duration
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return facts


def silence(seconds: float, rate: int, channels: int) -> Iterator[AudioFrame]:
    layout = "mono" if channels == 1 else "stereo"
    left = int(seconds * rate)
    while left > 0:
        n = min(SILENCE_BLOCK, left)
        frame = AudioFrame.from_ndarray(
            np.zeros((channels if channels <= 2 else 2, n), np.float32),
            format="fltp",
            layout=layout,
        )
        frame.sample_rate = rate
        left -= n
        yield frame


def images(
    src: Path,
    *,
    limits: AvLimits,
    chain: Chain = (),
    start: float = 0.0,
    end: float | None = None,
    keep: Callable[[int, float], bool] = lambda _n, _t: True,
    max_frames: int = 10_000,
    progress: Progress | None = None,
    name: str = "The file",
) -> Iterator[tuple[float, pyvips.Image]]:
    """The video's frames (after `chain`, upright) as RGB images with their times from
    `start`, those `keep(n, t)` accepts, at most `max_frames`."""
    with opened(src, name) as container:
        facts = probe(container, limits, name)
        stream = video_stream(container)
        if stream is None:
            raise StreamMissing(f"{name} has no video stream.")
        if start > 0:
            container.seek(int(start * AV_TIME_BASE))
        trim = [("trim", f"start={start}" + (f":end={end}" if end else ""))] if start or end else []
        track = Track("video", [*trim, *chain], tail=[("format", "rgb24")])
        total = max((end or facts.duration) - start, 1e-3)
        count = kept = 0
        for _, frame in decoded(container, {"video": stream}, end):
            for out in track.feed(frame):
                at = track.clock(out)
                if isinstance(out, VideoFrame) and keep(count, at):
                    kept += 1
                    if kept > max_frames:
                        raise TooLarge(f"More than {max_frames} frames would be made.")
                    yield at, from_array(out.to_ndarray()).copy_memory()
                count += 1
            if progress is not None and count % 10 == 0:
                progress(min(1.0, (float(frame.time or 0.0) - start) / total))
        for out in track.feed(None):
            at = track.clock(out)
            if isinstance(out, VideoFrame) and keep(count, at) and kept < max_frames:
                kept += 1
                yield at, from_array(out.to_ndarray()).copy_memory()
            count += 1


def reverse(
    src: Path,
    dst: Path,
    profile: Profile,
    *,
    limits: AvLimits,
    window: int = 48,
    progress: Progress | None = None,
    name: str = "The file",
) -> Probe:
    """`src` played backwards. Video is decoded in windows of `window` frames from the
    end (seeking to the keyframe before each), so memory holds one window, not the file;
    the sound is reversed whole (`areverse`), so callers bound the duration."""
    with opened(src, name) as container:
        facts = probe(container, limits, name)
        stream = video_stream(container)
        if stream is None:
            raise StreamMissing(f"{name} has no video stream.")
        times = sorted(
            float(p.pts * p.time_base)
            for p in container.demux(stream)
            if p.pts is not None and p.time_base is not None and p.size
        )
    if not times:
        raise StreamMissing(f"{name} has no video frames.")
    sound: list[AudioFrame] = []
    if facts.has_audio and profile.audio:
        tail = audio_tail(profile, rate=facts.sample_rate or 48000, channels=facts.channels)
        track = Track("audio", [("areverse", "")], tail=tail)
        with opened(src, name) as container:
            for _, frame in decoded(container, {"audio": container.streams.audio[0]}, None):
                track.feed(frame)
            sound = [f for f in track.feed(None) if isinstance(f, AudioFrame)]
    kinds = {"video", "audio"} if sound else {"video"}
    writer = Writer(dst, profile, kinds=kinds, rate=facts.rate, max_bytes=limits.max_output_bytes)
    end = times[-1]
    step = (times[-1] - times[0]) / max(1, len(times) - 1) if len(times) > 1 else 0.04
    played = 0.0  # seconds of sound written
    starts = [times[i] for i in range(0, len(times), window)]
    try:
        for n, start in enumerate(reversed(starts)):
            stop = times[min(len(times) - 1, times.index(start) + window - 1)]
            with opened(src, name) as container:
                vs = video_stream(container)
                assert vs is not None
                container.seek(int(start * AV_TIME_BASE), backward=True)
                chunk = Track(
                    "video",
                    [("trim", f"start={start}:end={stop + step / 2}")],
                    tail=video_tail(profile),
                )
                frames = [
                    (float(out.time or 0.0), out)
                    for _, frame in decoded(container, {"video": vs}, stop)
                    for out in chunk.feed(frame)
                ]
                frames += [(float(out.time or 0.0), out) for out in chunk.feed(None)]
            for at, frame in sorted(frames, key=lambda tf: -tf[0]):
                shown = end - at
                while sound and played <= shown:
                    piece = sound.pop(0)
                    writer.write("audio", piece, played)
                    played += piece.samples / piece.sample_rate
                writer.write("video", frame, shown)
            if progress is not None:
                progress((n + 1) / len(starts))
        for piece in sound:
            writer.write("audio", piece, played)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return facts


def slideshow(
    pictures: Sequence[Callable[[], pyvips.Image]],
    dst: Path,
    profile: Profile,
    *,
    limits: AvLimits,
    seconds: float,
    rate: Fraction,
    progress: Progress | None = None,
) -> float:
    """A video showing each picture (RGB, already the output size; made when its turn
    comes) for `seconds`, at `rate` frames per second. Returns the duration."""
    per = max(1, round(seconds * rate))
    if per * len(pictures) > limits.max_video_frames:
        raise TooLarge(
            f"That makes {per * len(pictures)} frames; at most {limits.max_video_frames}."
        )
    writer = Writer(dst, profile, kinds={"video"}, rate=rate, max_bytes=limits.max_output_bytes)
    n = 0
    try:
        for i, make in enumerate(pictures):
            image = make()
            pixels = np.ndarray(
                buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width, 3)
            )
            still = VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            still = still.reformat(format=profile.pix_fmt)
            for _ in range(per):
                writer.write("video", still, float(n / rate))
                n += 1
            writer.check_size()
            if progress is not None:
                progress((i + 1) / len(pictures))
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return float(n / rate)
