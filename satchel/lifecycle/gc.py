"""Garbage collection: bytes nothing points at, expired uploads, stale temporary files.

Nothing younger than the grace period is touched (an upload places its bytes a moment
before its row exists), and every removal re-checks under the address's lock.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import delete, select

from satchel.assets.blobrefs import blob_in_use
from satchel.assets.models import Blob
from satchel.blobs import BlobStore
from satchel.blobs.base import BlobEntry
from satchel.db import Database
from satchel.errors import SatchelError
from satchel.metrics.counters import GC_DELETED, GC_RECLAIMED
from satchel.storage.locations import referenced_at
from satchel.storage.stores import Stores
from satchel.uploads import expiry

log = logging.getLogger("satchel.gc")
_BATCH = 500

_SHA = re.compile(r"^[0-9a-f]{64}$")


def _old(path: os.DirEntry[str], cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def stale_temp_files(blobs: BlobStore, *, cutoff: float) -> list[str]:
    """Files and folders (a processing job's workspace) left in scratch before `cutoff`."""
    with os.scandir(blobs.scratch_dir) as entries:
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
    *, db: Database, blobs: BlobStore, dry_run: bool = True, grace_seconds: float = 3600
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
    }

    # Uploads that expired unfinished (every protocol), and staging no upload owns; first,
    # so that the bytes an expired signed PUT placed are reclaimed by this same run.
    uploads = expiry.collect(db=db, blobs=blobs, dry_run=dry_run, grace_seconds=grace_seconds)
    report["uploads"] = uploads
    report["expired_uploads"] = uploads["expired"]

    # Bytes nothing in their location points at, store by store (listed page by page),
    # then blob rows nothing points at anywhere.
    for location in locations(blobs):
        _collect_store(db, blobs, location, cutoff=cutoff, dry_run=dry_run, report=report)
    _collect_rows(db, blobs, cutoff=cutoff, dry_run=dry_run, report=report)

    temps = stale_temp_files(blobs, cutoff=cutoff)
    report["temp_files"] = len(temps)
    if not dry_run:
        report["temp_files_removed"] = sum(remove_temp(temp) for temp in temps)
        GC_DELETED.inc(report["deleted_blobs"])
        GC_RECLAIMED.inc(report["reclaimed_bytes"])
    return report


def locations(blobs: BlobStore) -> list[str | None]:
    """Managed storage, then every storage connection (when the store routes to them)."""
    return [None, *(blobs.connection_ids() if isinstance(blobs, Stores) else [])]


def _store_of(blobs: BlobStore, location: str | None) -> BlobStore:
    return blobs.store(location) if isinstance(blobs, Stores) else blobs


def _timestamp(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _collect_store(
    db: Database,
    blobs: BlobStore,
    location: str | None,
    *,
    cutoff: float,
    dry_run: bool,
    report: dict[str, Any],
) -> None:
    try:
        store = _store_of(blobs, location)
        batch: list[BlobEntry] = []
        for entry in store.iter_blobs():
            if _SHA.match(entry.sha256) and entry.mtime < cutoff:
                batch.append(entry)
            if len(batch) >= _BATCH:
                _collect_batch(db, blobs, location, batch, dry_run=dry_run, report=report)
                batch = []
        _collect_batch(db, blobs, location, batch, dry_run=dry_run, report=report)
    except (SatchelError, OSError, ClientError, BotoCoreError) as exc:
        # An unreachable connection (revoked keys, a deleted bucket) must not stop GC of
        # the others; it is reported and retried at the next run.
        log.warning("gc skipped storage %s: %s", location or "managed", type(exc).__name__)
        report.setdefault("skipped_locations", []).append(location or "managed")


def _collect_batch(
    db: Database,
    blobs: BlobStore,
    location: str | None,
    batch: list[BlobEntry],
    *,
    dry_run: bool,
    report: dict[str, Any],
) -> None:
    with db.session() as session:
        used = referenced_at(session, [e.sha256 for e in batch], location)
    for entry in batch:
        if entry.sha256 in used:
            continue
        report["orphan_blobs"] += 1
        report["orphan_bytes"] += entry.size
        if dry_run:
            continue
        sha = entry.sha256
        with blobs.lock(sha), db.write_session() as session:
            if referenced_at(session, [sha], location):
                continue  # claimed meanwhile
            if not blob_in_use(session, sha):
                session.execute(delete(Blob).where(Blob.sha256 == sha))
                session.commit()
            blobs.delete(sha, location)
        report["deleted_blobs"] += 1
        report["reclaimed_bytes"] += entry.size


def _collect_rows(
    db: Database, blobs: BlobStore, *, cutoff: float, dry_run: bool, report: dict[str, Any]
) -> None:
    """Blob rows nothing points at whose bytes are gone already (or never arrived)."""
    with db.session() as session:
        rows = session.execute(
            select(Blob.sha256, Blob.size, Blob.created_at).order_by(Blob.sha256)
        ).all()
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        with db.session() as session:
            orphans = [
                (sha, size)
                for sha, size, created in chunk
                if _timestamp(created) < cutoff and not blob_in_use(session, sha)
            ]
        for sha, _size in orphans:
            if blobs.size_of(sha) is not None:
                continue  # bytes still there: young, or left to the store pass above
            report["orphan_blobs"] += 1
            if dry_run:
                continue
            with blobs.lock(sha), db.write_session() as session:
                if blob_in_use(session, sha):
                    continue
                session.execute(delete(Blob).where(Blob.sha256 == sha))
                session.commit()
            report["deleted_blobs"] += 1
