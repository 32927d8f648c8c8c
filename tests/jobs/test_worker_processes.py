"""`satchel worker --processes N`: N supervised worker processes, a dead one replaced."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.conftest import ADMIN_KEY


def test_worker_processes_are_supervised(tmp_path: Path) -> None:
    env = {**os.environ, "SATCHEL_DATA_DIR": str(tmp_path), "SATCHEL_ADMIN_API_KEY": ADMIN_KEY}
    proc = subprocess.Popen(
        [sys.executable, "-m", "satchel.cli", "worker", "--processes", "2", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        announced = json.loads(proc.stdout.readline())
        assert announced["processes"] == 2 and len(announced["pids"]) == 2
        first, second = announced["pids"]
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            children = {c.pid for c in psutil.Process(proc.pid).children()}
            if second in children and len(children) == 2 and first not in children:
                break
            assert time.monotonic() < deadline, f"not replaced: {children}"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0
