"""video/auto-subtitles: a video whose sound is espeak-ng speech, subtitled as a file, as
an embedded track and burned in."""

from __future__ import annotations

import io
import subprocess
import wave
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from satchel.runtime import Runtime
from tests.servers import ensure_debian_package
from tests.tools.ai.samples import wer
from tests.tools.ai.test_speech import PARAGRAPH, finish
from tests.tools.helpers import call_tool


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    espeak = ensure_debian_package("espeak-ng", "espeak-ng")
    folder = tmp_path_factory.mktemp("video")
    speech = folder / "speech.wav"
    subprocess.run(
        [espeak, "-s", "150", "-g", "4", "-v", "en-us", "-w", str(speech), PARAGRAPH], check=True
    )
    with wave.open(str(speech)) as w:
        rate, samples = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    path = folder / "talk.mp4"
    with av.open(str(path), "w") as out:
        picture = out.add_stream("libx264", rate=10)
        picture.width, picture.height, picture.pix_fmt = 160, 96, "yuv420p"
        sound = out.add_stream("aac", rate=rate)
        sound.layout = "mono"
        seconds = len(samples) / rate
        for i in range(int(seconds * 10) + 1):
            frame = av.VideoFrame.from_ndarray(
                np.full((96, 160, 3), (i * 7) % 255, np.uint8), format="rgb24"
            )
            for packet in picture.encode(frame):
                out.mux(packet)
        for packet in picture.encode():
            out.mux(packet)
        step = 1024
        for start in range(0, len(samples), step):
            chunk = samples[start : start + step].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in sound.encode(frame):
                out.mux(packet)
        for packet in sound.encode():
            out.mux(packet)
    return Path(path).read_bytes()


async def subtitle(
    client: httpx.AsyncClient, video: bytes, settings: dict[str, Any]
) -> dict[str, Any]:
    body = await call_tool(
        client, "auto-subtitles", ("talk.mp4", video), settings, section="video", expect=202
    )
    job = await finish(client, body)
    assert job["status"] == "completed", job["error"]
    return job


async def test_subtitles_track_and_burn(
    client: httpx.AsyncClient, workers: Runtime, video: bytes
) -> None:
    job = await subtitle(client, video, {"format": "vtt"})
    assert wer(PARAGRAPH, job["result"]["data"]["text"]) <= 0.10
    vtt = (await client.get(job["result"]["download_url"])).text
    assert vtt.startswith("WEBVTT") and "cloak" in vtt
    job = await subtitle(client, video, {"output": "embed"})
    mkv = (await client.get(job["result"]["download_url"])).content
    with av.open(io.BytesIO(mkv)) as container:
        assert len(container.streams.subtitles) == 1 and len(container.streams.video) == 1
    job = await subtitle(client, video, {"output": "burn", "fontSize": 12})
    burned = (await client.get(job["result"]["download_url"])).content
    with av.open(io.BytesIO(burned)) as container:
        assert len(container.streams.video) == 1 and not container.streams.subtitles


async def test_bad_settings(client: httpx.AsyncClient, video: bytes) -> None:
    body = await call_tool(
        client,
        "auto-subtitles",
        ("talk.mp4", video),
        {"output": "dvd"},
        section="video",
        expect=422,
    )
    assert body["error"]["code"] == "validation_error"
