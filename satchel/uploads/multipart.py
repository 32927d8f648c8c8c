"""Multipart uploads (the Khaos shape): announce, one presigned PUT per part, complete.

`POST /assets` with a size above `multipart_threshold_bytes` starts one (`start`); the
client asks `POST /assets/{id}/parts` for a URL per part and attempt (`presign_part`),
PUTs each part there, and finishes with `POST /assets/{id}/complete` (`complete`) or
gives up with `POST /assets/{id}/abort` (`abort`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from satchel.assets.schemas import AssetFields
from satchel.blobs.multipart import PartSink, ReceivedPart, clean_etag
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Conflict, Invalid
from satchel.uploads import service
from satchel.uploads.ingest import Ingested
from satchel.uploads.models import Upload, UploadProtocol, UploadState
from satchel.uploads.staging import multipart_staging

if TYPE_CHECKING:
    from satchel.runtime import Runtime

MAX_PARTS = 10_000  # S3's limit; the part size grows so no upload needs more


def part_size_for(size: int, preferred: int) -> int:
    return max(preferred, math.ceil(size / MAX_PARTS))


def expected_part_size(upload: Upload, number: int) -> int:
    assert upload.part_size is not None and upload.part_count is not None
    if number < 1 or number > upload.part_count:
        raise Invalid(
            f"Part numbers run from 1 to {upload.part_count}.",
            code=Code.UPLOAD_PART_NUMBER_INVALID,
            fields=[{"field": "part_number", "message": f"1 to {upload.part_count}"}],
        )
    if number < upload.part_count:
        return upload.part_size
    return upload.total_size - upload.part_size * (upload.part_count - 1)


def start(
    *,
    runtime: Runtime,
    owner_id: str,
    filename: str,
    declared_type: str | None,
    size: int,
    fields: AssetFields,
    dedupe: bool,
    sha256: str | None,
) -> Upload:
    """Announce a multipart upload (reserving its asset id) and open its staging."""
    settings = runtime.settings
    upload = service.announce(
        db=runtime.db,
        limits=runtime.limits,
        owner_id=owner_id,
        protocol=UploadProtocol.MULTIPART,
        filename=filename,
        declared_type=declared_type,
        size=size,
        fields=fields,
        dedupe=dedupe,
        max_bytes=settings.max_upload_bytes,
        ttl_seconds=settings.resumable_upload_seconds,
        part_size=part_size_for(size, settings.multipart_part_bytes),
        client_sha256=sha256,
    )
    assert upload.part_size is not None
    try:
        upload.backend_ref = multipart_staging(runtime).start(
            upload.id, size=size, part_size=upload.part_size
        )
        service.save(runtime.db, upload_id=upload.id, backend_ref=upload.backend_ref)
    except BaseException:
        service.end(runtime.db, blobs=runtime.blobs, upload=upload)
        raise
    return upload


def _for_asset(runtime: Runtime, *, owner_id: str, asset_id: str, upload_id: str) -> Upload:
    upload = service.load(
        runtime.db, upload_id=upload_id, owner_id=owner_id, protocol=UploadProtocol.MULTIPART
    )
    if upload.asset_id != asset_id:
        raise service.upload_not_found(upload_id)
    return upload


@dataclass(frozen=True)
class PartUrl:
    part_number: int
    url: str
    size: int
    expires_at: datetime
    direct: bool  # True: straight to storage; False: the signed Satchel endpoint


def presign_part(
    *, runtime: Runtime, owner_id: str, asset_id: str, upload_id: str, number: int, base: str
) -> PartUrl:
    upload = _for_asset(runtime, owner_id=owner_id, asset_id=asset_id, upload_id=upload_id)
    if upload.state != UploadState.OPEN:
        raise Conflict("The upload is already complete.", code=Code.UPLOAD_ALREADY_COMPLETED)
    size = expected_part_size(upload, number)
    seconds = runtime.settings.multipart_part_url_seconds
    expires = utcnow() + timedelta(seconds=seconds)
    direct = multipart_staging(runtime).part_target(
        upload.id, upload.backend_ref, number=number, expires_in=seconds
    )
    if direct is not None:
        return PartUrl(number, direct, size, expires, True)
    stamp = int(expires.timestamp())
    sig = runtime.signer.sign(f"PUT /uploads/{upload.id}/parts/{number}", expires=stamp)
    url = f"{base}/api/v1/uploads/{upload.id}/parts/{number}?expires={stamp}&sig={sig}"
    return PartUrl(number, url, size, expires, False)


def open_part(*, runtime: Runtime, upload_id: str, number: int) -> tuple[PartSink, int]:
    """Where the signed part endpoint streams one attempt at a part, and its exact size."""
    upload = service.load(
        runtime.db, upload_id=upload_id, owner_id=None, protocol=UploadProtocol.MULTIPART
    )
    if upload.state != UploadState.OPEN:
        raise Conflict("The upload is already complete.", code=Code.UPLOAD_ALREADY_COMPLETED)
    if upload.busy_until is not None and upload.busy_until > utcnow():
        raise service.Locked("The upload is being completed; its parts can no longer change.")
    want = expected_part_size(upload, number)
    sink = multipart_staging(runtime).receive_part(upload.id, upload.backend_ref, number=number)
    return sink, want


def keep_part(*, sink: PartSink, number: int, size: int) -> ReceivedPart:
    """Keep a part that arrived whole (replacing earlier attempts), or drop it."""
    if sink.size != size:
        sink.abort()
        raise Invalid(
            f"Part {number} must have {size} bytes; {sink.size} arrived.",
            code=Code.UPLOAD_PART_SIZE_MISMATCH,
        )
    return sink.finish()


def check_parts(upload: Upload, parts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Every part exactly once, in order; a clear error naming what is wrong."""
    assert upload.part_count is not None
    numbers = [n for n, _ in parts]
    bad = sorted({n for n in numbers if n < 1 or n > upload.part_count})
    if bad:
        raise Invalid(
            f"Part numbers run from 1 to {upload.part_count}; got {bad[:10]}.",
            code=Code.UPLOAD_PART_NUMBER_INVALID,
        )
    if len(set(numbers)) != len(numbers):
        raise Invalid("A part is listed twice.", code=Code.UPLOAD_PARTS_DUPLICATED)
    missing = sorted(set(range(1, upload.part_count + 1)) - set(numbers))
    if missing:
        raise Invalid(
            f"{len(missing)} of {upload.part_count} parts are not listed "
            f"(first missing: {missing[:10]}).",
            code=Code.UPLOAD_PARTS_INCOMPLETE,
            fields=[{"field": "parts", "message": f"missing {missing[:10]}"}],
        )
    return sorted((n, clean_etag(e)) for n, e in parts)


def complete(
    *,
    runtime: Runtime,
    owner_id: str,
    asset_id: str,
    upload_id: str,
    parts: list[tuple[int, str]],
    sha256: str | None,
) -> Ingested:
    upload = _for_asset(runtime, owner_id=owner_id, asset_id=asset_id, upload_id=upload_id)
    if upload.state == UploadState.DONE:
        return service.result_of(runtime.db, upload=upload)  # completing twice is harmless
    ordered = check_parts(upload, parts)
    if not service.claim(runtime.db, upload_id=upload.id, seconds=3600):
        raise service.Locked("The upload is being completed already.")
    try:
        writer = multipart_staging(runtime).complete(
            upload.id, upload.backend_ref, parts=ordered, writer=runtime.blobs.writer()
        )
        return service.finish(
            runtime, upload=upload, writer=writer, sha256=sha256 or upload.client_sha256
        )
    finally:
        service.release(runtime.db, upload_id=upload.id)


def abort(*, runtime: Runtime, owner_id: str, asset_id: str, upload_id: str) -> None:
    upload = _for_asset(runtime, owner_id=owner_id, asset_id=asset_id, upload_id=upload_id)
    if upload.state == UploadState.DONE:
        raise Conflict(
            "The upload is complete; delete the asset instead.", code=Code.UPLOAD_ALREADY_COMPLETED
        )
    if not service.claim(runtime.db, upload_id=upload.id):
        raise service.Locked("The upload is being completed; try again.")
    service.end(runtime.db, blobs=runtime.blobs, upload=upload)
