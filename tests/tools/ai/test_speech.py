"""Speech to text (audio/transcribe-audio): espeak-ng speech of a known paragraph,
transcribed with a word error rate of at most 10%, in txt, SRT and WebVTT."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from satchel.runtime import Runtime
from tests.servers import ensure_debian_package
from tests.tools.ai.samples import wer
from tests.tools.helpers import call_tool

PARAGRAPH = (
    "The north wind and the sun were disputing which was the stronger, when a traveler "
    "came along wrapped in a warm cloak. They agreed that the one who first succeeded in "
    "making the traveler take his cloak off should be considered stronger than the other."
)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    espeak = ensure_debian_package("espeak-ng", "espeak-ng")
    path = tmp_path_factory.mktemp("speech") / "north-wind.wav"
    subprocess.run(
        [espeak, "-s", "150", "-g", "4", "-v", "en-us", "-w", str(path), PARAGRAPH], check=True
    )
    return Path(path).read_bytes()


async def finish(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    job_id = body["data"]["job_id"]
    for _ in range(2400):
        job: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in ("completed", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


async def transcribe(
    client: httpx.AsyncClient, speech: bytes, settings: dict[str, Any]
) -> dict[str, Any]:
    body = await call_tool(
        client,
        "transcribe-audio",
        ("north-wind.wav", speech),
        settings,
        section="audio",
        expect=202,
    )
    return await finish(client, body)


async def test_transcription_in_three_formats(
    client: httpx.AsyncClient, workers: Runtime, speech: bytes
) -> None:
    job = await transcribe(client, speech, {"outputFormat": "srt"})
    assert job["status"] == "completed", job
    data = job["result"]["data"]
    assert wer(PARAGRAPH, data["text"]) <= 0.10, data["text"]
    assert data["language"] == "en" and data["model"] == "whisper tiny.en"
    assert 12 < data["duration"] < 20
    segments = data["segments"]
    assert segments[0]["start"] < 1.0 and segments[-1]["end"] <= data["duration"] + 0.5
    assert all(a["end"] <= b["start"] + 0.01 for a, b in itertools.pairwise(segments))
    srt = (await client.get(job["result"]["download_url"])).text
    assert srt.startswith("1\n00:00:0") and " --> " in srt and "cloak" in srt
    job = await transcribe(client, speech, {"outputFormat": "vtt", "language": "en"})
    vtt = (await client.get(job["result"]["download_url"])).text
    assert vtt.startswith("WEBVTT\n\n00:00:") and "traveler" in vtt
    job = await transcribe(client, speech, {"beamSize": 1})
    text = (await client.get(job["result"]["download_url"])).text
    assert wer(PARAGRAPH, text) <= 0.15, text


async def test_a_language_without_a_model_is_unavailable(
    client: httpx.AsyncClient, workers: Runtime, speech: bytes
) -> None:
    job = await transcribe(client, speech, {"language": "de"})
    assert job["status"] == "failed"
    assert "tool_unavailable" in str(job["error"]) and "multilingual" in str(job["error"])


@pytest.mark.parametrize(
    "options", [{"outputFormat": "doc"}, {"language": "klingon"}, {"beamSize": 0}]
)
async def test_bad_settings(
    client: httpx.AsyncClient, speech: bytes, options: dict[str, Any]
) -> None:
    body = await call_tool(
        client, "transcribe-audio", ("a.wav", speech), options, section="audio", expect=422
    )
    assert body["error"]["code"] == "validation_error"


async def test_not_audio(client: httpx.AsyncClient) -> None:
    body = await call_tool(
        client, "transcribe-audio", ("a.txt", b"hello"), section="audio", expect=422
    )
    assert body["error"]["code"] == "tool_input_type_not_supported"
