"""A worker killed mid-job: after a restart the job runs again and the asset gets ready."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import pyvips

from satchel.config import Settings
from satchel.runtime import Runtime
from tests.conftest import ADMIN_KEY, upload
from tests.jobs.helpers import wait_for_asset, wait_for_job


@pytest.fixture(scope="module")
def slow_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 25 MP interlaced noise PNG: about a second of real decoding work."""
    path = tmp_path_factory.mktemp("slow") / "noise.png"
    noise = pyvips.Image.gaussnoise(5000, 5000, mean=128, sigma=60).cast("uchar")
    rgb = noise.bandjoin([noise.flip("horizontal"), noise.flip("vertical")])
    rgb.write_to_file(str(path), compression=0, interlace=True, filter=0)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
        base_url="http://testserver",
        job_stale_seconds=1.5,
    )


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SATCHEL_DATA_DIR": str(settings.data_dir),
        "SATCHEL_ADMIN_API_KEY": ADMIN_KEY,
        "SATCHEL_JOB_STALE_SECONDS": "1.5",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "satchel.cli", "worker", "--count", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_killed_worker_job_is_run_again(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, slow_png: Path
) -> None:
    body = await upload(client, slow_png)
    asset_id, job_id = body["data"]["id"], body["meta"]["job_id"]
    first = start_worker(settings)
    try:
        await wait_for_job(client, job_id, statuses=("running", "completed"), within=60)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
    assert job["status"] == "running", "the job ended before the kill; the file is too easy"
    assert (await client.get(f"/api/v1/assets/{asset_id}")).json()["data"]["status"] in (
        "pending",
        "processing",
    )
    second = start_worker(settings)
    try:
        asset = await wait_for_asset(client, asset_id, within=120)
        assert asset["status"] == "ready" and asset["width"] == 5000
        # The asset turns ready a moment before its job records the end.
        job = await wait_for_job(client, job_id, statuses=("completed", "failed"))
        assert job["status"] == "completed" and job["attempts"] == 2
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0


async def test_a_job_that_keeps_killing_its_worker_is_given_up(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """After three dead attempts the job fails, and the asset says why."""
    from sqlalchemy import update

    from satchel.db import utcnow
    from satchel.jobs.models import Job
    from tests.conftest import make_png

    body = await upload(client, make_png(seed=90))
    with runtime.db.session() as s:
        s.execute(
            update(Job)
            .where(Job.id == body["meta"]["job_id"])
            .values(status="running", attempts=3, heartbeat_at=utcnow().replace(year=2000))
        )
        s.commit()
    runtime.start_workers(1)
    deadline = time.monotonic() + 30
    while (job := (await client.get(f"/api/v1/jobs/{body['meta']['job_id']}")).json()["data"])[
        "status"
    ] != "failed":
        assert time.monotonic() < deadline
        runtime.workers.recover()  # type: ignore[union-attr]
        await asyncio.sleep(0.1)
    assert "3 times" in job["error"]
    asset = (await client.get(f"/api/v1/assets/{body['data']['id']}")).json()["data"]
    assert asset["status"] == "failed" and "3 times" in asset["failure_reason"]


async def test_a_job_lost_between_commit_and_enqueue_is_found(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Creating a job marks its hand-over to the queue in the same transaction (no second
    write); a job whose hand-over never happened (a crash after the commit) is re-enqueued
    once that moment is older than the stale period, and a fresh one is left alone."""
    from datetime import timedelta

    from satchel.db import utcnow
    from satchel.jobs import service
    from satchel.jobs.models import Job
    from satchel.processing.service import PROCESS_ASSET
    from tests.conftest import make_png

    body = await upload(client, make_png(seed=91))
    fresh = body["meta"]["job_id"]
    with runtime.db.session() as s:
        job = s.get(Job, fresh)
        assert job is not None and job.enqueued_at == job.created_at
    assert fresh not in service.stale(runtime.db, older_than=timedelta(seconds=60))
    with runtime.db.write_session() as s:
        lost = service.create(s, kind=PROCESS_ASSET, owner_id=None, subject_id=body["data"]["id"])
        lost.created_at = lost.enqueued_at = utcnow() - timedelta(minutes=5)
        s.commit()
        lost_id = lost.id
    assert lost_id in service.stale(runtime.db, older_than=timedelta(seconds=60))
    runtime.start_workers(1)
    runtime.workers.recover()  # type: ignore[union-attr]
    with runtime.db.session() as s:
        again = s.get(Job, lost_id)
        assert again is not None and again.enqueued_at is not None
        assert again.enqueued_at > utcnow() - timedelta(minutes=1)
