"""Public profiles and avatars."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from satchel.assets.blobrefs import drop_blob_if_unused, ensure_blob_row
from satchel.auth.models import User
from satchel.blobs import BlobStore, write_file
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Conflict, Invalid, NotFound
from satchel.media import sniff_file
from satchel.runs import service as runs
from satchel.runtime import Runtime
from satchel.spaces.models import Space

if TYPE_CHECKING:
    from satchel.storage.stores import Stores

HANDLE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,29}$")
MAX_BIO = 280
MAX_LINKS = 6
AVATAR_TYPES = {"image/jpeg", "image/png", "image/webp"}
AVATAR_MAX_BYTES = 10 * 1000 * 1000
AVATAR_PX = 256


def profile_not_found() -> NotFound:
    return NotFound("No such profile.", code=Code.PROFILE_NOT_FOUND)


def _check_links(links: list[dict[str, Any]]) -> list[dict[str, str]]:
    if len(links) > MAX_LINKS:
        raise Invalid(
            f"At most {MAX_LINKS} links.",
            fields=[{"field": "links", "message": f"at most {MAX_LINKS}"}],
        )
    clean = []
    for i, link in enumerate(links):
        url = str(link.get("url", ""))
        parts = urlparse(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
            raise Invalid(
                "Links must be http(s) URLs.",
                fields=[{"field": f"links.{i}.url", "message": "http(s) only"}],
            )
        clean.append({"label": str(link.get("label", ""))[:60], "url": url})
    return clean


def update_profile(session: Session, *, user_id: str, changes: dict[str, Any]) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise profile_not_found()
    if changes.get("handle") is not None:
        handle = changes["handle"].strip().lower()
        if not HANDLE.match(handle):
            raise Invalid(
                "A handle has 2 to 30 lower-case letters, digits, - or _.",
                fields=[{"field": "handle", "message": "not a valid handle"}],
            )
        user.handle = handle  # the old one is held (accounts/handles.py)
    if "bio" in changes:
        bio = changes["bio"]
        if bio is not None and len(bio) > MAX_BIO:
            raise Invalid(
                f"The bio is longer than {MAX_BIO} characters.",
                fields=[{"field": "bio", "message": f"at most {MAX_BIO}"}],
            )
        user.bio = bio
    if changes.get("links") is not None:
        user.links = _check_links(changes["links"])
    if changes.get("is_public") is not None:
        user.is_public = bool(changes["is_public"])
    user.updated_at = utcnow()
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("That handle is taken.", code=Code.HANDLE_TAKEN) from exc
    return user


def avatar_url(runtime: Any, base: str, user: User) -> str | None:
    if user.avatar_sha256 is None or user.handle is None:
        return None
    expires = (int(utcnow().timestamp()) // 1800 + 3) * 1800
    sig = runtime.signer.sign(f"avatar {user.handle} {user.avatar_sha256}", expires=expires)
    return f"{base}/u/{user.handle}/avatar?v={user.avatar_sha256[:12]}&expires={expires}&sig={sig}"


def public_view(session: Session, *, handle: str, base: str, runtime: Any) -> dict[str, Any]:
    """What anyone may see; a private profile is as missing as an unknown handle."""
    user = session.scalar(select(User).where(User.handle == handle.lower()))
    if user is None or not user.is_public:
        raise profile_not_found()
    spaces = session.scalars(
        select(Space)
        .where(Space.owner_id == user.id, Space.visibility == "public")
        .where(or_(Space.expires_at.is_(None), Space.expires_at > utcnow()))
        .order_by(Space.created_at.desc())
        .limit(24)
    )
    return {
        "handle": user.handle,
        "display_name": user.display_name,
        "bio": user.bio,
        "links": list(user.links or []),
        "avatar_url": avatar_url(runtime, base, user),
        "spaces": [
            {
                "short_id": s.short_id,
                "name": s.name,
                "description": s.description,
                "cover_url": f"{base}/s/{s.short_id}/cover",
                "share_url": f"{base}/s/{s.short_id}",
            }
            for s in spaces
        ],
    }


def start_avatar(*, user_id: str, content_type: str, size_bytes: int) -> str:
    """Check the announced file; returns a fresh storage key for its signed PUT."""
    if content_type not in AVATAR_TYPES:
        raise Invalid(
            "An avatar is a JPEG, PNG or WebP image.",
            code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED,
            fields=[{"field": "content_type", "message": "jpeg, png or webp"}],
        )
    if not 0 < size_bytes <= AVATAR_MAX_BYTES:
        raise Invalid(
            "An avatar is at most 10 MB.",
            code=Code.ASSET_FILE_TOO_LARGE,
            fields=[{"field": "size_bytes", "message": "1 byte to 10 MB"}],
        )
    return f"avatars/{user_id}/{secrets.token_urlsafe(12)}"


def staged_path(blobs: BlobStore, storage_key: str) -> Path:
    return blobs.scratch_dir / ("avatar-" + storage_key.replace("/", "_"))


def share_staged(blobs: Stores, storage_key: str) -> None:
    """In scale-out mode, move the staged bytes to the shared bucket: the completion may
    reach another API node."""
    shared = blobs.shared_files
    if shared is None:
        return
    staged = staged_path(blobs, storage_key)
    try:
        shared.put_file(storage_key, staged)
    finally:
        staged.unlink(missing_ok=True)


def _take_staged(blobs: Stores, storage_key: str) -> Path:
    """The staged bytes on this node (from the shared bucket in scale-out mode, removed
    there: a completion uses them once)."""
    staged = staged_path(blobs, storage_key)
    shared = blobs.shared_files
    if shared is not None and not staged.exists() and shared.get_file(storage_key, staged):
        shared.delete([storage_key])
    return staged


def complete_avatar(*, runtime: Runtime, user_id: str, storage_key: str) -> User:
    """Verify the bytes landed and are an image, make a 256×256 WebP in the sandbox (the
    upload is untrusted), swap it in."""
    db, blobs = runtime.db, runtime.blobs

    if not storage_key.startswith(f"avatars/{user_id}/"):
        raise NotFound("No such avatar upload.", code=Code.UPLOAD_NOT_FOUND)
    staged = _take_staged(blobs, storage_key)
    if not staged.exists():
        raise Conflict("The avatar bytes have not been uploaded.", code=Code.ASSET_NOT_UPLOADED)
    try:
        media = sniff_file(staged, declared_type=None, filename=None, limits=runtime.limits)
        if media.media_type not in AVATAR_TYPES:
            raise Invalid(
                "An avatar is a JPEG, PNG or WebP image.", code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED
            )
        args = {"path": str(staged), "media_type": media.media_type, "size": AVATAR_PX}
        _, data = runs.call(runtime, "avatar", args)
        out = staged.with_suffix(".webp")
        out.write_bytes(data)
    finally:
        staged.unlink(missing_ok=True)
    try:
        writer = write_file(blobs, out)
    finally:
        out.unlink(missing_ok=True)
    info = writer.finish()
    with blobs.lock(info.sha256):
        writer.commit()
        with db.write_session() as session:
            ensure_blob_row(session, info)
            user = session.get(User, user_id)
            if user is None:
                raise profile_not_found()
            previous, user.avatar_sha256 = user.avatar_sha256, info.sha256
            user.updated_at = utcnow()
            session.commit()
    if previous and previous != info.sha256:
        drop_blob_if_unused(db=db, blobs=blobs, sha256=previous)
    return user


def delete_avatar(*, db: Database, blobs: BlobStore, user_id: str) -> None:
    with db.write_session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise profile_not_found()
        previous, user.avatar_sha256 = user.avatar_sha256, None
        session.commit()
    if previous:
        drop_blob_if_unused(db=db, blobs=blobs, sha256=previous)


AVATAR_UPLOAD_SECONDS = timedelta(minutes=15)
