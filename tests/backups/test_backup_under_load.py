"""The issue's promise: a backup taken while uploads keep coming, restored into an empty
folder and scrubbed there, holds every upload acknowledged before it started, byte-exact."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.cli.test_serve import start
from tests.conftest import ADMIN_KEY, make_png

SATCHEL = [sys.executable, "-m", "satchel.cli"]


def satchel(*args: str, data_dir: Path, expect: int = 0) -> dict[str, Any]:
    env = {**os.environ, "SATCHEL_DATA_DIR": str(data_dir)}
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


def test_backup_under_load_restores_every_acknowledged_upload(tmp_path: Path) -> None:
    live, dest, restored = tmp_path / "live", tmp_path / "backup", tmp_path / "restored"
    server = start(live, SATCHEL_ADMIN_API_KEY=ADMIN_KEY)
    try:
        with Load(server.base) as load:
            while len(load.acked) < 20:
                assert not load.errors, load.errors[:3]
                time.sleep(0.05)
            began = time.monotonic()
            before = list(load.acked)  # acknowledged before the backup started
            report = satchel("backup", str(dest), data_dir=live)
            ended = time.monotonic()
        during = [a for a in load.acked if began < a[2] < ended]
    finally:
        server.stop()
    assert not load.errors, load.errors[:3]
    assert during, "no upload was acknowledged while the backup ran: not under load"
    assert report["blobs"]["missing"] == [] and report["blobs"]["damaged"] == []
    assert report["blobs"]["copied"] >= len(before)

    checked = satchel("backup", "--verify", str(dest), data_dir=live)
    assert checked["ok"] and checked["checked_blobs"] == report["blobs"]["copied"]
    satchel("restore", str(dest), data_dir=restored)
    scrub = satchel("scrub", data_dir=restored)
    assert scrub["mismatches"] == [] and scrub["checked"] == report["blobs"]["rows"]

    db = sqlite3.connect(restored / "satchel.db")
    try:
        for asset_id, data, _ in before:
            row = db.execute("SELECT sha256 FROM assets WHERE id = ?", (asset_id,)).fetchone()
            assert row is not None, f"{asset_id} was acknowledged before the backup, not restored"
            assert (restored / "blobs" / row[0][:2] / row[0]).read_bytes() == data
    finally:
        db.close()
