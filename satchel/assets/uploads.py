"""Receiving uploads: multipart forms, inline base64, and the signed single PUT."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.responses import Response

from satchel.api.deps import (
    Public,
    RuntimeDep,
    WriteFiles,
)
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_form, receive_raw, too_large
from satchel.assets import service
from satchel.assets.schemas import (
    AssetFields,
    AssetOut,
    InlineUpload,
    PendingAsset,
    UploadDescriptor,
    UploadIntent,
)
from satchel.assets.views import base_url, to_out
from satchel.errors import BadRequest, Invalid
from satchel.runtime import Runtime
from satchel.storage import targets
from satchel.uploads import multipart
from satchel.uploads.announce import complete_body, multipart_created
from satchel.uploads.schemas import PendingMultipart

router = APIRouter(tags=["assets"])
log = logging.getLogger("satchel.assets")

MAX_INLINE_BYTES = 32 << 20  # base64 JSON bodies; larger files use a form or a PUT


def form_fields(fields: dict[str, str]) -> tuple[AssetFields, bool]:
    """Form fields into the same model JSON bodies use (tags: JSON list or commas)."""
    data: dict[str, Any] = {}
    try:
        for key, value in fields.items():
            if key == "tags":
                text = value.strip()
                data[key] = (
                    json.loads(text)
                    if text.startswith("[")
                    else [t for t in text.split(",") if t.strip()]
                )
            elif key == "attributes":
                data[key] = json.loads(value) if value.strip() else {}
            elif key in ("description", "alt_text", "altText", "is_public", "isPublic"):
                data[key] = value
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"The form field {key!r} is not valid JSON: {exc.msg}.",
            fields=[{"field": key, "message": "not valid JSON"}],
        ) from exc
    dedupe = fields.get("dedupe", "true").strip().lower() not in ("false", "0", "no")
    return AssetFields.model_validate(data), dedupe


def validation_failed(exc: ValidationError) -> Invalid:
    return Invalid(
        "The request is not valid.",
        fields=[
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "code": e["type"]}
            for e in exc.errors()
        ],
    )


@router.post(
    "/assets",
    status_code=202,
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
    settings = runtime.settings
    if ctype == "multipart/form-data":
        writer = runtime.blobs.writer()
        form = await receive_form(request, writer, limit=settings.max_upload_bytes)
        if not form.has_file:
            writer.abort()
            raise Invalid(
                "The form has no `file` part.",
                code="asset_file_required",
                fields=[{"field": "file", "message": "required"}],
            )
        try:
            location = targets.resolve_target(
                db=runtime.db,
                owner_id=principal.user_id,
                connection_id=targets.pop_target(form.fields),
            )
            fields, form_dedupe = form_fields(form.fields)
            service.check_fields(fields, max_chars=settings.max_description_chars)
        except ValidationError as exc:
            writer.abort()
            raise validation_failed(exc) from exc
        except BaseException:
            writer.abort()
            raise
        if location is not None:
            writer = await run_in_threadpool(targets.retarget, runtime.blobs, writer, location)
        result = await run_in_threadpool(
            lambda: service.ingest(
                db=runtime.db,
                blobs=runtime.blobs,
                limits=runtime.limits,
                owner_id=principal.user_id,
                writer=writer,
                filename=form.fields.get("filename") or form.filename,
                declared_type=form.content_type,
                fields=fields,
                dedupe=dedupe and form_dedupe,
                location=location,
            )
        )
        return _created(result, request, runtime)
    if ctype == "application/json":
        return await _create_from_json(request, runtime, principal.user_id, dedupe)
    raise Invalid(
        "Send multipart/form-data with a `file` part, or JSON.",
        code="unsupported_media_type",
    )


def _created(result: service.Ingested, request: Request, runtime: Runtime) -> Response:
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
        job_id=result.job_id,
    )
    return Response(
        body.model_dump_json(),
        status_code=200 if result.job_id is None else 202,
        media_type="application/json",
    )


async def _create_from_json(
    request: Request, runtime: Runtime, owner_id: str, dedupe: bool
) -> Response:
    settings = runtime.settings
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_INLINE_BYTES:
            raise too_large(MAX_INLINE_BYTES)
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise Invalid("The body must be a JSON object.")
    inline = "content_base64" in payload or "contentBase64" in payload
    location = targets.resolve_target(
        db=runtime.db, owner_id=owner_id, connection_id=targets.pop_target(payload)
    )
    # A multipart upload may name the SHA-256 its assembled bytes must have; `multipart`
    # true or false overrides the size threshold (one PUT of a large file, say).
    sha256 = None if inline else payload.pop("sha256", None)
    mode = None if inline else payload.pop("multipart", None)
    if mode is not None and not isinstance(mode, bool):
        raise Invalid(
            "multipart must be true or false.",
            fields=[{"field": "multipart", "message": "a boolean"}],
        )
    try:
        model: InlineUpload | UploadIntent = (
            InlineUpload.model_validate(payload) if inline else UploadIntent.model_validate(payload)
        )
    except ValidationError as exc:
        raise validation_failed(exc) from exc
    service.check_fields(model, max_chars=settings.max_description_chars)
    if isinstance(model, InlineUpload):
        try:
            data = base64.b64decode(model.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid(
                "content_base64 is not valid base64.",
                fields=[{"field": "content_base64", "message": "not valid base64"}],
            ) from exc
        if len(data) > settings.max_upload_bytes:
            raise too_large(settings.max_upload_bytes)
        writer = runtime.blobs.writer(location)

        def store() -> service.Ingested:
            try:
                writer.write(data)
            except BaseException:
                writer.abort()
                raise
            return service.ingest(
                db=runtime.db,
                blobs=runtime.blobs,
                limits=runtime.limits,
                owner_id=owner_id,
                writer=writer,
                filename=model.file_name,
                declared_type=model.media_type,
                fields=model,
                dedupe=dedupe and model.dedupe,
                location=location,
            )

        return _created(await run_in_threadpool(store), request, runtime)
    if mode if mode is not None else model.size > settings.multipart_threshold_bytes:
        if location is not None:
            raise Invalid(
                "Multipart uploads to a storage connection are not supported yet; "
                "send the file by form or single PUT.",
                code="storage_connection_unsupported",
            )
        return await multipart_created(request, runtime, owner_id, model, dedupe, sha256)
    asset, upload = await run_in_threadpool(
        lambda: service.create_pending(
            db=runtime.db,
            owner_id=owner_id,
            filename=model.filename,
            declared_type=model.content_type,
            size=model.size,
            fields=model,
            dedupe=dedupe and model.dedupe,
            max_bytes=settings.max_upload_bytes,
            ttl_seconds=settings.upload_url_seconds,
            location=location,
        )
    )
    base = base_url(request, runtime)
    expires = int(upload.expires_at.timestamp())
    sig = runtime.signer.sign(f"PUT /uploads/{upload.id}", expires=expires)
    out = PendingAsset(
        **to_out(asset, base_url(request, runtime), runtime).model_dump(),
        upload=UploadDescriptor(
            url=f"{base}/api/v1/uploads/{upload.id}?expires={expires}&sig={sig}",
            headers={"Content-Type": "application/octet-stream"},
            expires_at=upload.expires_at,
            complete_url=f"{base}/api/v1/assets/{asset.id}/complete",
        ),
    )
    return Response(envelope(out).model_dump_json(), status_code=201, media_type="application/json")


@router.put(
    "/uploads/{upload_id}",
    status_code=204,
    summary="Send the bytes of an announced upload (signed URL; no key needed)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
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
    with runtime.db.session() as session:
        upload = service.get_upload(session=session, upload_id=upload_id)
        limit = upload.expected_size
    location = service.upload_location(db=runtime.db, upload_id=upload_id)
    writer = runtime.blobs.writer(location)
    await receive_raw(request, writer, limit=limit)
    await run_in_threadpool(
        lambda: service.receive_put(
            db=runtime.db, blobs=runtime.blobs, upload_id=upload_id, writer=writer
        )
    )
    return Response(status_code=204)


@router.post(
    "/assets/{asset_id}/complete",
    status_code=202,
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
                runtime,
                owner_id=principal.user_id,
                asset_id=asset_id,
                upload_id=body.upload_id,
                parts=[(p.part_number, p.etag) for p in body.parts],
                sha256=body.sha256,
            )
        )
        return _created(result, request, runtime)
    result = await run_in_threadpool(
        lambda: service.complete(
            db=runtime.db,
            blobs=runtime.blobs,
            limits=runtime.limits,
            owner_id=principal.user_id,
            asset_id=asset_id,
        )
    )
    return _created(result, request, runtime)
