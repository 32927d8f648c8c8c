"""A Host header is the caller's to write: without `SATCHEL_BASE_URL` it never reaches
signed links, og tags or the CSP of a page a cache may share, and pages vary on Host."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from satchel.api.app import create_app
from satchel.config import Settings
from satchel.runtime import Runtime, start
from tests.conftest import ADMIN_KEY, make_png, upload
from tests.web.helpers import make_space, read


@pytest.fixture
async def unconfigured(settings: Settings) -> AsyncIterator[tuple[FastAPI, Runtime]]:
    bare = settings.model_copy(update={"base_url": None, "allowed_hosts": ["files.example"]})
    runtime = start(bare)
    yield create_app(bare, runtime), runtime
    runtime.close()


def _client(app: FastAPI, host: str, key: str | None = ADMIN_KEY) -> httpx.AsyncClient:
    headers = {"Host": host, **({"Authorization": f"Bearer {key}"} if key else {})}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=f"http://{host}", headers=headers
    )


async def test_foreign_host_never_reaches_links_or_pages(
    unconfigured: tuple[FastAPI, Runtime],
) -> None:
    app, _ = unconfigured
    async with _client(app, "evil.example") as evil, _client(app, "evil.example", None) as anon:
        asset = (await upload(evil, make_png(16, 16, seed=21), filename="a.png"))["data"]
        signed = (await evil.get(f"/api/v1/assets/{asset['id']}/url")).json()["data"]["url"]
        assert "evil.example" not in signed
        assert signed.startswith("http://127.0.0.1:8080/")
        space = await make_space(evil, asset_ids=(asset["id"],))
        page = await anon.get(f"/s/{space['short_id']}")
        assert page.status_code == 200
        assert "evil.example" not in page.text
        assert "evil.example" not in page.headers["content-security-policy"]
        assert read(page.text).meta["og:url"].startswith("http://127.0.0.1:8080/")
        assert "host" in page.headers["vary"].lower()
    async with _client(app, "files.example") as allowed:  # SATCHEL_ALLOWED_HOSTS
        signed = (await allowed.get(f"/api/v1/assets/{asset['id']}/url")).json()["data"]["url"]
        assert signed.startswith("http://files.example/")
