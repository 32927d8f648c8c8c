"""Collecting uploads that were abandoned: expired rows, and staging nothing owns.

One expiry for every protocol (a signed PUT's upload expires with its URL, multipart and
tus after `SATCHEL_RESUMABLE_UPLOAD_SECONDS`), run by GC (`satchel.lifecycle.gc.collect`)
and by startup repair. An expired open upload loses its row, its staged parts and any
bytes its PUT placed that nothing else holds; a finished one keeps its asset and only the
row goes (a client could ask for it until then). One whose lease is held (a PATCH or a
complete running) waits for the next run. Staging areas with no upload, untouched since
`cutoff`, are removed (a crash between creating the staging and the row, or between
removing the row and the staging).
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
from satchel.uploads import service
from satchel.uploads.models import Upload, UploadProtocol, UploadState
from satchel.uploads.staging import StagingArea, staging_of

log = logging.getLogger("satchel.uploads")


def collect(
    *, db: Database, blobs: BlobStore, dry_run: bool = True, grace_seconds: float = 3600
) -> dict[str, Any]:
    report: dict[str, Any] = {"expired": 0, "finished_forgotten": 0, "stale_staging": 0}
    with db.session() as session:
        rows = list(session.scalars(select(Upload).where(Upload.expires_at < utcnow())))
        for row in rows:
            session.expunge(row)
    for row in rows:
        report["finished_forgotten" if row.state == UploadState.DONE else "expired"] += 1
        if dry_run:
            continue
        try:
            if row.state == UploadState.DONE:
                service.forget(db, upload_id=row.id)
            elif service.claim(db, upload_id=row.id):
                service.end(db, blobs=blobs, upload=row)
        except SatchelError as exc:  # the next run tries again
            log.warning("could not collect upload %s: %s", row.id, exc.code)
    cutoff = time.time() - grace_seconds
    with db.session() as session:
        live = set(session.scalars(select(Upload.id)))
    # Local staging always (tus and multipart before a move to S3 too), and the blob
    # store's own when it has one (S3 multipart uploads, tus segments in the bucket).
    stores: list[StagingArea] = [staging_of(blobs, UploadProtocol.PUT)]
    for protocol in (UploadProtocol.TUS, UploadProtocol.MULTIPART):
        if not isinstance(shared := staging_of(blobs, protocol), LocalMultipartStore):
            stores.append(shared)
    for store in stores:
        for upload_id, ref in store.stale(cutoff=cutoff):
            if upload_id in live:
                continue
            report["stale_staging"] += 1
            if not dry_run:
                store.abort(upload_id, ref)
    return report
