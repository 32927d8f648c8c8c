"""Pipelines in the seed's shapes: execute, batch, save, list, delete, tools."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from satchel.api.deps import RuntimeDep, SessionDep, WriteSessionDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.assets.views import base_url
from satchel.auth.service import Principal
from satchel.errors import Invalid
from satchel.pipelines import service
from satchel.pipelines.models import SavedPipeline
from satchel.runtime import Runtime
from satchel.tools import batch as batches
from satchel.tools import registry, runner
from satchel.tools import service as tools
from satchel.tools import workspace as workspaces
from satchel.tools.base import Inputs
from satchel.tools.router import receive_request, run_limited

router = APIRouter(tags=["pipelines"])

RunPipelines = Annotated[Principal, caller("write", "tools:use")]
ReadPipelines = Annotated[Principal, caller("read", "pipelines:own")]
WritePipelines = Annotated[Principal, caller("write", "pipelines:own")]


class PipelineIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    steps: list[dict[str, Any]]


class PipelineOut(BaseModel):
    id: str
    owner_id: str
    name: str
    description: str | None
    steps: list[dict[str, Any]]
    created_at: datetime


def _out(row: SavedPipeline) -> PipelineOut:
    return PipelineOut(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        description=row.description,
        steps=row.steps,
        created_at=row.created_at,
    )


def _steps(runtime: Runtime, principal: Principal, fields: dict[str, Any]) -> list[Any]:
    """The steps from `pipeline` (JSON `{steps}` or a list) or a saved `pipeline_id`."""
    saved = fields.pop("pipeline_id", None) or fields.pop("pipelineId", None)
    raw = fields.pop("pipeline", None)
    if saved:
        with runtime.db.session() as session:
            owner = principal.owner_filter("pipelines:all")
            return list(service.get(session, owner_id=owner, pipeline_id=saved).steps)
    if raw is None:
        raise Invalid(
            'Send the pipeline as `pipeline` ({"steps": [...]}) or a saved `pipeline_id`.',
            code="pipeline_invalid",
            fields=[{"field": "pipeline", "message": "missing"}],
        )
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise Invalid(
                f"`pipeline` is not valid JSON: {exc.msg}.",
                code="pipeline_invalid",
                fields=[{"field": "pipeline", "message": "not valid JSON"}],
            ) from exc
    return list(raw.get("steps", [])) if isinstance(raw, dict) else raw


async def _receive(
    request: Request,
    runtime: Runtime,
    principal: Principal,
    ws: workspaces.Workspace,
    *,
    max_files: int,
    batch: bool = False,
) -> tuple[list[runner.Step], list[Any], tools.Request]:
    # The whole pipeline is checked before any step runs.
    pipeline_fields: dict[str, Any] = {}
    built = await receive_request(
        request, runtime, principal, ws, max_files=max_files, keep=pipeline_fields, batch=batch
    )
    raw_steps = _steps(runtime, principal, pipeline_fields)
    steps = runner.plan_pipeline(
        raw_steps,
        max_steps=runtime.settings.max_pipeline_steps,
        disabled=tools.disabled_tools(runtime),
    )
    for step in steps:
        runner.check_available(step.tool)
    return steps, raw_steps, built


@router.post("/pipeline/execute", summary="Run a pipeline on one file")
async def execute(request: Request, runtime: RuntimeDep, principal: RunPipelines) -> Response:
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool="pipeline")
    try:
        steps, raw_steps, built = await _receive(request, runtime, principal, ws, max_files=1)
        if len(built.inputs.files) != 1:
            raise Invalid("A pipeline runs on exactly one `file`.", code="tool_input_missing")
        runner.check_inputs(steps[0].tool, Inputs(built.inputs.files))
        if built.force_async or any(s.tool.slow for s in steps):
            job_id = await run_in_threadpool(
                lambda: tools.enqueue(
                    runtime,
                    ws,
                    owner_id=principal.user_id,
                    tool_id="pipeline",
                    request=built,
                    pipeline=raw_steps,
                )
            )
            body = envelope(tools.accepted(job_id, base=base_url(request, runtime)))
            return JSONResponse(body.model_dump(mode="json"), status_code=202)
        limits = tools.limits_of(runtime)
        manifest = await run_limited(
            runtime,
            lambda: tools.run_into(
                runtime,
                ws,
                run=lambda out: runner.run_pipeline(
                    steps, built.inputs.first, workdir=out, limits=limits
                ),
                tool_id="pipeline",
                inputs=built.inputs,
            ),
        )
        manifest = await run_in_threadpool(
            tools.save_results,
            runtime,
            ws,
            owner_id=principal.user_id,
            request=built,
            manifest=manifest,
        )
    except BaseException:
        if ws.manifest().get("status") != "failed":
            ws.discard()
        raise
    view = tools.view(ws, manifest, base=base_url(request, runtime))
    return JSONResponse(envelope(view).model_dump(mode="json"))


@router.post("/pipeline/batch", summary="Run a pipeline on many files; a ZIP streams back")
async def run_batch(
    request: Request, runtime: RuntimeDep, principal: RunPipelines
) -> StreamingResponse:
    settings = runtime.settings
    limit = settings.max_batch_size or 100_000
    ws = workspaces.create(settings.data_dir, owner_id=principal.user_id, tool="pipeline")
    try:
        steps, _, built = await _receive(
            request, runtime, principal, ws, max_files=limit, batch=True
        )
        if not built.inputs.files:
            raise Invalid("Send the files to process as `files` parts.", code="tool_input_missing")
    except BaseException:
        ws.discard()
        raise
    limits = tools.limits_of(runtime)

    def run_one(inp: Any, workdir: Any) -> Any:
        return runner.run_pipeline(steps, inp, workdir=workdir, limits=limits)

    stream = batches.stream_batch(
        inputs=list(built.inputs.files),
        run_one=run_one,
        workdir=ws.outputs,
        concurrency=settings.tool_concurrency,
        rejected=built.rejected,
        on_done=lambda outcome: ws.write_manifest(status="completed", results=outcome),
    )
    headers = {
        "X-Job-Id": ws.id,
        "Content-Disposition": 'attachment; filename="pipeline-batch.zip"',
    }
    return StreamingResponse(stream, media_type="application/zip", headers=headers)


@router.post("/pipeline/save", status_code=201, summary="Save a named pipeline")
def save(
    body: PipelineIn, runtime: RuntimeDep, session: WriteSessionDep, principal: WritePipelines
) -> Envelope[PipelineOut]:
    row = service.save(
        session,
        owner_id=principal.user_id,
        name=body.name,
        description=body.description,
        steps=body.steps,
        max_steps=runtime.settings.max_pipeline_steps,
    )
    return envelope(_out(row))


@router.get("/pipeline/list", summary="Saved pipelines (your own; everyone's with pipelines:all)")
def list_pipelines(session: SessionDep, principal: ReadPipelines) -> Envelope[list[PipelineOut]]:
    rows = service.list_saved(session, owner_id=principal.owner_filter("pipelines:all"))
    return envelope([_out(r) for r in rows], count=len(rows))


@router.get("/pipeline/tools", summary="Tool ids valid as pipeline steps")
def pipeline_tools(runtime: RuntimeDep, _: ReadPipelines) -> Envelope[list[str]]:
    disabled = tools.disabled_tools(runtime)
    ids = [t.id for t in registry.tools().values() if t.pipeline and t.id not in disabled]
    return envelope(ids, count=len(ids))


@router.delete("/pipeline/{pipeline_id}", summary="Delete a saved pipeline")
def delete(
    pipeline_id: str, session: WriteSessionDep, principal: WritePipelines
) -> Envelope[dict[str, Any]]:
    service.delete(
        session, owner_id=principal.owner_filter("pipelines:all"), pipeline_id=pipeline_id
    )
    return envelope({"id": pipeline_id, "deleted": True})
