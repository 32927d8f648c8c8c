"""Hostile media against the video tools: a 100,000×100,000 declaration, a 10-hour
claim, an MP4 whose moov is missing, an MKV with 10,000 tracks. Each is refused at upload
or fails with a stable code, within its limits; the API stays healthy. And a slow run
can be cancelled: it stops, reports cancelled, and leaves no partial output."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import av
import httpx
import numpy as np
import pytest

from satchel.runtime import Runtime
from tests.tools.avmedia import finish, make_video, start_av

REFUSED = {
    "tool_input_too_large",
    "tool_media_too_long",
    "tool_input_corrupt",
    "tool_failed",
    "tool_stream_missing",
}


def huge_avi(root: Path) -> Path:
    """Raw video whose AVI headers declare 100,000×100,000 frames."""
    path = root / "raw.avi"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("rawvideo", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "gray"
        for i in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64), np.uint8), format="gray")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    data = bytearray(path.read_bytes())
    struct.pack_into("<II", data, data.find(b"avih") + 8 + 32, 100_000, 100_000)
    struct.pack_into("<ii", data, data.find(b"strf") + 8 + 4, 100_000, 100_000)
    huge = root / "huge.avi"
    huge.write_bytes(data)
    return huge


def ten_hours_mkv(root: Path) -> Path:
    """A 0.4 s clip whose Matroska segment says it lasts 10 hours."""
    data = bytearray(make_video(root / "short.mkv", seconds=0.4).read_bytes())
    at = data.find(b"\x44\x89\x88")  # Duration, an 8-byte float in milliseconds
    struct.pack_into(">d", data, at + 3, 36_000_000.0)
    path = root / "long.mkv"
    path.write_bytes(data)
    return path


def no_moov_mp4(root: Path) -> Path:
    data = make_video(root / "whole.mp4", seconds=1.0).read_bytes()
    path = root / "nomoov.mp4"
    path.write_bytes(data[: data.find(b"moov") - 4])
    return path


def _ebml(element: int, payload: bytes) -> bytes:
    head = element.to_bytes((element.bit_length() + 7) // 8, "big")
    return head + (0x01 << 56 | len(payload)).to_bytes(8, "big") + payload


def many_tracks_mkv(root: Path, tracks: int = 10_000) -> Path:
    """A hand-built Matroska file with `tracks` subtitle tracks (PyAV cannot write one)."""
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"matroska") + _ebml(0x4287, b"\x04"))
    entries = b"".join(
        _ebml(
            0xAE,
            _ebml(0xD7, n.to_bytes(2, "big")) + _ebml(0x83, b"\x11") + _ebml(0x86, b"S_TEXT/UTF8"),
        )
        for n in range(1, tracks + 1)
    )
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big")))
    block = b"\x81\x00\x00\x80hello"  # track 1, time 0, keyframe
    cluster = _ebml(0x1F43B675, _ebml(0xE7, b"\x00") + _ebml(0xA3, block))
    path = root / "many.mkv"
    path.write_bytes(header + _ebml(0x18538067, info + _ebml(0x1654AE6B, entries) + cluster))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    return {
        "huge": huge_avi(root),
        "long": ten_hours_mkv(root),
        "nomoov": no_moov_mp4(root),
        "many": many_tracks_mkv(root),
    }


@pytest.mark.parametrize("name", ["huge", "long", "nomoov", "many"])
async def test_hostile_media_is_refused_or_fails_cleanly(
    client: httpx.AsyncClient, workers: Runtime, hostile: dict[str, Path], name: str
) -> None:
    path = hostile[name]
    response = await client.post(
        "/api/v1/tools/video/convert-video",
        files=[("file", (path.name, path.read_bytes()))],
        data={"settings": "{}"},
    )
    if response.status_code == 202:
        job = await finish(client, response.json()["data"]["job_id"], within=60)
        assert job["status"] == "failed", job
        code = job["error"].split(":", 1)[0]
        assert code in REFUSED, job
        if name == "long":
            assert code == "tool_media_too_long"
    else:  # the upload's own checks refused it
        assert response.status_code in (413, 415, 422), response.text
    assert (await client.get("/api/v1/health")).status_code == 200


async def test_cancel_stops_the_run_and_removes_its_output(
    client: httpx.AsyncClient, workers: Runtime, runtime: Runtime, tmp_path: Path
) -> None:
    # long enough that the cancel lands mid-run even on a loaded machine
    src = make_video(tmp_path / "long.mp4", size=(640, 480), seconds=40.0, audio=None)
    job = await start_av(client, "convert-video", src, {"format": "webm", "quality": "high"})
    job_id = job["job_id"]
    for _ in range(600):  # until it reports real progress
        state = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if state["status"] == "running" and state["progress"] > 0:
            break
        await asyncio.sleep(0.05)
    assert state["status"] == "running", state
    assert (await client.post(f"/api/v1/jobs/{job_id}/cancel")).status_code == 200
    done = await finish(client, job_id, within=10)
    assert done["status"] == "cancelled", done
    out = runtime.settings.data_dir / "workspace" / job_id / "out"
    assert not out.exists() or not any(out.iterdir())
    assert (await client.get("/api/v1/health")).status_code == 200
