"""`/jobs`: job records, cancellation, and progress as Server-Sent Events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.responses import StreamingResponse

from satchel.api.deps import ReadUser, RuntimeDep, SessionDep, WriteUser
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.jobs import registry, service
from satchel.jobs.models import TERMINAL, Job
from satchel.jobs.registry import GIVE_UP

router = APIRouter(tags=["jobs"])

POLL_SECONDS = 0.2
KEEPALIVE_SECONDS = 15.0


class JobOut(BaseModel):
    id: str
    kind: str
    subject_id: str | None
    status: str
    progress: int
    message: str | None
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    request_id: str | None = None  # the request that made it (its X-Request-Id)
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: Job) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


def _owner(principal: Principal) -> str | None:
    return principal.owner_filter("files:all")


@router.get("/jobs", summary="Your jobs, newest first")
def list_jobs(
    session: SessionDep,
    principal: ReadUser,
    status: str | None = None,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Envelope[list[JobOut]]:
    rows, next_cursor = service.list_jobs(
        session, owner_id=_owner(principal), status=status, kind=kind, limit=limit, cursor=cursor
    )
    return envelope(
        [job_out(j) for j in rows], next_cursor=next_cursor, has_more=next_cursor is not None
    )


@router.get("/jobs/{job_id}", summary="One job")
def get_job(job_id: str, session: SessionDep, principal: ReadUser) -> Envelope[JobOut]:
    return envelope(job_out(service.get(session, owner_id=_owner(principal), job_id=job_id)))


@router.post("/jobs/{job_id}/cancel", summary="Cancel a job (idempotent)")
def cancel_job(job_id: str, runtime: RuntimeDep, principal: WriteUser) -> Envelope[JobOut]:
    job, now = service.cancel(runtime.db, owner_id=_owner(principal), job_id=job_id)
    registry.load()  # the give-up hooks register on import; no worker may have run here yet
    if now and (hook := GIVE_UP.get(job.kind)) is not None:
        hook(runtime, job.subject_id, "cancelled")  # queued: now; running: when it stops
    return envelope(job_out(job))


def _event(job: Job) -> bytes:
    body: dict[str, Any] = {"progress": job.progress, "status": job.status}
    if job.message:
        body["message"] = job.message
    if job.status in TERMINAL:
        if job.error:
            body["error"] = job.error
        if job.result:
            body["result"] = job.result
    return f"data: {json.dumps(body)}\n\n".encode()


@router.get(
    "/jobs/{job_id}/progress",
    summary="Progress as Server-Sent Events until the job ends",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def progress(
    job_id: str, request: Request, runtime: RuntimeDep, principal: ReadUser
) -> StreamingResponse:
    owner = _owner(principal)

    def load() -> Job:
        with runtime.db.session() as session:
            return service.get(session, owner_id=owner, job_id=job_id)

    first = await run_in_threadpool(load)  # a missing job is a 404 before the stream opens

    async def events() -> AsyncIterator[bytes]:
        job, last, quiet = first, None, 0.0
        while True:
            state = (job.status, job.progress, job.message)
            if state != last:
                yield _event(job)
                last, quiet = state, 0.0
            if job.status in TERMINAL or await request.is_disconnected():
                return
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            if quiet >= KEEPALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet = 0.0
            job = await run_in_threadpool(load)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
