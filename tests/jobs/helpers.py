"""Waiting for background work in tests (bounded, never a timed assertion)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

DONE = ("ready", "failed")


async def wait_for_asset(
    client: httpx.AsyncClient,
    asset_id: str,
    *,
    statuses: tuple[str, ...] = DONE,
    within: float = 120.0,
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        response = await client.get(f"/api/v1/assets/{asset_id}")
        asset: dict[str, Any] = response.json()["data"]
        if asset["status"] in statuses:
            return asset
        assert time.monotonic() < deadline, f"{asset_id} stuck in {asset['status']}"
        await asyncio.sleep(0.05)


async def wait_for_job(
    client: httpx.AsyncClient, job_id: str, *, statuses: tuple[str, ...], within: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        job: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, f"{job_id} stuck in {job['status']}"
        await asyncio.sleep(0.05)
