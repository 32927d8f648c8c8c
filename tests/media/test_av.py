"""The audio/video engine on clips made here with PyAV and on corpus audio."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av as pyav
import numpy as np
import pytest

from satchel.media import av
from tests.corpus import CORPUS


def clip(path: Path, *, seconds: float = 2.0, rotation: int | None = None) -> Path:
    """160×96 frames brightening over time, a green marker top-left, a second of tone."""
    fps, width, height = 25, 160, 96
    with pyav.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "g": "5"}
        if rotation is not None:
            video.set_display_rotation(rotation)
        sound = container.add_stream("aac", rate=8000)
        frames = int(seconds * fps)
        for index in range(frames):
            pixels = np.zeros((height, width, 3), dtype=np.uint8)
            pixels[:, :, 0] = int(255 * index / frames)
            pixels[: height // 4, : width // 8] = (0, 255, 0)
            container.mux(video.encode(pyav.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(video.encode())
        tone = np.sin(np.arange(8000, dtype=np.float32) / 8000 * 2 * np.pi * 440) * 0.5
        frame = pyav.AudioFrame.from_ndarray(tone[None, :], format="fltp", layout="mono")
        frame.sample_rate, frame.time_base, frame.pts = 8000, Fraction(1, 8000), 0
        container.mux(sound.encode(frame))
        container.mux(sound.encode())
    return path


def test_probe_and_poster(tmp_path: Path) -> None:
    with av.open_input(clip(tmp_path / "c.mp4")) as container:
        metadata, raw = av.describe_container(container)
        assert 1.9 < metadata["duration"] < 2.2
        assert metadata["audio_codec"] == "aac" and metadata["sample_rate"] == 8000
        assert raw["format"].startswith("mov") and len(raw["streams"]) == 2
        stream = av.video_stream(container)
        assert stream is not None
        facts = av.describe_video(stream)
        assert facts["video_codec"] == "h264" and facts["fps"] == 25
        shares: list[float] = []
        frame = av.frame_at(container, stream, 1.0, progress=shares.append)
        assert frame is not None and frame.time is not None and frame.time >= 0.9
        assert shares  # reported, so a deadline can stop a slow decode
        image = av.frame_image(frame, stream)
        assert (image.width, image.height, image.bands) == (160, 96, 3)
        assert image(2, 2)[1] > 200  # the marker, top-left
        assert 100 < image(100, 60)[0] < 160  # half way: half bright


def test_rotated_video_comes_out_upright(tmp_path: Path) -> None:
    with av.open_input(clip(tmp_path / "r.mp4", rotation=90)) as container:
        stream = av.video_stream(container)
        assert stream is not None
        frame = av.frame_at(container, stream, None)
        assert frame is not None
        assert av.rotation_of(frame) in (90, 270)
        upright = av.frame_image(frame, stream)
        assert (upright.width, upright.height) == (96, 160)
        stored = av.frame_image(frame, stream, upright=False)
        assert (stored.width, stored.height) == (160, 96)


@pytest.mark.parametrize("max_seconds", [600.0, 0.5])  # whole, then sampled windows
def test_decode_mono(tmp_path: Path, max_seconds: float) -> None:
    with av.open_input(clip(tmp_path / "a.mp4")) as container:
        shares: list[float] = []
        samples = av.decode_mono(
            container,
            rate=4000,
            duration=2.0,
            max_seconds=max_seconds,
            windows=4,
            window_seconds=0.25,
            progress=shares.append,
        )
    assert samples.dtype == np.float32 and samples.size > 0
    assert np.abs(samples).max() > 0.2  # the tone
    assert all(0.0 <= s <= 1.0 for s in shares)
    if max_seconds < 2:
        assert shares == [0.0, 0.25, 0.5, 0.75]


def test_corpus_audio_and_errors(tmp_path: Path) -> None:
    with av.open_input(CORPUS / "audio/alac.m4a") as container:
        metadata, _ = av.describe_container(container)
        assert metadata["audio_codec"] == "alac"
        assert av.video_stream(container) is None
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(av.FFmpegError), av.open_input(broken):
        pass
