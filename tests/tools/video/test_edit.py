"""Video tools that edit the picture or the timeline: each result probed and looked at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from satchel.runtime import Runtime
from tests.tools.avmedia import fails_with, frames, loudness, make_video, probe, rms, run_av


def bar(pixels: np.ndarray[Any, Any]) -> int:
    """Width of the red bar the generated clips draw (frame n: (n+1)/N of the width)."""
    row = pixels[pixels.shape[0] // 2]
    return int(np.count_nonzero(row[:, 0] > 128))


async def test_precise_trim_starts_and_ends_on_the_asked_frames(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    settings = {"startS": 0.52, "endS": 1.48, "precise": True}
    _, out = await run_av(client, "trim-video", clips["h264.mp4"], settings, into=tmp_path)
    shown = frames(out)
    assert len(shown) == 24  # frames 13 … 36 of 50
    assert abs(bar(shown[0][1]) - 14 * 320 // 50) <= 3
    assert abs(bar(shown[-1][1]) - 37 * 320 // 50) <= 3
    assert abs(probe(out).duration - 0.96) < 0.1
    assert rms(out) > 0.1  # the tone is kept


async def test_quick_trim_copies_from_the_keyframe(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    _, out = await run_av(client, "trim-video", clips["vp9.webm"], {"endS": 1.0}, into=tmp_path)
    got = probe(out)
    assert got.video[0]["codec"] == "vp9" and got.audio[0]["codec"] == "opus"
    assert 0.9 <= got.duration <= 1.2
    code = await fails_with(client, "trim-video", clips["h264.mp4"], {"startS": 30})
    assert code == "tool_time_out_of_range"


async def test_mute_and_clean_metadata_copy_the_picture(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    src = make_video(tmp_path / "tagged.mp4")
    with av.open(str(src)) as c:
        packets = sum(1 for p in c.demux(video=0) if p.size)
    tagged = tmp_path / "tagged2.mov"
    with av.open(str(src)) as c, av.open(str(tagged), "w") as out:
        out.metadata.update({"title": "Secret", "location": "+48.8577+002.295/"})
        pairs = {s.index: out.add_stream_from_template(s) for s in c.streams}
        for p in c.demux():
            if p.dts is not None:
                p.stream = pairs[p.stream.index]
                out.mux(p)
    assert probe(tagged).tags.get("title") == "Secret"
    _, muted = await run_av(client, "mute-video", src, into=tmp_path / "m")
    got = probe(muted)
    assert not got.audio and got.video[0]["codec"] == "h264"
    with av.open(str(muted)) as c:
        assert sum(1 for p in c.demux(video=0) if p.size) == packets
    _, clean = await run_av(client, "video-metadata", tagged, into=tmp_path / "c")
    got = probe(clean)
    assert "title" not in got.tags and "location" not in got.tags
    assert got.video and got.audio


RESIZES = [
    ({"width": 160}, (160, 120)),
    ({"preset": "360p"}, (480, 360)),
    ({"width": 100, "height": 50}, (100, 50)),
]


@pytest.mark.parametrize(("options", "size"), RESIZES)
async def test_resize(
    client: httpx.AsyncClient,
    workers: Runtime,
    clips: dict[str, Path],
    tmp_path: Path,
    options: dict[str, Any],
    size: tuple[int, int],
) -> None:
    _, out = await run_av(client, "resize-video", clips["h264.mp4"], options, into=tmp_path)
    assert probe(out).size == size


async def test_crop_rotate_and_pad(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    src = clips["h264.mp4"]  # 320×240
    crop = {"width": 100, "height": 60, "x": 10, "y": 20}
    _, out = await run_av(client, "crop-video", src, crop, into=tmp_path / "a")
    assert probe(out).size == (100, 60)
    code = await fails_with(client, "crop-video", src, {"width": 300, "height": 60, "x": 40})
    assert code == "tool_region_out_of_bounds"
    _, out = await run_av(client, "rotate-video", src, {"transform": "cw90"}, into=tmp_path / "b")
    assert probe(out).size == (240, 320)
    last = frames(out)[-1][1]  # the bar grew from the left, so after a turn, from the top
    assert last[5, 120, 0] > 128 and last[-5, 120, 0] > 128
    _, out = await run_av(client, "rotate-video", src, {"transform": "hflip"}, into=tmp_path / "c")
    first = frames(out)[0][1]
    assert first[120, -3, 0] > 128 and first[120, 3, 0] < 100
    pad = {"target": "16:9", "color": "#00ff00"}
    _, out = await run_av(client, "aspect-pad", src, pad, into=tmp_path / "d")
    assert probe(out).size == (428, 240)
    assert frames(out)[0][1][120, 2, 1] > 200  # a green bar on the left
    _, out = await run_av(client, "aspect-pad", src, {"target": "9:16"}, into=tmp_path / "e")
    assert probe(out).size == (320, 570)


async def test_fps_speed_and_colour(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    src = clips["h264.mp4"]  # 2 s at 25 fps
    _, out = await run_av(client, "change-fps", src, {"fps": 10}, into=tmp_path / "a")
    got = probe(out)
    assert abs(got.video[0]["fps"] - 10) < 0.1 and abs(got.duration - 2) < 0.2
    assert 19 <= len(frames(out)) <= 21
    _, out = await run_av(client, "video-speed", src, {"factor": 2}, into=tmp_path / "b")
    assert abs(probe(out).duration - 1.0) < 0.15
    assert rms(out) > 0.1
    slow = {"factor": 0.5, "keepPitch": False}
    _, out = await run_av(client, "video-speed", src, slow, into=tmp_path / "c")
    assert abs(probe(out).duration - 4.0) < 0.25
    grey = {"saturation": 0}
    _, out = await run_av(client, "video-color", src, grey, into=tmp_path / "d")
    pixel = frames(out)[-1][1][120, 160].astype(int)
    assert max(pixel) - min(pixel) < 12  # the red bar is grey now
    bright = {"brightness": 0.4}
    _, out = await run_av(client, "video-color", src, bright, into=tmp_path / "e")
    assert frames(out)[0][1][120, 300].mean() > 90  # the dark background is lighter


async def test_gif_to_video_and_extract_audio(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    gif = make_video(
        tmp_path / "anim.gif", codec="gif", size=(64, 48), fps=10, audio=None, pix_fmt="rgb8"
    )
    _, out = await run_av(client, "gif-to-video", gif, {"format": "webm"}, into=tmp_path / "a")
    got = probe(out)
    assert got.video[0]["codec"] == "vp9" and got.size == (64, 48)
    assert abs(got.duration - 2.0) < 0.25
    for fmt, codec in (("mp3", "mp3"), ("wav", "pcm_s16le"), ("m4a", "aac")):
        _, out = await run_av(
            client, "extract-audio", clips["hevc.mov"], {"format": fmt}, into=tmp_path / fmt
        )
        got = probe(out)
        assert not got.video and got.audio[0]["codec"].startswith(codec)
        assert abs(got.duration - 2.0) < 0.15 and rms(out) > 0.1
    code = await fails_with(client, "extract-audio", clips["odd.mkv"], {})
    assert code == "tool_stream_missing"


async def test_loudnorm_reaches_minus_16_lufs(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    quiet = make_video(tmp_path / "quiet.mp4", seconds=4.0)  # a -15 dBFS tone, about -12 LUFS
    job, out = await run_av(client, "video-loudnorm", quiet, into=tmp_path / "a")
    assert abs(loudness(out) - -16) <= 1.0
    assert job["result"]["data"]["measured_lufs"] > -16
    assert probe(out).video
