"""`GET /assets/{id}/render`: a resized or converted image of a stored asset."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import defer
from starlette.responses import Response

from satchel.api.deps import FilesOrSigned, ReadFiles, RuntimeDep
from satchel.api.envelope import Envelope, envelope
from satchel.assets import content
from satchel.assets import service as assets
from satchel.assets.filenames import content_disposition
from satchel.assets.models import Asset, Derivative
from satchel.assets.schemas import SignedUrl
from satchel.assets.views import base_url
from satchel.db import utcnow
from satchel.errors import Invalid, SatchelError, Unauthorized
from satchel.renditions import service
from satchel.renditions.service import RenderParams
from satchel.runs import sandbox
from satchel.runtime import Runtime

router = APIRouter(tags=["assets"])
_LEAN = (
    defer(Asset.info),
    defer(Asset.raw_metadata),
    defer(Asset.attributes),
    defer(Asset.description),
    defer(Asset.alt_text),
    defer(Asset.tags),
)
Params = Annotated[RenderParams, Depends()]


def _load(
    runtime: Runtime,
    principal: FilesOrSigned,
    asset_id: str,
    params: RenderParams,
    expires: str | None,
    sig: str | None,
) -> tuple[Asset, bool]:
    """The asset the caller may render (theirs, one a signature names, or a public one)
    and whether any size may be asked (not for a public asset reached without either)."""
    with runtime.db.session() as session:
        # Only what a rendition needs: the metadata JSON is large and parsed on load.
        stmt = select(Asset).where(Asset.id == asset_id, assets.live()).options(*_LEAN)
        row = session.scalars(stmt).first()
        owner = principal.owner_filter("files:all") if principal is not None else ""
        any_size = row is not None and principal is not None and owner in (None, row.owner_id)
        if not any_size and (sig is not None or expires is not None):
            # A valid signature serves, whoever asks (signed in or not); a public asset is
            # still served at its presets when the signature is not valid.
            media_type = row.media_type if row else "image/webp"
            message = f"render {asset_id} {params.canonical(media_type)}"
            try:
                runtime.signer.verify(message, expires=expires, signature=sig)
                any_size = True
            except SatchelError:
                if row is None or not assets.is_shown_to_visitors(row):
                    raise
        if row is None or not (any_size or assets.is_shown_to_visitors(row)):
            if principal is None and sig is None and expires is None:
                raise Unauthorized("Send `Authorization: Bearer <key>` or use a signed URL.")
            raise assets.not_found(asset_id)
        _ = list(row.derivatives)  # loaded while the session is open
        return row, any_size


@router.head("/assets/{asset_id}/render", include_in_schema=False)
@router.get(
    "/assets/{asset_id}/render",
    summary="A resized or converted image of the asset (cached; a key, a signature or public)",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/webp": {}, "image/png": {}}}},
)
async def render(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    principal: FilesOrSigned,
    params: Params,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:

    def load_or_make() -> tuple[Asset, Derivative | None, service.Rendition | None]:
        asset, any_size = _load(runtime, principal, asset_id, params, expires, sig)
        if not any_size:
            service.check_preset(params, runtime.settings)
        derivative = service.cached(asset, params)
        if derivative is not None:
            service.touch_later(runtime, derivative)
            return asset, derivative, None
        return asset, None, service.render(runtime, asset, params)

    asset, derivative, made = await sandbox.waiting(load_or_make)
    if derivative is not None:
        return await content.send_derivative(
            request, asset=asset, derivative=derivative, blobs=runtime.blobs
        )
    assert made is not None and made.data is not None
    etag = '"' + hashlib.sha256(made.data).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": _cache_control(asset),
        "Content-Disposition": content_disposition(made.filename, attachment=False),
        "X-Content-Type-Options": "nosniff",
    }
    body = b"" if request.method == "HEAD" else made.data
    return Response(body, media_type=made.media_type, headers=headers)


def _cache_control(asset: Asset) -> str:
    """Shared caches may keep a public asset's rendition for a year, or until its public
    life ends; anything else only the caller keeps, for an hour."""
    if not assets.is_shown_to_visitors(asset):
        return "private, max-age=3600"
    if asset.public_expires_at is None:
        return "public, max-age=31536000, immutable"
    left = int((asset.public_expires_at - utcnow()).total_seconds())
    return f"public, max-age={max(0, min(left, 31536000))}"


@router.get("/assets/{asset_id}/render-url", summary="A signed link to a rendition")
def render_url(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    principal: ReadFiles,
    params: Params,
    expires_in: Annotated[int, Query(ge=1)] = 3600,
) -> Envelope[SignedUrl]:
    max_seconds = runtime.settings.signed_url_max_seconds
    if expires_in > max_seconds:
        raise Invalid(
            f"expires_in may be at most {max_seconds} seconds.",
            fields=[{"field": "expires_in", "message": f"at most {max_seconds}"}],
        )
    with runtime.db.session() as session:
        asset = assets.get(
            session=session, owner_id=principal.owner_filter("files:all"), asset_id=asset_id
        )
        canonical = params.canonical(asset.media_type)
    expires = int(time.time()) + expires_in
    sig = runtime.signer.sign(f"render {asset_id} {canonical}", expires=expires)
    query = f"{canonical}&expires={expires}&sig={sig}"
    url = f"{base_url(request, runtime)}/api/v1/assets/{asset_id}/render?{query}"
    return envelope(SignedUrl(url=url, expires_at=datetime.fromtimestamp(expires, UTC)))
