"""av_peers: video and audio tools against the ffmpeg command doing the same work.

(a) `convert-video` of a generated 1080p 20 s H.264/AAC clip to 720p H.264 (CRF 23,
preset veryfast, AAC 160 kbit/s, faststart) through the tool API: upload, queued run,
download; against the `ffmpeg` binary of the imageio-ffmpeg wheel with the same filter
and encoder settings.
(b) `normalize-audio` of a 5-minute MP3 to -16 LUFS: Satchel's two passes (ebur128
measure, then gain + limiter, LAME 192 kbit/s) against the same two ffmpeg commands.

Ratio: ffmpeg's wall time ÷ Satchel's (1.0: as fast as ffmpeg). Each is the best of
REPEATS runs, taken alternately so machine noise hits both.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx

from bench.common import report, work_dir
from bench.server import Satchel

REPEATS = 3
GOAL = 0.9


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _make_inputs(work: Path) -> tuple[Path, Path]:
    ffmpeg = _ffmpeg()
    clip, track = work / "clip-1080p.mp4", work / "track-5min.mp3"
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", "-ac", "2", str(clip)],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.05:sample_rate=44100",
         "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100",
         "-filter_complex", "[0][1]amix=inputs=2,volume=-12dB,aformat=channel_layouts=stereo",
         "-t", "300", "-c:a", "libmp3lame", "-b:a", "192k", str(track)],
        check=True,
    )  # fmt: skip
    return clip, track


def _peer_video(src: Path, dst: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
         "-vf", "scale=-2:720:flags=bicubic", "-c:v", "libx264", "-crf", "23",
         "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k",
         "-movflags", "+faststart", str(dst)],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - t0


def _peer_audio(src: Path, dst: Path) -> float:
    t0 = time.perf_counter()
    measured = subprocess.run(
        [
            _ffmpeg(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(src),
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    found = re.findall(r"I:\s+(-?[\d.]+) LUFS", measured)
    gain = -16.0 - float(found[-1])
    subprocess.run(
        [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
         "-af", f"volume={gain:.3f}dB,alimiter=limit=0.89:level=0:attack=5:release=50",
         "-c:a", "libmp3lame", "-b:a", "192k", str(dst)],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - t0


def _tool(server: Satchel, section: str, tool: str, src: Path, settings: str, dst: Path) -> float:
    base = f"http://127.0.0.1:{server.port}"
    with httpx.Client(base_url=base, headers=server.auth, timeout=600) as http:
        t0 = time.perf_counter()
        with src.open("rb") as fh:
            answer = http.post(
                f"/api/v1/tools/{section}/{tool}",
                files={"file": (src.name, fh)},
                data={"settings": settings},
            )
        answer.raise_for_status()
        job_id = answer.json()["data"]["job_id"]
        while True:
            job = http.get(f"/api/v1/jobs/{job_id}").json()["data"]
            if job["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.05)
        if job["status"] != "completed":
            raise RuntimeError(f"{tool} failed: {job['error']}")
        with http.stream("GET", job["result"]["download_url"]) as resp, dst.open("wb") as out:
            for chunk in resp.iter_bytes(1 << 20):
                out.write(chunk)
        return time.perf_counter() - t0


def run() -> None:
    with work_dir("av_peers") as work:
        clip, track = _make_inputs(work)
        with Satchel(work / "data") as server:
            video = {"satchel": [], "ffmpeg": []}  # type: dict[str, list[float]]
            audio = {"satchel": [], "ffmpeg": []}  # type: dict[str, list[float]]
            for i in range(REPEATS):
                video["ffmpeg"].append(_peer_video(clip, work / f"peer-{i}.mp4"))
                video["satchel"].append(
                    _tool(server, "video", "convert-video", clip,
                          '{"format":"mp4","height":720}', work / f"satchel-{i}.mp4")
                )  # fmt: skip
                audio["ffmpeg"].append(_peer_audio(track, work / f"peer-{i}.mp3"))
                audio["satchel"].append(
                    _tool(server, "audio", "normalize-audio", track, "{}", work / f"sat-{i}.mp3")
                )
        for name, times, what in (
            ("av_peers convert-video", video, "1080p 20 s H.264/AAC → 720p H.264 CRF 23 veryfast"),
            ("av_peers normalize-audio", audio, "5 min MP3 → -16 LUFS, LAME 192k (two passes)"),
        ):
            ours, peer = min(times["satchel"]), min(times["ffmpeg"])
            ratio = peer / ours
            figures = (
                f"{what}: satchel tool API (upload, queued run, download) best {ours:.2f} s "
                f"of {REPEATS} ({', '.join(f'{t:.2f}' for t in times['satchel'])}); "
                f"ffmpeg 9 CLI (imageio-ffmpeg) best {peer:.2f} s "
                f"({', '.join(f'{t:.2f}' for t in times['ffmpeg'])})"
            )
            report(name, figures, f"{ratio:.2f}", f"≥ {GOAL} of ffmpeg", ratio >= GOAL)
