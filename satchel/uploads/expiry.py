"""Collecting uploads that were abandoned: expired rows, and staging nothing owns.

Run by GC (`satchel.lifecycle.gc.collect`) and by startup repair. An expired upload loses
its pending asset, its staged parts and its row; a finished one keeps its asset and only
the row goes (a tus client could ask for it until then). Staging areas with no live
upload, untouched since `cutoff`, are removed (a crash between creating the staging and
the row, or between removing the row and the staging).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import select

from satchel.blobs import BlobStore
from satchel.blobs.multipart import LocalMultipartStore
from satchel.db import Database, utcnow
from satchel.errors import SatchelError
from satchel.uploads import common
from satchel.uploads.models import ResumableUpload

log = logging.getLogger("satchel.uploads")


def collect(
    *, db: Database, blobs: BlobStore, dry_run: bool = True, grace_seconds: float = 3600
) -> dict[str, Any]:
    report: dict[str, Any] = {"expired": 0, "finished_forgotten": 0, "stale_staging": 0}
    with db.session() as session:
        rows = list(
            session.scalars(select(ResumableUpload).where(ResumableUpload.expires_at < utcnow()))
        )
        for row in rows:
            session.expunge(row)
    for row in rows:
        report["finished_forgotten" if row.state == "done" else "expired"] += 1
        if dry_run:
            continue
        try:
            if row.state == "done":
                common.forget(db, row.id)
            else:
                common.end(db, blobs, row)
        except SatchelError as exc:  # blocked or busy: the next run tries again
            log.warning("could not collect upload %s: %s", row.id, exc.code)
    cutoff = time.time() - grace_seconds
    with db.session() as session:
        live = set(session.scalars(select(ResumableUpload.id)))
    stores = [common.staging_of(blobs, "tus")]
    if not isinstance(multipart := common.staging_of(blobs, "multipart"), LocalMultipartStore):
        stores.append(multipart)  # the blob store's own staging (S3 multipart uploads)
    for store in stores:
        for upload_id, ref in store.stale(cutoff=cutoff):
            if upload_id in live:
                continue
            report["stale_staging"] += 1
            if not dry_run:
                store.abort(upload_id, ref)
    return report
