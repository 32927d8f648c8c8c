"""The durable queue (huey over SQLite or Redis) and the worker threads that drain it.

huey stores and delivers job ids; our own `jobs` table holds state and progress. Workers
are plain threads calling `dequeue`/`execute`, so they run inside `satchel serve` as well
as in `satchel worker` (huey's own consumer wants the main thread for its signals).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from satchel.config import Settings
from satchel.db import Database
from satchel.jobs import backend, leases, registry, service
from satchel.jobs.models import JobState
from satchel.jobs.registry import GIVE_UP, HANDLERS, JobCancelled, JobContext, JobStatus
from satchel.logs.context import JOB_ID, REQUEST_ID
from satchel.metrics.counters import JOB_DURATION, JOBS_FINISHED, WORKERS

if TYPE_CHECKING:
    from huey.api import Huey

log = logging.getLogger("satchel.jobs")


class Queue:
    """Enqueue job ids; run them with `Workers`."""

    def __init__(self, settings: Settings, db: Database, runtime_ref: Callable[[], Any]) -> None:
        self.settings = settings
        self.db = db
        self._runtime = runtime_ref
        url = settings.queue_url
        self.mode = "redis" if url and url.startswith("redis") else "sqlite"
        self.huey: Huey
        # huey's Redis storage has no priorities (first in, first out): background work
        # gets a second Redis queue there, read only when the first is empty. Without it
        # each photo's processing waited behind the AI enrichment of every earlier upload
        # (bench scale_out: 0.7 photos-to-ready/s on PostgreSQL + Redis, 17.8 on SQLite).
        self.background: Huey | None = None
        if url and self.mode == "redis":
            self.huey = backend.redis_huey("satchel", url=url)
            self.background = backend.redis_huey("satchel-background", url=url)
        else:
            path = settings.data_dir / "queue.db"
            self.huey = backend.sqlite_huey("satchel", path=path)
        self._task = self.huey.task(name="satchel.run_job")(self._run)
        self._later = (
            self.background.task(name="satchel.run_job")(self._run) if self.background else None
        )

    def enqueue(self, *job_ids: str, priority: int | None = None, again: bool = False) -> None:
        """Call after the transaction that created the jobs has committed (`again` for
        jobs found lost, which records the new hand-over; see `service.stale`). Workers take
        higher priorities first; background work such as AI enrichment passes a negative
        one so it never holds up thumbnails (on Redis: the background queue)."""
        for job_id in job_ids:
            if self._later is not None and priority is not None and priority < 0:
                self._later(job_id)
            elif self.mode == "redis":
                self._task(job_id)
            else:
                self._task(job_id, priority=priority)
        if again and job_ids:
            service.mark_enqueued(self.db, job_ids=list(job_ids))

    def take(self) -> tuple[Huey, Any] | None:
        """The next task and the huey that runs it: the main queue first, then (Redis) the
        background one; None when both are empty."""
        task = self.huey.dequeue()
        if task is not None:
            return self.huey, task
        if self.background is not None and (task := self.background.dequeue()) is not None:
            return self.background, task
        return None

    def close(self) -> None:
        """Close the queue's connections (huey keeps one per thread)."""
        self.huey.storage.close()
        if self.background is not None:
            self.background.storage.close()

    def pending(self) -> int:
        later = self.background.pending_count() if self.background is not None else 0
        return int(self.huey.pending_count()) + int(later)

    def ping(self) -> bool:
        try:
            self.huey.pending_count()
        except Exception:
            return False
        return True

    def _run(self, job_id: str) -> None:
        runtime = self._runtime()
        workers = runtime.workers
        execute(runtime, job_id, hard_timeout=workers.hard_timeout if workers else None)


MAX_ATTEMPTS = 3  # a job whose worker died this many times is not tried again


def give_up(runtime: Any, *, job_id: str, kind: str, subject_id: str | None, why: str) -> None:
    # The subject first: whoever sees the job end then finds the subject already updated.
    hook = GIVE_UP.get(kind)
    if hook is not None:
        hook(runtime, subject_id, why)
    service.finish(runtime.db, job_id=job_id, status=JobState.FAILED, error=why)


def execute(runtime: Any, job_id: str, *, hard_timeout: float | None = None) -> None:
    """Run one job to an end state; never raises (a job's failure is recorded on it).

    With `hard_timeout` (dedicated worker processes only) a job still running after that
    many seconds is failed and the process exits, since a call stuck in C cannot be
    interrupted; its supervisor starts a fresh one.
    """
    registry.load()
    db: Database = runtime.db
    stale_seconds = runtime.settings.job_stale_seconds
    job = service.claim(db, job_id=job_id, stale_before=_now_minus(stale_seconds))
    if job is None:
        return
    tokens = (REQUEST_ID.set(job.request_id), JOB_ID.set(job_id))
    try:
        _execute(runtime, job, hard_timeout=hard_timeout)
    finally:
        REQUEST_ID.reset(tokens[0])
        JOB_ID.reset(tokens[1])


def _execute(runtime: Any, job: Any, *, hard_timeout: float | None) -> None:
    db: Database = runtime.db
    job_id: str = job.id
    stale_seconds = runtime.settings.job_stale_seconds
    if job.attempts > MAX_ATTEMPTS:
        why = f"the worker stopped while running this job {MAX_ATTEMPTS} times"
        give_up(runtime, job_id=job_id, kind=job.kind, subject_id=job.subject_id, why=why)
        return
    handler = HANDLERS.get(job.kind)
    if handler is None:
        service.finish(
            db, job_id=job_id, status=JobState.FAILED, error=f"no handler for {job.kind}"
        )
        return
    last = [0.0]

    def report(percent: int, message: str | None) -> None:
        now = time.monotonic()
        if percent < 100 and now - last[0] < 0.2:
            return
        last[0] = now
        if service.report(db, job_id=job_id, percent=percent, message=message):
            raise JobCancelled

    stop = threading.Event()

    deadline = time.monotonic() + hard_timeout if hard_timeout else None

    def beat() -> None:  # a long step without progress reports must not look dead
        while not stop.wait(max(min(stale_seconds / 3, 10.0), 0.2)):
            if deadline is not None and time.monotonic() > deadline:
                why = f"the job did not finish within {hard_timeout:.0f} seconds"
                log.error("job %s: %s; failing it and restarting the worker", job_id, why)
                give_up(runtime, job_id=job_id, kind=job.kind, subject_id=job.subject_id, why=why)
                os._exit(3)
            service.heartbeat(db, job_id=job_id)

    beater = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    beater.start()
    ctx = JobContext(
        runtime=runtime,
        job_id=job_id,
        subject_id=job.subject_id,
        params=dict(job.params),
        report=report,
    )
    started, outcome = time.monotonic(), JobState.FAILED.value
    try:
        status = handler(ctx)
        outcome = status.value
        service.finish(
            db,
            job_id=job_id,
            status=status.value,
            result=ctx.result or None,
            error=ctx.error if status is JobStatus.FAILED else None,
        )
    except JobCancelled:
        if (hook := GIVE_UP.get(job.kind)) is not None:
            hook(runtime, job.subject_id, "cancelled")
        service.finish(db, job_id=job_id, status=JobState.CANCELLED, error="cancelled")
        outcome = JobState.CANCELLED.value
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        service.finish(
            db,
            job_id=job_id,
            status=JobState.FAILED,
            error=f"unexpected error: {type(exc).__name__}",
        )
    finally:
        stop.set()
        beater.join(timeout=5)
        JOBS_FINISHED.labels(job.kind, outcome).inc()
        JOB_DURATION.labels(job.kind, outcome).observe(time.monotonic() - started)


def _now_minus(seconds: float) -> Any:
    from satchel.db import utcnow

    return utcnow() - timedelta(seconds=seconds)


class Workers:
    """Threads that take job ids off the queue and run them, plus a recovery sweep."""

    def __init__(self, runtime: Any, *, count: int, hard_timeout: float | None = None) -> None:
        self.runtime = runtime
        self.count = count
        self.hard_timeout = hard_timeout
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        registry.load()
        self.recover()
        WORKERS.inc(self.count)
        for i in range(self.count):
            thread = threading.Thread(target=self._loop, name=f"satchel-worker-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        sweeper = threading.Thread(target=self._sweep, name="satchel-recovery", daemon=True)
        sweeper.start()
        self._threads.append(sweeper)
        if TICKERS:
            ticker = threading.Thread(target=self._tick, name="satchel-ticker", daemon=True)
            ticker.start()
            self._threads.append(ticker)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._threads:
            WORKERS.dec(self.count)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.1))
        self._threads.clear()

    def _loop(self) -> None:
        queue: Queue = self.runtime.queue
        idle = 0.05
        while not self._stop.is_set():
            try:
                taken = queue.take()
            except Exception:
                log.exception("the queue could not be read")
                taken = None
            if taken is None:
                self._stop.wait(idle)
                idle = min(idle * 2, 0.5)
                continue
            idle = 0.05
            huey, task = taken
            try:
                huey.execute(task)
            except Exception:
                log.exception("a queued task failed outside its job")

    def recover(self) -> int:
        """Re-enqueue lost jobs and give stuck subjects a new start (see `RECOVERY`)."""
        seconds = self.runtime.settings.job_stale_seconds
        ids = service.stale(self.runtime.db, older_than=timedelta(seconds=seconds))
        if ids:
            log.info("re-enqueueing %d lost jobs", len(ids))
            self.runtime.queue.enqueue(*ids, again=True)
        for hook in RECOVERY:
            hook(self.runtime)
        for hook in NODE_SWEEPS:
            hook(self.runtime)
        return len(ids)

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            for hook in TICKERS:
                try:
                    hook(self.runtime)
                except Exception:
                    log.exception("periodic %s failed", getattr(hook, "__name__", hook))

    def _sweep(self) -> None:
        # Recovery at start is this process's own (it may be the only one); after that,
        # the cluster's: whichever process takes the period's lease runs it.
        interval = max(self.runtime.settings.job_stale_seconds / 2, 1.0)
        while not self._stop.wait(interval):
            try:
                self.periodic(interval)
            except Exception:
                log.exception("recovery sweep failed")

    def periodic(self, interval: float) -> None:
        """One tick: the recovery sweep and each `PERIODIC` task whose lease is free."""
        db = self.runtime.db
        if leases.take(db, name="recovery", seconds=interval * 0.9):
            self.recover()
        else:
            for hook in NODE_SWEEPS:
                hook(self.runtime)
        for task in PERIODIC:
            every = task.every(self.runtime.settings)
            if every > 0 and leases.take(db, name=task.name, seconds=every):
                log.info("periodic %s", task.name)
                task.run(self.runtime)


# Capabilities add checks here for subjects stuck without a live job (assets in `pending`);
# they run once per sweep across the cluster (under the `recovery` lease).
RECOVERY: list[Callable[[Any], None]] = []
# Sweeps of this node's own folders, run by every worker process.
NODE_SWEEPS: list[Callable[[Any], None]] = []


@dataclass(frozen=True)
class Periodic:
    """Work that runs once per `every(settings)` seconds across the cluster (0: never)."""

    name: str
    every: Callable[[Settings], float]
    run: Callable[[Any], None]


PERIODIC: list[Periodic] = []
# Short periodic work (due webhook deliveries), run every `TICK_SECONDS` by each worker.
TICKERS: list[Callable[[Any], None]] = []
TICK_SECONDS = 0.5
