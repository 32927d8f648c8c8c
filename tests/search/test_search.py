"""Semantic, keyword and hybrid search over what is known about assets (WordLlama)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from satchel.config import Settings
from satchel.runtime import Runtime
from tests.conftest import make_png, upload

PHOTO = (
    Path(__file__).resolve().parents[2].parent
    / "shared/corpus/images/exif-samples/jpg/gps/DSCN0010.jpg"
)
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
    deadline = time.monotonic() + 180  # a bound, not a timing: CI's 2 cores run 2 suites
    while True:
        jobs = (await client.get("/api/v1/jobs", params={"kind": "skills.enrich"})).json()
        statuses = [(j["status"], j.get("error")) for j in jobs["data"]]
        assert all(status != "failed" for status, _ in statuses), statuses
        if sum(status == "completed" for status, _ in statuses) == len(ids):
            return ids
        assert time.monotonic() < deadline, f"enrichment did not finish: {statuses}"
        await asyncio.sleep(0.05)


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


async def test_near_duplicates_are_grouped_apart_from_exact_ones(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    import io

    from PIL import Image

    photo, other = PHOTO, PHOTO.parent.parent / "Canon_40D.jpg"
    src = Image.open(photo).convert("RGB")
    w, h = src.size

    def jpeg(image: Image.Image, quality: int = 85) -> bytes:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        return out.getvalue()

    files = {
        "original.jpg": photo.read_bytes(),
        "resized.jpg": jpeg(src.resize((w // 2, h // 2))),
        "recompressed.jpg": jpeg(src, 40),
        "cropped.jpg": jpeg(src.crop((int(w * 0.04), int(h * 0.04), int(w * 0.96), int(h * 0.96)))),
        "unrelated.jpg": other.read_bytes(),
    }
    ids = {}
    for name, data in files.items():
        body = await upload(client, data, filename=name, runEnrichment="true")
        ids[name] = body["data"]["id"]
    copy = await upload(
        client, files["original.jpg"], filename="copy.jpg", dedupe="false", runEnrichment="true"
    )
    ids["copy.jpg"] = copy["data"]["id"]
    for asset_id in ids.values():
        await client.post(f"/api/v1/assets/{asset_id}/skills/hashes/run")
    response = await client.get(f"/api/v1/assets/{ids['original.jpg']}/similar")
    assert response.status_code == 200, response.text
    near = {item["asset"]["id"]: item["distance"] for item in response.json()["data"]}
    assert {ids[n] for n in ("resized.jpg", "recompressed.jpg", "cropped.jpg", "copy.jpg")} <= set(
        near
    )
    assert ids["unrelated.jpg"] not in near
    assert near[ids["copy.jpg"]] == 0 and all(d <= 10 for d in near.values())
    groups = (await client.get("/api/v1/assets/duplicates", params={"near": "true"})).json()["data"]
    exact = [g for g in groups if g["kind"] == "exact"]
    assert [(g["sha256"], sorted(a["id"] for a in g["assets"])) for g in exact] == [
        (copy["data"]["sha256"], sorted([ids["original.jpg"], ids["copy.jpg"]]))
    ]
    (group,) = [g for g in groups if g["kind"] == "near"]  # a group of its own
    assert set(group["asset_ids"]) == {ids[n] for n in files if n != "unrelated.jpg"} | {
        ids["copy.jpg"]
    }
    plain = (await client.get("/api/v1/assets/duplicates")).json()["data"]
    assert plain == exact  # without near=true, only the exact groups
    missing = await client.get("/api/v1/assets/ast_01jnotthere0000000000000000/similar")
    assert missing.status_code == 404


async def test_reindex_writes_what_is_stored_when_it_writes(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An enrichment job's reindex and a skill run's overlap: the one that read before
    the `hashes` result was stored and writes last must not drop the perceptual hash
    (CI once saw `/similar` answer nothing for an asset whose hashes skill had run)."""
    from satchel.search import service as search
    from satchel.search.models import SearchEntry
    from satchel.skills.models import AiResult

    asset_id = (await upload(client, make_png(8, 8, seed=3), filename="late.png"))["data"]["id"]
    embedded: list[list[str]] = []

    def embed_while_the_skill_lands(passages: list[str]) -> list[list[float]]:
        if not embedded:  # the other reindex's skill result lands mid-embedding
            with runtime.db.write_session() as session:
                session.add(
                    AiResult(
                        asset_id=asset_id,
                        kind="hashes",
                        skill_name="hashes",
                        payload_json={"phash": "c3c3c3c3c3c3c3c3", "dhash": "0f0f0f0f0f0f0f0f"},
                    )
                )
                session.commit()
        embedded.append(passages)
        return [[0.0] * 4 for _ in passages]

    monkeypatch.setattr(search.embed, "available", lambda: None)
    monkeypatch.setattr(search.embed, "embed", embed_while_the_skill_lands)
    monkeypatch.setattr(search.embed, "pack", lambda vectors: b"v")
    search.reindex(runtime, asset_id=asset_id)
    with runtime.db.session() as session:
        entry = session.get(SearchEntry, asset_id)
        assert entry is not None
        assert (entry.phash, entry.dhash) == ("c3c3c3c3c3c3c3c3", "0f0f0f0f0f0f0f0f")
        assert "late" in entry.text
