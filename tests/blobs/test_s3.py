"""The S3 blob store against a real S3 server (SeaweedFS): placement, ranges, damage,
listing with pagination, presigned GETs, local copies, and flat memory for big writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from satchel.blobs import CHUNK_SIZE, read_verified
from satchel.blobs.s3 import S3BlobStore, S3Location, parse_s3_url
from satchel.blobs.verify import check_sha256
from satchel.errors import Conflict

BUCKET = "satchel-blobs"


@pytest.fixture
def store(s3_server: Any, tmp_path: Path) -> S3BlobStore:
    location = S3Location(
        bucket=BUCKET,
        prefix=f"unit-{secrets.token_hex(6)}",
        endpoint_url=s3_server.endpoint_url,
        region=s3_server.region,
        access_key_id=s3_server.access_key,
        secret_access_key=s3_server.secret_key,
    )
    made = S3BlobStore(location, scratch_dir=tmp_path / "tmp")
    with contextlib.suppress(made.client.exceptions.ClientError):  # made by an earlier test
        made.client.create_bucket(Bucket=BUCKET)
    return made


def put(store: S3BlobStore, data: bytes, piece: int = 65536) -> tuple[str, bytes]:
    writer = store.writer()
    for i in range(0, len(data), piece):
        writer.write(data[i : i + piece])
    with store.lock(hashlib.sha256(data).hexdigest()):
        info = writer.commit()
    return info.sha256, info.chunk_sums


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b")
    with pytest.raises(ValueError):
        parse_s3_url("http://bucket")


def test_put_read_ranges_and_delete(store: S3BlobStore) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 5)
    sha, sums = put(store, data)
    assert sha == hashlib.sha256(data).hexdigest() and len(sums) == 3 * 8
    assert store.size_of(sha) == len(data)
    assert list(store.scratch_dir.iterdir()) == []  # the local copy went after the upload
    for start, end in [(0, len(data)), (5, 10), (CHUNK_SIZE - 3, CHUNK_SIZE + 3)]:
        got = b"".join(
            read_verified(store, sha256=sha, size=len(data), chunk_sums=sums, start=start, end=end)
        )
        assert got == data[start:end]
    check_sha256(store, sha256=sha, size=len(data))
    with store.local_copy(sha) as path:
        assert path.read_bytes() == data
    assert not path.exists()
    store.delete(sha)
    store.delete(sha)  # twice is harmless
    assert store.size_of(sha) is None


def test_damaged_object_is_never_served(store: S3BlobStore) -> None:
    data = os.urandom(2 * CHUNK_SIZE)
    sha, sums = put(store, data)
    damaged = bytearray(data)
    damaged[CHUNK_SIZE + 1] ^= 0xFF
    store.client.put_object(Bucket=store.bucket, Key=store.key_of(sha), Body=bytes(damaged))
    first = read_verified(store, sha256=sha, size=len(data), chunk_sums=sums, end=CHUNK_SIZE)
    assert b"".join(first) == data[:CHUNK_SIZE]  # the intact chunk is still served
    with pytest.raises(Conflict):
        b"".join(read_verified(store, sha256=sha, size=len(data), chunk_sums=sums))
    with pytest.raises(Conflict):
        check_sha256(store, sha256=sha, size=len(data))


def test_abort_leaves_nothing(store: S3BlobStore) -> None:
    writer = store.writer()
    writer.write(b"never placed")
    writer.finish()
    writer.abort()
    assert list(store.iter_blobs()) == [] and list(store.scratch_dir.iterdir()) == []


def test_listing_pages_through_every_blob(store: S3BlobStore) -> None:
    shas = {hashlib.sha256(str(i).encode()).hexdigest() for i in range(45)}
    for sha in shas:  # placed directly (fast), listed through the store
        store.client.put_object(Bucket=store.bucket, Key=store.key_of(sha), Body=b"")
    pages: list[int] = []
    original = store.client.list_objects_v2

    def counting(**kwargs: Any) -> Any:
        answer = original(**kwargs)
        pages.append(answer.get("KeyCount", 0))
        return answer

    store.client.list_objects_v2 = counting  # type: ignore[method-assign]
    try:
        listed = {e.sha256 for e in store.iter_blobs(page_size=10)}
    finally:
        del store.client.list_objects_v2
    assert listed == shas
    assert pages == [10, 10, 10, 10, 5]


def test_presigned_get_serves_the_bytes(store: S3BlobStore) -> None:
    data = b"hello from the bucket\n" * 100
    sha, _ = put(store, data)
    url = store.presign_get(
        sha, expires_in=60, filename="héllo.txt", media_type="text/plain", attachment=True
    )
    assert url is not None and "X-Amz-Signature" in url
    got = httpx.get(url)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "text/plain"
    assert got.headers["content-disposition"].startswith("attachment;")
    ranged = httpx.get(url, headers={"Range": "bytes=6-9"})
    assert ranged.status_code == 206 and ranged.content == data[6:10]
    store.presign = False
    assert (
        store.presign_get(sha, expires_in=60, filename="x", media_type="x", attachment=False)
        is None
    )
