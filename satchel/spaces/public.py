"""What visitors of a shared space see: its manifest, every link a share link."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from satchel.assets.models import Asset, AssetStatus
from satchel.runtime import Runtime
from satchel.spaces import links, service
from satchel.spaces.models import Space


def public_asset(asset: Asset, space: Space, base: str, runtime: Runtime) -> dict[str, Any]:
    """One published asset as visitors see it; every link is a share link of the space."""
    kinds = {d.kind for d in asset.derivatives}

    def link(variant: str) -> str | None:
        present = variant == links.ORIGINAL or variant in kinds
        if not present or not links.allowed(space, variant):
            return None
        return links.share_url(runtime, base, space, asset.id, variant)

    return {
        "id": asset.id,
        "filename": asset.filename,
        "media_type": asset.media_type,
        "kind": asset.kind,
        "width": asset.width,
        "height": asset.height,
        "duration": asset.duration,
        "pages": asset.pages,
        "alt_text": asset.alt_text,
        "description": asset.description,
        "thumb_url": link("thumbnail"),
        "preview_url": link("preview"),
        "waveform_url": link("waveform"),
        "playable_url": link("playable"),
        "url": link(links.ORIGINAL),  # None when the space allows previews only
    }


def manifest(session: Session, space: Space, base: str, runtime: Runtime) -> dict[str, Any]:
    items = [
        public_asset(a, space, base, runtime)
        for a in service.published_assets(session, space.id)
        if a.status != AssetStatus.QUARANTINED
    ]
    return {
        "short_id": space.short_id,
        "name": space.name,
        "description": space.description,
        "visibility": space.visibility,
        "allow_download": space.allow_download,
        "strip_metadata": space.strip_metadata,
        "expires_at": space.expires_at.isoformat() if space.expires_at else None,
        "cover_url": f"{base}/s/{space.short_id}/cover",
        "share_url": f"{base}/s/{space.short_id}",
        "assets": items,
    }
