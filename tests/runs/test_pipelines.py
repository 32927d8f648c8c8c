"""Pipelines: validated whole before anything runs, the same bytes as the tools by hand."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx

from satchel.runtime import Runtime
from tests.conftest import make_png
from tests.tools.helpers import PHOTO, image, run_tool

STEPS = [
    {"toolId": "resize", "settings": {"width": 800}},
    {"toolId": "rotate", "settings": {"angle": 90}},
    {"toolId": "convert", "settings": {"format": "webp", "quality": 70}},
]


async def _execute(
    client: httpx.AsyncClient, steps: Any, file: tuple[str, bytes]
) -> httpx.Response:
    return await client.post(
        "/api/v1/pipeline/execute",
        files={"file": file},
        data={"pipeline": json.dumps({"steps": steps})},
    )


async def test_three_steps_give_the_same_bytes_as_by_hand(client: httpx.AsyncClient) -> None:
    response = await _execute(client, STEPS, (PHOTO.name, PHOTO.read_bytes()))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    piped = (await client.get(data["download_url"])).content

    current: Path | tuple[str, bytes] = PHOTO
    by_hand = b""
    for step in STEPS:
        result, by_hand = await run_tool(client, step["toolId"], current, step["settings"])
        current = (result["files"][0]["name"], by_hand)
    assert piped == by_hand
    out = image(piped)
    assert (out.width, out.height) == (343, 800) and piped[8:12] == b"WEBP"
    assert data["original_size"] == PHOTO.stat().st_size
    assert data["processed_size"] == len(piped)


async def test_an_invalid_step_is_refused_before_anything_runs(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    before = set((runtime.settings.data_dir / "workspace").glob("*/out/*"))
    bad = [STEPS[0], {"toolId": "rotate", "settings": {"angle": "sideways"}}, {"toolId": "nope"}]
    response = await _execute(client, bad, ("a.png", make_png(20, 20)))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "pipeline_invalid"
    fields = {f["field"] for f in error["fields"]}
    assert {"steps.1.settings.angle", "steps.2.toolId"} <= fields
    assert set((runtime.settings.data_dir / "workspace").glob("*/out/*")) == before
    for steps in ([], "nope", [{"toolId": "resize", "settings": {"width": 0}}]):
        response = await _execute(client, steps, ("a.png", make_png(20, 20)))
        assert response.status_code == 422, steps
    response = await client.post(
        "/api/v1/pipeline/execute", files={"file": ("a.png", make_png())}, data={"pipeline": "{"}
    )
    assert response.status_code == 422


async def test_pipeline_batch_zip(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/pipeline/batch",
        files=[
            ("files", ("a.png", make_png(40, 20, seed=1))),
            ("files", ("b.png", make_png(40, 20, seed=2))),
            ("files", ("c.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)),
        ],
        data={"pipeline": json.dumps({"steps": STEPS[:2]})},
    )
    assert response.status_code == 200, response.text
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    results = json.loads(zf.read("manifest.json"))["results"]
    assert [r["status"] for r in results] == ["completed", "completed", "failed"]
    assert (image(zf.read("a.png")).width, image(zf.read("a.png")).height) == (400, 800)
    assert "c.png.error.json" in zf.namelist()


async def test_save_list_run_and_delete_saved_pipelines(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    saved = await client.post(
        "/api/v1/pipeline/save", json={"name": "web", "description": "for the site", "steps": STEPS}
    )
    assert saved.status_code == 201, saved.text
    pipeline = saved.json()["data"]
    assert pipeline["id"].startswith("pln_")
    listed = (await client.get("/api/v1/pipeline/list")).json()["data"]
    assert [p["id"] for p in listed] == [pipeline["id"]]
    assert (await other.get("/api/v1/pipeline/list")).json()["data"] == []
    bad = await client.post(
        "/api/v1/pipeline/save", json={"name": "x", "steps": [{"toolId": "no"}]}
    )
    assert bad.status_code == 422

    run = await client.post(
        "/api/v1/pipeline/execute",
        files={"file": ("a.png", make_png(20, 10))},
        data={"pipeline_id": pipeline["id"]},
    )
    assert run.status_code == 200, run.text
    assert (await other.delete(f"/api/v1/pipeline/{pipeline['id']}")).status_code == 404
    assert (await client.delete(f"/api/v1/pipeline/{pipeline['id']}")).status_code == 200
    assert (await client.get("/api/v1/pipeline/list")).json()["data"] == []

    tools = (await client.get("/api/v1/pipeline/tools")).json()["data"]
    assert {"resize", "rotate", "convert"} <= set(tools)


async def test_disabled_tools_are_hidden_and_refused(client: httpx.AsyncClient) -> None:
    put = await client.put("/api/v1/settings", json={"disabledTools": ["rotate"]})
    assert put.status_code == 200, put.text
    ids = {t["id"] for t in (await client.get("/api/v1/tools")).json()["data"]}
    assert "rotate" not in ids and "resize" in ids
    assert "rotate" not in (await client.get("/api/v1/pipeline/tools")).json()["data"]
    response = await client.post(
        "/api/v1/tools/image/rotate", files={"file": ("a.png", make_png())}, data={"settings": "{}"}
    )
    assert response.status_code == 404
    response = await _execute(client, STEPS, ("a.png", make_png(20, 20)))
    assert response.status_code == 422


async def test_a_pipeline_can_run_on_a_worker(client: httpx.AsyncClient, workers: Runtime) -> None:
    import asyncio

    response = await client.post(
        "/api/v1/pipeline/execute",
        files={"file": ("a.png", make_png(40, 20))},
        data={"pipeline": json.dumps({"steps": STEPS[:2]}), "async": "true"},
    )
    assert response.status_code == 202, response.text
    data = response.json()["data"]
    assert data["progress_url"].endswith(f"/jobs/{data['job_id']}/progress")
    for _ in range(200):
        job = (await client.get(f"/api/v1/jobs/{data['job_id']}")).json()["data"]
        if job["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "completed", job
    content = (await client.get(job["result"]["download_url"])).content
    assert (image(content).width, image(content).height) == (400, 800)  # 800 wide, turned
