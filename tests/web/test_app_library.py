"""The library, upload and asset pages in Debian's Chromium against a real `satchel serve`:
infinite scroll and folders, tus uploads (drag-and-drop, the picker, a reload mid-upload
that resumes, refusals with the API's message), and the asset page's actions.

Every page is checked by axe-core; any request off 127.0.0.1 or console error the walk
does not itself cause fails it. With `SATCHEL_WEB_SHOTS=<dir>` each page is photographed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Request, Route, sync_playwright

from tests.cli.test_serve import Server, start
from tests.conftest import make_png
from tests.corpus import CORPUS
from tests.servers import ensure_debian_package
from tests.web.test_app_walk import PASSWORD, _axe
from tests.web.test_browser import CHROMIUM_ARGS

MAX_UPLOAD = 24 << 20
CHUNK = 8 << 20  # satchel.web.app.library.CHUNK_BYTES
PHOTO = CORPUS / "images/exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg"
TUS = "/api/v1/uploads/tus"
PNGS = ("basn2c08.png", "basn6a08.png", "basn0g08.png")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("web-library") / "data"
    started = start(data, SATCHEL_MAX_UPLOAD_BYTES=str(MAX_UPLOAD))
    try:
        yield started
    finally:
        started.stop()


def noise_png(path: Path, width: int, height: int) -> Path:
    """An RGB PNG of random pixels: it does not compress, so its size is about w*h*3."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )
    return path


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SATCHEL_WEB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/", wait_until="load")
    if page.url.endswith("/first-run"):
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/sign-in?first=1")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("form.panel button")
    page.wait_for_url(f"{base}/library")


def _api(page: Page, base: str) -> httpx.Client:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "satchel_session")
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _named(api: httpx.Client, filename: str) -> dict[str, Any]:
    rows = api.get("/api/v1/assets", params={"q": filename.rsplit(".", 1)[0], "limit": 200})
    found = [a for a in rows.json()["data"] if a["filename"] == filename]
    assert len(found) == 1, rows.text
    return found[0]


def _wait_ready(api: httpx.Client, asset_id: str) -> None:
    for _ in range(600):
        status = api.get(f"/api/v1/assets/{asset_id}").json()["data"]["status"]
        if status in ("ready", "failed"):
            assert status == "ready"
            return
        time.sleep(0.2)
    raise AssertionError(f"{asset_id} still {status}")


DROP_JS = """([name, type, data]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, {type}));
  for (const kind of ["dragenter", "dragover", "drop"]) {
    document.querySelector("main").dispatchEvent(
      new DragEvent(kind, {dataTransfer: dt, bubbles: true, cancelable: true}));
  }
}"""


@pytest.mark.timeout(900)
def test_library_upload_and_asset_pages(server: Server, tmp_path: Path) -> None:
    chromium = ensure_debian_package("chromium", "chromium")
    big = noise_png(tmp_path / "big-noise.png", 1400, 3000)  # ~12.6 MB: two tus chunks
    assert CHUNK < big.stat().st_size < 2 * CHUNK < MAX_UPLOAD
    page_html = tmp_path / "page.html"
    page_html.write_text("<!doctype html><title>x</title><p>hello</p>")
    huge = tmp_path / "huge.png"
    with huge.open("wb") as fh:  # sparse: the size is announced, no byte is ever sent
        fh.truncate(MAX_UPLOAD + 1)
    errors: list[str] = []
    elsewhere: list[str] = []
    posts: list[str] = []
    patches: list[tuple[str, int]] = []
    held: list[Route] = []
    hold = {"after": -1}  # hold the PATCHes of big-noise.png after this many passed

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname != "127.0.0.1":
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def tus(route: Route, request: Request) -> None:
        if request.method == "POST":
            metadata = request.headers.get("upload-metadata", "")
            posts.append(metadata)
        if request.method == "PATCH":
            offset = int(request.headers["upload-offset"])
            patches.append((request.url, offset))
            if 0 <= hold["after"] < len(patches):
                held.append(route)  # never answered: the reload cuts it off
                return
        route.continue_()

    api: httpx.Client | None = None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on(
                "console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location}")
            )
            page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
            _sign_in(page, server.base)
            page.route(f"**{TUS}**", tus)
            api = _api(page, server.base)

            # The picker: a photo goes in; a type and a size the API refuses show its words.
            page.set_input_files("#files", [str(PHOTO), str(page_html), str(huge)])
            page.wait_for_selector("#uploads li.done")
            page.wait_for_selector("#uploads li.failed >> nth=1")
            states = dict(
                zip(
                    page.locator("#uploads .upload-name").all_inner_texts(),
                    page.locator("#uploads .upload-state").all_inner_texts(),
                    strict=True,
                )
            )
            assert states[PHOTO.name].startswith("Uploaded"), states
            assert "files of type text/html are not allowed" in states["page.html"], states
            assert "at most 24 MiB" in states["huge.png"], states
            photo = _named(api, PHOTO.name)
            assert photo["sha256"] == hashlib.sha256(PHOTO.read_bytes()).hexdigest()
            assert page.locator("#uploads li.done a").get_attribute("href") == (
                f"/asset/{photo['id']}"
            )
            assert page.locator("#overall a").inner_text() == "Show the new files"
            _shot(page, "library-upload")
            _axe(page)

            # A reload halfway through a large file: choosing it again resumes at the offset
            # the server kept, with no new upload made.
            patches.clear()
            posts.clear()
            hold["after"] = 1  # the first chunk passes, the second never arrives
            page.set_input_files("#files", str(big))
            for _ in range(600):  # the route handler runs while the page waits
                if held:
                    break
                page.wait_for_timeout(100)
            assert len(held) == 1 and len(posts) == 1, (held, posts)
            page.reload(wait_until="load")
            hold["after"] = -1
            page.wait_for_selector("#unfinished:not([hidden])")
            assert "big-noise.png" in page.locator("#unfinished-list").inner_text()
            page.set_input_files("#files", str(big))
            page.wait_for_selector("#uploads li.done")
            assert len(posts) == 1, posts  # resumed, not announced again
            assert patches[0][1] == 0 and patches[2] == (patches[0][0], CHUNK), patches
            stored = _named(api, "big-noise.png")
            assert stored["size"] == big.stat().st_size
            assert stored["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
            page.wait_for_selector("#unfinished[hidden]", state="attached")

            # Pause and resume: the paused PATCH is cut off, Resume asks the offset and goes on.
            second = noise_png(tmp_path / "big-pause.png", 1400, 3000)
            patches.clear()
            posts.clear()
            held.clear()
            hold["after"] = 1
            page.set_input_files("#files", str(second))
            for _ in range(600):
                if held:
                    break
                page.wait_for_timeout(100)
            page.click("button[aria-label='Pause big-pause.png']")
            assert page.locator("#uploads li >> nth=0").locator(".upload-state").inner_text() == (
                "Paused"
            )
            hold["after"] = -1
            page.click("button[aria-label='Resume big-pause.png']")
            page.wait_for_selector("#uploads li.done >> nth=1")
            assert len(posts) == 1 and [o for _, o in patches] == [0, CHUNK, CHUNK], patches
            assert _named(api, "big-pause.png")["size"] == second.stat().st_size

            # Drag-and-drop into the folder being looked at.
            page.goto(f"{server.base}/library?folder=%2Fcoast", wait_until="load")
            dropped = base64.b64encode(make_png(40, 30, seed=7)).decode()
            page.evaluate(DROP_JS, ["dropped.png", "image/png", dropped])
            page.wait_for_selector("#uploads li.done")
            assert _named(api, "dropped.png")["folder"] == "/coast"

            # A folder from the picker: its files land in the same folders below the top.
            album = tmp_path / "pick" / "album"
            (album / "sub").mkdir(parents=True)
            pngs = CORPUS / "images/pngsuite/png"
            for name, where in (("basn2c08.png", album), ("basn6a08.png", album)):
                (where / name).write_bytes((pngs / name).read_bytes())
            (album / "sub" / "basn0g08.png").write_bytes((pngs / "basn0g08.png").read_bytes())
            page.goto(f"{server.base}/library", wait_until="load")
            page.set_input_files("#folder-files", str(album))
            page.wait_for_selector("#uploads li.done >> nth=2")
            assert {n: _named(api, n)["folder"] for n in PNGS} == {
                "basn2c08.png": "/album",
                "basn6a08.png": "/album",
                "basn0g08.png": "/album/sub",
            }

            # The grid pages itself as it scrolls (one card a page here), shows thumbnails,
            # and its folders lead in.
            for name in ("big-noise.png", "big-pause.png", "dropped.png", *PNGS):
                _wait_ready(api, _named(api, name)["id"])
            page.goto(f"{server.base}/library?limit=1&sort=filename&order=asc", wait_until="load")
            for _ in range(20):
                if page.locator(".card").count() == 7:
                    break
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_timeout(300)
            names = page.locator(".card .name").all_inner_texts()
            assert sorted(names) == sorted(
                ["big-noise.png", "big-pause.png", "dropped.png", PHOTO.name, *PNGS]
            )
            page.wait_for_function(
                "() => [...document.querySelectorAll('.card img')]"
                ".filter(i => i.complete && i.naturalWidth > 0).length === 7"
            )
            _shot(page, "library-grid")
            assert page.locator(".folders .folder-name").all_inner_texts() == ["album", "coast"]
            page.click(".folders a:has-text('coast')")
            page.wait_for_url("**/library?folder=%2Fcoast")
            assert page.locator(".card .name").all_inner_texts() == ["dropped.png"]
            _shot(page, "library-folder")
            _axe(page)

            # The asset page: its rendition, EXIF, and each action.
            _wait_ready(api, photo["id"])
            page.goto(f"{server.base}/asset/{photo['id']}", wait_until="load")
            assert page.title() == f"{PHOTO.name} · Satchel"
            page.wait_for_function("() => document.querySelector('.viewer img').naturalWidth > 0")
            assert page.evaluate("document.querySelector('.viewer img').naturalWidth") == 1200
            facts = dict(
                zip(
                    page.locator(".facts dt").all_inner_texts(),
                    page.locator(".facts dd").all_inner_texts(),
                    strict=True,
                )
            )
            assert "Nokia 8.3 5G" in facts["Camera"], facts
            assert facts["Location"].startswith("60.1467"), facts
            assert facts["Dimensions"] == "4608 × 1976 px", facts
            _shot(page, "asset")
            _axe(page)
            # On a phone, in dark mode: one column, and still no contrast or other violation.
            page.emulate_media(color_scheme="dark")
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            _shot(page, "asset-phone-dark")
            _axe(page)
            page.emulate_media(color_scheme="light")
            page.set_viewport_size({"width": 1200, "height": 900})
            page.fill("#filename", "helsinki.jpg")
            page.click("text=Rename")
            page.wait_for_url("**done=renamed")
            assert page.locator("h1").inner_text() == "helsinki.jpg"
            page.fill("#folder", "trips/../up")
            page.click("text=Move")
            assert "not folder names" in page.locator("[role=alert]").inner_text()
            page.fill("#folder", "/trips/finland")
            page.click("text=Move")
            page.wait_for_url("**done=moved")
            page.click("text=Add to favourites")
            page.wait_for_url("**done=favourite")
            assert page.locator("button[aria-pressed=true]").inner_text() == "★ Favourite"
            kept = api.get(f"/api/v1/assets/{photo['id']}").json()["data"]
            assert (kept["filename"], kept["folder"], kept["is_favorite"]) == (
                "helsinki.jpg",
                "/trips/finland",
                True,
            )
            with page.expect_download() as download:
                page.click("text=Download")
            assert download.value.suggested_filename == "helsinki.jpg"
            assert (
                hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest()
                == (photo["sha256"])
            )
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
            page.select_option("#link", "3600")
            page.click("text=Make a link")
            page.click("#copy")
            page.wait_for_selector("#copied:has-text('Copied.')")
            link = page.input_value("#signed")
            assert page.evaluate("navigator.clipboard.readText()") == link
            assert link.startswith(f"{server.base}/api/v1/assets/{photo['id']}/content?expires=")
            anyone = httpx.get(link, timeout=30)  # no session, no key: the signature serves
            assert anyone.status_code == 200
            assert hashlib.sha256(anyone.content).hexdigest() == photo["sha256"]
            _shot(page, "asset-link")
            _axe(page)
            page.click("text=Move to the trash")
            page.wait_for_url("**/library?folder=%2Ftrips%2Ffinland&done=trashed")
            assert page.locator("p.done").inner_text() == "Moved to the trash."
            assert api.get(f"/api/v1/assets/{photo['id']}").status_code == 404

            # The only console errors are the refusals the walk asked for: the two uploads
            # (413, 422) and the move to a folder with `..` (422).
            expected = [
                f"Failed to load resource: the server responded with a status of {status}"
                for status in (
                    "413 (Request Entity Too Large)",
                    "422 (Unprocessable Entity)",
                    "422 (Unprocessable Entity)",
                )
            ]
            assert sorted(e.split(" {", 1)[0] for e in errors) == expected, errors
            assert elsewhere == []
        finally:
            browser.close()
            if api is not None:
                api.close()
