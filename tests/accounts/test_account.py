"""The account: handle, profile and onboarding."""

from __future__ import annotations

import httpx

from tests.auth.helpers import bearer, login, register


async def test_account_handle_profile_and_onboarding(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await register(client, "rita1", email="Rita.Smith@example.com")
    await register(client, "rita2", email="rita.smith@other.org")
    first = await login(anon, "rita1")
    second = await login(anon, "rita2")
    a = (await anon.get("/api/v1/account", headers=bearer(first))).json()["data"]
    b = (await anon.get("/api/v1/account", headers=bearer(second))).json()["data"]
    assert a["handle"] == "rita1" and b["handle"] == "rita2"  # the usernames, not the emails
    assert a["onboarded_at"] is None and a["plan"] == "self-hosted"
    again = (await anon.get("/api/v1/account", headers=bearer(first))).json()["data"]
    assert again["handle"] == "rita1"
    patched = await anon.patch(
        "/api/v1/account", headers=bearer(first), json={"display_name": "Rita"}
    )
    assert patched.json()["data"]["display_name"] == "Rita"
    taken = await anon.patch(
        "/api/v1/account", headers=bearer(first), json={"email": "rita.smith@other.org"}
    )
    assert taken.status_code == 409
    bad = await anon.patch("/api/v1/account", headers=bearer(first), json={"email": "nope"})
    assert bad.status_code == 422
    stamped = (await anon.post("/api/v1/account/onboard", headers=bearer(first))).json()["data"]
    restamped = (
        await anon.post(
            "/api/v1/account/onboard", headers=bearer(first), json={"display_name": "R."}
        )
    ).json()["data"]
    assert stamped["onboarded_at"] == restamped["onboarded_at"] is not None
    assert restamped["display_name"] == "R."
