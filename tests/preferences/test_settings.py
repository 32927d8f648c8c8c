"""The settings admins change (`/api/v1/settings`) and who may read them."""

from __future__ import annotations

import httpx


async def test_settings(client: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    values = (await client.get("/api/v1/settings")).json()["data"]
    assert values == {"disabledTools": [], "enableExperimentalTools": False, "loginAttemptLimit": 5}
    changed = await client.put(
        "/api/v1/settings", json={"disabledTools": ["image/resize"], "loginAttemptLimit": 9}
    )
    assert changed.json()["data"]["loginAttemptLimit"] == 9
    one = await client.get("/api/v1/settings/disabledTools")
    assert one.json()["data"] == {"key": "disabledTools", "value": ["image/resize"]}
    assert (await client.get("/api/v1/settings/nope")).status_code == 404
    unknown = await client.put("/api/v1/settings", json={"colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "setting_unknown"
    bad = await client.put("/api/v1/settings", json={"loginAttemptLimit": 0})
    assert (
        bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "loginAttemptLimit"
    )
    assert (await other.get("/api/v1/settings")).status_code == 200
    denied = await other.put("/api/v1/settings", json={"loginAttemptLimit": 3})
    assert denied.status_code == 403
