"""Reading stored bytes so that no byte that fails its check ever leaves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from satchel.blobs.base import CHUNK_SIZE, BlobStore, chunk_sum, integrity_error

__all__ = ["check_sha256", "check_size", "integrity_error", "read_verified"]


def read_verified(
    store: BlobStore,
    *,
    sha256: str,
    size: int,
    chunk_sums: bytes,
    start: int = 0,
    end: int | None = None,
) -> Iterator[bytes]:
    """Yield bytes [start, end), each covering chunk checked before any of it is yielded.

    Raises `asset_integrity_mismatch` from the first chunk that fails; call `check_size`
    first so that a wrong length is refused before the response starts.
    """
    end = size if end is None else end
    first = start // CHUNK_SIZE
    pos = first * CHUNK_SIZE
    buf = bytearray()
    index = first
    for piece in store.read(sha256, pos, min(size, ((end - 1) // CHUNK_SIZE + 1) * CHUNK_SIZE)):
        buf += piece
        while len(buf) >= CHUNK_SIZE or (buf and pos + len(buf) >= size):
            chunk = bytes(buf[:CHUNK_SIZE])
            del buf[:CHUNK_SIZE]
            if chunk_sum(chunk) != chunk_sums[index * 8 : index * 8 + 8]:
                raise integrity_error(sha256)
            lo, hi = max(start - pos, 0), min(end - pos, len(chunk))
            if lo < hi:
                yield chunk[lo:hi] if (lo, hi) != (0, len(chunk)) else chunk
            pos += len(chunk)
            index += 1
    if pos < min(end, size) or buf:
        raise integrity_error(sha256)


def check_size(store: BlobStore, *, sha256: str, size: int) -> None:
    if store.size_of(sha256) != size:
        raise integrity_error(sha256)


def check_sha256(store: BlobStore, *, sha256: str, size: int) -> None:
    """Re-hash the whole blob (for `raw` reads and scrub)."""
    check_size(store, sha256=sha256, size=size)
    digest = hashlib.sha256()
    for piece in store.read(sha256):
        digest.update(piece)
    if digest.hexdigest() != sha256:
        raise integrity_error(sha256)
