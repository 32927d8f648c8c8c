"""Bring-your-own buckets holding the same bytes, one of them replaced by its owner: an S3
local copy of replaced bytes is refused, and renditions, a space's ZIP and share links and
a public asset's stripped copy each read their asset's own bucket, never its twin's."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from satchel.blobs.s3 import S3BlobStore, S3Location
from satchel.codes import Code
from satchel.errors import Conflict
from satchel.runtime import Runtime
from tests.conftest import make_png
from tests.jobs.helpers import wait_for_asset
from tests.storage.conftest import admin_s3, connection_body
from tests.web.helpers import make_space, read

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def _picture(
    size: tuple[int, int], left: tuple[int, int, int], right: tuple[int, int, int]
) -> bytes:
    """A PNG whose left half is one colour and right half another."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert("RGB").tobytes()


def _near(pixel: Any, colour: tuple[int, int, int]) -> bool:
    """An RGB pixel (as PIL's `getpixel` gives it) within a JPEG-ish tolerance of `colour`."""
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= 24 for a, b in zip(pixel[:3], colour, strict=True))


# Bob's picture (Alice uploads the very same bytes), and what Alice then puts in her bucket
# at every address: another valid picture, of another shape, so that a read that crossed
# over would show as the wrong size and colours, not only as a failed request.
BOBS = _picture((96, 64), RED, GREEN)
ALICES = _picture((64, 96), BLUE, BLUE)


@pytest.fixture
def s3_store(s3_server: Any, tmp_path: Path) -> S3BlobStore:
    """A blob store in a fresh bucket on the session's SeaweedFS."""
    bucket = f"byo-{secrets.token_hex(6)}"
    admin_s3(s3_server).create_bucket(Bucket=bucket)
    where = S3Location(
        bucket=bucket,
        prefix="satchel",
        endpoint_url=s3_server.endpoint_url,
        region=s3_server.region,
        access_key_id=s3_server.access_key,
        secret_access_key=s3_server.secret_key,
    )
    return S3BlobStore(where, scratch_dir=tmp_path / "scratch")


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


@pytest.mark.parametrize(
    "replace",
    [
        _flip_last_byte,  # the same length: only the hash can tell
        lambda data: data[:-7],  # truncated
        lambda data: make_png(16, 16, seed=99),  # another valid picture
        lambda data: b"",
    ],
    ids=["same-length", "truncated", "other-picture", "empty"],
)
def test_s3_local_copy_refuses_replaced_bytes(
    s3_store: S3BlobStore, s3_server: Any, replace: Callable[[bytes], bytes]
) -> None:
    png = make_png(16, 16, seed=21)
    writer = s3_store.writer()
    writer.write(png)
    sha = writer.commit().sha256
    with s3_store.local_copy(sha) as path:
        assert path.read_bytes() == png
    assert list(s3_store.scratch_dir.iterdir()) == []

    other = replace(png)
    admin_s3(s3_server).put_object(Bucket=s3_store.bucket, Key=s3_store.key_of(sha), Body=other)
    assert s3_store.size_of(sha) == len(other)  # the bucket really holds the other bytes
    with pytest.raises(Conflict) as refused, s3_store.local_copy(sha):
        pytest.fail("a local copy of replaced bytes was handed out")
    assert refused.value.code == Code.ASSET_INTEGRITY_MISMATCH
    assert list(s3_store.scratch_dir.iterdir()) == []  # no partial download left behind


async def _connect(client: httpx.AsyncClient, server: Any) -> tuple[str, str]:
    """A connection to a fresh bucket of the caller's; returns its id and the bucket."""
    bucket = f"byo-{secrets.token_hex(6)}"
    admin_s3(server).create_bucket(Bucket=bucket)
    made = await client.post("/api/v1/storage-connections", json=connection_body(server, bucket))
    assert made.status_code == 201, made.text
    return made.json()["data"]["id"], bucket


async def _share(client: httpx.AsyncClient, connection_id: str) -> str:
    """Upload BOBS into the caller's bucket and make the asset public."""
    made = await client.post(
        "/api/v1/assets",
        files={"file": ("pair.png", BOBS)},
        data={"storage_connection_id": connection_id},
    )
    assert made.status_code == 202, made.text
    asset_id: str = made.json()["data"]["id"]
    assert (await wait_for_asset(client, asset_id))["status"] == "ready"
    public = await client.patch(f"/api/v1/assets/{asset_id}", json={"is_public": True})
    assert public.status_code == 200, public.text
    return asset_id


async def _reads(
    owner: httpx.AsyncClient, anon: httpx.AsyncClient, asset_id: str
) -> dict[str, httpx.Response]:
    """Every way the asset's bytes leave, other than content/raw/reprocess."""
    got = {"render": await owner.get(f"/api/v1/assets/{asset_id}/render", params={"w": 64})}
    space = await make_space(owner, asset_ids=(asset_id,))
    got["export"] = await owner.get(f"/api/v1/spaces/{space['id']}/export")
    page = read((await anon.get(f"/s/{space['short_id']}")).text)
    [original] = {a["href"] for a in page.links if "/original?" in (a["href"] or "")}
    got["share original"] = await anon.get(original or "")
    moved = await anon.get(f"/api/v1/assets/{asset_id}/content")
    assert moved.status_code == 307 and "/p/" in moved.headers["location"]
    got["public copy"] = await anon.get(moved.headers["location"])
    return got


@pytest.mark.parametrize("older", ["alice", "bob"])
async def test_a_replaced_twin_never_reaches_the_other_owner(
    workers: Runtime, client_for: Any, anon: httpx.AsyncClient, s3_server: Any, older: str
) -> None:
    """Either connection the older (an address-only lookup would pick the older one)."""
    async with (
        client_for(["admin"], "alice") as alice,
        client_for(["admin"], "bob") as bob,
    ):
        if older == "alice":
            conn_a, bucket_a = await _connect(alice, s3_server)
            conn_b, _ = await _connect(bob, s3_server)
        else:
            conn_b, _ = await _connect(bob, s3_server)
            conn_a, bucket_a = await _connect(alice, s3_server)
        bobs = await _share(bob, conn_b)
        alices = await _share(alice, conn_a)

        # Alice replaces everything in her bucket (original and derivatives alike).
        s3 = admin_s3(s3_server)
        listed = s3.list_objects_v2(Bucket=bucket_a, Prefix="satchel/blobs/")
        keys = [o["Key"] for o in listed.get("Contents", [])]
        sha = hashlib.sha256(BOBS).hexdigest()
        assert f"satchel/blobs/{sha[:2]}/{sha}" in keys
        for key in keys:
            s3.put_object(Bucket=bucket_a, Key=key, Body=ALICES)

        his = await _reads(bob, anon, bobs)
        for name, response in his.items():
            assert response.status_code == 200, (name, response.text)
        rendition = Image.open(io.BytesIO(his["render"].content)).convert("RGB")
        assert rendition.size == (64, 43)  # Bob's 3:2, not Alice's 2:3
        assert _near(rendition.getpixel((8, 21)), RED)
        assert _near(rendition.getpixel((56, 21)), GREEN)
        archive = zipfile.ZipFile(io.BytesIO(his["export"].content))
        [row] = json.loads(archive.read("manifest.json"))["assets"]
        assert row["sha256"] == sha and archive.read(row["file"]) == BOBS
        for name in ("share original", "public copy"):  # stripped copies: same pixels
            assert his[name].headers["content-type"] == "image/png", name
            assert _pixels(his[name].content) == _pixels(BOBS), name

        hers = await _reads(alice, anon, alices)
        for name, response in hers.items():
            assert response.status_code == 409, (name, response.status_code)
            assert response.json()["error"]["code"] == "asset_integrity_mismatch", name
