"""Queued runs on workers: the job handler (found through the `satchel.jobs` entry
points), and the sweep that expires old workspaces."""

from __future__ import annotations

import shutil
from typing import Any

from satchel.errors import SatchelError
from satchel.jobs.models import JobState
from satchel.jobs.queue import NODE_SWEEPS
from satchel.jobs.registry import JobCancelled, JobContext, JobStatus, job
from satchel.runs import service, workspaces
from satchel.runs.service import RUN_TOOL


@job(RUN_TOOL)
def run_tool(ctx: JobContext) -> JobStatus:
    runtime = ctx.runtime
    shared = runtime.blobs.shared_files
    try:
        ws = workspaces.open_workspace(runtime.settings.data_dir, ctx.params["workspace"], shared)
    except SatchelError as exc:
        ctx.error = exc.message
        return JobStatus.FAILED
    try:
        return _run(ctx, ws)
    finally:  # scale-out: the outcome (and outputs) where every API node finds them
        workspaces.publish(ws, shared, parts=("out",))


def _run(ctx: JobContext, ws: workspaces.Workspace) -> JobStatus:
    runtime = ctx.runtime
    owner = ws.manifest().get("owner_id")
    try:
        plan, request = service.from_params(runtime, ctx.params)
        request.inputs = workspaces.here(ws, request.inputs)
        manifest = service.execute(
            runtime, ws, plan=plan, request=request, queued=True, report=ctx.progress
        )
        if owner:
            manifest = service.save_results(
                runtime, ws, owner_id=owner, request=request, manifest=manifest
            )
    except JobCancelled:
        # The sandbox process was killed mid-write: what it left in out/ is partial.
        shutil.rmtree(ws.outputs, ignore_errors=True)
        ws.write_manifest(status=JobState.CANCELLED)
        raise
    except SatchelError as exc:
        ws.write_manifest(status=JobState.FAILED, error={"code": exc.code, "message": exc.message})
        ctx.error = f"{exc.code}: {exc.message}"
        return JobStatus.FAILED
    ctx.result = service.view(ws, manifest, base="")
    return JobStatus.COMPLETED


def sweep_workspaces(runtime: Any) -> None:
    """Tool results expire: remove workspaces untouched for `tool_workspace_seconds`
    (run by the workers' recovery sweep, at their start and then every half minute)."""
    workspaces.sweep(
        runtime.settings.data_dir,
        older_than=runtime.settings.tool_workspace_seconds,
        shared=runtime.blobs.shared_files,
    )


NODE_SWEEPS.append(sweep_workspaces)
