"""Delete plans: what deleting an asset would remove, free and break — computed the same
way for a dry run and for the delete itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset, Blob, Derivative
from satchel.auth.models import User
from satchel.lifecycle import references
from satchel.uploads.models import Upload, UploadState


def _used_elsewhere(session: Session, sha256: str, asset_id: str) -> bool:
    """Whether another asset, a derivative, an avatar or an open upload (a signed PUT's
    placed bytes) points at these bytes."""
    return bool(
        session.scalar(select(exists().where(Asset.sha256 == sha256, Asset.id != asset_id)))
        or session.scalar(
            select(exists().where(Derivative.sha256 == sha256, Derivative.asset_id != asset_id))
        )
        or session.scalar(select(exists().where(User.avatar_sha256 == sha256)))
        or session.scalar(
            select(exists().where(Upload.sha256 == sha256, Upload.state == UploadState.OPEN))
        )
    )


def plan(session: Session, asset: Asset) -> dict[str, Any]:
    """The plan for deleting `asset` as things stand in this transaction."""
    files: list[dict[str, Any]] = []
    owned: list[tuple[str, str]] = []
    if asset.sha256:
        owned.append(("original", asset.sha256))
    owned += [
        (d.kind, d.sha256)
        for d in session.scalars(
            select(Derivative).where(Derivative.asset_id == asset.id).order_by(Derivative.kind)
        )
    ]
    reclaimable = 0
    seen: set[str] = set()
    for role, sha in owned:
        size = session.scalar(select(Blob.size).where(Blob.sha256 == sha)) or 0
        shared = _used_elsewhere(session, sha, asset.id)
        files.append({"role": role, "sha256": sha, "size": size, "shared": shared})
        if not shared and sha not in seen:
            reclaimable += size
        seen.add(sha)
    graph = references.view(references.of(session, asset.id))
    return {
        "asset_id": asset.id,
        "blocked": graph["hard_reference_count"] > 0,
        "reclaimable_bytes": reclaimable,
        "files": files,
        **graph,
    }


def unshared(plan: dict[str, Any]) -> list[str]:
    """The addresses the plan frees (their rows and bytes go with the asset)."""
    return sorted({f["sha256"] for f in plan["files"] if not f["shared"]})
