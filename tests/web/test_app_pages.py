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


def _cards(html: str) -> list[str]:
    return re.findall(r'class="name">([^<]+)</a>', html)


async def test_library_pages_follow_the_cursor(app: FastAPI, client: httpx.AsyncClient) -> None:
    names = [f"shell-{i}.png" for i in range(5)]
    for i, name in enumerate(names):
        await upload(client, make_png(8, 8, seed=i), filename=name)
    web = await _signed_in(app)
    try:
        page = await web.get("/library", params={"sort": "filename", "order": "asc", "limit": 2})
        assert _cards(page.text) == names[:2]
        seen = list(_cards(page.text))
        more = re.search(r'hx-get="([^"]+)" hx-trigger="revealed"', page.text)
        while more:
            # What the infinite scroll asks: just the next cards and the next trigger.
            url = more.group(1).replace("&amp;", "&")
            assert "sort=filename" in url and "limit=2" in url and "cursor=" in url
            part = await web.get(url, headers={"HX-Request": "true"})
            assert part.status_code == 200 and "<html" not in part.text
            seen += _cards(part.text)
            more = re.search(r'hx-get="([^"]+)" hx-trigger="revealed"', part.text)
        assert seen == names  # every asset once, in order, over three pages
        # A cursor that is not one is reported, not a 500.
        bad = await web.get("/library", params={"cursor": "not-a-cursor"})
        assert bad.status_code == 200 and "cursor is not valid" in bad.text
    finally:
        await web.aclose()


async def test_library_kind_filter_and_folders(app: FastAPI, client: httpx.AsyncClient) -> None:
    await upload(client, make_png(8, 8, seed=1), filename="top.png")
    await upload(client, make_png(8, 8, seed=2), filename="beach.png", folder="/trips/coast")
    await upload(client, b"harbour notes\n", filename="notes.txt", folder="/trips")
    web = await _signed_in(app)
    try:
        everything = await web.get("/library", params={"sort": "filename", "order": "asc"})
        assert _cards(everything.text) == ["beach.png", "notes.txt", "top.png"]
        assert 'href="/library?folder=%2Ftrips"' in everything.text  # the top's subfolder
        images = await web.get("/library", params={"kind": "image", "sort": "filename"})
        assert sorted(_cards(images.text)) == ["beach.png", "top.png"]
        trips = await web.get("/library", params={"folder": "/trips"})
        assert _cards(trips.text) == ["notes.txt"]  # this folder itself
        assert 'href="/library?folder=%2Ftrips%2Fcoast"' in trips.text
        assert '<span aria-current="page">trips</span>' in trips.text
        # A search inside a folder looks in its subfolders too.
        found = await web.get("/library", params={"folder": "/trips", "q": "beach"})
        assert _cards(found.text) == ["beach.png"]
        bad = await web.get("/library", params={"folder": "/a/../b"})
        assert bad.status_code == 200 and "are not folder names" in bad.text
    finally:
        await web.aclose()


async def test_library_needs_a_session(anon: httpx.AsyncClient) -> None:
    page = await anon.get("/library")
    assert page.status_code == 303 and page.headers["location"] == "/sign-in"


async def test_static_files_refuse_path_traversal(anon: httpx.AsyncClient) -> None:
    served = await anon.get("/static/app.css")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/css")
    for sneaky in (
        "/static/..%2Ftemplates%2Fapp%2Fbase.html",
        "/static/%2e%2e/%2e%2e/app/shell.py",
        "/static/..%2F..%2F..%2Fpyproject.toml",
        "/static/%2Fetc%2Fpasswd",
        "/static/vendor/..%5C..%5Capp%2Fshell.py",
        "/static/vendor",  # a folder is not a file
    ):
        refused = await anon.get(sneaky)
        assert refused.status_code == 404, sneaky
        assert "Not found" in refused.text and "import" not in refused.text, sneaky


async def test_asset_page_and_its_actions(
    app: FastAPI, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    made = await upload(client, make_png(64, 48, seed=3), filename="harbour.png", folder="/coast")
    asset_id = made["data"]["id"]
    web = await _signed_in(app)
    try:
        page = await web.get(f"/asset/{asset_id}")
        assert page.status_code == 200 and "<title>harbour.png · Satchel</title>" in page.text
        assert "unsafe-inline" not in page.headers["content-security-policy"]
        assert "<dt>Dimensions</dt><dd>64 × 48 px</dd>" in page.text
        assert f'src="/api/v1/assets/{asset_id}/render?w=1200&amp;h=900' in page.text
        token = _csrf(page.text)
        missing = await web.get("/asset/ast_00000000000000000000000000")
        assert missing.status_code == 404 and "Not found" in missing.text

        # A form without the session's token changes nothing.
        forged = await web.post(f"/asset/{asset_id}/rename", data={"filename": "x.png"})
        assert forged.status_code == 403 and "expired" in forged.text
        renamed = await web.post(
            f"/asset/{asset_id}/rename", data={"csrf": token, "filename": "lights.png"}
        )
        assert renamed.status_code == 303
        assert renamed.headers["location"] == f"/asset/{asset_id}?done=renamed"
        refused = await web.post(
            f"/asset/{asset_id}/move", data={"csrf": token, "folder": "a/../b"}
        )
        assert refused.status_code == 422 and "are not folder names" in refused.text
        moved = await web.post(f"/asset/{asset_id}/move", data={"csrf": token, "folder": "/trips"})
        assert moved.status_code == 303
        liked = await web.post(f"/asset/{asset_id}/favourite", data={"csrf": token, "on": "1"})
        assert liked.status_code == 303
        now = (await client.get(f"/api/v1/assets/{asset_id}")).json()["data"]
        assert (now["filename"], now["folder"], now["is_favorite"]) == (
            "lights.png",
            "/trips",
            True,
        )

        # A signed link anyone can open, for one of the offered lifetimes only.
        odd = await web.get(f"/asset/{asset_id}", params={"link": 5})
        assert odd.status_code == 422 and "Choose a lifetime from the list." in odd.text
        assert 'id="signed"' not in odd.text
        linked = await web.get(f"/asset/{asset_id}", params={"link": 3600})
        found = re.search(r'id="signed" readonly value="([^"]+)"', linked.text)
        assert found, linked.text
        url = found.group(1).replace("&amp;", "&")
        opened = await anon.get(url.removeprefix("http://127.0.0.1"))
        assert opened.status_code == 200 and opened.content == make_png(64, 48, seed=3)

        trashed = await web.post(f"/asset/{asset_id}/trash", data={"csrf": token})
        assert trashed.status_code == 303
        assert trashed.headers["location"] == "/library?folder=%2Ftrips&done=trashed"
        assert (await client.get(f"/api/v1/assets/{asset_id}")).status_code == 404
        gone = await web.get(f"/asset/{asset_id}")
        assert gone.status_code == 404
        listed = await web.get(trashed.headers["location"])
        assert "Moved to the trash." in listed.text
    finally:
        await web.aclose()


async def test_pages_follow_the_role(
    app: FastAPI, client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    """A role without `files:own` sees neither the library nor an asset, and changes none."""
    made = await upload(client, make_png(8, 8, seed=9), filename="kept.png")
    asset_id = made["data"]["id"]
    admin = await _signed_in(app)  # the first run, so others may sign in
    await admin.aclose()
    role = await client.post(
        "/api/v1/roles", json={"name": "toolsonly", "permissions": ["tools:use"]}
    )
    assert role.status_code == 201, role.text
    user = await client.post(
        "/api/v1/auth/register",
        json={"username": "tess", "password": PASSWORD, "role": "toolsonly"},
    )
    assert user.status_code == 201, user.text
    web = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5001)),
        base_url="http://127.0.0.1",
    )
    try:
        page = await web.get("/sign-in")
        signed = await web.post(
            "/sign-in", data={"csrf": _csrf(page.text), "username": "tess", "password": PASSWORD}
        )
        assert signed.status_code == 303, signed.text
        for url in ("/library", f"/asset/{asset_id}"):
            refused = await web.get(url)
            assert refused.status_code == 403 and "`files:own` permission" in refused.text, url
        token = _csrf(refused.text)
        renamed = await web.post(
            f"/asset/{asset_id}/rename", data={"csrf": token, "filename": "taken.png"}
        )
        assert renamed.status_code == 403 and "`files:own` permission" in renamed.text
        now = (await client.get(f"/api/v1/assets/{asset_id}")).json()["data"]
        assert now["filename"] == "kept.png"
    finally:
        await web.aclose()
