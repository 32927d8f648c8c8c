"""Usage: counts and bytes, split between managed storage and the owner's own buckets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from satchel.assets import service as assets
from satchel.assets.models import Asset, Derivative


def usage(*, session: Session, owner_id: str) -> dict[str, Any]:
    """`assets.service.usage`, plus managed_* / byok_* and the derivative count."""
    data = assets.usage(session=session, owner_id=owner_id)
    split = {"managed_assets": 0, "managed_bytes": 0, "byok_assets": 0, "byok_bytes": 0}
    byok = Asset.store.is_not(None)
    rows = session.execute(
        select(byok, func.count(), func.coalesce(func.sum(Asset.size), 0))
        .where(Asset.owner_id == owner_id, Asset.status != "uploading")
        .group_by(byok)
    ).all()
    for is_byok, count, size in rows:
        side = "byok" if is_byok else "managed"
        split[f"{side}_assets"] += int(count)
        split[f"{side}_bytes"] += int(size)
    derivatives = session.scalar(
        select(func.count())
        .select_from(Derivative)
        .join(Asset, Asset.id == Derivative.asset_id)
        .where(Asset.owner_id == owner_id)
    )
    return {**data, **split, "total_derivatives": int(derivatives or 0)}
