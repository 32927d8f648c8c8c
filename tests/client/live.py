"""A real `satchel serve` on 127.0.0.1 over a temporary data folder, for SDK and CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port

SATCHEL = [sys.executable, "-m", "satchel.cli"]
ADMIN_KEY = "sat_live-admin-key-00000000000000000000000"
ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class LiveServer:
    base: str
    data_dir: Path
    key: str
    password: str
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SATCHEL_DATA_DIR": str(self.data_dir),
            "SATCHEL_ADMIN_API_KEY": self.key,
        }


def start_server(data_dir: Path, **env: str) -> Iterator[LiveServer]:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    full_env = {
        **os.environ,
        "SATCHEL_DATA_DIR": str(data_dir),
        "SATCHEL_PORT": str(port),
        "SATCHEL_HOST": "127.0.0.1",
        "SATCHEL_ADMIN_API_KEY": ADMIN_KEY,
        "SATCHEL_WORKERS": "1",
        "SATCHEL_LOG_LEVEL": "warning",
        # Small thresholds so multipart uploads are exercised with small files.
        "SATCHEL_MULTIPART_THRESHOLD_BYTES": str(6 << 20),
        "SATCHEL_MULTIPART_PART_BYTES": str(5 << 20),
        **env,
    }
    full_env.pop("SATCHEL_BASE_URL", None)
    subprocess.run(
        [*SATCHEL, "user", "reset-password", "admin", "--password", ADMIN_PASSWORD],
        env=full_env,
        check=True,
        capture_output=True,
        text=True,
    )
    proc = subprocess.Popen(
        [*SATCHEL, "serve"],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, ADMIN_KEY, ADMIN_PASSWORD, proc)

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.lines.append(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    try:
        while True:
            assert proc.poll() is None, "serve exited: " + "".join(server.lines)
            try:
                if httpx.get(f"{server.base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not start: " + "".join(server.lines)
            time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        reader.join(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the session (per xdist worker)."""
    yield from start_server(tmp_path_factory.mktemp("live") / "data")
