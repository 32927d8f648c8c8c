"""Slow tool runs and pipelines on workers: the job handler (registered on import)."""

from __future__ import annotations

from typing import Any

from satchel.errors import SatchelError
from satchel.jobs.queue import RECOVERY
from satchel.jobs.registry import JobContext, JobStatus, job
from satchel.tools import registry, runner, service
from satchel.tools import workspace as workspaces
from satchel.tools.base import InputFile, Inputs

RUN_TOOL = "tools.run"


def _file(f: InputFile) -> list[str]:
    return [str(f.path), f.name, f.media_type]


def request_params(
    ws: workspaces.Workspace, tool_id: str, built: service.Request, *, pipeline: list[Any] | None
) -> dict[str, Any]:
    """Everything a worker needs to redo the request (the inputs are in the workspace)."""
    return {
        "workspace": ws.id,
        "tool_id": tool_id,
        "pipeline": pipeline,
        "settings": built.raw_settings,
        "files": [_file(f) for f in built.inputs.files],
        "extras": {k: _file(f) for k, f in built.inputs.extras.items()},
        "save": built.save,
        "save_parent": built.save_parent,
    }


def _request(params: dict[str, Any]) -> service.Request:
    def inp(row: list[str]) -> InputFile:
        from pathlib import Path

        return InputFile(Path(row[0]), row[1], row[2])

    return service.Request(
        inputs=Inputs(
            tuple(inp(r) for r in params["files"]),
            {k: inp(v) for k, v in params["extras"].items()},
        ),
        raw_settings=params.get("settings") or {},
        save=params.get("save"),
        save_parent=params.get("save_parent"),
    )


def _fail(ctx: JobContext, ws: workspaces.Workspace, exc: SatchelError) -> JobStatus:
    ws.write_manifest(status="failed", error={"code": exc.code, "message": exc.message})
    ctx.error = f"{exc.code}: {exc.message}"
    return JobStatus.FAILED


@job(RUN_TOOL)
def run_tool(ctx: JobContext) -> JobStatus:
    runtime = ctx.runtime
    params = ctx.params
    try:
        ws = workspaces.open_workspace(runtime.settings.data_dir, params["workspace"])
    except SatchelError as exc:
        ctx.error = exc.message
        return JobStatus.FAILED
    owner = ws.manifest().get("owner_id")
    built = _request(params)
    try:
        if params.get("pipeline") is not None:
            steps = runner.plan_pipeline(
                params["pipeline"], max_steps=runtime.settings.max_pipeline_steps
            )
            limits = service.limits_of(runtime)
            manifest = service.run_into(
                runtime,
                ws,
                run=lambda out: runner.run_pipeline(
                    steps, built.inputs.first, workdir=out, limits=limits, report=ctx.progress
                ),
                tool_id="pipeline",
                inputs=built.inputs,
            )
        else:
            tool = registry.get(params["tool_id"])
            manifest = service.run_tool(runtime, ws, tool=tool, request=built, report=ctx.progress)
        if owner:
            manifest = service.save_results(
                runtime, ws, owner_id=owner, request=built, manifest=manifest
            )
    except SatchelError as exc:
        return _fail(ctx, ws, exc)
    ctx.result = service.view(ws, manifest, base="")
    return JobStatus.COMPLETED


def sweep_workspaces(runtime: Any) -> None:
    """Tool results expire: remove workspaces untouched for `tool_workspace_seconds`
    (run by the workers' recovery sweep, at their start and then every half minute)."""
    workspaces.sweep(runtime.settings.data_dir, older_than=runtime.settings.tool_workspace_seconds)


RECOVERY.append(sweep_workspaces)
