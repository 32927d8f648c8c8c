"""HTTP routes of the assets API; each parses, calls one service function, and wraps."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from satchel.api.deps import (
    FilesOrSigned,
    Public,
    ReadFiles,
    RuntimeDep,
    SessionDep,
    WriteFiles,
    client_ip,
)
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import receive_form, receive_raw, too_large
from satchel.assets import content, service
from satchel.assets.listing import ListQuery, list_assets
from satchel.assets.models import Asset, Blob, Derivative
from satchel.assets.schemas import (
    AssetFields,
    AssetOut,
    AssetPatch,
    BatchDelete,
    BatchDeleteResult,
    InlineUpload,
    PendingAsset,
    Reprocessed,
    SignedUrl,
    UploadDescriptor,
    UploadIntent,
    Usage,
    UsageStats,
)
from satchel.assets.views import base_url, content_url, to_out
from satchel.errors import BadRequest, Invalid, NotFound, Unauthorized
from satchel.lifecycle import references
from satchel.processing import service as processing
from satchel.runtime import Runtime

router = APIRouter(tags=["assets"])
log = logging.getLogger("satchel.assets")

MAX_INLINE_BYTES = 32 << 20  # base64 JSON bodies; larger files use a form or a PUT


def _form_fields(fields: dict[str, str]) -> tuple[AssetFields, bool]:
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


def _validation_error(exc: ValidationError) -> Invalid:
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
    response_model=Envelope[AssetOut | PendingAsset],
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
            fields, form_dedupe = _form_fields(form.fields)
            service.check_fields(fields, max_chars=settings.max_description_chars)
        except ValidationError as exc:
            writer.abort()
            raise _validation_error(exc) from exc
        except BaseException:
            writer.abort()
            raise
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
    try:
        model: InlineUpload | UploadIntent = (
            InlineUpload.model_validate(payload) if inline else UploadIntent.model_validate(payload)
        )
    except ValidationError as exc:
        raise _validation_error(exc) from exc
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
        writer = runtime.blobs.writer()

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
            )

        return _created(await run_in_threadpool(store), request, runtime)
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
    writer = runtime.blobs.writer()
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
    summary="Finish a single-PUT upload (202 while processing; 200 if nothing was left to do)",
)
def complete_upload(
    asset_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Response:
    result = service.complete(
        db=runtime.db,
        blobs=runtime.blobs,
        limits=runtime.limits,
        owner_id=principal.user_id,
        asset_id=asset_id,
    )
    return _created(result, request, runtime)


@router.get("/assets", summary="List assets")
def list_route(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    search: Annotated[str | None, Query(max_length=200, description="Alias of q")] = None,
    kind: str | None = None,
    type: Annotated[str | None, Query(description="Alias of kind")] = None,
    media_type: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    modified_after: datetime | None = None,
    sort: str = "created_at",
    order: Literal["asc", "desc"] = "desc",
) -> Envelope[list[AssetOut]]:
    query = ListQuery(
        limit=limit,
        cursor=cursor,
        q=q or search,
        kind=kind or type,
        media_type=media_type,
        status=status,
        tag=tag,
        created_after=created_after,
        created_before=created_before,
        modified_after=modified_after,
        sort=sort,
        order=order,
    )
    owner = principal.owner_filter("files:all")
    rows, next_cursor = list_assets(session=session, owner_id=owner, query=query)
    return envelope(
        [to_out(a, base_url(request, runtime), runtime) for a in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )


@router.get("/assets/usage-stats", summary="Totals and the per-content-type breakdown")
def usage_stats(session: SessionDep, principal: ReadFiles) -> Envelope[UsageStats]:
    data = service.usage(session=session, owner_id=principal.user_id)
    return envelope(
        UsageStats(
            total_assets=data["total_assets"],
            total_bytes=data["total_bytes"],
            total_derivatives=0,
            content_type_breakdown=data["by_content_type"],
        )
    )


@router.get("/usage", summary="Storage used by the caller", tags=["usage"])
def usage(session: SessionDep, principal: ReadFiles) -> Envelope[Usage]:
    return envelope(Usage(**service.usage(session=session, owner_id=principal.user_id)))


@router.post("/assets/batch-delete", summary="Delete several assets")
def batch_delete(
    body: BatchDelete | list[str], request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[BatchDeleteResult]:
    ids = body if isinstance(body, list) else body.ids
    deleted, missing, blocked = service.batch_delete(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=principal.owner_filter("files:all"),
        ids=ids,
        actor_id=principal.user_id,
        ip=client_ip(request),
    )
    return envelope(
        BatchDeleteResult(
            requested=len(ids), deleted=deleted, not_found_ids=missing, blocked_ids=blocked
        )
    )


@router.get("/assets/{asset_id}", summary="Get one asset")
def get_asset(
    asset_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, principal: ReadFiles
) -> Envelope[AssetOut]:
    owner = principal.owner_filter("files:all")
    asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
    return envelope(to_out(asset, base_url(request, runtime), runtime))


@router.patch("/assets/{asset_id}", summary="Change an asset's metadata")
def patch_asset(
    asset_id: str, body: AssetPatch, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[AssetOut]:
    service.check_fields(body, max_chars=runtime.settings.max_description_chars)
    changes = body.model_dump(include=body.model_fields_set)
    asset = service.patch(
        db=runtime.db,
        owner_id=principal.owner_filter("files:all"),
        asset_id=asset_id,
        changes=changes,
    )
    return envelope(to_out(asset, base_url(request, runtime), runtime))


@router.delete(
    "/assets/{asset_id}",
    summary="Delete an asset and its derivatives (its bytes too when nothing else uses them)",
    description="With `dry_run=true`, answer the delete plan and change nothing. A delete "
    "blocked by hard references is `409 asset_delete_blocked`.",
)
def delete_asset(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    principal: WriteFiles,
    dry_run: bool = False,
) -> Envelope[dict[str, Any]]:
    result = service.delete_asset(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=principal.owner_filter("files:all"),
        asset_id=asset_id,
        actor_id=principal.user_id,
        ip=client_ip(request),
        dry_run=dry_run,
    )
    if dry_run:
        return envelope(
            result.plan or {"asset_id": asset_id}, dry_run=True, already_deleted=result.plan is None
        )
    return envelope(
        {"id": asset_id, "deleted": True, "plan": result.plan}, already_deleted=result.plan is None
    )


@router.get("/assets/{asset_id}/references", summary="The durable places that point at it")
def get_references(
    asset_id: str, session: SessionDep, principal: ReadFiles
) -> Envelope[dict[str, Any]]:
    owner = principal.owner_filter("files:all")
    asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
    return envelope({"asset_id": asset.id, **references.view(references.of(session, asset.id))})


def _load_for_content(
    runtime: Runtime,
    principal: FilesOrSigned,
    asset_id: str,
    purpose: str,
    expires: str | None,
    sig: str | None,
) -> tuple[Asset, Blob | None]:
    with runtime.db.session() as session:
        if principal is None:
            if sig is None and expires is None:
                raise Unauthorized("Send `Authorization: Bearer <key>` or use a signed URL.")
            runtime.signer.verify(f"{purpose} {asset_id}", expires=expires, signature=sig)
            asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
            if asset is None:
                raise service.not_found(asset_id)
        else:
            owner = principal.owner_filter("files:all")
            asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
        return asset, asset.blob


@router.head("/assets/{asset_id}/content", include_in_schema=False)
@router.get(
    "/assets/{asset_id}/content",
    summary="The asset's bytes (ranges, ETag; a key or a signed URL)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {}, 304: {}},
)
async def get_content(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    principal: FilesOrSigned,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:
    public = await run_in_threadpool(_public_asset, runtime, asset_id)
    if public is not None:
        # A public asset lives at one stable URL, for anyone (and for caches).
        location = f"{base_url(request, runtime)}/p/{public.id}/{quote(public.filename)}"
        return RedirectResponse(location, status_code=307)
    asset, blob = await run_in_threadpool(
        _load_for_content, runtime, principal, asset_id, "content", expires, sig
    )
    return await content.send(
        request, asset=asset, blob=blob, blobs=runtime.blobs, full_check=False
    )


def _public_asset(runtime: Runtime, asset_id: str) -> Asset | None:
    with runtime.db.session() as session:
        asset = session.scalar(select(Asset).where(Asset.id == asset_id, Asset.is_public))
        return asset if asset is not None and asset.status != "uploading" else None


@router.head("/assets/{asset_id}/raw", include_in_schema=False)
@router.get(
    "/assets/{asset_id}/raw",
    summary="The exact stored bytes, re-checked against length and SHA-256 first",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_raw(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    principal: FilesOrSigned,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:
    asset, blob = await run_in_threadpool(
        _load_for_content, runtime, principal, asset_id, "raw", expires, sig
    )
    return await content.send(request, asset=asset, blob=blob, blobs=runtime.blobs, full_check=True)


@router.get("/assets/{asset_id}/url", summary="A signed link to the content, valid for a while")
def signed_url(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
    expires_in: Annotated[int, Query(ge=1)] = 3600,
) -> Envelope[SignedUrl]:
    owner = principal.owner_filter("files:all")
    asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
    if asset.status == "uploading":
        raise NotFound("The asset has no content yet.", code="asset_not_found")
    max_seconds = runtime.settings.signed_url_max_seconds
    if expires_in > max_seconds:
        raise Invalid(
            f"expires_in may be at most {max_seconds} seconds.",
            fields=[{"field": "expires_in", "message": f"at most {max_seconds}"}],
        )
    expires = int(time.time()) + expires_in
    url = content_url(runtime, base_url(request, runtime), asset.id, expires=expires)
    return envelope(SignedUrl(url=url, expires_at=datetime.fromtimestamp(expires, UTC)))


@router.head("/assets/{asset_id}/derivatives/{kind}", include_in_schema=False)
@router.get(
    "/assets/{asset_id}/derivatives/{kind}",
    summary="One derivative (thumbnail, preview, text, waveform), checked as it is sent",
    response_class=Response,
    responses={200: {"content": {"image/webp": {}, "text/plain": {}}}},
)
async def get_derivative(
    asset_id: str,
    kind: str,
    request: Request,
    runtime: RuntimeDep,
    principal: FilesOrSigned,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:
    def load() -> tuple[Asset, Derivative]:
        with runtime.db.session() as session:
            if principal is None:
                if sig is None and expires is None:
                    raise Unauthorized("Send `Authorization: Bearer <key>` or use a signed URL.")
                runtime.signer.verify(
                    f"derivative {asset_id} {kind}", expires=expires, signature=sig
                )
                asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
                if asset is None:
                    raise service.not_found(asset_id)
            else:
                owner = principal.owner_filter("files:all")
                asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
            derivative = session.get(Derivative, (asset.id, kind))
            if derivative is None:
                raise NotFound(
                    f"The asset has no {kind!r} derivative.", code="derivative_not_found"
                )
            return asset, derivative

    asset, derivative = await run_in_threadpool(load)
    return await content.send_derivative(
        request, asset=asset, derivative=derivative, blobs=runtime.blobs
    )


@router.get("/assets/{asset_id}/metadata", summary="Metadata as extracted, and normalized")
def get_metadata(
    asset_id: str, session: SessionDep, principal: ReadFiles
) -> Envelope[dict[str, Any]]:
    owner = principal.owner_filter("files:all")
    asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
    return envelope(
        {"normalized": dict(asset.info or {}), "raw": dict(asset.raw_metadata or {})},
        status=asset.status,
    )


@router.post("/assets/{asset_id}/reprocess", status_code=202, summary="Process the asset again")
def reprocess(
    asset_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[AssetOut]:
    # The job row commits (and the write turn ends) before it is queued.
    with runtime.db.write_session() as session:
        job = processing.reprocess(
            session,
            owner_id=principal.owner_filter("files:all"),
            asset_id=asset_id,
            actor_id=principal.user_id,
        )
    runtime.queue.enqueue(job.id)
    with runtime.db.session() as session:
        asset = service.get(session=session, owner_id=None, asset_id=asset_id)
        return envelope(to_out(asset, base_url(request, runtime), runtime), job_id=job.id)


@router.post("/assets/bulk-reprocess", summary="Process a page of ready or failed assets again")
def bulk_reprocess(
    runtime: RuntimeDep,
    principal: WriteFiles,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    kind: str | None = None,
) -> Envelope[Reprocessed]:
    with runtime.db.write_session() as session:
        job_ids, next_cursor = processing.bulk_reprocess(
            session,
            owner_id=principal.owner_filter("files:all"),
            actor_id=principal.user_id,
            cursor=cursor,
            limit=limit,
            kind=kind,
        )
    runtime.queue.enqueue(*job_ids)
    return envelope(
        Reprocessed(
            processed=len(job_ids),
            next_cursor=next_cursor,
            has_more=next_cursor is not None,
            job_ids=job_ids,
        )
    )
