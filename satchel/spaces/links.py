"""The links a share page hands out: bound to the space, its generation and one asset.

A link names `/s/{short_id}/a/{asset_id}/{variant}` (`original`, or a derivative kind) and
is signed over the space's id and generation. Turning a space private, changing its
password or delivery options, or unpublishing an asset bumps the generation, so every link
handed out before answers `410 link_revoked` at once; each request also re-checks that the
space is shared, not expired, and still publishes the asset.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from satchel.assets.content import Payload
from satchel.assets.models import Asset, AssetStatus, Derivative
from satchel.assets.privacy import visitor_original
from satchel.assets.views import link_window
from satchel.codes import Code
from satchel.errors import Forbidden, Gone, NotFound
from satchel.runtime import Runtime
from satchel.spaces import service
from satchel.spaces.models import Space
from satchel.userjson import ascii_int

ORIGINAL = "original"
# What a share page shows besides originals; `playable` (a browser-friendly copy of a
# video or audio file) counts as a download.
PREVIEWS = ("thumbnail", "preview", "waveform")
DOWNLOADS = (ORIGINAL, "playable")


def _message(space: Space, asset_id: str, variant: str) -> str:
    return f"share {space.id} {space.generation} {asset_id} {variant}"


def _expires(space: Space) -> int:
    expires = link_window()
    if space.expires_at is not None:
        expires = min(expires, int(space.expires_at.timestamp()))
    return expires


def share_url(runtime: Runtime, base: str, space: Space, asset_id: str, variant: str) -> str:
    expires = _expires(space)
    sig = runtime.signer.sign(_message(space, asset_id, variant), expires=expires)
    return (
        f"{base}/s/{space.short_id}/a/{asset_id}/{variant}"
        f"?g={space.generation}&expires={expires}&sig={sig}"
    )


def allowed(space: Space, variant: str) -> bool:
    return space.allow_download or variant not in DOWNLOADS


def resolve(
    session: Session,
    runtime: Runtime,
    *,
    short_id: str,
    asset_id: str,
    variant: str,
    generation: str | None,
    expires: str | None,
    sig: str | None,
) -> Payload | tuple[Asset, Space]:
    """The bytes a share link stands for, or raise: 404 when the space is no longer shared
    or the asset not published in it, 410 for a link of an earlier generation, 403 for a
    bad signature or a download the space does not allow."""
    space = service.shared(session, short_id)
    if variant not in PREVIEWS and variant not in DOWNLOADS:
        raise NotFound(f"A share has no {variant!r} files.", code=Code.DERIVATIVE_NOT_FOUND)
    if ascii_int(generation) != space.generation:
        raise Gone("This link was revoked: open the share page again.", code=Code.LINK_REVOKED)
    runtime.signer.verify(_message(space, asset_id, variant), expires=expires, signature=sig)
    asset = service.published(session, space, asset_id)
    if asset is None or asset.status == AssetStatus.QUARANTINED:
        raise NotFound("The file is not shared here.", code=Code.ASSET_NOT_FOUND)
    if not allowed(space, variant):
        raise Forbidden(
            "The owner of this share allows previews only.", code=Code.DOWNLOAD_NOT_ALLOWED
        )
    if variant == ORIGINAL:
        if asset.blob is None:
            raise NotFound("The file is not shared here.", code=Code.ASSET_NOT_FOUND)
        return asset, space
    derivative = session.get(Derivative, (asset.id, variant))
    if derivative is None:
        raise NotFound(f"The file has no {variant!r}.", code=Code.DERIVATIVE_NOT_FOUND)
    stem = asset.filename.rsplit(".", 1)[0]
    ext = derivative.media_type.split("/")[-1]
    return Payload(
        derivative.blob,
        derivative.media_type,
        f"{stem}.{variant}.{ext}",
        derivative.created_at,
        asset.store,
    )


def payload(runtime: Runtime, found: Payload | tuple[Asset, Space]) -> Payload:
    """The bytes to send for what `resolve` found (the stripped copy made outside the
    request's session when it is not cached yet)."""
    if isinstance(found, Payload):
        return found
    asset, space = found
    return visitor_original(runtime, asset, strip=space.strip_metadata)
