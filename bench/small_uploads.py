"""small_uploads: 16 KiB form uploads per second at concurrency 8 vs durable small writes."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.client import multipart
from bench.common import fsync_dir, percentile, report, work_dir
from bench.files import wav_bytes
from bench.load import Request, drive
from bench.server import Satchel, Sink

COUNT = 2000
WARMUP = 40
CONCURRENCY = 8
SIZE = 16 * 1024
GOAL = 500.0


def durable_writes(contents: list[bytes], folder: Path) -> float:
    """Seconds to write each file with write + fsync + rename + folder fsync, 8 threads."""
    tmp, dest = folder / "tmp", folder / "dest"
    tmp.mkdir(parents=True)
    dest.mkdir(parents=True)

    def write_one(index: int) -> None:
        path = tmp / f"{index}.tmp"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(contents[index])
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(path, dest / f"{index}.wav")
        fsync_dir(dest)

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(write_one, range(len(contents))))
    return time.perf_counter() - start


def _requests(contents: list[bytes], auth: dict[str, str]) -> list[Request]:
    ctype, pre, post = multipart("small.wav", "audio/wav")
    headers = {**auth, "Content-Type": ctype}
    return [("POST", "/api/v1/assets", headers, pre + c + post) for c in contents]


def run() -> None:
    contents = [wav_bytes(SIZE) for _ in range(COUNT)]
    warmup = [wav_bytes(SIZE) for _ in range(WARMUP)]
    with work_dir("small_uploads") as work:
        base = COUNT / durable_writes(contents, work / "baseline")
        with Sink() as sink:
            ceiling = drive(sink.port, _requests(contents, {}), concurrency=CONCURRENCY)
        with Satchel(work / "data") as server:
            drive(server.port, _requests(warmup, server.auth), concurrency=CONCURRENCY)
            health = [("GET", "/api/v1/health", {}, b"")] * COUNT
            floor = drive(server.port, health, concurrency=CONCURRENCY)
            proc = server.process()
            cpu0 = sum(proc.cpu_times()[:2])
            api = drive(server.port, _requests(contents, server.auth), concurrency=CONCURRENCY)
            server_cpu = (sum(proc.cpu_times()[:2]) - cpu0) / api.elapsed
    lat = api.latencies
    figures = (
        f"{api.done}×16 KiB form uploads at c={CONCURRENCY}: API {api.rate:.0f}/s "
        f"(p50 {percentile(lat, 50) * 1e3:.1f} ms, p99 {percentile(lat, 99) * 1e3:.1f} ms, "
        f"server CPU {server_cpu:.2f} cores, {len(api.failures)} failed) vs "
        f"write+fsync+rename+dir fsync {base:.0f}/s; GET /health at c={CONCURRENCY} "
        f"{floor.rate:.0f}/s; client ceiling {ceiling.rate:.0f}/s at "
        f"{ceiling.cpu / ceiling.elapsed:.2f} client CPU (API run: {api.cpu / api.elapsed:.2f})"
    )
    if api.failures:
        print("failures:", api.failures[:5])
    met = api.rate >= GOAL and not api.failures and api.done == COUNT
    report("small_uploads", figures, f"{api.rate / base:.2f}", f"≥ {GOAL:.0f}/s", met)
