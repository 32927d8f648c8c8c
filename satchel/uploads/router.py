"""HTTP routes of uploads (tus has its own, `satchel.uploads.tus`): `POST /assets` (form,
inline base64, or an announcement), the signed PUT, multipart parts and abort, and
`complete`. Each parses, calls one service function, and wraps."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from satchel.api.deps import Public, RuntimeDep, WriteFiles
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_form, receive_raw
from satchel.assets.schemas import AssetOut
from satchel.assets.views import base_url, to_out
from satchel.blobs import BlobWriter
from satchel.errors import UnsupportedMediaType
from satchel.runtime import Runtime
from satchel.uploads import intake, multipart, service, single
from satchel.uploads.ingest import Ingested
from satchel.uploads.models import Upload, UploadProtocol
from satchel.uploads.parsing import MAX_INLINE_BYTES, complete_body, json_upload, read_json
from satchel.uploads.schemas import (
    Aborted,
    AbortMultipart,
    MultipartDescriptor,
    PartOut,
    PartRequest,
    PartUrlOut,
    PendingAsset,
    PendingMultipart,
    UploadDescriptor,
)

router = APIRouter()
log = logging.getLogger("satchel.uploads")

_BINARY_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/assets",
    status_code=202,
    tags=["assets"],
    summary="Upload an asset (multipart form, inline base64 JSON, or announce a PUT)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "filename": {"type": "string"},
                            "description": {"type": "string"},
                            "alt_text": {"type": "string"},
                            "tags": {"type": "string", "description": "JSON list or commas"},
                            "attributes": {"type": "string", "description": "a JSON object"},
                            "is_public": {"type": "boolean"},
                            "dedupe": {"type": "boolean"},
                        },
                    }
                },
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/InlineUpload"},
                            {"$ref": "#/components/schemas/UploadIntent"},
                        ]
                    }
                },
            },
        }
    },
    response_model=Envelope[AssetOut | PendingAsset | PendingMultipart],
    responses={200: {"model": Envelope[AssetOut], "description": "An identical asset existed"}},
)
async def create_asset(
    request: Request, runtime: RuntimeDep, principal: WriteFiles, dedupe: bool = True
) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    owner_id = principal.user_id
    if ctype == "multipart/form-data":
        writer = runtime.blobs.writer()
        form = await receive_form(request, writer, limit=runtime.settings.max_upload_bytes)
        result = await run_in_threadpool(
            lambda: intake.from_form(
                runtime=runtime, owner_id=owner_id, writer=writer, form=form, dedupe=dedupe
            )
        )
        return _created(result, request, runtime)
    if ctype != "application/json":
        raise UnsupportedMediaType("Send multipart/form-data with a `file` part, or JSON.")
    body = json_upload(await read_json(request, limit=MAX_INLINE_BYTES))
    if body.inline is not None:
        inline = body.inline
        result = await run_in_threadpool(
            lambda: intake.from_inline(
                runtime=runtime,
                owner_id=owner_id,
                body=inline,
                connection_id=body.connection_id,
                dedupe=dedupe,
            )
        )
        return _created(result, request, runtime)
    upload = await run_in_threadpool(
        lambda: intake.announce(runtime=runtime, owner_id=owner_id, body=body, dedupe=dedupe)
    )
    return _announced(upload, request, runtime)


def _created(result: Ingested, request: Request, runtime: Runtime) -> Response:
    """200 with the existing asset, or 202: stored, and processing in the background."""
    if result.job_id is not None:
        try:
            runtime.queue.enqueue(result.job_id)
        except Exception:
            # The asset is stored and its job recorded; the recovery sweep queues jobs that
            # never reached the queue. Failing the upload now would lie about the bytes.
            log.exception("could not queue job %s; the recovery sweep will", result.job_id)
    body = envelope(
        to_out(result.asset, base_url(request, runtime), runtime),
        deduplicated=result.deduplicated,
        job_id=result.answer_job_id,
    )
    return Response(
        body.model_dump_json(),
        status_code=200 if result.job_id is None else 202,
        media_type="application/json",
    )


def _announced(upload: Upload, request: Request, runtime: Runtime) -> Response:
    """201: the reserved asset (`status: uploading`) and how to send its bytes."""
    base = base_url(request, runtime)
    root = f"{base}/api/v1/assets/{upload.asset_id}"
    asset = to_out(service.view(upload), base, runtime).model_dump()
    out: PendingAsset | PendingMultipart
    if upload.protocol == UploadProtocol.MULTIPART:
        assert upload.part_size is not None and upload.part_count is not None
        out = PendingMultipart(
            **asset,
            upload=MultipartDescriptor(
                upload_id=upload.id,
                part_size=upload.part_size,
                part_count=upload.part_count,
                expires_at=upload.expires_at,
                parts_url=f"{root}/parts",
                complete_url=f"{root}/complete",
                abort_url=f"{root}/abort",
            ),
        )
    else:
        expires = int(upload.expires_at.timestamp())
        sig = runtime.signer.sign(f"PUT /uploads/{upload.id}", expires=expires)
        out = PendingAsset(
            **asset,
            upload=UploadDescriptor(
                url=f"{base}/api/v1/uploads/{upload.id}?expires={expires}&sig={sig}",
                headers={"Content-Type": "application/octet-stream"},
                expires_at=upload.expires_at,
                complete_url=f"{root}/complete",
            ),
        )
    return Response(envelope(out).model_dump_json(), status_code=201, media_type="application/json")


@router.put(
    "/uploads/{upload_id}",
    status_code=204,
    tags=["assets"],
    summary="Send the bytes of an announced upload (signed URL; no key needed)",
    openapi_extra=_BINARY_BODY,
)
async def put_upload(
    upload_id: str,
    request: Request,
    runtime: RuntimeDep,
    expires: str | None = None,
    sig: str | None = None,
    _: Public = None,
) -> Response:
    runtime.signer.verify(f"PUT /uploads/{upload_id}", expires=expires, signature=sig)
    upload = await run_in_threadpool(lambda: single.receiving(db=runtime.db, upload_id=upload_id))
    writer = runtime.blobs.writer(upload.store)
    await receive_raw(request, writer, limit=upload.total_size)
    await run_in_threadpool(
        lambda: single.receive_put(db=runtime.db, blobs=runtime.blobs, upload=upload, writer=writer)
    )
    return Response(status_code=204)


@router.post(
    "/assets/{asset_id}/complete",
    status_code=202,
    tags=["assets"],
    summary="Finish an upload: empty body for a single PUT, `upload_id` + `parts` for multipart "
    "(202 while processing; 200 if nothing was left to do)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CompleteMultipart"}}
            },
        }
    },
)
async def complete_upload(
    asset_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Response:
    body = await complete_body(request)
    if body is not None:
        result = await run_in_threadpool(
            lambda: multipart.complete(
                runtime=runtime,
                owner_id=principal.user_id,
                asset_id=asset_id,
                upload_id=body.upload_id,
                parts=[(p.part_number, p.etag) for p in body.parts],
                sha256=body.sha256,
            )
        )
        return _created(result, request, runtime)
    result = await run_in_threadpool(
        lambda: single.complete(
            db=runtime.db,
            blobs=runtime.blobs,
            limits=runtime.limits,
            owner_id=principal.user_id,
            asset_id=asset_id,
        )
    )
    return _created(result, request, runtime)


@router.post(
    "/assets/{asset_id}/parts",
    tags=["uploads"],
    summary="Mint a presigned PUT URL for one part of a multipart upload (one per attempt)",
)
def presign_part(
    asset_id: str, body: PartRequest, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[PartUrlOut]:
    part = multipart.presign_part(
        runtime=runtime,
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
    tags=["uploads"],
    summary="Send one part of a multipart upload (signed URL; no key needed)",
    openapi_extra=_BINARY_BODY,
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
    sink, size = await run_in_threadpool(
        lambda: multipart.open_part(runtime=runtime, upload_id=upload_id, number=part_number)
    )
    # receive_raw only writes and aborts; a part sink does both like a blob writer.
    await receive_raw(request, _as_writer(sink), limit=size)
    part = await run_in_threadpool(
        lambda: multipart.keep_part(sink=sink, number=part_number, size=size)
    )
    body = envelope(PartOut(part_number=part.number, etag=part.etag, size=part.size))
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": f'"{part.etag}"'})


def _as_writer(sink: object) -> BlobWriter:
    return sink  # type: ignore[return-value]


@router.post(
    "/assets/{asset_id}/abort",
    tags=["uploads"],
    summary="Abort a multipart upload and remove its parts",
)
def abort_upload(
    asset_id: str, body: AbortMultipart, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[Aborted]:
    multipart.abort(
        runtime=runtime, owner_id=principal.user_id, asset_id=asset_id, upload_id=body.upload_id
    )
    return envelope(Aborted(upload_id=body.upload_id))
