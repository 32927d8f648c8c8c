"""upload_rss: the server's peak RSS while 5 GiB arrive by single PUT and by multipart form."""

from __future__ import annotations

import contextlib
import threading
import time
from types import TracebackType

import psutil

from bench.api import Uploaded, delete, upload_form, upload_put
from bench.client import multipart
from bench.common import GiB, MiB, mib_s, report, work_dir
from bench.files import wav_bytes, write_zip64
from bench.server import Satchel

PAYLOAD = 5 * GiB
EVERY = 0.05
GOAL_MIB = 150.0


def tree_rss(proc: psutil.Process) -> int:
    """RSS of the process and all its children, in bytes."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


class PeakRss(threading.Thread):
    """Samples `tree_rss` every 50 ms in the background; `peak` since the last `reset`."""

    def __init__(self, proc: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.proc = proc
        self.peak = 0
        self.main_peak = 0  # the server process alone, without its children
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(EVERY):
            self.peak = max(self.peak, tree_rss(self.proc))
            with contextlib.suppress(psutil.NoSuchProcess):
                self.main_peak = max(self.main_peak, self.proc.memory_info().rss)
            self.samples += 1

    def reset(self) -> None:
        self.peak, self.main_peak, self.samples = 0, 0, 0

    def __enter__(self) -> PeakRss:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._halt.set()
        self.join()


def _idle(proc: psutil.Process, seconds: float = 1.0) -> int:
    time.sleep(1.0)
    samples = []
    for _ in range(round(seconds / EVERY)):
        samples.append(tree_rss(proc))
        time.sleep(EVERY)
    return max(samples)


def _warm_up(server: Satchel) -> None:
    """One small upload of each kind, so idle RSS includes what the first request loads."""
    ctype, pre, post = multipart("warm.wav", "audio/wav")
    with server.conn() as conn:
        body = pre + wav_bytes(16 * 1024) + post
        conn.request("POST", "/api/v1/assets", {**server.auth, "Content-Type": ctype}, body).check(
            201, 202
        )


def run() -> None:
    with work_dir("upload_rss") as work:
        src = write_zip64(work / "big.zip", PAYLOAD)
        size = src.stat().st_size
        with Satchel(work / "data") as server:
            proc = server.process()
            cold = _idle(proc)
            _warm_up(server)
            small = work / "warm.wav"
            small.write_bytes(wav_bytes(1 << 20))
            delete(server, upload_put(server, small, "warm.wav", "audio/wav").asset_id)
            idle = _idle(proc)
            idle_main = proc.memory_info().rss
            children = len(proc.children(recursive=True))
            peaks: list[tuple[str, int, Uploaded, int]] = []
            main_peaks: list[int] = []
            with PeakRss(proc) as sampler:
                for name, send in (("PUT", upload_put), ("form", upload_form)):
                    sampler.reset()
                    up = send(server, src, "big.zip", "application/zip")
                    peaks.append((name, sampler.peak, up, sampler.samples))
                    main_peaks.append(sampler.main_peak)
                    delete(server, up.asset_id)
    worst = max(peak for _, peak, _, _ in peaks)
    parts = [
        f"{name} peak {peak / MiB:.0f} MiB (+{(peak - idle) / MiB:.0f}; "
        f"{mib_s(size, up.total):.0f} MiB/s, {samples} samples)"
        for name, peak, up, samples in peaks
    ]
    figures = (
        f"5 GiB ZIP64 (stored): idle {idle / MiB:.0f} MiB after a small warm-up upload "
        f"(cold {cold / MiB:.0f} MiB; {children} child processes; the serve process alone "
        f"{idle_main / MiB:.0f} MiB idle, peaks {'/'.join(f'{m / MiB:.0f}' for m in main_peaks)} "
        f"MiB); " + "; ".join(parts)
    )
    report(
        "upload_rss",
        figures,
        f"{worst / idle:.2f} (peak÷idle)",
        f"peak < {GOAL_MIB:.0f} MiB",
        worst / MiB < GOAL_MIB,
    )
