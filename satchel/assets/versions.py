"""Versions: each version of a file is an asset; `root_id`, `parent_id` and `version`
chain them. A tool's result saved "as a version" continues its input's chain
(`satchel.uploads.outputs.save_output`)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from satchel.assets import service
from satchel.assets.models import Asset


def chain(session: Session, *, owner_id: str | None, asset_id: str) -> list[Asset]:
    """Every version of the asset's file, oldest first (the asset alone if unversioned)."""
    asset = service.get(session=session, owner_id=owner_id, asset_id=asset_id)
    root = asset.root_id or asset.id
    stmt = select(Asset).where(or_(Asset.id == root, Asset.root_id == root), service.live())
    return list(session.scalars(stmt.order_by(Asset.version, Asset.seq)))
