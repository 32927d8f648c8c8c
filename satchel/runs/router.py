"""The tool API in the seed's shapes: catalog, run, batch ZIP, sub-routes, downloads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from satchel.api.deps import RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.jobs.models import JobState
from satchel.runs import sandbox, service, workspaces
from satchel.runs.http import answer_batch, answer_run, receive_run
from satchel.tools import runner

router = APIRouter(tags=["tools"])

UseTools = Annotated[Principal, caller("write", "tools:use")]
SeeTools = Annotated[Principal, caller("read", "tools:use")]


@router.get("/tools", summary="The tool catalog, with each tool's settings schema")
def list_tools(runtime: RuntimeDep, _: SeeTools) -> Envelope[list[dict[str, Any]]]:
    items = service.catalog(runtime)
    return envelope(items, count=len(items))


@router.get("/tools/{section}/{tool_id}", summary="One tool")
def get_tool(
    section: str, tool_id: str, runtime: RuntimeDep, _: SeeTools
) -> Envelope[dict[str, Any]]:
    return envelope(service.describe(service.find(runtime, section=section, tool_id=tool_id)))


@router.post(
    "/tools/{section}/{tool_id}",
    summary="Run a tool on uploaded files or stored assets",
    responses={202: {"description": "Accepted: the tool runs in the background."}},
)
async def run_tool(
    section: str, tool_id: str, request: Request, runtime: RuntimeDep, principal: UseTools
) -> Response:
    tool = service.find(runtime, section=section, tool_id=tool_id)
    runner.check_available(tool)
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool=tool.id)
    try:
        max_files = max(tool.inputs.max_files or 64, 1) + len(tool.inputs.extras)
        built = await receive_run(request, runtime, principal, ws, max_files=max_files)
        plan = service.Plan(tool=tool)
        return await answer_run(request, runtime, principal, ws, plan=plan, built=built)
    except BaseException:
        if ws.manifest().get("status") != JobState.FAILED:
            ws.discard()
        raise


@router.post(
    "/tools/{section}/{tool_id}/batch", summary="Run a tool on many files; a ZIP streams back"
)
async def run_batch(
    section: str, tool_id: str, request: Request, runtime: RuntimeDep, principal: UseTools
) -> StreamingResponse:
    tool = service.find(runtime, section=section, tool_id=tool_id)
    runner.check_available(tool)
    limit = runtime.settings.max_batch_size or 100_000
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool=tool.id)
    try:
        built = await receive_run(
            request, runtime, principal, ws, max_files=limit + len(tool.inputs.extras), batch=True
        )
        return answer_batch(runtime, ws, plan=service.Plan(tool=tool), built=built)
    except BaseException:
        ws.discard()
        raise


@router.post(
    "/tools/{section}/{tool_id}/{action}", summary="A tool's sub-route (inspect, info, preview, …)"
)
async def run_action(
    section: str,
    tool_id: str,
    action: str,
    request: Request,
    runtime: RuntimeDep,
    principal: UseTools,
) -> Response:
    tool = service.find(runtime, section=section, tool_id=tool_id)
    runner.action_tool(tool, action)  # 404 before anything is received
    runner.check_available(tool)
    plan = service.Plan(tool=tool, action=action)
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool=plan.label)
    try:
        built = await receive_run(request, runtime, principal, ws, max_files=64)
        plan.check(built)
        result = await sandbox.waiting(
            lambda: service.run_in_sandbox(
                runtime, plan, built.inputs, built.raw_settings, workdir=ws.outputs
            )
        )
        if result.files:
            out = result.files[0]
            content = out.path.read_bytes()
            headers = {
                "X-Original-Size": str(sum(f.path.stat().st_size for f in built.inputs.files)),
                "X-Processed-Size": str(len(content)),
            }
            return Response(content, media_type=out.media_type, headers=headers)
        return JSONResponse(envelope(result.data or {}).model_dump(mode="json"))
    finally:
        ws.discard()


@router.get("/download/{job_id}/{filename}", summary="Download a tool result")
def download(job_id: str, filename: str, runtime: RuntimeDep, principal: SeeTools) -> FileResponse:
    ws = workspaces.open_workspace(runtime.settings.data_dir, job_id, runtime.blobs.shared_files)
    manifest = ws.manifest()
    if manifest.get("owner_id") != principal.user_id and not principal.can("files:all"):
        raise workspaces.result_not_found(job_id)
    path = ws.output_path(filename)
    media_type = next(
        (f["media_type"] for f in manifest.get("files", []) if f["name"] == filename),
        "application/octet-stream",
    )
    return FileResponse(path, media_type=media_type, filename=filename)
