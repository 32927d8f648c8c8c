"""Uploads by form, inline JSON and signed PUT; dedup; limits; refusals leave nothing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path

import httpx
import pytest
import pyvips

from satchel.runtime import Runtime
from tests.conftest import make_png, upload


def stored_files(runtime: Runtime) -> list[Path]:
    return [p for p in (runtime.settings.data_dir / "blobs").rglob("*") if p.is_file()]


def temp_files(runtime: Runtime) -> list[Path]:
    return list((runtime.settings.data_dir / "tmp").iterdir())


async def test_form_upload_round_trip(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    png = make_png(3, 2)
    body = await upload(
        client,
        png,
        filename="dot.png",
        description="A dot",
        alt_text="tiny",
        tags=["a", "b"],
        attributes={"k": 1},
        is_public="true",
    )
    asset = body["data"]
    assert body["meta"]["deduplicated"] is False
    assert asset["id"].startswith("ast_")
    assert (asset["media_type"], asset["kind"], asset["size"]) == ("image/png", "image", len(png))
    assert (asset["width"], asset["height"]) == (3, 2)
    assert asset["sha256"] == hashlib.sha256(png).hexdigest()
    assert asset["tags"] == ["a", "b"] and asset["attributes"] == {"k": 1}
    assert asset["description"] == "A dot" and asset["alt_text"] == "tiny"
    assert asset["is_public"] is True and asset["status"] == "pending"
    assert body["meta"]["job_id"].startswith("job_")
    # The owner reads the original itself; anyone else is sent to the stable public URL,
    # which serves the image with its metadata stripped (README: Sharing).
    own = await client.get(f"/api/v1/assets/{asset['id']}/content")
    assert own.status_code == 200 and own.content == png
    moved = await anon.get(f"/api/v1/assets/{asset['id']}/content")
    assert moved.status_code == 307 and moved.headers["location"].split("?")[0].endswith(
        f"/p/{asset['id']}/dot.png"
    )
    got = await anon.get(moved.headers["location"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    shown = pyvips.Image.new_from_buffer(got.content, "")
    assert (shown.width, shown.height) == (3, 2)


async def test_inline_base64_upload(client: httpx.AsyncClient) -> None:
    payload = {
        "file_name": "note.txt",
        "media_type": "text/plain",
        "content_base64": base64.b64encode(b"INLINE_ASSET_OK").decode(),
    }
    response = await client.post("/api/v1/assets", json=payload)
    assert response.status_code == 202, response.text
    asset = response.json()["data"]
    assert (asset["filename"], asset["media_type"], asset["kind"]) == (
        "note.txt",
        "text/plain",
        "text",
    )
    raw = await client.get(f"/api/v1/assets/{asset['id']}/raw")
    assert raw.content == b"INLINE_ASSET_OK"


async def test_inline_bad_base64_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    payload = {"file_name": "x.txt", "content_base64": "not base64!!"}
    response = await client.post("/api/v1/assets", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "content_base64"
    assert stored_files(runtime) == []


async def test_single_put_flow(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    png = make_png(5, 4, seed=9)
    announced = await client.post(
        "/api/v1/assets", json={"filename": "p.png", "content_type": "image/png", "size": len(png)}
    )
    assert announced.status_code == 201, announced.text
    pending = announced.json()["data"]
    assert pending["status"] == "uploading"
    put_url = pending["upload"]["url"]
    # Not completed yet: no content, completion refused.
    early = await client.post(f"/api/v1/assets/{pending['id']}/complete")
    assert early.status_code == 409 and early.json()["error"]["code"] == "asset_not_uploaded"
    # The PUT needs no key, only the signature.
    tampered = put_url.replace("sig=", "sig=x")
    assert (await anon.put(tampered, content=png)).status_code == 403
    assert (await anon.put(put_url, content=png)).status_code == 204
    done = await client.post(f"/api/v1/assets/{pending['id']}/complete")
    assert done.status_code == 202, done.text
    asset = done.json()["data"]
    assert (asset["status"], asset["media_type"], asset["width"]) == ("pending", "image/png", 5)
    assert (await client.get(f"/api/v1/assets/{asset['id']}/raw")).content == png
    again = await client.post(f"/api/v1/assets/{pending['id']}/complete")
    assert again.status_code == 200  # completing twice is harmless


async def test_single_put_wrong_size_and_bad_content(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    announced = await client.post(
        "/api/v1/assets", json={"filename": "a.png", "content_type": "image/png", "size": 10}
    )
    url = announced.json()["data"]["upload"]["url"]
    short = await anon.put(url, content=b"12345")
    assert short.status_code == 422 and short.json()["error"]["code"] == "asset_size_mismatch"
    long = await anon.put(url, content=b"x" * 11)
    assert long.status_code == 413
    # Ten bytes that are not a PNG: completion refuses and removes the asset.
    assert (await anon.put(url, content=b"0123456789")).status_code == 204
    asset_id = announced.json()["data"]["id"]
    done = await client.post(f"/api/v1/assets/{asset_id}/complete")
    assert done.status_code == 422
    assert done.json()["error"]["code"] == "asset_content_type_not_allowed"
    assert (await client.get(f"/api/v1/assets/{asset_id}")).status_code == 404
    assert stored_files(runtime) == [] and temp_files(runtime) == []


async def test_dedup_same_owner_and_opt_out(client: httpx.AsyncClient, runtime: Runtime) -> None:
    png = make_png(seed=1)
    first = await upload(client, png, filename="a.png")
    second = await upload(client, png, filename="b.png", expect=200)
    assert second["data"]["id"] == first["data"]["id"]
    assert second["meta"]["deduplicated"] is True
    # The duplicate answers the stored asset's processing job: waiting for it works.
    assert second["meta"]["job_id"] == first["meta"]["job_id"] is not None
    job = await client.get(f"/api/v1/jobs/{second['meta']['job_id']}")
    assert job.status_code == 200 and job.json()["data"]["subject_id"] == first["data"]["id"]
    third = await upload(client, png, filename="c.png", dedupe="false")
    assert third["data"]["id"] != first["data"]["id"]
    assert len(stored_files(runtime)) == 1  # one blob for all of them
    # Deleting one keeps the bytes the other still needs.
    assert (
        await client.delete(f"/api/v1/assets/{first['data']['id']}?permanent=true")
    ).status_code == 200
    assert (await client.get(f"/api/v1/assets/{third['data']['id']}/raw")).content == png
    assert (
        await client.delete(f"/api/v1/assets/{third['data']['id']}?permanent=true")
    ).status_code == 200
    assert stored_files(runtime) == []


async def test_other_owner_gets_own_copy(
    client: httpx.AsyncClient, other: httpx.AsyncClient, runtime: Runtime
) -> None:
    png = make_png(seed=2)
    mine = await upload(client, png)
    theirs = await upload(other, png)
    assert mine["data"]["id"] != theirs["data"]["id"]
    assert len(stored_files(runtime)) == 1


async def test_concurrent_uploads_of_same_file(client: httpx.AsyncClient, runtime: Runtime) -> None:
    png = make_png(64, 64, seed=3)
    responses = await asyncio.gather(
        *(client.post("/api/v1/assets", files={"file": ("same.png", png)}) for _ in range(12))
    )
    assert all(r.status_code in (200, 202) for r in responses), [r.text for r in responses]
    assert len({r.json()["data"]["id"] for r in responses}) == 1
    assert sum(r.status_code == 202 for r in responses) == 1
    assert len(stored_files(runtime)) == 1 and temp_files(runtime) == []


async def test_concurrent_upload_and_delete_never_lose_bytes(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    png = make_png(8, 8, seed=4)

    async def cycle() -> None:
        body = await upload(client, png, dedupe="false")
        await client.delete(f"/api/v1/assets/{body['data']['id']}?permanent=true")

    keeper = await upload(client, png, dedupe="false")
    await asyncio.gather(*(cycle() for _ in range(10)))
    assert (await client.get(f"/api/v1/assets/{keeper['data']['id']}/raw")).content == png


async def test_oversize_declared_length_is_cut_off(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.max_upload_bytes = 1500
    response = await client.post("/api/v1/assets", files={"file": ("big.bin", b"x" * 5000)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "asset_file_too_large"
    assert "1.5 KiB (1,500 bytes)" in response.json()["error"]["message"]
    assert temp_files(runtime) == [] and stored_files(runtime) == []


async def test_oversize_stream_without_length_is_cut_off_early(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.max_upload_bytes = 3 << 20
    sent = 0

    async def body() -> object:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'
        for _ in range(64):  # would be 64 MiB
            sent += 1 << 20
            yield b"\0" * (1 << 20)
        yield b"\r\n--b--\r\n"

    response = await client.post(
        "/api/v1/assets",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    assert sent < 16 << 20  # stopped reading long before the end
    assert temp_files(runtime) == [] and stored_files(runtime) == []


@pytest.mark.parametrize(
    ("files", "data", "status", "code"),
    [
        ({}, {"description": "no file"}, 422, "asset_file_required"),
        ({"file": ("e.png", b"")}, {}, 422, "asset_file_empty"),
        (
            {"file": ("d.png", make_png())},
            {"description": "x" * 1001},
            422,
            "asset_description_too_long",
        ),
        ({"file": ("d.png", make_png())}, {"alt_text": "x" * 1001}, 422, "asset_alt_text_too_long"),
        ({"file": ("d.png", make_png())}, {"attributes": "{not json"}, 422, "validation_error"),
        ({"file": ("d.png", make_png(), "image/jpeg")}, {}, 422, "asset_content_type_not_allowed"),
        (
            {"file": ("x.exe", b"MZ\x90\x00" + b"\0" * 200)},
            {},
            422,
            "asset_content_type_not_allowed",
        ),
    ],
)
async def test_bad_uploads_get_clear_codes(
    client: httpx.AsyncClient,
    runtime: Runtime,
    files: dict[str, object],
    data: dict[str, str],
    status: int,
    code: str,
) -> None:
    if not files:
        response = await client.post("/api/v1/assets", files={"other": ("a", b"1")}, data=data)
    else:
        response = await client.post("/api/v1/assets", files=files, data=data)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert stored_files(runtime) == [] and temp_files(runtime) == []
    listed = await client.get("/api/v1/assets")
    assert listed.json()["data"] == []


async def test_upload_needs_write_scope(client_for: object) -> None:
    async with client_for(["read"], "reader") as reader:  # type: ignore[operator]
        response = await reader.post("/api/v1/assets", files={"file": ("a.png", make_png())})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("  .png", "upload.png"), ("...", "upload.png"), (" holiday.png. ", "holiday.png")],
)
async def test_a_bare_extension_or_dots_keep_an_extension(
    client: httpx.AsyncClient, sent: str, stored: str
) -> None:
    """Friction 10: `"  .png"` was stored as `png` and `"..."` as `upload`."""
    body = await upload(client, make_png(2, 2, seed=len(sent)), filename=sent)
    assert body["data"]["filename"] == stored
