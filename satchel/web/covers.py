"""Stable cover pictures for link previews: which stored bytes stand for a space or profile."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterable
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.assets.content import Payload
from satchel.assets.models import Asset, AssetStatus, Blob
from satchel.auth.models import User
from satchel.spaces import profiles, service
from satchel.spaces.models import Space

HIDDEN = (AssetStatus.QUARANTINED,)
PLACEHOLDER_SIZE = (1200, 630)  # the shape link previews crop to
_PLACEHOLDER_RGB = (0xE7, 0xE5, 0xE0)


def _picture(asset: Asset) -> Payload | None:
    if asset.status in HIDDEN:
        return None
    by_kind = {d.kind: d for d in asset.derivatives}
    derivative = by_kind.get("preview") or by_kind.get("thumbnail")
    if derivative is None:
        return None
    return Payload(
        derivative.blob, derivative.media_type, "cover.webp", derivative.created_at, asset.store
    )


def _first_picture(assets: Iterable[Asset]) -> Payload | None:
    candidates = list(assets)
    # An image stands for the space best; a video poster or a PDF's first page will do.
    for wanted in (True, False):
        for asset in candidates:
            if (asset.kind == "image") == wanted and (found := _picture(asset)) is not None:
                return found
    return None


def _space_picture(session: Session, space: Space) -> Payload | None:
    if space.cover_asset_id is not None:
        chosen = session.scalar(
            select(Asset).where(Asset.id == space.cover_asset_id, Asset.trashed_at.is_(None))
        )
        if chosen is not None and (found := _picture(chosen)) is not None:
            return found
    # published_assets lists newest first; the first one published leads.
    return _first_picture(reversed(service.published_assets(session, space.id)))


def space_cover(session: Session, *, short_id: str) -> Payload | None:
    """A shared space's cover bytes, or None for the placeholder.

    Private and unknown spaces raise `space_not_found`. A protected space shows the
    placeholder: its pictures are for those who know the password.
    """
    space = service.shared(session, short_id)
    if space.visibility != "public":
        return None
    return _space_picture(session, space)


def profile_cover(session: Session, *, handle: str) -> Payload | None:
    """The avatar, else the newest public space's cover, else None for the placeholder."""
    user = session.scalar(select(User).where(User.handle == handle.lower()))
    if user is None or not user.is_public:
        raise profiles.profile_not_found()
    if user.avatar_sha256 is not None:
        blob = session.get(Blob, user.avatar_sha256)
        if blob is not None:
            return Payload(blob, "image/webp", "cover.webp", user.updated_at)
    newest = session.scalar(
        select(Space)
        .where(Space.owner_id == user.id, Space.visibility == "public")
        .order_by(Space.created_at.desc())
        .limit(1)
    )
    return None if newest is None else _space_picture(session, newest)


@cache
def placeholder() -> tuple[bytes, str]:
    """A neutral PNG for anything without a picture, made once; with its ETag."""
    width, height = PLACEHOLDER_SIZE

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + bytes(_PLACEHOLDER_RGB) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )
    return png, f'"{hashlib.sha256(png).hexdigest()}"'
