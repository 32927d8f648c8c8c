"""Semantic, keyword and hybrid search over what is known about assets (WordLlama)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from satchel.config import Settings
from satchel.runtime import Runtime
from tests.conftest import make_png, upload

DESCRIBED = {
    "kitten.png": "kitten resting on the couch",
    "sofa-catalogue.png": "Sofa catalogue: leather sofas, fabric sofas, corner sofa beds",
    "park.png": "dog running in the park",
    "chairs.png": "invoice for office chairs",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Enrichment that only indexes (no OCR or faces on these blank test images)."""
    return settings.model_copy(update={"enrichment_skills": {}})


async def indexed(client: httpx.AsyncClient) -> dict[str, str]:
    ids: dict[str, str] = {}
    for seed, (name, description) in enumerate(DESCRIBED.items()):
        body = await upload(
            client,
            make_png(8, 8, seed=seed),
            filename=name,
            description=description,
            runEnrichment="true",
        )
        ids[name] = body["data"]["id"]
    for _ in range(1200):
        jobs = (await client.get("/api/v1/jobs", params={"kind": "skills.enrich"})).json()
        done = [j for j in jobs["data"] if j["status"] == "completed"]
        if len(done) == len(ids):
            return ids
        await asyncio.sleep(0.05)
    raise AssertionError("enrichment did not finish")


async def search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/assets", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_cat_sleeping_on_a_sofa(client: httpx.AsyncClient, workers: Runtime) -> None:
    ids = await indexed(client)
    for mode in ("hybrid", "semantic"):
        body = await search(client, "cat sleeping on a sofa", mode=mode)
        found = [a["id"] for a in body["data"]]
        assert found[0] == ids["kitten.png"], (mode, body["meta"])
        assert body["meta"]["mode"] == mode
        scores = body["meta"]["scores"]
        assert scores[ids["kitten.png"]] > scores[ids["sofa-catalogue.png"]]
    body = await search(client, "cat sleeping on a sofa")  # hybrid by default once indexed
    assert body["meta"]["mode"] == "hybrid" and body["data"][0]["id"] == ids["kitten.png"]
    body = await search(client, "puppy playing outdoors", mode="semantic")
    assert body["data"][0]["id"] == ids["park.png"]
    body = await search(client, "cat sleeping on a sofa", mode="keyword")
    assert body["data"] == []  # no asset has those words
    body = await search(client, "sofa", mode="keyword")
    assert [a["id"] for a in body["data"]] == [ids["sofa-catalogue.png"]]
    # an edit of the description is searchable at once
    response = await client.patch(
        f"/api/v1/assets/{ids['chairs.png']}", json={"description": "a cat asleep on a sofa"}
    )
    assert response.status_code == 200, response.text
    body = await search(client, "cat sleeping on a sofa", mode="semantic")
    assert body["data"][0]["id"] == ids["chairs.png"]
    body = await search(client, "cat", mode="semantic", kind="video")
    assert body["data"] == []


async def test_semantic_search_of_nothing_indexed(client: httpx.AsyncClient) -> None:
    body = await search(client, "anything at all")
    assert body["data"] == [] and "mode" not in body["meta"]  # keyword listing answered
