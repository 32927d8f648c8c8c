"""Claims, leases and the writer turn hold across processes and nodes, on both engines."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from satchel.db import utcnow
from satchel.jobs import leases, service
from satchel.jobs.models import Job, JobState
from satchel.jobs.queue import PERIODIC, Periodic, Workers
from satchel.runtime import Runtime, start


def race(count: int, fn: Callable[[], Any]) -> list[Any]:
    """`fn` in `count` threads released at once; their results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_a_job_delivered_to_many_workers_is_claimed_once(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        job = service.create(session, kind="test.noop", owner_id=None)
        session.commit()
    stale = utcnow()
    claims = race(8, lambda: service.claim(runtime.db, job_id=job.id, stale_before=stale))
    assert sum(c is not None for c in claims) == 1
    with runtime.db.session() as session:
        row = session.get(Job, job.id)
        assert row is not None and row.status == JobState.RUNNING and row.attempts == 1


def test_a_lease_is_taken_once_until_it_expires(runtime: Runtime) -> None:
    won = race(8, lambda: leases.take(runtime.db, name="t-race", seconds=60))
    assert won.count(True) == 1
    assert not leases.take(runtime.db, name="t-race", seconds=60)
    assert leases.take(runtime.db, name="t-short", seconds=0)
    assert leases.take(runtime.db, name="t-short", seconds=60)  # the first had expired
    assert leases.runs(runtime.db, name="t-race") == 1
    assert leases.runs(runtime.db, name="t-short") == 2
    assert leases.runs(runtime.db, name="never") == 0


def test_periodic_work_runs_once_per_period_across_nodes(runtime: Runtime) -> None:
    """Two runtimes over one database (two nodes) tick together: each period runs once."""
    other = start(runtime.settings)
    ran: list[str] = []
    task = Periodic("t-periodic", lambda _settings: 3600.0, lambda rt: ran.append("x"))
    PERIODIC.append(task)
    try:
        nodes = [Workers(rt, count=0) for rt in (runtime, other, runtime, other)]
        race(4, lambda: [w.periodic(60.0) for w in nodes])
    finally:
        PERIODIC.remove(task)
        other.close()
    assert ran == ["x"] * 1
    assert leases.runs(runtime.db, name="t-periodic") == 1
    assert leases.runs(runtime.db, name="recovery") == 1


def test_a_write_turn_is_one_at_a_time(runtime: Runtime) -> None:
    """While one write session holds the turn, another that will not wait gets none."""
    db = runtime.db
    with db.write_session() as session:
        session.execute(Job.__table__.select().limit(1))
        seen: list[object] = []

        def probe() -> None:
            with db.try_write_session() as other:
                seen.append(other)

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join(30)
        assert seen == [None]
    with db.try_write_session() as free:
        assert free is not None
