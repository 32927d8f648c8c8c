"""The facet counts the database keeps (migration 0020) against the same counts counted
live over the assets, after every kind of change, through the real app on each engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from satchel.assets.facets import kept_facets, live_facets
from satchel.assets.filters import LibraryFilter
from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.jobs.helpers import wait_for_asset

JPG = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "images" / "exif-samples" / "jpg"
PHOTOS = {
    "Canon_40D.jpg": ["trip", "family"],
    "Nikon_D70.jpg": ["trip"],
    "gps/DSCN0010.jpg": ["family"],
    "orientation/portrait_6.jpg": [],
}

pytestmark = pytest.mark.skipif(not JPG.is_dir(), reason="the EXIF sample corpus is missing")


async def _user_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/api/v1/auth/session")).json()["data"]["user"]["id"])


async def _agree(client: httpx.AsyncClient, runtime: Runtime, owner_id: str) -> dict[str, Any]:
    """The kept counts, once they are checked equal to the live ones and to the API's."""
    with runtime.db.session() as session:
        kept = kept_facets(session, owner_id=owner_id)
        live = live_facets(session, owner_id=owner_id, library=LibraryFilter())
    assert kept == live
    response = await client.get("/api/v1/assets/facets")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == kept
    return kept


def _counts(facets: dict[str, Any], name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in facets[name]}


async def test_kept_facets_follow_every_change(
    client: httpx.AsyncClient, other: httpx.AsyncClient, workers: Runtime
) -> None:
    me = await _user_id(client)
    ids = {}
    for name, tags in PHOTOS.items():
        made = (
            await upload(client, JPG / name, tags=",".join(tags))
            if tags
            else await upload(client, JPG / name)
        )["data"]
        assert (await wait_for_asset(client, made["id"]))["status"] == "ready"
        ids[name] = made["id"]
    png = (await upload(client, make_png(seed=70), tags="trip"))["data"]
    await wait_for_asset(client, png["id"])
    await upload(other, make_png(seed=71), tags="trip")

    facets = await _agree(client, workers, me)
    assert facets["total"] == 5
    assert _counts(facets, "tags") == {"trip": 3, "family": 2}
    assert {"Canon EOS 40D", "NIKON D70"} <= set(_counts(facets, "cameras"))
    assert facets["with_location"] == 1
    assert sum(_counts(facets, "years").values()) == 5

    canon = ids["Canon_40D.jpg"]
    assert (await client.patch(f"/api/v1/assets/{canon}", json={"tags": ["work"]})).is_success
    facets = await _agree(client, workers, me)
    assert _counts(facets, "tags") == {"trip": 2, "family": 1, "work": 1}

    moved = await client.patch(f"/api/v1/assets/{canon}", json={"folder": "/album/sub"})
    assert moved.is_success
    await _agree(client, workers, me)

    nikon = ids["Nikon_D70.jpg"]
    assert (await client.patch(f"/api/v1/assets/{nikon}", json={"is_archived": True})).is_success
    facets = await _agree(client, workers, me)
    assert facets["total"] == 4 and "NIKON D70" not in _counts(facets, "cameras")
    assert _counts(facets, "tags") == {"trip": 1, "family": 1, "work": 1}
    assert (await client.patch(f"/api/v1/assets/{nikon}", json={"is_archived": False})).is_success
    assert (await _agree(client, workers, me))["total"] == 5

    placed = ids["gps/DSCN0010.jpg"]
    assert (await client.delete(f"/api/v1/assets/{placed}")).is_success  # to the trash
    facets = await _agree(client, workers, me)
    assert facets["total"] == 4 and facets["with_location"] == 0
    assert "family" not in _counts(facets, "tags")
    restored = await client.post("/api/v1/trash/restore", json={"ids": [placed]})
    assert restored.is_success, restored.text
    facets = await _agree(client, workers, me)
    assert facets["with_location"] == 1 and _counts(facets, "tags")["family"] == 1

    gone = await client.delete(f"/api/v1/assets/{canon}", params={"permanent": "true"})
    assert gone.is_success, gone.text
    facets = await _agree(client, workers, me)
    assert facets["total"] == 4 and "work" not in _counts(facets, "tags")
    assert "Canon EOS 40D" not in _counts(facets, "cameras")

    # The other user's library is counted apart.
    theirs = await _agree(other, workers, await _user_id(other))
    assert theirs["total"] == 1 and _counts(theirs, "tags") == {"trip": 1}


async def test_filtered_facets_are_counted_live(client: httpx.AsyncClient) -> None:
    await upload(client, make_png(seed=72), folder="/a", tags="x")
    await upload(client, make_png(seed=73), folder="/b", tags="x")
    response = await client.get("/api/v1/assets/facets", params={"folder": "/a"})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["total"] == 1 and _counts(data, "tags") == {"x": 1}
    everything = (await client.get("/api/v1/assets/facets")).json()["data"]
    assert everything["total"] == 2 and _counts(everything, "tags") == {"x": 2}
