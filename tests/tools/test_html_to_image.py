"""html-to-image: refusals of non-public addresses, and a real capture by Chromium.

Tests can only reach 127.0.0.1, so the capture tests set SATCHEL_TOOLS_ALLOW_LOOPBACK=1
(read by satchel/media/netguard.py, test-only) and serve pages with http.server. With it
unset, the same local page is refused.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from satchel.media import netguard
from satchel.runtime import Runtime
from tests.servers import ensure_debian_package
from tests.tools.helpers import call_tool, image, pixels

PAGE = b"""<!doctype html><html><head><title>Satchel capture</title>
<style>html,body{margin:0;background:#ff8000}</style></head>
<body><div style="height:2400px"></div>
<img src="http://10.1.2.3/tracker.png"><img src="http://169.254.169.254/latest/meta-data">
</body></html>"""


class _Pages(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
            self.end_headers()
            return
        body = PAGE if self.path in ("/", "/index.html") else b"not found"
        self.send_response(200 if body is PAGE else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Pages", (_Pages,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def chromium() -> None:
    ensure_debian_package("chromium", "chromium")


async def _finish(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    job_id = body["data"]["job_id"]
    job: dict[str, Any] = {}
    for _ in range(1200):
        job = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    return job


async def _capture(client: httpx.AsyncClient, settings: dict[str, Any]) -> dict[str, Any]:
    body = await call_tool(client, "html-to-image", None, settings, expect=202)
    assert body["data"]["async"] is True
    return await _finish(client, body)


def _error_code(job: dict[str, Any]) -> str:
    assert job["status"] == "failed", job
    error = job["error"]  # "code: message"
    return str(error["code"] if isinstance(error, dict) else error.split(":", 1)[0])


async def test_non_public_addresses_are_refused(
    client: httpx.AsyncClient,
    workers: Runtime,
    site: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(netguard.ALLOW_LOOPBACK_ENV, raising=False)
    base, hits = site
    for url in (
        base + "/",
        base.replace("127.0.0.1", "localhost") + "/",
        base.replace("127.0.0.1", "[::ffff:127.0.0.1]") + "/",
        base.replace("127.0.0.1", "2130706433") + "/",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "file:///etc/passwd",
        "data:text/html,<h1>hi</h1>",
        "javascript:alert(1)",
    ):
        job = await _capture(client, {"url": url})
        assert _error_code(job) == "url_not_allowed", (url, job)
        assert "public" in str(job["error"]) or "http and https" in str(job["error"]), job
    assert hits == []  # nothing ever reached the local server


def test_address_rules() -> None:
    import ipaddress

    for bad in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "2002:a9fe:a9fe::1",
        "64:ff9b::a9fe:a9fe",
    ):
        assert netguard.address_problem(ipaddress.ip_address(bad)) is not None, bad
    for good in ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8"):
        assert netguard.address_problem(ipaddress.ip_address(good)) is None, good


async def test_capture_a_local_page_with_loopback_allowed_for_tests(
    client: httpx.AsyncClient,
    workers: Runtime,
    site: tuple[str, list[str]],
    chromium: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(netguard.ALLOW_LOOPBACK_ENV, "1")
    base, hits = site
    job = await _capture(client, {"url": base + "/", "devicePreset": "tablet"})
    assert job["status"] == "completed", job
    result = job["result"]
    content = (await client.get(result["download_url"])).content
    shot = image(content)
    assert (shot.width, shot.height) == (768, 1024)
    assert result["download_url"].endswith("/screenshot.png")
    r, g, b = pixels(shot)[500, 400]
    assert abs(int(r) - 255) <= 2 and abs(int(g) - 128) <= 2 and int(b) <= 2  # #ff8000
    data = result["data"]
    assert data["title"] == "Satchel capture"
    assert data["status"] == 200
    blocked = {entry["target"] for entry in data["blockedRequests"]}
    assert {"http://10.1.2.3/tracker.png", "http://169.254.169.254/latest/meta-data"} <= blocked
    assert hits.count("/") == 1

    # full page as WebP, custom viewport; a redirect to the metadata address is refused
    job = await _capture(
        client,
        {
            "url": base + "/",
            "fullPage": True,
            "format": "webp",
            "quality": 80,
            "devicePreset": "custom",
            "viewportWidth": 400,
            "viewportHeight": 320,
        },
    )
    assert job["status"] == "completed", job
    content = (await client.get(job["result"]["download_url"])).content
    shot = image(content)
    assert shot.get("vips-loader").startswith("webp")
    assert shot.width == 400 and shot.height >= 2400
    job = await _capture(client, {"url": base + "/redirect"})
    assert _error_code(job) == "url_not_allowed"
    assert "/redirect" in hits


async def test_bad_settings_and_catalog(client: httpx.AsyncClient) -> None:
    body = await call_tool(
        client,
        "html-to-image",
        None,
        {"url": "https://example.com", "viewportWidth": 100},
        expect=422,
    )
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["fields"][0]["field"] == "settings.viewportWidth"
    body = await call_tool(client, "html-to-image", None, {"format": "gif"}, expect=422)
    fields = {f["field"] for f in body["error"]["fields"]}
    assert fields == {"settings.url", "settings.format"}
    tool = (await client.get("/api/v1/tools/image/html-to-image")).json()["data"]
    assert tool["async"] is True
    assert tool["available"] is True
    assert tool["inputs"]["max_files"] == 0


async def test_unavailable_without_chromium(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from satchel.media import browser

    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    tool = (await client.get("/api/v1/tools/image/html-to-image")).json()["data"]
    assert tool["available"] is False
    assert "Chromium" in tool["unavailable_reason"]
    body = await call_tool(
        client, "html-to-image", None, {"url": "https://example.com"}, expect=503
    )
    assert body["error"]["code"] == "tool_unavailable"


def _through(proxy: netguard.GuardProxy, request: bytes) -> bytes:
    import socket

    host, port = proxy.server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if request.startswith(b"CONNECT") and b"\r\n\r\n" in received:
                break
    return received


def test_guard_proxy_connects_only_to_checked_addresses(
    site: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, hits = site
    hostport = base.removeprefix("http://")
    monkeypatch.delenv(netguard.ALLOW_LOOPBACK_ENV, raising=False)
    with netguard.GuardProxy() as proxy:
        answer = _through(
            proxy, f"CONNECT {hostport} HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode()
        )
        assert (
            answer.startswith(b"HTTP/1.1 403") and b"X-Satchel-Refused: url_not_allowed" in answer
        )
        answer = _through(proxy, f"GET {base}/ HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 403") and b"loopback" in answer
        answer = _through(proxy, b"GET http://169.254.169.254/ HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 403") and b"link-local" in answer
        assert hits == []
        assert {r["target"] for r in proxy.refused} >= {hostport, base + "/"}
        monkeypatch.setenv(netguard.ALLOW_LOOPBACK_ENV, "1")
        answer = _through(proxy, f"GET {base}/ HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 200") and b"Satchel capture" in answer
        assert hits == ["/"]
