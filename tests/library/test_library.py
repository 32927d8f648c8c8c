"""The file library (versions over assets), workspace uploads and previews."""

from __future__ import annotations

import io
from typing import Any

import httpx

from tests.conftest import make_png
from tests.tools.helpers import PHOTO, call_tool, corpus, image

HEIC = corpus("images/exif-samples/heic/IMG_5195.HEIC")


async def _files_upload(
    client: httpx.AsyncClient, *items: tuple[str, bytes]
) -> list[dict[str, Any]]:
    response = await client.post(
        "/api/v1/files/upload", files=[("files", (n, io.BytesIO(d))) for n, d in items]
    )
    assert response.status_code == 201, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_library_versions_list_download_and_delete(client: httpx.AsyncClient) -> None:
    first, other = await _files_upload(
        client, ("photo.png", make_png(40, 20, seed=1)), ("other.png", make_png(8, 8, seed=2))
    )
    # A tool result saved as the next version of the file.
    body = await call_tool(client, "resize", ("photo.png", make_png(40, 20, seed=1)), {"width": 10})
    saved = await client.post(
        "/api/v1/files/save-result", json={"jobId": body["data"]["job_id"], "fileId": first["id"]}
    )
    assert saved.status_code == 201, saved.text
    second = saved.json()["data"]
    assert (second["version"], second["parent_id"], second["root_id"]) == (
        2,
        first["id"],
        first["id"],
    )

    listed = (await client.get("/api/v1/files")).json()["data"]
    assert {f["id"] for f in listed} == {second["id"], other["id"]}  # latest of each chain
    found = (await client.get("/api/v1/files", params={"q": "othe"})).json()["data"]
    assert [f["id"] for f in found] == [other["id"]]

    one = (await client.get(f"/api/v1/files/{first['id']}")).json()["data"]
    assert [v["id"] for v in one["versions"]] == [first["id"], second["id"]]
    versions = (await client.get(f"/api/v1/assets/{second['id']}/versions")).json()["data"]
    assert [v["version"] for v in versions] == [1, 2]

    download = await client.get(f"/api/v1/files/{second['id']}/download")
    assert download.status_code == 200 and image(download.content).width == 10

    deleted = await client.request("DELETE", "/api/v1/files", json={"ids": [second["id"]]})
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"]["deleted"] == 2  # the whole chain
    assert (await client.get(f"/api/v1/files/{first['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/files/{other['id']}")).status_code == 200


async def test_library_is_private(client: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    [mine] = await _files_upload(client, ("a.png", make_png(4, 4)))
    assert (await other.get(f"/api/v1/files/{mine['id']}")).status_code == 404
    assert (await other.get("/api/v1/files")).json()["data"] == []
    gone = await other.request("DELETE", "/api/v1/files", json={"ids": [mine["id"]]})
    assert gone.json()["data"]["deleted"] == 0
    assert (await client.get(f"/api/v1/files/{mine['id']}")).status_code == 200


async def test_upload_refuses_bad_files_and_stores_none(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/files/upload",
        files=[("files", ("ok.png", make_png(4, 4))), ("files", ("bad.png", make_png(4, 4)[:30]))],
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "asset_file_corrupt"
    assert (await client.get("/api/v1/files")).json()["data"] == []


async def test_thumbnail_is_a_300px_jpeg(client: httpx.AsyncClient) -> None:
    [photo] = await _files_upload(client, ("photo.jpg", PHOTO.read_bytes()))
    thumb = await client.get(f"/api/v1/files/{photo['id']}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    shown = image(thumb.content)
    assert max(shown.width, shown.height) == 300


async def test_workspace_upload_and_heic_preview(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/upload", files=[("files", ("a.png", make_png(6, 6)))])
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    fetched = await client.get(data["files"][0]["download_url"])
    assert fetched.content == make_png(6, 6)

    preview = await client.post("/api/v1/preview", files={"file": (HEIC.name, HEIC.read_bytes())})
    assert preview.status_code == 200, preview.text
    assert preview.headers["content-type"] == "image/webp"
    shown = image(preview.content)
    assert shown.width > 0 and preview.content[8:12] == b"WEBP"
    text = await client.post("/api/v1/preview", files={"file": ("a.txt", b"hello")})
    assert text.status_code == 422
