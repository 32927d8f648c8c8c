"""Delivering an asset's bytes: content, raw, derivatives and signed links to them."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from satchel.api.deps import (
    FilesOrSigned,
    ReadFiles,
    RuntimeDep,
    SessionDep,
    WriteFiles,
    client_ip,
)
from satchel.api.envelope import Envelope, envelope
from satchel.assets import content, links, service
from satchel.assets.models import Asset, Blob, Derivative
from satchel.assets.schemas import (
    SignedUrl,
)
from satchel.assets.views import base_url, content_url, link_message, public_url
from satchel.auth.service import Principal
from satchel.codes import Code
from satchel.errors import Invalid, NotFound, SatchelError, Unauthorized
from satchel.runtime import Runtime

router = APIRouter(tags=["assets"])


def _owns(principal: Principal | None, asset: Asset) -> bool:
    if principal is None:
        return False
    return principal.owner_filter("files:all") in (None, asset.owner_id)


def _authorized_asset(
    session: Session,
    runtime: Runtime,
    principal: FilesOrSigned,
    asset_id: str,
    signed: str,
    expires: str | None,
    sig: str | None,
) -> Asset:
    """The asset a key's owner may read, or the one a valid signature over `signed` names
    (whoever the caller: a signed-in visitor of someone's share page is served too)."""
    if sig is None and expires is None:
        if principal is None:
            raise Unauthorized("Send `Authorization: Bearer <key>` or use a signed URL.")
        return service.get(
            session=session, owner_id=principal.owner_filter("files:all"), asset_id=asset_id
        )
    asset = session.scalars(select(Asset).where(Asset.id == asset_id, service.live())).first()
    generation = asset.link_generation if asset is not None else 0
    try:  # a link signed before the owner revoked the asset's links fails here
        runtime.signer.verify(link_message(signed, generation), expires=expires, signature=sig)
    except SatchelError:
        if principal is None:
            raise
        return service.get(  # a stale link in the owner's own page still works for them
            session=session, owner_id=principal.owner_filter("files:all"), asset_id=asset_id
        )
    if asset is None:
        raise service.not_found(asset_id)
    return asset


def _load_for_content(
    runtime: Runtime,
    principal: FilesOrSigned,
    asset_id: str,
    purpose: str,
    expires: str | None,
    sig: str | None,
) -> tuple[Asset, Blob | None]:
    with runtime.db.session() as session:
        asset = _authorized_asset(
            session, runtime, principal, asset_id, f"{purpose} {asset_id}", expires, sig
        )
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
    if public is not None and not _owns(principal, public):
        # A public asset lives at one stable URL, for anyone (and for caches); its owner
        # still gets the untouched original here.
        return RedirectResponse(public_url(public, base_url(request, runtime)), status_code=307)
    asset, blob = await run_in_threadpool(
        _load_for_content, runtime, principal, asset_id, "content", expires, sig
    )
    presigned = await run_in_threadpool(_presigned, runtime, asset, blob)
    if presigned is not None:
        # S3 storage: the bytes go straight from the bucket (not through this node).
        return RedirectResponse(presigned, status_code=307, headers={"Cache-Control": "no-store"})
    return await content.send(
        request, asset=asset, blob=blob, blobs=runtime.blobs, full_check=False
    )


def _presigned(runtime: Runtime, asset: Asset, blob: Blob | None) -> str | None:
    """A presigned GET for S3-stored content (`SATCHEL_S3_PRESIGN_DOWNLOADS`), else None."""
    if blob is None or not runtime.settings.s3_presign_downloads:
        return None
    return runtime.blobs.at(asset.store).presign_get(
        blob.sha256,
        expires_in=runtime.settings.s3_presign_seconds,
        filename=asset.filename,
        media_type=asset.media_type,
        attachment=asset.media_type in content.ACTIVE_TYPES,
    )


def _public_asset(runtime: Runtime, asset_id: str) -> Asset | None:
    with runtime.db.session() as session:
        asset = session.scalar(
            select(Asset).where(Asset.id == asset_id, service.shown_to_visitors(), service.live())
        )
        return asset


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
    max_seconds = runtime.settings.signed_url_max_seconds
    if expires_in > max_seconds:
        raise Invalid(
            f"expires_in may be at most {max_seconds} seconds.",
            fields=[{"field": "expires_in", "message": f"at most {max_seconds}"}],
        )
    expires = int(time.time()) + expires_in
    base = base_url(request, runtime)
    url = content_url(runtime, base, asset.id, expires=expires, generation=asset.link_generation)
    return envelope(SignedUrl(url=url, expires_at=datetime.fromtimestamp(expires, UTC)))


class LinksRevoked(BaseModel):
    id: str
    link_generation: int


@router.post(
    "/assets/{asset_id}/links/revoke",
    summary="Revoke every signed link to the asset handed out so far",
    description="Links from `GET /assets/{id}/url` and the derivative links of the asset's "
    "JSON stop working at once (`403`); links made after this call work. Share pages of "
    "spaces have their own revocation (changing the space's visibility or password).",
)
def revoke_links(
    asset_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[LinksRevoked]:
    generation = links.revoke(
        db=runtime.db,
        owner_id=principal.owner_filter("files:all"),
        asset_id=asset_id,
        actor_id=principal.user_id,
        ip=client_ip(request),
    )
    return envelope(LinksRevoked(id=asset_id, link_generation=generation))


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
            asset = _authorized_asset(
                session,
                runtime,
                principal,
                asset_id,
                f"derivative {asset_id} {kind}",
                expires,
                sig,
            )
            derivative = session.get(Derivative, (asset.id, kind))
            if derivative is None:
                raise NotFound(
                    f"The asset has no {kind!r} derivative.", code=Code.DERIVATIVE_NOT_FOUND
                )
            return asset, derivative

    asset, derivative = await run_in_threadpool(load)
    return await content.send_derivative(
        request, asset=asset, derivative=derivative, blobs=runtime.blobs
    )
