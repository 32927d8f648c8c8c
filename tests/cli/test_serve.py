"""`satchel serve` and `satchel config` as a user runs them: a real process on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.conftest import make_png

SATCHEL = [sys.executable, "-m", "satchel.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    pump: threading.Thread | None = None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)  # a bound for a loaded machine, not a promise
        if self.pump is not None:
            # The pipe ends when every process holding it has exited, workers included.
            self.pump.join(timeout=30)
            assert not self.pump.is_alive(), "a child of serve outlived it"
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start(data_dir: Path, **env: str) -> Server:
    port = _free_port()
    full_env = {
        **os.environ,
        "SATCHEL_DATA_DIR": str(data_dir),
        "SATCHEL_PORT": str(port),
        "SATCHEL_LOG_LEVEL": "warning",
        **env,
    }
    if "SATCHEL_ADMIN_API_KEY" not in env:
        full_env.pop("SATCHEL_ADMIN_API_KEY", None)
    proc = subprocess.Popen(
        [*SATCHEL, "serve"],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}", proc)

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.lines.append(line)

    server.pump = threading.Thread(target=pump, daemon=True)
    server.pump.start()
    deadline = time.monotonic() + 120  # a fresh PostgreSQL migrates first
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.base}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    server.stop()
    raise AssertionError("server did not start: " + "".join(server.lines))


def _workers(server: Server) -> list[psutil.Process]:
    """serve's job worker processes (its other children are the tool sandbox)."""
    found = []
    for child in psutil.Process(server.proc.pid).children():
        try:
            if "worker" in child.cmdline():
                found.append(child)
        except psutil.Error:  # exited (a zombie until serve reaps it)
            continue
    return found


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        s.stop()


def test_first_start_prints_key_once_and_serves(tmp_path: Path, servers: list[Server]) -> None:
    data_dir = tmp_path / "data"
    first = start(data_dir)
    servers.append(first)
    key = next(w for line in first.lines for w in line.split() if w.startswith("sat_"))
    # Friction 3: said last (after "serving on" and the optional engines' notes), whose it
    # is, and what to do next.
    said = "".join(first.lines)
    assert said.index("Satchel serving on") < said.index(key), said
    assert "Not ready" not in said[said.index(key) :], said
    notice = said[said.index(key) :]
    assert "belongs to the user admin" in notice and "shown only this once" in notice, said
    assert ".venv/bin/satchel user mint-key admin" in notice, said
    auth = {"Authorization": f"Bearer {key}"}
    png = make_png(4, 3, seed=11)
    made = httpx.post(
        f"{first.base}/api/v1/assets", headers=auth, files={"file": ("a.png", png)}, timeout=30
    )
    assert made.status_code == 202, made.text
    asset_id = made.json()["data"]["id"]
    # serve's own worker processes process it.
    deadline = time.monotonic() + 60
    while (got := httpx.get(f"{first.base}/api/v1/assets/{asset_id}", headers=auth).json())["data"][
        "status"
    ] != "ready":
        assert time.monotonic() < deadline, got
        time.sleep(0.1)
    # A worker that dies (a decoder crash, say) is replaced; the API never notices.
    workers = _workers(first)
    assert len(workers) == 2
    workers[0].kill()
    deadline = time.monotonic() + 30
    while {c.pid for c in _workers(first)} in (
        {workers[1].pid},
        {w.pid for w in workers},
    ):
        assert time.monotonic() < deadline, "the dead worker was not replaced"
        time.sleep(0.1)
    assert httpx.get(f"{first.base}/api/v1/health").status_code == 200
    first.stop()
    assert not workers[1].is_running()
    second = start(data_dir)
    servers.append(second)
    assert not any("sat_" in line for line in second.lines)  # no second key
    got = httpx.get(f"{second.base}/api/v1/assets/{asset_id}/content", headers=auth, timeout=30)
    assert got.status_code == 200 and got.content == png


def test_oversize_upload_is_cut_off_over_real_http(tmp_path: Path, servers: list[Server]) -> None:
    server = start(
        tmp_path / "data",
        SATCHEL_ADMIN_API_KEY="sat_k-oversize-test-3f9a1c7e5b2d8064",
        SATCHEL_MAX_UPLOAD_BYTES=str(1 << 20),
    )
    servers.append(server)
    auth = {"Authorization": "Bearer sat_k-oversize-test-3f9a1c7e5b2d8064"}
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'
        for _ in range(256):
            sent += 1 << 20
            yield b"\0" * (1 << 20)
        yield b"\r\n--b--\r\n"

    headers = {**auth, "Content-Type": "multipart/form-data; boundary=b"}
    try:
        response = httpx.post(
            f"{server.base}/api/v1/assets", content=body(), headers=headers, timeout=30
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "asset_file_too_large"
    except httpx.TransportError:
        pass  # the server may close the connection before the client reads the answer
    assert sent < 64 << 20
    assert httpx.get(f"{server.base}/api/v1/health").status_code == 200
    assert list((tmp_path / "data" / "tmp").iterdir()) == []


def test_config_lists_settings_with_secrets_masked(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SATCHEL_ADMIN_API_KEY": "sat_secret_value",
        "SATCHEL_DATABASE_URL": "postgresql+psycopg://user:pw@db/satchel",
    }
    out = subprocess.run(
        [*SATCHEL, "config", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    values: dict[str, Any] = json.loads(out)
    assert values["SATCHEL_PORT"] == 8080
    assert values["SATCHEL_ADMIN_API_KEY"] == "********"
    assert "pw" not in values["SATCHEL_DATABASE_URL"]
    assert "sat_secret_value" not in out
    table = subprocess.run(
        [*SATCHEL, "config"], env=env, capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    assert "SATCHEL_DATA_DIR" in table and "sat_secret_value" not in table


def test_several_http_processes_share_the_port_and_one_set_of_workers(
    tmp_path: Path, servers: list[Server]
) -> None:
    key = "sat_p-two-processes-9c4e1a7f3b6d2058"
    server = start(tmp_path / "data", SATCHEL_ADMIN_API_KEY=key, SATCHEL_API_PROCESSES="2")
    servers.append(server)
    auth = {"Authorization": f"Bearer {key}"}
    png = make_png(5, 4, seed=3)
    made = httpx.post(
        f"{server.base}/api/v1/assets", headers=auth, files={"file": ("a.png", png)}, timeout=30
    )
    assert made.status_code == 202, made.text
    asset_id = made.json()["data"]["id"]
    deadline = time.monotonic() + 60
    while (
        httpx.get(f"{server.base}/api/v1/assets/{asset_id}", headers=auth).json()["data"]["status"]
        != "ready"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # Every request, whichever process takes it, sees the same store.
    for _ in range(10):
        got = httpx.get(f"{server.base}/api/v1/assets/{asset_id}/content", headers=auth)
        assert got.status_code == 200 and got.content == png
    tree = psutil.Process(server.proc.pid).children(recursive=True)
    commands = [" ".join(p.cmdline()) for p in tree]
    assert sum("worker" in c for c in commands) == 2  # one set of job workers
    assert len(tree) >= 4  # two HTTP processes besides them
    server.stop()

    def alive() -> list[psutil.Process]:
        return [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    deadline = time.monotonic() + 20  # helpers (the spawn resource tracker) exit just after
    while alive():
        assert time.monotonic() < deadline, [" ".join(p.cmdline()) for p in alive()]
        time.sleep(0.1)


def test_a_second_server_fails_before_touching_anything(
    tmp_path: Path, servers: list[Server]
) -> None:
    data_dir = tmp_path / "data"
    first = start(data_dir)
    servers.append(first)
    port = first.base.rsplit(":", 1)[1]
    env = {**os.environ, "SATCHEL_DATA_DIR": str(data_dir), "SATCHEL_LOG_LEVEL": "warning"}
    # Same folder, same port: refused at once, and it never says it is serving.
    busy = subprocess.run(
        [*SATCHEL, "serve"], env={**env, "SATCHEL_PORT": port}, capture_output=True, text=True
    )
    said = busy.stdout + busy.stderr
    assert busy.returncode == 2, said
    assert f"Port {port}" in said and "already in use" in said and "serving" not in said
    # Another port on the same folder: the folder's lock refuses it before startup repair.
    # A temporary file the first server is still writing would be swept by a repair with
    # no grace period (the first one's own sweeps keep an hour's grace): it must survive.
    in_flight = data_dir / "tmp" / "upload-in-flight"
    in_flight.write_bytes(b"half of an upload")
    other = subprocess.run(
        [*SATCHEL, "serve"],
        env={**env, "SATCHEL_PORT": str(_free_port()), "SATCHEL_TMP_GRACE_SECONDS": "0"},
        capture_output=True,
        text=True,
    )
    said = other.stdout + other.stderr
    assert other.returncode == 2, said
    assert "data folder" in said and f"pid {first.proc.pid}" in said
    assert "Startup repair" not in said and "serving" not in said
    assert in_flight.read_bytes() == b"half of an upload"  # no repair ran on the live folder
    assert httpx.get(f"{first.base}/api/v1/health").status_code == 200
    # Once the first has stopped, the folder is free again.
    first.stop()
    again = start(data_dir)
    servers.append(again)
    assert httpx.get(f"{again.base}/api/v1/health").status_code == 200
