"""Building shared spaces for the share-page tests, and reading what a page says."""

from __future__ import annotations

import io
import math
import struct
import wave
from html.parser import HTMLParser
from typing import Any

import httpx

HOSTILE_NAME = '"><img src=x onerror=alert(1)>.png'
HOSTILE_TEXT = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" '
    b"onload=\"window.__pwned=1;document.title='pwned';alert('svg onload')\">"
    b'<rect width="64" height="48" fill="#c33"/>'
    b"<script>window.__pwned=1;document.title='pwned';alert('svg script')</script></svg>"
)


def make_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit sine tone."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


async def rename(client: httpx.AsyncClient, asset_id: str, filename: str) -> None:
    """Set a file name exactly (multipart uploads percent-encode quotes in names)."""
    response = await client.patch(f"/api/v1/assets/{asset_id}", json={"filename": filename})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["filename"] == filename


async def make_space(
    client: httpx.AsyncClient,
    *,
    name: str = "Summer trip",
    description: str | None = "Photos from the coast",
    visibility: str = "public",
    password: str | None = None,
    asset_ids: tuple[str, ...] = (),
) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/spaces",
        json={
            "name": name,
            "description": description,
            "visibility": visibility,
            "password": password,
            "allow_duplicate_name": True,  # tests make several spaces of one name
        },
    )
    assert made.status_code == 201, made.text
    space: dict[str, Any] = made.json()["data"]
    if asset_ids:
        published = await client.post(
            f"/api/v1/spaces/{space['id']}/publications", json={"asset_ids": list(asset_ids)}
        )
        assert published.status_code == 200, published.text
        assert all(r["ok"] for r in published.json()["data"]), published.text
    return space


class Meta(HTMLParser):
    """The page's <meta> tags (property or name → content), <img> and <a> attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.images: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self.text = ""
        self.feed(html)

    def handle_data(self, data: str) -> None:
        self.text += data

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values.get("content") or ""
        elif tag == "img":
            self.images.append(values)
        elif tag == "a":
            self.links.append(values)


def read(html: str) -> Meta:
    return Meta(html)
