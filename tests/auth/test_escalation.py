"""A custom role holding `users:manage` manages users without becoming stronger: it cannot
make itself or anyone an admin, take over the admin's password, or mint a bigger role."""

from __future__ import annotations

import httpx

from tests.auth.helpers import bearer, login, register

USER_PERMISSIONS = ["tools:use", "files:own", "apikeys:own", "pipelines:own", "settings:read"]


async def test_users_manager_cannot_escalate(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    made = await client.post(
        "/api/v1/roles",
        json={"name": "helpdesk", "permissions": [*USER_PERMISSIONS, "users:manage"]},
    )
    assert made.status_code == 201, made.text
    helpdesk_role = made.json()["data"]["id"]
    hank = await register(client, "hank", role="helpdesk")
    everyone = (await client.get("/api/v1/auth/users")).json()["data"]
    admin_id = next(u["id"] for u in everyone if u["role"] == "admin")
    as_hank = bearer(await login(anon, "hank"))

    def refused(response: httpx.Response) -> bool:
        return (
            response.status_code == 403
            and response.json()["error"]["code"] == "insufficient_permission"
        )

    assert refused(
        await anon.put(f"/api/v1/auth/users/{hank['id']}", headers=as_hank, json={"role": "admin"})
    )
    assert refused(
        await anon.put(f"/api/v1/auth/users/{hank['id']}", headers=as_hank, json={"role": "user"})
    )  # nobody changes their own role
    assert refused(
        await anon.post(
            f"/api/v1/auth/users/{admin_id}/reset-password",
            headers=as_hank,
            json={"password": "taken over, thanks"},
        )
    )
    assert refused(
        await anon.put(f"/api/v1/auth/users/{admin_id}", headers=as_hank, json={"role": "user"})
    )
    assert refused(await anon.delete(f"/api/v1/auth/users/{admin_id}", headers=as_hank))
    everything = (await client.get("/api/v1/roles")).json()["data"]
    all_permissions = next(r["permissions"] for r in everything if r["name"] == "admin")
    assert refused(
        await anon.post(
            "/api/v1/roles",
            headers=as_hank,
            json={"name": "root", "permissions": all_permissions},
        )
    )
    assert refused(
        await anon.put(
            f"/api/v1/roles/{helpdesk_role}",
            headers=as_hank,
            json={"permissions": [*USER_PERMISSIONS, "users:manage", "files:all"]},
        )
    )
    register_admin = await anon.post(
        "/api/v1/auth/register",
        headers=as_hank,
        json={"username": "mallory", "password": "x" * 12, "role": "admin"},
    )
    assert refused(register_admin)

    # What the role is for still works: ordinary users, made and reset.
    ivy = await anon.post(
        "/api/v1/auth/register",
        headers=as_hank,
        json={"username": "ivy", "password": "a long password", "role": "user"},
    )
    assert ivy.status_code == 201, ivy.text
    reset = await anon.post(
        f"/api/v1/auth/users/{ivy.json()['data']['id']}/reset-password",
        headers=as_hank,
        json={"password": "another long one"},
    )
    assert reset.status_code == 200, reset.text
    assert await login(anon, "ivy", "another long one")
    # And the admin still can do everything, including promoting.
    promoted = await client.put(f"/api/v1/auth/users/{hank['id']}", json={"role": "admin"})
    assert promoted.status_code == 200
