"""Playable renditions: processing makes an H.264/AAC MP4 for a HEVC MOV (and an AAC M4A
for a FLAC), served with Range support; share pages play the rendition, and Chromium
reaches `readyState >= 2` on a HEVC phone clip's share page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from satchel.runtime import Runtime
from tests.cli.test_serve import Server, start
from tests.conftest import upload
from tests.jobs.helpers import wait_for_asset
from tests.servers import ensure_debian_package
from tests.tools.avmedia import make_tone, make_video, probe

KEY = "sat_playable-test-key-0000000000000000000"


async def _ready(client: httpx.AsyncClient, path: Path) -> dict[str, object]:
    made = await upload(client, path, filename=path.name)
    asset = await wait_for_asset(client, made["data"]["id"])
    assert asset["status"] == "ready", asset
    return asset


async def test_hevc_mov_and_flac_get_renditions_h264_mp4_does_not(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    hevc = make_video(tmp_path / "phone.mov", codec="libx265", size=(240, 320), seconds=1.0)
    asset = await _ready(client, hevc)
    kinds = {d["kind"] for d in asset["derivatives"]}  # type: ignore[attr-defined]
    assert "playable" in kinds, asset
    url = f"/api/v1/assets/{asset['id']}/derivatives/playable"
    whole = await client.get(url)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    part = await client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    rendition = tmp_path / "playable.mp4"
    rendition.write_bytes(whole.content)
    got = probe(rendition)
    assert got.video[0]["codec"] == "h264" and got.audio[0]["codec"] == "aac"
    assert got.size == (240, 320) and abs(got.duration - 1.0) < 0.15
    assert whole.content.find(b"moov") < whole.content.find(b"mdat")  # faststart

    plain = await _ready(client, make_video(tmp_path / "web.mp4", seconds=1.0))
    assert "playable" not in {d["kind"] for d in plain["derivatives"]}  # type: ignore[attr-defined]
    flac = await _ready(client, make_tone(tmp_path / "song.flac", codec="flac"))
    sound = await client.get(f"/api/v1/assets/{flac['id']}/derivatives/playable")
    assert sound.status_code == 200 and sound.headers["content-type"] == "audio/mp4"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = start(tmp_path / "data", SATCHEL_ADMIN_API_KEY=KEY)
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.timeout(600)  # a first run may install Chromium (apt)
def test_share_page_plays_a_hevc_phone_clip_in_chromium(server: Server, tmp_path: Path) -> None:
    chromium = ensure_debian_package("chromium", "chromium")
    clip = make_video(tmp_path / "IMG_0001.MOV", codec="libx265", size=(240, 320), seconds=2.0)
    with httpx.Client(
        base_url=server.base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
    ) as api:
        made = api.post("/api/v1/assets", files={"file": (clip.name, clip.read_bytes())})
        assert made.status_code == 202, made.text
        asset_id = made.json()["data"]["id"]
        deadline = time.monotonic() + 120
        while (status := api.get(f"/api/v1/assets/{asset_id}").json()["data"]["status"]) not in (
            "ready",
            "failed",
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert status == "ready"
        space = api.post("/api/v1/spaces", json={"name": "Phone", "visibility": "public"})
        assert space.status_code == 201, space.text
        short_id = space.json()["data"]["short_id"]
        published = api.post(
            f"/api/v1/spaces/{space.json()['data']['id']}/publications",
            json={"asset_ids": [asset_id]},
        )
        assert published.status_code == 200, published.text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            timeout=60_000,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            response = page.goto(f"{server.base}/s/{short_id}", wait_until="load")
            assert response is not None and response.status == 200
            src = page.evaluate(
                "document.querySelector('video').currentSrc || document.querySelector('video').src"
            )
            assert "/playable?" in src
            assert page.evaluate("document.querySelector('video').poster")
            page.evaluate(
                "(() => { const v = document.querySelector('video');"
                " v.preload = 'auto'; v.load(); })()"
            )
            # (the page's CSP forbids eval, which wait_for_function uses: poll instead)
            state = 0
            for _ in range(300):
                state = page.evaluate("document.querySelector('video').readyState")
                if state >= 2:
                    break
                page.wait_for_timeout(100)
            assert state >= 2
            assert page.evaluate("document.querySelector('video').videoWidth") == 240
        finally:
            browser.close()
