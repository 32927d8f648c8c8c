"""Tools that draw over the picture or around it: blur-pad, watermark-video, and
stabilize-video (which moves it)."""

from __future__ import annotations

from pathlib import Path

import httpx

from satchel.runtime import Runtime
from tests.tools.avmedia import frames, probe, run_av
from tests.tools.helpers import call_tool


async def test_blur_pad_fills_the_sides_with_the_picture(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    src = clips["h264.mp4"]  # 320×240, red bar growing over a dark background
    _, out = await run_av(client, "blur-pad", src, {"target": "9:16", "blur": 10}, into=tmp_path)
    assert probe(out).size == (180, 320)
    last = frames(out)[-1][1]  # the bar fills the frame by the end: the blur is red too
    assert last[20, 90, 0] > 120 and last[160, 90, 0] > 150
    assert abs(probe(out).duration - 2.0) < 0.15


async def test_watermark_video(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    src = clips["h264.mp4"]
    options = {
        "text": "SATCHEL",
        "position": "top-left",
        "fontSize": 40,
        "opacity": 1,
        "color": "#00ff00",
    }
    _, out = await run_av(client, "watermark-video", src, options, into=tmp_path)
    first, last = frames(out)[0][1], frames(out)[-1][1]
    for shown in (first, last):
        corner = shown[20:60, 20:200]
        green = (corner[..., 1] > 180) & (corner[..., 0] < 120)
        assert green.sum() > 300  # the letters, on every frame
        assert (shown[150:, 200:, 1] > 180).sum() < 50  # and nowhere else
    body = await call_tool(
        client, "watermark-video", src, {"text": "x", "color": "nope"}, section="video", expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.color"


async def test_stabilize_video_keeps_size_and_length(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    _, out = await run_av(
        client, "stabilize-video", clips["h264.mp4"], {"smoothing": 16}, into=tmp_path
    )
    got = probe(out)
    assert got.size == (320, 240) and abs(got.duration - 2.0) < 0.15 and got.audio
