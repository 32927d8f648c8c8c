"""The tool API in the seed's shapes: catalog, run, batch ZIP, sub-routes, downloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from satchel.api.deps import RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_files
from satchel.assets.views import base_url
from satchel.auth.service import Principal, require
from satchel.errors import BadRequest, Invalid, NotFound
from satchel.runtime import Runtime
from satchel.tools import batch as batches
from satchel.tools import runner, service
from satchel.tools import workspace as workspaces
from satchel.tools.base import Inputs, Tool

router = APIRouter(tags=["tools"])
T = TypeVar("T")

_LIMITERS: dict[int, anyio.CapacityLimiter] = {}


async def run_limited(runtime: Runtime, fn: Callable[[], T]) -> T:
    """Run a tool in a thread, at most `tool_concurrency` at once in this process: image
    codecs use a whole core each, and more runs than cores only thrash."""
    size = runtime.settings.tool_concurrency
    limiter = _LIMITERS.get(size)
    if limiter is None:
        limiter = _LIMITERS[size] = anyio.CapacityLimiter(size)
    return await anyio.to_thread.run_sync(fn, limiter=limiter)


_PIPELINE_FIELDS = ("pipeline", "pipeline_id", "pipelineId")
_JSON_OPTIONS = ("asset_id", "assetId", "asset_ids", "save", "async", *_PIPELINE_FIELDS)

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


async def receive_request(
    request: Request,
    runtime: Runtime,
    principal: Principal,
    ws: workspaces.Workspace,
    *,
    max_files: int,
    keep: dict[str, Any] | None = None,
    batch: bool = False,
) -> service.Request:
    """Form (`file`/`files` + `settings` + `asset_id`/`save`/`async`) or a JSON body
    (the settings themselves, for tools without files; `asset_id` et al. alongside)."""
    ctype = request.headers.get("content-type", "")
    received = None
    options: dict[str, Any]
    if ctype.startswith("multipart/form-data"):
        received = await receive_files(
            request, ws.inputs, limit=runtime.settings.max_upload_bytes, max_files=max_files
        )
        options = dict(received.fields)
    elif ctype.startswith("application/json") or not ctype:
        body = await request.body()
        try:
            data = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError as exc:
            raise BadRequest(f"The JSON body is malformed: {exc.msg}.") from exc
        if not isinstance(data, dict):
            raise Invalid("The JSON body must be an object.")
        options = {k: data.pop(k) for k in _JSON_OPTIONS if k in data}
        options["settings"] = data.pop("settings", data)
    else:
        raise Invalid(
            "Send multipart/form-data (files) or application/json (settings only).",
            code="unsupported_media_type",
        )
    for key in _PIPELINE_FIELDS:  # a pipeline's own fields, for its router
        if key in options:
            value = options.pop(key)
            if keep is not None:
                keep[key] = value
    owner = principal.owner_filter("files:all")
    built = await run_in_threadpool(
        service.build_request,
        runtime,
        ws,
        owner_id=owner,
        received=received.files if received else None,
        options=options,
        batch=batch,
    )
    if built.save is not None:
        require(principal, scope="write", permission="files:own")
    return built


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
        built = await receive_request(
            request,
            runtime,
            principal,
            ws,
            max_files=max(tool.inputs.max_files or 64, 1) + len(tool.inputs.extras),
        )
        runner.parse_settings(tool, built.raw_settings)  # refuse bad settings before queueing
        runner.check_inputs(tool, built.inputs)
        if tool.slow or built.force_async:
            job_id = await run_in_threadpool(
                lambda: service.enqueue(
                    runtime, ws, owner_id=principal.user_id, tool_id=tool.id, request=built
                )
            )
            body = envelope(service.accepted(job_id, base=base_url(request, runtime)))
            return JSONResponse(body.model_dump(mode="json"), status_code=202)
        manifest = await run_limited(
            runtime, lambda: service.run_tool(runtime, ws, tool=tool, request=built)
        )
        manifest = await run_in_threadpool(
            service.save_results,
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
    return JSONResponse(
        envelope(service.view(ws, manifest, base=base_url(request, runtime))).model_dump(
            mode="json"
        )
    )


@router.post(
    "/tools/{section}/{tool_id}/batch", summary="Run a tool on many files; a ZIP streams back"
)
async def run_batch(
    section: str, tool_id: str, request: Request, runtime: RuntimeDep, principal: UseTools
) -> StreamingResponse:
    tool = service.find(runtime, section=section, tool_id=tool_id)
    runner.check_available(tool)
    settings = runtime.settings
    limit = settings.max_batch_size or 100_000
    ws = workspaces.create(settings.data_dir, owner_id=principal.user_id, tool=tool.id)
    try:
        built = await receive_request(
            request, runtime, principal, ws, max_files=limit + len(tool.inputs.extras), batch=True
        )
        parsed = runner.parse_settings(tool, built.raw_settings)
        if not built.inputs.files:
            raise Invalid("Send the files to process as `files` parts.", code="tool_input_missing")
        if len(built.inputs.files) > limit:
            raise Invalid(f"At most {limit} files per batch.", code="tool_batch_too_large")
    except BaseException:
        ws.discard()
        raise
    limits = service.limits_of(runtime)

    def run_one(inp: Any, workdir: Any) -> Any:
        return runner.run(
            tool, Inputs((inp,), built.inputs.extras), parsed, workdir=workdir, limits=limits
        )

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
        "Content-Disposition": f'attachment; filename="{tool.id}-batch.zip"',
    }
    return StreamingResponse(stream, media_type="application/zip", headers=headers)


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
    found = tool.actions.get(action)
    if found is None:
        raise NotFound(f"{tool_id} has no sub-route {action!r}.", code="tool_action_not_found")
    runner.check_available(tool)
    ws = workspaces.create(
        runtime.settings.data_dir, owner_id=principal.user_id, tool=f"{tool.id}/{action}"
    )
    try:
        built = await receive_request(request, runtime, principal, ws, max_files=64)
        shadow = Tool(  # the action checked like a tool of its own
            section=tool.section,
            id=f"{tool.id}/{action}",
            name=tool.name,
            description=found.description,
            settings=found.settings,
            run=found.run,
            inputs=tool.inputs,
        )
        parsed = runner.parse_settings(shadow, built.raw_settings)
        result = await run_in_threadpool(
            runner.run,
            shadow,
            built.inputs,
            parsed,
            workdir=ws.outputs,
            limits=service.limits_of(runtime),
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
    ws = workspaces.open_workspace(runtime.settings.data_dir, job_id)
    owner = ws.manifest().get("owner_id")
    if owner != principal.user_id and not principal.can("files:all"):
        raise NotFound(f"No tool result {job_id}.", code="tool_result_not_found")
    path = ws.output_path(filename)
    media_type = next(
        (f["media_type"] for f in ws.manifest().get("files", []) if f["name"] == filename),
        "application/octet-stream",
    )
    return FileResponse(path, media_type=media_type, filename=filename)
