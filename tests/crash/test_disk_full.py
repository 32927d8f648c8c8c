"""Disk full (issue 5): uploads that do not fit fail cleanly and leave nothing behind.

Two ways, both run:

- `test_disk_full_tmpfs`: a real `satchel serve` whose whole data folder (database, blobs,
  temporary files) is on a 16 MiB tmpfs mounted for the test (needs root; skipped
  otherwise). It is filled with uploads until one is refused, then filled to the last
  byte, then swept across the boundary where the bytes of an upload fit but the
  database's growth does not; finally space is freed and uploads succeed again.
- `test_disk_full_injected`: in process, ENOSPC injected where the blob store writes,
  fsyncs and renames, and SQLite's "database or disk is full" on the row's INSERT and in
  the job queue (a 202 is also right there, when the asset was stored).

Every refusal must be 507 `storage_full` (or 413 `asset_file_too_large`), with no asset
row, no blob file and no temporary file left for it; earlier assets stay readable.
"""

from __future__ import annotations

import errno
import os
import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select

from satchel.assets.models import Asset
from satchel.runtime import Runtime
from tests.conftest import ADMIN_KEY, upload
from tests.crash.harness import AUTH, Launcher, Store, inspect, png, server_env, sha256, text

pytestmark = pytest.mark.crash

REFUSED = {507: "storage_full", 413: "asset_file_too_large"}


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _fill(path: Path, leave: int = 0) -> None:
    """Write `path` until the file system has at most `leave` bytes free."""
    block = b"\0" * 65536
    with open(path, "ab") as fh:
        try:
            while _free(path.parent) > leave:
                fh.write(block[: max(4096, min(len(block), _free(path.parent) - leave))])
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


def _refusal_problems(
    response: httpx.Response, before: Store, after: Store, sha: str, what: str
) -> list[str]:
    """What a refused upload left behind, or how it was refused wrongly."""
    problems = []
    code = REFUSED.get(response.status_code)
    if code is None or response.json().get("error", {}).get("code") != code:
        problems.append(f"{what}: answered {response.status_code} {response.text[:200]}")
    if set(after.assets) != set(before.assets):
        problems.append(f"{what}: rows appeared: {sorted(set(after.assets) - set(before.assets))}")
    if sha in after.files and sha not in before.files:
        problems.append(f"{what}: its blob file {sha} was left in blobs/")
    new_orphans = after.orphan_files - before.orphan_files
    if new_orphans:
        problems.append(f"{what}: orphan blob files appeared: {sorted(new_orphans)}")
    if after.temp_files:
        problems.append(f"{what}: temporary files left: {after.temp_files}")
    problems += [f"{what}: {p}" for p in after.problems]
    return problems


def test_disk_full_tmpfs(tmp_path: Path, tmpfs: Path, launcher: Launcher) -> None:
    data = tmpfs / "data"
    env = server_env(data)
    rng = random.Random(20260505)
    findings: list[str] = []
    kept: dict[str, str] = {}  # asset id -> sha256
    big: list[str] = []
    refusals = 0
    server = launcher.start(data, env, workers=False, log_dir=tmp_path)
    # No keep-alive: a connection closed after an error must not fail the next request.
    limits = httpx.Limits(max_keepalive_connections=0)
    try:
        with httpx.Client(base_url=server.base, headers=AUTH, timeout=60, limits=limits) as client:

            def send(data_: bytes, name: str, ctype: str) -> httpx.Response:
                return client.post("/api/v1/assets", files={"file": (name, data_, ctype)})

            def try_upload(data_: bytes, name: str, ctype: str, what: str) -> bool:
                nonlocal refusals
                before = inspect(data)
                response = send(data_, name, ctype)
                if response.status_code == 202:
                    kept[response.json()["data"]["id"]] = sha256(data_)
                    return True
                refusals += 1
                findings.extend(
                    _refusal_problems(response, before, inspect(data), sha256(data_), what)
                )
                return False

            for i in range(4):
                item = png(rng, 8 + i, 8)
                assert try_upload(item, f"small{i}.png", "image/png", "small upload")

            # 1. Uploads of ~3 MiB until the 16 MiB are used up: one must be refused.
            for i in range(8):
                item = png(rng, 1024, 1000, noisy=True)
                if not try_upload(item, f"big{i}.png", "image/png", f"3 MiB upload {i}"):
                    break
                big.append(next(reversed(kept)))
            else:
                pytest.fail("16 MiB took eight 3 MiB uploads")
            assert refusals == 1, findings

            # 2. Not one byte left (a file outside the data folder takes the rest).
            filler = tmpfs / "filler"
            _fill(filler)
            for size in (100, 5_000, 300_000):
                item = text(rng, size)
                ok = try_upload(item, "full.txt", "text/plain", f"{size} B upload on a full disk")
                assert not ok, "an upload was stored on a disk with no byte free"
            for asset_id, sha in kept.items():  # reads still work
                got = client.get(f"/api/v1/assets/{asset_id}/raw")
                assert got.status_code == 200 and sha256(got.content) == sha, got.text[:200]

            # 3. The boundary: room for the upload's bytes but hardly for the database's
            # growth (its row, tags, job, references, full-text index).
            filler.unlink()
            for leave in (256, 160, 128, 96, 80, 64, 48, 40, 32, 24, 16, 8):
                _fill(filler, leave * 1024)
                item = text(rng, max(leave * 1024 - 12 * 1024, 2048))
                try_upload(
                    item, f"edge-{leave}k.txt", "text/plain", f"upload with {leave} KiB free"
                )
                filler.unlink()

            # 4. Space freed (the filler gone, one large asset deleted): uploads work again.
            gone = big.pop()
            assert client.delete(f"/api/v1/assets/{gone}?permanent=true").status_code == 200
            del kept[gone]
            item = png(rng, 1024, 1000, noisy=True)
            assert try_upload(item, "again.png", "image/png", "upload after freeing space"), (
                findings
            )
            for asset_id, sha in kept.items():
                got = client.get(f"/api/v1/assets/{asset_id}/raw")
                assert got.status_code == 200 and sha256(got.content) == sha, got.text[:200]
    finally:
        launcher.stop(server)

    # 5. After a restart on the freed disk: all still there, nothing partial anywhere.
    server = launcher.start(data, env, workers=False, log_dir=tmp_path)
    try:
        with httpx.Client(base_url=server.base, headers=AUTH, timeout=60) as client:
            for asset_id, sha in kept.items():
                got = client.get(f"/api/v1/assets/{asset_id}/raw")
                if got.status_code != 200 or sha256(got.content) != sha:
                    findings.append(f"after restart {asset_id}: {got.status_code}")
        store = inspect(data)
        findings += [f"after restart: {p}" for p in store.problems]
        if set(store.assets) != set(kept):
            findings.append(
                f"after restart the rows are {sorted(store.assets)}, not {sorted(kept)}"
            )
        if store.orphan_files:
            findings.append(f"after restart: orphan blob files {sorted(store.orphan_files)}")
    finally:
        launcher.stop(server)
    print(f"\ndisk full (tmpfs): {len(kept)} assets kept, {refusals} uploads refused")
    assert not findings, "\n".join(findings)


# -- ENOSPC injected, in process ---------------------------------------------------------


class _FullFile:
    """A raw file whose writes fail with ENOSPC once `budget` bytes have been written."""

    def __init__(self, raw: Any, budget: int) -> None:
        self._raw = raw
        self._budget = budget

    def write(self, data: Any) -> int:
        if len(data) > self._budget:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._budget -= len(data)
        return int(self._raw.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _enospc(*_: Any, **__: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _sqlite_full_error(*_: Any, **__: Any) -> Any:
    raise sqlite3.OperationalError("database or disk is full")


@contextmanager
def _sqlite_full(runtime: Runtime, table: str) -> Iterator[None]:
    """SQLite answers "database or disk is full" to INSERTs into `table` (as on a full disk)."""

    def refuse(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(runtime.db.engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", refuse)


@contextmanager
def _injected(m: pytest.MonkeyPatch, runtime: Runtime, where: str, how: Any) -> Iterator[None]:
    if where == "sqlite":
        with _sqlite_full(runtime, how):
            yield
        return
    if where == "queue":
        m.setattr(runtime.queue.huey.storage, "enqueue", _sqlite_full_error)
        yield
        return
    import satchel.blobs.local as local

    m.setattr(local.os, where, how)  # the blob store's os.fdopen / os.fsync / os.replace
    yield


def _state(runtime: Runtime) -> tuple[int, set[str], list[str]]:
    with runtime.db.session() as session:
        rows = int(session.scalar(select(func.count()).select_from(Asset)) or 0)
    blobs = {p.name for p in runtime.blobs.blob_dir.glob("*/*")}
    return rows, blobs, sorted(os.listdir(runtime.blobs.tmp_dir))


async def test_disk_full_injected(
    app: FastAPI, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unexpected exception must come back as the 500 a client would see, not be raised.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    ) as client:
        await _disk_full_injected(client, runtime, monkeypatch)


async def _disk_full_injected(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(5)
    earlier = {}
    for i in range(3):
        item = png(rng, 4 + i, 4)
        earlier[(await upload(client, item, filename=f"e{i}.png"))["data"]["id"]] = sha256(item)
    real_fdopen = os.fdopen

    def full_after(budget: int) -> Any:
        return lambda fd, *a, **k: _FullFile(real_fdopen(fd, *a, **k), budget)

    cases = {
        "ENOSPC in the middle of the body": ("fdopen", full_after(64 * 1024)),
        "ENOSPC at the first byte": ("fdopen", full_after(0)),
        "ENOSPC at fsync": ("fsync", _enospc),
        "ENOSPC at rename": ("replace", _enospc),
        "SQLITE_FULL on the asset row": ("sqlite", "assets"),
        "SQLITE_FULL on the blob row": ("sqlite", "blobs"),
        # After the row's commit: the job queue (huey's own SQLite file) is full.
        "SQLITE_FULL in the job queue": ("queue", None),
    }
    findings = []
    for what, (where, how) in cases.items():
        item = b"lane disk-full " + what.encode() + b"\n" + text(rng, 200_000)
        rows, blobs, _temps = _state(runtime)
        with monkeypatch.context() as m, _injected(m, runtime, where, how):
            response = await client.post(
                "/api/v1/assets", files={"file": ("full.txt", item, "text/plain")}
            )
        rows_after, blobs_after, temps_after = _state(runtime)
        if response.status_code == 202 and where == "queue" and rows_after == rows + 1:
            # Stored and told so; its processing is late, not lost.
            await client.delete(f"/api/v1/assets/{response.json()['data']['id']}?permanent=true")
            continue
        code = REFUSED.get(response.status_code)
        if code is None or response.json().get("error", {}).get("code") != code:
            findings.append(f"{what}: answered {response.status_code} {response.text[:160]}")
        if rows_after != rows:
            findings.append(f"{what}: {rows_after - rows} asset row(s) appeared")
        if blobs_after - blobs and rows_after == rows:
            findings.append(f"{what}: blob file(s) left: {sorted(blobs_after - blobs)}")
        if temps_after:
            findings.append(f"{what}: temporary files left: {temps_after}")
        # Space back: the same upload is stored.
        again = await client.post(
            "/api/v1/assets", files={"file": ("full.txt", item, "text/plain")}
        )
        if again.status_code != 202:
            findings.append(f"{what}: the retry answered {again.status_code} {again.text[:160]}")
    for asset_id, sha in earlier.items():
        got = await client.get(f"/api/v1/assets/{asset_id}/raw")
        assert got.status_code == 200 and sha256(got.content) == sha
    assert not findings, "\n".join(findings)
