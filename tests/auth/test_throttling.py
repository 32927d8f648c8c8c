"""Throttling failed secrets without handing out a denial of service (issue 14, row 11):
limits per purpose, keyed by the resolved account or space plus the client address,
back-off instead of a lockout, and client addresses from trusted proxies only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from satchel.auth.models import LoginFailure
from satchel.runtime import Runtime
from tests.auth.helpers import PASSWORD, register
from tests.web.helpers import make_space

SPACE_PASSWORD = "right horse battery"
Visitor = Callable[[str], Any]


def visitor_at(app: FastAPI) -> Visitor:
    """A client whose requests come from `address` (the peer address the app sees)."""

    @asynccontextmanager
    async def open_client(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    return open_client


def age_failures(runtime: Runtime, by: timedelta) -> None:
    """Move every recorded failure back in time (instead of sleeping through a wait)."""
    with runtime.db.write_session() as session:
        for row in session.scalars(select(LoginFailure)):
            row.at = row.at - by
        session.commit()


async def _protected(client: httpx.AsyncClient) -> str:
    space = await make_space(client, visibility="protected", password=SPACE_PASSWORD)
    return f"/api/v1/public/spaces/{space['short_id']}/access"


async def test_share_guesses_do_not_count_toward_sign_ins(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    assert (await client.put("/api/v1/settings", json={"loginAttemptLimit": 3})).status_code == 200
    await register(client, "hal")
    url = await _protected(client)
    for _ in range(10):
        assert (await anon.post(url, json={"password": "guess"})).status_code == 403
    for i in range(3):
        bad = await anon.post("/api/v1/auth/login", json={"username": f"no{i}", "password": "x"})
        assert bad.status_code == 401
    # 13 failures from this address, but only 3 of them at signing in (the address may
    # fail 4 × 3): the sign-in goes through.
    ok = await anon.post("/api/v1/auth/login", json={"username": "hal", "password": PASSWORD})
    assert ok.status_code == 200, ok.text


async def test_a_space_is_not_locked_for_everyone(
    client: httpx.AsyncClient, app: FastAPI, runtime: Runtime
) -> None:
    url = await _protected(client)
    at = visitor_at(app)
    async with at("198.51.100.7") as guesser, at("203.0.113.9") as friend:
        for _ in range(10):
            assert (await guesser.post(url, json={"password": "guess"})).status_code == 403
        blocked = await guesser.post(url, json={"password": SPACE_PASSWORD})
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["retry-after"]) <= 30
        # Someone else, elsewhere, opens the space at once.
        opened = await friend.post(url, json={"password": SPACE_PASSWORD})
        assert opened.status_code == 200, opened.text
        # The guesser's wait is a back-off: once it has passed, they may try again, and each
        # further failure doubles the next wait.
        age_failures(runtime, timedelta(seconds=31))
        assert (await guesser.post(url, json={"password": "guess"})).status_code == 403
        slower = await guesser.post(url, json={"password": "guess"})
        assert slower.status_code == 429 and 30 < int(slower.headers["retry-after"]) <= 60
        age_failures(runtime, timedelta(seconds=61))
        assert (await guesser.post(url, json={"password": SPACE_PASSWORD})).status_code == 200


async def test_guesses_from_many_addresses_slow_a_space_but_never_lock_it(
    client: httpx.AsyncClient, app: FastAPI, runtime: Runtime
) -> None:
    url = await _protected(client)
    at = visitor_at(app)
    for n in range(4):  # 40 wrong passwords in all: the space-wide count
        async with at(f"192.0.2.{n + 1}") as guesser:
            for _ in range(10):
                assert (await guesser.post(url, json={"password": "guess"})).status_code == 403
    async with at("203.0.113.20") as visitor:
        slowed = await visitor.post(url, json={"password": SPACE_PASSWORD})
        assert slowed.status_code == 429
        assert int(slowed.headers["retry-after"]) <= 60  # a minute at most, never a lockout
        age_failures(runtime, timedelta(seconds=61))
        assert (await visitor.post(url, json={"password": SPACE_PASSWORD})).status_code == 200


async def test_signing_in_by_email_does_not_bypass_the_account_counter(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    assert (await client.put("/api/v1/settings", json={"loginAttemptLimit": 3})).status_code == 200
    await register(client, "gus", email="gus@example.com")
    for name in ("gus", "GUS", "gus@example.com"):
        bad = await anon.post("/api/v1/auth/login", json={"username": name, "password": "bad"})
        assert bad.status_code == 401
    for name in ("gus@example.com", "gus"):
        blocked = await anon.post(
            "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert blocked.status_code == 429, name
        assert blocked.json()["error"]["code"] == "too_many_attempts"


async def test_client_address_comes_from_trusted_proxies_only(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, runtime: Runtime
) -> None:
    url = await _protected(client)

    async def guesses(forwarded_for: str) -> None:
        for _ in range(10):
            headers = {"X-Forwarded-For": forwarded_for}
            wrong = await anon.post(url, json={"password": "guess"}, headers=headers)
            assert wrong.status_code == 403

    async def right(forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return (
            await anon.post(url, json={"password": SPACE_PASSWORD}, headers=headers)
        ).status_code

    # Not configured: the header is the caller's word and changes nothing (the peer counts).
    await guesses("198.51.100.1")
    assert await right("198.51.100.2") == 429
    age_failures(runtime, timedelta(hours=1))
    # Behind a trusted proxy (the test client's 127.0.0.1): the forwarded address counts,
    # the nearest one that is not a proxy itself.
    runtime.settings.trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
    await guesses("198.51.100.1, 10.1.2.3")
    assert await right("198.51.100.1") == 429
    assert await right("198.51.100.2, 10.9.9.9") == 200
    # A forged left-most entry does not help: the proxy appended the real address.
    assert await right("203.0.113.1, 198.51.100.1") == 429
