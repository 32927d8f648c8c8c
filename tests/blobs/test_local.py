"""The local blob store: placement, dedup, failures that store nothing, verified reads."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from satchel.blobs import CHUNK_SIZE, LocalBlobStore, read_verified
from satchel.errors import Conflict, InsufficientStorage, SatchelError


def put(store: LocalBlobStore, data: bytes, piece: int = 65536) -> tuple[str, bytes]:
    writer = store.writer()
    for i in range(0, len(data), piece):
        writer.write(data[i : i + piece])
    info = writer.commit()
    return info.sha256, info.chunk_sums


def test_put_is_content_addressed_and_deduplicated(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = os.urandom(3 * CHUNK_SIZE + 17)
    sha, sums = put(store, data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert len(sums) == 4 * 8
    assert store.path_of(sha).read_bytes() == data
    again, _ = put(store, data, piece=1000)  # other write sizes, same digests
    assert again == sha
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [store.path_of(sha)]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_read_verified_ranges(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = os.urandom(2 * CHUNK_SIZE + 5)
    sha, sums = put(store, data)
    for start, end in [
        (0, len(data)),
        (5, 10),
        (CHUNK_SIZE - 3, CHUNK_SIZE + 3),
        (len(data) - 1, len(data)),
        (2 * CHUNK_SIZE, len(data)),
    ]:
        got = b"".join(
            read_verified(store, sha256=sha, size=len(data), chunk_sums=sums, start=start, end=end)
        )
        assert got == data[start:end]


def test_read_verified_refuses_damage(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = os.urandom(2 * CHUNK_SIZE)
    sha, sums = put(store, data)
    with open(store.path_of(sha), "r+b") as fh:
        fh.seek(CHUNK_SIZE + 1)
        fh.write(b"\0" if data[CHUNK_SIZE + 1] else b"\1")
    pieces = read_verified(store, sha256=sha, size=len(data), chunk_sums=sums)
    assert next(pieces) == data[:CHUNK_SIZE]  # the intact chunk
    with pytest.raises(Conflict) as caught:
        next(pieces)
    assert caught.value.code == "asset_integrity_mismatch"


@pytest.mark.parametrize(
    ("err", "expected"), [(errno.ENOSPC, InsufficientStorage), (errno.EIO, SatchelError)]
)
def test_fsync_failure_fails_the_write_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int, expected: type[Exception]
) -> None:
    store = LocalBlobStore(tmp_path)

    def failing_fsync(fd: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    writer = store.writer()
    writer.write(b"data")
    with pytest.raises(expected):
        writer.commit()
    assert list((tmp_path / "tmp").iterdir()) == []
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_write_error_fails_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBlobStore(tmp_path)
    writer = store.writer()

    class Full:
        closed = False

        def write(self, _: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            self.closed = True

    writer._file.close()
    writer._file = Full()  # type: ignore[assignment]
    with pytest.raises(InsufficientStorage):
        writer.write(b"abc")
    assert list((tmp_path / "tmp").iterdir()) == []
