"""Listing, searching, paging, patching and deleting assets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import make_png, upload


async def _many(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    made = []
    specs = [
        ("sunset-beach.png", "Evening at the beach", ["holiday", "sea"]),
        ("mountain.png", "Alpine morning", ["holiday"]),
        ("receipt.txt", None, ["work"]),
        ("notes.md", "meeting notes", []),
        ("beach-volley.png", None, ["sport"]),
    ]
    for i, (name, description, tags) in enumerate(specs):
        data = make_png(2 + i, 2, seed=i) if name.endswith(".png") else f"text {i}\n".encode()
        fields: dict[str, Any] = {"tags": tags}
        if description:
            fields["description"] = description
        made.append((await upload(client, data, filename=name, **fields))["data"])
    return made


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/api/v1/assets", params=params)
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["data"]]


async def test_filters_search_and_sort(client: httpx.AsyncClient) -> None:
    made = await _many(client)
    ids = [a["id"] for a in made]
    assert await _ids(client) == ids[::-1]  # newest first
    assert await _ids(client, order="asc") == ids
    assert await _ids(client, q="beach") == [ids[4], ids[0]]
    assert await _ids(client, q="BEAC") == [ids[4], ids[0]]  # prefix, any case
    assert await _ids(client, q="alpine") == [ids[1]]
    assert await _ids(client, q="holiday") == [ids[1], ids[0]]  # tags are searched too
    assert await _ids(client, q='"; DROP TABLE assets; --') == []
    assert await _ids(client, q="***") == []
    assert await _ids(client, tag="holiday") == [ids[1], ids[0]]
    assert await _ids(client, kind="text") == [ids[3], ids[2]]
    assert await _ids(client, type="image", media_type="image/png") == [ids[4], ids[1], ids[0]]
    assert await _ids(client, status="pending") == ids[::-1]  # no worker runs here
    sizes = await client.get("/api/v1/assets", params={"sort": "size", "order": "asc"})
    values = [a["size"] for a in sizes.json()["data"]]
    assert values == sorted(values)
    names = await _ids(client, sort="filename", order="asc")
    assert names == [a["id"] for a in sorted(made, key=lambda a: a["filename"])]
    created = made[2]["created_at"]
    assert set(await _ids(client, created_after=created)) == {ids[3], ids[4]}
    bad = await client.get("/api/v1/assets", params={"sort": "colour"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "sort"


@pytest.mark.parametrize("sort", ["created_at", "size", "filename"])
async def test_cursor_pages_cover_everything_once(client: httpx.AsyncClient, sort: str) -> None:
    made = await _many(client)
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/assets", params=params)).json()
        seen += [a["id"] for a in page["data"]]
        cursor = page["meta"]["next_cursor"]
        assert page["meta"]["has_more"] is (cursor is not None)
        if not cursor:
            break
    assert sorted(seen) == sorted(a["id"] for a in made) and len(seen) == len(made)
    bad = await client.get("/api/v1/assets", params={"cursor": "garbage!"})
    assert bad.status_code == 422


async def test_patch_is_partial_and_validated(client: httpx.AsyncClient) -> None:
    asset = (await upload(client, make_png(), filename="a.png", description="keep", tags=["x"]))[
        "data"
    ]
    url = f"/api/v1/assets/{asset['id']}"
    response = await client.patch(url, json={"altText": "new alt", "tags": ["y", "y", "z"]})
    assert response.status_code == 200, response.text
    patched = response.json()["data"]
    assert patched["description"] == "keep" and patched["alt_text"] == "new alt"
    assert patched["tags"] == ["y", "z"] and patched["updated_at"] >= asset["updated_at"]
    assert (await client.patch(url, json={"filename": "../../etc/passwd"})).json()["data"][
        "filename"
    ] == "passwd"
    too_long = await client.patch(url, json={"description": "d" * 1001})
    assert too_long.json()["error"]["code"] == "asset_description_too_long"
    unknown = await client.patch(url, json={"colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "validation_error"
    assert (await _ids(client, tag="z")) == [asset["id"]]
    assert (await _ids(client, tag="x")) == []


async def test_other_owner_sees_404_identical_to_missing(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    asset = (await upload(client, make_png()))["data"]
    missing = "ast_" + "0" * 26
    for method, suffix in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("GET", "/content"),
        ("GET", "/raw"),
        ("GET", "/url"),
    ]:
        kwargs: dict[str, Any] = {"json": {"description": "x"}} if method == "PATCH" else {}
        theirs = await other.request(method, f"/api/v1/assets/{asset['id']}{suffix}", **kwargs)
        absent = await other.request(method, f"/api/v1/assets/{missing}{suffix}", **kwargs)
        assert theirs.status_code == absent.status_code == 404
        assert (
            theirs.json()["error"]["code"] == absent.json()["error"]["code"] == ("asset_not_found")
        )
    assert await _ids(other) == []
    assert (await client.get(f"/api/v1/assets/{asset['id']}")).status_code == 200


async def test_delete_is_repeatable_and_batch_reports_missing(client: httpx.AsyncClient) -> None:
    a, b, c = [(await upload(client, make_png(seed=i)))["data"]["id"] for i in range(3)]
    first = await client.delete(f"/api/v1/assets/{a}?permanent=true")
    assert first.status_code == 200 and first.json()["meta"]["already_deleted"] is False
    again = await client.delete(f"/api/v1/assets/{a}?permanent=true")
    assert again.status_code == 200 and again.json()["meta"]["already_deleted"] is True
    assert (await client.get(f"/api/v1/assets/{a}")).status_code == 404
    never = await client.delete("/api/v1/assets/ast_" + "1" * 26)
    assert never.status_code == 404
    batch = await client.post("/api/v1/assets/batch-delete", json={"ids": [b, c, "nope", b]})
    assert batch.json()["data"] == {
        "requested": 4,
        "deleted": 2,
        "not_found_ids": ["nope"],
        "blocked_ids": [],
    }
    bare = await client.post("/api/v1/assets/batch-delete", json=["ast_" + "2" * 26])
    assert bare.json()["data"]["not_found_ids"] == ["ast_" + "2" * 26]
    assert await _ids(client) == []


async def test_usage(client: httpx.AsyncClient) -> None:
    png = make_png()
    await upload(client, png, filename="a.png")
    await upload(client, png, filename="b.png", dedupe="false")
    await upload(client, b"hello\n", filename="h.txt")
    usage = (await client.get("/api/v1/usage")).json()["data"]
    assert usage["total_assets"] == 3
    assert usage["total_bytes"] == 2 * len(png) + 6
    assert usage["stored_bytes"] == len(png) + 6
    stats = (await client.get("/api/v1/assets/usage-stats")).json()["data"]
    assert stats["content_type_breakdown"][0] == {
        "content_type": "image/png",
        "count": 2,
        "total_bytes": 2 * len(png),
    }


async def test_search_folds_case_and_accents_and_keeps_names_whole(
    client: httpx.AsyncClient,
) -> None:
    """The same answers from SQLite's FTS5 index and PostgreSQL's tsvector."""
    made = {
        name: (await upload(client, f"{name}\n".encode(), filename=name))["data"]["id"]
        for name in ("Crème-Brûlée.txt", "report_2026.final.txt", "notes.txt")
    }
    assert await _ids(client, q="creme") == [made["Crème-Brûlée.txt"]]
    assert await _ids(client, q="CRÈME-BR") == [made["Crème-Brûlée.txt"]]
    assert await _ids(client, q="report_2026.fi") == [made["report_2026.final.txt"]]
    assert await _ids(client, q="final") == []  # a name is one word, searched from its start
    assert await _ids(client, q="notes txt") == []  # every word must match
    assert await _ids(client, q="no") == [made["notes.txt"]]
    assert await _ids(client, q="'; SELECT 1 --") == []
