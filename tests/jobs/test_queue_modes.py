"""The same job behaviour on both queues: SQLite in the data folder, and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from satchel.api.app import create_app
from satchel.config import Settings
from satchel.db import utcnow
from satchel.jobs.models import Job
from satchel.runtime import Runtime, start
from tests.conftest import ADMIN_KEY, make_png, upload
from tests.jobs.helpers import wait_for_asset, wait_for_job
from tests.servers import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def queued_runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    if url:  # a fresh database per test: empty the shared Redis queue too
        import redis

        redis.Redis.from_url(url).flushdb()
    settings = Settings(
        data_dir=tmp_path / "data",
        admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
        base_url="http://testserver",
        queue_url=url,
        job_stale_seconds=1.0,
    )
    runtime = start(settings)
    assert runtime.queue.mode == request.param
    yield runtime
    runtime.close()


@pytest.fixture
async def qclient(queued_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(queued_runtime.settings, queued_runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    ) as c:
        yield c


async def test_upload_is_processed(qclient: httpx.AsyncClient, queued_runtime: Runtime) -> None:
    assert queued_runtime.queue.ping()
    queued_runtime.start_workers(2)
    made = [await upload(qclient, make_png(30, 20, seed=100 + i)) for i in range(5)]
    for body in made:
        asset = await wait_for_asset(qclient, body["data"]["id"])
        assert asset["status"] == "ready" and asset["thumb_url"]
    health = (await qclient.get("/api/v1/admin/health")).json()["data"]["queue"]
    assert health["mode"] == queued_runtime.queue.mode and health["reachable"]


async def test_queued_jobs_survive_a_restart_of_the_workers(
    qclient: httpx.AsyncClient, queued_runtime: Runtime
) -> None:
    body = await upload(qclient, make_png(seed=110))  # queued while no worker runs
    assert queued_runtime.queue.pending() >= 1
    queued_runtime.start_workers(1)
    asset = await wait_for_asset(qclient, body["data"]["id"])
    assert asset["status"] == "ready"


async def test_a_lost_running_job_is_picked_up_again(
    qclient: httpx.AsyncClient, queued_runtime: Runtime
) -> None:
    body = await upload(qclient, make_png(seed=120))
    job_id = body["meta"]["job_id"]
    # As a worker that died mid-job leaves it: running, its queue entry consumed.
    queued_runtime.queue.huey.flush()
    with queued_runtime.db.session() as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="running", attempts=1, heartbeat_at=utcnow().replace(year=2001))
        )
        s.commit()
    queued_runtime.start_workers(1)  # its start-up sweep finds the job
    job = await wait_for_job(qclient, job_id, statuses=("completed",))
    assert job["attempts"] == 2


async def test_cancel_then_nothing_runs(
    qclient: httpx.AsyncClient, queued_runtime: Runtime
) -> None:
    body = await upload(qclient, make_png(seed=130))
    await qclient.post(f"/api/v1/jobs/{body['meta']['job_id']}/cancel")
    queued_runtime.start_workers(1)
    job = await wait_for_job(qclient, body["meta"]["job_id"], statuses=("cancelled",))
    assert job["attempts"] == 0


def test_background_work_waits_behind_processing_on_either_queue(
    queued_runtime: Runtime,
) -> None:
    """A later upload's processing is taken before an earlier enrichment job, on SQLite by
    priority and on Redis (which has no priorities) from a background queue of its own;
    both are counted as pending."""
    from satchel.processing.jobs import ENRICH_PRIORITY

    queue = queued_runtime.queue
    queue.enqueue("job_enrich_1", "job_enrich_2", priority=ENRICH_PRIORITY)
    queue.enqueue("job_process")
    assert queue.pending() == 3
    order = []
    while (taken := queue.take()) is not None:
        order.append(taken[1].args[0])
    assert order == ["job_process", "job_enrich_1", "job_enrich_2"]
    assert queue.pending() == 0
