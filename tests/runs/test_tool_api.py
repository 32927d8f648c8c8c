"""The tool API itself: catalog, run, download, errors, saving, async runs, batch ZIPs."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
from PIL import Image as PILImage

from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.tools.helpers import PHOTO, call_tool, image, run_tool


async def test_catalog_lists_tools_with_schemas(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/tools")).json()
    by_id = {t["id"]: t for t in body["data"]}
    resize = by_id["resize"]
    assert resize["section"] == "image"
    assert "width" in resize["settings_schema"]["properties"]
    assert "withoutEnlargement" in resize["settings_schema"]["properties"]
    one = (await client.get("/api/v1/tools/image/resize")).json()["data"]
    assert one["id"] == "resize"
    missing = await client.get("/api/v1/tools/video/resize")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "tool_not_found"


async def test_resize_then_download(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(
        client, "resize", PHOTO, {"width": 300, "height": 200, "fit": "inside"}
    )
    assert data["original_size"] == PHOTO.stat().st_size
    assert data["processed_size"] == len(content)
    out = image(content)
    assert (out.width, out.height) == (300, 129)
    assert data["download_url"].endswith(".jpg")


async def test_bad_settings_name_the_field(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "resize", PHOTO, {"width": -3}, expect=422)
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["fields"][0]["field"] == "settings.width"
    body = await call_tool(client, "resize", PHOTO, {"widht": 3}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.widht"
    response = await client.post(
        "/api/v1/tools/image/resize",
        files={"file": ("a.jpg", PHOTO.read_bytes())},
        data={"settings": "{not json"},
    )
    assert response.status_code == 422


async def test_wrong_and_corrupt_inputs(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "resize", ("a.txt", b"hello world\n"), {"width": 10}, expect=422)
    assert body["error"]["code"] == "tool_input_type_not_supported"
    body = await call_tool(client, "resize", ("a.png", make_png()[:40]), {"width": 10}, expect=422)
    assert body["error"]["code"] == "asset_file_corrupt"
    body = await call_tool(client, "resize", None, {"width": 10}, expect=422)
    assert body["error"]["code"] == "tool_input_missing"


async def test_downloads_are_private(client: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    data, _ = await run_tool(client, "resize", PHOTO, {"width": 50})
    assert (await other.get(data["download_url"])).status_code == 404
    job = data["job_id"]
    assert (await client.get(f"/api/v1/download/{job}/../../satchel.db")).status_code == 404
    assert (await client.get("/api/v1/download/job_../x")).status_code == 404


async def test_run_on_a_stored_asset_and_save_a_version(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    asset = (await upload(client, PHOTO))["data"]
    body = await call_tool(
        client, "resize", None, {"width": 640}, asset_id=asset["id"], save="version"
    )
    data = body["data"]
    saved = data["saved_asset_ids"]
    assert len(saved) == 1
    versions = (await client.get(f"/api/v1/assets/{asset['id']}/versions")).json()["data"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["id"] == saved[0]
    assert versions[1]["parent_id"] == asset["id"]
    assert versions[1]["width"] == 640


async def test_slow_runs_answer_202_and_finish_on_a_worker(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    body = await call_tool(client, "resize", PHOTO, {"width": 64}, expect=202, **{"async": "true"})
    job_id = body["data"]["job_id"]
    import asyncio

    for _ in range(200):
        job = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "completed", job
    url = job["result"]["download_url"]
    content = (await client.get(url)).content
    assert image(content).width == 64


async def test_batch_zip_has_one_result_per_input_and_an_error_entry(
    client: httpx.AsyncClient,
) -> None:
    files = [
        ("files", ("a.jpg", PHOTO.read_bytes())),
        ("files", ("b.png", make_png(20, 10))),
        ("files", ("c.txt", b"not an image")),
        ("files", ("d.png", make_png(30, 30)[:40])),
    ]
    response = await client.post(
        "/api/v1/tools/image/resize/batch", files=files, data={"settings": json.dumps({"width": 8})}
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-job-id"].startswith("job_")
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    names = zf.namelist()
    assert {"a.jpg", "b.png", "c.txt.error.json", "d.png.error.json"} <= set(names)
    results = json.loads(zf.read("manifest.json"))["results"]
    assert [r["status"] for r in results] == ["completed", "completed", "failed", "failed"]
    assert results[2]["code"] == "tool_input_type_not_supported"
    assert results[3]["code"] == "asset_file_corrupt"
    assert image(zf.read("a.jpg")).width == 8
    assert json.loads(zf.read("d.png.error.json"))["code"] == "asset_file_corrupt"


async def test_a_data_tool_batch_has_a_json_sidecar_per_input(client: httpx.AsyncClient) -> None:
    """What a single run answers as JSON, a batch writes as `<stem>.json`; two inputs of
    one stem get `a.json` and `a-2.json`, each the data of its own input."""

    def flat(color: tuple[int, int, int], kind: str) -> bytes:
        out = io.BytesIO()
        PILImage.new("RGB", (16, 16), color).save(out, kind)
        return out.getvalue()

    response = await client.post(
        "/api/v1/tools/image/color-palette/batch",
        files=[
            ("files", ("a.png", flat((255, 0, 0), "PNG"))),
            ("files", ("a.jpg", flat((0, 0, 255), "JPEG"))),
        ],
        data={"settings": json.dumps({"count": 1})},
    )
    assert response.status_code == 200, response.text
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    results = json.loads(zf.read("manifest.json"))["results"]
    assert [r["files"] for r in results] == [["a.json"], ["a-2.json"]]
    red, blue = json.loads(zf.read("a.json")), json.loads(zf.read("a-2.json"))
    assert red["count"] == blue["count"] == 1
    assert red["colors"] != blue["colors"]


async def test_batch_refuses_bad_settings_before_running(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/tools/image/resize/batch",
        files=[("files", ("a.png", make_png(4, 4)))],
        data={"settings": json.dumps({"width": 0})},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "settings.width"


async def test_results_expire(client: httpx.AsyncClient, runtime: Runtime) -> None:
    import os
    import time

    from satchel.runs.jobs import sweep_workspaces
    from satchel.runs.workspaces import root

    data, _ = await run_tool(client, "resize", PHOTO, {"width": 20})
    sweep_workspaces(runtime)
    assert (await client.get(data["download_url"])).status_code == 200  # still fresh
    old = time.time() - runtime.settings.tool_workspace_seconds - 10
    folder = root(runtime.settings.data_dir) / data["job_id"]
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (old, old))
    sweep_workspaces(runtime)
    gone = await client.get(data["download_url"])
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "tool_result_not_found"
