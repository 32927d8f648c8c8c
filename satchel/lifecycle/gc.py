"""Garbage collection: bytes nothing points at, expired uploads, stale temporary files.

Nothing younger than the grace period is touched (an upload places its bytes a moment
before its row exists), and every removal re-checks under the address's lock.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from typing import Any

from sqlalchemy import delete, select

from satchel.assets.models import Asset, Blob, Upload
from satchel.assets.service import blob_in_use, delete_asset
from satchel.blobs.local import LocalBlobStore
from satchel.db import Database, utcnow
from satchel.errors import Conflict

_SHA = re.compile(r"^[0-9a-f]{64}$")


def _old(path: os.DirEntry[str], cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def stale_temp_files(blobs: LocalBlobStore, *, cutoff: float) -> list[str]:
    """Files and folders (a processing job's workspace) left in `tmp/` before `cutoff`."""
    with os.scandir(blobs.tmp_dir) as entries:
        return [e.path for e in entries if _old(e, cutoff)]


def remove_temp(path: str) -> bool:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def collect(
    *, db: Database, blobs: LocalBlobStore, dry_run: bool = True, grace_seconds: float = 3600
) -> dict[str, Any]:
    cutoff = time.time() - grace_seconds
    report: dict[str, Any] = {
        "dry_run": dry_run,
        "grace_seconds": grace_seconds,
        "expired_uploads": 0,
        "orphan_blobs": 0,
        "orphan_bytes": 0,
        "deleted_blobs": 0,
        "reclaimed_bytes": 0,
        "temp_files": 0,
        "temp_files_removed": 0,
        "blocked_assets": [],
    }

    # Single-PUT uploads whose URL expired without the bytes being completed.
    with db.session() as session:
        expired = session.execute(
            select(Asset.id, Asset.owner_id)
            .join(Upload, Upload.asset_id == Asset.id)
            .where(Upload.expires_at < utcnow(), Asset.status == "uploading")
        ).all()
    report["expired_uploads"] = len(expired)
    if not dry_run:
        for asset_id, owner_id in expired:
            try:
                delete_asset(
                    db=db, blobs=blobs, owner_id=owner_id, asset_id=asset_id, actor_id=owner_id
                )
            except Conflict:
                report["blocked_assets"].append(asset_id)

    # Blob rows nothing points at, and files with no row at all, folder by folder.
    for prefix in (f"{i:02x}" for i in range(256)):
        folder = blobs.blob_dir / prefix
        with db.session() as session:
            rows = dict(
                session.execute(
                    select(Blob.sha256, Blob.size).where(Blob.sha256.startswith(prefix))
                ).all()
            )
            unreferenced = [sha for sha in rows if not blob_in_use(session, sha)]
        candidates = [(sha, rows[sha]) for sha in unreferenced]
        if folder.is_dir():
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name not in rows and _SHA.match(entry.name) and _old(entry, cutoff):
                        candidates.append((entry.name, entry.stat().st_size))
        for sha, size in candidates:
            path = blobs.path_of(sha)
            if path.exists() and path.stat().st_mtime >= cutoff:
                continue  # young: an upload may be about to point at it
            report["orphan_blobs"] += 1
            report["orphan_bytes"] += size
            if dry_run:
                continue
            with blobs.lock(sha), db.write_session() as session:
                if blob_in_use(session, sha):
                    continue  # claimed meanwhile
                session.execute(delete(Blob).where(Blob.sha256 == sha))
                session.commit()
                blobs.delete(sha)
            report["deleted_blobs"] += 1
            report["reclaimed_bytes"] += size

    temps = stale_temp_files(blobs, cutoff=cutoff)
    report["temp_files"] = len(temps)
    if not dry_run:
        report["temp_files_removed"] = sum(remove_temp(temp) for temp in temps)
    return report
