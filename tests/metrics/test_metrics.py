"""`/metrics` parses with prometheus-client's own parser and moves as requests, uploads and
jobs happen; in `satchel serve` the worker processes' counts reach it too."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from satchel.runtime import Runtime
from tests.cli.test_serve import start
from tests.conftest import ADMIN_KEY, make_png, upload
from tests.jobs.helpers import wait_for_asset

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels` (0 when none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


async def test_metrics_move_with_requests_uploads_and_jobs(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    before = await scrape(client)
    png = make_png(5, 4, seed=41)
    asset = (await upload(client, png))["data"]
    await wait_for_asset(client, asset["id"])
    assert (await client.get(f"/api/v1/assets/{asset['id']}")).status_code == 200
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    route = {"method": "POST", "route": "/api/v1/assets", "status": "202"}
    assert moved("satchel_http_requests_total", **route) == 1
    one = {"method": "GET", "route": "/api/v1/assets/{asset_id}"}
    assert moved("satchel_http_requests_total", **one) >= 1  # a template, not the raw path
    assert value(after, "satchel_http_requests_total", route=f"/api/v1/assets/{asset['id']}") == 0
    assert moved("satchel_http_request_duration_seconds_count", **one) >= 1
    assert moved("satchel_uploads_total", mode="form", deduplicated="false") == 1
    assert moved("satchel_upload_bytes_total", mode="form") == len(png)
    assert moved("satchel_jobs_finished_total", kind="assets.process", outcome="completed") == 1
    assert moved("satchel_job_duration_seconds_count", kind="assets.process") == 1
    assert value(after, "satchel_workers") >= 2
    assert value(after, "satchel_blob_store_objects") >= 2  # the file and its thumbnail
    assert value(after, "satchel_blob_store_bytes") >= len(png)
    assert value(after, "satchel_build_info") == 1


async def test_metrics_need_system_health_or_the_token(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, client_for: Any, runtime: Runtime
) -> None:
    assert (await anon.get("/metrics")).status_code == 401
    async with client_for(["read"], "viewer") as viewer:
        denied = await viewer.get("/metrics")
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "insufficient_permission"
    runtime.settings.metrics_token = SecretStr("scrape-me")
    ok = await anon.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert ok.status_code == 200 and "satchel_http_requests_total" in ok.text
    wrong = await anon.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_serve_reports_what_its_worker_processes_did(tmp_path: Path) -> None:
    """Also: off a terminal, serve logs JSON lines with request ids and no keys."""
    server = start(tmp_path / "data", SATCHEL_ADMIN_API_KEY=ADMIN_KEY, SATCHEL_LOG_LEVEL="info")
    try:
        auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
        png = make_png(3, 3, seed=42)
        made = httpx.post(
            f"{server.base}/api/v1/assets", headers=auth, files={"file": ("a.png", png)}, timeout=60
        )
        assert made.status_code == 202, made.text
        deadline = time.monotonic() + 120
        while True:  # the job runs in a worker process, not in the one that serves /metrics
            samples = parse(httpx.get(f"{server.base}/metrics", headers=auth, timeout=60).text)
            if value(samples, "satchel_jobs_finished_total", kind="assets.process") >= 1:
                break
            assert time.monotonic() < deadline, "the worker's job never reached /metrics"
            time.sleep(0.2)
        assert value(samples, "satchel_workers") == 2
        assert value(samples, "satchel_uploads_total", mode="form") == 1
        access = [
            json.loads(line)
            for line in list(server.lines)
            if line.startswith("{") and '"satchel.access"' in line
        ]
        upload_line = next(a for a in access if a["route"] == "/api/v1/assets")
        assert upload_line["status"] == 202 and upload_line["request_id"].startswith("req_")
        assert ADMIN_KEY not in "".join(server.lines)
    finally:
        server.stop()
