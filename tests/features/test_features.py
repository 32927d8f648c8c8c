"""GET /features and /admin/features: the optional engines as they are on this machine."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from satchel.runtime import Runtime


async def finish(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        body = (await client.get(f"/api/v1/jobs/{job_id}")).json()
        assert "data" in body, body
        job: dict[str, Any] = body["data"]
        if job["status"] in ("completed", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("job did not finish")


async def test_the_default_engines_are_ready(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/features")
    assert response.status_code == 200, response.text
    bundles = {b["id"]: b for b in response.json()["data"]}
    assert {"ocr", "speech-en", "faces", "segmentation", "semantic-search"} <= set(bundles)
    assert {"upscaling", "moderation", "office", "chromium"} <= set(bundles)
    for bundle_id in ("ocr", "speech-en", "faces", "segmentation", "semantic-search"):
        bundle = bundles[bundle_id]
        assert bundle["installed"] and bundle["default"], bundle
        assert bundle["reason"] is None and bundle["size_on_disk"] > 100_000, bundle
        assert bundle["version"], bundle
    assert "eng" in bundles["ocr"]["languages"] and bundles["ocr"]["version"].startswith("5.")
    assert bundles["speech-en"]["size_on_disk"] > 70_000_000  # the Whisper model inside
    office = bundles["office"]
    assert office["install"]["debian_command"].startswith("apt-get install -y libreoffice")
    assert office["install"]["self_service"] is False
    for bundle in bundles.values():
        if not bundle["installed"]:
            assert bundle["reason"] and bundle["size_on_disk"] == 0


async def test_disk_usage_is_for_admins(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    usage = (await client.get("/api/v1/admin/features/disk-usage")).json()["data"]
    assert usage["total_bytes"] == sum(usage["bundles"].values()) > 70_000_000
    response = await other.get("/api/v1/admin/features/disk-usage")
    assert response.status_code == 403
    response = await other.post("/api/v1/admin/features/moderation/install")
    assert response.status_code == 403
    assert (await other.get("/api/v1/features")).status_code == 200


async def test_install_refusals_and_an_installed_bundle(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    response = await client.post("/api/v1/admin/features/office/install")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "feature_needs_system_packages"
    assert "apt-get install -y libreoffice-writer-nogui" in error["message"]
    response = await client.post("/api/v1/admin/features/no-such/install")
    assert response.status_code == 404 and response.json()["error"]["code"] == "feature_not_found"
    response = await client.post("/api/v1/admin/features/speech-en/uninstall")
    assert response.status_code == 409 and response.json()["error"]["code"] == "feature_builtin"
    response = await client.post("/api/v1/admin/features/speech-en/install")
    assert response.status_code == 202, response.text
    body = response.json()["data"]
    assert body["bundle"]["installed"] is True
    job = await finish(client, body["job_id"])
    assert job["status"] == "completed", job
    assert job["result"] == {"bundle": "speech-en", "changed": False, "installed": True}
