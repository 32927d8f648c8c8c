"""Pipelines in the seed's shapes: execute, batch, save, list, delete, tools."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from satchel.api.deps import RuntimeDep, SessionDep, WriteSessionDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.jobs.models import JobState
from satchel.runs import saved, service, workspaces
from satchel.runs.http import answer_batch, answer_run, pipeline_steps, receive_run
from satchel.runs.models import SavedPipeline
from satchel.tools import registry

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


@router.post("/pipeline/execute", summary="Run a pipeline on one file")
async def execute(request: Request, runtime: RuntimeDep, principal: RunPipelines) -> Response:
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool="pipeline")
    try:
        fields: dict[str, Any] = {}
        built = await receive_run(request, runtime, principal, ws, max_files=1, pipeline=fields)
        plan = service.pipeline_plan(runtime, pipeline_steps(runtime, principal, fields))
        return await answer_run(request, runtime, principal, ws, plan=plan, built=built)
    except BaseException:
        if ws.manifest().get("status") != JobState.FAILED:
            ws.discard()
        raise


@router.post("/pipeline/batch", summary="Run a pipeline on many files; a ZIP streams back")
async def run_batch(
    request: Request, runtime: RuntimeDep, principal: RunPipelines
) -> StreamingResponse:
    limit = runtime.settings.max_batch_size or 100_000
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool="pipeline")
    try:
        fields: dict[str, Any] = {}
        built = await receive_run(
            request, runtime, principal, ws, max_files=limit, pipeline=fields, batch=True
        )
        plan = service.pipeline_plan(runtime, pipeline_steps(runtime, principal, fields))
        return answer_batch(runtime, ws, plan=plan, built=built)
    except BaseException:
        ws.discard()
        raise


@router.post("/pipeline/save", status_code=201, summary="Save a named pipeline")
def save(
    body: PipelineIn, runtime: RuntimeDep, session: WriteSessionDep, principal: WritePipelines
) -> Envelope[PipelineOut]:
    row = saved.save(
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
    rows = saved.list_saved(session, owner_id=principal.owner_filter("pipelines:all"))
    return envelope([_out(r) for r in rows], count=len(rows))


@router.get("/pipeline/tools", summary="Tool ids valid as pipeline steps")
def pipeline_tools(runtime: RuntimeDep, _: ReadPipelines) -> Envelope[list[str]]:
    disabled = service.disabled_tools(runtime)
    ids = [t.id for t in registry.tools().values() if t.pipeline and t.id not in disabled]
    return envelope(ids, count=len(ids))


@router.delete("/pipeline/{pipeline_id}", summary="Delete a saved pipeline")
def delete(
    pipeline_id: str, session: WriteSessionDep, principal: WritePipelines
) -> Envelope[dict[str, Any]]:
    saved.delete(session, owner_id=principal.owner_filter("pipelines:all"), pipeline_id=pipeline_id)
    return envelope({"id": pipeline_id, "deleted": True})
