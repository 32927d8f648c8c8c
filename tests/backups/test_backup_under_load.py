"""The issue's promise: a backup taken while uploads keep coming, restored into an empty
folder (and an empty database) and scrubbed there, holds every upload acknowledged before
it started, byte-exact. On SQLite (the online backup API) and on PostgreSQL (`pg_dump` of a
snapshot), each with a real `satchel serve` under load."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.cli.test_serve import start
from tests.conftest import (
    ADMIN_KEY,
    CLUSTER_SECRET,
    ENGINES,
    drop_pg_database,
    make_png,
    pg_database,
)

SATCHEL = [sys.executable, "-m", "satchel.cli"]


def satchel(*args: str, data_dir: Path, expect: int = 0, **extra: str) -> dict[str, Any]:
    env = {**os.environ, "SATCHEL_DATA_DIR": str(data_dir), **extra}
    env.pop("SATCHEL_ADMIN_API_KEY", None)
    done = subprocess.run(
        [*SATCHEL, *args, "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == expect, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


class Load:
    """Uploads, one after another from two threads, until stopped; keeps what was acked."""

    def __init__(self, base: str) -> None:
        self.base, self.acked, self.errors = base, [], []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(2)]

    def _run(self, worker: int) -> None:
        auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
        with httpx.Client(base_url=self.base, headers=auth, timeout=60) as http:
            n = 0
            while not self._stop.is_set():
                n += 1
                if n % 4 == 0:
                    name, data = f"p{worker}-{n}.png", make_png(6, 4, seed=worker * 1000 + n)
                else:
                    name, data = f"t{worker}-{n}.txt", os.urandom(3000).hex().encode()
                answer = http.post("/api/v1/assets", files={"file": (name, data)})
                if answer.status_code in (200, 202):
                    self.acked.append((answer.json()["data"]["id"], data, time.monotonic()))
                else:
                    self.errors.append(answer.text)

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(60)


@pytest.fixture(params=ENGINES)
def databases(request: pytest.FixtureRequest) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The environment of the live server and of the restore: the data folder's own SQLite
    each, or two fresh PostgreSQL databases (the second empty, as a restore needs)."""
    if request.param == "sqlite":
        yield {}, {}
        return
    server: str = request.getfixturevalue("pg_server")
    names = [f"b_{secrets.token_hex(6)}" for _ in range(2)]
    live, restored = (pg_database(server, name) for name in names)
    shared = {"SATCHEL_SECRET_KEY": CLUSTER_SECRET}
    yield (
        {**shared, "SATCHEL_DATABASE_URL": live},
        {**shared, "SATCHEL_DATABASE_URL": restored},
    )
    for name in names:
        drop_pg_database(server, name)


def test_backup_under_load_restores_every_acknowledged_upload(
    tmp_path: Path, databases: tuple[dict[str, str], dict[str, str]]
) -> None:
    live_env, restored_env = databases
    live, dest, restored = tmp_path / "live", tmp_path / "backup", tmp_path / "restored"
    server = start(live, SATCHEL_ADMIN_API_KEY=ADMIN_KEY, **live_env)
    try:
        with Load(server.base) as load:
            while len(load.acked) < 20:
                assert not load.errors, load.errors[:3]
                time.sleep(0.05)
            began = time.monotonic()
            before = list(load.acked)  # acknowledged before the backup started
            report = satchel("backup", str(dest), data_dir=live, **live_env)
            ended = time.monotonic()
        during = [a for a in load.acked if began < a[2] < ended]
    finally:
        server.stop()
    assert not load.errors, load.errors[:3]
    assert during, "no upload was acknowledged while the backup ran: not under load"
    assert report["blobs"]["missing"] == [] and report["blobs"]["damaged"] == []
    assert report["blobs"]["copied"] >= len(before)
    kind = "postgresql" if live_env else "sqlite"
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["database"]["kind"] == kind

    checked = satchel("backup", "--verify", str(dest), data_dir=live, **live_env)
    assert checked["ok"] and checked["checked_blobs"] == report["blobs"]["copied"]
    satchel("restore", str(dest), data_dir=restored, **restored_env)
    scrub = satchel("scrub", data_dir=restored, **restored_env)
    assert scrub["mismatches"] == [] and scrub["checked"] == report["blobs"]["rows"]

    url = restored_env.get("SATCHEL_DATABASE_URL") or f"sqlite:///{restored / 'satchel.db'}"
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            for asset_id, data, _ in before:
                sha = db.execute(
                    text("SELECT sha256 FROM assets WHERE id = :id"), {"id": asset_id}
                ).scalar()
                assert sha is not None, f"{asset_id} was acknowledged before the backup, lost"
                assert (restored / "blobs" / sha[:2] / sha).read_bytes() == data
    finally:
        engine.dispose()
