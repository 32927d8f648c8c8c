"""Files Satchel made itself (a tool's results) stored like any upload: as new assets, or
as the next version of the file they were made from."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, or_, select

from satchel.assets import service
from satchel.assets.models import Asset
from satchel.assets.schemas import AssetFields
from satchel.blobs import BlobStore, write_file
from satchel.db import Database, utcnow
from satchel.media import MediaLimits
from satchel.uploads.ingest import Ingested, Intent, ingest


def save_output(
    *,
    db: Database,
    blobs: BlobStore,
    limits: MediaLimits,
    owner_id: str,
    path: Path,
    filename: str,
    media_type: str,
    parent_id: str | None = None,
) -> Ingested:
    """Store a produced file as a new asset, or as the next version of `parent_id`."""
    if parent_id is not None:
        with db.session() as session:  # refuse before storing anything
            service.get(session=session, owner_id=owner_id, asset_id=parent_id)
    intent = Intent(
        owner_id=owner_id,
        filename=filename,
        declared_type=media_type,
        fields=AssetFields(),
        dedupe=parent_id is None,
        mode="output",
    )
    ingested = ingest(
        db=db, blobs=blobs, limits=limits, writer=write_file(blobs, path), intent=intent
    )
    if parent_id is None:
        return ingested
    with db.write_session() as session:
        asset = session.get(Asset, ingested.asset.seq)
        parent = service.get(session=session, owner_id=owner_id, asset_id=parent_id)
        assert asset is not None
        root = parent.root_id or parent.id
        latest = session.scalar(
            select(func.max(Asset.version)).where(or_(Asset.id == root, Asset.root_id == root))
        )
        asset.root_id, asset.parent_id = root, parent.id
        asset.version = (latest or 1) + 1
        asset.updated_at = utcnow()
        session.commit()
        session.refresh(asset)
        return Ingested(asset, False, ingested.job_id)
