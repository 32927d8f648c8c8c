"""An owner revokes every signed link to an asset at once (issue 14, row 12: `/url` links
lived up to 7 days whatever the owner did); new links work again."""

from __future__ import annotations

import httpx

from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset


async def test_revoking_links_stops_every_link_handed_out(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, other: httpx.AsyncClient, workers: object
) -> None:
    png = make_png(40, 30, seed=81)
    asset = (await upload(client, png, filename="private.png"))["data"]
    view = await wait_for_asset(client, asset["id"])
    link = (await client.get(f"/api/v1/assets/{asset['id']}/url?expires_in=3600")).json()
    url = link["data"]["url"].removeprefix("http://testserver")
    thumb = next(d["url"] for d in view["derivatives"] if d["kind"] == "thumbnail")
    thumb = thumb.removeprefix("http://testserver")
    got = await anon.get(url)
    assert got.status_code == 200 and got.content == png
    assert (await anon.get(thumb)).status_code == 200

    # Someone else cannot revoke it (the same 404 as a missing asset).
    theirs = await other.post(f"/api/v1/assets/{asset['id']}/links/revoke")
    assert theirs.status_code == 404
    assert (await anon.get(url)).status_code == 200

    revoked = await client.post(f"/api/v1/assets/{asset['id']}/links/revoke")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["data"] == {"id": asset["id"], "link_generation": 1}
    for old in (url, thumb):
        refused = await anon.get(old)
        assert refused.status_code in (401, 403), refused.text
        assert refused.json()["error"]["code"]
    assert (await client.get(url)).status_code == 200  # the owner's own key still reads it

    fresh = (await client.get(f"/api/v1/assets/{asset['id']}/url")).json()["data"]["url"]
    again = await anon.get(fresh.removeprefix("http://testserver"))
    assert again.status_code == 200 and again.content == png
    audit = (await client.get("/api/v1/audit-log", params={"action": "asset.links_revoked"})).json()
    assert any(e["target_id"] == asset["id"] for e in audit["data"]), audit
