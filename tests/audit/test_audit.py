"""Each action writes its audit entry; the log filters by action and time, and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.auth.helpers import PASSWORD, bearer, login, register
from tests.conftest import make_png, upload


async def _actions(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/api/v1/audit-log", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [e["action"] for e in response.json()["data"]]


async def test_each_action_is_recorded(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    user = await register(client, "sam")
    await anon.post("/api/v1/auth/login", json={"username": "sam", "password": "wrong"})
    token = await login(anon, "sam")
    key = (await anon.post("/api/v1/api-keys", headers=bearer(token), json={"name": "k"})).json()
    await anon.delete(f"/api/v1/api-keys/{key['data']['id']}", headers=bearer(token))
    await anon.post(
        "/api/v1/auth/change-password",
        headers=bearer(token),
        json={"current_password": PASSWORD, "new_password": "changed pass"},
    )
    await anon.post("/api/v1/auth/logout", headers=bearer(token))
    await client.post(
        f"/api/v1/auth/users/{user['id']}/reset-password", json={"password": "reset password"}
    )
    await client.put(f"/api/v1/auth/users/{user['id']}", json={"display_name": "Sam"})
    role = (await client.post("/api/v1/roles", json={"name": "r1"})).json()["data"]
    await client.put(f"/api/v1/roles/{role['id']}", json={"description": "d"})
    await client.delete(f"/api/v1/roles/{role['id']}")
    team = (await client.post("/api/v1/teams", json={"name": "T"})).json()["data"]
    await client.put(f"/api/v1/teams/{team['id']}", json={"name": "T2"})
    await client.delete(f"/api/v1/teams/{team['id']}")
    await client.put("/api/v1/settings", json={"enableExperimentalTools": True})
    asset = await upload(client, make_png(seed=50))
    await client.delete(f"/api/v1/assets/{asset['data']['id']}?permanent=true")
    await client.delete(f"/api/v1/auth/users/{user['id']}")
    recorded = set(await _actions(client))
    assert recorded >= {
        "USER_CREATED",
        "LOGIN_FAILED",
        "LOGIN_SUCCEEDED",
        "API_KEY_CREATED",
        "API_KEY_REVOKED",
        "PASSWORD_CHANGED",
        "LOGOUT",
        "PASSWORD_RESET",
        "USER_UPDATED",
        "ROLE_CREATED",
        "ROLE_UPDATED",
        "ROLE_DELETED",
        "TEAM_CREATED",
        "TEAM_UPDATED",
        "TEAM_DELETED",
        "SETTINGS_UPDATED",
        "ASSET_DELETED",
        "USER_DELETED",
    }
    entries = (await client.get("/api/v1/audit-log", params={"action": "ASSET_DELETED"})).json()
    entry = entries["data"][0]
    assert entry["target_id"] == asset["data"]["id"] and entry["actor_id"]
    assert entry["ip"] and entry["at"]


async def test_filters_and_paging(client: httpx.AsyncClient) -> None:
    for name in ("a1", "a2", "a3"):
        await register(client, name)
    assert await _actions(client, action="USER_CREATED") == ["USER_CREATED"] * 3
    page = await client.get("/api/v1/audit-log", params={"limit": 2, "page": 2})
    body = page.json()
    assert body["meta"]["total"] == 3 and len(body["data"]) == 1 and not body["meta"]["has_more"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await _actions(client, **{"from": future}) == []
    assert len(await _actions(client, to=future)) == 3
    assert (await client.get("/api/v1/audit-log", params={"limit": 101})).status_code == 422


async def test_audit_needs_permission(other: httpx.AsyncClient) -> None:
    response = await other.get("/api/v1/audit-log")
    assert response.status_code == 403
    assert response.json()["error"]["code"] in ("insufficient_permission", "insufficient_scope")
