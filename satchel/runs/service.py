"""Running tools and pipelines for callers: the catalog as the API shows it, one run in
the sandbox into a workspace (the same path for a tool, an action, a pipeline, a batch
item and a queued run), results saved as assets on request, slow runs queued."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satchel.codes import Code
from satchel.errors import Invalid, SatchelError
from satchel.jobs import service as jobs
from satchel.jobs.models import JobState
from satchel.metrics.counters import TOOL_DURATION, TOOL_RUNS
from satchel.preferences import service as preferences
from satchel.runs import sandbox, workspaces
from satchel.runs.batch import BatchStream, stream_batch
from satchel.runs.requests import Request
from satchel.runs.wire import (
    inputs_from_wire,
    inputs_to_wire,
    limits_to_wire,
    result_from_wire,
)
from satchel.runs.workspaces import Workspace
from satchel.runtime import Runtime
from satchel.tools import registry, runner
from satchel.tools.base import InputFile, Inputs, OutputFile, Tool, ToolLimits, ToolResult
from satchel.uploads.outputs import save_output

Report = Callable[[int, str | None], None]
RUN_TOOL = "tools.run"  # the job kind of a queued run (its handler: `satchel.runs.jobs`)


def disabled_tools(runtime: Runtime) -> frozenset[str]:
    with runtime.db.session() as session:
        value = preferences.get_value(session, "disabledTools")
    return frozenset(value or ())


def limits_of(runtime: Runtime) -> ToolLimits:
    s = runtime.settings
    return ToolLimits(
        max_image_edge=s.max_image_edge,
        max_image_pixels=s.max_image_pixels,
        max_media_seconds=s.tool_media_seconds,
        max_video_pixels=s.tool_video_pixels,
        max_video_frames=s.tool_video_frames,
        max_output_bytes=s.tool_output_bytes,
        max_output_files=s.tool_max_files,
    )


def find(runtime: Runtime, *, section: str | None, tool_id: str) -> Tool[Any]:
    return registry.get(tool_id, section=section, disabled=disabled_tools(runtime))


def catalog(runtime: Runtime) -> list[dict[str, Any]]:
    disabled = disabled_tools(runtime)
    with runtime.db.session() as session:
        experimental = bool(preferences.get_value(session, "enableExperimentalTools"))
    return [
        describe(t)
        for t in registry.tools().values()
        if t.id not in disabled and (experimental or not t.experimental)
    ]


def describe(t: Tool[Any]) -> dict[str, Any]:
    why = t.unavailable()
    return {
        "id": t.id,
        "section": t.section,
        "name": t.name,
        "description": t.description,
        "settings_schema": t.schema(),
        "inputs": {
            "min_files": t.inputs.min_files,
            "max_files": t.inputs.max_files,
            "accepts": list(t.inputs.accepts),
            "extras": [
                {"name": e.name, "accepts": list(e.accepts), "required": e.required}
                for e in t.inputs.extras
            ],
        },
        "produces": list(t.produces),
        "async": t.slow,
        "pipeline": t.pipeline,
        "actions": sorted(t.actions),
        "available": why is None,
        "unavailable_reason": why,
    }


@dataclass(frozen=True)
class Plan:
    """What to run: one tool (or one of its actions), or a pipeline's checked steps."""

    tool: Tool[Any] | None = None
    action: str | None = None
    steps: tuple[runner.Step, ...] = ()
    raw_steps: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        if self.tool is None:
            return "pipeline"
        return f"{self.tool.id}/{self.action}" if self.action else self.tool.id

    @property
    def tools(self) -> list[Tool[Any]]:
        return [self.tool] if self.tool is not None else [s.tool for s in self.steps]

    @property
    def slow(self) -> bool:
        return any(t.slow for t in self.tools)

    def check(self, request: Request) -> None:
        """Refuse what cannot run before anything is queued or started."""
        for t in self.tools:
            runner.check_available(t)
        if self.tool is not None:
            tool = runner.action_tool(self.tool, self.action) if self.action else self.tool
            runner.parse_settings(tool, request.raw_settings)
            runner.check_inputs(tool, request.inputs)
        else:
            if len(request.inputs.files) != 1:
                raise Invalid(
                    "A pipeline runs on exactly one `file`.", code=Code.TOOL_INPUT_MISSING
                )
            runner.check_inputs(self.steps[0].tool, Inputs(request.inputs.files))


def pipeline_plan(runtime: Runtime, raw_steps: list[Any]) -> Plan:
    steps = runner.plan_pipeline(
        raw_steps,
        max_steps=runtime.settings.max_pipeline_steps,
        disabled=disabled_tools(runtime),
    )
    return Plan(steps=tuple(steps), raw_steps=tuple(raw_steps))


def budget(
    runtime: Runtime, *, queued: bool = False, steps: int = 1, memory_limit: bool = True
) -> sandbox.Budget:
    """Seconds and memory for one run: queued runs get the longer job limit; a pipeline
    gets one run's time per step."""
    s = runtime.settings
    seconds = (s.tool_job_seconds if queued else s.tool_seconds) * max(1, steps)
    limited = memory_limit and s.tool_memory_mb > 0
    return sandbox.Budget(seconds=seconds, memory=s.tool_memory_mb << 20 if limited else None)


def pool(runtime: Runtime) -> sandbox.Sandbox:
    """This process's sandbox pool: at most `tool_concurrency` runs at once."""
    return sandbox.shared(size=runtime.settings.tool_concurrency)


def call(
    runtime: Runtime, op: str, args: dict[str, Any], *, payload: bytes = b""
) -> tuple[dict[str, Any], bytes]:
    """An image operation other than a tool run (a rendition, a preview, an avatar) in the
    sandbox, with a fast run's limits; returns (JSON result, bytes)."""
    return pool(runtime).call(op, args, budget=budget(runtime), payload=payload)


def run_in_sandbox(
    runtime: Runtime,
    plan: Plan,
    inputs: Inputs,
    raw_settings: dict[str, Any],
    *,
    workdir: Path,
    queued: bool = False,
    report: Report | None = None,
) -> ToolResult:
    """The one way a tool or pipeline runs: in a sandbox process, into `workdir`."""
    files, extras = inputs_to_wire(inputs)
    args = {
        "tool": plan.tool.id if plan.tool is not None else None,
        "action": plan.action,
        "steps": list(plan.raw_steps) if plan.tool is None else None,
        "settings": raw_settings,
        "inputs": files,
        "extras": extras,
        "workdir": str(workdir),
        "limits": limits_to_wire(limits_of(runtime)),
        "modules": runtime.settings.tool_modules,
    }
    limits = budget(
        runtime,
        queued=queued,
        steps=len(plan.steps),
        memory_limit=all(t.memory_limit for t in plan.tools),
    )
    tool, started, outcome = (
        plan.tool.id if plan.tool is not None else "pipeline",
        time.monotonic(),
        "ok",
    )
    try:
        result, _ = pool(runtime).call("run", args, budget=limits, report=report)
    except SatchelError as exc:
        outcome = exc.code
        raise
    except BaseException:
        outcome = "error"
        raise
    finally:
        TOOL_RUNS.labels(tool, outcome).inc()
        TOOL_DURATION.labels(tool).observe(time.monotonic() - started)
    return result_from_wire(result)


def execute(
    runtime: Runtime,
    ws: Workspace,
    *,
    plan: Plan,
    request: Request,
    queued: bool = False,
    report: Report | None = None,
) -> dict[str, Any]:
    """Run into the workspace's out/ folder and record the outcome in its manifest."""
    started = time.perf_counter()
    try:
        result = run_in_sandbox(
            runtime,
            plan,
            request.inputs,
            request.raw_settings,
            workdir=ws.outputs,
            queued=queued,
            report=report,
        )
    except SatchelError as exc:
        ws.write_manifest(status=JobState.FAILED, error={"code": exc.code, "message": exc.message})
        raise
    files = result.files
    if len(files) > 1:
        files = [*files, _zip_outputs(ws, files, plan.label)]
    return ws.write_manifest(
        status=JobState.COMPLETED,
        files=[{"name": f.name, "media_type": f.media_type, "size": f.size} for f in files],
        data=result.data,
        original_size=sum(f.path.stat().st_size for f in request.inputs.files),
        processed_size=sum(f.size for f in result.files),
        seconds=round(time.perf_counter() - started, 4),
    )


def _zip_outputs(ws: Workspace, files: list[OutputFile], label: str) -> OutputFile:
    name = f"{label.replace('/', '-')}-results.zip"
    path = ws.outputs / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for f in files:
            zf.write(f.path, f.name)
    return OutputFile(path, name, "application/zip")


def batch(runtime: Runtime, ws: Workspace, *, plan: Plan, request: Request) -> BatchStream:
    """The plan over every main input, each in the sandbox; a ZIP streamed as they end
    (cancel the stream when the client leaves: nothing more runs)."""
    extras = request.inputs.extras

    def run_one(inp: InputFile, workdir: Path) -> ToolResult:
        single = Inputs((inp,), extras)
        return run_in_sandbox(runtime, plan, single, request.raw_settings, workdir=workdir)

    return stream_batch(
        inputs=list(request.inputs.files),
        run_one=run_one,
        workdir=ws.outputs,
        concurrency=runtime.settings.tool_concurrency,
        rejected=request.rejected,
        on_done=lambda outcome: ws.write_manifest(status=JobState.COMPLETED, results=outcome),
        on_cancel=lambda outcome: ws.write_manifest(status=JobState.CANCELLED, results=outcome),
    )


def save_results(
    runtime: Runtime, ws: Workspace, *, owner_id: str, request: Request, manifest: dict[str, Any]
) -> dict[str, Any]:
    """Store the main outputs as assets (or as a version of the input) when the request
    asks to; returns the manifest with the saved ids."""
    if request.save is None:
        return manifest
    files = [
        f
        for f in manifest.get("files", [])
        if f["media_type"] != "application/zip" or len(manifest["files"]) == 1
    ]
    saved = []
    skipped = []
    for f in files:
        try:
            saved.append(
                save_output(
                    db=runtime.db,
                    blobs=runtime.blobs,
                    limits=runtime.limits,
                    owner_id=owner_id,
                    path=ws.output_path(f["name"]),
                    filename=f["name"],
                    media_type=f["media_type"],
                    parent_id=request.save_parent if request.save == "version" else None,
                )
            )
        except Invalid as exc:  # a type the store does not take (an .ico, say): say so
            if exc.code != "asset_content_type_not_allowed" or len(files) == 1:
                raise
            skipped.append({"name": f["name"], "code": exc.code, "message": exc.message})
    runtime.queue.enqueue(*[s.job_id for s in saved if s.job_id])
    return ws.write_manifest(saved_asset_ids=[s.asset.id for s in saved], not_saved=skipped)


def view(ws: Workspace, manifest: dict[str, Any], *, base: str) -> dict[str, Any]:
    """The seed's answer: job id, download URL, sizes; plus every file and the data."""
    files = manifest.get("files", [])
    main = files[-1] if len(files) > 1 else (files[0] if files else None)

    def url(name: str) -> str:
        return f"{base}/api/v1/download/{ws.id}/{name}"

    return {
        "job_id": ws.id,
        "status": manifest.get("status"),
        "download_url": url(main["name"]) if main else None,
        "original_size": manifest.get("original_size", 0),
        "processed_size": manifest.get("processed_size", 0),
        "files": [{**f, "download_url": url(f["name"])} for f in files],
        "data": manifest.get("data"),
        "saved_asset_ids": manifest.get("saved_asset_ids", []),
        "not_saved": manifest.get("not_saved", []),
    }


def enqueue(runtime: Runtime, ws: Workspace, *, owner_id: str, plan: Plan, request: Request) -> str:
    """Queue the run on a worker; the job id is the workspace's, so downloads and
    progress use one id."""
    with runtime.db.write_session() as session:
        job = jobs.create(
            session, kind=RUN_TOOL, owner_id=owner_id, params=request_params(ws, plan, request)
        )
        job.id = ws.id
        session.commit()
    ws.write_manifest(status=JobState.QUEUED)
    workspaces.publish(ws, runtime.blobs.shared_files, parts=("in",))  # for a worker elsewhere
    runtime.queue.enqueue(ws.id)
    return ws.id


def request_params(ws: Workspace, plan: Plan, request: Request) -> dict[str, Any]:
    """Everything a worker needs to redo the request (the inputs are in the workspace)."""
    files, extras = inputs_to_wire(request.inputs)
    return {
        "workspace": ws.id,
        "tool_id": plan.tool.id if plan.tool is not None else "pipeline",
        "pipeline": list(plan.raw_steps) if plan.tool is None else None,
        "settings": request.raw_settings,
        "files": files,
        "extras": extras,
        "save": request.save,
        "save_parent": request.save_parent,
    }


def from_params(runtime: Runtime, params: dict[str, Any]) -> tuple[Plan, Request]:
    """The plan and request `request_params` recorded, checked again."""
    if params.get("pipeline") is not None:
        plan = pipeline_plan(runtime, params["pipeline"])
    else:
        plan = Plan(tool=registry.get(params["tool_id"]))
    request = Request(
        inputs=inputs_from_wire(params["files"], params["extras"]),
        raw_settings=params.get("settings") or {},
        save=params.get("save"),
        save_parent=params.get("save_parent"),
    )
    return plan, request


def accepted(job_id: str, *, base: str) -> dict[str, Any]:
    """The 202 answer of a queued run."""
    return {
        "job_id": job_id,
        "async": True,
        "progress_url": f"{base}/api/v1/jobs/{job_id}/progress",
    }
