"""Usage: an owner's assets and bytes, by content type and by where they are stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset, Blob, Derivative


def usage(*, session: Session, owner_id: str) -> dict[str, Any]:
    """Counts and bytes per content type, stored bytes after dedup, the split between
    managed storage and the owner's own buckets (storage connections), and derivatives.

    Every asset row is a stored file: uploads still in progress have none (they reserve
    an id on their upload row), so nothing here needs to leave them out."""
    rows = session.execute(
        select(Asset.media_type, func.count(), func.coalesce(func.sum(Asset.size), 0))
        .where(Asset.owner_id == owner_id)
        .group_by(Asset.media_type)
        .order_by(func.sum(Asset.size).desc())
    ).all()
    stored = session.scalar(
        select(func.coalesce(func.sum(Blob.size), 0)).where(
            Blob.sha256.in_(select(Asset.sha256).where(Asset.owner_id == owner_id))
        )
    )
    breakdown = [{"content_type": t, "count": c, "total_bytes": b} for t, c, b in rows]
    split = {"managed_assets": 0, "managed_bytes": 0, "byok_assets": 0, "byok_bytes": 0}
    byok = Asset.store.is_not(None)
    for is_byok, count, size in session.execute(
        select(byok, func.count(), func.coalesce(func.sum(Asset.size), 0))
        .where(Asset.owner_id == owner_id)
        .group_by(byok)
    ).all():
        side = "byok" if is_byok else "managed"
        split[f"{side}_assets"] += int(count)
        split[f"{side}_bytes"] += int(size)
    derivatives = session.scalar(
        select(func.count())
        .select_from(Derivative)
        .join(Asset, Asset.id == Derivative.asset_id)
        .where(Asset.owner_id == owner_id)
    )
    return {
        "total_assets": sum(r["count"] for r in breakdown),
        "total_bytes": sum(r["total_bytes"] for r in breakdown),
        "stored_bytes": stored or 0,
        "by_content_type": breakdown,
        **split,
        "total_derivatives": int(derivatives or 0),
    }
