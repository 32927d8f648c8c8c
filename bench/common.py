"""Shared pieces: the work folder, machine facts, figures and the RESULTS.md table."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
WORK_ROOT = BENCH_DIR / ".work"
RESULTS = BENCH_DIR / "RESULTS.md"
MiB = 1 << 20
GiB = 1 << 30

_COLUMNS = ("date", "host", "cpu", "benchmark", "figures", "ratio", "goal", "met")


@contextmanager
def work_dir(name: str) -> Iterator[Path]:
    """A fresh folder under `bench/.work/`, removed afterwards whatever happens."""
    path = WORK_ROOT / f"{name}-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if WORK_ROOT.is_dir() and not any(WORK_ROOT.iterdir()):
            WORK_ROOT.rmdir()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ×{os.cpu_count()}"
    except OSError:
        pass
    return f"{platform.processor() or 'unknown'} ×{os.cpu_count()}"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def mib_s(nbytes: int, seconds: float) -> float:
    return nbytes / MiB / seconds if seconds > 0 else float("inf")


class Stopwatch:
    """Wall time plus this process's CPU time, to show whether the client was busy."""

    def __enter__(self) -> Stopwatch:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0

    @property
    def cpu_share(self) -> float:
        """Client CPU seconds per wall second (1.0 = one core fully busy)."""
        return self.cpu / self.wall if self.wall else 0.0


def report(name: str, figures: str, ratio: str, goal: str, met: bool) -> None:
    """Print the benchmark's line and append its row to RESULTS.md."""
    print(f"[{name}] {figures} | ratio {ratio} | goal {goal} | {'MET' if met else 'NOT MET'}")
    row = (
        datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        platform.node(),
        cpu_model(),
        name,
        figures,
        ratio,
        goal,
        "yes" if met else "no",
    )
    if not RESULTS.exists():
        RESULTS.write_text(_HEADER)
    with RESULTS.open("a") as fh:
        fh.write("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |\n")


_HEADER = f"""# Benchmark results

Appended by `make bench` (`uv run python -m bench`, every benchmark in turn) or
`uv run python -m bench NAME` (one of: upload_put, small_uploads, download, list, upload_rss,
photos_ready).
Each benchmark starts a real `satchel serve` on 127.0.0.1 over a temporary data folder in
`bench/.work/` (removed afterwards) and measures its baseline in the same run on the same disk,
so the ratio matters more than the absolute figures (these machines are shared and noisy).

The client is a minimal HTTP/1.1 client on raw sockets (`bench/client.py`: `sendfile` for
large bodies, `recv_into` a reused buffer for large responses, uvloop streams for small
requests). Every benchmark also drives the same requests against `bench/sink.py`, a server
that does nothing, and prints that as `client ceiling`, plus the client's CPU use: when the
ceiling is far above the figure, the client is not the bottleneck.

- **upload_put** — 1 GiB WAV sent as a two-step upload (announce JSON, one signed `PUT`,
  `POST …/complete`), timed end to end. Baseline: `sha256` + copy of the same bytes to the same
  disk with `fsync`, in one process. Best of 2 each, interleaved. Goal: ratio ≥ 0.8.
- **small_uploads** — 2000 distinct 16 KiB WAV files as multipart form uploads at concurrency 8
  (8 keep-alive connections), after 40 warm-up uploads. Baseline: the same 2000 files written
  with write + fsync + rename + folder fsync by 8 threads of one process on the same disk (the
  disk's durable-write ceiling). Goal: ≥ 500 uploads/s.
- **download** — `GET /api/v1/assets/{{id}}/content` of a 1 GiB WAV vs reading its blob file
  (both from a warm page cache: the blob is read once before either is timed). Best of 2 each,
  interleaved. Goal: ratio ≥ 0.9. A warm read is a memory copy, far above what loopback TCP
  carries, so the line also gives the API against `sendfile` of the same file (the ceiling).
- **list** — one owner's assets (100 000 by default; `python -m bench list --assets 1000000`
  for a million; `BENCH_LIST_ENGINES=sqlite` or `=postgresql` for one engine) seeded straight
  into the database by `bench/list_seed.py` (a realistic spread: kinds, Zipf-like words,
  0-3 tags, ~170 folders, 5 % favourites, 3 % archived, 2 % trashed, 2 % duplicates, photos
  with cameras, capture times over five years, GPS around five cities, sizes, orientations;
  secondary indexes dropped and rebuilt around `executemany` on SQLite, COPY on PostgreSQL),
  then p50/p99 over 500 sequential requests (after 20 warm-up ones, at most ~15 s each) of
  `GET /api/v1/assets` for each filter (first page, deep cursor at 90 %, folder, folder +
  recursive large and small, favourite, archived, kind, taken range, camera model and make,
  near, bbox, orientation, min_width, `q=` common and rare word, `tag=`, `sort=taken_at`,
  `sort=size`) and `GET /api/v1/assets/facets`, as a plain user (their own files), on SQLite
  and on PostgreSQL (Debian's, started by tests/servers.py). Baseline: the exact SQL the API
  ran (captured by building the same app in-process over the same database, calling it once
  and recording SQLAlchemy's statements) run on the engine's own driver (sqlite3, psycopg),
  so the ratio (API p99 ÷ SQL p99) is the API's overhead; the query plans are printed. Goal:
  every API p99 < 20 ms.
- **upload_rss** — the server's peak RSS (psutil, the process and its children, every 50 ms)
  while a 5 GiB ZIP64 store-only archive (a format the sniffer checks by its central directory
  only; WAV cannot exceed 4 GiB) is uploaded by a single PUT and then by a multipart form.
  Baseline: the server's idle RSS just before (after one small upload of each kind). The
  line also gives the `satchel serve` process alone, without its job-worker children.
  Goal: peak < 150 MiB.
- **photos_ready** — upload-to-ready throughput for real photos: the corpus JPEGs that libvips
  reads (`../shared/corpus/images/exif-samples/jpg/`, 86 of 87: `corrupted.jpg` is left out)
  repeated to at least 500 uploads, sent as multipart form uploads with `dedupe=false` (a
  repeat is a new asset and a new processing job over the same blob) at concurrency 4 to a
  `satchel serve` with its 2 job-worker processes (after 2 warm-up photos went through), timed
  from the first upload until no asset is `pending` or `processing` (two `limit=1` listings
  every 250 ms). Baseline: a bare pyvips loop over the same list, `Image.thumbnail(path, 320)`
  + `webpsave` with its defaults, in 2 processes (the ratio: this machine has 2 cores and the
  server uses 2 workers, so a 1-process baseline would flatter Satchel by up to 2×) and in 1
  process (also given); best of 2 each. The line also gives the job records' queue wait
  (created → started) and run time (started → finished), how much of their job time the
  workers spent on CPU, the API's and the workers' CPU, and satchel's image processor called
  directly in the benchmark process (what a job does apart from the database, the blob store
  and the queue). One Satchel run (about 30 s). Goal: ratio ≥ 0.8.

| {" | ".join(_COLUMNS)} |
| {" | ".join("---" for _ in _COLUMNS)} |
"""
