"""tus 1.0.0 resumable uploads at `/uploads/tus`, finishing as an asset.

An upload is announced (POST, with Upload-Length and Upload-Metadata: `filename`,
`filetype`, and the asset fields `description`, `alt_text`, `tags`, `attributes`,
`is_public`, `dedupe`), which reserves its pending asset. PATCHes append at the offset the
database records; a PATCH cut off by the network keeps what arrived (unless it carried
an Upload-Checksum, which can then not be verified). The PATCH that brings the last byte
assembles the file and ingests it like a single PUT (sniff, dedup, processing); its
answer, the HEAD and the GET of the upload name the asset in `Satchel-Asset-Id`.

One PATCH at a time per upload: a second, concurrent one is answered `423 Locked`
(`upload_locked`), not 409: 409 means "your offset is wrong, HEAD and resync", while the
offset of a busy upload is still moving; 423 says "busy, retry", as tusd does.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from satchel.api.deps import PUBLIC, RuntimeDep, WriteFiles
from satchel.api.envelope import Envelope, envelope
from satchel.assets import service as assets
from satchel.assets.views import base_url
from satchel.auth.service import Principal
from satchel.blobs.multipart import AppendSink
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import SatchelError, TooLarge
from satchel.runtime import Runtime
from satchel.units import size_text
from satchel.uploads import service
from satchel.uploads import tus_protocol as tus
from satchel.uploads.models import Upload, UploadProtocol, UploadState
from satchel.uploads.parsing import form_fields, validation_failed
from satchel.uploads.schemas import TusUploadOut
from satchel.uploads.staging import tus_staging

router = APIRouter(prefix="/uploads/tus", tags=["uploads"])
_FLUSH = 1 << 20
_RENEW_EVERY = 15.0


def _answer(status: int, upload: Upload | None = None, **extra: str) -> Response:
    headers = dict(tus.BASE_HEADERS)
    if upload is not None:
        headers["Upload-Offset"] = str(upload.offset)
        headers["Upload-Expires"] = tus.http_date(upload.expires_at)
        if upload.state == UploadState.DONE and upload.result_asset_id:
            headers[tus.ASSET_HEADER] = upload.result_asset_id
    headers.update(extra)
    return Response(status_code=status, headers=headers)


@router.options("", summary="tus discovery: version, extensions, limits, checksums")
def tus_options(runtime: RuntimeDep, _: Annotated[None, Depends(PUBLIC)] = None) -> Response:
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": tus.VERSION,
            "Tus-Version": tus.VERSION,
            "Tus-Extension": tus.EXTENSIONS,
            "Tus-Max-Size": str(runtime.settings.max_upload_bytes),
            "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUMS),
        },
    )


def _create(runtime: Runtime, owner_id: str, length: int, metadata: dict[str, str]) -> Upload:
    """Announce the upload (reserving its asset id); a `filetype` outside the allow-list is
    refused here, before any byte is sent."""
    try:
        fields, dedupe = form_fields(metadata)
    except ValidationError as exc:
        raise validation_failed(exc) from exc
    assets.check_fields(fields, max_chars=runtime.settings.max_description_chars)
    return service.announce(
        db=runtime.db,
        limits=runtime.limits,
        owner_id=owner_id,
        protocol=UploadProtocol.TUS,
        filename=metadata.get("filename") or metadata.get("name") or "upload.bin",
        declared_type=metadata.get("filetype") or metadata.get("type") or None,
        size=length,
        fields=fields,
        dedupe=dedupe,
        max_bytes=runtime.settings.max_upload_bytes,
        ttl_seconds=runtime.settings.resumable_upload_seconds,
        metadata=metadata,
    )


@router.post("", status_code=201, summary="tus creation (and creation-with-upload)")
async def tus_create(request: Request, runtime: RuntimeDep, principal: WriteFiles) -> Response:
    tus.check_version(request)
    if "upload-defer-length" in request.headers:
        raise tus.bad("Upload-Defer-Length is not supported; send Upload-Length.")
    length = tus.int_header(request, "Upload-Length")
    if length > runtime.settings.max_upload_bytes:
        raise tus.with_tus(
            TooLarge(f"Uploads may have at most {size_text(runtime.settings.max_upload_bytes)}.")
        )
    metadata = tus.parse_metadata(request.headers.get("upload-metadata"))
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != tus.CONTENT_TYPE and request.headers.get("content-length", "0") != "0":
        tus.check_patch(request)  # a body of another type: 415, before anything is made
    try:
        upload = await run_in_threadpool(
            lambda: _create(runtime, principal.user_id, length, metadata)
        )
    except SatchelError as exc:
        raise tus.with_tus(exc) from exc
    location = f"{base_url(request, runtime)}{request.url.path.rstrip('/')}/{upload.id}"
    if ctype == tus.CONTENT_TYPE:
        if not await run_in_threadpool(lambda: service.claim(runtime.db, upload_id=upload.id)):
            raise tus.with_tus(service.Locked("The upload is busy."))
        upload = await _patch(request, runtime, upload)
    return _answer(201, upload, Location=location)


def _mine(runtime: Runtime, principal: Principal, upload_id: str) -> Upload:
    try:
        return service.load(
            runtime.db, upload_id=upload_id, owner_id=principal.user_id, protocol=UploadProtocol.TUS
        )
    except SatchelError as exc:
        raise tus.with_tus(exc) from exc


@router.head("/{upload_id}", summary="tus: the upload's offset and length")
def tus_head(
    upload_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Response:
    tus.check_version(request)
    upload = _mine(runtime, principal, upload_id)
    extra = {"Upload-Length": str(upload.total_size)}
    if upload.upload_metadata:
        extra["Upload-Metadata"] = tus.encode_metadata(upload.upload_metadata)
    return _answer(200, upload, **extra)


@router.get(
    "/{upload_id}",
    summary="An upload's progress, and the asset it became",
    response_model=Envelope[TusUploadOut],
)
def tus_get(upload_id: str, runtime: RuntimeDep, principal: WriteFiles) -> Response:
    upload = _mine(runtime, principal, upload_id)
    body = envelope(
        TusUploadOut(
            id=upload.id,
            offset=upload.offset,
            length=upload.total_size,
            state=upload.state,
            asset_id=upload.result_asset_id,
            expires_at=upload.expires_at,
            metadata=upload.upload_metadata,
            busy=upload.busy_until is not None and upload.busy_until > utcnow(),
        )
    )
    headers = dict(tus.BASE_HEADERS)
    if upload.result_asset_id:
        headers[tus.ASSET_HEADER] = upload.result_asset_id
    return Response(body.model_dump_json(), media_type="application/json", headers=headers)


@router.patch("/{upload_id}", status_code=204, summary="tus: append bytes at Upload-Offset")
async def tus_patch(
    upload_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Response:
    tus.check_version(request)
    tus.check_patch(request)
    sent = tus.int_header(request, "Upload-Offset")
    upload = await run_in_threadpool(lambda: _mine(runtime, principal, upload_id))
    if upload.state == UploadState.DONE:
        if sent != upload.total_size:
            raise tus.offset_mismatch(upload.total_size, sent)
        return _answer(204, upload)
    if sent != upload.offset:
        raise tus.offset_mismatch(upload.offset, sent)
    if not await run_in_threadpool(lambda: service.claim(runtime.db, upload_id=upload.id)):
        raise tus.with_tus(service.Locked("Another PATCH of this upload is in progress; retry."))
    # Re-read under the lease: a PATCH that just ended may have moved the offset.
    upload = await run_in_threadpool(lambda: _mine(runtime, principal, upload_id))
    if sent != upload.offset:
        await run_in_threadpool(lambda: service.release(runtime.db, upload_id=upload.id))
        raise tus.offset_mismatch(upload.offset, sent)
    return _answer(204, await _patch(request, runtime, upload))


async def _patch(request: Request, runtime: Runtime, upload: Upload) -> Upload:
    """Append the body (the caller holds the lease; it is released here)."""
    try:
        checksum = tus.parse_checksum(request.headers.get("upload-checksum"))
        received = await _append(request, runtime, upload, checksum)
        upload.offset += received
        await run_in_threadpool(
            lambda: service.save(runtime.db, upload_id=upload.id, offset=upload.offset)
        )
        if upload.offset == upload.total_size:
            # Hold the lease through assembling (no other PATCH may finish it twice).
            await run_in_threadpool(
                lambda: service.renew(runtime.db, upload_id=upload.id, seconds=3600)
            )
            return await run_in_threadpool(lambda: _finish(runtime, upload))
        return upload
    except SatchelError as exc:
        raise tus.with_tus(exc) from exc
    finally:
        await run_in_threadpool(lambda: service.release(runtime.db, upload_id=upload.id))


def _finish(runtime: Runtime, upload: Upload) -> Upload:
    store = tus_staging(runtime)
    writer = store.assemble_appended(
        upload.id, size=upload.total_size, writer=runtime.blobs.writer()
    )
    result = service.finish(runtime, upload=upload, writer=writer, sha256=None)
    upload.state, upload.result_asset_id = UploadState.DONE, result.asset.id
    if result.job_id is not None:
        try:
            runtime.queue.enqueue(result.job_id)
        except Exception:  # the recovery sweep queues jobs that never reached the queue
            service.log.exception("could not queue job %s", result.job_id)
    return upload


async def _append(
    request: Request,
    runtime: Runtime,
    upload: Upload,
    checksum: tuple[str, bytes] | None,
) -> int:
    """Stream the body onto the staged file; returns how many bytes to keep."""
    store = tus_staging(runtime)
    limit = upload.total_size - upload.offset
    hasher = hashlib.new(checksum[0]) if checksum else None
    loop = asyncio.get_running_loop()
    fh: AppendSink = await run_in_threadpool(
        lambda: store.open_append(upload.id, offset=upload.offset)
    )
    received, buffer, cut_off = 0, bytearray(), False
    pending: asyncio.Future[None] | None = None
    renewed = time.monotonic()

    def write(chunk: bytes) -> None:
        if hasher is not None:
            hasher.update(chunk)
        fh.write(chunk)

    try:
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise TooLarge(
                        f"The upload has {size_text(limit)} left; the PATCH sent more.",
                        code=Code.UPLOAD_LENGTH_EXCEEDED,
                    )
                buffer += chunk
                if len(buffer) >= _FLUSH:
                    if pending is not None:
                        await pending
                    data, buffer = bytes(buffer), bytearray()
                    pending = loop.run_in_executor(None, write, data)
                if time.monotonic() - renewed > _RENEW_EVERY:
                    renewed = time.monotonic()
                    await run_in_threadpool(lambda: service.renew(runtime.db, upload_id=upload.id))
        except ClientDisconnect:
            cut_off = True  # keep what arrived: the client resumes from the new offset
        if pending is not None:
            await pending
        if buffer:
            await run_in_threadpool(write, bytes(buffer))
    except BaseException:
        if pending is not None and not pending.done():
            await asyncio.wait([pending])
        await run_in_threadpool(lambda: store.close_append(fh, keep=False))
        raise  # the offset stays; the next PATCH drops the bytes after it
    await run_in_threadpool(store.close_append, fh)
    if hasher is not None:
        if cut_off:
            return 0  # bytes a checksum was to vouch for, but it cannot: drop them
        if hasher.digest() != checksum[1]:  # type: ignore[index]
            raise tus.ChecksumMismatch("The PATCH body does not match Upload-Checksum.")
    return received


@router.delete("/{upload_id}", status_code=204, summary="tus termination: remove the upload")
def tus_delete(
    upload_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Response:
    tus.check_version(request)
    upload = _mine(runtime, principal, upload_id)
    if not service.claim(runtime.db, upload_id=upload.id):
        raise tus.with_tus(service.Locked("A PATCH of this upload is in progress."))
    if upload.state == UploadState.DONE:
        service.forget(runtime.db, upload_id=upload.id)  # the asset stays; delete it as an asset
    else:
        service.end(runtime.db, blobs=runtime.blobs, upload=upload)
    return Response(status_code=204, headers=dict(tus.BASE_HEADERS))
