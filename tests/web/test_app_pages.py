"""The web app's pages through the real app in memory: first run, sign-in, CSRF, library."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.conftest import make_png, upload

PASSWORD = "harbour-lights-42"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def _signed_in(app: FastAPI) -> httpx.AsyncClient:
    web = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5000)),
        base_url="http://127.0.0.1",
    )
    page = await web.get("/first-run")
    done = await web.post(
        "/first-run", data={"csrf": _csrf(page.text), "password": PASSWORD, "confirm": PASSWORD}
    )
    assert done.status_code == 303 and done.headers["location"] == "/sign-in?first=1", done.text
    page = await web.get("/sign-in")
    signed = await web.post(
        "/sign-in", data={"csrf": _csrf(page.text), "username": "admin", "password": PASSWORD}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/library", signed.text
    return web


async def test_first_run_sign_in_and_library(app: FastAPI, client: httpx.AsyncClient) -> None:
    for i, name in enumerate(("harbour.png", "lighthouse.png")):
        await upload(client, make_png(48, 32, seed=i), filename=name)
    web = await _signed_in(app)
    try:
        page = await web.get("/library")
        assert page.status_code == 200, page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "unsafe-inline" not in page.headers["content-security-policy"]
        assert page.text.count('class="card"') == 2
        found = await web.get("/library", params={"q": "lighthouse"})
        assert found.text.count('class="card"') == 1 and "lighthouse.png" in found.text
        # The first run happens once.
        again = await web.post("/first-run", data={"password": "x" * 12, "confirm": "x" * 12})
        assert again.status_code == 403
    finally:
        await web.aclose()
