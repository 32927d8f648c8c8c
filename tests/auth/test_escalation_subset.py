"""A `users:manage` role hands out, resets and edits only what it fully holds (issue 14,
row 2), also when the stronger side is a custom role rather than the built-in admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from satchel.auth.permissions import BUILTIN_ROLES
from tests.auth.helpers import PASSWORD, bearer, login, register

USER = sorted(BUILTIN_ROLES["user"][1])
HELPDESK = [*USER, "users:manage"]
# Not within helpdesk's permissions: a superset of them, or a role with one permission
# helpdesk lacks (files:all) that also lacks one helpdesk has (users:manage).
STRONGER = {
    "supervisor": [*HELPDESK, "files:all"],
    "archivist": [*USER, "files:all"],
}
READER = ["settings:read", "tools:use"]  # a subset of helpdesk's permissions


@dataclass(frozen=True)
class Strong:
    role: dict[str, Any]
    user: dict[str, Any]  # the one user holding `role`


@dataclass(frozen=True)
class Desk:
    """The admin's setup: hank holds helpdesk, ivy is ordinary, and each stronger role
    has one user."""

    hank: dict[str, str]
    ivy: dict[str, Any]
    strong: list[Strong]
    reader: dict[str, Any]


def refused(response: httpx.Response) -> bool:
    return (
        response.status_code == 403
        and response.json()["error"]["code"] == "insufficient_permission"
    )


async def make_role(admin: httpx.AsyncClient, name: str, permissions: list[str]) -> dict[str, Any]:
    made = await admin.post("/api/v1/roles", json={"name": name, "permissions": permissions})
    assert made.status_code == 201, made.text
    role: dict[str, Any] = made.json()["data"]
    return role


async def user_named(admin: httpx.AsyncClient, username: str) -> dict[str, Any] | None:
    users: list[dict[str, Any]] = (await admin.get("/api/v1/auth/users")).json()["data"]
    return next((u for u in users if u["username"] == username), None)


async def role_named(admin: httpx.AsyncClient, name: str) -> dict[str, Any] | None:
    roles: list[dict[str, Any]] = (await admin.get("/api/v1/roles")).json()["data"]
    return next((r for r in roles if r["name"] == name), None)


@pytest.fixture
async def desk(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> Desk:
    await make_role(client, "helpdesk", HELPDESK)
    reader = await make_role(client, "reader", READER)
    strong = []
    for name, permissions in STRONGER.items():
        role = await make_role(client, name, permissions)
        strong.append(Strong(role, await register(client, f"{name}-sam", role=name)))
    await register(client, "hank", role="helpdesk")
    ivy = await register(client, "ivy")
    return Desk(bearer(await login(anon, "hank")), ivy, strong, reader)


async def test_helpdesk_cannot_give_another_user_a_stronger_role(
    desk: Desk, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    for strong in desk.strong:
        given = await anon.put(
            f"/api/v1/auth/users/{desk.ivy['id']}",
            headers=desk.hank,
            json={"role": strong.role["name"]},
        )
        assert refused(given), (strong.role["name"], given.text)
    assert (await user_named(client, "ivy")) == desk.ivy  # unchanged, role included


async def test_helpdesk_cannot_register_a_user_with_a_stronger_role(
    desk: Desk, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    for strong in desk.strong:
        made = await anon.post(
            "/api/v1/auth/register",
            headers=desk.hank,
            json={"username": "mallory", "password": PASSWORD, "role": strong.role["name"]},
        )
        assert refused(made), (strong.role["name"], made.text)
    assert await user_named(client, "mallory") is None


async def test_helpdesk_cannot_reset_change_or_delete_a_stronger_user(
    desk: Desk, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    for strong in desk.strong:
        url = f"/api/v1/auth/users/{strong.user['id']}"
        reset = await anon.post(
            f"{url}/reset-password", headers=desk.hank, json={"password": "taken over, thanks"}
        )
        assert refused(reset), reset.text
        for change in ({"role": "user"}, {"display_name": "Demoted"}, {"team_id": None}):
            changed = await anon.put(url, headers=desk.hank, json=change)
            assert refused(changed), (change, changed.text)
        # No route disables a user (that is the operator's `satchel user disable`), and
        # the body of a change has no field for it.
        disabled = await anon.put(url, headers=desk.hank, json={"status": "disabled"})
        assert disabled.status_code == 422, disabled.text
        assert disabled.json()["error"]["code"] == "validation_error"
        deleted = await anon.delete(url, headers=desk.hank)
        assert refused(deleted), deleted.text
        # Untouched: the same row, still active, and the old password still signs in.
        assert (await user_named(client, strong.user["username"])) == strong.user
        assert strong.user["status"] == "active"
        assert await login(anon, strong.user["username"])
        taken = {"username": strong.user["username"], "password": "taken over, thanks"}
        assert (await anon.post("/api/v1/auth/login", json=taken)).status_code == 401


async def test_helpdesk_cannot_edit_or_mint_a_role_it_does_not_fully_hold(
    desk: Desk, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    for strong in desk.strong:
        url = f"/api/v1/roles/{strong.role['id']}"
        for change in (
            {"description": "harmless, surely"},
            {"name": "renamed"},
            {"permissions": READER},  # even taking permissions away
        ):
            edited = await anon.put(url, headers=desk.hank, json=change)
            assert refused(edited), (strong.role["name"], change, edited.text)
        assert refused(await anon.delete(url, headers=desk.hank))
        minted = await anon.post(
            "/api/v1/roles",
            headers=desk.hank,
            json={"name": "shadow", "permissions": strong.role["permissions"]},
        )
        assert refused(minted), minted.text
        # Nothing moved: the role as the admin made it, its user still in it.
        after = await role_named(client, strong.role["name"])
        assert after == {**strong.role, "user_count": 1}
    # A role it does hold cannot be grown past helpdesk's own permissions.
    grown = await anon.put(
        f"/api/v1/roles/{desk.reader['id']}",
        headers=desk.hank,
        json={"permissions": [*READER, "files:all"]},
    )
    assert refused(grown), grown.text
    assert (await role_named(client, "reader") or {}).get("permissions") == READER
    assert await role_named(client, "shadow") is None


async def test_helpdesk_still_grants_a_role_within_its_own(
    desk: Desk, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    given = await anon.put(
        f"/api/v1/auth/users/{desk.ivy['id']}", headers=desk.hank, json={"role": "reader"}
    )
    assert given.status_code == 200, given.text
    assert given.json()["data"]["role"] == "reader"
    made = await anon.post(
        "/api/v1/auth/register",
        headers=desk.hank,
        json={"username": "rita", "password": PASSWORD, "role": "reader"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"]["role"] == "reader"
    # The role really is in force: ivy signs in holding exactly the reader's permissions.
    session = await anon.get("/api/v1/auth/session", headers=bearer(await login(anon, "ivy")))
    assert session.json()["data"]["permissions"] == READER
