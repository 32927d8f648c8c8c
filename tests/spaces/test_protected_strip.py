"""A password-protected space strips location and camera data from the originals it
serves, as a public one does (issue 14, privacy): visitors who know the password get the
photo without GPS, Make and Model; the owner still gets the untouched original."""

from __future__ import annotations

import httpx

from satchel.runtime import Runtime
from tests.conftest import upload
from tests.jobs.helpers import wait_for_asset
from tests.spaces.test_delivery import PHOTO, assert_private, assert_untouched
from tests.web.helpers import make_space, read

PASSWORD = "harbour lights"


async def photo_asset(client: httpx.AsyncClient) -> str:
    """The corpus photo with GPS and a NIKON Make/Model, stored and processed."""
    asset_id: str = (await upload(client, PHOTO))["data"]["id"]
    assert (await wait_for_asset(client, asset_id))["status"] == "ready"
    return asset_id


async def unlocked_original(anon: httpx.AsyncClient, short: str) -> str:
    opened = await anon.post(f"/api/v1/public/spaces/{short}/access", json={"password": PASSWORD})
    assert opened.status_code == 200, opened.text
    [item] = opened.json()["data"]["assets"]
    url: str = item["url"]
    return url


async def test_protected_space_visitors_get_photos_without_location_and_camera(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await photo_asset(client)
    space = await make_space(client, visibility="protected", password=PASSWORD, asset_ids=(photo,))
    short = space["short_id"]
    assert space["visibility"] == "protected" and space["has_password"] is True
    assert space["strip_metadata"] is True  # on by default, as for a public space

    # Before the password, nothing; with it, the manifest and its signed original.
    gated = await anon.get(f"/api/v1/public/spaces/{short}")
    assert gated.json()["data"] == {"requires_password": True}
    opened = await anon.post(f"/api/v1/public/spaces/{short}/access", json={"password": PASSWORD})
    assert opened.status_code == 200, opened.text
    manifest = opened.json()["data"]
    assert manifest["visibility"] == "protected" and manifest["strip_metadata"] is True
    [item] = manifest["assets"]
    assert item["url"].startswith(f"http://testserver/s/{short}/a/{photo}/original?")
    got = await anon.get(item["url"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert_private(got.content)  # no GPS IFD, no Make, no Model; still 640×480
    again = await anon.get(item["url"])  # the cached stripped copy
    assert again.status_code == 200 and again.content == got.content

    # The share page, unlocked with the password, links the same stripped original.
    page = await anon.post(f"/s/{short}", data={"password": PASSWORD})
    assert page.status_code == 200, page.text
    originals = [a["href"] for a in read(page.text).links if "/original?" in (a["href"] or "")]
    assert originals
    from_page = await anon.get(originals[0] or "")
    assert from_page.status_code == 200
    assert_private(from_page.content)

    # The owner's own download is byte for byte what was uploaded, EXIF and all.
    mine = await client.get(f"/api/v1/assets/{photo}/content")
    assert mine.status_code == 200
    assert_untouched(mine.content)

    # Turned off by the owner, visitors with the password get the photo as stored: the
    # stripping above is the space's option at work, not something the upload lost.
    off = await client.patch(f"/api/v1/spaces/{space['id']}", json={"strip_metadata": False})
    assert off.status_code == 200 and off.json()["data"]["strip_metadata"] is False
    as_stored = await anon.get(await unlocked_original(anon, short))
    assert as_stored.status_code == 200
    assert_untouched(as_stored.content)
