"""upload_put: a 1 GiB two-step upload (announce, PUT, complete) vs sha256 + copy + fsync."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from bench.api import Uploaded, delete, upload_put
from bench.common import GiB, MiB, Stopwatch, mib_s, report, work_dir
from bench.files import write_wav
from bench.server import Satchel, Sink

SIZE = GiB
ROUNDS = 2
GOAL = 0.8


def sha256_copy(src: Path, dst: Path) -> float:
    """Seconds to hash `src` while copying it to `dst` and fsync it, in one process."""
    digest = hashlib.sha256()
    buf = bytearray(MiB)
    view = memoryview(buf)
    start = time.perf_counter()
    with src.open("rb", buffering=0) as fin, dst.open("wb", buffering=0) as fout:
        while n := fin.readinto(buf):
            digest.update(view[:n])
            written = 0
            while written < n:
                written += fout.write(view[written:n]) or 0
        os.fsync(fout.fileno())
    elapsed = time.perf_counter() - start
    dst.unlink()
    return elapsed


def run() -> None:
    with work_dir("upload_put") as work:
        src = write_wav(work / "upload.wav", SIZE)
        size = src.stat().st_size
        ceilings = []
        with Sink() as sink:
            for _ in range(ROUNDS):
                with sink.conn() as conn, Stopwatch() as sw:
                    conn.request("PUT", "/sink", file=src).check(204)
                ceilings.append(sw)
        ceiling = min(ceilings, key=lambda s: s.wall)
        baselines: list[float] = []
        uploads: list[tuple[Uploaded, float, float]] = []
        with Satchel(work / "data") as server:
            proc = server.process()
            for _ in range(ROUNDS):
                baselines.append(sha256_copy(src, work / "copy.bin"))
                cpu0 = sum(proc.cpu_times()[:2])
                with Stopwatch() as sw:
                    up = upload_put(server, src, "upload.wav", "audio/wav")
                server_cpu = (sum(proc.cpu_times()[:2]) - cpu0) / up.total
                uploads.append((up, server_cpu, sw.cpu_share))
                delete(server, up.asset_id)
        best, server_cpu, client_cpu = min(uploads, key=lambda u: u[0].total)
        api, base = mib_s(size, best.total), mib_s(size, min(baselines))
        ratio = api / base
        figures = (
            f"1 GiB: API {api:.0f} MiB/s (announce {best.announce * 1e3:.0f} ms, "
            f"PUT {best.put:.2f} s, complete {best.complete * 1e3:.0f} ms; server CPU "
            f"{server_cpu:.2f} cores, client CPU {client_cpu:.2f}) vs sha256+copy+fsync "
            f"{base:.0f} MiB/s (best of {ROUNDS}); "
            f"client ceiling {mib_s(size, ceiling.wall):.0f} MiB/s at "
            f"{ceiling.cpu_share:.2f} client CPU"
        )
        report("upload_put", figures, f"{ratio:.2f}", f"ratio ≥ {GOAL}", ratio >= GOAL)
