"""photos_ready: corpus JPEGs uploaded until every one is `ready` vs a bare pyvips loop."""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from bench.client import Conn, multipart
from bench.common import BENCH_DIR, percentile, report, work_dir
from bench.load import Request, drive
from bench.server import Satchel

CORPUS = BENCH_DIR.parent.parent / "shared" / "corpus" / "images" / "exif-samples" / "jpg"
MIN_UPLOADS = 500
CONCURRENCY = 4
THUMB_PX = 320
POLL = 0.25  # seconds between two looks at the pending/processing counts
LIMIT = 900.0  # give up waiting for `ready` after this many seconds
ROUNDS = 2  # baselines: best of 2
GOAL = 0.8
PROCESS_ASSET = "assets.process"


def readable_photos() -> list[Path]:
    """The corpus JPEGs a bare libvips thumbnailer can read (the corrupt sample cannot)."""
    import pyvips

    found = []
    for path in sorted(CORPUS.rglob("*.jpg")):
        try:
            pyvips.Image.thumbnail(str(path), THUMB_PX).webpsave_buffer()
        except pyvips.Error:
            continue
        found.append(path)
    if not found:
        raise RuntimeError(f"no readable JPEG under {CORPUS}")
    return found


def _thumbnail(job: tuple[str, str]) -> None:
    """What a minimal thumbnailer does: shrink-on-load to 320 px, save as WebP."""
    import pyvips

    src, dst = job
    pyvips.Image.thumbnail(src, THUMB_PX).webpsave(dst)


def _ready(_: int) -> int:
    import pyvips  # noqa: F401  (imported before the clock starts)

    return 0


def bare_loop(photos: list[Path], out: Path, processes: int) -> float:
    """Seconds for `processes` processes to thumbnail every photo (one output file each)."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(str(p), str(out / f"{i}.webp")) for i, p in enumerate(photos)]
    if processes == 1:
        start = time.perf_counter()
        for job in jobs:
            _thumbnail(job)
        return time.perf_counter() - start
    # spawn: libvips' thread pool does not survive fork; started and warmed before timing.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.map(_ready, range(processes * 4), chunksize=1)
        start = time.perf_counter()
        pool.map(_thumbnail, jobs, chunksize=4)
        return time.perf_counter() - start


def processor_alone(photos: list[Path], out: Path) -> list[float]:
    """Seconds per photo for satchel's own image processor called in this process."""
    from satchel.processing.processors.base import ProcessLimits
    from satchel.processing.processors.image import process_image

    limits = ProcessLimits()
    samples = []
    for i, path in enumerate(photos):
        folder = out / str(i)
        folder.mkdir(parents=True)
        start = time.perf_counter()
        process_image(path, "image/jpeg", folder, limits, lambda _p, _m: None)
        samples.append(time.perf_counter() - start)
    return samples


def _requests(photos: list[Path], auth: dict[str, str]) -> list[Request]:
    """One multipart upload per photo, `dedupe=false`: a repeat is a new asset and job."""
    cache: dict[Path, bytes] = {}
    requests = []
    for i, path in enumerate(photos):
        if path not in cache:
            cache[path] = path.read_bytes()
        ctype, pre, post = multipart(f"{i:04d}-{path.name}", "image/jpeg", {"dedupe": "false"})
        body = pre + cache[path] + post
        requests.append(("POST", "/api/v1/assets", {**auth, "Content-Type": ctype}, body))
    return requests


def _count(conn: Conn, server: Satchel, status: str) -> int:
    """0 or 1: whether any asset has `status` (a one-row page is all it takes to know)."""
    resp = conn.request("GET", f"/api/v1/assets?status={status}&limit=1", server.auth).check(200)
    return len(resp.json()["data"])


def wait_ready(server: Satchel, limit: float = LIMIT) -> float:
    """Poll until no asset is pending or processing; returns the perf_counter it was seen."""
    deadline = time.monotonic() + limit
    with server.conn() as conn:
        while time.monotonic() < deadline:
            if not _count(conn, server, "pending") and not _count(conn, server, "processing"):
                return time.perf_counter()
            time.sleep(POLL)
    raise RuntimeError(f"assets still pending or processing after {limit:.0f} s")


def _pages(server: Satchel, path: str) -> Iterator[dict[str, Any]]:
    cursor = None
    with server.conn() as conn:
        while True:
            target = path + (f"&cursor={cursor}" if cursor else "")
            body = conn.request("GET", target, server.auth).check(200).json()
            yield from body["data"]
            cursor = body.get("meta", {}).get("next_cursor") or body.get("next_cursor")
            if not cursor:
                return


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class JobTimes:
    count: int
    statuses: dict[str, int]
    wait: list[float]  # created → started, seconds
    run: list[float]  # started → finished


def job_times(server: Satchel, skip_subjects: set[str]) -> JobTimes:
    waits, runs, statuses = [], [], {}
    for job in _pages(server, f"/api/v1/jobs?kind={PROCESS_ASSET}&limit=200"):
        if job["subject_id"] in skip_subjects:
            continue
        statuses[job["status"]] = statuses.get(job["status"], 0) + 1
        created, started, finished = (
            _when(job[k]) for k in ("created_at", "started_at", "finished_at")
        )
        if created is None or started is None or finished is None:
            continue
        waits.append((started - created).total_seconds())
        runs.append((finished - started).total_seconds())
    return JobTimes(sum(statuses.values()), statuses, waits, runs)


def _cpu(proc: psutil.Process) -> float:
    with contextlib.suppress(psutil.NoSuchProcess):
        return float(sum(proc.cpu_times()[:2]))
    return 0.0


def _warm_up(server: Satchel, photos: list[Path]) -> set[str]:
    """Two photos through to `ready`: the workers have loaded libvips before the clock starts."""
    subjects = set()
    with server.conn() as conn:
        for _, target, headers, body in _requests(photos[:2], server.auth):
            resp = conn.request("POST", target, headers, body).check(202)
            subjects.add(resp.json()["data"]["id"])
    wait_ready(server, 120.0)
    time.sleep(1.0)
    return subjects


def _failed(server: Satchel) -> list[str]:
    return [
        f"{a.get('filename')}: {a.get('failure_reason')}"
        for a in _pages(server, "/api/v1/assets?status=failed&limit=200")
    ]


def run() -> None:
    readable = readable_photos()
    repeats = math.ceil(MIN_UPLOADS / len(readable))
    photos = readable * repeats
    with work_dir("photos_ready") as work:
        one, two = [], []
        for r in range(ROUNDS):
            one.append(bare_loop(photos, work / f"bare1-{r}", 1))
            two.append(bare_loop(photos, work / f"bare2-{r}", 2))
        alone = processor_alone(readable, work / "processor")
        with Satchel(work / "data") as server:
            warm = _warm_up(server, readable)
            proc = server.process()
            workers = proc.children(recursive=True)
            requests = _requests(photos, server.auth)
            api_cpu0, workers_cpu0 = _cpu(proc), [_cpu(w) for w in workers]
            start = time.perf_counter()
            uploads = drive(server.port, requests, concurrency=CONCURRENCY, limit=LIMIT)
            uploaded = time.perf_counter()
            done = wait_ready(server)
            api_cpu = _cpu(proc) - api_cpu0
            workers_cpu = [_cpu(w) - c for w, c in zip(workers, workers_cpu0, strict=True)]
            times = job_times(server, warm)
            failed = _failed(server)
    if uploads.failures or uploads.done != len(photos):
        raise RuntimeError(f"{uploads.done}/{len(photos)} uploads; failures {uploads.failures}")
    wall = done - start
    rate = len(photos) / wall
    rate1, rate2 = len(photos) / min(one), len(photos) / min(two)
    ratio = rate / rate2
    job_s = sum(times.run)
    busy = job_s / (len(workers) * wall) if workers else 0.0
    on_cpu = sum(workers_cpu) / job_s if job_s else 0.0
    figures = (
        f"{len(photos)} uploads ({len(readable)} readable corpus JPEGs ×{repeats}, dedupe=false, "
        f"c={CONCURRENCY}) to all ready: API {rate:.1f} photos/s ({wall:.1f} s; uploads done at "
        f"{uploaded - start:.1f} s, {uploads.rate:.0f}/s, p50 "
        f"{percentile(uploads.latencies, 50) * 1e3:.0f} ms; {len(failed)} failed) vs bare "
        f"pyvips thumbnail {THUMB_PX}px+WebP: 2 processes {rate2:.1f} photos/s, 1 process "
        f"{rate1:.1f} photos/s (best of {ROUNDS}; API÷1 process {rate / rate1:.2f}); "
        f"jobs {times.statuses}: queue wait p50/p99 {percentile(times.wait, 50):.1f}/"
        f"{percentile(times.wait, 99):.1f} s, run mean/p50/p99 {job_s / len(times.run) * 1e3:.0f}/"
        f"{percentile(times.run, 50) * 1e3:.0f}/{percentile(times.run, 99) * 1e3:.0f} ms, "
        f"{len(workers)} workers busy {busy:.0%} of the wall time and on CPU {on_cpu:.0%} of "
        f"their job time; satchel's image processor alone (in this process: 1600px preview + "
        f"320px thumbnail + colours + LQIP) {sum(alone) / len(alone) * 1e3:.0f} ms/photo vs bare "
        f"{min(one) / len(photos) * 1e3:.0f} ms/photo; CPU cores: API {api_cpu / wall:.2f}, "
        f"workers {'+'.join(f'{c / wall:.2f}' for c in workers_cpu)}, client "
        f"{uploads.cpu / wall:.2f}"
    )
    if failed:
        print("failed:", failed[:5])
    met = ratio >= GOAL and not failed
    report("photos_ready", figures, f"{ratio:.2f} (÷2 processes)", f"ratio ≥ {GOAL}", met)
