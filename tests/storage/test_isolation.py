"""Two owners, two buckets, the same bytes: each asset is served, presigned, copied and
processed from its own bucket, never from whichever bucket the address was seen in first."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import httpx
import pytest

from satchel.errors import Conflict
from satchel.runtime import Runtime
from tests.conftest import make_png
from tests.jobs.helpers import wait_for_asset
from tests.storage.conftest import admin_s3, connection_body


async def _connect(client: httpx.AsyncClient, server: Any) -> tuple[str, str]:
    bucket = f"byo-{secrets.token_hex(6)}"
    admin_s3(server).create_bucket(Bucket=bucket)
    response = await client.post(
        "/api/v1/storage-connections", json=connection_body(server, bucket)
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"], bucket


async def _upload(client: httpx.AsyncClient, data: bytes, connection_id: str) -> str:
    response = await client.post(
        "/api/v1/assets",
        files={"file": ("same.png", data)},
        data={"storage_connection_id": connection_id},
    )
    assert response.status_code == 202, response.text
    asset_id: str = response.json()["data"]["id"]
    return asset_id


async def test_same_bytes_in_two_owners_buckets_never_cross(
    workers: Runtime, client_for: Any, s3_server: Any
) -> None:
    async with (
        client_for(["admin"], "alice") as alice,
        client_for(["admin"], "bob") as bob,
    ):
        conn_a, bucket_a = await _connect(alice, s3_server)  # the older connection id
        conn_b, bucket_b = await _connect(bob, s3_server)
        png = make_png(64, 48, seed=11)
        sha = hashlib.sha256(png).hexdigest()
        bobs = await _upload(bob, png, conn_b)
        assert (await wait_for_asset(bob, bobs))["status"] == "ready"
        alices = await _upload(alice, png, conn_a)
        assert (await wait_for_asset(alice, alices))["status"] == "ready"
        # Alice controls her bucket: she replaces the object behind the shared address.
        key = f"satchel/blobs/{sha[:2]}/{sha}"
        admin_s3(s3_server).put_object(Bucket=bucket_a, Key=key, Body=b"not bob's picture")

        redirect = await bob.get(f"/api/v1/assets/{bobs}/content")
        assert redirect.status_code == 307
        where = redirect.headers["location"]
        assert f"/{bucket_b}/" in where and bucket_a not in where
        async with httpx.AsyncClient() as outside:
            assert (await outside.get(where)).content == png
        raw = await bob.get(f"/api/v1/assets/{bobs}/raw")
        assert raw.status_code == 200 and raw.content == png
        again = await bob.post(f"/api/v1/assets/{bobs}/reprocess")
        assert again.status_code == 202, again.text
        assert (await wait_for_asset(bob, bobs))["status"] == "ready"  # Bob's bytes, not Alice's

        # The other way round: Alice's URL names her bucket, never Bob's (nor his key).
        hers = (await alice.get(f"/api/v1/assets/{alices}/content")).headers["location"]
        assert f"/{bucket_a}/" in hers and bucket_b not in hers
        damaged = await alice.get(f"/api/v1/assets/{alices}/raw")
        assert damaged.status_code == 409
        assert damaged.json()["error"]["code"] == "asset_integrity_mismatch"


def test_local_copy_checks_the_sha256(runtime: Runtime) -> None:
    """A local copy of bytes that are not the addressed ones is refused, never used."""
    png = make_png(8, 8, seed=12)
    writer = runtime.blobs.writer()
    writer.write(png)
    sha = writer.commit().sha256
    with runtime.blobs.at(None).local_copy(sha) as path:
        assert path.read_bytes() == png
    runtime.blobs.path_of(sha).write_bytes(b"tampered")
    with pytest.raises(Conflict), runtime.blobs.at(None).local_copy(sha):
        pass


async def test_dedupe_is_per_store(workers: Runtime, client_for: Any, s3_server: Any) -> None:
    """The same owner's bytes in managed storage do not swallow an upload aimed at a bucket."""
    async with client_for(["admin"], "carol") as carol:
        conn, bucket = await _connect(carol, s3_server)
        png = make_png(32, 32, seed=13)
        managed = await carol.post("/api/v1/assets", files={"file": ("a.png", png)})
        assert managed.status_code == 202
        aimed = await _upload(carol, png, conn)
        assert aimed != managed.json()["data"]["id"]
        sha = hashlib.sha256(png).hexdigest()
        listed = admin_s3(s3_server).list_objects_v2(Bucket=bucket).get("Contents", [])
        assert f"satchel/blobs/{sha[:2]}/{sha}" in {o["Key"] for o in listed}
