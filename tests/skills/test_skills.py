"""Skills in the seed's shapes: the list, a run with its steps and the updated asset (AI
results, last skill execution), enrichment after upload, and refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from satchel.runtime import Runtime
from tests.conftest import upload
from tests.tools.ai.samples import PARAGRAPH, cer, png, render
from tests.tools.ai.test_faces import ASTRONAUT, TRUE_FACE, iou


async def ready(client: httpx.AsyncClient, asset_id: str, *, until: Any = None) -> dict[str, Any]:
    for _ in range(1200):
        asset: dict[str, Any] = (await client.get(f"/api/v1/assets/{asset_id}")).json()["data"]
        if asset["status"] in ("ready", "failed") and (until is None or until(asset)):
            return asset
        await asyncio.sleep(0.05)
    raise AssertionError(f"{asset_id} never got there")


async def test_skills_list_in_the_seed_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/assets/skills")
    assert response.status_code == 200, response.text
    skills = {s["name"]: s for s in response.json()["data"]}
    assert {"ocr", "transcribe", "faces", "tags", "caption", "alt-text", "colors"} <= set(skills)
    for skill in skills.values():
        assert skill["description"] and skill["steps"]
        assert all(step["name"] for step in skill["steps"])
    assert skills["ocr"]["steps"][0]["available"] is True


async def test_faces_and_caption_on_the_astronaut(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    asset = (await upload(client, ASTRONAUT, runEnrichment="false"))["data"]
    await ready(client, asset["id"])
    # the seed's example, as written: POST with an empty JSON object
    response = await client.post(
        f"/api/v1/assets/{asset['id']}/skills/faces/run",
        content=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    run = response.json()["data"]
    assert run["succeeded"] is True and run["skill_name"] == "faces"
    assert [s["step_name"] for s in run["steps"]] == ["detect-faces"]
    assert run["steps"][0]["succeeded"] and run["steps"][0]["error_message"] is None
    results = {r["kind"]: r for r in run["asset"]["ai_results"]}
    faces = results["faces"]["payload_json"]
    assert faces["count"] == 1 and iou(faces["faces"][0]["box"], TRUE_FACE) >= 0.5
    run = (await client.post(f"/api/v1/assets/{asset['id']}/skills/caption/run")).json()["data"]
    assert run["succeeded"], run
    steps = {s["step_name"]: s for s in run["steps"]}
    assert steps["detect-faces"].get("reused") is True  # the faces result was there already
    caption = {r["kind"]: r for r in run["asset"]["ai_results"]}["caption"]["payload_json"]
    assert caption["method"] == "template" and "one face" in caption["text"]
    got = (await client.get(f"/api/v1/assets/{asset['id']}")).json()["data"]
    assert got["last_skill_execution"]["skill_name"] == "caption"
    assert got["last_skill_execution"]["trigger"] == "manual"
    assert {"faces", "caption", "colors", "ocr"} <= {r["kind"] for r in got["ai_results"]}
    run = (await client.post(f"/api/v1/assets/{asset['id']}/skills/alt-text/run")).json()["data"]
    assert run["asset"]["alt_text"].startswith("An image with one face")
    tags = await client.post(f"/api/v1/assets/{asset['id']}/skills/tags/run", json={})
    tag_list = {r["kind"]: r for r in tags.json()["data"]["asset"]["ai_results"]}["tags"]
    assert {"image", "png", "person", "face"} <= set(tag_list["payload_json"]["tags"])


async def test_enrichment_after_upload_reads_the_text(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    letter = png(render(size=24))
    asset = (await upload(client, letter, filename="letter.png", runEnrichment="true"))["data"]
    done = await ready(
        client,
        asset["id"],
        until=lambda a: (
            a.get("last_skill_execution") is not None
            and a["last_skill_execution"]["skill_name"] == "caption"
        ),
    )
    results = {r["kind"]: r["payload_json"] for r in done["ai_results"]}
    assert cer("\n".join(PARAGRAPH), results["ocr"]["text"]) <= 0.02
    assert done["last_skill_execution"]["trigger"] == "enrichment"
    assert "fox" in results["tags"]["tags"]
    found = (await client.get("/api/v1/assets", params={"q": "invoice paid in euros"})).json()
    assert [a["id"] for a in found["data"]][:1] == [asset["id"]]


async def test_refusals(client: httpx.AsyncClient, workers: Runtime) -> None:
    asset = (await upload(client, png(render(size=14)), runEnrichment="false"))["data"]
    await ready(client, asset["id"])
    response = await client.post(f"/api/v1/assets/{asset['id']}/skills/no-such/run")
    assert response.status_code == 404 and response.json()["error"]["code"] == "skill_not_found"
    response = await client.post(f"/api/v1/assets/{asset['id']}/skills/transcribe/run")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "skill_not_applicable"
    response = await client.post("/api/v1/assets/ast_01jnotthere0000000000000000/skills/ocr/run")
    assert response.status_code == 404 and response.json()["error"]["code"] == "asset_not_found"
    response = await client.post(f"/api/v1/assets/{asset['id']}/skills/ocr/run?async=true")
    assert response.status_code == 202, response.text
    job_id = response.json()["data"]["job_id"]
    for _ in range(600):
        job = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "completed", job
    assert job["result"]["skill_name"] == "ocr" and job["result"]["succeeded"] is True


def test_enrichment_waits_behind_processing(runtime: Runtime) -> None:
    """Workers take a later upload's processing before an earlier enrichment job."""
    from satchel.processing.jobs import ENRICH_PRIORITY

    runtime.queue.enqueue("job_enrich", priority=ENRICH_PRIORITY)
    runtime.queue.enqueue("job_process")
    order = [runtime.queue.huey.dequeue().args[0] for _ in range(2)]
    assert order == ["job_process", "job_enrich"]


async def test_segment_keeps_the_person_mask_as_a_derivative(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    asset = (await upload(client, ASTRONAUT, runEnrichment="false"))["data"]
    await ready(client, asset["id"])
    run = (await client.post(f"/api/v1/assets/{asset['id']}/skills/segment/run")).json()["data"]
    assert run["succeeded"], run
    derivatives = {d["kind"]: d for d in run["asset"]["derivatives"]}
    mask = derivatives["person-mask"]
    assert mask["media_type"] == "image/png" and mask["size"] > 1000
    results = {r["kind"]: r["payload_json"] for r in run["asset"]["ai_results"]}
    assert 0.4 < results["segment"]["personShare"] < 0.7
