"""The rate limit through the real app: per key, per address, the admin exemption only when
configured, and one count across two nodes when the counters are in Redis."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from satchel.api.app import create_app
from satchel.config import Settings
from satchel.runtime import Runtime, start
from tests.conftest import ADMIN_KEY, make_user

LIMIT = 4


def node(data_dir: Path, **extra: Any) -> Runtime:
    return start(
        Settings(
            data_dir=data_dir,
            admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
            base_url="http://testserver",
            rate_limit_per_min=LIMIT,
            run_enrichment=False,
            **extra,
        )
    )


def caller(app: FastAPI, key: str | None, address: str) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = node(tmp_path / "data")
    yield rt
    rt.close()


async def used_up(client: httpx.AsyncClient, n: int = LIMIT) -> httpx.Response:
    for _ in range(n):
        assert (await client.get("/api/v1/assets")).status_code == 200
    return await client.get("/api/v1/assets")


def assert_limited(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["retry-after"]) <= 61


async def test_a_key_over_its_minute_gets_429(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime)
    key = make_user(runtime, username="busy", scopes=["read"])
    other = make_user(runtime, username="calm", scopes=["read"])
    async with contextlib.AsyncExitStack() as stack:
        # Each key from its own address: the key's count is what stops it.
        spread = [
            await stack.enter_async_context(caller(app, key, f"127.0.1.{i}")) for i in range(6)
        ]
        for c in spread[:LIMIT]:
            assert (await c.get("/api/v1/assets")).status_code == 200
        assert_limited(await spread[LIMIT].get("/api/v1/assets"))
        calm = await stack.enter_async_context(caller(app, other, "127.0.2.1"))
        assert (await calm.get("/api/v1/assets")).status_code == 200


async def test_an_address_over_its_minute_gets_429(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime)
    keys = [make_user(runtime, username=f"u{i}", scopes=["read"]) for i in range(LIMIT + 1)]
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(caller(app, k, "127.0.3.1")) for k in keys]
        for c in clients[:LIMIT]:
            assert (await c.get("/api/v1/assets")).status_code == 200
        assert_limited(await clients[LIMIT].get("/api/v1/assets"))
        # Anonymous and bad-key requests from that address count too.
        anon = await stack.enter_async_context(caller(app, None, "127.0.3.1"))
        assert_limited(await anon.get("/api/v1/health"))
        guess = await stack.enter_async_context(caller(app, "sat_wrong", "127.0.3.1"))
        assert_limited(await guess.get("/api/v1/assets"))


async def test_the_admin_key_counts_unless_exempt(tmp_path: Path) -> None:
    for exempt in (False, True):
        rt = node(tmp_path / f"data-{exempt}", rate_limit_exempt_admin=exempt)
        try:
            async with caller(create_app(rt.settings, rt), ADMIN_KEY, "127.0.4.1") as admin:
                r = await used_up(admin)
                if exempt:
                    assert r.status_code == 200, r.text
                else:
                    assert_limited(r)
        finally:
            rt.close()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    from tests.servers import redis_server

    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
async def two_nodes(tmp_path: Path, redis_url: str) -> AsyncIterator[list[httpx.AsyncClient]]:
    runtimes = [node(tmp_path / f"n{i}", redis_url=redis_url) for i in range(2)]
    try:
        async with contextlib.AsyncExitStack() as stack:
            yield [
                await stack.enter_async_context(
                    caller(create_app(rt.settings, rt), ADMIN_KEY, "127.0.5.1")
                )
                for rt in runtimes
            ]
    finally:
        for rt in runtimes:
            rt.close()


async def test_redis_counts_across_nodes(two_nodes: list[httpx.AsyncClient]) -> None:
    a, b = two_nodes
    for i in range(LIMIT):
        assert (await (a if i % 2 else b).get("/api/v1/assets")).status_code == 200
    assert_limited(await a.get("/api/v1/assets"))
    assert_limited(await b.get("/api/v1/assets"))
