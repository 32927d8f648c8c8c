"""Managed storage on S3 (`SATCHEL_BLOBS_URL=s3://…`): presigned downloads, one object per
content, and GC, scrub and startup repair working from the bucket's listing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from satchel.blobs.s3 import S3BlobStore
from satchel.config import Settings
from satchel.lifecycle.gc import collect
from satchel.lifecycle.scrub import scrub
from satchel.runtime import Runtime
from tests.conftest import make_png, s3_settings, upload
from tests.storage.conftest import LOOPBACK_ALLOWED, admin_s3, connection_body

BUCKET = "satchel-managed"


@pytest.fixture
def settings(tmp_path: Path, s3_server: Any) -> Settings:
    client = admin_s3(s3_server)
    try:
        client.head_bucket(Bucket=BUCKET)
    except client.exceptions.ClientError:
        client.create_bucket(Bucket=BUCKET)
    return s3_settings(
        tmp_path, s3_server, bucket=BUCKET, storage_private_endpoints=LOOPBACK_ALLOWED
    )


def managed(runtime: Runtime) -> S3BlobStore:
    store = runtime.blobs.managed
    assert isinstance(store, S3BlobStore)
    return store


def objects(runtime: Runtime) -> set[str]:
    return {e.sha256 for e in managed(runtime).iter_blobs()}


async def test_content_redirects_to_a_presigned_get(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    text = b"straight from the bucket\n" * 1000
    asset = (await upload(client, text, filename="notes.txt"))["data"]
    response = await client.get(f"/api/v1/assets/{asset['id']}/content")
    assert response.status_code == 307
    location = response.headers["location"]
    assert location.startswith(runtime.settings.s3_endpoint_url or "")
    async with httpx.AsyncClient() as outside:  # no key: the URL itself is the permission
        got = await outside.get(location)
        assert got.status_code == 200 and got.content == text
        assert got.headers["content-type"].startswith("text/plain")
        part = await outside.get(location, headers={"Range": "bytes=0-9"})
        assert part.status_code == 206 and part.content == text[:10]
    raw = await client.get(f"/api/v1/assets/{asset['id']}/raw")  # always checked, never redirected
    assert raw.status_code == 200 and raw.content == text


async def test_one_object_per_content_and_no_scratch_left(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    png = make_png(64, 64, seed=3)
    responses = await asyncio.gather(
        *(client.post("/api/v1/assets", files={"file": ("same.png", png)}) for _ in range(8))
    )
    assert sum(r.status_code == 202 for r in responses) == 1
    assert all(r.status_code in (200, 202) for r in responses)
    copy = await upload(client, png, filename="again.png", dedupe="false")
    assert copy["data"]["sha256"] == hashlib.sha256(png).hexdigest()
    assert objects(runtime) == {hashlib.sha256(png).hexdigest()}
    assert list(runtime.blobs.scratch_dir.iterdir()) == []


async def test_gc_lists_the_bucket_and_keeps_what_is_referenced(
    client: httpx.AsyncClient, runtime: Runtime, s3_server: Any, tmp_path: Path
) -> None:
    keep = (await upload(client, b"keep me\n", filename="keep.txt"))["data"]
    store = managed(runtime)
    orphan = hashlib.sha256(b"orphan").hexdigest()
    store.client.put_object(Bucket=store.bucket, Key=store.key_of(orphan), Body=b"orphan")
    stale = runtime.blobs.scratch_dir / "s3put-stale.tmp"
    stale.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    # A storage connection with an orphan of its own.
    bucket = f"byo-{os.urandom(4).hex()}"
    admin_s3(s3_server).create_bucket(Bucket=bucket)
    conn = (
        await client.post("/api/v1/storage-connections", json=connection_body(s3_server, bucket))
    ).json()["data"]
    theirs = runtime.blobs.store(conn["id"])
    assert isinstance(theirs, S3BlobStore)
    theirs.client.put_object(Bucket=bucket, Key=theirs.key_of(orphan), Body=b"orphan")

    fresh = collect(db=runtime.db, blobs=runtime.blobs, dry_run=False)  # default grace: 1 h
    assert fresh["deleted_blobs"] == 0 and fresh["temp_files_removed"] == 1
    dry = collect(db=runtime.db, blobs=runtime.blobs, dry_run=True, grace_seconds=0)
    assert dry["orphan_blobs"] == 2 and orphan in objects(runtime)
    done = collect(db=runtime.db, blobs=runtime.blobs, dry_run=False, grace_seconds=0)
    assert done["deleted_blobs"] == 2 and "skipped_locations" not in done
    assert objects(runtime) == {keep["sha256"]}
    assert {e.sha256 for e in theirs.iter_blobs()} == set()
    raw = await client.get(f"/api/v1/assets/{keep['id']}/raw")
    assert raw.status_code == 200 and raw.content == b"keep me\n"


async def test_scrub_and_repair_find_damage_in_the_bucket(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    damaged = (await upload(client, b"a" * 5000, filename="a.txt"))["data"]
    lost = (await upload(client, b"b" * 5000, filename="b.txt"))["data"]
    fine = (await upload(client, b"c" * 5000, filename="c.txt"))["data"]
    store = managed(runtime)
    store.client.put_object(
        Bucket=store.bucket, Key=store.key_of(damaged["sha256"]), Body=b"a" * 4999 + b"!"
    )
    store.delete(lost["sha256"])
    report = scrub(db=runtime.db, blobs=runtime.blobs)
    problems = {m["sha256"]: m["problem"] for m in report["mismatches"]}
    assert problems == {damaged["sha256"]: "hash", lost["sha256"]: "missing"}
    summary = runtime.repair()
    assert summary["quarantined_assets"] == [lost["id"]]  # repair checks sizes, scrub hashes
    assert (await client.get(f"/api/v1/assets/{fine['id']}/raw")).status_code == 200
    bad = await client.get(f"/api/v1/assets/{damaged['id']}/raw")
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "asset_integrity_mismatch"


async def test_multipart_parts_go_straight_to_the_bucket(
    settings: Settings, s3_server: Any
) -> None:
    from satchel.api.app import create_app
    from satchel.runtime import start
    from tests.conftest import ADMIN_KEY

    settings = settings.model_copy(
        update={"multipart_threshold_bytes": 6 << 20, "multipart_part_bytes": 5 << 20}
    )
    runtime = start(settings)
    app = create_app(settings, runtime)
    line = os.urandom(32).hex().encode() + b"\n"
    data = b"".join(b"%08d " % i + line for i in range(160_000))  # ~11.3 MB of text
    try:
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://testserver",
                headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            ) as client,
            httpx.AsyncClient() as outside,
        ):
            announced = await client.post(
                "/api/v1/assets",
                json={"filename": "big.txt", "content_type": "text/plain", "size": len(data)},
            )
            assert announced.status_code == 201, announced.text
            asset = announced.json()["data"]
            upload_id, size = asset["upload"]["upload_id"], asset["upload"]["part_size"]
            assert asset["upload"]["part_count"] == 3

            async def send(number: int, body: bytes) -> str:
                minted = await client.post(
                    f"/api/v1/assets/{asset['id']}/parts",
                    json={"upload_id": upload_id, "part_number": number},
                )
                assert minted.status_code == 200, minted.text
                url = minted.json()["data"]["url"]
                assert url.startswith(s3_server.endpoint_url)  # straight to storage
                put = await outside.put(url, content=body)
                assert put.status_code == 200, put.text
                return put.headers["etag"]

            pieces = [data[i : i + size] for i in range(0, len(data), size)]
            etags = [await send(n, p) for n, p in enumerate(pieces, 1)]
            await send(2, b"wrong bytes" * 1000)  # a bad attempt, then the retry wins
            etags[1] = await send(2, pieces[1])
            done = await client.post(
                f"/api/v1/assets/{asset['id']}/complete",
                json={
                    "upload_id": upload_id,
                    "parts": [{"part_number": n, "etag": e} for n, e in enumerate(etags, 1)],
                },
            )
            assert done.status_code in (200, 202), done.text
            assert done.json()["data"]["sha256"] == hashlib.sha256(data).hexdigest()
            store = managed(runtime)
            assert objects(runtime) == {hashlib.sha256(data).hexdigest()}
            listing = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
            assert all("/uploads/" not in o["Key"] for o in listing.get("Contents", []))
            pending = store.client.list_multipart_uploads(Bucket=store.bucket)
            assert [u for u in pending.get("Uploads", []) if store.prefix in u["Key"]] == []
            # An aborted upload leaves nothing in the bucket either.
            again = await client.post(
                "/api/v1/assets",
                json={"filename": "b.txt", "content_type": "text/plain", "size": len(data)},
            )
            asset, upload_id = again.json()["data"], again.json()["data"]["upload"]["upload_id"]
            await send(1, pieces[0])
            aborted = await client.post(
                f"/api/v1/assets/{asset['id']}/abort", json={"upload_id": upload_id}
            )
            assert aborted.status_code == 200, aborted.text
            pending = store.client.list_multipart_uploads(Bucket=store.bucket)
            assert [u for u in pending.get("Uploads", []) if store.prefix in u["Key"]] == []
    finally:
        runtime.close()
