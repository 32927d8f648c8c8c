"""Sending stored bytes: ranges, validators, safe headers, and verification as they go."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from satchel.assets.filenames import content_disposition
from satchel.assets.models import Asset, Blob, Derivative
from satchel.assets.ranges import parse_range
from satchel.blobs import BlobStore, read_verified
from satchel.blobs.verify import check_sha256, check_size
from satchel.codes import Code
from satchel.errors import NotFound

# Types a browser would run or render as a page: never inline, always sandboxed.
ACTIVE_TYPES = frozenset(
    {
        "image/svg+xml",
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
    }
)


@dataclass(frozen=True)
class Payload:
    """Stored bytes to send, with what the headers need."""

    blob: Blob
    media_type: str
    filename: str
    modified: datetime
    location: str | None = None  # the asset's store (None: managed)


def _etag(payload: Payload) -> str:
    return f'"{payload.blob.sha256}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def _headers(payload: Payload) -> dict[str, str]:
    active = payload.media_type in ACTIVE_TYPES
    headers = {
        "ETag": _etag(payload),
        "Last-Modified": format_datetime(payload.modified, usegmt=True),
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(payload.filename, attachment=active),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if active:
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return headers


def _media_type(media_type: str) -> str:
    if media_type.startswith("text/") or media_type == "application/json":
        return f"{media_type}; charset=utf-8"
    return media_type


async def send(
    request: Request, *, asset: Asset, blob: Blob | None, blobs: BlobStore, full_check: bool
) -> Response:
    """Answer GET/HEAD for an asset's original bytes."""
    if blob is None or asset.sha256 is None:
        raise NotFound("The asset has no content yet.", code=Code.ASSET_NOT_FOUND)
    payload = Payload(blob, asset.media_type, asset.filename, asset.created_at, asset.store)
    return await send_payload(request, payload=payload, blobs=blobs, full_check=full_check)


async def send_derivative(
    request: Request, *, asset: Asset, derivative: Derivative, blobs: BlobStore
) -> Response:
    stem = asset.filename.rsplit(".", 1)[0]
    ext = {
        "image/webp": "webp",
        "image/png": "png",
        "image/jpeg": "jpg",
        "text/plain": "txt",
        "video/mp4": "mp4",
        "audio/mp4": "m4a",
    }.get(derivative.media_type, "bin")
    payload = Payload(
        derivative.blob,
        derivative.media_type,
        f"{stem}.{derivative.kind}.{ext}",
        derivative.created_at,
        asset.store,
    )
    return await send_payload(request, payload=payload, blobs=blobs, full_check=False)


async def send_payload(
    request: Request, *, payload: Payload, blobs: BlobStore, full_check: bool
) -> Response:
    """Answer GET/HEAD for stored bytes.

    Each 1 MiB chunk is checked before any of it is sent. The first chunk is read before
    the status line goes out, so a damaged blob of up to 1 MiB (or a wrong length) is a
    clean `409 asset_integrity_mismatch`; damage further in ends the stream with an error
    instead of sending the bad chunk. `full_check` re-hashes the whole blob first (raw).
    """
    blob = payload.blob
    blobs = blobs.at(payload.location)
    headers = _headers(payload)
    size = blob.size
    if _etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    await run_in_threadpool(check_size, blobs, sha256=blob.sha256, size=size)
    if full_check:
        await run_in_threadpool(check_sha256, blobs, sha256=blob.sha256, size=size)
    byte_range = None
    if_range = request.headers.get("if-range")
    if if_range is None or if_range.strip() == headers["ETag"]:
        byte_range = parse_range(request.headers.get("range"), size)
    status = 200
    start, end = 0, size
    if byte_range is not None:
        start, end = byte_range
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    media_type = _media_type(payload.media_type)
    if request.method == "HEAD" or end == start:
        return Response(status_code=status, headers=headers, media_type=media_type)
    pieces = read_verified(
        blobs, sha256=blob.sha256, size=size, chunk_sums=blob.chunk_sums, start=start, end=end
    )
    first = await run_in_threadpool(next, pieces, b"")

    def body() -> Iterator[bytes]:
        yield first
        yield from pieces

    return StreamingResponse(body(), status_code=status, headers=headers, media_type=media_type)
