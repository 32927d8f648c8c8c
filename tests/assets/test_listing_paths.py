"""A tag or a search lists the same pages whichever way the query goes: few matches are
fetched by primary key and sorted, many are found by walking the sort index (SQLite picks
by FEW_MATCHES; PostgreSQL's planner picks by itself)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from satchel.assets import listing
from tests.conftest import make_png, upload


async def _pages(client: httpx.AsyncClient, **params: Any) -> list[str]:
    """Every page of the listing, 2 at a time, by following the cursor."""
    pages: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2, "mode": "keyword", **params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v1/assets", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["data"]) <= 2
        pages += [a["filename"] for a in body["data"]]
        cursor = body["meta"].get("next_cursor")
        if not cursor:
            return pages


@pytest.mark.parametrize("few", [1, 2, 5000])
async def test_tag_and_search_pages_agree(
    client: httpx.AsyncClient, other: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """`other` lists (a plain user: their own files only); the admin's file is not theirs."""
    monkeypatch.setattr(listing, "FEW_MATCHES", few)
    mine, theirs = other, client
    for i in range(5):
        tags = "sea,trip" if i % 2 == 0 else "trip"
        await upload(mine, make_png(seed=80 + i), filename=f"harbour-{i}.png", tags=tags)
    await upload(mine, make_png(seed=90), filename="harbour-x.png", folder="/kept", tags="sea")
    await upload(theirs, make_png(seed=91), filename="harbour-theirs.png", tags="sea")
    newest_first = ["harbour-x.png", *(f"harbour-{i}.png" for i in range(4, -1, -1))]

    sea = [n for n in newest_first if n == "harbour-x.png" or int(n[8]) % 2 == 0]
    assert (await _pages(mine, tag="sea")) == sea
    assert (await _pages(mine, tag="trip")) == newest_first[1:]
    assert (await _pages(mine, q="harbour")) == newest_first
    assert (await _pages(mine, q="harbour", tag="sea")) == sea
    assert (await _pages(mine, q="harbour", folder="/kept")) == ["harbour-x.png"]
    assert (await _pages(mine, tag="sea", sort="filename", order="asc")) == sorted(sea)
    assert (await _pages(mine, q="nowhere")) == []
    assert (await _pages(mine, tag="none")) == []
