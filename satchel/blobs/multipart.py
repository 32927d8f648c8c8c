"""Staging for uploads that arrive in many requests: multipart parts and tus appends.

The seam between the upload services (`satchel.uploads`) and a storage backend is
`MultipartStore`; every method takes the upload's id and `ref`, the backend's own handle
that `start` returned (kept in `resumable_uploads.backend_ref`):

- `start(upload_id, size=, part_size=)` opens the staging area; returns the backend's
  handle (an S3 UploadId) or None.
- `part_target(upload_id, ref, number=, expires_in=)` is where the client PUTs one part:
  a presigned URL straight to storage (S3 UploadPart), or None, meaning "the Satchel
  endpoint" (`PUT /uploads/{upload_id}/parts/{n}?sig=…`), which then calls
- `receive_part(upload_id, ref, number=)`: a `PartSink` the endpoint streams the body
  into; `finish()` keeps the attempt (replacing any earlier attempt of that part) and
  returns its ETag. Backends with presigned targets never receive parts and may raise.
- `complete(upload_id, ref, parts=, writer=)` assembles the parts, in the order given,
  into `writer` (a fresh `BlobWriter` of the blob store) and finishes it: the digests
  are known, nothing is placed yet; the caller checks sizes and checksums, then commits
  or aborts. A part that is missing or whose ETag differs raises `Invalid`
  (`upload_part_missing`, `upload_part_etag_mismatch`). The staging is left in place;
  call `abort` once the asset exists (or to give up).
- `abort(upload_id, ref)` removes everything staged; aborting twice is harmless.
- `stale(cutoff=)` lists `(upload_id, ref)` of staging areas last touched before
  `cutoff` (a Unix time); GC and startup repair abort those no open upload owns.

tus appends go through `AppendStore` (`open_append`, `close_append`, `assemble_appended`,
`abort`, `stale`): on the node's local disk (`LocalMultipartStore`) with the embedded
default, in the bucket (`satchel.blobs.s3_appends`) when managed storage is S3, so that
any API node can take an upload's next PATCH.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, cast

import xxhash

from satchel.blobs.base import BlobWriter
from satchel.codes import Code
from satchel.errors import Invalid

_READ = 1 << 20
_PART = re.compile(r"^(\d{5})\.([0-9a-f]{32})\.part$")


@dataclass(frozen=True)
class ReceivedPart:
    number: int
    size: int
    etag: str


class PartSink(Protocol):
    """One attempt at one part: bytes in, then `finish` (keep it) or `abort`."""

    @property
    def size(self) -> int: ...

    def write(self, data: bytes) -> None: ...

    def finish(self) -> ReceivedPart: ...

    def abort(self) -> None: ...


class AppendSink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class AppendStore(Protocol):
    def open_append(self, upload_id: str, *, offset: int) -> AppendSink: ...

    def close_append(self, fh: AppendSink, *, keep: bool = True) -> None: ...

    def assemble_appended(self, upload_id: str, *, size: int, writer: BlobWriter) -> BlobWriter: ...

    def abort(self, upload_id: str, ref: str | None) -> None: ...

    def stale(self, *, cutoff: float) -> list[tuple[str, str | None]]: ...


class MultipartStore(Protocol):
    def start(self, upload_id: str, *, size: int, part_size: int) -> str | None: ...

    def part_target(
        self, upload_id: str, ref: str | None, *, number: int, expires_in: int
    ) -> str | None: ...

    def receive_part(self, upload_id: str, ref: str | None, *, number: int) -> PartSink: ...

    def complete(
        self,
        upload_id: str,
        ref: str | None,
        *,
        parts: list[tuple[int, str]],
        writer: BlobWriter,
    ) -> BlobWriter: ...

    def abort(self, upload_id: str, ref: str | None) -> None: ...

    def stale(self, *, cutoff: float) -> list[tuple[str, str | None]]: ...


def clean_etag(etag: str) -> str:
    """ETags travel quoted in headers; compare them bare."""
    return etag.strip().removeprefix("W/").strip('"').lower()


class LocalPartSink:
    """Writes one attempt to a temporary file, hashing (xxh3-128) as bytes arrive."""

    def __init__(self, folder: Path, number: int, *, fsync: bool) -> None:
        self._folder, self._number, self._fsync = folder, number, fsync
        fd, name = tempfile.mkstemp(dir=folder, prefix=f"{number:05d}.", suffix=".tmp")
        self._tmp = Path(name)
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._hash = xxhash.xxh3_128()
        self._size = 0
        self._started = time.time_ns()

    @property
    def size(self) -> int:
        return self._size

    def write(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        view = memoryview(data)
        while view:
            view = view[self._file.write(view) or 0 :]

    def finish(self) -> ReceivedPart:
        if self._fsync:
            os.fsync(self._file.fileno())
        self._file.close()
        etag = self._hash.hexdigest()
        final = self._folder / f"{self._number:05d}.{etag}.part"
        os.replace(self._tmp, final)
        # A retry replaces the attempts that had finished before it began. One still
        # running when it began (its answer lost, say) may finish later: both stay, and
        # complete takes the one whose ETag it names.
        for old in self._folder.glob(f"{self._number:05d}.*.part"):
            with contextlib.suppress(FileNotFoundError):
                if old != final and old.stat().st_mtime_ns < self._started:
                    old.unlink()
        return ReceivedPart(self._number, self._size, etag)

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._tmp.unlink(missing_ok=True)


class LocalMultipartStore:
    """Parts as files under `<data>/uploads/<upload_id>/`, received by Satchel itself."""

    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root
        self.fsync = fsync
        root.mkdir(parents=True, exist_ok=True)

    def folder(self, upload_id: str) -> Path:
        if not re.fullmatch(r"[a-z]{2,4}_[0-9a-z]{26}", upload_id):
            raise ValueError(f"not an upload id: {upload_id!r}")
        return self.root / upload_id

    def start(self, upload_id: str, *, size: int, part_size: int) -> str | None:
        self.folder(upload_id).mkdir(exist_ok=True)
        return None

    def part_target(
        self, upload_id: str, ref: str | None, *, number: int, expires_in: int
    ) -> str | None:
        return None  # the signed Satchel endpoint

    def receive_part(self, upload_id: str, ref: str | None, *, number: int) -> LocalPartSink:
        folder = self.folder(upload_id)
        folder.mkdir(exist_ok=True)
        return LocalPartSink(folder, number, fsync=self.fsync)

    def _part_path(self, upload_id: str, number: int, etag: str) -> Path:
        folder = self.folder(upload_id)
        path = folder / f"{number:05d}.{clean_etag(etag)}.part"
        if path.is_file():
            return path
        if any(folder.glob(f"{number:05d}.*.part")):
            raise Invalid(
                f"Part {number} was received with another ETag; send the ETag its last "
                "upload answered, or upload it again.",
                code=Code.UPLOAD_PART_ETAG_MISMATCH,
                fields=[{"field": f"parts.{number}", "message": "ETag differs"}],
            )
        raise Invalid(
            f"Part {number} has not been received.",
            code=Code.UPLOAD_PART_MISSING,
            fields=[{"field": f"parts.{number}", "message": "not received"}],
        )

    def complete(
        self,
        upload_id: str,
        ref: str | None,
        *,
        parts: list[tuple[int, str]],
        writer: BlobWriter,
    ) -> BlobWriter:
        try:
            paths = [self._part_path(upload_id, n, etag) for n, etag in parts]
            for path in paths:
                with open(path, "rb", buffering=0) as fh:
                    while chunk := fh.read(_READ):
                        writer.write(chunk)
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        return writer

    def abort(self, upload_id: str, ref: str | None) -> None:
        shutil.rmtree(self.folder(upload_id), ignore_errors=True)

    def stale(self, *, cutoff: float) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.is_dir() and _last_touched(Path(entry.path)) < cutoff:
                    found.append((entry.name, None))
        return found

    # tus: one file appended at the offset the database records.

    def _data(self, upload_id: str) -> Path:
        return self.folder(upload_id) / "data"

    def open_append(self, upload_id: str, *, offset: int) -> BinaryIO:
        """The staged file opened for writing at `offset`; bytes after it (from a PATCH
        that was cut off or refused) are dropped first. Close it with `close_append`."""
        folder = self.folder(upload_id)
        folder.mkdir(exist_ok=True)
        fd = os.open(self._data(upload_id), os.O_WRONLY | os.O_CREAT, 0o600)
        os.ftruncate(fd, offset)
        fh = os.fdopen(fd, "wb", buffering=0)
        fh.seek(offset)
        return fh

    def close_append(self, sink: AppendSink, *, keep: bool = True) -> None:
        """Close the staged file (bytes not kept are dropped by the next `open_append`,
        which truncates at the offset)."""
        fh = cast(BinaryIO, sink)
        try:
            if self.fsync:
                os.fsync(fh.fileno())
        finally:
            fh.close()

    def staged_size(self, upload_id: str) -> int:
        try:
            return self._data(upload_id).stat().st_size
        except FileNotFoundError:
            return 0

    def assemble_appended(self, upload_id: str, *, size: int, writer: BlobWriter) -> BlobWriter:
        """The first `size` staged bytes into `writer`, finished (not committed)."""
        try:
            with open(self._data(upload_id), "rb", buffering=0) as fh:
                left = size
                while left > 0 and (chunk := fh.read(min(_READ, left))):
                    writer.write(chunk)
                    left -= len(chunk)
            if left:
                raise Invalid("The staged upload is shorter than its offset.")
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        return writer


def _last_touched(folder: Path) -> float:
    newest = folder.stat().st_mtime
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                newest = max(newest, entry.stat().st_mtime)
            except FileNotFoundError:
                continue
    return newest
