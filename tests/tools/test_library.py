"""The file library (versions over assets), workspace uploads, previews and renditions."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
from sqlalchemy import select

from satchel.assets.models import Derivative
from satchel.renditions.service import wait_for_cache
from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset
from tests.tools.helpers import PHOTO, call_tool, corpus, image, ssim

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


async def test_render_is_cached_signed_and_hidden_from_the_view(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    asset = (await upload(client, PHOTO))["data"]
    asset = await wait_for_asset(client, asset["id"])
    url = f"/api/v1/assets/{asset['id']}/render"
    params = {"w": 300, "h": 200, "fit": "inside", "format": "jpg"}
    first = await client.get(url, params=params)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "image/jpeg"
    shown = image(first.content)
    assert (shown.width, shown.height) == (300, 129)
    wait_for_cache()  # renditions are cached after the answer
    with workers.db.session() as session:
        cached = session.scalars(select(Derivative).where(Derivative.asset_id == asset["id"])).all()
    assert [d.kind[:2] for d in cached if d.kind.startswith("r:")] == ["r:"]
    again = await client.get(url, params=params)
    assert again.content == first.content  # the same parameters give the same cached bytes
    assert again.headers["etag"].strip('"') in {d.sha256 for d in cached}  # from the cache
    # Made from the preview, yet close to a render of the original itself.
    direct = await call_tool(
        client, "resize", PHOTO, {"width": 300, "height": 200, "fit": "inside"}
    )
    original = (await client.get(direct["data"]["download_url"])).content
    assert ssim(original, first.content) > 0.9

    view = (await client.get(f"/api/v1/assets/{asset['id']}")).json()["data"]
    assert not [d for d in view["derivatives"] if d["kind"].startswith("r:")]

    assert (await anon.get(url, params=params)).status_code == 401
    signed = (await client.get(f"{url}-url", params=params)).json()["data"]["url"]
    assert (await anon.get(signed)).content == first.content
    tampered = signed.replace("w=300", "w=301")
    assert (await anon.get(tampered)).status_code == 403

    cover = await client.get(url, params={"w": 64, "h": 64, "fit": "cover", "format": "webp"})
    assert image(cover.content).width == 64 and image(cover.content).height == 64
    bad = await client.get(url, params={"fit": "inside"})
    assert bad.status_code == 422
    bad = await client.get(url, params={"w": 0})
    assert bad.status_code == 422


async def test_public_assets_render_without_a_key(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    asset = (await upload(client, make_png(50, 40), filename="p.png", is_public="true"))["data"]
    response = await anon.get(f"/api/v1/assets/{asset['id']}/render", params={"w": 10})
    assert response.status_code == 200, response.text
    assert image(response.content).width == 10
    assert response.headers["content-type"] == "image/png"  # the original's format
    text = (await upload(client, b"plain words\n", filename="a.txt"))["data"]
    response = await client.get(f"/api/v1/assets/{text['id']}/render", params={"w": 10})
    assert response.status_code == 422
    await asyncio.sleep(0)
