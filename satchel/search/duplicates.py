"""Near-duplicates by perceptual hash (pHash Hamming distance), kept apart from exact
duplicates (the same SHA-256)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset
from satchel.codes import Code
from satchel.errors import NotFound
from satchel.search.models import SearchEntry

DEFAULT_THRESHOLD = 10  # of 64 bits: resized, recompressed, slightly cropped copies


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _hashes(session: Session, owner_id: str | None) -> dict[str, str]:
    stmt = (
        select(SearchEntry.asset_id, SearchEntry.phash)
        .join(Asset, Asset.id == SearchEntry.asset_id)
        .where(SearchEntry.phash.is_not(None), Asset.trashed_at.is_(None))
    )
    if owner_id is not None:
        stmt = stmt.where(SearchEntry.owner_id == owner_id)
    return {asset_id: str(phash) for asset_id, phash in session.execute(stmt)}


def similar(
    session: Session, *, owner_id: str | None, asset_id: str, threshold: int
) -> list[tuple[str, int]]:
    """(asset id, distance) of the assets that look like this one, nearest first."""
    hashes = _hashes(session, owner_id)
    mine = hashes.get(asset_id)
    if mine is None:
        stmt = select(Asset.id).where(Asset.id == asset_id)
        if owner_id is not None:
            stmt = stmt.where(Asset.owner_id == owner_id)
        if session.scalars(stmt).first() is None:
            raise NotFound(f"No asset {asset_id}.", code=Code.ASSET_NOT_FOUND)
        return []  # not hashed (yet): run the `hashes` skill
    found = [(other, distance(mine, h)) for other, h in hashes.items() if other != asset_id]
    return sorted(((a, d) for a, d in found if d <= threshold), key=lambda x: (x[1], x[0]))


def near_groups(session: Session, *, owner_id: str | None, threshold: int) -> list[dict[str, Any]]:
    """Groups of the owner's assets that look alike (perceptual hashes within `threshold`
    bits), as `GET /assets/duplicates?near=true` adds them: `kind: "near"`, a group of
    their own, never merged with the exact ones."""
    return [
        {"kind": "near", "threshold": threshold, **group}
        for group in _near_groups(_hashes(session, owner_id), threshold)
    ]


def groups(session: Session, *, owner_id: str | None, near: bool, threshold: int) -> dict[str, Any]:
    """Exact duplicates (same bytes) and, with `near`, groups that look alike."""
    shared = select(Asset.sha256).where(Asset.sha256.is_not(None))
    if owner_id is not None:
        shared = shared.where(Asset.owner_id == owner_id)
    shared = shared.group_by(Asset.sha256).having(func.count() > 1)
    stmt = select(Asset.sha256, Asset.id).where(Asset.sha256.in_(shared))
    if owner_id is not None:
        stmt = stmt.where(Asset.owner_id == owner_id)
    by_sha: dict[str, list[str]] = {}
    for sha, asset_id in session.execute(stmt):
        by_sha.setdefault(str(sha), []).append(asset_id)
    exact = [{"sha256": sha, "asset_ids": sorted(ids)} for sha, ids in sorted(by_sha.items())]
    out: dict[str, Any] = {"exact": exact}
    if near:
        out["near"] = _near_groups(_hashes(session, owner_id), threshold)
        out["threshold"] = threshold
    return out


def _near_groups(hashes: dict[str, str], threshold: int) -> list[dict[str, Any]]:
    ids = sorted(hashes)
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            if distance(hashes[a], hashes[b]) <= threshold:
                parent[root(b)] = root(a)
    members: dict[str, list[str]] = {}
    for i in ids:
        members.setdefault(root(i), []).append(i)
    result = []
    for group in members.values():
        if len(group) < 2:
            continue
        first = group[0]
        result.append(
            {
                "asset_ids": group,
                "distances": {m: distance(hashes[first], hashes[m]) for m in group},
            }
        )
    return sorted(result, key=lambda g: g["asset_ids"][0])
