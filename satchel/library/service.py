"""The file library over the asset store: latest versions, chains, uploads, previews."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from satchel.assets.models import Asset
from satchel.assets.service import live
from satchel.codes import Code
from satchel.errors import Invalid
from satchel.ids import looks_like
from satchel.runs import service as runs
from satchel.runs.requests import identify
from satchel.runtime import Runtime
from satchel.uploads.outputs import save_output


def latest(
    session: Session, *, owner_id: str | None, q: str | None, limit: int, cursor: str | None
) -> tuple[list[Asset], str | None]:
    """The newest version of every file chain, newest first (keyset on id)."""
    newer = aliased(Asset)
    root = func.coalesce(Asset.root_id, Asset.id)
    has_newer = (
        select(newer.seq)
        .where(func.coalesce(newer.root_id, newer.id) == root, newer.version > Asset.version)
        .exists()
    )
    stmt = select(Asset).where(~has_newer, Asset.status != "uploading", live())
    if owner_id is not None:
        stmt = stmt.where(Asset.owner_id == owner_id)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Asset.filename.ilike(f"%{escaped}%", escape="\\"))
    if cursor:
        stmt = stmt.where(Asset.id < cursor)
    rows = list(session.scalars(stmt.order_by(Asset.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return rows[:limit], rows[limit - 1].id if more else None


def chain_ids(runtime: Runtime, *, owner_id: str | None, ids: list[str]) -> dict[str, list[str]]:
    """Every asset id in the chains of `ids` (the ones found), and the ids not found."""
    found: list[str] = []
    missing: list[str] = []
    with runtime.db.session() as session:
        for asset_id in dict.fromkeys(ids):
            stmt = select(Asset.root_id, Asset.id).where(Asset.id == asset_id)
            if owner_id is not None:
                stmt = stmt.where(Asset.owner_id == owner_id)
            row = session.execute(stmt).first() if looks_like("ast", asset_id) else None
            if row is None:
                missing.append(asset_id)
                continue
            root = row.root_id or row.id
            members = select(Asset.id).where(or_(Asset.id == root, Asset.root_id == root))
            # Newest first, so no version is deleted before one made from it.
            found += list(session.scalars(members.order_by(Asset.version.desc())))
    return {"found": list(dict.fromkeys(found)), "missing": missing}


def store_uploads(runtime: Runtime, *, owner_id: str, parts: Sequence[Any]) -> list[Asset]:
    """Each uploaded part as a new file (sniffed, deduplicated, processed)."""
    for part in parts:  # check every file before storing any
        identify(runtime, part.path, name=part.filename, declared=part.content_type)
    stored = []
    for part in parts:
        saved = save_output(
            db=runtime.db,
            blobs=runtime.blobs,
            limits=runtime.limits,
            owner_id=owner_id,
            path=part.path,
            filename=part.filename,
            media_type=part.content_type or "",
        )
        if saved.job_id:
            runtime.queue.enqueue(saved.job_id)
        stored.append(saved.asset)
    return stored


def preview_webp(runtime: Runtime, path: Path, filename: str, declared: str | None) -> bytes:
    """A WebP of an uploaded image, made in the sandbox (the upload is untrusted)."""
    inp = identify(runtime, path, name=filename, declared=declared)
    if not inp.media_type.startswith("image/"):
        raise Invalid(f"{inp.media_type} is not an image.", code=Code.TOOL_INPUT_TYPE_NOT_SUPPORTED)
    args = {"path": str(inp.path), "name": inp.name, "media_type": inp.media_type}
    _, data = runs.call(runtime, "preview", args)
    return data
