"""Creating, claiming, finishing, cancelling and recovering job records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Conflict, NotFound
from satchel.ids import new_id
from satchel.jobs.models import TERMINAL, Job, JobState
from satchel.logs.context import current_request_id

# Called in the transaction that records a job completed or failed (webhooks' events).
FINISHED: list[Callable[[Session, Job], None]] = []


def create(
    session: Session,
    *,
    kind: str,
    owner_id: str | None,
    subject_id: str | None = None,
    params: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> Job:
    """Add a queued job to the caller's transaction; enqueue its id after the commit.
    It carries the id of the request that made it (or `request_id`) into its logs.

    `enqueued_at` is set here, to the moment of the commit that hands it to the queue, so
    enqueueing needs no second write; a job lost between commit and enqueue (a crash) is
    found by `stale` once that moment is older than the stale period, as any other."""
    now = utcnow()
    job = Job(
        request_id=request_id or current_request_id(),
        id=new_id("job"),
        kind=kind,
        owner_id=owner_id,
        subject_id=subject_id,
        params=params or {},
        status=JobState.QUEUED,
        created_at=now,
        enqueued_at=now,
    )
    session.add(job)
    return job


def get(session: Session, *, owner_id: str | None, job_id: str, for_update: bool = False) -> Job:
    stmt = select(Job).where(Job.id == job_id)
    if for_update:  # a claim updating the row meanwhile waits, or is waited for
        stmt = stmt.with_for_update()
    if owner_id is not None:
        stmt = stmt.where(Job.owner_id == owner_id)
    job = session.scalars(stmt).first()
    if job is None:
        raise NotFound(f"No job {job_id}.", code=Code.JOB_NOT_FOUND)
    return job


def list_jobs(
    session: Session,
    *,
    owner_id: str | None,
    status: str | None,
    kind: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Job], str | None]:
    stmt = select(Job)
    if owner_id is not None:
        stmt = stmt.where(Job.owner_id == owner_id)
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if cursor:
        stmt = stmt.where(Job.id < cursor)  # ids sort by creation time
    rows = list(session.scalars(stmt.order_by(Job.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return rows[:limit], rows[limit - 1].id if more else None


def claim(db: Database, *, job_id: str, stale_before: datetime) -> Job | None:
    """Mark the job running for this worker, or None when it is not ours to run.

    A queued job, or a running one whose worker stopped sending heartbeats (it died), may
    be claimed; the update is atomic, so a job delivered twice runs once at a time.
    """
    now = utcnow()
    with db.atomic_session() as session:
        if db.is_postgres:
            # A row another worker is claiming right now is skipped, not waited for: it
            # will be that worker's (or, if the claim fails, the next delivery's).
            row = session.scalar(
                select(Job.id).where(Job.id == job_id).with_for_update(skip_locked=True)
            )
            if row is None:
                session.rollback()
                return None
        claimed = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                or_(
                    Job.status == JobState.QUEUED,
                    (Job.status == JobState.RUNNING) & (Job.heartbeat_at < stale_before),
                ),
                Job.cancel_requested.is_(False),
            )
            .values(
                status=JobState.RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1
            )
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            job = session.get(Job, job_id)
            if job is not None and job.status == JobState.QUEUED and job.cancel_requested:
                job.status, job.finished_at = JobState.CANCELLED, now
            session.commit()
            return None
        session.commit()
        return session.get(Job, job_id)


def heartbeat(db: Database, *, job_id: str) -> None:
    with db.atomic_session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobState.RUNNING)
            .values(heartbeat_at=utcnow())
        )
        session.commit()


def report(db: Database, *, job_id: str, percent: int, message: str | None) -> bool:
    """Store progress; returns whether cancellation was requested."""
    with db.atomic_session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobState.RUNNING)
            .values(progress=percent, message=message, heartbeat_at=utcnow())
        )
        session.commit()
        return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def finish(
    db: Database,
    *,
    job_id: str,
    status: str,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    with db.atomic_session() as session:
        values: dict[str, Any] = {
            "status": status,
            "finished_at": utcnow(),
            "result": result,
            "error": error,
        }
        if status == JobState.COMPLETED:
            values["progress"] = 100
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        done = session.get(Job, job_id) if FINISHED else None
        if done is not None and status in (JobState.COMPLETED, JobState.FAILED):
            for hook in FINISHED:
                hook(session, done)
        session.commit()


def cancel(db: Database, *, owner_id: str | None, job_id: str) -> tuple[Job, bool]:
    """Cancel a queued job at once, a running one at its next progress report.

    Returns the job and whether it was cancelled just now (before it started).
    """
    with db.write_session() as session:
        job = get(session, owner_id=owner_id, job_id=job_id, for_update=True)
        if job.status in TERMINAL:
            if job.status == JobState.CANCELLED:
                return job, False
            raise Conflict(f"The job already {job.status}.", code=Code.JOB_NOT_CANCELLABLE)
        job.cancel_requested = True
        now_cancelled = job.status == JobState.QUEUED
        if now_cancelled:
            job.status, job.finished_at = JobState.CANCELLED, utcnow()
            job.message = "Cancelled before it started."
        session.commit()
        return job, now_cancelled


def mark_enqueued(db: Database, *, job_ids: list[str]) -> None:
    """Record that lost jobs were handed to the queue again (see `stale`)."""
    with db.atomic_session() as session:
        session.execute(update(Job).where(Job.id.in_(job_ids)).values(enqueued_at=utcnow()))
        session.commit()


def stale(db: Database, *, older_than: timedelta) -> list[str]:
    """Jobs that should be running but are not: lost with a dead worker, or lost before
    they reached the queue (a crash between commit and enqueue)."""
    limit = utcnow() - older_than
    lost_worker = (Job.status == JobState.RUNNING) & (Job.heartbeat_at < limit)
    never_queued = (
        (Job.status == JobState.QUEUED)
        & (Job.created_at < limit)
        & or_(Job.enqueued_at.is_(None), Job.enqueued_at < limit)
    )
    with db.session() as session:
        return list(
            session.scalars(select(Job.id).where(or_(lost_worker, never_queued)).limit(1000))
        )
