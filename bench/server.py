"""Starting and stopping a real `satchel serve` (and the do-nothing sink) on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import psutil

from bench.client import Conn

START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(proc: subprocess.Popen[bytes], port: int, log: Path, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{tail}")
        try:
            with Conn(port) as conn:
                if conn.request("GET", path).status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on port {port} within {START_TIMEOUT:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT)


class Satchel:
    """`satchel serve` over `data_dir`, with a fresh admin key; a context manager."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.extra_env = env or {}
        self.port = free_port()
        self.key = "sat_bench_" + secrets.token_urlsafe(24)
        self.log = data_dir.parent / f"{data_dir.name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def __enter__(self) -> Satchel:
        env = dict(
            os.environ,
            SATCHEL_DATA_DIR=str(self.data_dir),
            SATCHEL_ADMIN_API_KEY=self.key,
            SATCHEL_PORT=str(self.port),
            SATCHEL_HOST="127.0.0.1",
            SATCHEL_LOG_LEVEL="warning",
            # The bench client's Host header has no port: links must still point here.
            SATCHEL_BASE_URL=f"http://127.0.0.1:{self.port}",
        )
        env.update(self.extra_env)
        # The console script of this environment, so psutil sees satchel itself (not `uv`).
        script = Path(sys.executable).with_name("satchel")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(script), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            _wait_listening(self.proc, self.port, self.log, "/api/v1/health")
        except BaseException:
            _stop(self.proc)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None:
            _stop(self.proc)

    def process(self) -> psutil.Process:
        assert self.proc is not None
        return psutil.Process(self.proc.pid)

    def conn(self) -> Conn:
        return Conn(self.port)


class Sink:
    """`bench/sink.py` in its own process: answers everything at once (the client ceiling)."""

    def __init__(self, serve_file: Path | None = None) -> None:
        self.port = free_port()
        self.serve_file = serve_file
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Sink:
        args = [sys.executable, "-m", "bench.sink", str(self.port)]
        if self.serve_file is not None:
            args.append(str(self.serve_file))
        self.proc = subprocess.Popen(args, cwd=Path(__file__).resolve().parent.parent)
        try:
            _wait_listening(self.proc, self.port, Path("/dev/null"), "/")
        except BaseException:
            _stop(self.proc)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None:
            _stop(self.proc)

    def conn(self) -> Conn:
        return Conn(self.port)
