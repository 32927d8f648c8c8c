"""Usernames and emails are one sign-in space: nobody takes over another account's
identifier with an unverified email, and a username always signs in its own account."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from satchel.auth.models import User
from satchel.runtime import Runtime
from tests.auth.helpers import PASSWORD, bearer, login, register


async def test_email_cannot_shadow_a_username(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    victim = await register(client, "vera@example.com")
    await register(client, "mallory")
    as_mallory = bearer(await login(anon, "mallory"))
    hijack = await anon.patch(
        "/api/v1/account", headers=as_mallory, json={"email": "VERA@example.com"}
    )
    assert hijack.status_code == 409, hijack.text
    assert hijack.json()["error"]["code"] == "email_taken"
    clash = await client.post(
        "/api/v1/auth/register",
        json={"username": "other", "password": PASSWORD, "email": "vera@example.com"},
    )
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "user_exists"
    # Even a clash already in the rows (made before this rule) resolves to the username.
    with runtime.db.write_session() as session:
        session.execute(
            update(User).where(User.username == "mallory").values(email="vera@example.com")
        )
        session.commit()
    token = await login(anon, "vera@example.com")
    me = (await anon.get("/api/v1/auth/session", headers=bearer(token))).json()["data"]
    assert me["user"]["id"] == victim["id"]


async def test_a_username_cannot_take_another_accounts_email(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    # The other way round: an account signs in by its email, and a new username spelled as
    # that email would answer the same sign-in name.
    owner = await client.post(
        "/api/v1/auth/register",
        json={"username": "olga", "password": PASSWORD, "email": "olga@example.com"},
    )
    assert owner.status_code == 201, owner.text
    for name in ("olga@example.com", "OLGA@example.com"):
        taken = await client.post(
            "/api/v1/auth/register", json={"username": name, "password": PASSWORD + "x"}
        )
        assert taken.status_code == 409, taken.text
        assert taken.json()["error"]["code"] == "user_exists"
    token = await login(anon, "olga@example.com")
    me = (await anon.get("/api/v1/auth/session", headers=bearer(token))).json()["data"]
    assert me["user"]["id"] == owner.json()["data"]["id"]
