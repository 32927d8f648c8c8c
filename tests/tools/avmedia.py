"""Video and audio for the av tool tests: generated with PyAV in many codecs and
containers, probed and measured (duration, streams, loudness, RMS) the way a user would
check a result; and a helper that runs a slow tool through the API to its result."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
from av.filter import Graph

from tests.tools.helpers import FileArg, call_tool

AUDIO_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "audio"


def make_video(
    path: Path,
    *,
    codec: str = "libx264",
    fmt: str | None = None,
    size: tuple[int, int] = (320, 240),
    fps: int = 25,
    seconds: float = 2.0,
    audio: str | None = "aac",
    audio_tracks: int = 1,
    pix_fmt: str = "yuv420p",
    tone: float = 440.0,
    subtitles: bool = False,
) -> Path:
    """A clip whose frame n shows a bar n/N of the width wide (so cuts can be checked by
    looking), with a sine tone; frame rate, size and codecs as asked."""
    width, height = size
    frames = int(fps * seconds)
    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        if codec in ("libx264", "libx265"):
            video.options = {"preset": "ultrafast"}
            if codec == "libx265":
                video.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        if codec in ("libvpx-vp9", "libvpx"):
            video.options = {"deadline": "realtime", "cpu-used": "8"}
        if codec == "libsvtav1":
            video.options = {"preset": "12"}
        sounds = []
        for _ in range(audio_tracks if audio else 0):
            rate = 48000 if audio in ("libopus", "aac") else 44100
            stream = out.add_stream(audio, rate=rate)
            stream.layout = "stereo"
            sounds.append(stream)
        for n in range(frames):
            image = np.full((height, width, 3), 16, np.uint8)
            image[:, : max(1, (n + 1) * width // frames)] = (230, 60, 40)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = n
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for stream in sounds:
            rate = stream.codec_context.sample_rate
            total = int(rate * seconds)
            t = np.arange(total) / rate
            wave = (0.25 * np.sin(2 * np.pi * tone * t)).astype(np.float32)
            for start in range(0, total, 4096):
                chunk = np.ascontiguousarray(np.stack([wave[start : start + 4096]] * 2))
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = rate, start
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
    return path


def make_tone(
    path: Path,
    *,
    codec: str = "pcm_s16le",
    fmt: str | None = None,
    rate: int = 44100,
    layout: str = "stereo",
    pieces: list[tuple[float, float, float]] | None = None,
) -> Path:
    """Sound made of (seconds, amplitude, frequency) pieces; amplitude 0 is silence."""
    pieces = pieces or [(2.0, 0.25, 440.0)]
    wave = np.concatenate(
        [a * np.sin(2 * np.pi * f * np.arange(int(rate * s)) / rate) for s, a, f in pieces]
    ).astype(np.float32)
    channels = 1 if layout == "mono" else 2
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = layout
        graph = None
        for start in range(0, wave.size, 4096):
            chunk = np.ascontiguousarray(np.stack([wave[start : start + 4096]] * channels))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate, frame.pts = rate, start
            if graph is None:
                graph = Graph()
                src = graph.add_abuffer(
                    template=None, sample_rate=rate, format="fltp", layout=layout
                )
                fmt_name = stream.codec_context.codec.audio_formats[0].name
                node = graph.add("aformat", f"sample_fmts={fmt_name}")
                src.link_to(node)
                node.link_to(graph.add("abuffersink"))
                graph.configure()
            graph.push(frame)
            while True:
                try:
                    out.mux(stream.encode(graph.pull()))
                except (av.BlockingIOError, av.EOFError):
                    break
        out.mux(stream.encode(None))
    return path


@dataclass
class Probed:
    duration: float
    format: str
    video: list[dict[str, Any]] = field(default_factory=list)
    audio: list[dict[str, Any]] = field(default_factory=list)
    subtitles: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        return self.video[0]["width"], self.video[0]["height"]


def probe(path: Path) -> Probed:
    with av.open(str(path)) as c:
        found = Probed(
            c.duration / 1e6 if c.duration else 0.0, c.format.name, tags=dict(c.metadata)
        )
        for s in c.streams:
            row: dict[str, Any] = {"codec": s.codec_context.name, "tags": dict(s.metadata)}
            if s.type == "video":
                row |= {"width": s.codec_context.width, "height": s.codec_context.height}
                row["fps"] = float(s.average_rate or 0)
                found.video.append(row)
            elif s.type == "audio":
                row |= {"rate": s.codec_context.sample_rate, "channels": s.codec_context.channels}
                found.audio.append(row)
            elif s.type == "subtitle":
                found.subtitles.append(row)
    return found


def frames(path: Path) -> list[tuple[float, np.ndarray[Any, Any]]]:
    """Every video frame: (time, RGB pixels)."""
    with av.open(str(path)) as c:
        return [(float(f.time), f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]


def samples(path: Path, rate: int = 16000) -> np.ndarray[Any, Any]:
    """The first sound stream as mono float samples at `rate`."""
    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks = [
            out.to_ndarray().reshape(-1)
            for frame in c.decode(audio=0)
            for out in resampler.resample(frame)
        ]
        chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


def rms(path: Path, start: float = 0.0, end: float | None = None, rate: int = 16000) -> float:
    data = samples(path, rate)[int(start * rate) : None if end is None else int(end * rate)]
    return float(np.sqrt(np.mean(data.astype(np.float64) ** 2))) if data.size else 0.0


def loudness(path: Path) -> float:
    """Integrated loudness (LUFS, EBU R128) by FFmpeg's ebur128 filter."""
    value = -70.0
    with av.open(str(path)) as c:
        graph = None
        for frame in c.decode(audio=0):
            if graph is None:
                graph = Graph()
                src = graph.add_abuffer(template=c.streams.audio[0])
                node = graph.add("ebur128", "metadata=1")
                src.link_to(node)
                node.link_to(graph.add("abuffersink"))
                graph.configure()
            graph.push(frame)
            while True:
                try:
                    value = float(graph.pull().metadata["lavfi.r128.I"])
                except (av.BlockingIOError, av.EOFError):
                    break
    return value


async def run_av(
    client: httpx.AsyncClient,
    tool: str,
    files: list[FileArg] | FileArg,
    settings: dict[str, Any] | None = None,
    *,
    section: str = "video",
    into: Path,
    **kwargs: Any,
) -> tuple[dict[str, Any], Path]:
    """Run a slow tool (202) to its end; returns the finished job and its result file."""
    job = await start_av(client, tool, files, settings, section=section, **kwargs)
    job = await finish(client, job["job_id"])
    assert job["status"] == "completed", json.dumps(job)[:2000]
    result = job["result"]
    response = await client.get(result["download_url"])
    assert response.status_code == 200, response.text
    name = result["download_url"].rsplit("/", 1)[-1]
    path = into / name
    await asyncio.to_thread(_save, path, response.content)
    return job, path


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def start_av(
    client: httpx.AsyncClient,
    tool: str,
    files: list[FileArg] | FileArg,
    settings: dict[str, Any] | None = None,
    *,
    section: str = "video",
    **kwargs: Any,
) -> dict[str, Any]:
    body = await call_tool(client, tool, files, settings, section=section, expect=202, **kwargs)
    assert body["data"]["async"] is True
    data: dict[str, Any] = body["data"]
    return data


async def finish(client: httpx.AsyncClient, job_id: str, within: float = 120.0) -> dict[str, Any]:
    job: dict[str, Any] = {}
    for _ in range(int(within / 0.05)):
        job = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"{job_id} did not finish: {job}")


async def fails_with(
    client: httpx.AsyncClient,
    tool: str,
    files: list[FileArg] | FileArg,
    settings: dict[str, Any] | None = None,
    *,
    section: str = "video",
    **kwargs: Any,
) -> str:
    """Run a slow tool expected to fail; returns the error code of the failed job."""
    job = await start_av(client, tool, files, settings, section=section, **kwargs)
    done = await finish(client, job["job_id"])
    assert done["status"] == "failed", done
    error = done["error"]
    return str(error["code"] if isinstance(error, dict) else error.split(":", 1)[0])
