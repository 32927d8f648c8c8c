"""Multipart and tus uploads with S3 (SeaweedFS) as the blob store: multipart parts go
straight to the bucket by presigned UploadPart URLs, tus appends are staged in the
bucket too (any node may take the next PATCH); both end as
blobs in the bucket, and nothing stays behind."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest

from satchel.config import Settings
from satchel.runtime import Runtime
from tests.conftest import s3_settings
from tests.uploads.conftest import PART, MiB, pattern
from tests.uploads.test_multipart import announce, part_url, send_all
from tests.uploads.test_tus import create, patch

BUCKET = "satchel-uploads"


@pytest.fixture
def settings(tmp_path: Path, s3_server: Any) -> Settings:
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    return s3_settings(
        tmp_path,
        s3_server,
        bucket=BUCKET,
        multipart_threshold_bytes=MiB,
        multipart_part_bytes=PART,
        fsync=False,
    )


async def test_multipart_and_tus_into_s3(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    data = pattern(2 * PART + 777, seed=5)
    asset = await announce(client, len(data), sha256=hashlib.sha256(data).hexdigest())
    first = await part_url(client, asset["id"], asset["upload"]["upload_id"], 1)
    assert urlsplit(first).path.startswith(f"/{BUCKET}/")  # straight to the bucket
    parts = await send_all(client, anon, asset, data)
    done = await client.post(
        f"/api/v1/assets/{asset['id']}/complete",
        json={"upload_id": asset["upload"]["upload_id"], "parts": parts},
    )
    assert done.status_code == 202, done.text
    raw = await client.get(f"/api/v1/assets/{asset['id']}/raw")
    assert raw.status_code == 200 and raw.content == data

    small = pattern(300_000, seed=6)
    url = await create(client, len(small), filename="s3.txt")
    await patch(client, url, 0, small[:1000])
    finished = await patch(client, url, 1000, small[1000:])
    asset_id = finished.headers["satchel-asset-id"]
    raw = await client.get(f"/api/v1/assets/{asset_id}/raw")
    assert raw.content == small

    blobs = runtime.settings.data_dir / "blobs"
    assert not blobs.exists() or not any(p.is_file() for p in blobs.rglob("*"))
    assert not any((runtime.settings.data_dir / "uploads").glob("*/*"))  # tus too: in the bucket
    for sha in (hashlib.sha256(data).hexdigest(), hashlib.sha256(small).hexdigest()):
        assert runtime.blobs.size_of(sha) is not None


async def test_abort_and_expiry_clean_the_bucket(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime, s3_server: Any
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from satchel.db import utcnow
    from satchel.lifecycle.gc import collect
    from satchel.uploads.models import Upload

    data = pattern(PART + 10, seed=8)
    aborted, expired = await announce(client, len(data)), await announce(client, len(data))
    for asset in (aborted, expired):
        await send_all(client, anon, asset, data)
    body = {"upload_id": aborted["upload"]["upload_id"]}
    assert (
        await client.post(f"/api/v1/assets/{aborted['id']}/abort", json=body)
    ).status_code == 200
    past = utcnow() - timedelta(seconds=1)
    with runtime.db.write_session() as session:
        session.execute(update(Upload).values(expires_at=past))
        session.commit()
    report = collect(db=runtime.db, blobs=runtime.blobs, dry_run=False, grace_seconds=0)
    assert report["uploads"]["expired"] == 1
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
    )
    prefix = runtime.settings.blobs_url.split("/", 3)[3]  # type: ignore[union-attr]
    pending = s3.list_multipart_uploads(Bucket=BUCKET, Prefix=f"{prefix}/uploads/")
    assert pending.get("Uploads", []) == []
    assert (await client.get("/api/v1/assets")).json()["data"] == []
