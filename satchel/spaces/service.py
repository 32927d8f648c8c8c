"""Spaces, publications, and what the public may see of them."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset
from satchel.assets.service import live
from satchel.auth.passwords import hash_password, verify_password
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Conflict, Forbidden, Invalid, NotFound
from satchel.ids import new_id
from satchel.lifecycle import references
from satchel.ratelimits import attempts
from satchel.spaces.models import Publication, Space
from satchel.webhooks import events

VISIBILITIES = ("private", "public", "protected")
_SHORT = string.ascii_letters + string.digits
# Wrong passwords of one space from one address before waits start (see attempts).
ACCESS = attempts.Policy(
    attempts.SHARE_UNLOCK, 10, "Too many wrong passwords; wait before trying again."
)
TooManyAttempts = attempts.TooManyAttempts


def space_not_found() -> NotFound:
    # One answer for unknown, private and other people's spaces: existence is not leaked.
    return NotFound("No such space.", code=Code.SPACE_NOT_FOUND)


def _short_id(session: Session) -> str:
    while True:
        candidate = "".join(secrets.choice(_SHORT) for _ in range(10))
        if session.scalar(select(Space.id).where(Space.short_id == candidate)) is None:
            return candidate


def _check_visibility(visibility: str, has_password: bool) -> None:
    if visibility not in VISIBILITIES:
        raise Invalid(
            "visibility is private, public or protected.",
            fields=[{"field": "visibility", "message": "unknown visibility"}],
        )
    if visibility == "protected" and not has_password:
        raise Invalid(
            "A protected space needs a password.",
            fields=[{"field": "password", "message": "required when protected"}],
        )


def create(
    session: Session,
    *,
    owner_id: str,
    name: str,
    description: str | None,
    visibility: str,
    password: str | None,
    allow_duplicate_name: bool = False,
    strip_metadata: bool = True,
    allow_download: bool = True,
    expires_at: datetime | None = None,
) -> Space:
    _check_visibility(visibility, bool(password))
    expires_at = _check_expiry(expires_at)
    if not allow_duplicate_name:
        _check_name_free(session, owner_id=owner_id, name=name)
    space = Space(
        id=new_id("spc"),
        short_id=_short_id(session),
        owner_id=owner_id,
        name=name,
        description=description,
        visibility=visibility,
        password_hash=hash_password(password) if password else None,
        strip_metadata=strip_metadata,
        allow_download=allow_download,
        expires_at=expires_at,
        generation=1,
    )
    session.add(space)
    session.commit()
    return space


def _check_expiry(expires_at: datetime | None) -> datetime | None:
    """A share's end as an aware UTC moment (a zone-less one is taken as UTC)."""
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    return expires_at.astimezone(UTC)


def expired(space: Space) -> bool:
    return space.expires_at is not None and space.expires_at <= utcnow()


def _check_name_free(session: Session, *, owner_id: str, name: str) -> None:
    """An owner's spaces have distinct names (compared without case), so that a space named
    on the command line is never a guess between two."""
    taken = session.scalar(
        select(Space.id)
        .where(Space.owner_id == owner_id, func.lower(Space.name) == name.lower())
        .limit(1)
    )
    if taken is not None:
        raise Conflict(
            f"You already have a space named {name!r} ({taken}); choose another name, or "
            "send allow_duplicate_name=true to keep both.",
            code=Code.SPACE_NAME_TAKEN,
            fields=[{"field": "name", "message": "already used by " + taken}],
        )


def get(session: Session, *, owner_id: str | None, space_id: str) -> Space:
    stmt = select(Space).where(Space.id == space_id)
    if owner_id is not None:
        stmt = stmt.where(Space.owner_id == owner_id)
    space = session.scalars(stmt).first()
    if space is None:
        raise space_not_found()
    return space


def asset_count(session: Session, space_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Publication).where(Publication.space_id == space_id)
        )
        or 0
    )


def list_spaces(session: Session, *, owner_id: str | None) -> list[Space]:
    stmt = select(Space).order_by(Space.created_at.desc())
    if owner_id is not None:
        stmt = stmt.where(Space.owner_id == owner_id)
    return list(session.scalars(stmt))


def patch(
    session: Session, *, owner_id: str | None, space_id: str, changes: dict[str, Any]
) -> Space:
    space = get(session, owner_id=owner_id, space_id=space_id)
    if changes.get("name") and changes["name"] != space.name:
        if not changes.get("allow_duplicate_name"):
            _check_name_free(session, owner_id=space.owner_id, name=changes["name"])
        space.name = changes["name"]
    if "description" in changes:
        space.description = changes["description"]
    revoking = False  # a change of who may see what ends every link handed out before
    if "password" in changes:
        password = changes["password"]
        space.password_hash = hash_password(password) if password else None
        revoking = True
    if changes.get("visibility") and changes["visibility"] != space.visibility:
        space.visibility = changes["visibility"]
        revoking = True
    for option in ("strip_metadata", "allow_download"):
        if changes.get(option) is not None and changes[option] != getattr(space, option):
            setattr(space, option, bool(changes[option]))
            revoking = True
    if "expires_at" in changes:
        space.expires_at = _check_expiry(changes["expires_at"])
        revoking = True
    if "cover_asset_id" in changes:
        cover = changes["cover_asset_id"]
        if (
            cover is not None
            and session.scalar(
                select(Asset.id).where(Asset.id == cover, Asset.owner_id == space.owner_id, live())
            )
            is None
        ):
            raise Invalid(
                "The cover must be one of your assets.",
                fields=[{"field": "cover_asset_id", "message": "unknown asset"}],
            )
        space.cover_asset_id = cover
    _check_visibility(space.visibility, space.password_hash is not None)
    if revoking:
        space.generation = (space.generation or 1) + 1
    space.updated_at = utcnow()
    session.commit()
    return space


def remove(session: Session, *, owner_id: str | None, space_id: str) -> None:
    """Delete the space and its publications; the assets stay."""
    space = get(session, owner_id=owner_id, space_id=space_id)
    references.remove(session, domain="spaces", owner_id=space.id)
    session.delete(space)
    session.commit()


def publish(
    session: Session, *, owner_id: str | None, space_id: str, asset_ids: list[str]
) -> list[dict[str, Any]]:
    """Publish each asset; answers one result per asset (ok, or an error code)."""
    space = get(session, owner_id=owner_id, space_id=space_id)
    results = []
    position = (
        session.scalar(
            select(func.max(Publication.position)).where(Publication.space_id == space.id)
        )
        or 0
    )
    for asset_id in dict.fromkeys(asset_ids):
        asset = session.scalar(
            select(Asset).where(Asset.id == asset_id, Asset.owner_id == space.owner_id, live())
        )
        if asset is None:
            results.append({"asset_id": asset_id, "ok": False, "error": "asset_not_found"})
            continue
        if session.get(Publication, (space.id, asset_id)) is None:
            position += 1
            session.add(Publication(space_id=space.id, asset_id=asset_id, position=position))
            # Soft: deleting a published asset simply unpublishes it.
            references.add(
                session,
                asset_id=asset_id,
                domain="spaces",
                owner_id=space.id,
                role="publication",
                hard=False,
                parent_id=space.short_id,
            )
        results.append({"asset_id": asset_id, "ok": True})
    space.updated_at = utcnow()
    published = [r["asset_id"] for r in results if r["ok"]]
    if published:
        data = {"id": space.id, "short_id": space.short_id, "asset_ids": published}
        events.emit(session, events.SPACE_PUBLISHED, owner_id=space.owner_id, data=data)
    session.commit()
    return results


def unpublish(session: Session, *, owner_id: str | None, space_id: str, asset_id: str) -> None:
    space = get(session, owner_id=owner_id, space_id=space_id)
    session.execute(
        delete(Publication).where(
            Publication.space_id == space.id, Publication.asset_id == asset_id
        )
    )
    references.remove(session, domain="spaces", owner_id=space.id, asset_id=asset_id)
    space.generation = (space.generation or 1) + 1  # its links stop at once
    space.updated_at = utcnow()
    session.commit()


def published_assets(session: Session, space_id: str) -> list[Asset]:
    return list(
        session.scalars(
            select(Asset)
            .join(Publication, Publication.asset_id == Asset.id)
            .where(Publication.space_id == space_id, live())
            .order_by(Publication.position.desc())
        )
    )


def spaces_of(session: Session, *, asset_id: str) -> list[Space]:
    return list(
        session.scalars(
            select(Space)
            .join(Publication, Publication.space_id == Space.id)
            .where(Publication.asset_id == asset_id)
            .order_by(Space.created_at.desc())
        )
    )


# --- the public side --------------------------------------------------------------------


def shared(session: Session, short_id: str) -> Space:
    """A public or protected space by its short id; private, expired and unknown are the
    same 404."""
    space = session.scalar(select(Space).where(Space.short_id == short_id))
    if space is None or space.visibility == "private" or expired(space):
        raise space_not_found()
    return space


def published(session: Session, space: Space, asset_id: str) -> Asset | None:
    """The asset when it is (still) published in the space and not in the trash."""
    return session.scalar(
        select(Asset)
        .join(Publication, Publication.asset_id == Asset.id)
        .where(Publication.space_id == space.id, Asset.id == asset_id, live())
    )


def unlock(session: Session, *, short_id: str, password: str, ip: str) -> Space:
    """The space when the password is right; every failure looks the same. Wrong guesses
    slow down that space from that address (and, capped at a minute, from anywhere); they
    never lock the space for its other visitors nor count toward sign-ins."""
    space = session.scalar(select(Space).where(Space.short_id == short_id))
    subject = f"space:{space.id}" if space is not None else f"space:{short_id}"
    attempts.check(session, ACCESS, subject=subject, ip=ip)
    open_to_try = space is not None and space.visibility == "protected" and not expired(space)
    stored = space.password_hash if space is not None and open_to_try else None
    if verify_password(stored, password) and space is not None:
        return space
    attempts.failed(session, ACCESS, subject=subject, ip=ip)
    session.commit()
    raise Forbidden("The space does not exist or the password is wrong.", code=Code.ACCESS_DENIED)
