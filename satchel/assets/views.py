"""How assets look to clients: the asset view and the signed links in it."""

from __future__ import annotations

import time
from urllib.parse import quote

from fastapi import Request
from sqlalchemy import inspect

from satchel.assets.models import Asset, Derivative, is_shown_to_visitors
from satchel.assets.schemas import AssetOut, AssetUrls, DerivativeOut
from satchel.config import Settings
from satchel.runtime import Runtime

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def origin_of(request: Request, settings: Settings) -> str:
    """The origin links are built on: `SATCHEL_BASE_URL`, else the request's own only when
    its Host is local or in `SATCHEL_ALLOWED_HOSTS`; any other Host header (which a caller
    writes, and a cache may keep) gets the address the server listens on instead."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    host = (request.url.hostname or "").lower()
    if host in LOCAL_HOSTS or host in {h.lower() for h in settings.allowed_hosts}:
        return str(request.base_url).rstrip("/")
    return f"http://{settings.host}:{settings.port}"


def base_url(request: Request, runtime: Runtime) -> str:
    return origin_of(request, runtime.settings)


def link_window() -> int:
    # Links expire at the end of a half-hour window at least an hour away, so the same link
    # is handed out for a while and browsers and CDNs can cache what it points at.
    return (int(time.time()) // 1800 + 3) * 1800


def link_message(signed: str, generation: int) -> str:
    """What a link to an asset signs: its purpose and id, and the asset's link generation
    (`POST /assets/{id}/links/revoke` bumps it; generation 0 is the plain message, so links
    made before generations existed stay valid until revoked)."""
    return signed if generation == 0 else f"{signed} g{generation}"


def content_url(
    runtime: Runtime, base: str, asset_id: str, *, expires: int | None = None, generation: int = 0
) -> str:
    expires = expires or link_window()
    sig = runtime.signer.sign(link_message(f"content {asset_id}", generation), expires=expires)
    return f"{base}/api/v1/assets/{asset_id}/content?expires={expires}&sig={sig}"


def derivative_url(
    runtime: Runtime, base: str, asset_id: str, kind: str, *, generation: int = 0
) -> str:
    expires = link_window()
    message = link_message(f"derivative {asset_id} {kind}", generation)
    sig = runtime.signer.sign(message, expires=expires)
    return f"{base}/api/v1/assets/{asset_id}/derivatives/{kind}?expires={expires}&sig={sig}"


def _derivatives(asset: Asset) -> list[Derivative]:
    # Rows read by a query come with their derivatives (selectin); a row this request just
    # created has none yet, and must not try to load them after its session closed.
    if "derivatives" in inspect(asset).unloaded:
        return []
    # Renditions (`r:…`, made on request by /render) are a cache, not part of the view.
    return [d for d in asset.derivatives if not d.kind.startswith("r:")]


def public_url(asset: Asset, base: str) -> str:
    """A public asset's one stable URL, for anyone (`/p/{id}/{filename}`)."""
    return f"{base}/p/{asset.id}/{quote(asset.filename)}"


def to_out(asset: Asset, base: str, runtime: Runtime) -> AssetOut:
    """The full asset view; `base` is the public origin links start with."""
    root = f"{base}/api/v1/assets/{asset.id}"
    derivatives = [
        DerivativeOut(
            kind=d.kind,
            media_type=d.media_type,
            size=d.size,
            width=d.width,
            height=d.height,
            url=derivative_url(runtime, base, asset.id, d.kind, generation=asset.link_generation),
        )
        for d in _derivatives(asset)
    ]
    by_kind = {d.kind: d.url for d in derivatives}
    return AssetOut(
        id=asset.id,
        filename=asset.filename,
        media_type=asset.media_type,
        kind=asset.kind,
        size=asset.size,
        sha256=asset.sha256,
        status=asset.status,
        tags=list(asset.tags),
        attributes=dict(asset.attributes),
        description=asset.description,
        alt_text=asset.alt_text,
        is_public=asset.is_public,
        public_strip_metadata=asset.public_strip_metadata is not False,
        public_allow_download=asset.public_allow_download is not False,
        public_expires_at=asset.public_expires_at,
        public_url=public_url(asset, base) if is_shown_to_visitors(asset) else None,
        folder=asset.folder or "/",
        is_favorite=bool(asset.is_favorite),
        is_archived=bool(asset.is_archived),
        trashed_at=asset.trashed_at,
        taken_at=asset.taken_at,
        camera_make=asset.camera_make,
        camera_model=asset.camera_model,
        lens=asset.lens,
        latitude=asset.latitude,
        longitude=asset.longitude,
        orientation=asset.orientation,
        width=asset.width,
        height=asset.height,
        duration=asset.duration,
        pages=asset.pages,
        metadata=dict(asset.info or {}),
        failure_code=asset.failure_code,
        failure_reason=asset.failure_reason,
        derivatives=derivatives,
        thumb_url=by_kind.get("thumbnail"),
        preview_url=by_kind.get("preview"),
        processed_at=asset.processed_at,
        version=asset.version or 1,
        root_id=asset.root_id,
        parent_id=asset.parent_id,
        created_at=asset.created_at,
        updated_at=asset.updated_at,
        urls=AssetUrls(self=root, content=f"{root}/content", raw=f"{root}/raw"),
    )
