"""`/spaces/{id}/export` (a ZIP with `manifest.json`) and `/spaces/import` (one back)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.responses import StreamingResponse

from satchel.api.deps import ReadFiles, RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_to_file
from satchel.assets.zip_response import zip_download
from satchel.auth.service import Principal
from satchel.spaces import transfer

router = APIRouter(tags=["spaces"])
ImportSpaces = Annotated[Principal, caller("write", "files:own")]


class Imported(BaseModel):
    """The new space (see `GET /spaces/{id}` for all of it) and the assets it holds."""

    id: str
    short_id: str
    name: str
    asset_count: int
    asset_ids: list[str]


@router.get(
    "/spaces/{space_id}/export",
    summary="The space's files as a ZIP, with manifest.json (names, descriptions, tags, checksums)",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
async def export_space(
    space_id: str, runtime: RuntimeDep, principal: ReadFiles
) -> StreamingResponse:
    out, name = await run_in_threadpool(
        lambda: transfer.export(
            runtime=runtime, owner_id=principal.owner_filter("files:all"), space_id=space_id
        )
    )
    return zip_download(out, name)


@router.post(
    "/spaces/import",
    status_code=201,
    summary="A space from an exported ZIP (request body, application/zip); each file is "
    "checked against its SHA-256",
)
async def import_space(
    request: Request,
    runtime: RuntimeDep,
    principal: ImportSpaces,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> Envelope[Imported]:
    with tempfile.TemporaryDirectory(dir=runtime.settings.data_dir / "tmp") as folder:
        path = Path(folder) / "import.zip"
        await receive_to_file(request, path, limit=runtime.settings.max_upload_bytes)
        space, asset_ids, jobs = await run_in_threadpool(
            lambda: transfer.import_zip(
                runtime=runtime, owner_id=principal.user_id, path=path, name=name
            )
        )
    runtime.queue.enqueue(*jobs)
    imported = Imported(
        id=space.id,
        short_id=space.short_id,
        name=space.name,
        asset_count=len(asset_ids),
        asset_ids=asset_ids,
    )
    return envelope(imported)
