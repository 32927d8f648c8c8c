"""Renditions cannot be turned against the server: no huge outputs on request, safe
headers whatever the file is called, and a valid signature serves whoever asks."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import make_png, upload
from tests.tools.helpers import image


async def test_outside_fit_of_a_strip_is_refused_before_decoding(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    strip = (await upload(client, make_png(4000, 10), filename="s.png", is_public="true"))["data"]
    url = f"/api/v1/assets/{strip['id']}/render"
    bomb = await client.get(url, params={"w": 600, "h": 600, "fit": "outside"})
    assert bomb.status_code == 422, bomb.text
    assert bomb.json()["error"]["code"] == "render_too_large"
    refused = await anon.get(url, params={"w": 600, "h": 600, "fit": "outside"})
    assert refused.json()["error"]["code"] == "render_preset_required"  # and not made
    fine = await client.get(url, params={"w": 400, "h": 400, "fit": "inside"})
    assert fine.status_code == 200
    assert (image(fine.content).width, image(fine.content).height) == (400, 1)


@pytest.mark.parametrize(
    "filename", ['фото "x"; filename=evil.exe.png', "naïve\u2028name.png", "日本語.png"]
)
async def test_rendition_disposition_is_built_safely(
    client: httpx.AsyncClient, filename: str
) -> None:
    asset = (await upload(client, make_png(20, 20, seed=3), filename=filename))["data"]
    response = await client.get(f"/api/v1/assets/{asset['id']}/render", params={"w": 10})
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('inline; filename="')
    ascii_name, rest = disposition.removeprefix('inline; filename="').split('"', 1)
    assert ";" not in ascii_name  # no parameter smuggled in through the name
    assert rest.startswith("; filename*=UTF-8''") and rest.count(";") == 1
    assert "\r" not in disposition and "\n" not in disposition
    assert "filename*=UTF-8''" in disposition


async def test_a_valid_signature_serves_a_signed_in_stranger(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    """Share pages carry signed image links; a visitor signed in as someone else is served
    (the session no longer wins over the signature), and a bad signature still is not."""
    asset = (await upload(client, make_png(30, 20, seed=5), filename="mine.png"))["data"]
    params = {"w": 10}
    signed_render = (
        await client.get(f"/api/v1/assets/{asset['id']}/render-url", params=params)
    ).json()["data"]["url"]
    signed_content = (await client.get(f"/api/v1/assets/{asset['id']}/url")).json()["data"]["url"]
    assert (await other.get(f"/api/v1/assets/{asset['id']}/render", params=params)).status_code == (
        404
    )
    shown = await other.get(signed_render)
    assert shown.status_code == 200 and image(shown.content).width == 10
    got = await other.get(signed_content)
    assert got.status_code == 200 and got.content[:4] == b"\x89PNG"
    forged = await other.get(signed_content.replace("sig=", "sig=0"))
    assert forged.status_code in (401, 403, 404)
    assert (await client.get(signed_content.replace("sig=", "sig=0"))).status_code == 200  # owner
