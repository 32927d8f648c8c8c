"""Favourites, the archive, and the review of exact duplicates, through the real app."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import make_png, upload


async def _ids(client: httpx.AsyncClient, **params: Any) -> set[str]:
    response = await client.get("/api/v1/assets", params=params)
    assert response.status_code == 200, response.text
    return {a["id"] for a in response.json()["data"]}


async def test_favourites_and_archive(client: httpx.AsyncClient) -> None:
    starred = (await upload(client, make_png(seed=50), is_favorite="true"))["data"]
    plain = (await upload(client, make_png(seed=51)))["data"]
    old = (await upload(client, make_png(seed=52)))["data"]
    assert starred["is_favorite"] is True and plain["is_favorite"] is False
    archived = await client.patch(f"/api/v1/assets/{old['id']}", json={"isArchived": True})
    assert archived.json()["data"]["is_archived"] is True
    assert await _ids(client) == {starred["id"], plain["id"]}  # archived: hidden by default
    assert await _ids(client, is_archived="true") == {old["id"]}
    assert await _ids(client, is_archived="any") == {starred["id"], plain["id"], old["id"]}
    assert await _ids(client, is_favorite="true") == {starred["id"]}
    assert await _ids(client, is_favorite="false") == {plain["id"]}
    await client.patch(f"/api/v1/assets/{plain['id']}", json={"is_favorite": True})
    assert await _ids(client, is_favorite="true") == {starred["id"], plain["id"]}
    facets = (await client.get("/api/v1/assets/facets")).json()["data"]
    assert facets["total"] == 2
    assert (await client.get("/api/v1/assets", params={"is_archived": "maybe"})).status_code == 422


async def test_exact_duplicates_are_grouped(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    png = make_png(8, 8, seed=60)
    first = (await upload(client, png, folder="/a"))["data"]
    again = (await upload(client, png, expect=200))["data"]  # deduplicated: the same one
    assert again["id"] == first["id"]
    copy = (await upload(client, png, folder="/b", dedupe="false"))["data"]
    alone = (await upload(client, make_png(8, 8, seed=61)))["data"]
    await upload(other, png, dedupe="false")  # another owner's copy is not the caller's
    groups = (await client.get("/api/v1/assets/duplicates")).json()["data"]
    assert len(groups) == 1
    [group] = groups
    assert group["kind"] == "exact" and group["sha256"] == first["sha256"]
    assert [a["id"] for a in group["assets"]] == [first["id"], copy["id"]]
    assert [a["folder"] for a in group["assets"]] == ["/a", "/b"]
    assert group["wasted_bytes"] == first["size"]
    assert alone["id"] not in {a["id"] for g in groups for a in g["assets"]}
    await client.delete(f"/api/v1/assets/{copy['id']}")  # trashed copies are not duplicates
    assert (await client.get("/api/v1/assets/duplicates")).json()["data"] == []


async def test_an_upload_is_not_answered_by_its_twin_in_the_trash(
    client: httpx.AsyncClient,
) -> None:
    png = make_png(8, 8, seed=62)
    trashed = (await upload(client, png, filename="twin.png"))["data"]
    assert (await client.delete(f"/api/v1/assets/{trashed['id']}")).is_success
    again = (await upload(client, png, filename="twin.png"))["data"]  # a new asset, 202
    assert again["id"] != trashed["id"]
    shown = await client.get(f"/api/v1/assets/{again['id']}")
    assert shown.status_code == 200 and shown.json()["data"]["filename"] == "twin.png"
    restored = await client.post("/api/v1/trash/restore", json={"ids": [trashed["id"]]})
    assert restored.is_success
    assert await _ids(client) == {trashed["id"], again["id"]}  # both kept, nothing lost
