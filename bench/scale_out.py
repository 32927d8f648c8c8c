"""scale_out: the embedded mode against PostgreSQL + Redis (+ 1 or 2 worker processes).

Three configurations, each a real `satchel serve` on 127.0.0.1, measured in one run:
SQLite single node (`serve` with its default worker processes); PostgreSQL + Redis with
`serve --no-worker` and `satchel worker --processes 1`; the same with `--processes 2`.
For each: 16 KiB form uploads/s at concurrency 8, and photos-to-ready/s (corpus JPEGs
uploaded at concurrency 4, timed until none is pending or processing). Then
`GET /api/v1/assets?q=` p50/p99 over `--assets N` assets (default 1 000 000) inserted
straight into each engine by bench/list_seed.py (PostgreSQL by COPY). Servers come from
tests/servers.py (Debian's PostgreSQL and Redis, started on loopback).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

from bench import list_seed, photos_ready, small_uploads
from bench.client import Conn
from bench.common import percentile, report, work_dir
from bench.files import wav_bytes
from bench.list_seed import seed
from bench.load import drive
from bench.server import Satchel

UPLOADS = 600
PHOTOS = 200


def assets() -> int:
    """`python -m bench scale_out --assets N` (BENCH_ASSETS, set after this module is
    imported, so read when the run starts), else SCALE_ASSETS, else 1M."""
    return int(os.environ.get("BENCH_ASSETS") or os.environ.get("SCALE_ASSETS") or "1000000")


# SCALE_PARTS=search (or =throughput) runs one half alone.
PARTS = os.environ.get("SCALE_PARTS", "throughput,search").split(",")
QUERIES = 300
WORDS = list_seed.WORDS[:8]  # words the seeded file names and descriptions carry
GOAL_MS = 20.0
SECRET = "bench-scale-out-secret-0123456789abcdef0123456789"


@contextmanager
def services(work: Path) -> Iterator[dict[str, str]]:
    """PostgreSQL (a fresh database each time `database()` is called) and Redis."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.servers import postgres_server, redis_server

    with postgres_server() as pg, redis_server(work) as redis:
        yield {"pg": pg, "redis": redis}


def database(pg: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return f"{pg}/{name}"


def scale_env(url: str, redis: str) -> dict[str, str]:
    return {
        "SATCHEL_DATABASE_URL": url,
        "SATCHEL_QUEUE_URL": redis,
        "SATCHEL_SECRET_KEY": SECRET,
        "SATCHEL_WORKERS": "0",  # serve runs no workers: `satchel worker` does
    }


@contextmanager
def workers(env: dict[str, str], data_dir: Path, processes: int) -> Iterator[None]:
    script = Path(sys.executable).with_name("satchel")
    full = {**os.environ, **env, "SATCHEL_DATA_DIR": str(data_dir), "SATCHEL_LOG_LEVEL": "warning"}
    log = (data_dir.parent / f"{data_dir.name}-workers.log").open("wb")
    proc = subprocess.Popen(
        [str(script), "worker", "--processes", str(processes)],
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()


def measure(server: Satchel) -> tuple[float, float]:
    """(16 KiB uploads/s at c=8, photos-to-ready/s) against a started server."""
    contents = [wav_bytes(16 * 1024) for _ in range(UPLOADS)]
    up = drive(server.port, small_uploads._requests(contents, server.auth), concurrency=8)
    assert not up.failures, up.failures[:3]
    photos = photos_ready.readable_photos()
    chosen = [photos[i % len(photos)] for i in range(PHOTOS)]
    photos_ready.wait_ready(server)  # the WAVs first
    start = time.perf_counter()
    res = drive(server.port, photos_ready._requests(chosen, server.auth), concurrency=4)
    assert not res.failures, res.failures[:3]
    done = photos_ready.wait_ready(server)
    with server.conn() as conn:  # a failed job is not a photo made ready: no rate then
        failed = photos_ready._count(conn, server, "failed")
    assert not failed, "some assets failed to process (see the workers' log)"
    return up.rate, PHOTOS / (done - start)


def populate(url: str, count: int) -> float:
    """`count` assets of the admin, straight into the database (bench/list_seed.py, the
    list benchmark's realistic spread); seconds taken."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        owner = conn.execute(text("SELECT id FROM users WHERE role = 'admin'")).scalar()
    engine.dispose()
    assert owner is not None, "the server made no admin"
    print(f"  seeding {count} assets into {url.split(':', 1)[0]}", flush=True)
    seconds = seed(url, owner, count)
    print(f"  {count} assets seeded in {seconds:.0f} s", flush=True)
    return seconds


def search_p99(server: Satchel) -> tuple[float, float]:
    samples = []
    with Conn(server.port) as conn:
        for i in range(QUERIES + 20):
            target = "/api/v1/assets?" + urlencode({"q": WORDS[i % len(WORDS)][:4], "limit": 50})
            began = time.perf_counter()
            conn.request("GET", target, server.auth).check(200)
            if i >= 20:
                samples.append(time.perf_counter() - began)
    return percentile(samples, 50) * 1e3, percentile(samples, 99) * 1e3


def run() -> None:
    with work_dir("scale_out") as work, services(work) as svc:
        rates: dict[str, tuple[float, float]] = {}
        for processes in (0, 1, 2) if "throughput" in PARTS else ():
            if processes == 0:
                with Satchel(work / "sqlite") as server:
                    rates["sqlite"] = measure(server)
                continue
            url = database(svc["pg"], f"bench_w{processes}")
            env = scale_env(url, svc["redis"])
            with ExitStack() as stack:
                server = stack.enter_context(Satchel(work / f"pg{processes}", env))
                # The workers share the API node's data folder: on one machine it is the
                # shared blob store (a folder of its own gave them no bytes: every job
                # failed with FileNotFoundError and photos never reached `ready`).
                stack.enter_context(workers(env, server.data_dir, processes))
                rates[f"pg+redis {processes}w"] = measure(server)
        search: dict[str, tuple[float, float, float]] = {}
        if "search" in PARTS:
            _search_both(work, svc, search)
    _report(rates, search)


def _search_both(
    work: Path, svc: dict[str, str], search: dict[str, tuple[float, float, float]]
) -> None:
    with Satchel(work / "sqlite-list", {"SATCHEL_WORKERS": "0"}) as server:
        seconds = populate(f"sqlite:///{server.data_dir / 'satchel.db'}", assets())
        search["sqlite"] = (seconds, *search_p99(server))
    url = database(svc["pg"], "bench_list")
    with Satchel(work / "pg-list", scale_env(url, svc["redis"])) as server:
        seconds = populate(url, assets())
        search["postgresql"] = (seconds, *search_p99(server))


def _report(
    rates: dict[str, tuple[float, float]], search: dict[str, tuple[float, float, float]]
) -> None:
    parts = [f"{k}: {u:.0f} uploads/s, {p:.1f} photos-to-ready/s" for k, (u, p) in rates.items()]
    parts += [
        f"q= at {assets()} assets on {k} (inserted in {s:.0f} s): p50/p99 {p50:.1f}/{p99:.1f} ms"
        for k, (s, p50, p99) in search.items()
    ]
    base = rates.get("sqlite", (1.0, 1.0))
    ratio = (
        ", ".join(
            f"{k} ÷ sqlite: uploads {u / base[0]:.2f}, photos {p / base[1]:.2f}"
            for k, (u, p) in rates.items()
            if k != "sqlite"
        )
        or "-"
    )
    met = bool(search) and all(p99 < GOAL_MS for _, _, p99 in search.values())  # no search: not met
    report("scale_out", "; ".join(parts), ratio, f"q= p99 < {GOAL_MS:.0f} ms on each", met)
