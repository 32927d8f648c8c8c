"""Folders through the real app: uploads keep their folder in every mode, the tree,
filters, moves and renames (with name clashes), and deleting a folder."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.conftest import make_png, upload
from tests.uploads.test_tus import create, patch


async def _ids(client: httpx.AsyncClient, **params: Any) -> set[str]:
    response = await client.get("/api/v1/assets", params=params)
    assert response.status_code == 200, response.text
    return {a["id"] for a in response.json()["data"]}


async def test_every_upload_mode_takes_a_folder(client: httpx.AsyncClient) -> None:
    form = (await upload(client, make_png(seed=1), filename="a.png", folder="album/sub/"))["data"]
    assert form["folder"] == "/album/sub"
    inline = await client.post(
        "/api/v1/assets",
        json={
            "file_name": "b.png",
            "content_base64": base64.b64encode(make_png(seed=2)).decode(),
            "folder": "/album",
        },
    )
    assert inline.status_code == 202 and inline.json()["data"]["folder"] == "/album"
    announced = await client.post(
        "/api/v1/assets", json={"filename": "c.png", "size": 10, "folder": "/album/x"}
    )
    assert announced.status_code in (200, 201, 202), announced.text
    assert announced.json()["data"]["folder"] == "/album/x"
    data = make_png(seed=3)
    url = await create(client, len(data), filename="d.png", folder="/album/sub/deeper")
    done = await patch(client, url, 0, data)
    assert done.status_code == 204, done.text
    tus = (await client.get(f"/api/v1/assets/{done.headers['satchel-asset-id']}")).json()["data"]
    assert (tus["folder"], tus["filename"]) == ("/album/sub/deeper", "d.png")
    top = (await upload(client, make_png(seed=4), filename="e.png"))["data"]
    assert top["folder"] == "/"

    assert await _ids(client, folder="/album") == {inline.json()["data"]["id"]}
    assert await _ids(client, folder="/album", recursive=True) == {
        form["id"],
        inline.json()["data"]["id"],
        tus["id"],
    }
    assert await _ids(client, folder="/album/sub", recursive=True) == {form["id"], tus["id"]}
    assert await _ids(client, folder="/") == {top["id"]}

    tree = {f["path"]: f for f in (await client.get("/api/v1/folders")).json()["data"]}
    assert set(tree) == {"/", "/album", "/album/sub", "/album/sub/deeper"}
    assert tree["/"]["count"] == 1 and tree["/"]["total_count"] == 4
    assert tree["/album/sub"]["total_count"] == 2 and tree["/album/sub"]["parent"] == "/album"
    assert tree["/album/sub"]["total_bytes"] == form["size"] + tus["size"]


@pytest.mark.parametrize(
    "folder", ["/a/../b", "a//b", "/./x", "bad\x00name", "tab\there", "/" + "x" * 256]
)
async def test_bad_folder_names_are_refused(client: httpx.AsyncClient, folder: str) -> None:
    body = await upload(client, make_png(seed=9), folder=folder, expect=422)
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["fields"][0]["field"] == "folder"
    listed = await client.get("/api/v1/assets", params={"folder": "/a/../b"})
    assert listed.status_code == 422


async def test_move_rename_and_clashes(client: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    a = (await upload(client, make_png(seed=11), filename="p.png", folder="/trip/day1"))["data"]
    b = (await upload(client, make_png(seed=12), filename="p.png", folder="/trip/day2"))["data"]
    c = (await upload(client, make_png(seed=13), filename="q.png", folder="/trip"))["data"]

    clash = await client.post(
        "/api/v1/assets/move", json={"ids": [a["id"]], "folder": "/trip/day2"}
    )
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "folder_name_taken"
    moved = await client.post(
        "/api/v1/assets/move", json={"ids": [a["id"], "ast_" + "0" * 26], "folder": "/keep"}
    )
    assert moved.json()["data"] == {"moved": [a["id"]], "not_found_ids": ["ast_" + "0" * 26]}
    theirs = await other.post("/api/v1/assets/move", json={"ids": [b["id"]], "folder": "/x"})
    assert theirs.json()["data"]["not_found_ids"] == [b["id"]]
    patched = await client.patch(f"/api/v1/assets/{a['id']}", json={"folder": "trip/day1"})
    assert patched.json()["data"]["folder"] == "/trip/day1"

    renamed = await client.post("/api/v1/folders/move", json={"from": "/trip", "to": "/2026/trip"})
    assert renamed.status_code == 200 and renamed.json()["data"]["moved"] == 3
    folders = {x["id"]: x["folder"] for x in (await client.get("/api/v1/assets")).json()["data"]}
    assert folders == {
        a["id"]: "/2026/trip/day1",
        b["id"]: "/2026/trip/day2",
        c["id"]: "/2026/trip",
    }
    into_itself = await client.post(
        "/api/v1/folders/move", json={"from": "/2026", "to": "/2026/trip/x"}
    )
    assert into_itself.status_code == 422
    merge = await client.post(
        "/api/v1/folders/move", json={"from": "/2026/trip/day1", "to": "/2026/trip/day2"}
    )
    assert merge.status_code == 409
    allowed = await client.post(
        "/api/v1/folders/move",
        json={"from": "/2026/trip/day1", "to": "/2026/trip/day2", "allow_duplicates": True},
    )
    assert allowed.json()["data"]["moved"] == 1
    assert await _ids(client, folder="/2026/trip/day2") == {a["id"], b["id"]}


async def test_deleting_a_folder_plans_then_trashes(client: httpx.AsyncClient) -> None:
    inside = [
        (await upload(client, make_png(seed=20 + i), folder=f"/old/{i}"))["data"]["id"]
        for i in range(2)
    ]
    outside = (await upload(client, make_png(seed=30), folder="/older"))["data"]["id"]
    plan = await client.delete("/api/v1/folders", params={"path": "/old", "dry_run": "true"})
    body = plan.json()["data"]
    assert body["assets"] == 2 and {p["asset_id"] for p in body["plans"]} == set(inside)
    assert await _ids(client, folder="/old", recursive=True) == set(inside)  # untouched
    gone = await client.delete("/api/v1/folders", params={"path": "/old"})
    assert gone.json()["data"]["trashed"] is True
    assert await _ids(client, folder="/old", recursive=True) == set()
    assert await _ids(client) == {outside}  # `/older` is not under `/old`
    trash = {a["id"] for a in (await client.get("/api/v1/trash")).json()["data"]}
    assert trash == set(inside)


async def test_a_taken_name_is_numbered_on_upload_and_refused_on_rename(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    async def put(seed: int, name: str, folder: str = "/docs", **fields: Any) -> dict[str, Any]:
        body = await upload(client, make_png(seed=seed), filename=name, folder=folder, **fields)
        data: dict[str, Any] = body["data"]
        return data

    first = await put(21, "report.png")
    second = await put(22, "report.png")
    third = await put(23, "report.png")
    assert [first["filename"], second["filename"], third["filename"]] == [
        "report.png",
        "report (2).png",
        "report (3).png",
    ]
    # the same name elsewhere, another owner, or asked for: kept as sent
    assert (await put(24, "report.png", folder="/other"))["filename"] == "report.png"
    theirs = await upload(other, make_png(seed=25), filename="report.png", folder="/docs")
    assert theirs["data"]["filename"] == "report.png"
    kept = await put(26, "report.png", allow_duplicates=True)
    assert kept["filename"] == "report.png"
    # identical bytes are the same asset, not a numbered copy
    again = await upload(
        client, make_png(seed=21), filename="report.png", folder="/docs", expect=200
    )
    assert again["data"]["id"] == first["id"] and again["data"]["filename"] == "report.png"
    # names without an extension, and numbered names themselves
    assert (await put(27, "README"))["filename"] == "README"
    assert (await put(28, "README"))["filename"] == "README (2)"
    assert (await put(29, "report (2).png"))["filename"] == "report (2) (2).png"

    # a trashed file's name is free again
    await client.delete(f"/api/v1/assets/{third['id']}")
    assert (await put(30, "report.png"))["filename"] == "report (3).png"

    # renames and moves onto a taken name are refused, unless asked for
    rename = await client.patch(f"/api/v1/assets/{second['id']}", json={"filename": "README"})
    assert rename.status_code == 409, rename.text
    assert rename.json()["error"]["code"] == "folder_name_taken"
    move = await client.patch(
        f"/api/v1/assets/{first['id']}", json={"folder": "/other", "description": "x"}
    )
    assert move.status_code == 409 and move.json()["error"]["code"] == "folder_name_taken"
    unchanged = (await client.get(f"/api/v1/assets/{first['id']}")).json()["data"]
    assert (unchanged["folder"], unchanged["description"]) == ("/docs", None)
    forced = await client.patch(
        f"/api/v1/assets/{second['id']}", json={"filename": "README", "allow_duplicates": True}
    )
    assert forced.status_code == 200 and forced.json()["data"]["filename"] == "README"
    same = await client.patch(f"/api/v1/assets/{first['id']}", json={"filename": "report.png"})
    assert same.status_code == 200, same.text  # its own name is not a clash
