"""A pipeline of three video tools, and a batch of three audio files, give what the tools
give one by one."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import numpy as np

from satchel.runtime import Runtime
from tests.tools.avmedia import finish, frames, loudness, make_tone, probe, run_av

STEPS = [
    {"toolId": "trim-video", "settings": {"startS": 0.4, "endS": 1.6, "precise": True}},
    {"toolId": "resize-video", "settings": {"width": 160}},
    {"toolId": "convert-video", "settings": {"format": "webm"}},
]


async def test_trim_resize_webm_pipeline_matches_the_tools_by_hand(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    src = clips["h264.mp4"]
    response = await client.post(
        "/api/v1/pipeline/execute",
        files={"file": (src.name, src.read_bytes())},
        data={"pipeline": json.dumps({"steps": STEPS})},
    )
    assert response.status_code == 202, response.text
    job = await finish(client, response.json()["data"]["job_id"])
    assert job["status"] == "completed", job
    piped = tmp_path / "piped.webm"
    piped.write_bytes((await client.get(job["result"]["download_url"])).content)

    current = src
    for i, step in enumerate(STEPS):
        _, current = await run_av(
            client, step["toolId"], current, step["settings"], into=tmp_path / str(i)
        )
    a, b = probe(piped), probe(current)
    assert a.size == b.size == (160, 120)
    assert a.video[0]["codec"] == b.video[0]["codec"] == "vp9"
    assert abs(a.duration - b.duration) < 0.01 and abs(a.duration - 1.2) < 0.1
    fa, fb = frames(piped), frames(current)
    assert len(fa) == len(fb) == 30
    assert (
        max(
            np.abs(x.astype(int) - y.astype(int)).mean()
            for (_, x), (_, y) in zip(fa, fb, strict=True)
        )
        < 1.0
    )


async def test_batch_of_three_audio_files_matches_single_runs(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    sounds = [
        make_tone(tmp_path / "a.wav", pieces=[(2.0, 0.02, 440)]),
        make_tone(tmp_path / "b.flac", codec="flac", pieces=[(1.5, 0.3, 330)]),
        make_tone(tmp_path / "c.mp3", codec="libmp3lame", pieces=[(2.5, 0.1, 550)]),
    ]
    response = await client.post(
        "/api/v1/tools/audio/normalize-audio/batch",
        files=[("files", (p.name, p.read_bytes())) for p in sounds],
        data={"settings": "{}"},
        timeout=300,
    )
    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    results = json.loads(archive.read("manifest.json"))["results"]
    assert [r["status"] for r in results] == ["completed"] * 3, results
    for sound in sounds:
        name = next(n for n in archive.namelist() if n.startswith(sound.stem + "-normalized"))
        batched = tmp_path / "batch" / name
        batched.parent.mkdir(exist_ok=True)
        batched.write_bytes(archive.read(name))
        _, single = await run_av(
            client, "normalize-audio", sound, section="audio", into=tmp_path / sound.stem
        )
        assert abs(loudness(batched) - loudness(single)) < 0.05
        assert abs(loudness(batched) - -16) <= 1.0
        assert abs(probe(batched).duration - probe(single).duration) < 0.01
