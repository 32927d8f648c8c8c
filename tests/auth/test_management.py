"""API keys and scopes, custom roles, teams, users, and admin health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.auth.helpers import bearer, login, register
from tests.conftest import make_png, upload


async def test_key_lifecycle_and_scopes(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    made = await client.post("/api/v1/api-keys", json={"name": "reader", "scopes": ["read"]})
    assert made.status_code == 201
    key = made.json()["data"]
    assert key["key"].startswith("sat_") and key["prefix"] == key["key"][:10]
    assert key["scopes"] == ["read"]
    default = await client.post("/api/v1/api-keys", json={"name": "default"})
    assert default.json()["data"]["scopes"] == ["write"]
    listed = (await client.get("/api/v1/api-keys")).json()["data"]
    assert {k["name"] for k in listed} >= {"reader", "default"}
    assert all("key" not in k for k in listed)
    reader = bearer(key["key"])
    assert (await anon.get("/api/v1/assets", headers=reader)).status_code == 200
    refused = await anon.post("/api/v1/assets", headers=reader, files={"file": ("a", b"x")})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "insufficient_scope"
    for _ in range(2):  # revoking is idempotent
        assert (await client.delete(f"/api/v1/api-keys/{key['id']}")).status_code == 200
    assert (await anon.get("/api/v1/assets", headers=reader)).status_code == 401
    assert key["id"] not in {k["id"] for k in (await client.get("/api/v1/api-keys")).json()["data"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": ""}, "name"),
        ({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ],
)
async def test_bad_key_requests(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/v1/api-keys", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field


async def test_key_expiry(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    import asyncio

    # Far enough ahead that a busy machine still creates and uses the key before it ends.
    ends = datetime.now(UTC) + timedelta(seconds=6)
    made = await client.post("/api/v1/api-keys", json={"name": "t", "expires_at": ends.isoformat()})
    key = made.json()
    assert made.status_code == 201, key
    assert (await anon.get("/api/v1/assets", headers=bearer(key["data"]["key"]))).status_code == 200
    await asyncio.sleep(max((ends - datetime.now(UTC)).total_seconds(), 0) + 0.2)
    assert (await anon.get("/api/v1/assets", headers=bearer(key["data"]["key"]))).status_code == 401


async def test_users_see_only_their_keys_and_admins_all(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await register(client, "mia")
    token = await login(anon, "mia")
    await anon.post("/api/v1/api-keys", headers=bearer(token), json={"name": "mia-key"})
    mine = (await anon.get("/api/v1/api-keys", headers=bearer(token))).json()["data"]
    assert [k["name"] for k in mine] == ["mia-key"]
    everyone = (await client.get("/api/v1/api-keys")).json()["data"]
    assert "mia-key" in {k["name"] for k in everyone}


async def test_admin_sees_everyones_files_users_their_own(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await register(client, "ned")
    token = await login(anon, "ned")
    theirs = await anon.post(
        "/api/v1/assets", headers=bearer(token), files={"file": ("n.png", make_png(seed=30))}
    )
    asset_id = theirs.json()["data"]["id"]
    mine = await upload(client, make_png(seed=31))
    admin_view = {a["id"] for a in (await client.get("/api/v1/assets")).json()["data"]}
    assert {asset_id, mine["data"]["id"]} <= admin_view
    user_view = (await anon.get("/api/v1/assets", headers=bearer(token))).json()["data"]
    assert [a["id"] for a in user_view] == [asset_id]
    assert (await client.get(f"/api/v1/assets/{asset_id}")).status_code == 200
    assert (
        await anon.get(f"/api/v1/assets/{mine['data']['id']}", headers=bearer(token))
    ).status_code == 404


async def test_custom_roles(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    roles = (await client.get("/api/v1/roles")).json()["data"]
    builtin = {r["name"]: r for r in roles}
    assert builtin["admin"]["builtin"] and len(builtin["admin"]["permissions"]) == 17
    made = await client.post(
        "/api/v1/roles",
        json={"name": "viewer", "description": "files only", "permissions": ["files:own"]},
    )
    assert made.status_code == 201
    role = made.json()["data"]
    bad = await client.post("/api/v1/roles", json={"name": "x", "permissions": ["files:steal"]})
    assert bad.status_code == 422
    dup = await client.post("/api/v1/roles", json={"name": "viewer"})
    assert dup.status_code == 409
    user = await register(client, "olga", role="viewer")
    token = await login(anon, "olga")
    assert (await anon.get("/api/v1/assets", headers=bearer(token))).status_code == 200
    keys = await anon.get("/api/v1/api-keys", headers=bearer(token))
    assert keys.status_code == 403 and keys.json()["error"]["code"] == "insufficient_permission"
    granted = await client.put(
        f"/api/v1/roles/{role['id']}", json={"permissions": ["files:own", "apikeys:own"]}
    )
    assert granted.status_code == 200 and granted.json()["data"]["user_count"] == 1
    assert (await anon.get("/api/v1/api-keys", headers=bearer(token))).status_code == 200
    admin_id = builtin["admin"]["id"]
    assert (
        await client.put(f"/api/v1/roles/{admin_id}", json={"description": "x"})
    ).status_code == 409
    assert (await client.delete(f"/api/v1/roles/{admin_id}")).status_code == 409
    gone = await client.delete(f"/api/v1/roles/{role['id']}")
    assert gone.json()["data"]["users_moved_to_user"] == 1
    users = (await client.get("/api/v1/auth/users")).json()["data"]
    assert next(u for u in users if u["id"] == user["id"])["role"] == "user"


async def test_teams(client: httpx.AsyncClient) -> None:
    teams = (await client.get("/api/v1/teams")).json()["data"]
    default = next(t for t in teams if t["is_default"])
    made = (await client.post("/api/v1/teams", json={"name": "Design"})).json()["data"]
    assert (await client.post("/api/v1/teams", json={"name": "design"})).status_code == 409
    renamed = await client.put(f"/api/v1/teams/{made['id']}", json={"name": "Studio"})
    assert renamed.json()["data"]["name"] == "Studio"
    member = await register(client, "pia", team_id=made["id"])
    busy = await client.delete(f"/api/v1/teams/{made['id']}")
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "team_has_members"
    assert (await client.delete(f"/api/v1/teams/{default['id']}")).status_code == 409
    moved = await client.put(f"/api/v1/auth/users/{member['id']}", json={"team_id": None})
    assert moved.json()["data"]["team_id"] == default["id"]
    assert (await client.delete(f"/api/v1/teams/{made['id']}")).status_code == 200


async def test_user_admin(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    user = await register(client, "quinn", email="quinn@example.com")
    assert (
        await client.post(
            "/api/v1/auth/register", json={"username": "quinn", "password": "another pass"}
        )
    ).status_code == 409
    assert (
        await client.post(
            "/api/v1/auth/register", json={"username": "bad name!", "password": "another pass"}
        )
    ).status_code == 422
    promoted = await client.put(f"/api/v1/auth/users/{user['id']}", json={"role": "admin"})
    assert promoted.json()["data"]["role"] == "admin"
    token = await login(anon, "quinn")
    await anon.post(
        "/api/v1/assets", headers=bearer(token), files={"file": ("q.png", make_png(seed=40))}
    )
    admins = [
        u for u in (await client.get("/api/v1/auth/users")).json()["data"] if u["role"] == "admin"
    ]
    me = next(u for u in admins if u["username"] == "admin")
    assert (await client.delete(f"/api/v1/auth/users/{me['id']}")).json()["error"]["code"] == (
        "cannot_delete_self"
    )
    gone = await client.delete(f"/api/v1/auth/users/{user['id']}")
    assert gone.status_code == 200 and gone.json()["data"]["assets_deleted"] == 1
    assert (await anon.get("/api/v1/auth/session", headers=bearer(token))).status_code == 401
    last = await client.put(f"/api/v1/auth/users/{me['id']}", json={"role": "user"})
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"


async def test_admin_health_and_public_config(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    health = (await client.get("/api/v1/admin/health")).json()["data"]
    assert health["database"]["status"] == "up" and health["storage"]["mode"] == "local"
    assert health["gpu"]["available"] in (True, False) and health["uptime_seconds"] >= 0
    assert (await other.get("/api/v1/admin/health")).status_code == 403
    assert (await anon.get("/api/v1/config/auth")).json() == {"authEnabled": True}  # the seed's
