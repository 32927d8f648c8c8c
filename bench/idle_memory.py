"""idle_memory: RSS of `satchel serve` with its 2 workers (and the tool sandbox) at rest,
vs a bare FastAPI app under uvicorn plus 2 bare interpreters (the floor), same run."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import psutil

from bench.common import MiB, report, work_dir
from bench.server import Satchel, free_port

SETTLE = 15.0  # seconds for the workers and sandbox processes to finish starting
GOAL_MIB = 250.0
_BARE_APP = (
    "import fastapi, uvicorn; app = fastapi.FastAPI(); "
    "app.get('/')(lambda: {}); uvicorn.run(app, host='127.0.0.1', port={port})"
)


def _rss(procs: list[psutil.Process]) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            cmd = " ".join(p.cmdline())
            kind = "sandbox" if "runs.child" in cmd else "worker" if " worker" in cmd else "serve"
            out[kind] = out.get(kind, 0.0) + p.memory_info().rss / MiB
    return out


def _floor() -> float:
    app = _BARE_APP.replace("{port}", str(free_port()))
    procs = [subprocess.Popen([sys.executable, "-c", app], stderr=subprocess.DEVNULL)]
    procs += [
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in range(2)
    ]
    try:
        time.sleep(5)
        return sum(psutil.Process(p.pid).memory_info().rss for p in procs) / MiB
    finally:
        for p in procs:
            p.kill()
            p.wait()


def run() -> None:
    floor = _floor()
    with work_dir("idle_memory") as work, Satchel(work / "data") as server:
        time.sleep(SETTLE)
        proc = server.process()
        parts = _rss([proc, *proc.children(recursive=True)])
    total = sum(parts.values())
    without_sandbox = total - parts.get("sandbox", 0.0)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    figures = (
        f"idle RSS: serve {parts.get('serve', 0):.0f} MiB, 2 workers "
        f"{parts.get('worker', 0):.0f} MiB, tool sandbox (2 processes) "
        f"{parts.get('sandbox', 0):.0f} MiB; serve+workers {without_sandbox:.0f} MiB, all "
        f"{total:.0f} MiB vs bare FastAPI+uvicorn and 2 bare interpreters {floor:.0f} MiB; "
        f"load average {load}"
    )
    report(
        "idle_memory",
        figures,
        f"{without_sandbox / floor:.2f} (serve+workers÷floor)",
        f"serve+2 workers < {GOAL_MIB:.0f} MiB",
        without_sandbox < GOAL_MIB,
    )
