"""Multipart uploads on local disk: announce, presigned parts, complete, abort."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import httpx

from satchel.runtime import Runtime
from tests.uploads.conftest import PART, pattern


async def announce(client: httpx.AsyncClient, size: int, **extra: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/assets",
        json={"filename": "big.txt", "content_type": "text/plain", "size": size, **extra},
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def part_url(client: httpx.AsyncClient, asset_id: str, upload_id: str, n: int) -> str:
    r = await client.post(
        f"/api/v1/assets/{asset_id}/parts", json={"upload_id": upload_id, "part_number": n}
    )
    assert r.status_code == 200, r.text
    url: str = r.json()["data"]["url"]
    return url


async def put(anon: httpx.AsyncClient, url: str, data: bytes) -> httpx.Response:
    """PUT to a part URL: Satchel's own (in-process app) or a presigned one to S3."""
    parts = urlsplit(url)
    if parts.hostname == "testserver":
        return await anon.put(f"{parts.path}?{parts.query}", content=data)
    async with httpx.AsyncClient() as direct:
        return await direct.put(url, content=data)


async def send_all(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, asset: dict[str, Any], data: bytes
) -> list[dict[str, Any]]:
    upload = asset["upload"]
    done = []
    for n in range(1, upload["part_count"] + 1):
        chunk = data[(n - 1) * upload["part_size"] : n * upload["part_size"]]
        r = await put(anon, await part_url(client, asset["id"], upload["upload_id"], n), chunk)
        assert r.status_code == 200, r.text
        if r.content:  # Satchel's endpoint answers the ETag in the body too; S3 only in it
            assert r.headers["etag"] == f'"{r.json()["data"]["etag"]}"'
        done.append({"part_number": n, "etag": r.headers["etag"]})
    return done


async def test_multipart_round_trip(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    data = pattern(2 * PART + 12345)
    asset = await announce(client, len(data), sha256=hashlib.sha256(data).hexdigest())
    upload = asset["upload"]
    assert asset["status"] == "uploading"
    assert (upload["part_size"], upload["part_count"]) == (PART, 3)
    # A first attempt at part 2 with other bytes; the retry replaces it.
    wrong = await put(
        anon, await part_url(client, asset["id"], upload["upload_id"], 2), bytes(PART)
    )
    assert wrong.status_code == 200
    parts = await send_all(client, anon, asset, data)
    staged = runtime.settings.data_dir / "uploads" / upload["upload_id"]
    assert sorted(p.name[:5] for p in staged.iterdir()) == ["00001", "00002", "00003"]
    r = await client.post(
        f"/api/v1/assets/{asset['id']}/complete",
        json={"upload_id": upload["upload_id"], "parts": list(reversed(parts))},
    )
    assert r.status_code == 202, r.text
    assert r.json()["data"]["media_type"] == "text/plain"
    got = await client.get(f"/api/v1/assets/{asset['id']}/content")
    assert got.content == data
    assert not any((runtime.settings.data_dir / "uploads").iterdir())
    again = await client.post(
        f"/api/v1/assets/{asset['id']}/complete",
        json={"upload_id": upload["upload_id"], "parts": parts},
    )
    assert again.status_code == 200 and again.json()["data"]["id"] == asset["id"]


async def test_bad_inputs_have_stable_codes(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    data = pattern(2 * PART + 10)
    asset = await announce(client, len(data))
    aid, uid = asset["id"], asset["upload"]["upload_id"]

    async def code(r: httpx.Response, status: int) -> str:
        assert r.status_code == status, r.text
        value: str = r.json()["error"]["code"]
        return value

    parts_url = f"/api/v1/assets/{aid}/parts"
    unknown = {"upload_id": "upl_" + "0" * 26, "part_number": 1}
    assert await code(await client.post(parts_url, json=unknown), 404) == "upload_not_found"
    theirs = await other.post(parts_url, json={"upload_id": uid, "part_number": 1})
    assert await code(theirs, 404) == "upload_not_found"
    wrong = await client.post(parts_url, json={"upload_id": uid, "part_number": 4})
    assert await code(wrong, 422) == "upload_part_number_invalid"

    url = await part_url(client, aid, uid, 1)
    too_big = await put(anon, url, data[: PART + 1])
    assert await code(too_big, 413) == "asset_file_too_large"
    short = await put(anon, url, data[:100])
    assert await code(short, 422) == "upload_part_size_mismatch"
    forged = await put(anon, url.replace("/parts/1?", "/parts/2?"), data[PART : 2 * PART])
    assert await code(forged, 403) == "signature_invalid"

    parts = await send_all(client, anon, asset, data)
    complete = f"/api/v1/assets/{aid}/complete"
    missing = await client.post(complete, json={"upload_id": uid, "parts": parts[:2]})
    assert await code(missing, 422) == "upload_parts_incomplete"
    stale = [parts[0], {"part_number": 2, "etag": "0" * 32}, parts[2]]
    mismatch = await client.post(complete, json={"upload_id": uid, "parts": stale})
    assert await code(mismatch, 422) == "upload_part_etag_mismatch"
    bad_sha = await client.post(
        complete, json={"upload_id": uid, "parts": parts, "sha256": "ab" * 32}
    )
    assert await code(bad_sha, 422) == "upload_sha256_mismatch"
    assert (await client.get(f"/api/v1/assets/{aid}")).json()["data"]["status"] == "uploading"
    ok = await client.post(
        complete,
        json={"upload_id": uid, "parts": parts, "sha256": hashlib.sha256(data).hexdigest()},
    )
    assert ok.status_code == 202, ok.text


async def test_abort_removes_everything(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    data = pattern(PART + 10)
    asset = await announce(client, len(data))
    await send_all(client, anon, asset, data)
    staged = runtime.settings.data_dir / "uploads"
    assert any(staged.iterdir())
    body = {"upload_id": asset["upload"]["upload_id"]}
    r = await client.post(f"/api/v1/assets/{asset['id']}/abort", json=body)
    assert r.status_code == 200, r.text
    assert not any(staged.iterdir())
    assert (await client.get(f"/api/v1/assets/{asset['id']}")).status_code == 404
    again = await client.post(f"/api/v1/assets/{asset['id']}/abort", json=body)
    assert again.json()["error"]["code"] == "upload_not_found"
