"""A public asset's delivery options (`public_strip_metadata`, `public_allow_download`,
`public_expires_at`), as a space has them, through the real app, with a real EXIF+GPS
photo read back by Pillow: visitors get what the owner chose, the owner always the
untouched original."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from satchel.runtime import Runtime
from tests.spaces.test_delivery import MAKE, _exif, _photo, assert_private, assert_untouched

PREVIEW = {"w": 320}  # one of the default presets: anyone may ask for it


async def _share(client: httpx.AsyncClient, asset_id: str, **options: Any) -> dict[str, Any]:
    made = await client.patch(f"/api/v1/assets/{asset_id}", json={"is_public": True, **options})
    assert made.status_code == 200, made.text
    data: dict[str, Any] = made.json()["data"]
    return data


async def test_by_default_visitors_get_it_stripped_at_its_public_url(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    private = (await client.get(f"/api/v1/assets/{photo}")).json()["data"]
    assert private["public_url"] is None
    shared = await _share(client, photo)
    assert shared["public_strip_metadata"] is True and shared["public_allow_download"] is True
    assert shared["public_expires_at"] is None
    assert shared["public_url"] == f"http://testserver/p/{photo}/DSCN0010.jpg"
    visitor = await anon.get(shared["public_url"])
    assert visitor.status_code == 200
    assert_private(visitor.content)
    redirected = await anon.get(f"/api/v1/assets/{photo}/content")
    assert redirected.status_code == 307
    assert redirected.headers["location"] == shared["public_url"]
    assert_untouched((await client.get(f"/api/v1/assets/{photo}/content")).content)


async def test_the_owner_may_serve_it_with_its_metadata(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    shared = await _share(client, photo, public_strip_metadata=False)
    assert shared["public_strip_metadata"] is False
    assert_untouched((await anon.get(shared["public_url"])).content)
    again = await _share(client, photo, public_strip_metadata=True)
    assert_private((await anon.get(again["public_url"])).content)


async def test_previews_only_refuses_the_original_but_serves_presets(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    shared = await _share(client, photo, public_allow_download=False)
    assert shared["public_allow_download"] is False
    refused = await anon.get(shared["public_url"])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "download_not_allowed"
    preview = await anon.get(f"/api/v1/assets/{photo}/render", params=PREVIEW)
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("image/")
    tags, gps, size = _exif(preview.content)
    assert size == (320, 240) and gps == {} and MAKE not in tags
    assert_untouched((await client.get(f"/api/v1/assets/{photo}/content")).content)


async def test_after_its_end_visitors_get_nothing_and_the_owner_everything(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    soon = datetime.now(UTC) + timedelta(hours=2)
    shared = await _share(client, photo, public_expires_at=soon.isoformat())
    assert abs(datetime.fromisoformat(shared["public_expires_at"]) - soon) < timedelta(seconds=1)
    url = shared["public_url"]
    assert (await anon.get(url)).status_code == 200
    preview = await anon.get(f"/api/v1/assets/{photo}/render", params=PREVIEW)
    assert preview.status_code == 200
    # A shared cache may keep the preview only until the sharing ends.
    match = re.fullmatch(r"public, max-age=(\d+)", preview.headers["cache-control"])
    assert match and 7000 <= int(match[1]) <= 7200

    # A moment without a zone is UTC; one in the past ends the sharing now.
    past = (datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)
    ended = await _share(client, photo, public_expires_at=past.isoformat())
    assert ended["is_public"] is True and ended["public_url"] is None
    assert datetime.fromisoformat(ended["public_expires_at"]).utcoffset() == timedelta(0)
    gone = await anon.get(url)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "asset_not_found"
    assert (await anon.get(f"/api/v1/assets/{photo}/render", params=PREVIEW)).status_code in (
        401,
        404,
    )
    assert (await anon.get(f"/api/v1/assets/{photo}/content")).status_code in (401, 404)
    assert_untouched((await client.get(f"/api/v1/assets/{photo}/content")).content)

    # Clearing the end shares it again, at the same URL.
    again = await _share(client, photo, public_expires_at=None)
    assert again["public_expires_at"] is None and again["public_url"] == url
    assert_private((await anon.get(url)).content)


async def test_bad_options_are_refused_and_change_nothing(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, workers: Runtime
) -> None:
    photo = await _photo(client)
    shared = await _share(client, photo)
    for body in (
        {"public_allow_download": "sometimes"},
        {"public_expires_at": "next tuesday"},
        {"public_strip_metadata": None, "public_nonsense": True},
    ):
        refused = await client.patch(f"/api/v1/assets/{photo}", json=body)
        assert refused.status_code == 422, body
        assert refused.json()["error"]["code"] == "validation_error"
    after = (await client.get(f"/api/v1/assets/{photo}")).json()["data"]
    assert {k: after[k] for k in shared if k.startswith("public")} == {
        k: shared[k] for k in shared if k.startswith("public")
    }
    assert_private((await anon.get(shared["public_url"])).content)
