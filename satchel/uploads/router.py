"""Routes of multipart uploads: part URLs, the signed part endpoint, and abort.

`POST /assets` (announce) and `POST /assets/{id}/complete` live with the other upload
routes in `satchel.assets.uploads`, which hands multipart work to `satchel.uploads`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from satchel.api.deps import Public, RuntimeDep, WriteFiles
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_raw
from satchel.assets.views import base_url
from satchel.blobs import BlobWriter
from satchel.db import utcnow
from satchel.errors import Conflict, Invalid
from satchel.uploads import common, multipart
from satchel.uploads.schemas import Aborted, AbortMultipart, PartOut, PartRequest, PartUrlOut

router = APIRouter(tags=["uploads"])


@router.post(
    "/assets/{asset_id}/parts",
    summary="Mint a presigned PUT URL for one part of a multipart upload (one per attempt)",
)
def presign_part(
    asset_id: str, body: PartRequest, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[PartUrlOut]:
    part = multipart.presign_part(
        runtime,
        owner_id=principal.user_id,
        asset_id=asset_id,
        upload_id=body.upload_id,
        number=body.part_number,
        base=base_url(request, runtime),
    )
    return envelope(
        PartUrlOut(
            part_number=part.part_number,
            url=part.url,
            headers={} if part.direct else {"Content-Type": "application/octet-stream"},
            size=part.size,
            expires_at=part.expires_at,
        )
    )


@router.put(
    "/uploads/{upload_id}/parts/{part_number}",
    summary="Send one part of a multipart upload (signed URL; no key needed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    response_model=Envelope[PartOut],
)
async def put_part(
    upload_id: str,
    part_number: int,
    request: Request,
    runtime: RuntimeDep,
    expires: str | None = None,
    sig: str | None = None,
    _: Public = None,
) -> Response:
    runtime.signer.verify(
        f"PUT /uploads/{upload_id}/parts/{part_number}", expires=expires, signature=sig
    )
    upload = await run_in_threadpool(
        lambda: common.load(runtime.db, upload_id=upload_id, owner_id=None, protocol="multipart")
    )
    if upload.state != "open":
        raise Conflict("The upload is already complete.", code="upload_already_completed")
    if upload.busy_until is not None and upload.busy_until > utcnow():
        raise common.Locked("The upload is being completed; its parts can no longer change.")
    want = multipart.expected_part_size(upload, part_number)
    sink = await run_in_threadpool(
        lambda: common.staging(runtime).receive_part(
            upload.id, upload.backend_ref, number=part_number
        )
    )
    # receive_raw only writes and aborts; a part sink does both like a blob writer.
    await receive_raw(request, _as_writer(sink), limit=want)
    if sink.size != want:
        sink.abort()
        raise Invalid(
            f"Part {part_number} must have {want} bytes; {sink.size} arrived.",
            code="upload_part_size_mismatch",
        )
    part = await run_in_threadpool(sink.finish)
    body = envelope(PartOut(part_number=part.number, etag=part.etag, size=part.size))
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": f'"{part.etag}"'})


def _as_writer(sink: object) -> BlobWriter:
    return sink  # type: ignore[return-value]


@router.post("/assets/{asset_id}/abort", summary="Abort a multipart upload and remove its parts")
def abort_upload(
    asset_id: str, body: AbortMultipart, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[Aborted]:
    multipart.abort(
        runtime, owner_id=principal.user_id, asset_id=asset_id, upload_id=body.upload_id
    )
    return envelope(Aborted(upload_id=body.upload_id))
