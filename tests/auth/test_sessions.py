"""Signing in and out, session expiry, throttling, password changes, cookies and CSRF."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from satchel.auth.models import LoginSession
from satchel.db import utcnow
from satchel.runtime import Runtime
from tests.auth.helpers import PASSWORD, bearer, login, register


async def test_login_session_logout(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    await register(client, "carol", email="Carol@Example.com")
    token = await login(anon, "carol")
    assert token.startswith("sst_")
    who = await anon.get("/api/v1/auth/session", headers=bearer(token))
    assert who.status_code == 200
    assert who.json()["data"]["user"]["username"] == "carol"
    assert who.json()["data"]["permissions"] == sorted(who.json()["data"]["permissions"])
    # By email too, any case; and at the seed's own path.
    assert await login(anon, "carol@example.com")
    seed = await anon.post("/api/auth/login", json={"username": "CAROL", "password": PASSWORD})
    assert seed.status_code == 200
    out = await anon.post("/api/v1/auth/logout", headers=bearer(token))
    assert out.status_code == 200
    assert (await anon.get("/api/v1/auth/session", headers=bearer(token))).status_code == 401


async def test_wrong_password_and_unknown_user_look_the_same(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await register(client, "dave")
    wrong = await anon.post("/api/v1/auth/login", json={"username": "dave", "password": "nope!!!!"})
    unknown = await anon.post("/api/v1/auth/login", json={"username": "zed", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_expired_session_is_refused(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "erin")
    token = await login(anon, "erin")
    with runtime.db.session() as s:
        s.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    response = await anon.get("/api/v1/auth/session", headers=bearer(token))
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


async def test_session_lifetime_follows_settings(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.session_hours = 2
    await register(client, "fay")
    response = await anon.post("/api/v1/auth/login", json={"username": "fay", "password": PASSWORD})
    expires = response.json()["data"]["expires_at"]
    from datetime import datetime

    left = datetime.fromisoformat(expires) - utcnow()
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)


async def test_login_throttling_per_account_and_address(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    assert (await client.put("/api/v1/settings", json={"loginAttemptLimit": 3})).status_code == 200
    await register(client, "gus")
    for _ in range(3):
        bad = await anon.post("/api/v1/auth/login", json={"username": "gus", "password": "bad"})
        assert bad.status_code == 401
    blocked = await anon.post("/api/v1/auth/login", json={"username": "gus", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60 + 1
    # The address: 4 × the limit failures across any accounts blocks it too.
    for i in range(9):
        await anon.post("/api/v1/auth/login", json={"username": f"nobody{i}", "password": "x"})
    await register(client, "hal")
    from_same_address = await anon.post(
        "/api/v1/auth/login", json={"username": "hal", "password": PASSWORD}
    )
    assert from_same_address.status_code == 429


async def test_change_password_revokes_other_sessions_and_keys(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    await register(client, "ivy")
    current = await login(anon, "ivy")
    other = await login(anon, "ivy")
    key = await anon.post(
        "/api/v1/api-keys", headers=bearer(current), json={"name": "script", "scopes": ["read"]}
    )
    raw = key.json()["data"]["key"]
    assert (await anon.get("/api/v1/assets", headers=bearer(raw))).status_code == 200
    weak = await anon.post(
        "/api/v1/auth/change-password",
        headers=bearer(current),
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "password_too_weak"
    wrong = await anon.post(
        "/api/v1/auth/change-password",
        headers=bearer(current),
        json={"current_password": "nope", "new_password": "a new one!"},
    )
    assert wrong.status_code == 422
    changed = await anon.post(
        "/api/v1/auth/change-password",
        headers=bearer(current),
        json={"current_password": PASSWORD, "new_password": "a new one!"},
    )
    assert changed.status_code == 200
    assert (await anon.get("/api/v1/auth/session", headers=bearer(current))).status_code == 200
    assert (await anon.get("/api/v1/auth/session", headers=bearer(other))).status_code == 401
    assert (await anon.get("/api/v1/assets", headers=bearer(raw))).status_code == 401
    assert await login(anon, "ivy", "a new one!")
    old = await anon.post("/api/v1/auth/login", json={"username": "ivy", "password": PASSWORD})
    assert old.status_code == 401


async def test_admin_reset_password_ends_everything(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    user = await register(client, "jay")
    token = await login(anon, "jay")
    reset = await client.post(
        f"/api/v1/auth/users/{user['id']}/reset-password", json={"password": "fresh password"}
    )
    assert reset.status_code == 200
    assert (await anon.get("/api/v1/auth/session", headers=bearer(token))).status_code == 401
    assert await login(anon, "jay", "fresh password")


async def test_cookie_session_needs_csrf_for_unsafe_methods(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await register(client, "kim")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        response = await browser.post(
            "/api/v1/auth/login", json={"username": "kim", "password": PASSWORD}
        )
        cookies = response.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookies if c.startswith("satchel_session="))
        assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
        csrf = response.json()["data"]["csrf_token"]
        assert browser.cookies["satchel_csrf"] == csrf
        # Reads work on the cookie alone.
        assert (await browser.get("/api/v1/auth/session")).status_code == 200
        # Writes need the CSRF header that only the page itself can read.
        forged = await browser.post("/api/v1/api-keys", json={"name": "x"})
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
        # Another last character (a token ends in "A" one time in 16: it was flaky).
        other = csrf[:-1] + ("E" if csrf.endswith("A") else "A")
        wrong = await browser.post(
            "/api/v1/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": other}
        )
        assert wrong.status_code == 403
        ok = await browser.post(
            "/api/v1/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": csrf}
        )
        assert ok.status_code == 201
        out = await browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 200
        assert (await browser.get("/api/v1/auth/session")).status_code == 401


@pytest.mark.parametrize("level", [logging.DEBUG])
async def test_no_secret_is_logged_or_returned(
    client: httpx.AsyncClient,
    anon: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    level: int,
) -> None:
    caplog.set_level(level)
    await register(client, "lee")
    token = await login(anon, "lee")
    created = await anon.post("/api/v1/api-keys", headers=bearer(token), json={"name": "k"})
    raw = created.json()["data"]["key"]
    await anon.post("/api/v1/auth/login", json={"username": "lee", "password": "guess-1234"})
    listed = await anon.get("/api/v1/api-keys", headers=bearer(token))
    audit = await client.get("/api/v1/audit-log", params={"limit": 100})
    for secret in (PASSWORD, "guess-1234", token, raw):
        assert secret not in caplog.text
        assert secret not in listed.text
        assert secret not in audit.text
    assert "key_hash" not in listed.text and "key" not in listed.json()["data"][0]


@pytest.mark.parametrize(
    ("base_url", "cookie_secure", "secure"),
    [
        ("https://files.example.org", None, True),  # https: Secure without being asked
        ("http://testserver", None, False),
        ("https://files.example.org", False, False),  # an explicit choice wins
        ("http://testserver", True, True),
    ],
)
async def test_cookies_are_secure_when_the_base_url_is_https(
    client: httpx.AsyncClient,
    app: FastAPI,
    runtime: Runtime,
    base_url: str,
    cookie_secure: bool | None,
    secure: bool,
) -> None:
    await register(client, "sam")
    runtime.settings.base_url, runtime.settings.cookie_secure = base_url, cookie_secure
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        response = await browser.post(
            "/api/v1/auth/login", json={"username": "sam", "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        cookies = response.headers.get_list("set-cookie")
        mine = [c for c in cookies if c.startswith(("satchel_session=", "satchel_csrf="))]
        assert len(mine) == 2
        assert all(("; secure" in c.lower()) is secure for c in mine), cookies
