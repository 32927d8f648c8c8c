"""tus 1.0.0 over the real app: creation, offsets, checksums, locking, termination."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator

import httpx

from satchel.runtime import Runtime
from tests.uploads.conftest import pattern

TUS = "/api/v1/uploads/tus"
V = {"Tus-Resumable": "1.0.0"}
OCTETS = {**V, "Content-Type": "application/offset+octet-stream"}


def meta(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


async def create(client: httpx.AsyncClient, length: int, **values: str) -> str:
    headers = {**V, "Upload-Length": str(length)}
    if values:
        headers["Upload-Metadata"] = meta(**values)
    r = await client.post(TUS, headers=headers)
    assert r.status_code == 201, r.text
    assert r.headers["tus-resumable"] == "1.0.0" and "upload-expires" in r.headers
    return r.headers["location"].removeprefix("http://testserver")


async def patch(
    client: httpx.AsyncClient, url: str, offset: int, body: bytes, **headers: str
) -> httpx.Response:
    return await client.patch(
        url, content=body, headers={**OCTETS, "Upload-Offset": str(offset), **headers}
    )


async def test_options_advertise_the_server(anon: httpx.AsyncClient) -> None:
    r = await anon.options(TUS)
    assert r.status_code == 204
    assert r.headers["tus-version"] == "1.0.0"
    assert set(r.headers["tus-extension"].split(",")) >= {
        "creation",
        "creation-with-upload",
        "termination",
        "checksum",
        "expiration",
    }
    assert "sha1" in r.headers["tus-checksum-algorithm"].split(",")
    assert int(r.headers["tus-max-size"]) > 0


async def test_upload_in_chunks_becomes_an_asset(client: httpx.AsyncClient) -> None:
    data = pattern(300_000)
    url = await create(
        client, len(data), filename="notes.txt", filetype="text/plain", tags="a,b", description="d"
    )
    head = await client.head(url, headers=V)
    assert head.headers["upload-offset"] == "0"
    assert head.headers["upload-length"] == str(len(data))
    r = await patch(client, url, 0, data[:100_000])
    assert r.status_code == 204 and r.headers["upload-offset"] == "100000"
    assert "satchel-asset-id" not in r.headers
    sha1 = base64.b64encode(hashlib.sha1(data[100_000:]).digest()).decode()
    r = await patch(client, url, 100_000, data[100_000:], **{"Upload-Checksum": f"sha1 {sha1}"})
    assert r.status_code == 204, r.text
    asset_id = r.headers["satchel-asset-id"]
    got = await client.get(url)
    assert got.headers["satchel-asset-id"] == asset_id
    assert got.json()["data"]["state"] == "done"
    asset = (await client.get(f"/api/v1/assets/{asset_id}")).json()["data"]
    assert (asset["filename"], asset["media_type"], asset["tags"]) == (
        "notes.txt",
        "text/plain",
        ["a", "b"],
    )
    assert asset["description"] == "d"
    assert (await client.get(f"/api/v1/assets/{asset_id}/content")).content == data


async def test_creation_with_upload_and_dedup(client: httpx.AsyncClient) -> None:
    data = pattern(5000, seed=3)
    ids = []
    for _ in range(2):
        headers = {**OCTETS, "Upload-Length": str(len(data)), "Upload-Metadata": meta(name="x.txt")}
        r = await client.post(TUS, headers=headers, content=data)
        assert r.status_code == 201, r.text
        assert r.headers["upload-offset"] == str(len(data))
        ids.append(r.headers["satchel-asset-id"])
    assert ids[0] == ids[1]  # the same bytes again: the existing asset


async def test_wrong_offsets_and_bad_requests(client: httpx.AsyncClient) -> None:
    data = pattern(1000)
    url = await create(client, len(data))
    await patch(client, url, 0, data[:10])
    wrong = await patch(client, url, 0, data[:10])
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "upload_offset_mismatch"
    assert wrong.headers["upload-offset"] == "10"
    ahead = await patch(client, url, 500, data[500:510])
    assert ahead.status_code == 409
    bad_sum = await patch(
        client, url, 10, data[10:20], **{"Upload-Checksum": "sha1 " + "A" * 27 + "="}
    )
    assert (
        bad_sum.status_code == 460 and bad_sum.json()["error"]["code"] == "upload_checksum_mismatch"
    )
    too_long = await patch(client, url, 10, data[10:] + b"more")
    assert (
        too_long.status_code == 413 and too_long.json()["error"]["code"] == "upload_length_exceeded"
    )
    assert (await client.head(url, headers=V)).headers["upload-offset"] == "10"
    no_version = await client.patch(url, content=b"x", headers={"Upload-Offset": "10"})
    assert no_version.status_code == 412 and no_version.headers["tus-version"] == "1.0.0"
    wrong_type = await client.patch(
        url, content=b"x", headers={**V, "Upload-Offset": "10", "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    algo = await patch(client, url, 10, b"x", **{"Upload-Checksum": "crc32 AAAA"})
    assert algo.json()["error"]["code"] == "upload_checksum_algorithm_unsupported"
    missing = await client.post(TUS, headers=V)
    assert missing.status_code == 400
    unknown = await client.head(f"{TUS}/upl_{'0' * 26}", headers=V)
    assert unknown.status_code == 404
    bad_meta = await client.post(
        TUS, headers={**V, "Upload-Length": "5", "Upload-Metadata": "a !!"}
    )
    assert bad_meta.json()["error"]["code"] == "tus_metadata_invalid"
    too_many = meta(tags=",".join(f"t{i}" for i in range(100)))
    bad_tags = await client.post(
        TUS, headers={**V, "Upload-Length": "5", "Upload-Metadata": too_many}
    )
    assert bad_tags.status_code == 422 and bad_tags.json()["error"]["code"] == "validation_error"
    form_body = await client.post(
        TUS, headers={**V, "Upload-Length": "5", "Content-Type": "text/plain"}, content=b"hello"
    )
    assert form_body.status_code == 415
    # The first upload is still open: its reserved asset id lists nowhere yet.
    assert (await client.get("/api/v1/assets")).json()["data"] == []


async def test_someone_elses_upload_is_missing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    url = await create(client, 10)
    assert (await other.head(url, headers=V)).status_code == 404
    assert (await patch(other, url, 0, b"0123456789")).status_code == 404


async def test_concurrent_patch_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    data = pattern(200_000)
    url = await create(client, len(data))
    started, go_on = asyncio.Event(), asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield data[:1000]
        started.set()
        await go_on.wait()
        yield data[1000:]

    first = asyncio.create_task(
        client.patch(url, content=slow_body(), headers={**OCTETS, "Upload-Offset": "0"})
    )
    await asyncio.wait_for(started.wait(), 30)
    second = await patch(client, url, 0, data)
    assert second.status_code == 423, second.text
    assert second.json()["error"]["code"] == "upload_locked"
    terminate = await client.delete(url, headers=V)
    assert terminate.status_code == 423
    go_on.set()
    done = await first
    assert done.status_code == 204 and "satchel-asset-id" in done.headers


async def test_termination_removes_everything(client: httpx.AsyncClient, runtime: Runtime) -> None:
    data = pattern(5000)
    url = await create(client, len(data), filename="t.txt")
    await patch(client, url, 0, data[:100])
    upload_id = url.rsplit("/", 1)[1]
    assert (runtime.settings.data_dir / "uploads" / upload_id).exists()
    r = await client.delete(url, headers=V)
    assert r.status_code == 204
    assert not (runtime.settings.data_dir / "uploads" / upload_id).exists()
    assert (await client.head(url, headers=V)).status_code == 404
    listed = (await client.get("/api/v1/assets")).json()["data"]
    assert listed == []


async def test_refused_content_ends_the_upload(client: httpx.AsyncClient) -> None:
    data = b"\x00\x01\x02garbage" * 100
    url = await create(client, len(data), filename="x.bin", filetype="application/octet-stream")
    r = await patch(client, url, 0, data)
    assert r.status_code == 422, r.text
    assert r.headers["tus-resumable"] == "1.0.0"
    assert (await client.head(url, headers=V)).status_code == 404
    assert (await client.get("/api/v1/assets")).json()["data"] == []
