"""Encoding audio and video (PyAV): output profiles (container, codecs, quality), and the
writer that opens the output once every stream's first frame is known, encodes with the
codecs' own threads, and keeps the output within its byte budget.

Profiles name the bundled FFmpeg's encoders: libx264/libx265/libvpx-vp9/mpeg4 for video,
aac/libopus/libmp3lame/flac/pcm for sound (the wheel has no libvorbis: Ogg holds Opus).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av as pyav
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from satchel.media.avfilter import Chain, Frame
from satchel.media.errors import MediaError, ResultTooLarge
from satchel.units import size_text

Quality = Literal["high", "balanced", "small"]
VIDEO_TB = Fraction(1, 90000)
# Constant quality per codec and level: what "high/balanced/small" mean.
CRF: dict[str, dict[str, int]] = {
    "libx264": {"high": 18, "balanced": 23, "small": 28},
    "libx265": {"high": 22, "balanced": 28, "small": 32},
    "libvpx-vp9": {"high": 24, "balanced": 32, "small": 40},
    "mpeg4": {"high": 4000, "balanced": 2000, "small": 1000},  # kbit/s: no constant quality
}
PENDING_FRAMES = 600  # frames held back while waiting for another stream's first frame


@dataclass(frozen=True)
class Profile:
    """An output: muxer, media type, encoders and their options."""

    container: str
    media_type: str
    extension: str
    video: str | None = None
    audio: str | None = None
    quality: Quality = "balanced"
    preset: str = "veryfast"
    pix_fmt: str = "yuv420p"
    audio_bitrate: int | None = 160_000
    audio_rate: int | None = None  # default: the source's
    audio_layout: str | None = None  # default: the source's (at most stereo)
    options: Mapping[str, str] = field(default_factory=dict)  # the muxer's

    def with_(self, **changes: Any) -> Profile:
        return replace(self, **changes)

    def video_options(self) -> dict[str, str]:
        crf = CRF.get(self.video or "", {}).get(self.quality)
        if self.video in ("libx264", "libx265"):
            opts = {"crf": str(crf), "preset": self.preset}
            return {**opts, "x265-params": "log-level=error"} if self.video == "libx265" else opts
        if self.video == "libvpx-vp9":
            return {
                "crf": str(crf),
                "b": "0",
                "deadline": "realtime",
                "cpu-used": "8",
                "row-mt": "1",
            }
        if self.video == "mpeg4":
            return {"b": f"{crf}k", "mbd": "2"}
        return {}


FASTSTART = {"movflags": "+faststart"}
VIDEO_PROFILES: dict[str, Profile] = {
    "mp4": Profile("mp4", "video/mp4", "mp4", "libx264", "aac", options=FASTSTART),
    "mov": Profile("mov", "video/quicktime", "mov", "libx264", "aac", options=FASTSTART),
    "webm": Profile("webm", "video/webm", "webm", "libvpx-vp9", "libopus", audio_rate=48000),
    "mkv": Profile("matroska", "video/x-matroska", "mkv", "libx264", "aac"),
    "avi": Profile("avi", "video/x-msvideo", "avi", "mpeg4", "libmp3lame"),
}
AUDIO_PROFILES: dict[str, Profile] = {
    "mp3": Profile("mp3", "audio/mpeg", "mp3", audio="libmp3lame", audio_bitrate=192_000),
    "wav": Profile("wav", "audio/wav", "wav", audio="pcm_s16le", audio_bitrate=None),
    "flac": Profile("flac", "audio/flac", "flac", audio="flac", audio_bitrate=None),
    "m4a": Profile("ipod", "audio/mp4", "m4a", audio="aac", options=FASTSTART),
    "ogg": Profile("ogg", "audio/ogg", "ogg", audio="libopus", audio_rate=48000),
    "opus": Profile("opus", "audio/opus", "opus", audio="libopus", audio_rate=48000),
}
# The format an audio input is written back in when a tool keeps "the input's format".
AUDIO_FORMAT_OF = {
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
    "audio/aiff": "wav",
    "audio/x-m4a": "m4a",
    "audio/aac": "m4a",
    "audio/ogg": "ogg",
    "audio/opus": "opus",
}
VIDEO_FORMAT_OF = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/x-msvideo": "avi",
}


def audio_profile(media_type: str, fmt: str | None = None) -> Profile:
    """The named audio format, else the input's when it can be written, else MP3."""
    return AUDIO_PROFILES[fmt or AUDIO_FORMAT_OF.get(media_type, "mp3")]


def video_profile(media_type: str, fmt: str | None = None) -> Profile:
    """The named video format, else the input's when it can be written, else MP4."""
    return VIDEO_PROFILES[fmt or VIDEO_FORMAT_OF.get(media_type, "mp4")]


def _sample_format(codec: str) -> str:
    formats = [f.name for f in (pyav.Codec(codec, "w").audio_formats or [])]
    for preferred in ("fltp", "flt", "s16p", "s16", "s32"):
        if preferred in formats:
            return preferred
    return formats[0] if formats else "fltp"


def video_tail(profile: Profile) -> Chain:
    """What every video chain ends with for this encoder (even sizes for 4:2:0)."""
    tail: list[tuple[str, str]] = []
    if profile.pix_fmt.endswith("420p"):
        tail.append(("scale", "trunc(iw/2)*2:trunc(ih/2)*2"))
    return [*tail, ("format", profile.pix_fmt)]


def audio_tail(profile: Profile, *, rate: int, channels: int) -> Chain:
    layout = profile.audio_layout or ("mono" if channels == 1 else "stereo")
    sample_rate = profile.audio_rate or rate
    if profile.audio == "libopus":
        sample_rate = 48000
    fmt = _sample_format(profile.audio or "aac")
    return [("aformat", f"sample_fmts={fmt}:sample_rates={sample_rate}:channel_layouts={layout}")]


class Writer:
    """The output file: opened when each expected stream has a first frame (its size and
    format are known only then), frames encoded as they come, the byte budget watched."""

    def __init__(
        self,
        dst: Path,
        profile: Profile,
        *,
        kinds: set[str],
        rate: Fraction | None,
        max_bytes: int,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.dst = dst
        self.profile = profile
        self.kinds = kinds
        self.rate = rate or Fraction(25)
        self.max_bytes = max_bytes
        self.metadata = dict(metadata or {})
        self.out: OutputContainer | None = None
        self.streams: dict[str, Any] = {}
        self.pending: list[tuple[str, Frame, float]] = []
        self.first: dict[str, Frame] = {}
        self.samples = 0
        self.last_pts = -1
        self.frames = 0
        # MPEG-4 Part 2 takes no time base finer than 1/65535: frames tick at the rate.
        self.tb = 1 / self.rate if profile.video == "mpeg4" else VIDEO_TB

    def write(self, kind: str, frame: Frame, at: float) -> None:
        if self.out is None:
            self.first.setdefault(kind, frame)
            self.pending.append((kind, frame, at))
            if set(self.first) >= self.kinds or len(self.pending) > PENDING_FRAMES:
                self._open()
            return
        self._encode(kind, frame, at)

    def _open(self) -> None:
        options = dict(self.profile.options)
        out = pyav.open(str(self.dst), "w", format=self.profile.container, options=options)
        assert isinstance(out, OutputContainer)
        self.out = out
        for key, value in self.metadata.items():
            out.metadata[key] = value
        video = self.first.get("video")
        if isinstance(video, VideoFrame) and self.profile.video:
            stream = out.add_stream(
                self.profile.video, rate=self.rate, options=self.profile.video_options()
            )
            assert isinstance(stream, VideoStream)
            # Frame threads as the ffmpeg command uses (PyAV's default, slices, makes x264
            # split each frame and run about half as fast).
            stream.codec_context.thread_type = "AUTO"
            stream.width, stream.height = video.width, video.height
            stream.pix_fmt = video.format.name
            stream.time_base = self.tb
            stream.codec_context.time_base = self.tb
            self.streams["video"] = stream
        sound = self.first.get("audio")
        if isinstance(sound, AudioFrame) and self.profile.audio:
            stream = out.add_stream(self.profile.audio, rate=sound.sample_rate)
            assert isinstance(stream, AudioStream)
            stream.layout = sound.layout.name
            stream.format = sound.format.name
            if self.profile.audio_bitrate and self.profile.audio not in ("flac", "pcm_s16le"):
                stream.bit_rate = self.profile.audio_bitrate
            self.streams["audio"] = stream
        if not self.streams:
            raise MediaError("The input has no stream this output can hold.")
        pending, self.pending = self.pending, []
        for kind, frame, at in pending:
            self._encode(kind, frame, at)

    def _encode(self, kind: str, frame: Frame, at: float) -> None:
        stream = self.streams.get(kind)
        if stream is None:
            return
        if isinstance(frame, VideoFrame):
            pts = round(at / self.tb)
            if pts <= self.last_pts:
                return  # two frames at one instant: keep the first
            self.last_pts = pts
            frame.pts, frame.time_base = pts, self.tb
            self.frames += 1
        else:
            frame.pts, frame.time_base = self.samples, Fraction(1, frame.sample_rate)
            self.samples += frame.samples
        self._mux(stream.encode(frame))

    def _mux(self, packets: list[Any]) -> None:
        assert self.out is not None
        self.out.mux(packets)

    def check_size(self) -> None:
        if self.dst.exists() and os.path.getsize(self.dst) > self.max_bytes:
            raise ResultTooLarge(f"The result would be larger than {size_text(self.max_bytes)}.")

    def close(self) -> None:
        if self.out is None:
            if not self.pending:
                raise MediaError("No frame of the input could be decoded.")
            self._open()
        assert self.out is not None
        for stream in self.streams.values():
            self._mux(stream.encode(None))
        self.out.close()
        self.check_size()

    def abort(self) -> None:
        if self.out is not None:
            with contextlib.suppress(pyav.FFmpegError, ValueError):
                self.out.close()
        self.dst.unlink(missing_ok=True)
