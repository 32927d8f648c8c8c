"""The processing job handler and its recovery hook (registered on import)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from satchel.assets.models import AssetStatus, FailureCode
from satchel.jobs.queue import RECOVERY
from satchel.jobs.registry import JobContext, JobStatus, job
from satchel.processing import service
from satchel.processing.processors.base import ProcessLimits
from satchel.processing.service import PROCESS_ASSET, queue_processing

# What the job queue says when it gives a job up (`satchel.jobs`): cancelled by someone,
# or anything else (its worker died too often, or it ran past the hard timeout).
CANCELLED = "cancelled"
ENRICH_ASSET = "skills.enrich"  # the handler lives in `satchel.skills.jobs`
ENRICH_PRIORITY = -10  # after every waiting upload's processing


def limits_for(runtime: Any) -> ProcessLimits:
    settings = runtime.settings
    return ProcessLimits(max_pixels=settings.max_image_pixels, seconds=settings.processing_seconds)


def mark_failed(runtime: Any, asset_id: str | None, why: str) -> None:
    """The job was abandoned (crashed, hung or cancelled): say so on the asset."""
    if asset_id is not None:
        code = (
            FailureCode.PROCESSING_CANCELLED
            if why == CANCELLED
            else FailureCode.PROCESSING_ABANDONED
        )
        service.mark_failed(runtime.db, asset_id=asset_id, reason=why, code=code)


@job(PROCESS_ASSET, on_give_up=mark_failed)
def process_asset(ctx: JobContext) -> JobStatus:
    if ctx.subject_id is None:
        return JobStatus.SKIPPED
    runtime = ctx.runtime
    try:
        outcome = service.process_asset(
            db=runtime.db,
            blobs=runtime.blobs,
            asset_id=ctx.subject_id,
            limits=limits_for(runtime),
            progress=ctx.progress,
        )
    finally:
        service.job_done(runtime.db, job_id=ctx.job_id)
    if outcome.status == service.GONE:
        return JobStatus.SKIPPED  # deleted meanwhile: not an error
    ctx.result = {"asset_id": ctx.subject_id, "status": outcome.status}
    if outcome.status == AssetStatus.FAILED:
        ctx.error = outcome.reason
        return JobStatus.FAILED
    if ctx.params.get("enrich", runtime.settings.run_enrichment):
        ctx.result["enrichment_job_id"] = queue_enrichment(runtime, ctx)
    return JobStatus.COMPLETED


def queue_enrichment(runtime: Any, ctx: JobContext) -> str:
    """Enrichment runs as a job of its own, after the derivatives are saved: slow OCR or
    transcription never holds up thumbnails."""
    from satchel.jobs import service as jobs

    with runtime.db.write_session() as session:
        job = jobs.create(
            session,
            kind=ENRICH_ASSET,
            owner_id=None,
            subject_id=ctx.subject_id,
            params={"skills": ctx.params["skills"]} if "skills" in ctx.params else {},
        )
        job_id = job.id
        session.commit()
    runtime.queue.enqueue(job_id, priority=ENRICH_PRIORITY)
    return job_id


def requeue_stuck_assets(runtime: Any) -> None:
    """Assets left pending or processing by a crash get a fresh job."""
    older = timedelta(seconds=runtime.settings.job_stale_seconds)
    with runtime.db.write_session() as session:
        created = [
            queue_processing(session, asset=a, actor_id=a.owner_id).id
            for a in service.stuck_assets(session, older_than=older)
        ]
        session.commit()
    runtime.queue.enqueue(*created)


RECOVERY.append(requeue_stuck_assets)
