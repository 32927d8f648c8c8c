"""tus 1.0.0 on the wire: headers, metadata, checksums, and the protocol's status codes.

https://tus.io/protocols/resumable-upload — core, creation, creation-with-upload,
termination, checksum and expiration. Not offered: creation-defer-length and
concatenation (an asset's size is known when it is announced).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime

from starlette.requests import Request

from satchel.codes import Code
from satchel.errors import BadRequest, Conflict, SatchelError, UnsupportedMediaType
from satchel.userjson import ascii_int

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
CHECKSUMS = ("sha1", "md5", "sha256")
CONTENT_TYPE = "application/offset+octet-stream"
ASSET_HEADER = "Satchel-Asset-Id"
# Every tus answer carries the version; errors too, so clients can tell a tus server.
BASE_HEADERS = {"Tus-Resumable": VERSION, "Cache-Control": "no-store"}


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**BASE_HEADERS, **(extra or {})}


class PreconditionFailed(SatchelError):
    status = 412
    code = Code.TUS_VERSION_UNSUPPORTED


class ChecksumMismatch(SatchelError):
    status = 460  # the tus checksum extension's own status
    code = Code.UPLOAD_CHECKSUM_MISMATCH


def bad(message: str, code: str = Code.BAD_REQUEST) -> BadRequest:
    return BadRequest(message, code=code, headers=_headers())


def check_version(request: Request) -> None:
    sent = request.headers.get("tus-resumable")
    if sent != VERSION:
        raise PreconditionFailed(
            f"This server speaks tus {VERSION}; send `Tus-Resumable: {VERSION}`.",
            headers=_headers({"Tus-Version": VERSION}),
        )


def int_header(request: Request, name: str) -> int:
    value = ascii_int(request.headers.get(name))
    if value is None:
        raise bad(f"The `{name}` header must be a non-negative integer.", "tus_header_invalid")
    return value


def parse_metadata(value: str | None) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent)."""
    found: dict[str, str] = {}
    for pair in (value or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        if not key or " " in encoded.strip() or key in found:
            raise bad("Upload-Metadata is malformed.", "tus_metadata_invalid")
        try:
            found[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError) as exc:
            raise bad(
                f"Upload-Metadata {key!r} is not base64 UTF-8.", "tus_metadata_invalid"
            ) from exc
    return found


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}" if v else k for k, v in metadata.items()
    )


def parse_checksum(value: str | None) -> tuple[str, bytes] | None:
    """`Upload-Checksum: <algorithm> <base64 digest>`, or None when not sent."""
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise bad(
            f"Checksum algorithm {algorithm!r} is not supported ({', '.join(CHECKSUMS)}).",
            "upload_checksum_algorithm_unsupported",
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad("Upload-Checksum is not base64.", "tus_header_invalid") from exc
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise bad("Upload-Checksum has the wrong length.", "tus_header_invalid")
    return algorithm, digest


def check_patch(request: Request) -> None:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != CONTENT_TYPE:
        raise UnsupportedMediaType(
            f"A PATCH body must be `Content-Type: {CONTENT_TYPE}`.", headers=_headers()
        )


def offset_mismatch(expected: int, sent: int) -> Conflict:
    return Conflict(
        f"Upload-Offset is {sent}, but the upload has {expected} bytes; HEAD it and resume "
        "from there.",
        code=Code.UPLOAD_OFFSET_MISMATCH,
        headers=_headers({"Upload-Offset": str(expected)}),
    )


def http_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def with_tus(error: SatchelError) -> SatchelError:
    """The same error, with the tus headers added (errors from shared services)."""
    error.headers = _headers(error.headers)
    return error
