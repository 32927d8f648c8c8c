"""Worker processes for `satchel serve`: a file that crashes or hangs a decoder takes down
one worker, never the API; the supervisor starts a fresh one."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from satchel.metrics import MULTIPROC_ENV
from satchel.metrics.counters import WORKER_RESTARTS

log = logging.getLogger("satchel.jobs")


def _forget(pid: int) -> None:
    """Drop a dead worker's live gauges (its counters stay counted)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


class WorkerProcesses:
    def __init__(self, *, count: int, hard_timeout: float) -> None:
        self.count = count
        self.hard_timeout = hard_timeout
        self._procs: list[subprocess.Popen[bytes] | None] = [None] * count
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        cmd = [
            sys.executable,
            "-m",
            "satchel.cli",
            "worker",
            "--count",
            "1",
            "--hard-timeout",
            str(self.hard_timeout),
            "--exit-with-parent",
        ]
        # Our own interpreter and arguments: nothing here comes from a request.
        return subprocess.Popen(cmd, env=os.environ.copy(), stdin=subprocess.DEVNULL)  # noqa: S603

    def start(self) -> None:
        for i in range(self.count):
            self._procs[i] = self._spawn()
        self._monitor = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._monitor.start()

    def pids(self) -> list[int]:
        return [p.pid for p in self._procs if p is not None and p.poll() is None]

    def _watch(self) -> None:
        backoff = [1.0] * self.count
        while not self._stop.wait(0.5):
            for i, proc in enumerate(self._procs):
                if proc is None or proc.poll() is None:
                    continue
                log.warning("worker %s exited with %s; starting another", proc.pid, proc.returncode)
                if self._stop.wait(backoff[i]):
                    return
                backoff[i] = min(backoff[i] * 2, 30.0)
                _forget(proc.pid)
                self._procs[i] = self._spawn()
                WORKER_RESTARTS.inc()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(5)
        live = [p for p in self._procs if p is not None and p.poll() is None]
        for proc in live:
            proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in live:
            try:
                proc.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
