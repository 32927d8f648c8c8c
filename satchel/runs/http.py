"""What the tool and pipeline routes share: reading a run's request (a form with
`file`/`files`, `settings`, `asset_id`, `save`, `async`, a pipeline; or a JSON body with
the settings themselves, for tools without files) and answering it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse

from satchel import userjson
from satchel.api.envelope import envelope
from satchel.api.receive import receive_files
from satchel.assets.views import base_url
from satchel.auth.service import Principal, require
from satchel.codes import Code
from satchel.errors import BadRequest, Invalid, UnsupportedMediaType
from satchel.runs import sandbox, saved, service, workspaces
from satchel.runs.batch import BatchStream
from satchel.runs.requests import Request as RunRequest
from satchel.runs.requests import build_request
from satchel.runs.workspaces import Workspace
from satchel.runtime import Runtime
from satchel.tools import runner

PIPELINE_FIELDS = ("pipeline", "pipeline_id", "pipelineId")
_JSON_OPTIONS = ("asset_id", "assetId", "asset_ids", "save", "async", *PIPELINE_FIELDS)


async def receive_run(
    request: Request,
    runtime: Runtime,
    principal: Principal,
    ws: Workspace,
    *,
    max_files: int,
    pipeline: dict[str, Any] | None = None,
    batch: bool = False,
) -> RunRequest:
    """The run's inputs and options; a pipeline's own fields go into `pipeline`."""
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
            data = userjson.loads(body) if body.strip() else {}
        except json.JSONDecodeError as exc:
            raise BadRequest(f"The JSON body is malformed: {exc.msg}.") from exc
        if not isinstance(data, dict):
            raise Invalid("The JSON body must be an object.")
        options = {k: data.pop(k) for k in _JSON_OPTIONS if k in data}
        options["settings"] = data.pop("settings", data)
    else:
        raise UnsupportedMediaType(
            "Send multipart/form-data (files) or application/json (settings only)."
        )
    for key in PIPELINE_FIELDS:
        if key in options:
            value = options.pop(key)
            if pipeline is not None:
                pipeline[key] = value
    built = await run_in_threadpool(
        build_request,
        runtime,
        ws,
        owner_id=principal.owner_filter("files:all"),
        received=received.files if received else None,
        options=options,
        batch=batch,
    )
    if built.save is not None:
        require(principal, scope="write", permission="files:own")
    return built


def pipeline_steps(runtime: Runtime, principal: Principal, fields: dict[str, Any]) -> list[Any]:
    """The steps from `pipeline` (JSON `{steps}` or a list) or a saved `pipeline_id`."""
    saved_id = fields.pop("pipeline_id", None) or fields.pop("pipelineId", None)
    raw = fields.pop("pipeline", None)
    if saved_id:
        with runtime.db.session() as session:
            owner = principal.owner_filter("pipelines:all")
            return list(saved.get(session, owner_id=owner, pipeline_id=saved_id).steps)
    if raw is None:
        raise Invalid(
            'Send the pipeline as `pipeline` ({"steps": [...]}) or a saved `pipeline_id`.',
            code=Code.PIPELINE_INVALID,
            fields=[{"field": "pipeline", "message": "missing"}],
        )
    if isinstance(raw, str):
        try:
            raw = userjson.loads(raw, field="pipeline")
        except json.JSONDecodeError as exc:
            raise Invalid(
                f"`pipeline` is not valid JSON: {exc.msg}.",
                code=Code.PIPELINE_INVALID,
                fields=[{"field": "pipeline", "message": "not valid JSON"}],
            ) from exc
    return list(raw.get("steps", [])) if isinstance(raw, dict) else raw


async def answer_run(
    request: Request,
    runtime: Runtime,
    principal: Principal,
    ws: Workspace,
    *,
    plan: service.Plan,
    built: RunRequest,
) -> Response:
    """Run at once (200 with the result) or queue it (202 with the job to follow)."""
    plan.check(built)
    base = base_url(request, runtime)
    if plan.slow or built.force_async:
        job_id = await run_in_threadpool(
            lambda: service.enqueue(
                runtime, ws, owner_id=principal.user_id, plan=plan, request=built
            )
        )
        body = envelope(service.accepted(job_id, base=base))
        return JSONResponse(body.model_dump(mode="json"), status_code=202)
    manifest = await sandbox.waiting(lambda: service.execute(runtime, ws, plan=plan, request=built))
    manifest = await run_in_threadpool(
        service.save_results,
        runtime,
        ws,
        owner_id=principal.user_id,
        request=built,
        manifest=manifest,
    )
    # Scale-out: the download links may reach another node.
    await run_in_threadpool(workspaces.publish, ws, runtime.blobs.shared_files, parts=("out",))
    return JSONResponse(envelope(service.view(ws, manifest, base=base)).model_dump(mode="json"))


def answer_batch(
    runtime: Runtime, ws: Workspace, *, plan: service.Plan, built: RunRequest
) -> StreamingResponse:
    """The batch's ZIP, streamed while its items run."""
    for tool in plan.tools:
        runner.check_available(tool)
    if plan.tool is not None:
        runner.parse_settings(plan.tool, built.raw_settings)
    limit = runtime.settings.max_batch_size or 100_000
    if not built.inputs.files:
        raise Invalid("Send the files to process as `files` parts.", code=Code.TOOL_INPUT_MISSING)
    if len(built.inputs.files) > limit:
        raise Invalid(f"At most {limit} files per batch.", code=Code.TOOL_BATCH_TOO_LARGE)
    headers = {
        "X-Job-Id": ws.id,
        "Content-Disposition": f'attachment; filename="{plan.label.replace("/", "-")}-batch.zip"',
    }
    stream = service.batch(runtime, ws, plan=plan, request=built)
    return StreamingResponse(_relay(stream), media_type="application/zip", headers=headers)


async def _relay(stream: BatchStream) -> AsyncIterator[bytes]:
    """The batch's bytes to the client; when it disconnects (the response is cancelled)
    or the stream ends, the batch is cancelled: no further item runs."""
    try:
        async for chunk in iterate_in_threadpool(stream):
            yield chunk
    finally:
        stream.cancel()
