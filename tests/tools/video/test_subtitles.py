"""embed-subtitles, extract-subtitles and burn-subtitles on a generated clip."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from satchel.runtime import Runtime
from tests.tools.avmedia import frames, probe, run_av
from tests.tools.helpers import call_tool

SRT = (
    b"1\n00:00:00,200 --> 00:00:00,800\nHello <b>world</b>\n\n"
    b"2\n00:00:01,200 --> 00:00:01,800\nSecond cue\non two lines\n\n"
)


async def test_embed_then_extract_round_trip(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    extras = {"subtitles": ("talk.srt", SRT)}
    _, out = await run_av(
        client,
        "embed-subtitles",
        clips["h264.mp4"],
        {"language": "ger"},
        extras=extras,
        into=tmp_path / "e",
    )
    got = probe(out)
    assert got.format.startswith("matroska")
    assert got.video[0]["codec"] == "h264" and got.audio[0]["codec"] == "aac"
    assert got.subtitles and got.subtitles[0]["tags"].get("language") == "ger"
    job, srt = await run_av(client, "extract-subtitles", out, into=tmp_path / "x")
    text = srt.read_text()
    assert job["result"]["data"]["cues"] == 2
    # times as the MKV holds them: everything shifted by the AAC priming (21 ms) at most
    starts = re.findall(r"(\d\d):(\d\d):(\d\d),(\d{3}) -->", text)
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in starts]
    assert abs(seconds[0] - 0.2) <= 0.025 and abs(seconds[1] - 1.2) <= 0.025
    assert "Hello world\n\n" in text and "Second cue\non two lines\n" in text
    body = await call_tool(
        client,
        "embed-subtitles",
        clips["h264.mp4"],
        {"language": "deu"},
        section="video",
        extras=extras,
        expect=422,
    )
    assert "ger" in body["error"]["fields"][0]["message"]


async def test_burn_subtitles_draws_cues_only_while_they_show(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    extras = {"subtitles": ("talk.srt", SRT)}
    job, out = await run_av(
        client, "burn-subtitles", clips["h264.mp4"], {"fontSize": 28}, extras=extras, into=tmp_path
    )
    assert job["result"]["data"]["cues"] == 2
    shown = frames(out)
    assert len(shown) == 50

    def white(pixels: object) -> int:
        import numpy as np

        band = np.asarray(pixels)[150:, :, :]
        return int(((band > 200).all(axis=2)).sum())

    by_time = {round(t, 2): px for t, px in shown}
    assert white(by_time[0.4]) > 200 and white(by_time[1.4]) > 200
    assert white(by_time[1.0]) < 20 and white(by_time[0.0]) < 20
