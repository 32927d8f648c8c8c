"""download: `GET /content` of a 1 GiB asset vs reading its blob file (both warm cache)."""

from __future__ import annotations

import time
from pathlib import Path

from bench.api import blob_path, upload_put
from bench.common import GiB, MiB, Stopwatch, mib_s, report, work_dir
from bench.files import write_wav
from bench.server import Satchel, Sink

SIZE = GiB
ROUNDS = 2
GOAL = 0.9


def read_file(path: Path) -> float:
    """Seconds to read `path` through once into a reused 1 MiB buffer."""
    buf = bytearray(MiB)
    start = time.perf_counter()
    with path.open("rb", buffering=0) as fh:
        while fh.readinto(buf):
            pass
    return time.perf_counter() - start


def run() -> None:
    with work_dir("download") as work:
        src = write_wav(work / "download.wav", SIZE)
        with Satchel(work / "data") as server:
            up = upload_put(server, src, "download.wav", "audio/wav")
            src.unlink()
            blob = blob_path(server, up.sha256)
            size = blob.stat().st_size
            read_file(blob)  # warm the page cache for both sides
            ceilings = []
            with Sink(serve_file=blob) as sink:
                for _ in range(ROUNDS):
                    with sink.conn() as conn, Stopwatch() as sw:
                        conn.request("GET", "/file", discard=True).check(200)
                    ceilings.append(sw)
            ceiling = min(ceilings, key=lambda s: s.wall)
            proc = server.process()
            target = f"/api/v1/assets/{up.asset_id}/content"
            baselines: list[float] = []
            apis: list[tuple[float, float, float]] = []
            with server.conn() as conn:
                for _ in range(ROUNDS):
                    baselines.append(read_file(blob))
                    cpu0 = sum(proc.cpu_times()[:2])
                    with Stopwatch() as sw:
                        resp = conn.request("GET", target, server.auth, discard=True).check(200)
                    if resp.received != size:
                        raise RuntimeError(f"received {resp.received} of {size} bytes")
                    server_cpu = (sum(proc.cpu_times()[:2]) - cpu0) / sw.wall
                    apis.append((sw.wall, server_cpu, sw.cpu_share))
    wall, server_cpu, client_cpu = min(apis)
    api, base = mib_s(size, wall), mib_s(size, min(baselines))
    ratio = api / base
    figures = (
        f"1 GiB, warm cache: API {api:.0f} MiB/s (server CPU {server_cpu:.2f} cores, client CPU "
        f"{client_cpu:.2f}) vs reading the blob file {base:.0f} MiB/s (best of {ROUNDS}); "
        f"client ceiling (sendfile over loopback) {mib_s(size, ceiling.wall):.0f} MiB/s at "
        f"{ceiling.cpu_share:.2f} client CPU; API÷ceiling {api / mib_s(size, ceiling.wall):.2f}"
    )
    report("download", figures, f"{ratio:.2f}", f"ratio ≥ {GOAL}", ratio >= GOAL)
