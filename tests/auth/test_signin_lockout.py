"""Failed sign-ins slow an account down without locking its owner out (issue 14, row 11):
the wait is keyed by the account plus the client address, it is a back-off that ends and
doubles, and guesses from elsewhere delay the owner by a minute at most.

The design (`satchel/ratelimits/attempts.py`), with `loginAttemptLimit` = L: from one
address, L failures are free, then each further one doubles a wait counted from the latest
failure (30 s, 60 s, 120 s, …); from every address together, 4 × L are free and the wait
is at most a minute. The clock of that module is the test's, so nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from satchel.db import utcnow
from satchel.ratelimits import attempts
from satchel.runtime import Runtime
from tests.auth.helpers import PASSWORD, register

LIMIT = 3
WRONG = "not the password"


class Clock:
    """The throttle's `utcnow`, standing still until the test moves it."""

    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(attempts, "utcnow", frozen)
    return frozen


@pytest.fixture
async def gus(client: httpx.AsyncClient) -> str:
    limit = await client.put("/api/v1/settings", json={"loginAttemptLimit": LIMIT})
    assert limit.status_code == 200, limit.text
    await register(client, "gus")
    return "gus"


@asynccontextmanager
async def peer_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `address` (the peer address the app sees)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def sign_in(
    c: httpx.AsyncClient, password: str, *, forwarded_for: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await c.post(
        "/api/v1/auth/login", json={"username": "gus", "password": password}, headers=headers
    )


async def fail(c: httpx.AsyncClient, times: int = 1, *, forwarded_for: str | None = None) -> None:
    for _ in range(times):
        wrong = await sign_in(c, WRONG, forwarded_for=forwarded_for)
        assert wrong.status_code == 401, wrong.text


def waits(response: httpx.Response, seconds: int) -> bool:
    return (
        response.status_code == 429
        and response.json()["error"]["code"] == "too_many_attempts"
        and response.headers["retry-after"] == str(seconds)
    )


async def test_an_account_locked_from_one_address_signs_in_from_another(
    app: FastAPI, gus: str, clock: Clock
) -> None:
    async with peer_at(app, "198.51.100.7") as guesser, peer_at(app, "203.0.113.9") as owner:
        await fail(guesser, LIMIT)
        assert waits(await sign_in(guesser, PASSWORD), 30)
        signed_in = await sign_in(owner, PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        # The owner's success clears the owner's address only: the guesser still waits.
        assert waits(await sign_in(guesser, PASSWORD), 30)


async def test_the_other_address_may_come_through_a_trusted_proxy(
    anon: httpx.AsyncClient, runtime: Runtime, gus: str, clock: Clock
) -> None:
    runtime.settings.trusted_proxies = ["127.0.0.1"]  # the test client's peer address
    await fail(anon, LIMIT, forwarded_for="198.51.100.7")
    assert waits(await sign_in(anon, PASSWORD, forwarded_for="198.51.100.7"), 30)
    signed_in = await sign_in(anon, PASSWORD, forwarded_for="203.0.113.9")
    assert signed_in.status_code == 200, signed_in.text
    assert waits(await sign_in(anon, PASSWORD, forwarded_for="198.51.100.7"), 30)


async def test_the_back_off_ends_and_doubles(app: FastAPI, gus: str, clock: Clock) -> None:
    async with peer_at(app, "198.51.100.7") as c:
        await fail(c, LIMIT)
        assert waits(await sign_in(c, PASSWORD), 30)
        clock.advance(29)
        assert waits(await sign_in(c, PASSWORD), 1)
        clock.advance(1)
        await fail(c)  # the wait is over: the password is checked again, and counted
        assert waits(await sign_in(c, PASSWORD), 60)
        clock.advance(60)
        await fail(c)
        assert waits(await sign_in(c, PASSWORD), 120)
        clock.advance(119)
        assert waits(await sign_in(c, PASSWORD), 1)
        clock.advance(1)
        signed_in = await sign_in(c, PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        # A success starts the count afresh: L free failures, then 30 s again.
        await fail(c, LIMIT)
        assert waits(await sign_in(c, PASSWORD), 30)


async def test_guesses_from_everywhere_delay_the_owner_a_minute_at_most(
    app: FastAPI, gus: str, clock: Clock
) -> None:
    async def guess_from(address: str, times: int) -> None:
        async with peer_at(app, address) as guesser:
            await fail(guesser, times)

    async with peer_at(app, "203.0.113.9") as owner:
        for n in range(4):  # 4 × L failures from everywhere are free: the owner waits 30 s
            await guess_from(f"192.0.2.{n + 1}", LIMIT)
        assert waits(await sign_in(owner, PASSWORD), 30)
        clock.advance(30)
        await guess_from("192.0.2.5", 1)  # one more doubles it…
        assert waits(await sign_in(owner, PASSWORD), 60)
        clock.advance(60)
        await guess_from("192.0.2.6", 1)  # …but never past a minute
        assert waits(await sign_in(owner, PASSWORD), 60)
        clock.advance(60)
        signed_in = await sign_in(owner, PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
