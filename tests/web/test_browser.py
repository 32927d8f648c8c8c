"""`/s/{short_id}` of a real `satchel serve`, rendered in headless Chromium (Debian's build)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Dialog, sync_playwright

from tests.cli.test_serve import Server, start
from tests.conftest import make_png
from tests.corpus import CORPUS
from tests.servers import ensure_debian_package
from tests.web.helpers import HOSTILE_NAME, HOSTILE_SVG, HOSTILE_TEXT, make_wav

KEY = "sat_browser-test-key-00000000000000000000"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TITLE = "Coast <script>alert('title')</script>"
# Every image, and the script of the page: `window.__pwned` is what the hostile SVG would set.
IMAGES_JS = "Array.from(document.images).map(i => ({src: i.src, alt: i.alt, w: i.naturalWidth}))"
CARD_JS = """Object.fromEntries(
  Array.from(document.querySelectorAll('meta[property^="og:"], meta[name^="twitter:"]'))
    .map(m => [m.getAttribute('property') || m.getAttribute('name'), m.content]))"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = start(tmp_path / "data", SATCHEL_ADMIN_API_KEY=KEY)
    try:
        yield started
    finally:
        started.stop()


def _upload(api: httpx.Client, data: bytes, filename: str, **fields: str) -> str:
    made = api.post("/api/v1/assets", files={"file": (filename, data)}, data=fields)
    assert made.status_code == 202, made.text
    asset_id: str = made.json()["data"]["id"]
    return asset_id


def _wait_ready(api: httpx.Client, asset_ids: list[str], within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    for asset_id in asset_ids:
        while (status := api.get(f"/api/v1/assets/{asset_id}").json()["data"]["status"]) not in (
            "ready",
            "failed",
        ):
            assert time.monotonic() < deadline, f"{asset_id} stuck in {status}"
            time.sleep(0.1)
        assert status == "ready", asset_id


def _shared_space(api: httpx.Client) -> tuple[dict[str, Any], dict[str, str]]:
    """A public space with a photo, a hostile-named PNG, a scripted SVG, a tone and a PDF."""
    pdf = (CORPUS / "pdf" / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf").read_bytes()
    ids = {
        "photo": _upload(api, make_png(320, 200, seed=7), "harbour.png", alt_text="The harbour"),
        "hostile": _upload(api, make_png(120, 90, seed=8), "x.png", description=HOSTILE_TEXT),
        "svg": _upload(api, HOSTILE_SVG, "drawing.svg", alt_text="<svg onload=alert(2)>"),
        "tone": _upload(api, make_wav(), "tone.wav"),
        "pdf": _upload(api, pdf, "notes.pdf"),
    }
    renamed = api.patch(f"/api/v1/assets/{ids['hostile']}", json={"filename": HOSTILE_NAME})
    assert renamed.status_code == 200, renamed.text
    _wait_ready(api, list(ids.values()))
    made = api.post(
        "/api/v1/spaces",
        json={"name": TITLE, "description": HOSTILE_TEXT, "visibility": "public"},
    )
    assert made.status_code == 201, made.text
    space: dict[str, Any] = made.json()["data"]
    published = api.post(
        f"/api/v1/spaces/{space['id']}/publications", json={"asset_ids": list(ids.values())}
    )
    assert published.status_code == 200 and all(r["ok"] for r in published.json()["data"])
    return space, ids


@pytest.mark.timeout(600)  # a first run may install Chromium (apt) before the bounded steps
def test_share_page_in_chromium(server: Server) -> None:
    chromium = ensure_debian_package("chromium", "chromium")
    with httpx.Client(
        base_url=server.base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
    ) as api:
        space, ids = _shared_space(api)
        profile = api.patch(
            "/api/v1/account/profile", json={"handle": "harbourmaster", "is_public": True}
        )
        assert profile.status_code == 200, profile.text
        # The original SVG is only ever an attachment in a sandbox.
        original = api.get(f"/api/v1/assets/{ids['svg']}/content")
        assert original.headers["content-disposition"].startswith("attachment")
        assert original.headers["content-security-policy"].startswith("sandbox")
    page_url = f"{server.base}/s/{space['short_id']}"

    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} at {message.location}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.on("dialog", on_dialog)
            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

            response = page.goto(page_url, wait_until="load")
            assert response is not None and response.status == 200
            page.wait_for_function("Array.from(document.images).every(i => i.complete)")
            # Nothing uploaded ran: no dialog, no marker, the title is ours, no script at all.
            page.wait_for_timeout(300)
            assert dialogs == []
            assert page.evaluate("window.__pwned") is None
            assert page.title() == f"{TITLE} · Satchel"
            assert page.evaluate("document.scripts.length") == 0

            images = page.evaluate(IMAGES_JS)
            # Photo, hostile PNG, the SVG's raster preview, the waveform, the PDF's first page.
            assert len(images) == 5, images
            assert [i for i in images if i["w"] <= 0] == []
            assert {i["alt"] for i in images} >= {"The harbour", "<svg onload=alert(2)>"}
            assert not any(f"/assets/{ids['svg']}/content" in i["src"] for i in images)

            card = page.evaluate(CARD_JS)
            short = space["short_id"]
            assert card["og:title"] == TITLE and card["twitter:title"] == TITLE
            assert card["og:description"] == HOSTILE_TEXT
            assert card["og:image"] == card["twitter:image"] == f"{server.base}/s/{short}/cover"
            assert card["og:url"] == page_url
            assert card["twitter:card"] == "summary_large_image"
            assert page.locator("h1").inner_text() == TITLE
            assert HOSTILE_NAME in page.locator("main").inner_text()

            # The og:image answers picture bytes to a browser too.
            cover = page.request.get(card["og:image"])
            assert cover.ok and cover.headers["content-type"] == "image/jpeg"

            # The profile page and its grid of space covers load as well.
            response = page.goto(f"{server.base}/u/harbourmaster", wait_until="load")
            assert response is not None and response.status == 200
            page.wait_for_function("Array.from(document.images).every(i => i.complete)")
            covers = page.evaluate(IMAGES_JS)
            assert [c["src"] for c in covers] == [f"{server.base}/s/{short}/cover"]
            assert all(c["w"] > 0 for c in covers)
            assert dialogs == [] and errors == []
        finally:
            browser.close()
