"""A revoked configured admin key stays revoked across restarts."""

from __future__ import annotations

import httpx

from satchel.api.app import create_app
from satchel.config import Settings
from satchel.runtime import start
from tests.conftest import ADMIN_KEY


async def test_restart_does_not_unrevoke_the_configured_key(settings: Settings) -> None:
    runtime = start(settings)
    app = create_app(settings, runtime)
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    ) as admin:
        keys = (await admin.get("/api/v1/api-keys")).json()["data"]
        configured = next(k for k in keys if k["prefix"] == ADMIN_KEY[:10])
        assert (await admin.delete(f"/api/v1/api-keys/{configured['id']}")).status_code == 200
        assert (await admin.get("/api/v1/assets")).status_code == 401
    runtime.close()
    again = start(settings)  # the same SATCHEL_ADMIN_API_KEY
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, again)),
            base_url="http://testserver",
            headers=headers,
        ) as admin:
            assert (await admin.get("/api/v1/assets")).status_code == 401
    finally:
        again.close()
