"""`/folders/export` (a folder and its subfolders as a ZIP with `manifest.json`) and
`/folders/import` (one back, the tree kept)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.responses import StreamingResponse

from satchel.api.deps import ReadFiles, RuntimeDep, WriteFiles
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_to_file
from satchel.assets.zip_response import zip_download
from satchel.folders import transfer

router = APIRouter(tags=["folders"])


class ImportedFolder(BaseModel):
    """Where the files went, and the new assets (processing runs in the background)."""

    folder: str
    asset_count: int
    asset_ids: list[str]


@router.get(
    "/folders/export",
    summary="A folder and everything under it as a ZIP, with manifest.json (each file's "
    "folder, name, description, tags and checksum)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
async def export_folder(
    runtime: RuntimeDep, principal: ReadFiles, path: str = Query(max_length=1024)
) -> StreamingResponse:
    out, name = await run_in_threadpool(
        lambda: transfer.export(runtime=runtime, owner_id=principal.user_id, path=path)
    )
    return zip_download(out, name)


@router.post(
    "/folders/import",
    status_code=201,
    summary="A folder export (request body, application/zip) back into the library: each "
    "file checked against its SHA-256, then placed in its subfolder under `path` (default: "
    "the folder it was exported from)",
)
async def import_folder(
    request: Request,
    runtime: RuntimeDep,
    principal: WriteFiles,
    path: Annotated[str | None, Query(max_length=1024)] = None,
) -> Envelope[ImportedFolder]:
    with tempfile.TemporaryDirectory(dir=runtime.settings.data_dir / "tmp") as folder:
        archive = Path(folder) / "import.zip"
        await receive_to_file(request, archive, limit=runtime.settings.max_upload_bytes)
        root, asset_ids, jobs = await run_in_threadpool(
            lambda: transfer.import_zip(
                runtime=runtime, owner_id=principal.user_id, path=archive, target=path
            )
        )
    runtime.queue.enqueue(*jobs)
    return envelope(ImportedFolder(folder=root, asset_count=len(asset_ids), asset_ids=asset_ids))
