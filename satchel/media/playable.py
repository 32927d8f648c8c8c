"""Browser-playable renditions: whether a browser can play a stored video or sound as it
is, and if not, an H.264/AAC MP4 (faststart) or an AAC M4A made from it (PyAV)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from satchel.media import avedit, avencode
from satchel.media.av import video_stream

# What every current browser plays in <video>/<audio>, by container and codec.
VIDEO_PLAYABLE = {
    "video/mp4": {"h264", "av1", "vp9"},
    "video/webm": {"vp8", "vp9", "av1"},
}
AUDIO_PLAYABLE = {
    "audio/mpeg": {"mp3", "mp3float"},
    "audio/mp4": {"aac"},
    "audio/m4a": {"aac"},
    "audio/aac": {"aac"},
    "audio/ogg": {"opus", "vorbis"},
    "audio/opus": {"opus"},
    "audio/webm": {"opus", "vorbis"},
    "audio/wav": {"pcm_s16le", "pcm_u8", "pcm_s24le", "pcm_f32le"},
}
MAX_SECONDS = 60.0  # longer media is served as stored (a rendition would outlast the budget)
MAX_HEIGHT = 720
MAX_PIXEL_SECONDS = 30 * 1920 * 1080  # 30 s of 1080p: bigger sources are served as stored


@dataclass(frozen=True)
class Limits:
    max_media_seconds: float = 4 * 3600.0
    max_video_pixels: int = 8192 * 4320
    max_video_frames: int = 1_000_000
    max_output_bytes: int = 1 << 30


def needed(path: Path, media_type: str) -> bool:
    """Whether a browser needs a rendition to play this file."""
    with avedit.opened(path) as container:
        stream = video_stream(container)
        if media_type.startswith("video/"):
            codecs = {stream.codec_context.name} if stream is not None else set()
            if container.streams.audio:
                codecs.add(container.streams.audio[0].codec_context.name)
            allowed = VIDEO_PLAYABLE.get(media_type, set()) | {"aac", "opus", "mp3", "vorbis"}
            return not codecs or not codecs <= allowed
        if not container.streams.audio:
            return False
        codec = container.streams.audio[0].codec_context.name
        return codec not in AUDIO_PLAYABLE.get(media_type, set())


def render(
    path: Path, out_dir: Path, media_type: str, *, progress: avedit.Progress | None = None
) -> tuple[Path, str] | None:
    """The rendition (path, media type), or None when the file plays as it is or lasts
    longer than MAX_SECONDS."""
    if not needed(path, media_type):
        return None
    facts = avedit.check_file(path, Limits())
    if facts.duration <= 0 or facts.duration > MAX_SECONDS:
        return None
    if facts.duration * facts.width * facts.height > MAX_PIXEL_SECONDS:
        return None
    if facts.has_video:
        profile = avencode.VIDEO_PROFILES["mp4"].with_(preset="veryfast", audio_bitrate=128_000)
        out = out_dir / "playable.mp4"
        chain = [("scale", f"-2:'min({MAX_HEIGHT},ih)'")]
        avedit.transcode(path, out, profile, limits=Limits(), video=chain, progress=progress)
        return out, "video/mp4"
    profile = avencode.AUDIO_PROFILES["m4a"].with_(audio_bitrate=160_000)
    out = out_dir / "playable.m4a"
    avedit.transcode(path, out, profile, limits=Limits(), video=None, progress=progress)
    return out, "audio/mp4"
