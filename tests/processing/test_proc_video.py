"""Video processor: facts and poster frames of videos made here with PyAV, and corpus Theora."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import pyvips

from satchel.processing.processors import ProcessingFailed
from tests.corpus import CORPUS
from tests.processing.conftest import Process


def make_video(
    path: Path,
    codec: str,
    *,
    width: int = 160,
    height: int = 96,
    seconds: float = 2.0,
    fps: int = 25,
    rotation: int | None = None,
    audio: bool = False,
) -> None:
    """A clip whose frames brighten over time, so the poster's position can be told."""
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            video.options = {"preset": "ultrafast", "g": "5"}
        if rotation is not None:
            video.set_display_rotation(rotation)
        sound = container.add_stream("aac", rate=44100) if audio else None
        frames = int(seconds * fps)
        for index in range(frames):
            pixels = np.zeros((height, width, 3), dtype=np.uint8)
            pixels[:, :, 0] = int(255 * index / frames)
            pixels[: height // 4, : width // 8] = (0, 255, 0)  # a marker in the top-left corner
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            samples = np.zeros((1, 1024 * 80), dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.time_base, frame.pts = 44100, Fraction(1, 44100), 0
            container.mux(sound.encode(frame))
            container.mux(sound.encode())


@pytest.mark.parametrize(
    ("name", "codec", "expected_codec"),
    [("clip.mp4", "libx264", "h264"), ("clip.webm", "libvpx-vp9", "vp9")],
)
def test_generated_video(
    process: Process, tmp_path: Path, name: str, codec: str, expected_codec: str
) -> None:
    path = tmp_path / name
    make_video(path, codec, audio=name.endswith(".mp4"))
    result = process(path, "video/mp4" if name.endswith(".mp4") else "video/webm")
    meta = result.metadata
    assert meta["video_codec"] == expected_codec
    assert meta["duration"] == pytest.approx(2.0, abs=0.1)
    assert meta["fps"] == pytest.approx(25.0)
    assert (meta["width"], meta["height"]) == (160, 96)
    assert meta["bitrate"] > 0
    assert "rotation" not in meta
    if name.endswith(".mp4"):
        assert meta["audio_codec"] == "aac"
        assert meta["sample_rate"] == 44100
    kinds = {d.kind: d for d in result.derivatives}
    poster = pyvips.Image.new_from_file(str(kinds["preview"].path))
    assert (poster.width, poster.height) == (160, 96)
    assert pyvips.Image.new_from_file(str(kinds["thumbnail"].path)).width == 160
    # Not the very first (black) frame unless no keyframe came earlier: here keyframes are
    # every 5 frames, so the poster lies around a tenth in.
    if codec == "libx264":
        red = poster[0].crop(80, 48, 40, 40).avg()
        assert 10 < red < 80


@pytest.mark.parametrize(("display_rotation", "clockwise"), [(-90, 90), (90, 270), (180, 180)])
def test_rotation_is_reported_and_applied(
    process: Process, tmp_path: Path, display_rotation: int, clockwise: int
) -> None:
    path = tmp_path / "rotated.mp4"
    make_video(path, "libx264", rotation=display_rotation)
    result = process(path, "video/mp4")
    assert result.metadata["rotation"] == clockwise
    expected = (160, 96) if clockwise == 180 else (96, 160)
    assert (result.metadata["width"], result.metadata["height"]) == expected
    poster = pyvips.Image.new_from_file(str(result.derivatives[1].path))
    assert (poster.width, poster.height) == expected
    # The green marker drawn top-left ends up in the corner the turn takes it to.
    corners = {
        90: (expected[0] - 8, 2),
        270: (2, expected[1] - 8),
        180: (expected[0] - 8, expected[1] - 8),
    }
    x, y = corners[clockwise]
    assert poster[1].crop(x, y, 6, 6).avg() > 200


@pytest.mark.parametrize(
    ("name", "size", "duration"),
    [("sample.oggtheora", (300, 200), 5.6), ("sample_length.oggtheora", (854, 480), 0.75)],
)
def test_corpus_theora(process: Process, name: str, size: tuple[int, int], duration: float) -> None:
    result = process(CORPUS / "audio" / name, "video/ogg")
    assert (result.metadata["width"], result.metadata["height"]) == size
    assert result.metadata["video_codec"] == "theora"
    assert result.metadata["duration"] == pytest.approx(duration, abs=0.05)


def test_truncated_video_fails_clearly(process: Process) -> None:
    with pytest.raises(ProcessingFailed, match="could not be decoded: End of file"):
        process(CORPUS / "audio/sample_bitrate.oggtheora", "video/ogg")


def test_audio_only_file_as_video_fails_clearly(process: Process) -> None:
    with pytest.raises(ProcessingFailed, match="no video stream"):
        process(CORPUS / "audio/silence-44-s.flac", "video/ogg")
