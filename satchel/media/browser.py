"""The guarded headless browser: Debian's Chromium driven by Playwright, reaching public
addresses only (every request checked, through `netguard.GuardProxy`), for tools that
render web pages (html-to-image, html-to-pdf).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from satchel.codes import Code
from satchel.media import netguard
from satchel.media.bounds import ImageLimits, check_dimensions
from satchel.media.errors import CaptureFailed, UrlRefused

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright drives it over CDP
NAVIGATION_MS = 30_000
SETTLE_MS = 2_000  # after `load`, how long to wait for the network to go quiet
_ARGS = [
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--dns-prefetch-disable",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]

Progress = Callable[[int, str], None]


def available() -> str | None:
    """Why the browser cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"Chromium is not installed ({CHROMIUM}; apt-get install chromium)."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "The playwright package is not installed."
    return None


def _guard_route(blocked: list[dict[str, str]]) -> Any:
    """A route handler that lets only public http(s) (and data/blob) requests through."""

    def handle(route: Any) -> None:
        url = route.request.url
        scheme = url.split(":", 1)[0].lower()
        if scheme in ("data", "blob", "about"):
            route.continue_()
            return
        try:
            netguard.check_url(url)
        except UrlRefused as exc:
            if len(blocked) < 200:
                blocked.append({"target": url[:500], "reason": exc.message, "code": exc.code})
            route.abort("blockedbyclient")
            return
        route.continue_()

    return handle


def _target(url: str) -> str:
    """How the proxy names a request: the URL for http, host:port for https tunnels."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return f"{parts.hostname}:{parts.port or 443}"
    return url


@dataclass
class LoadedPage:
    """A page the browser loaded, and what was refused on the way."""

    page: Any  # playwright's Page
    url: str
    response: Any
    proxy: netguard.GuardProxy
    blocked: list[dict[str, str]] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)  # the page's requests, redirects included

    def refusals(self) -> list[dict[str, str]]:
        """Requests of the page that were refused (not the browser's own traffic)."""
        by_proxy = [r for r in self.proxy.refused if r["target"] in self.requested]
        return self.blocked + by_proxy

    def facts(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "finalUrl": self.page.url,
            "status": self.response.status if self.response is not None else None,
            "title": self.page.title()[:500],
            "blockedRequests": self.refusals()[:50],
        }


@contextlib.contextmanager
def open_page(
    url: str, *, width: int, height: int, mobile: bool = False, progress: Progress | None = None
) -> Iterator[LoadedPage]:
    """Load a public http(s) page in a fresh browser with a width × height viewport (as a
    touch device when `mobile`); refused addresses raise `UrlRefused`, load failures
    `CaptureFailed` (`capture_timeout` when it took too long)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    url = url.strip()
    netguard.check_url(url)
    with netguard.GuardProxy() as proxy, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=_ARGS,
            proxy={"server": proxy.url, "bypass": "<-loopback>"},
        )
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                is_mobile=mobile,
                has_touch=mobile,
                service_workers="block",
                accept_downloads=False,
                ignore_https_errors=False,
            )
            blocked: list[dict[str, str]] = []
            requested: set[str] = set()
            context.route("**/*", _guard_route(blocked))
            context.on("request", lambda request: requested.add(_target(request.url)))
            loaded = LoadedPage(context.new_page(), url, None, proxy, blocked, requested)
            if progress is not None:
                progress(20, "Loading the page")
            try:
                loaded.response = loaded.page.goto(url, wait_until="load", timeout=NAVIGATION_MS)
            except PlaywrightError as exc:
                first = loaded.refusals()[:1]
                if first:
                    raise UrlRefused(
                        f"The page was refused: {first[0]['reason']}", code=first[0]["code"]
                    ) from exc
                message = str(exc).strip().splitlines()[0][:300]
                code = Code.CAPTURE_TIMEOUT if "Timeout" in message else "capture_failed"
                raise CaptureFailed(f"The page could not be loaded: {message}", code=code) from exc
            response = loaded.response
            if response is not None and response.headers.get("x-satchel-refused"):
                # our proxy's answer, if it logged refusing this very URL (a page cannot fake it)
                final = _target(response.url)
                refusal = next((r for r in proxy.refused if r["target"] == final), None)
                if refusal is not None:
                    raise UrlRefused(
                        f"The page was refused: {refusal['reason']}", code=refusal["code"]
                    )
            with contextlib.suppress(PlaywrightError):  # a page that keeps polling: as it is
                loaded.page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
            yield loaded
        finally:
            browser.close()


def screenshot(
    loaded: LoadedPage, *, width: int, height: int, full_page: bool, limits: ImageLimits
) -> tuple[bytes, bool]:
    """A PNG of the viewport, or of the whole scrollable page cut at the image limits, and
    whether it was cut."""
    from playwright.sync_api import FloatRect

    shot_height, truncated = height, False
    if full_page:
        full = int(loaded.page.evaluate("() => document.documentElement.scrollHeight") or height)
        limit = min(limits.max_image_edge, limits.max_image_pixels // width)
        shot_height, truncated = max(height, min(full, limit)), full > limit
    check_dimensions(width, shot_height, limits)
    if full_page:
        clip: FloatRect = {"x": 0, "y": 0, "width": width, "height": shot_height}
        return loaded.page.screenshot(type="png", full_page=True, clip=clip), truncated
    return loaded.page.screenshot(type="png"), truncated


def print_pdf(html: str, out: Path, *, paper: str = "A4", landscape: bool = False) -> int:
    """`html` printed to a PDF by Chromium with scripts off and every request refused (only
    `data:` URLs load): nothing is fetched. Returns how many requests were refused."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    refused = [0]

    def handle(route: Any) -> None:
        if route.request.url.startswith(("data:", "about:")):
            route.continue_()
        else:
            refused[0] += 1
            route.abort("blockedbyclient")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        try:
            context = browser.new_context(
                java_script_enabled=False, service_workers="block", accept_downloads=False,
                offline=True,
            )  # fmt: skip
            context.route("**/*", handle)
            page = context.new_page()
            try:
                page.set_content(html, wait_until="load", timeout=NAVIGATION_MS)
                page.pdf(path=str(out), format=paper, landscape=landscape, print_background=True)
            except PlaywrightError as exc:
                message = str(exc).strip().splitlines()[0][:300]
                raise CaptureFailed(f"The document could not be printed: {message}") from exc
        finally:
            browser.close()
    return refused[0]
