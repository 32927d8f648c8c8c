"""The seed's file library, served from the asset store: a file is a chain of asset
versions (`root_id`/`parent_id`/`version`); `/files` shows the latest of each chain.
Also the workspace upload (`POST /upload`) and browser previews (`POST /preview`)."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import AliasChoices, BaseModel, Field
from starlette.responses import Response

from satchel.api.deps import ReadFiles, RuntimeDep, SessionDep, WriteFiles, caller
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_files
from satchel.assets import content, deletion
from satchel.assets import service as assets
from satchel.assets.schemas import AssetOut
from satchel.assets.versions import chain
from satchel.assets.views import base_url, to_out
from satchel.auth.service import Principal
from satchel.codes import Code
from satchel.errors import Invalid, NotFound
from satchel.jobs.models import JobState
from satchel.library import service
from satchel.renditions import service as renditions
from satchel.renditions.service import RenderParams
from satchel.runs import sandbox, workspaces
from satchel.runs import service as runs
from satchel.runs.requests import identify
from satchel.tools.base import safe_name
from satchel.uploads.outputs import save_output

router = APIRouter(tags=["files"])
UseTools = Annotated[Principal, caller("write", "tools:use")]
MAX_FILES = 100


class FileOut(BaseModel):
    file: AssetOut
    versions: list[AssetOut]


class SaveResult(BaseModel):
    job_id: str = Field(validation_alias=AliasChoices("job_id", "jobId"))
    filename: str | None = Field(None, description="Which result file (default: the main one).")
    file_id: str | None = Field(
        None,
        validation_alias=AliasChoices("file_id", "fileId"),
        description="Save as the next version of this file; without it, a new file.",
    )


class DeleteFiles(BaseModel):
    ids: list[str] = Field(..., min_length=1, max_length=1000)


@router.post("/files/upload", status_code=201, summary="Upload files to the persistent library")
async def upload_files(
    request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[list[AssetOut]]:
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool="upload")
    try:
        received = await receive_files(
            request, ws.inputs, limit=runtime.settings.max_upload_bytes, max_files=MAX_FILES
        )
        if not received.files:
            raise Invalid(
                "Send the files as `file` or `files` parts.", code=Code.ASSET_FILE_REQUIRED
            )
        stored = await run_in_threadpool(
            service.store_uploads, runtime, owner_id=principal.user_id, parts=received.files
        )
    finally:
        ws.discard()
    base = base_url(request, runtime)
    return envelope([to_out(a, base, runtime) for a in stored], count=len(stored))


@router.post(
    "/files/save-result", status_code=201, summary="Save a tool result as a file or a version"
)
def save_result(
    body: SaveResult, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[AssetOut]:
    ws = workspaces.open_workspace(
        runtime.settings.data_dir, body.job_id, runtime.blobs.shared_files
    )
    manifest = ws.manifest()
    if manifest.get("owner_id") != principal.user_id:
        raise NotFound(f"No tool result {body.job_id}.", code=Code.TOOL_RESULT_NOT_FOUND)
    files = manifest.get("files") or []
    if not files:
        raise Invalid("That job has no result to save (yet).", code=Code.TOOL_RESULT_NOT_FOUND)
    chosen = (
        next((f for f in files if f["name"] == body.filename), None)
        if body.filename
        else (
            files[0]
            if len(files) == 1
            else next((f for f in files if f["media_type"] != "application/zip"), files[0])
        )
    )
    if chosen is None:
        raise NotFound(
            f"No file {body.filename} in {body.job_id}.", code=Code.TOOL_RESULT_NOT_FOUND
        )
    saved = save_output(
        db=runtime.db,
        blobs=runtime.blobs,
        limits=runtime.limits,
        owner_id=principal.user_id,
        path=ws.output_path(chosen["name"]),
        filename=chosen["name"],
        media_type=chosen["media_type"],
        parent_id=body.file_id,
    )
    if saved.job_id:
        runtime.queue.enqueue(saved.job_id)
    return envelope(to_out(saved.asset, base_url(request, runtime), runtime))


@router.get("/files", summary="Saved files: the latest version of each (search with q)")
def list_files(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Envelope[list[AssetOut]]:
    rows, next_cursor = service.latest(
        session, owner_id=principal.owner_filter("files:all"), q=q, limit=limit, cursor=cursor
    )
    base = base_url(request, runtime)
    return envelope(
        [to_out(a, base, runtime) for a in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )


@router.get("/files/{file_id}", summary="A file and its version chain")
def get_file(
    file_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, principal: ReadFiles
) -> Envelope[FileOut]:
    versions = chain(session, owner_id=principal.owner_filter("files:all"), asset_id=file_id)
    base = base_url(request, runtime)
    current = next(v for v in versions if v.id == file_id)
    return envelope(
        FileOut(
            file=to_out(current, base, runtime),
            versions=[to_out(v, base, runtime) for v in versions],
        )
    )


@router.get(
    "/assets/{asset_id}/versions", summary="Every version of the asset's file, oldest first"
)
def list_versions(
    asset_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, principal: ReadFiles
) -> Envelope[list[AssetOut]]:
    versions = chain(session, owner_id=principal.owner_filter("files:all"), asset_id=asset_id)
    base = base_url(request, runtime)
    return envelope([to_out(v, base, runtime) for v in versions], count=len(versions))


@router.get(
    "/files/{file_id}/download",
    summary="Download a file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_file(
    file_id: str, request: Request, runtime: RuntimeDep, principal: ReadFiles
) -> Response:
    def load() -> Any:
        with runtime.db.session() as session:
            asset = assets.get(
                session=session, owner_id=principal.owner_filter("files:all"), asset_id=file_id
            )
            return asset, asset.blob

    asset, blob = await run_in_threadpool(load)
    return await content.send(
        request, asset=asset, blob=blob, blobs=runtime.blobs, full_check=False
    )


@router.get(
    "/files/{file_id}/thumbnail",
    summary="A 300 px JPEG thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
async def file_thumbnail(
    file_id: str, request: Request, runtime: RuntimeDep, principal: ReadFiles
) -> Response:
    params = RenderParams(w=300, h=300, fit="inside", format="jpg", q=80)

    def load() -> Any:
        with runtime.db.session() as session:
            asset = assets.get(
                session=session, owner_id=principal.owner_filter("files:all"), asset_id=file_id
            )
            _ = list(asset.derivatives)
            return asset

    asset = await run_in_threadpool(load)
    cached = renditions.cached(asset, params)
    if cached is not None:
        return await content.send_derivative(
            request, asset=asset, derivative=cached, blobs=runtime.blobs
        )
    made = await sandbox.waiting(lambda: renditions.render(runtime, asset, params))
    return Response(
        made.data, media_type=made.media_type, headers={"Cache-Control": "private, max-age=3600"}
    )


@router.delete("/files", summary="Delete files and their whole version chains")
def delete_files(
    body: DeleteFiles, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[dict[str, Any]]:
    owner = principal.owner_filter("files:all")
    ids = service.chain_ids(runtime, owner_id=owner, ids=body.ids)
    deleted, missing, blocked = deletion.batch_delete(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=owner,
        ids=ids["found"],
        actor_id=principal.user_id,
        ip=request.client.host if request.client else None,
    )
    return envelope({"deleted": deleted, "not_found": ids["missing"] + missing, "blocked": blocked})


@router.post("/upload", status_code=201, summary="Upload files to a temporary workspace")
async def upload_workspace(
    request: Request, runtime: RuntimeDep, principal: UseTools
) -> Envelope[dict[str, Any]]:
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool="upload")
    try:
        received = await receive_files(
            request, ws.inputs, limit=runtime.settings.max_upload_bytes, max_files=MAX_FILES
        )
        if not received.files:
            raise Invalid(
                "Send the files as `file` or `files` parts.", code=Code.ASSET_FILE_REQUIRED
            )

        def place() -> dict[str, Any]:
            names: set[str] = set()
            files = []
            for part in received.files:
                inp = identify(runtime, part.path, name=part.filename, declared=part.content_type)
                name = safe_name(inp.name)
                while name in names:
                    name = f"_{name}"
                names.add(name)
                shutil.move(str(part.path), ws.outputs / name)
                files.append(
                    {
                        "name": name,
                        "media_type": inp.media_type,
                        "size": (ws.outputs / name).stat().st_size,
                    }
                )
            return ws.write_manifest(
                status=JobState.COMPLETED, files=files, original_size=0, processed_size=0
            )

        manifest = await run_in_threadpool(place)
    except BaseException:
        ws.discard()
        raise
    return envelope(runs.view(ws, manifest, base=base_url(request, runtime)))


@router.post(
    "/preview",
    summary="A browser-friendly WebP preview of an uploaded image (HEIC, TIFF, …)",
    response_class=Response,
    responses={200: {"content": {"image/webp": {}}}},
)
async def preview(request: Request, runtime: RuntimeDep, principal: UseTools) -> Response:
    ws = workspaces.create(runtime.settings.data_dir, owner_id=principal.user_id, tool="preview")
    try:
        received = await receive_files(
            request, ws.inputs, limit=runtime.settings.max_upload_bytes, max_files=1
        )
        if not received.files:
            raise Invalid("Send the image as a `file` part.", code=Code.ASSET_FILE_REQUIRED)
        part = received.files[0]
        data = await sandbox.waiting(
            lambda: service.preview_webp(runtime, part.path, part.filename, part.content_type)
        )
    finally:
        ws.discard()
    return Response(data, media_type="image/webp", headers={"Cache-Control": "no-store"})
