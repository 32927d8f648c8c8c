"""Real `satchel` processes for the crash tests, and a look at what a data folder holds.

Two ways to start a server (`SATCHEL_CRASH_SPAWN`):

- `fork` (default): a helper process (`zygote.py`) imports Satchel once and forks each
  `satchel serve --no-worker` / `satchel worker` / `satchel gc` from there. A start then
  costs a few hundred milliseconds instead of seconds of imports, which is what lets
  `make test` afford hundreds of kills.
- `exec`: `python -m satchel.cli serve` as a user runs it (with its own worker
  processes), in a new session, killed with `os.killpg`. Slower; for `make soak` runs
  that want the exact production start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ADMIN_KEY = "sat_crash-admin-key-000000000000000000000000"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
ZYGOTE = Path(__file__).with_name("zygote.py")
SHA_NAME = re.compile(r"^[0-9a-f]{64}$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- content ---------------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png(rng: random.Random, width: int, height: int, *, noisy: bool = False) -> bytes:
    """A valid RGB PNG. `noisy`: random pixels stored uncompressed (size ~ 3·w·h bytes)."""
    if noisy:
        raw = b"".join(b"\0" + rng.randbytes(width * 3) for _ in range(height))
        data = zlib.compress(raw, 0)
    else:
        base = rng.randrange(256)
        row = bytes([0]) + bytes((base + i * 7) % 256 for i in range(width * 3))
        data = zlib.compress(row * height)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
    )


def text(rng: random.Random, size: int) -> bytes:
    words = [rng.choice(("alpha", "bravo", "delta", "echo", "kilo", "lima")) for _ in range(8)]
    body = " ".join(words) + f" {rng.getrandbits(64):016x}\n"
    return (body * (size // len(body) + 1))[:size].encode()


# -- processes -------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    data_dir: Path
    pgid: int
    pids: list[int]
    log: Path
    started_in: float = 0.0
    dead: bool = False


class ForkLauncher:
    mode = "fork"

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._lock = threading.Lock()
        self._stderr = open(log_dir / "zygote.log", "wb")  # noqa: SIM115 - closed in close()
        # numpy's OpenBLAS starts a thread pool at import; with one thread it starts none,
        # and the helper forks with no thread but its own. So for the `tokenizers` pool
        # (rayon) that search's text embedding starts on a PATCH: no parallelism, no pool.
        self._proc = subprocess.Popen(
            [sys.executable, str(ZYGOTE)],
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        ready = self._read()
        # Forking is only safe with no other thread around (Python's or native).
        assert ready.get("ready") and ready["threads"] == 1 and ready["tasks"] == 1, ready

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise AssertionError(
                "the zygote died: " + (self.log_dir / "zygote.log").read_text()[-3000:]
            )
        answer: dict[str, Any] = json.loads(line)
        assert "error" not in answer, answer
        return answer

    def _call(self, **request: Any) -> dict[str, Any]:
        with self._lock:
            assert self._proc.stdin is not None
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            return self._read()

    def spawn(self, args: list[str], env: dict[str, str], log: Path, group: int | None) -> int:
        return int(self._call(cmd="spawn", args=args, env=env, log=str(log), group=group)["pid"])

    def start(
        self, data_dir: Path, env: dict[str, str], *, workers: bool, log_dir: Path | None = None
    ) -> Server:
        port = free_port()
        env = {**env, "SATCHEL_PORT": str(port)}
        log = (log_dir or self.log_dir) / "serve.log"
        began = time.monotonic()
        pid = self.spawn(["serve", "--no-worker"], env, log, None)
        server = Server(f"http://127.0.0.1:{port}", data_dir, pid, [pid], log)
        wait_healthy(server, lambda: self._call(cmd="poll", pids=[pid])["status"])
        server.started_in = time.monotonic() - began
        if workers:
            self.add_worker(server, env)
        return server

    def add_worker(self, server: Server, env: dict[str, str]) -> None:
        """A `satchel worker` process in the server's process group (killed with it)."""
        args = ["worker", "--count", "1"]
        server.pids.append(self.spawn(args, env, server.log.with_name("worker.log"), server.pgid))

    def kill(self, server: Server) -> None:
        os.killpg(server.pgid, signal.SIGKILL)
        status = self._call(cmd="reap", pids=server.pids, timeout=30)["status"]
        server.dead = True
        assert set(status) == {str(p) for p in server.pids}, status

    def stop(self, server: Server, timeout: float = 30) -> dict[str, int]:
        """SIGTERM, as an operator stops it; SIGKILL after `timeout`."""
        if server.dead:
            return {}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pgid, signal.SIGTERM)
        status: dict[str, int] = self._call(cmd="reap", pids=server.pids, timeout=timeout)["status"]
        server.dead = True
        return status

    def run(self, args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
        """Run one `satchel` command to its end; returns (exit code, output)."""
        log = self.log_dir / f"cli-{time.monotonic_ns()}.log"
        pid = self.spawn(args, env, log, None)
        code = self._call(cmd="reap", pids=[pid], timeout=timeout)["status"][str(pid)]
        output = log.read_text()
        log.unlink()
        return int(code), output

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()


class ExecLauncher:
    mode = "exec"

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._procs: list[subprocess.Popen[bytes]] = []

    def _popen(self, args: list[str], env: dict[str, str], log: Path, group: int | None) -> Any:
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "satchel.cli", *args],
                env={**os.environ, **env},
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                process_group=0 if group is None else group,
            )
        self._procs.append(proc)
        return proc

    def start(
        self, data_dir: Path, env: dict[str, str], *, workers: bool, log_dir: Path | None = None
    ) -> Server:
        """`satchel serve` (its own worker processes with `workers`), leading a new group."""
        port = free_port()
        env = {**env, "SATCHEL_PORT": str(port)}
        log = (log_dir or self.log_dir) / "serve.log"
        began = time.monotonic()
        proc = self._popen(["serve"] + ([] if workers else ["--no-worker"]), env, log, None)
        server = Server(f"http://127.0.0.1:{port}", data_dir, proc.pid, [proc.pid], log)

        def poll() -> dict[str, int]:
            code = proc.poll()
            return {} if code is None else {str(proc.pid): code}

        wait_healthy(server, poll)
        server.started_in = time.monotonic() - began
        return server

    def add_worker(self, server: Server, env: dict[str, str]) -> None:
        """A `satchel worker` process in the server's process group (killed with it)."""
        args = ["worker", "--count", "1"]
        proc = self._popen(args, env, server.log.with_name("worker.log"), server.pgid)
        server.pids.append(proc.pid)

    def _reap(self, server: Server, timeout: float) -> dict[str, int]:
        """Wait for our processes of the group, then for any child of theirs in it."""
        import psutil

        status = {}
        for proc in [p for p in self._procs if p.pid in server.pids]:
            try:
                status[str(proc.pid)] = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                status[str(proc.pid)] = proc.wait()
            self._procs.remove(proc)
        deadline = time.monotonic() + timeout
        while True:
            left = [
                p
                for p in psutil.process_iter(["pid", "status"])
                if _pgid(p.info["pid"]) == server.pgid and p.info["status"] != psutil.STATUS_ZOMBIE
            ]
            if not left:
                break
            if time.monotonic() > deadline:
                for p in left:
                    p.kill()
            time.sleep(0.01)
        server.dead = True
        return status

    def kill(self, server: Server) -> None:
        os.killpg(server.pgid, signal.SIGKILL)
        self._reap(server, 30)

    def stop(self, server: Server, timeout: float = 30) -> dict[str, int]:
        if server.dead:
            return {}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pgid, signal.SIGTERM)
        return self._reap(server, timeout)

    def run(self, args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-m", "satchel.cli", *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr

    def close(self) -> None:
        for proc in self._procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.wait(30)
        self._procs.clear()


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


Launcher = ForkLauncher | ExecLauncher


def make_launcher(log_dir: Path) -> Launcher:
    mode = os.environ.get("SATCHEL_CRASH_SPAWN", "fork")
    assert mode in ("fork", "exec"), f"SATCHEL_CRASH_SPAWN={mode!r}: fork or exec"
    return ForkLauncher(log_dir) if mode == "fork" else ExecLauncher(log_dir)


def wait_healthy(server: Server, exited: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2) as client:
        while True:
            try:
                if client.get(f"{server.base}/api/v1/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            gone = exited()
            if gone or time.monotonic() > deadline:
                server.dead = bool(gone)
                tail = server.log.read_text(errors="replace")[-4000:] if server.log.exists() else ""
                raise AssertionError(f"serve did not start (exited: {gone}):\n{tail}")
            time.sleep(0.004)


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "SATCHEL_DATA_DIR": str(data_dir),
        "SATCHEL_ADMIN_API_KEY": ADMIN_KEY,
        "SATCHEL_LOG_LEVEL": "warning",
        "SATCHEL_TMP_GRACE_SECONDS": "0",
        **extra,
    }


# -- what a data folder holds ------------------------------------------------------------


@dataclass
class Store:
    """One consistent look at the database and the files of a data folder."""

    integrity: dict[str, list[str]]
    foreign_keys: list[tuple[Any, ...]]
    assets: dict[str, tuple[str | None, int, str, str | None]]  # id -> sha, size, status, descr
    derivatives: list[tuple[str, str, str, int]]  # asset_id, kind, sha, size
    blob_rows: dict[str, int]
    tombstones: set[str]
    files: dict[str, int]  # sha -> size, under blobs/
    stray_files: list[str]  # under blobs/ but not named like a blob
    temp_files: list[tuple[str, float, int]]  # name, mtime, files inside (-1: a plain file)
    problems: list[str] = field(default_factory=list)

    @property
    def referenced(self) -> set[str]:
        return {a[0] for a in self.assets.values() if a[0]} | {d[2] for d in self.derivatives}

    @property
    def orphan_files(self) -> set[str]:
        return set(self.files) - self.referenced

    @property
    def unreferenced_rows(self) -> set[str]:
        return set(self.blob_rows) - self.referenced


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def inspect(data_dir: Path) -> Store:
    db = data_dir / "satchel.db"
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only=1")
        conn.execute("BEGIN")
        assets = {
            r[0]: (r[1], int(r[2]), r[3], r[4])
            for r in conn.execute("SELECT id, sha256, size, status, description FROM assets")
        }
        derivatives = [
            (r[0], r[1], r[2], int(r[3]))
            for r in conn.execute("SELECT asset_id, kind, sha256, size FROM derivatives")
        ]
        blob_rows = {r[0]: int(r[1]) for r in conn.execute("SELECT sha256, size FROM blobs")}
        tombstones = {r[0] for r in conn.execute("SELECT asset_id FROM tombstones")}
        foreign_keys = list(conn.execute("PRAGMA foreign_key_check"))
        conn.execute("COMMIT")
        integrity = {"satchel.db": [r[0] for r in conn.execute("PRAGMA integrity_check")]}
    finally:
        conn.close()
    for other in sorted(data_dir.glob("*.db")):
        if other.name != "satchel.db":
            integrity[other.name] = _integrity(other)
    files: dict[str, int] = {}
    stray: list[str] = []
    for folder in sorted((data_dir / "blobs").iterdir()):
        if not folder.is_dir():
            stray.append(str(folder))
            continue
        for entry in os.scandir(folder):
            if SHA_NAME.match(entry.name) and entry.name[:2] == folder.name:
                with contextlib.suppress(FileNotFoundError):
                    files[entry.name] = entry.stat().st_size
            else:
                stray.append(entry.path)
    temp_files = []
    for entry in os.scandir(data_dir / "tmp"):
        try:
            inside = sum(len(f) for _, _, f in os.walk(entry.path)) if entry.is_dir() else -1
            temp_files.append((entry.name, entry.stat().st_mtime, inside))
        except FileNotFoundError:
            pass
    store = Store(
        integrity, foreign_keys, assets, derivatives, blob_rows, tombstones, files, stray,
        temp_files,
    )  # fmt: skip
    store.problems = row_problems(store)
    return store


def row_problems(store: Store) -> list[str]:
    """Rows that point at missing bytes, bytes of the wrong size, or nothing; a damaged db."""
    out: list[str] = []
    for name, result in store.integrity.items():
        if result != ["ok"]:
            out.append(f"PRAGMA integrity_check on {name}: {result[:5]}")
    if store.foreign_keys:
        out.append(f"PRAGMA foreign_key_check: {store.foreign_keys[:5]}")
    for asset_id, (sha, size, status, _) in store.assets.items():
        if status == "quarantined":
            out.append(f"asset {asset_id} was quarantined by startup repair")
        if sha is None:
            if status != "uploading":
                out.append(f"asset {asset_id} ({status}) has no sha256")
            continue
        if sha not in store.files:
            out.append(f"asset {asset_id} points at missing blob {sha}")
        elif store.files[sha] != size:
            out.append(f"asset {asset_id}: blob {sha} has {store.files[sha]} bytes, row {size}")
        if sha not in store.blob_rows:
            out.append(f"asset {asset_id}: no blobs row for {sha}")
        elif store.blob_rows[sha] != size:
            out.append(f"asset {asset_id}: blobs row {sha} says {store.blob_rows[sha]} bytes")
    for asset_id, kind, sha, size in store.derivatives:
        if sha not in store.files:
            out.append(f"derivative {asset_id}/{kind} points at missing blob {sha}")
        elif store.files[sha] != size:
            out.append(
                f"derivative {asset_id}/{kind}: blob has {store.files[sha]} bytes, row {size}"
            )
        if sha not in store.blob_rows:
            out.append(f"derivative {asset_id}/{kind}: no blobs row for {sha}")
    for sha, size in store.blob_rows.items():
        if sha in store.referenced and store.files.get(sha) not in (None, size):
            out.append(f"blobs row {sha} says {size} bytes, the file has {store.files[sha]}")
    if store.stray_files:
        out.append(f"unexpected files under blobs/: {store.stray_files[:5]}")
    return out


def run_json(launcher: Launcher, args: list[str], env: dict[str, str]) -> tuple[int, Any]:
    """A `satchel … --json` command; its JSON is the last line that parses."""
    code, output = launcher.run([*args, "--json"], env)
    for line in reversed(output.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return code, json.loads(line)
            except json.JSONDecodeError:
                continue
    raise AssertionError(f"`satchel {' '.join(args)} --json` printed no JSON ({code}):\n{output}")
