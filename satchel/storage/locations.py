"""Which store holds which bytes: one query per question, shared by the router and GC.

A location is None for managed storage, or a storage connection id. An asset's original
and its derivatives live in the asset's location (`assets.store`); avatars are managed; the
bytes a signed PUT placed for an upload still open live in its location (`uploads.store`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset, Derivative
from satchel.auth.models import User
from satchel.uploads.models import Upload, UploadState


def _at(location: str | None) -> Any:
    return Asset.store.is_(None) if location is None else Asset.store == location


def _upload_at(location: str | None) -> Any:
    where = Upload.store.is_(None) if location is None else Upload.store == location
    return where & (Upload.state == UploadState.OPEN)


def held_at(session: Session, sha256: str, location: str | None) -> bool:
    """Whether anything in this location points at these bytes."""
    if session.scalar(select(exists().where(Asset.sha256 == sha256, _at(location)))):
        return True
    derivative = (
        select(Derivative.asset_id)
        .join(Asset, Asset.id == Derivative.asset_id)
        .where(Derivative.sha256 == sha256, _at(location))
    )
    if session.scalar(select(exists(derivative))):
        return True
    if session.scalar(select(exists().where(Upload.sha256 == sha256, _upload_at(location)))):
        return True
    return location is None and bool(
        session.scalar(select(exists().where(User.avatar_sha256 == sha256)))
    )


def referenced_at(session: Session, shas: Collection[str], location: str | None) -> set[str]:
    """The subset of `shas` something in this location points at (one batch)."""
    if not shas:
        return set()
    originals = session.scalars(select(Asset.sha256).where(Asset.sha256.in_(shas), _at(location)))
    found: set[str] = {s for s in originals if s}
    found |= set(
        session.scalars(
            select(Derivative.sha256)
            .join(Asset, Asset.id == Derivative.asset_id)
            .where(Derivative.sha256.in_(shas), _at(location))
        )
    )
    placed = session.scalars(
        select(Upload.sha256).where(Upload.sha256.in_(shas), _upload_at(location))
    )
    found |= {s for s in placed if s}
    if location is None:
        found |= {
            s
            for s in session.scalars(select(User.avatar_sha256).where(User.avatar_sha256.in_(shas)))
            if s
        }
    return found


def locations_of(session: Session, sha256: str) -> set[str | None]:
    """Every location whose rows point at these bytes."""
    found: set[str | None] = set(
        session.scalars(select(Asset.store).where(Asset.sha256 == sha256).distinct())
    )
    found |= set(
        session.scalars(
            select(Asset.store)
            .join(Derivative, Derivative.asset_id == Asset.id)
            .where(Derivative.sha256 == sha256)
            .distinct()
        )
    )
    found |= set(
        session.scalars(
            select(Upload.store)
            .where(Upload.sha256 == sha256, Upload.state == UploadState.OPEN)
            .distinct()
        )
    )
    if None not in found and session.scalar(select(exists().where(User.avatar_sha256 == sha256))):
        found.add(None)
    return found
