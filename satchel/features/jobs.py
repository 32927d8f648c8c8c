"""The feature install and uninstall job handlers (registered on import)."""

from __future__ import annotations

from satchel.features import service
from satchel.jobs.registry import JobContext, JobStatus, job


def _run(ctx: JobContext, action: str) -> JobStatus:
    b = service.bundle(str(ctx.params.get("bundle")))
    ctx.progress(5, f"{action.capitalize()}ing {b.name}")
    try:
        ctx.result = service.run_pip(action, b)
    except (RuntimeError, OSError) as exc:
        ctx.error = f"{b.id}: {exc}"
        return JobStatus.FAILED
    return JobStatus.COMPLETED


@job(service.INSTALL)
def install(ctx: JobContext) -> JobStatus:
    return _run(ctx, "install")


@job(service.UNINSTALL)
def uninstall(ctx: JobContext) -> JobStatus:
    return _run(ctx, "uninstall")
