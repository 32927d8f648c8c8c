"""Health for operators (`/admin/health`) and the llms.txt pair generated from OpenAPI."""

from __future__ import annotations

import httpx

from satchel.api.system import ENGINES

METHODS = ("get", "post", "put", "patch", "delete")


async def test_admin_health_reports_what_an_operator_checks(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    health = (await client.get("/api/v1/admin/health")).json()["data"]
    assert health["status"] == "healthy" and health["uptime_seconds"] >= 0
    assert health["database"]["status"] == "up" and health["database"]["latency_ms"] >= 0
    assert health["storage"]["mode"] == "local" and health["storage"]["free_bytes"] > 0
    queue = health["queue"]
    assert queue["reachable"] and {"queued", "running", "pending"} <= set(queue)
    assert health["workers"]["configured"] >= 0
    assert set(health["engines"]) == set(ENGINES)
    for name, engine in health["engines"].items():
        assert engine["available"] is (ENGINES[name]() is None)
        assert engine["available"] or engine["reason"]
    assert health["gpu"]["available"] in (True, False)
    assert (await anon.get("/api/v1/admin/health")).status_code == 401


async def test_llms_txt_lists_every_operation(anon: httpx.AsyncClient) -> None:
    doc = (await anon.get("/api/v1/openapi.json")).json()
    index = await anon.get("/llms.txt")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/plain")
    text = index.text
    assert text.startswith("# Satchel\n\n> ") and "http://testserver/llms-full.txt" in text
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                assert f"- {method.upper()} {path}: {item[method].get('summary', '')}" in text
    full = (await anon.get("/llms-full.txt")).text
    assert full.startswith(text.rstrip())
    section = full.split("## POST /api/v1/webhooks\n", 1)[1].split("\n## ", 1)[0]
    assert "- `url`: string (required)" in section
    assert "Answer 201: Envelope_EndpointOut_" in section
