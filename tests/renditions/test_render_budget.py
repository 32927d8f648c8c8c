"""Renditions run under the run sandbox's limits (issue 14 #4): a slow render is stopped
at its time budget with `tool_timeout` while the server serves on, and renditions take
their turn in the same pool as tool runs, so with one slot a second render waits for
the first instead of running beside it.

A render is made slow by its input, not by a test hook: an AVIF of a 3000×3000 picture
takes seconds to encode, far past a budget lowered to a fraction of a second."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from satchel.assets.models import Derivative
from satchel.config import Settings
from satchel.renditions.service import wait_for_cache
from satchel.runs import service as runs
from satchel.runtime import Runtime
from tests.conftest import make_png, upload
from tests.tools.helpers import image

BUDGET = 0.4  # seconds a render may take in the first test (the default is 60)
MARGIN = 15.0  # receiving, answering and a loaded CI machine; a bound, not a promise
SLOW = {"w": 3000, "h": 3000, "format": "avif"}  # seconds of encoding at any budget


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.tool_concurrency = 1  # one sandbox process: renders and runs take turns
    return settings


async def _asset(client: httpx.AsyncClient, width: int, height: int, seed: int) -> str:
    made = await upload(client, make_png(width, height, seed=seed), filename=f"p{seed}.png")
    asset_id: str = made["data"]["id"]
    return asset_id


async def _render(client: httpx.AsyncClient, asset_id: str, **params: Any) -> httpx.Response:
    return await client.get(f"/api/v1/assets/{asset_id}/render", params=params)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _renditions(runtime: Runtime, asset_id: str) -> list[str]:
    with runtime.db.session() as session:
        kinds = session.scalars(select(Derivative.kind).where(Derivative.asset_id == asset_id))
        return [k for k in kinds if k.startswith("r:")]


@pytest.mark.timeout(120)
async def test_a_slow_render_stops_at_its_budget(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    big = await _asset(client, 3000, 3000, seed=71)
    small = await _asset(client, 40, 30, seed=72)
    warm = await _render(client, small, w=20)  # the sandbox process is up and idle
    assert warm.status_code == 200, warm.text
    [worker] = runs.pool(runtime).pids()

    runtime.settings.tool_seconds = BUDGET
    started = time.monotonic()
    slow = await _render(client, big, **SLOW)
    took = time.monotonic() - started
    assert slow.status_code == 422, slow.text
    error = slow.json()["error"]
    assert error["code"] == "tool_timeout"  # the code a tool run that hangs gets
    assert f"{BUDGET:g} seconds" in error["message"]
    assert took < BUDGET + MARGIN
    # The process doing the work was stopped (not left encoding), a fresh one took its
    # slot, and nothing half-made was cached.
    assert not _alive(worker)
    assert runs.pool(runtime).pids() != [worker]
    wait_for_cache()
    assert _renditions(runtime, big) == []

    # The server serves on, renders included (back at the usual budget).
    runtime.settings.tool_seconds = 60.0
    assert (await client.get("/api/v1/health")).status_code == 200
    after = await _render(client, small, w=10, format="png")
    assert after.status_code == 200, after.text
    assert (image(after.content).width, image(after.content).height) == (10, 8)
    wait_for_cache()  # before the database goes with the test
    assert len(_renditions(runtime, small)) == 2  # the warm-up's and this one


@pytest.mark.timeout(180)
async def test_renders_wait_their_turn_in_the_run_pool(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    big = await _asset(client, 3000, 3000, seed=73)
    small = await _asset(client, 40, 30, seed=74)
    png = make_png(40, 30, seed=75)

    def resize() -> Awaitable[httpx.Response]:
        return client.post(
            "/api/v1/tools/image/resize",
            files={"file": ("r.png", png)},
            data={"settings": json.dumps({"width": 8})},
        )

    # Warm both paths: the sandbox process is up and idle, the tool catalog loaded.
    assert (await _render(client, small, w=20)).status_code == 200
    warm_run = await resize()
    assert warm_run.status_code == 200, warm_run.text
    pool = runs.pool(runtime)
    assert pool.size == 1 and len(pool.pids()) == 1

    finished: list[str] = []

    def track(name: str, request: Awaitable[httpx.Response]) -> asyncio.Future[httpx.Response]:
        task = asyncio.ensure_future(request)
        task.add_done_callback(lambda _: finished.append(name))
        return task

    slow = track("slow render", _render(client, big, **SLOW))
    deadline = time.monotonic() + 60
    while pool.pids():  # until the slow render holds the only process
        assert not slow.done(), slow.result().text
        assert time.monotonic() < deadline, "the slow render never reached the pool"
        await asyncio.sleep(0.01)
    quick = track("quick render", _render(client, small, w=12, format="png"))
    run = track("tool run", resize())
    slow_answer, quick_answer, run_answer = await asyncio.gather(slow, quick, run)

    # Each was made, and the quick ones (milliseconds alone) ended only after the slow
    # one (seconds) gave the process back: they waited (the pool refuses nobody), and
    # none ran beside it.
    assert finished[0] == "slow render", finished
    assert slow_answer.status_code == 200, slow_answer.text
    assert slow_answer.headers["content-type"] == "image/avif"
    assert (image(slow_answer.content).width, image(slow_answer.content).height) == (3000, 3000)
    assert quick_answer.status_code == 200, quick_answer.text
    assert (image(quick_answer.content).width, image(quick_answer.content).height) == (12, 9)
    assert run_answer.status_code == 200, run_answer.text
    assert len(pool.pids()) == 1  # still one process: the limit was never passed
    wait_for_cache()  # before the database goes with the test
    assert len(_renditions(runtime, big)) == 1 and len(_renditions(runtime, small)) == 2
