"""`/spaces/{id}/export` (a ZIP with `manifest.json`) and `/spaces/import` (one back)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from satchel.api.deps import ReadFiles, RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.codes import Code
from satchel.errors import TooLarge
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

    def chunks() -> object:
        while chunk := out.read(1 << 20):
            yield chunk

    return StreamingResponse(
        chunks(),  # type: ignore[arg-type]
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
        background=BackgroundTask(out.close),
    )


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
    limit = runtime.settings.max_upload_bytes
    with tempfile.TemporaryDirectory(dir=runtime.settings.data_dir / "tmp") as folder:
        path = Path(folder) / "import.zip"
        size = 0
        with open(path, "wb") as fh:  # noqa: ASYNC230 - local scratch, written in chunks
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        "The ZIP is larger than one upload may be.", code=Code.ASSET_FILE_TOO_LARGE
                    )
                fh.write(chunk)
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
