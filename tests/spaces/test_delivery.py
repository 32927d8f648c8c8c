"""Delivery options of spaces and public assets (strip_metadata, allow_download, expires_at)
and share links bound to the space's generation, through the real app, with a real
EXIF+GPS photo read back by an independent reader (Pillow)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PIL import Image

from satchel.runtime import Runtime
from satchel.spaces import links
from satchel.spaces.models import Space
from tests.conftest import upload
from tests.corpus import CORPUS
from tests.jobs.helpers import wait_for_asset
from tests.web.helpers import make_space, read

PHOTO = CORPUS / "images" / "exif-samples" / "jpg" / "gps" / "DSCN0010.jpg"
GPS_IFD, MAKE, MODEL = 0x8825, 0x010F, 0x0110


def _exif(data: bytes) -> tuple[dict[int, Any], dict[int, Any], tuple[int, int]]:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    return dict(exif), dict(exif.get_ifd(GPS_IFD)), image.size


def assert_private(data: bytes) -> None:
    tags, gps, size = _exif(data)
    assert gps == {} and GPS_IFD not in tags
    assert MAKE not in tags and MODEL not in tags
    assert size == (640, 480)


def assert_untouched(data: bytes) -> None:
    assert data == PHOTO.read_bytes()
    tags, gps, _ = _exif(data)
    assert gps and tags[MAKE].startswith("NIKON") and tags[MODEL].startswith("COOLPIX")


async def _photo(client: httpx.AsyncClient, **fields: Any) -> str:
    asset_id: str = (await upload(client, PHOTO, **fields))["data"]["id"]
    assert (await wait_for_asset(client, asset_id))["status"] == "ready"
    return asset_id


async def _manifest(anon: httpx.AsyncClient, short_id: str) -> dict[str, Any]:
    response = await anon.get(f"/api/v1/public/spaces/{short_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_visitors_get_photos_without_location_and_camera(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, other: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    space = await make_space(client, asset_ids=(photo,))
    assert space["strip_metadata"] is True and space["allow_download"] is True
    [item] = (await _manifest(anon, space["short_id"]))["assets"]
    assert item["url"].startswith(f"http://testserver/s/{space['short_id']}/a/{photo}/original?")
    for visitor in (anon, other):  # signed in or not, a visitor is a visitor
        got = await visitor.get(item["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert_private(got.content)
    again = await anon.get(item["url"])  # the cached copy
    assert again.content == got.content
    # The owner's own download is the untouched original.
    mine = await client.get(f"/api/v1/assets/{photo}/content")
    assert mine.status_code == 200
    assert_untouched(mine.content)
    # The share page links the same stripped original.
    page = read((await anon.get(f"/s/{space['short_id']}")).text)
    [original] = [a["href"] for a in page.links if "/original?" in (a["href"] or "")][:1]
    assert_private((await anon.get(original or "")).content)

    # Turned off, visitors get the photo as stored.
    off = await client.patch(f"/api/v1/spaces/{space['id']}", json={"strip_metadata": False})
    assert off.status_code == 200 and off.json()["data"]["strip_metadata"] is False
    [item] = (await _manifest(anon, space["short_id"]))["assets"]
    assert_untouched((await anon.get(item["url"])).content)


async def test_public_asset_url_strips_but_the_owner_gets_the_original(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    made = await client.patch(f"/api/v1/assets/{photo}", json={"is_public": True})
    assert made.status_code == 200, made.text
    moved = await anon.get(f"/api/v1/assets/{photo}/content")
    assert moved.status_code == 307 and "/p/" in moved.headers["location"]
    public = await anon.get(moved.headers["location"])
    assert public.status_code == 200
    assert_private(public.content)
    mine = await client.get(f"/api/v1/assets/{photo}/content")
    assert mine.status_code == 200
    assert_untouched(mine.content)


async def test_previews_only_and_expiry(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime, workers: Runtime
) -> None:
    photo = await _photo(client)
    space = await make_space(client, asset_ids=(photo,))
    short = space["short_id"]
    [before] = (await _manifest(anon, short))["assets"]
    closed = await client.patch(f"/api/v1/spaces/{space['id']}", json={"allow_download": False})
    assert closed.status_code == 200 and closed.json()["data"]["allow_download"] is False
    manifest = await _manifest(anon, short)
    [item] = manifest["assets"]
    assert manifest["allow_download"] is False and item["url"] is None
    preview = await anon.get(item["preview_url"])
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("image/")
    tags, gps, _ = _exif(preview.content)
    assert gps == {} and MAKE not in tags
    # The link handed out before the change is revoked; a freshly signed one is refused.
    assert (await anon.get(before["url"])).status_code == 410
    with runtime.db.session() as session:
        row = session.get(Space, space["id"])
        assert row is not None
        fresh = links.share_url(runtime, "http://testserver", row, photo, links.ORIGINAL)
    refused = await anon.get(fresh)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "download_not_allowed"
    page = await anon.get(f"/s/{short}")
    assert page.status_code == 200 and "/original?" not in page.text
    assert item["preview_url"] in page.text.replace("&amp;", "&")

    # An expiry in the past ends the share for everyone, the same 404 as a private space.
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    ended = await client.patch(f"/api/v1/spaces/{space['id']}", json={"expires_at": past})
    assert ended.status_code == 200 and ended.json()["data"]["expires_at"] is not None
    profile = {"handle": "coastline", "is_public": True}
    assert (await client.patch("/api/v1/account/profile", json=profile)).status_code == 200
    listed = (await anon.get("/api/v1/public/profiles/coastline")).json()["data"]["spaces"]
    assert listed == []  # nor listed on the owner's profile
    gone = await anon.get(f"/api/v1/public/spaces/{short}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "space_not_found"
    assert (await anon.get(f"/s/{short}")).status_code == 404
    assert (await anon.get(item["preview_url"])).status_code == 404
    # A future expiry bounds the links' own expiry.
    soon = datetime.now(UTC) + timedelta(minutes=5)
    reopened = await client.patch(
        f"/api/v1/spaces/{space['id']}", json={"expires_at": soon.isoformat()}
    )
    assert reopened.status_code == 200
    [item] = (await _manifest(anon, short))["assets"]
    expires = int(item["preview_url"].split("expires=")[1].split("&")[0])
    assert expires <= int(soon.timestamp())
    assert (await anon.get(item["preview_url"])).status_code == 200


async def test_share_links_stop_when_the_space_changes(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    space = await make_space(client, asset_ids=(photo,))
    short, url = space["short_id"], f"/api/v1/spaces/{space['id']}"

    async def fresh() -> str:
        [item] = (await _manifest(anon, short))["assets"]
        link: str = item["preview_url"]
        assert (await anon.get(link)).status_code == 200
        return link

    # Private: every link answers 404 at once; made public again, the old links stay dead.
    link = await fresh()
    assert (await client.patch(url, json={"visibility": "private"})).status_code == 200
    assert (await anon.get(link)).status_code == 404
    assert (await client.patch(url, json={"visibility": "public"})).status_code == 200
    revoked = await anon.get(link)
    assert revoked.status_code == 410 and revoked.json()["error"]["code"] == "link_revoked"
    # A password (protected) revokes too.
    link = await fresh()
    changed = await client.patch(url, json={"visibility": "protected", "password": "password one"})
    assert changed.status_code == 200, changed.text
    assert (await anon.get(link)).status_code == 410
    opened = await anon.post(
        f"/api/v1/public/spaces/{short}/access", json={"password": "password one"}
    )
    link = opened.json()["data"]["assets"][0]["preview_url"]
    assert (await anon.get(link)).status_code == 200
    assert (await client.patch(url, json={"password": "password two"})).status_code == 200
    assert (await anon.get(link)).status_code == 410
    # Unpublishing the asset ends its links; a tampered or unsigned link is refused.
    assert (await client.patch(url, json={"visibility": "public"})).status_code == 200
    link = await fresh()
    assert (await anon.get(link.replace("sig=", "sig=x"))).status_code == 403
    assert (await anon.get(link.split("&sig=")[0])).status_code == 403
    assert (await anon.get(link.replace("/preview?", "/text?"))).status_code == 404
    assert (await client.delete(f"{url}/publications/{photo}")).status_code == 200
    assert (await anon.get(link)).status_code in (404, 410)
