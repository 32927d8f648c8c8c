"""Blobs in a local folder: `ab/cd/abcd…` by SHA-256, written to a temporary file first."""

from __future__ import annotations

import errno
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from satchel.blobs.base import BlobEntry, BlobInfo, HashingTempFile, check_file_sha256
from satchel.errors import InsufficientStorage, SatchelError

_READ_SIZE = 1 << 20


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _storage_error(exc: OSError) -> SatchelError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InsufficientStorage("The storage is full; nothing was stored.")
    return SatchelError("The storage failed to write the upload; nothing was stored.")


class LocalWriter(HashingTempFile):
    """Hashes while writing to `tmp/`; `commit` renames into place and fsyncs the folder."""

    def __init__(self, store: LocalBlobStore) -> None:
        self._store = store
        super().__init__(*_mkstemp(store.tmp_dir))

    def _storage_error(self, exc: OSError) -> Exception:
        return _storage_error(exc)

    def finish(self) -> BlobInfo:
        if self._info is None:
            try:
                if self._store.fsync:
                    os.fsync(self._file.fileno())
                self._file.close()
            except OSError as exc:
                self.abort()
                raise _storage_error(exc) from exc
            self._info = self._digests.finish()
        return self._info

    def commit(self) -> BlobInfo:
        info = self.finish()
        final = self._store.path_of(info.sha256)
        try:
            # Replacing an existing copy is harmless (same address, same bytes) and heals
            # a damaged one; no second copy is ever kept.
            os.replace(self._tmp, final)
            if self._store.fsync:
                _fsync_dir(final.parent)
        except OSError as exc:
            self.abort()
            raise _storage_error(exc) from exc
        return info


def _mkstemp(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(dir=folder, prefix="put-", suffix=".tmp")


class LocalBlobStore:
    """The embedded default: a folder of content-addressed files."""

    def __init__(self, root: Path, *, fsync: bool = True) -> None:
        self.root = root
        self.blob_dir = root / "blobs"
        self.tmp_dir = root / "tmp"
        self.scratch_dir = self.tmp_dir
        self.lock_dir = root / "locks"
        self.fsync = fsync
        for folder in (self.blob_dir, self.tmp_dir, self.lock_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._thread_locks = [threading.Lock() for _ in range(256)]
        self._make_fanout()

    def path_of(self, sha256: str) -> Path:
        # One level of 256 folders, made once at start: no upload pays for a mkdir, and a
        # million blobs are ~4,000 files a folder.
        return self.blob_dir / sha256[:2] / sha256

    def _make_fanout(self) -> None:
        made = False
        for i in range(256):
            folder = self.blob_dir / f"{i:02x}"
            if not folder.is_dir():
                folder.mkdir(exist_ok=True)
                made = True
        if made and self.fsync:
            _fsync_dir(self.blob_dir)
            _fsync_dir(self.root)

    def writer(self, location: str | None = None) -> LocalWriter:
        if location is not None:
            raise ValueError("a single store has no other locations")
        return LocalWriter(self)

    @contextmanager
    def lock(self, sha256: str) -> Iterator[None]:
        # A thread lock for this process, plus flock for other processes on the same folder.
        stripe = int(sha256[:2], 16)
        with self._thread_locks[stripe]:
            fd = os.open(self.lock_dir / f"{sha256[:2]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def size_of(self, sha256: str) -> int | None:
        try:
            return self.path_of(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with open(self.path_of(sha256), "rb", buffering=0) as fh:
            fh.seek(start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                want = _READ_SIZE if remaining is None else min(_READ_SIZE, remaining)
                data = fh.read(want)
                if not data:
                    return
                if remaining is not None:
                    remaining -= len(data)
                yield data

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        path = self.path_of(sha256)
        check_file_sha256(path, sha256)
        yield path

    def at(self, location: str | None) -> LocalBlobStore:
        if location is not None:
            raise ValueError("a single store has no other locations")
        return self

    def delete(self, sha256: str, location: str | None = None) -> None:
        if location is not None:
            raise ValueError("a single store has no other locations")
        self.path_of(sha256).unlink(missing_ok=True)

    def presign_get(
        self, sha256: str, *, expires_in: int, filename: str, media_type: str, attachment: bool
    ) -> str | None:
        return None  # local bytes are only ever sent by Satchel itself

    def iter_blobs(self) -> Iterator[BlobEntry]:
        for i in range(256):
            try:
                entries = os.scandir(self.blob_dir / f"{i:02x}")
            except FileNotFoundError:
                continue
            with entries:
                for entry in entries:
                    try:
                        stat = entry.stat()
                    except FileNotFoundError:
                        continue
                    yield BlobEntry(entry.name, stat.st_size, stat.st_mtime)
