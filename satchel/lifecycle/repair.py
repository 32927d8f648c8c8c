"""Startup repair: a bounded check of rows against bytes before serving.

- temporary files left by a crashed writer (older than the grace period) are removed;
- deletes interrupted after their commit (tombstoned, bytes still there) are completed;
- originals that are missing or of the wrong size put their assets in quarantine
  (`status: quarantined`, a warning), never stopping the start;
- derivatives that are missing or damaged are dropped and regenerated from their valid
  original by a processing job (info).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import delete, select

from satchel.assets.blobrefs import blob_in_use
from satchel.assets.models import Asset, AssetStatus, Blob, Derivative, FailureCode, Tombstone
from satchel.blobs import BlobStore, read_verified
from satchel.db import Database, utcnow
from satchel.errors import Conflict
from satchel.lifecycle.gc import remove_temp, stale_temp_files
from satchel.processing.service import queue_processing
from satchel.uploads import expiry

log = logging.getLogger("satchel.repair")


def _intact(blobs: BlobStore, blob: Blob, *, full: bool) -> bool:
    if blobs.size_of(blob.sha256) != blob.size:
        return False
    if not full:
        return True
    try:
        for _ in read_verified(
            blobs, sha256=blob.sha256, size=blob.size, chunk_sums=blob.chunk_sums
        ):
            pass
    except Conflict:
        return False
    return True


def repair(
    *,
    db: Database,
    blobs: BlobStore,
    tmp_grace_seconds: float,
    budget_seconds: float = 20.0,
) -> tuple[dict[str, Any], list[str]]:
    """Run the checks; returns the summary and the ids of processing jobs to enqueue."""
    started = time.monotonic()
    summary: dict[str, Any] = {
        "at": utcnow().isoformat(),
        "temp_files_removed": 0,
        "deletes_completed": 0,
        "blobs_checked": 0,
        "complete": True,
        "quarantined_assets": [],
        "derivatives_regenerated": 0,
    }
    for path in stale_temp_files(blobs, cutoff=time.time() - tmp_grace_seconds):
        summary["temp_files_removed"] += remove_temp(path)
    summary["uploads_collected"] = _collect_uploads(db, blobs, tmp_grace_seconds)

    with db.session() as session:
        tombstoned = list(
            session.scalars(
                select(Tombstone.sha256).where(
                    Tombstone.sha256.is_not(None), Tombstone.sha256.not_in(select(Blob.sha256))
                )
            )
        )
    for sha in tombstoned:
        if sha and blobs.size_of(sha) is not None:
            with blobs.lock(sha), db.session() as session:
                if not blob_in_use(session, sha) and session.get(Blob, sha) is None:
                    blobs.delete(sha)
                    summary["deletes_completed"] += 1

    jobs: list[str] = []
    bad_originals: list[str] = []
    bad_derivatives: list[tuple[str, str]] = []
    with db.session() as session:
        derivative_shas = set(session.scalars(select(Derivative.sha256)))
        for blob in session.scalars(select(Blob).order_by(Blob.sha256)).yield_per(1000):
            if time.monotonic() - started > budget_seconds:
                summary["complete"] = False  # bounded: the rest waits for scrub
                break
            summary["blobs_checked"] += 1
            # Derivatives are small: check them fully; originals by existence and size.
            if _intact(blobs, blob, full=blob.sha256 in derivative_shas):
                continue
            bad_originals += list(
                session.scalars(
                    select(Asset.id).where(
                        Asset.sha256 == blob.sha256, Asset.status != AssetStatus.QUARANTINED
                    )
                )
            )
            bad_derivatives += [
                (d.asset_id, d.kind)
                for d in session.scalars(select(Derivative).where(Derivative.sha256 == blob.sha256))
            ]
    with db.write_session() as session:
        for asset_id in bad_originals:
            asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
            if asset is not None:
                asset.status = AssetStatus.QUARANTINED
                asset.failure_code = FailureCode.INTEGRITY_MISMATCH
                asset.failure_reason = "the stored bytes are missing or damaged"
                summary["quarantined_assets"].append(asset_id)
        to_regenerate = {a for a, _ in bad_derivatives} - set(bad_originals)
        for asset_id, kind in bad_derivatives:
            session.execute(
                delete(Derivative).where(Derivative.asset_id == asset_id, Derivative.kind == kind)
            )
        for asset_id in sorted(to_regenerate):
            asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
            if asset is not None:
                jobs.append(queue_processing(session, asset=asset, actor_id=asset.owner_id).id)
        summary["derivatives_regenerated"] = len(bad_derivatives)
        session.commit()
    summary["level"] = "warning" if summary["quarantined_assets"] else "info"
    summary["seconds"] = round(time.monotonic() - started, 3)
    if summary["quarantined_assets"]:
        log.warning("startup repair quarantined %d assets", len(summary["quarantined_assets"]))
    return summary, jobs


def _collect_uploads(db: Database, blobs: BlobStore, grace_seconds: float) -> dict[str, Any]:
    """Expired uploads, and staging nothing owns (never stops a start)."""
    try:
        return expiry.collect(db=db, blobs=blobs, dry_run=False, grace_seconds=grace_seconds)
    except Exception:
        log.exception("collecting abandoned uploads failed; GC will retry")
        return {"failed": True}
