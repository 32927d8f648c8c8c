"""Shared steps for auth tests: make users with passwords and sign them in."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "correct horse battery"


async def register(admin: httpx.AsyncClient, username: str, **fields: Any) -> dict[str, Any]:
    response = await admin.post(
        "/api/v1/auth/register", json={"username": username, "password": PASSWORD, **fields}
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["data"]
    return user


async def login(anon: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await anon.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["data"]["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
