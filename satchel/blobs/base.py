"""What every blob store offers, and the hashing every writer shares."""

from __future__ import annotations

import builtins
import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import xxhash

from satchel.codes import Code
from satchel.errors import Conflict

# Every blob is checked on read in chunks of this size against per-chunk xxh3 sums, so a
# range or a stream can be verified before any byte of it leaves, without re-hashing the
# whole blob. The SHA-256 remains the blob's address and is re-checked in full by `raw`
# reads and by scrub.
CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    chunk_sums: bytes  # 8 bytes (xxh3_64, big endian) per CHUNK_SIZE chunk


@dataclass(frozen=True)
class BlobEntry:
    """One stored blob as a listing sees it (GC): its address, size and modification time."""

    sha256: str
    size: int
    mtime: float


class Digests:
    """SHA-256 of the whole stream plus xxh3 of each CHUNK_SIZE-aligned chunk."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._chunk = xxhash.xxh3_64()
        self._chunk_fill = 0
        self._sums = bytearray()
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self._sha.update(data)
        self.size += len(data)
        view = memoryview(data)
        while view:
            take = min(len(view), CHUNK_SIZE - self._chunk_fill)
            self._chunk.update(view[:take])
            self._chunk_fill += take
            view = view[take:]
            if self._chunk_fill == CHUNK_SIZE:
                self._sums += self._chunk.digest()
                self._chunk.reset()
                self._chunk_fill = 0

    def finish(self) -> BlobInfo:
        if self._chunk_fill:
            self._sums += self._chunk.digest()
        return BlobInfo(self._sha.hexdigest(), self.size, bytes(self._sums))


def integrity_error(sha256: str) -> Conflict:
    return Conflict(
        "The stored bytes no longer match their checksum; they are not served.",
        code=Code.ASSET_INTEGRITY_MISMATCH,
    )


def chunk_sum(data: bytes) -> bytes:
    return xxhash.xxh3_64(data).digest()


class HashingTempFile:
    """What every writer shares: the bytes go to a local temporary file (where sniffing
    reads them) while their digests are computed. Subclasses place them on `commit`."""

    def __init__(self, fd: int, name: str) -> None:
        self._digests = Digests()
        self._info: BlobInfo | None = None
        self._tmp = Path(name)
        self._file = os.fdopen(fd, "wb", buffering=0)

    def _storage_error(self, exc: OSError) -> Exception:
        """The error to raise when the temporary file cannot be written."""
        return exc

    @property
    def size(self) -> int:
        return self._digests.size

    @property
    def temp_path(self) -> Path:
        """Where the bytes are until commit (media sniffing reads them here)."""
        return self._tmp

    def write(self, data: bytes) -> None:
        self._digests.update(data)
        try:
            view = memoryview(data)
            while view:
                written = self._file.write(view)
                view = view[written or 0 :]
        except OSError as exc:
            self.abort()
            raise self._storage_error(exc) from exc

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._tmp.unlink(missing_ok=True)


class BlobWriter(Protocol):
    """Receives one blob's bytes; nothing is visible under its address before `commit`."""

    @property
    def size(self) -> int: ...

    @property
    def temp_path(self) -> Path:
        """A local file holding the bytes written so far (until commit or abort)."""
        ...

    def write(self, data: bytes) -> None: ...

    def finish(self) -> BlobInfo:
        """Flush to durable storage and return the digests; the bytes are not yet placed."""
        ...

    def commit(self) -> BlobInfo:
        """Place the finished bytes under their address (call while holding `lock(sha)`)."""
        ...

    def abort(self) -> None: ...


class BlobStore(Protocol):
    """Stores byte strings under their SHA-256; a second put of the same bytes adds nothing."""

    # A local folder for temporary files (a writer's bytes before commit, processing
    # workspaces, staged avatars): on local disk whatever the backend. GC empties it of
    # anything older than the grace period.
    scratch_dir: Path

    def writer(self, location: str | None = None) -> BlobWriter:
        """A writer for new bytes; `location` picks a storage connection (None: managed)."""
        ...

    def at(self, location: str | None) -> BlobStore:
        """The store holding one location's bytes (a single store has only None). Reads,
        presigning and local copies for an asset go through its own location, never a
        lookup by address across owners."""
        ...

    def lock(self, sha256: str) -> AbstractContextManager[None]:
        """Serializes placing and deleting one address (against a concurrent delete)."""
        ...

    def size_of(self, sha256: str) -> int | None:
        """The stored size, or None when there is no such blob."""
        ...

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes [start, end) in pieces, unverified; see `read_verified`."""
        ...

    def delete(self, sha256: str, location: str | None = None) -> None:
        """Remove the bytes; removing a missing blob is not an error. `location` names a
        storage connection (None: managed storage)."""
        ...

    def local_copy(self, sha256: str) -> AbstractContextManager[Path]:
        """A local file with the blob's bytes, for code that needs a path (sniffing); its
        SHA-256 is checked first (`IntegrityMismatch` when the stored bytes differ)."""
        ...

    def presign_get(
        self, sha256: str, *, expires_in: int, filename: str, media_type: str, attachment: bool
    ) -> str | None:
        """A URL that serves the bytes straight from storage, or None (local disk)."""
        ...

    def iter_blobs(self) -> Iterator[BlobEntry]:
        """Every stored blob (for GC), in no particular order."""
        ...


def check_file_sha256(path: Path, sha256: str) -> None:
    """Refuse a local copy whose bytes are not the ones addressed (a damaged or replaced
    object in a bucket someone else controls)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise integrity_error(sha256)


def write_file(store: BlobStore, path: Path, location: str | None = None) -> BlobWriter:
    """A finished (not yet committed) writer holding the bytes of a local file."""
    writer = store.writer(location)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK_SIZE):
                writer.write(chunk)
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    return writer


class SharedFiles(Protocol):
    """Named temporary files every node reads (`satchel.blobs.s3_shared`): tool
    workspaces and staged avatars in scale-out mode."""

    def put_file(self, key: str, path: Path) -> None: ...

    def get_file(self, key: str, path: Path) -> bool: ...

    def list(self, prefix: str) -> list[tuple[str, float]]: ...

    def delete(self, keys: builtins.list[str]) -> None: ...
