"""The rendition cache cannot be filled from outside (issue 14 #6): without a key or a
signature only presets are made, and each asset keeps a bounded number of renditions,
the least recently served going first, their bytes reclaimed."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from satchel.assets.models import Blob, Derivative
from satchel.config import Settings
from satchel.db import utcnow
from satchel.renditions.service import wait_for_cache
from satchel.runtime import Runtime
from tests.conftest import make_png, upload

KEEP = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.renditions_per_asset = KEEP
    settings.rendition_presets = ["w=160&h=160&fit=cover", "w=40", "w=20&format=png&q=90"]
    return settings


def renditions(runtime: Runtime, asset_id: str) -> dict[str, Derivative]:
    with runtime.db.session() as session:
        rows = session.scalars(select(Derivative).where(Derivative.asset_id == asset_id)).all()
    return {d.kind: d for d in rows if d.kind.startswith("r:")}


async def test_anonymous_callers_get_presets_only(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    png = make_png(200, 100, seed=61)
    asset = (await upload(client, png, filename="p.png", is_public="true"))["data"]
    url = f"/api/v1/assets/{asset['id']}/render"
    for n in range(1, 30):  # what filled the cache: one file per distinct width
        refused = await anon.get(url, params={"w": n})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "render_preset_required"
    for params in (
        {"w": 40, "q": 79},  # another quality is another file
        {"w": 40, "fit": "cover"},
        {"w": 20, "format": "webp", "q": 90},  # that preset names its format
        {"w": 40, "h": 40},
    ):
        assert (await anon.get(url, params=params)).status_code == 403, params
    wait_for_cache()
    assert renditions(runtime, asset["id"]) == {}
    for params in ({"w": 40}, {"w": 40, "format": "webp"}, {"w": 20, "format": "png", "q": 90}):
        response = await anon.get(url, params=params)
        assert response.status_code == 200, (params, response.text)
    # The owner and a signed link still ask any size.
    assert (await client.get(url, params={"w": 33})).status_code == 200
    signed = (await client.get(f"{url}-url", params={"w": 34})).json()["data"]["url"]
    assert (await anon.get(signed)).status_code == 200
    assert (await anon.get(signed.replace("sig=", "sig=0"))).status_code == 403  # not a preset


async def test_each_asset_keeps_its_most_recently_served_renditions(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    asset = (await upload(client, make_png(300, 200, seed=62), filename="q.png"))["data"]
    url = f"/api/v1/assets/{asset['id']}/render"
    made: dict[int, str] = {}  # width → kind
    for width in (10, 11, 12):
        before = set(renditions(runtime, asset["id"]))
        assert (await client.get(url, params={"w": width})).status_code == 200
        wait_for_cache()
        (made[width],) = set(renditions(runtime, asset["id"])) - before
    # Served long ago, in this order: 10 first, then 11, then 12.
    with runtime.db.write_session() as session:
        for age, width in ((300, 10), (200, 11), (100, 12)):
            session.execute(
                update(Derivative)
                .where(Derivative.asset_id == asset["id"], Derivative.kind == made[width])
                .values(
                    used_at=utcnow() - timedelta(seconds=age),
                    created_at=utcnow() - timedelta(seconds=age),
                )
            )
        session.commit()
    evicted_sha = renditions(runtime, asset["id"])[made[11]].sha256
    assert (await client.get(url, params={"w": 10})).status_code == 200  # from the cache
    wait_for_cache()
    assert (await client.get(url, params={"w": 13})).status_code == 200  # a fourth
    wait_for_cache()
    kept = renditions(runtime, asset["id"])
    assert len(kept) == KEEP
    assert made[11] not in kept and {made[10], made[12]} <= set(kept)
    # The bytes went with it (no other derivative had the same bytes).
    with runtime.db.session() as session:
        assert session.get(Blob, evicted_sha) is None
    assert runtime.blobs.size_of(evicted_sha) is None
    again = await client.get(url, params={"w": 11})  # made again when asked again
    assert again.status_code == 200
