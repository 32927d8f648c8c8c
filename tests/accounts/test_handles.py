"""Public handles (issue 14 #10, #20): never made from an unverified email, and held
after they are given up (renamed or the account deleted) before anyone else may take it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from satchel.accounts.models import HandleHold
from satchel.db import utcnow
from satchel.runtime import Runtime
from tests.auth.helpers import bearer, login, register

PROFILE = "/api/v1/account/profile"


async def handle_of(anon: httpx.AsyncClient, token: str) -> str:
    handle: str = (await anon.get("/api/v1/account", headers=bearer(token))).json()["data"][
        "handle"
    ]
    return handle


async def test_a_handle_is_not_made_from_an_unverified_email(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    # Mallory claims the CEO's address (nobody verified it); the handle is still hers.
    await register(client, "mallory", email="ceo@example.com")
    assert await handle_of(anon, await login(anon, "mallory")) == "mallory"
    await register(client, "ceo")
    assert await handle_of(anon, await login(anon, "ceo")) == "ceo"
    await register(client, "rob@example.org")  # an email-like username: its name part
    assert await handle_of(anon, await login(anon, "rob@example.org")) == "rob"


async def test_a_renamed_handle_is_held_for_its_last_holder(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "nina")
    await register(client, "omar")
    nina, omar = bearer(await login(anon, "nina")), bearer(await login(anon, "omar"))
    assert (
        await anon.patch(PROFILE, headers=nina, json={"handle": "nina-photo"})
    ).status_code == 200
    assert (await anon.patch(PROFILE, headers=nina, json={"handle": "nina-new"})).status_code == 200
    taken = await anon.patch(PROFILE, headers=omar, json={"handle": "nina-photo"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "handle_taken"
    assert "held until" in taken.json()["error"]["message"]
    # Its last holder may take it back; then the other is held for her instead.
    assert (
        await anon.patch(PROFILE, headers=nina, json={"handle": "nina-photo"})
    ).status_code == 200
    assert (await anon.patch(PROFILE, headers=omar, json={"handle": "nina-new"})).status_code == 409
    # Once the hold is over, anyone may.
    with runtime.db.write_session() as session:
        session.execute(
            update(HandleHold)
            .where(HandleHold.handle == "nina-new")
            .values(held_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    assert (await anon.patch(PROFILE, headers=omar, json={"handle": "nina-new"})).status_code == 200


async def test_a_deleted_accounts_handle_is_held(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    gone = await register(client, "gone")
    token = await login(anon, "gone")
    assert (
        await anon.patch(PROFILE, headers=bearer(token), json={"handle": "famous"})
    ).status_code == 200
    assert (await client.delete(f"/api/v1/auth/users/{gone['id']}")).status_code == 200
    await register(client, "newcomer")
    newcomer = bearer(await login(anon, "newcomer"))
    taken = await anon.patch(PROFILE, headers=newcomer, json={"handle": "famous"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "handle_taken"
    await register(client, "famous")  # the name is free; the handle made from it is not
    assert await handle_of(anon, await login(anon, "famous")) == "famous-2"
