"""Renditions of stored images: cached, signed, hidden from the asset view, public."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from satchel.assets.models import Derivative
from satchel.renditions.service import wait_for_cache
from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset
from tests.tools.helpers import PHOTO, call_tool, corpus, image, ssim

HEIC = corpus("images/exif-samples/heic/IMG_5195.HEIC")


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
    asset = (await upload(client, make_png(400, 300), filename="p.png", is_public="true"))["data"]
    response = await anon.get(f"/api/v1/assets/{asset['id']}/render", params={"w": 320})
    assert response.status_code == 200, response.text  # a preset: no key needed
    assert image(response.content).width == 320
    assert response.headers["content-type"] == "image/png"  # the original's format
    text = (await upload(client, b"plain words\n", filename="a.txt"))["data"]
    response = await client.get(f"/api/v1/assets/{text['id']}/render", params={"w": 10})
    assert response.status_code == 422
    await asyncio.sleep(0)
