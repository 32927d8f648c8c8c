"""convert-video and compress-video: containers, codecs, sizes and durations of results."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from satchel.runtime import Runtime
from tests.tools.avmedia import probe, run_av

CASES = [
    ("h264.mp4", {"format": "webm"}, "matroska,webm", "vp9", "opus"),
    ("hevc.mov", {"format": "mp4"}, "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac"),
    ("vp9.webm", {"format": "mkv", "quality": "small"}, "matroska,webm", "h264", "aac"),
    ("mpeg4.avi", {"format": "mov", "codec": "hevc"}, "mov,mp4,m4a,3gp,3g2,mj2", "hevc", "aac"),
    ("h264.mp4", {"format": "avi"}, "avi", "mpeg4", "mp3"),
]


@pytest.mark.parametrize(("clip", "options", "container", "vcodec", "acodec"), CASES)
async def test_convert_video(
    client: httpx.AsyncClient,
    workers: Runtime,
    clips: dict[str, Path],
    tmp_path: Path,
    clip: str,
    options: dict[str, str],
    container: str,
    vcodec: str,
    acodec: str,
) -> None:
    _, out = await run_av(client, "convert-video", clips[clip], options, into=tmp_path)
    got = probe(out)
    source = probe(clips[clip])
    assert got.format == container
    assert got.video[0]["codec"] == vcodec
    assert got.audio[0]["codec"].startswith(acodec)
    assert got.size == source.size
    assert abs(got.duration - source.duration) < 0.15


async def test_convert_scales_odd_sizes_to_even(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    _, out = await run_av(client, "convert-video", clips["odd.mkv"], {"width": 161}, into=tmp_path)
    got = probe(out)
    assert got.size == (160, 120)
    assert not got.audio


async def test_compress_video_levels(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    from tests.tools.avmedia import make_video

    src = make_video(tmp_path / "big.mkv", size=(640, 480), seconds=2.0)
    sizes = {}
    for level in ("light", "strong"):
        options = {"quality": level, "resolution": "480p" if level == "light" else "720p"}
        _, out = await run_av(client, "compress-video", src, options, into=tmp_path / level)
        got = probe(out)
        assert got.format.startswith("mov,mp4") and got.video[0]["codec"] == "h264"
        assert got.size == (640, 480)  # never scaled up
        sizes[level] = out.stat().st_size
    assert sizes["strong"] < sizes["light"]
